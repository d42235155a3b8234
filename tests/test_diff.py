"""`nephrokb diff`: one fixture pair per kind of change, each with its exact outputs.

Each folder of tests/fixtures/diff/ holds old.ttl, new.ttl and the expected outputs
(expected.txt, expected.json, and for some expected.md): golden files (docs/testing.md says
how to regenerate them).
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import FIXTURES, git
from nephrokb.changes.compare import diff_graphs, diff_paths
from nephrokb.changes.formats import DIFF_FORMATS, render_text
from nephrokb.cli import main
from nephrokb.errors import InputError

CASES = sorted(path for path in (FIXTURES / "diff").iterdir() if path.is_dir())
EXPECTED = {"text": "expected.txt", "json": "expected.json", "markdown": "expected.md"}
# Every kind of change the diff reports, with the fixture that shows it.
KINDS_OF_CHANGE = {
    ("procedure", "added"),
    ("procedure", "removed"),
    ("step", "added"),
    ("step", "removed"),
    ("step", "renumbered"),
    ("step", "moved"),
    ("step", "reworded"),
    ("dependency", "added"),
    ("dependency", "removed"),
    ("step condition", "added"),
    ("step condition", "removed"),
    ("step condition", "changed"),
    ("indication", "added"),
    ("indication", "removed"),
    ("indication", "reworded"),
    ("indication", "attached"),
    ("indication", "detached"),
    ("benefit", "added"),
    ("benefit", "removed"),
    ("benefit", "reworded"),
    ("benefit", "attached"),
    ("benefit", "detached"),
    ("condition", "added"),
    ("condition", "removed"),
    ("mapping", "added"),
    ("mapping", "removed"),
    ("mapping", "changed"),
    ("node", "changed"),
}


def run(*arguments: str):
    return CliRunner().invoke(main, ["diff", *arguments])


GOLDEN = [
    (case, diff_format)
    for case in CASES
    for diff_format, name in EXPECTED.items()
    if diff_format != "markdown" or (case / name).exists()
]


@pytest.mark.parametrize(
    ("case", "diff_format"), GOLDEN, ids=[f"{case.name}-{form}" for case, form in GOLDEN]
)
def test_fixture_pair_gives_the_expected_output(case, diff_format, golden_file):
    result = run(str(case / "old.ttl"), str(case / "new.ttl"), "--format", diff_format)
    assert result.exit_code == (0 if case.name == "reformatted-only" else 1), result.output
    golden_file(case / EXPECTED[diff_format], result.output)


def test_every_pair_has_text_and_json_golden_files():
    for case in CASES:
        assert (case / "expected.txt").is_file(), case.name
        assert (case / "expected.json").is_file(), case.name


def test_every_kind_of_change_has_a_fixture_pair():
    shown = {
        (change["kind"], change["action"])
        for case in CASES
        for change in json.loads((case / "expected.json").read_text(encoding="utf-8"))["changes"]
    }
    assert shown == KINDS_OF_CHANGE


def test_reformatted_pair_holds_the_same_triples_in_another_layout():
    case = FIXTURES / "diff" / "reformatted-only"
    old, new = (case / "old.ttl").read_text(), (case / "new.ttl").read_text()
    assert old != new
    assert "[" in old and "_:" in new
    assert isomorphic(Graph().parse(data=old), Graph().parse(data=new))
    assert diff_paths([case / "old.ttl"], [case / "new.ttl"]).changes == ()


def test_blank_node_names_never_count_but_their_content_does():
    old = Graph().parse(data='<x:a> <x:p> [ <x:q> "1" ] .', format="turtle")
    renamed = Graph().parse(data='<x:a> <x:p> _:other . _:other <x:q> "1" .', format="turtle")
    edited = Graph().parse(data='<x:a> <x:p> [ <x:q> "2" ] .', format="turtle")
    assert diff_graphs(old, renamed).changes == ()
    (change,) = diff_graphs(old, edited).changes
    assert (change.kind, change.action, change.node) == ("node", "changed", "x:a")


def test_json_counts_add_up_to_the_total():
    case = FIXTURES / "diff" / "several-kinds"
    document = json.loads(
        run(str(case / "old.ttl"), str(case / "new.ttl"), "--format", "json").output
    )
    assert (
        sum(n for actions in document["counts"].values() for n in actions.values())
        == document["total"]
    )
    assert document["total"] == len(document["changes"])


def test_folders_are_compared_like_files(tmp_path):
    case = FIXTURES / "diff" / "step-moved"
    for side in ("old", "new"):
        (tmp_path / side).mkdir()
        shutil.copy(case / f"{side}.ttl", tmp_path / side / "kb.ttl")
    result = run(str(tmp_path / "old"), str(tmp_path / "new"))
    assert result.exit_code == 1
    assert result.output == (case / "expected.txt").read_text(encoding="utf-8")


def test_formats_are_a_registry_of_writers():
    assert sorted(DIFF_FORMATS) == ["json", "kgcl", "markdown", "sssom", "text"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["only-one.ttl"], "name two files or folders"),
        (["a.ttl", "b.ttl", "c.ttl"], "name two files or folders"),
        (["--git"], "--git takes one or two revisions"),
        (["--git", "a", "b", "c"], "--git takes one or two revisions"),
    ],
)
def test_wrong_number_of_inputs_is_a_usage_error(arguments, message):
    result = run(*arguments)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.splitlines()) == 1


def test_unreadable_input_exits_2_with_one_line():
    missing = FIXTURES / "diff" / "missing.ttl"
    result = run(str(missing), str(FIXTURES / "diff" / "step-moved" / "new.ttl"))
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {missing}: no such file or folder\n"


@pytest.fixture
def repository(tmp_path, monkeypatch):
    """A git repository whose kb/ holds the old fixture at HEAD~1 and the new one at HEAD."""
    case = FIXTURES / "diff" / "several-kinds"
    (tmp_path / "kb").mkdir()
    git(tmp_path, "init", "--quiet")
    for side in ("old", "new"):
        shutil.copy(case / f"{side}.ttl", tmp_path / "kb" / "knowledge.ttl")
        git(tmp_path, "add", "kb")
        git(tmp_path, "commit", "--quiet", "-m", side)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_git_compares_two_revisions_of_kb(repository):
    expected = (FIXTURES / "diff" / "several-kinds" / "expected.txt").read_text(encoding="utf-8")
    result = run("--git", "HEAD~1", "HEAD")
    assert (result.exit_code, result.output) == (1, expected)
    assert run("--git", "HEAD", "HEAD").exit_code == 0


def test_git_reads_kb_at_the_repository_root_from_any_folder(repository, monkeypatch):
    (repository / "docs").mkdir()
    monkeypatch.chdir(repository / "docs")
    expected = (FIXTURES / "diff" / "several-kinds" / "expected.txt").read_text(encoding="utf-8")
    assert run("--git", "HEAD~1", "HEAD").output == expected
    assert run("--git", "HEAD").output == "No changes in the knowledge.\n"


def test_git_compares_a_revision_with_the_working_tree(repository):
    assert run("--git", "HEAD").output == "No changes in the knowledge.\n"
    shutil.copy(
        FIXTURES / "diff" / "several-kinds" / "old.ttl", repository / "kb" / "knowledge.ttl"
    )
    (repository / "kb" / "added.ttl").write_text(
        "@prefix kb: <https://w3id.org/nephrokb/id/> .\n"
        "@prefix nkb: <https://w3id.org/nephrokb/vocab#> .\n"
        "kb:extra a nkb:Procedure .\n",
        encoding="utf-8",
    )
    result = run("--git", "HEAD", "--format", "json")
    changes = {(c["kind"], c["action"], c["node"]) for c in json.loads(result.output)["changes"]}
    assert ("procedure", "added", "https://w3id.org/nephrokb/id/extra") in changes
    assert ("step", "moved", "https://w3id.org/nephrokb/id/place-tube") in changes


def test_git_reads_a_revision_without_kb_as_empty(repository):
    branch = git(repository, "branch", "--show-current").strip()
    git(repository, "checkout", "--quiet", "--orphan", "empty")
    git(repository, "rm", "-r", "--quiet", "--cached", "kb")
    (repository / "note.txt").write_text("no knowledge yet\n")
    git(repository, "add", "note.txt")
    git(repository, "commit", "--quiet", "-m", "empty")
    result = run("--git", "empty", branch)
    assert result.exit_code == 1
    assert "procedure added: kb:access" in result.output


@pytest.mark.parametrize("revision", ["no-such-branch", "--output=/tmp/x", ""])
def test_git_refuses_unknown_revisions_in_one_line(repository, revision):
    result = run("--git", "--", revision) if revision.startswith("-") else run("--git", revision)
    assert result.exit_code == 2
    assert result.output.startswith("nephrokb: error: ")
    assert len(result.output.splitlines()) == 1


def test_git_names_the_revision_of_a_file_that_does_not_parse(repository):
    (repository / "kb" / "knowledge.ttl").write_text("kb:broken a .\n", encoding="utf-8")
    git(repository, "commit", "--quiet", "-am", "broken")
    result = run("--git", "HEAD", "HEAD~1")
    assert result.exit_code == 2
    assert result.output.startswith("nephrokb: error: HEAD:kb/knowledge.ttl:1: Turtle syntax error")


def test_git_outside_a_repository_is_an_input_error(tmp_path, monkeypatch):
    from nephrokb.changes.compare import diff_revisions

    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="is not in a git repository"):
        diff_revisions("HEAD")


def test_texts_are_compared_and_shown_exactly_as_written():
    prefixes = (
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "@prefix kb: <https://w3id.org/nephrokb/id/> .\n"
        "@prefix nkb: <https://w3id.org/nephrokb/vocab#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    )
    old = Graph().parse(
        data=prefixes + 'kb:s a nkb:Step ; rdfs:label "Pass a wire"@en ;'
        ' dcterms:description "One."@en ; nkb:condition "if needed"@en .',
        format="turtle",
    )
    new = Graph().parse(
        data=prefixes + 'kb:s a nkb:Step ; rdfs:label "Pass a  wire"@en ;'
        ' dcterms:description "One.\\nTwo."@en ; nkb:condition "if needed" .',
        format="turtle",
    )
    assert render_text(diff_graphs(old, new)).splitlines()[:3] == [
        'step reworded: kb:s "Pass a wire": dcterms:description "One." -> "One.\\nTwo."',
        'step reworded: kb:s "Pass a wire": rdfs:label "Pass a wire" -> "Pass a  wire"',
        'step condition changed: kb:s "Pass a wire": "if needed"@en -> "if needed"',
    ]
