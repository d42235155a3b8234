"""The user guide and README stay true: every `console` example runs and prints what it shows.

A `console` block holds commands (`$ nephrokb ...`) each followed by its exact output. A line
that is only `...` matches any number of lines; `...` inside a line matches any text in that
line; a command ending in `# exits N` must exit with N, any other with 0. Commands run through
Click's CliRunner in a temporary folder holding copies of kb/, ontology/, shapes/ and
tests/fixtures/ (one per document), as docs/index.md explains. Every command of the CLI must
appear in the guide.
"""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from nephrokb.cli import COMMANDS, main

REPOSITORY = Path(__file__).resolve().parents[1]
DOCUMENTS = [*sorted((REPOSITORY / "docs").glob("*.md")), REPOSITORY / "README.md"]
COPIED_FOLDERS = ("kb", "ontology", "shapes", "tests/fixtures")
CONSOLE_BLOCK = re.compile(r"^```console\n(.*?)^```$", re.MULTILINE | re.DOTALL)
EXPECTED_EXIT = re.compile(r"\s+# exits (\d+)$")
ELLIPSIS = "..."


@dataclass(frozen=True)
class Example:
    """One documented command with the output and exit status the docs promise."""

    document: str
    line: int
    command: str
    expected: str
    exit_code: int

    def __str__(self) -> str:
        return f"{self.document}:{self.line}"


def read_examples(path: Path) -> list[Example]:
    """Return the commands of every console block of a Markdown file, in order."""
    text = path.read_text(encoding="utf-8")
    examples = []
    for block in CONSOLE_BLOCK.finditer(text):
        first_line = text.count("\n", 0, block.start(1)) + 1
        lines = block.group(1).splitlines()
        starts = [number for number, line in enumerate(lines) if line.startswith("$ ")]
        assert starts and starts[0] == 0, f"{path.name}:{first_line}: a block starts with '$ '"
        for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
            command = lines[start][2:]
            exit_code = 0
            marked = EXPECTED_EXIT.search(command)
            if marked:
                exit_code = int(marked.group(1))
                command = command[: marked.start()]
            expected = "".join(line + "\n" for line in lines[start + 1 : end])
            relative = path.relative_to(REPOSITORY).as_posix()
            examples.append(Example(relative, first_line + start, command, expected, exit_code))
    return examples


EXAMPLES = [example for path in DOCUMENTS for example in read_examples(path)]


def output_pattern(expected: str) -> re.Pattern[str]:
    """Turn expected output into a regex: `...` lines match any lines, `...` in a line any text."""
    parts = []
    for line in expected.splitlines():
        if line == ELLIPSIS:
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(piece) for piece in line.split(ELLIPSIS)) + r"\n")
    return re.compile("".join(parts))


@pytest.fixture(scope="module")
def checkouts(tmp_path_factory):
    """Per document, a folder with copies of the data folders, as its examples' working
    directory: one document's examples may write to kb/ without changing another's."""

    def checkout(document: str) -> Path:
        folder = tmp_path_factory.getbasetemp() / ("checkout-" + document.replace("/", "-"))
        if not folder.exists():
            for name in COPIED_FOLDERS:
                shutil.copytree(REPOSITORY / name, folder / name)
        return folder

    return checkout


def test_the_docs_have_examples():
    assert len(EXAMPLES) >= 20
    assert {example.document for example in EXAMPLES} >= {
        "docs/index.md",
        "docs/query-cookbook.md",
        "docs/ci.md",
        "docs/site.md",
        "docs/mappings.md",
    }


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_documented_command_prints_what_the_docs_show(example, checkouts, monkeypatch):
    arguments = shlex.split(example.command)
    assert arguments[0] == "nephrokb", f"{example}: only nephrokb commands can be checked"
    monkeypatch.chdir(checkouts(example.document))
    result = CliRunner().invoke(main, arguments[1:])
    assert result.exit_code == example.exit_code, f"{example}: {result.output}"
    assert output_pattern(example.expected).fullmatch(result.output), (
        f"{example}: `{example.command}` printed:\n{result.output}"
    )


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_in_the_guide(command):
    guide = (REPOSITORY / "docs" / "index.md").read_text(encoding="utf-8")
    assert f"`nephrokb {command}`" in guide


@pytest.mark.parametrize(
    ("expected", "output", "matches"),
    [
        ("a\n...\nd\n", "a\nb\nc\nd\n", True),
        ("a\n...\nd\n", "a\nd\n", True),
        ("a\n...\n", "a\n", True),
        ("x (... triples).\n", "x (1375 triples).\n", True),
        ("x (... triples).\n", "x (1375 triples).\nmore\n", False),
        ("a\nb\n", "a\nc\n", False),
        ("a.b\n", "aXb\n", False),
    ],
)
def test_ellipsis_convention(expected, output, matches):
    assert bool(output_pattern(expected).fullmatch(output)) is matches


def commands_with(option: str) -> set[str]:
    """The commands that take `option`."""
    return {
        name
        for name in COMMANDS
        if any(option in param.opts for param in main.get_command(None, name).params)
    }


COMMAND_LIST = r"((?:`[a-z]+`,?\s+(?:and\s+)?)*`[a-z]+`)"
READS_THE_BUNDLED_KNOWLEDGE = re.compile(COMMAND_LIST + r"\s+read\s+the\s+bundled\s+knowledge")
TAKE_FORMAT_AND_OUTPUT = re.compile(r"\(" + COMMAND_LIST + r"\)\s+takes?\s+`-f`/`--format`")


@pytest.mark.parametrize("document", ["README.md", "docs/index.md"])
def test_the_docs_name_the_commands_that_read_the_bundled_knowledge(document):
    text = (REPOSITORY / document).read_text(encoding="utf-8")
    (claim,) = READS_THE_BUNDLED_KNOWLEDGE.findall(text)
    assert set(re.findall(r"`([a-z]+)`", claim)) == commands_with("--data")
    assert not re.search(r"(?i)every\s+command\s+reads\s+the\s+bundled", text)


@pytest.mark.parametrize("document", ["README.md", "docs/index.md"])
def test_the_docs_name_the_commands_that_take_format_and_output(document):
    text = (REPOSITORY / document).read_text(encoding="utf-8")
    (claim,) = TAKE_FORMAT_AND_OUTPUT.findall(text)
    named = set(re.findall(r"`([a-z]+)`", claim))
    assert named == commands_with("--format") == commands_with("--output") - {"site"}


def test_the_help_says_which_commands_read_the_bundled_knowledge():
    result = CliRunner().invoke(main, ["--help"])
    assert (
        " ".join(result.output.split()).count(
            "Commands with --data read the bundled knowledge base (the checkout's, inside a "
            "checkout) unless given --data; diff and fmt read the files, folders or git revisions "
            "they are given."
        )
        == 1
    )
    assert commands_with("--data").isdisjoint({"diff", "fmt"})


def test_readme_shows_the_flow_picture_that_the_site_test_keeps_fresh():
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    assert "(docs/images/percutaneous-nephrostomy-flow.svg)" in readme
    assert (REPOSITORY / "docs" / "images" / "percutaneous-nephrostomy-flow.svg").is_file()


def test_local_links_in_the_docs_resolve():
    link = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
    for path in DOCUMENTS:
        for target in link.findall(path.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (path.parent / target).exists(), f"{path.name} links to missing {target}"
