"""Source checks: a prefix one edit off a known namespace, a node described in two files."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from nephrokb.cli import main
from nephrokb.namespaces import KB, PREFIXES, SHAPES
from nephrokb.rdf.sources import SourceText
from nephrokb.validation.engine import validate
from nephrokb.validation.source_checks import misspelt_namespaces, namespace_meant, one_edit_apart

MINIMAL = FIXTURES / "clean" / "minimal.ttl"
SECOND_DESCRIPTION = """@prefix kb: <https://w3id.org/nephrokb/id/> .
@prefix nkb: <https://w3id.org/nephrokb/vocab#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

kb:demo-pass-wire a nkb:Step ;
    rdfs:label "Pass a wire"@en .
"""


@pytest.mark.parametrize(
    ("first", "second", "apart"),
    [
        ("vocab#", "vocab/#", True),
        ("vocab#", "vocab", True),
        ("http://x", "https://x", True),
        ("abc", "abd", True),
        ("abc", "abc", False),
        ("abc", "acb", False),
        ("abc", "abcde", False),
    ],
)
def test_one_edit_apart(first, second, apart):
    assert one_edit_apart(first, second) is apart
    assert one_edit_apart(second, first) is apart


def test_no_two_known_namespaces_are_one_edit_apart():
    assert all(namespace_meant(namespace) is None for namespace in PREFIXES.values())


@pytest.mark.parametrize(
    "declaration",
    [
        "@prefix nkb: <http://w3id.org/nephrokb/vocab#> .",
        "PREFIX nkb: <https://w3id.org/nephrokb/vocab>",
        "  @prefix skos: <http://www.w3.org/2004/02/skos/core> .",
    ],
)
def test_a_misspelt_namespace_is_reported_at_its_prefix_line(declaration, tmp_path):
    text = "# a comment\n" + declaration + "\n"
    (result,) = misspelt_namespaces([SourceText(tmp_path / "x.ttl", text, "turtle")])
    assert (result.file, result.line, result.rule) == (
        str(tmp_path / "x.ttl"),
        2,
        SHAPES + "KnownNamespaceRule",
    )


def test_a_node_described_in_two_files_is_reported_once_naming_both(tmp_path, monkeypatch):
    shutil.copy(MINIMAL, tmp_path / "a.ttl")
    (tmp_path / "b.ttl").write_text(SECOND_DESCRIPTION, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    report = validate([tmp_path])
    (result,) = report.results
    assert (result.focus, result.rule, result.file, result.line) == (
        KB + "demo-pass-wire",
        SHAPES + "OneFileDescriptionRule",
        str(tmp_path / "a.ttl"),
        38,
    )
    assert f"here and at {tmp_path / 'b.ttl'}:5:" in result.message
    cli = CliRunner().invoke(main, ["validate", "--data", "."])
    assert cli.exit_code == 1
    assert cli.output.splitlines()[1].startswith("a.ttl:38: violation: is typed or labelled in 2")


def test_a_node_merely_annotated_in_a_second_file_is_not_reported(tmp_path):
    shutil.copy(MINIMAL, tmp_path / "a.ttl")
    (tmp_path / "b.ttl").write_text(
        SECOND_DESCRIPTION.replace('a nkb:Step ;\n    rdfs:label "Pass a wire"@en', "").replace(
            "kb:demo-pass-wire", 'kb:demo-pass-wire nkb:condition "if needed"@en'
        ),
        encoding="utf-8",
    )
    assert [result.rule for result in validate([tmp_path]).results] == []
