"""The pre-commit hooks and the CI workflow of docs/ci.md name commands that really parse.

Every `nephrokb ...` command in the workflow, the other workflow steps of the page and the
hooks is parsed by the real Click command line, without running it, so a renamed command or
option breaks this test.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
import yaml

from nephrokb.cli import COMMANDS, main

REPOSITORY = Path(__file__).resolve().parents[1]
YAML_BLOCK = re.compile(r"^```yaml\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def parse_command(arguments: list[str]) -> click.Context:
    """Parse `nephrokb ARGUMENTS` as the CLI would, without running the command."""
    assert arguments[0] == "nephrokb"
    assert arguments[1] in COMMANDS, f"no command {arguments[1]!r}"
    with main.make_context("nephrokb", [arguments[1]]) as group:
        command = main.get_command(group, arguments[1])
        return command.make_context(arguments[1], arguments[2:], parent=group)


def nephrokb_commands(script: str) -> list[list[str]]:
    """Return the arguments of each `nephrokb` command in a shell script."""
    commands = []
    for line in script.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        current: list[str] | None = None
        for token in lexer:
            if current is None and token == "nephrokb":
                current = [token]
            elif current is not None and set(token) <= set("|&;<>()"):
                commands.append(current)
                current = None
            elif current is not None:
                current.append(token)
        if current is not None:
            commands.append(current)
    return commands


def documented_yaml() -> list:
    text = (REPOSITORY / "docs" / "ci.md").read_text(encoding="utf-8")
    return [yaml.safe_load(block) for block in YAML_BLOCK.findall(text)]


@pytest.fixture(scope="module")
def workflow() -> dict:
    (found,) = [document for document in documented_yaml() if "jobs" in document]
    return found


@pytest.fixture(scope="module")
def hooks() -> dict[str, dict]:
    listed = yaml.safe_load((REPOSITORY / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for hook in listed}


def workflow_steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def documented_steps() -> list[dict]:
    """Every workflow step on the page: the workflow's and those of the snippets to add to it."""
    steps = []
    for document in documented_yaml():
        if isinstance(document, dict) and "jobs" in document:
            steps.extend(workflow_steps(document))
        elif isinstance(document, list):
            steps.extend(document)
    return steps


def test_every_nephrokb_command_on_the_page_parses():
    commands = [
        command for step in documented_steps() for command in nephrokb_commands(step.get("run", ""))
    ]
    assert {command[1] for command in commands} == {"fmt", "validate", "diff", "site"}
    for command in commands:
        parse_command(command)


def test_the_workflow_formats_validates_and_comments_the_diff(workflow):
    steps = workflow_steps(workflow)
    uses = [step["uses"].split("@")[0] for step in steps if "uses" in step]
    assert uses == [
        "actions/checkout",
        "actions/setup-python",
        "github/codeql-action/upload-sarif",
    ]
    runs = {
        " ".join(command): step
        for step in steps
        for command in nephrokb_commands(step.get("run", ""))
    }
    assert any(step.get("run", "").startswith("pip install") for step in steps)
    assert "nephrokb fmt --check" in runs
    assert "nephrokb validate --data kb/ --format github" in runs
    sarif_step = runs["nephrokb validate --data kb/ --format sarif --output nephrokb.sarif"]
    upload = steps[steps.index(sarif_step) + 1]
    assert upload["with"]["sarif_file"] == "nephrokb.sarif"
    diff_step = runs[
        "nephrokb diff --git origin/main --format markdown --output knowledge-changes.md"
    ]
    assert diff_step["if"] == "${{ !cancelled() && github.event_name == 'pull_request' }}"
    # The checks after the format check run even when it fails (but not when cancelled).
    assert all(
        step["if"].startswith("${{ !cancelled()") for step in steps[steps.index(sarif_step) - 1 :]
    )
    assert steps[0]["with"]["fetch-depth"] == 0


def test_a_wrong_option_would_fail_the_workflow_test():
    with pytest.raises(click.UsageError):
        parse_command(["nephrokb", "validate", "--formatt", "github"])
    with pytest.raises(AssertionError):
        parse_command(["nephrokb", "difff", "--git", "origin/main"])


def test_the_hooks_run_nephrokb_commands_on_turtle_files(hooks):
    assert set(hooks) == {"nephrokb-validate", "nephrokb-fmt"}
    assert hooks["nephrokb-validate"]["entry"] == "nephrokb validate"
    assert hooks["nephrokb-validate"]["pass_filenames"] is False
    assert hooks["nephrokb-fmt"]["entry"] == "nephrokb fmt"
    assert hooks["nephrokb-fmt"].get("pass_filenames", True) is True
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert re.search(hook["files"], "kb/percutaneous-nephrostomy.ttl")
        assert not re.search(hook["files"], "README.md")
        parse_command(shlex.split(hook["entry"]))


def test_the_documented_pre_commit_config_uses_the_hooks_with_arguments_that_parse(hooks):
    (config,) = [document for document in documented_yaml() if "repos" in document]
    for used in (hook for repository in config["repos"] for hook in repository["hooks"]):
        hook = hooks[used["id"]]
        filenames = [] if hook.get("pass_filenames") is False else ["kb/example.ttl"]
        parse_command([*shlex.split(hook["entry"]), *used.get("args", []), *filenames])


def test_the_sarif_upload_job_may_write_security_events(workflow):
    uploading = [
        job
        for job in workflow["jobs"].values()
        if any("codeql-action/upload-sarif" in step.get("uses", "") for step in job["steps"])
    ]
    assert len(uploading) == 1
    assert uploading[0]["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
        "security-events": "write",
        "actions": "read",
    }
    assert "permissions" not in workflow


def test_one_page_describes_ci():
    assert not (REPOSITORY / "docs" / "validate-in-ci.md").exists()
    index = (REPOSITORY / "docs" / "index.md").read_text(encoding="utf-8")
    assert "](ci.md)" in index
