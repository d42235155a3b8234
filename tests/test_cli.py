"""CLI behaviour shared by every command: help, shared options, one-line errors with exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from nephrokb.cli import COMMANDS as REGISTRY
from nephrokb.cli import main
from nephrokb.cli.options import OneLineChoice

COMMANDS = sorted(REGISTRY)
README = Path(__file__).parents[1] / "README.md"
MINIMAL = str(FIXTURES / "clean" / "minimal.ttl")
STEP_MOVED = FIXTURES / "diff" / "step-moved"

# Each command that writes a report or results: arguments that make it write one, a format
# other than its default, and the exit code it ends with.
WRITERS = {
    "validate": (["--data", str(FIXTURES / "broken" / "dangling-has-step.ttl")], "json", 1),
    "query": (["procedures", "--data", MINIMAL], "csv", 0),
    "export": (["--data", MINIMAL], "nt", 0),
    "stats": (["--data", MINIMAL], "json", 0),
    "lookup": (["SCTID:313270001", "--data", str(FIXTURES / "clean" / "mapped.ttl")], "json", 0),
    "diff": ([str(STEP_MOVED / "old.ttl"), str(STEP_MOVED / "new.ttl")], "json", 1),
    "show": (["demo-access", "--data", MINIMAL], "json", 0),
}


def test_group_help_lists_commands():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"nephrokb {command}" in result.output


def test_missing_data_file_is_one_line_exit_2(tmp_path):
    missing = tmp_path / "nope.ttl"
    result = CliRunner().invoke(main, ["validate", "--data", str(missing)])
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {missing}: no such file or folder\n"


def test_malformed_turtle_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b \n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--data", str(bad)])
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {bad}:3: Turtle syntax error: objectList expected\n"


def test_unknown_prefix_names_file_and_line(tmp_path):
    bad = tmp_path / "prefix.ttl"
    bad.write_text("@prefix ex: <http://e/> .\n\nfoo:a ex:b ex:c .\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--data", str(bad)])
    assert result.exit_code == 2
    expected = f'nephrokb: error: {bad}:3: Turtle syntax error: Prefix "foo:" not bound\n'
    assert result.output == expected


def test_folder_without_turtle_is_refused(tmp_path):
    result = CliRunner().invoke(main, ["validate", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {tmp_path}: folder holds no Turtle (.ttl) files\n"


def test_non_utf8_file_is_refused_with_line(tmp_path):
    bad = tmp_path / "latin1.ttl"
    bad.write_bytes(b'@prefix ex: <http://e/> .\nex:a ex:b "caf\xe9" .\n')
    result = CliRunner().invoke(main, ["validate", "--data", str(bad)])
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {bad}:2: is not UTF-8 text; re-save it as UTF-8\n"


def test_unknown_option_is_a_usage_error():
    result = CliRunner().invoke(main, ["validate", "--bogus"])
    assert result.exit_code == 2
    assert result.output == (
        "nephrokb: error: No such option '--bogus'. (see 'nephrokb validate --help')\n"
    )


@pytest.mark.slow
def test_shell_completion_as_documented_in_the_readme():
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("nephrokb"))],
        env={
            **os.environ,
            "COMP_WORDS": "nephrokb va",
            "COMP_CWORD": "1",
            "_NEPHROKB_COMPLETE": "bash_complete",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.stdout == "plain,validate\n"
    assert "_NEPHROKB_COMPLETE=bash_source nephrokb" in README.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", COMMANDS)
def test_registered_help_matches_the_command(command):
    """The group lists commands from the registry; it must say what the command says."""
    loaded = main.get_command(None, command)
    assert loaded.get_short_help_str(limit=300) == REGISTRY[command][1]


def options_by_name(command: str) -> dict[str, click.Option]:
    """The options of a command, by their long name."""
    loaded = main.get_command(None, command)
    return {
        next(opt for opt in param.opts if opt.startswith("--")): param
        for param in loaded.params
        if isinstance(param, click.Option)
    }


def test_format_and_output_are_the_shared_options_in_every_command():
    with_format = {command for command in COMMANDS if "--format" in options_by_name(command)}
    with_output = {command for command in COMMANDS if "--output" in options_by_name(command)}
    assert with_format == set(WRITERS)
    assert with_output == {*WRITERS, "site"}  # site's --output is the folder it builds
    for command in with_format:
        option = options_by_name(command)["--format"]
        assert (option.opts, option.name, type(option.type)) == (
            ["--format", "-f"],
            "format_name",
            OneLineChoice,
        )
    for command in with_output:
        assert options_by_name(command)["--output"].opts == ["--output", "-o"]


def test_every_choice_is_refused_in_one_line():
    for command in COMMANDS:
        for param in main.get_command(None, command).params:
            if isinstance(param.type, click.Choice):
                assert isinstance(param.type, OneLineChoice), f"{command} {param.name}"


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_output_file_gets_the_bytes_of_standard_output_atomically(command, tmp_path):
    arguments, format_name, exit_code = WRITERS[command]
    shown = CliRunner().invoke(main, [command, *arguments, "-f", format_name])
    assert shown.exit_code == exit_code, shown.output
    assert shown.stdout_bytes
    target = tmp_path / "result"
    target.write_bytes(b"before\n")
    (tmp_path / "other-name").hardlink_to(target)
    written = CliRunner().invoke(main, [command, *arguments, "-f", format_name, "-o", str(target)])
    assert written.exit_code == exit_code, written.output
    assert written.stdout_bytes == b""
    assert target.read_bytes() == shown.stdout_bytes
    # Replaced by a rename, not rewritten in place: the old file's other name keeps it.
    assert (tmp_path / "other-name").read_bytes() == b"before\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["other-name", "result"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["validate", "-f", "x"],
            "invalid --format 'x'; choose from: github, json, junit, sarif, text, turtle",
        ),
        (["validate", "--engine", "x"], "invalid --engine 'x'; choose from: fast, pyshacl"),
        (["stats", "--format", "x"], "invalid --format 'x'; choose from: json, text"),
        (
            ["show", "stent", "-f", "pdf"],
            "invalid --format 'pdf'; choose from: json, markdown, text",
        ),
        (
            ["query", "steps", "-f", "yaml"],
            "invalid --format 'yaml'; choose from: csv, json, jsonld, nt, table, tsv, turtle, xml",
        ),
        (
            ["export", "-f", "x"],
            "invalid --format 'x'; choose from: csv, dot, fhir, jsonld, "
            "markdown, mermaid, nq, nt, sssom, sssom-json, trig, turtle, xlsx, xml, yaml",
        ),
        (
            ["export", "-f", "nt", "--include", "x"],
            "invalid --include 'x'; choose from: ontology",
        ),
        (
            ["new", "x", "slug"],
            "invalid KIND 'x'; choose from: procedure, step, indication, benefit",
        ),
    ],
)
def test_a_bad_choice_is_one_line_naming_the_choices(arguments, message):
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"nephrokb: error: {message}\n"


def test_help_loads_no_command_module():
    """`nephrokb --help` lists the commands from the registry, importing none of them."""
    code = (
        "import sys\n"
        "from nephrokb.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('nephrokb')), file=sys.stderr)\n"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stderr == (
        "['nephrokb', 'nephrokb.cli', 'nephrokb.cli.options', 'nephrokb.cli.streams', "
        "'nephrokb.errors']\n"
    )
    assert all(f"  {name} " in shown.stdout for name in COMMANDS)
