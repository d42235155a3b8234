"""`nephrokb fmt`: canonical, idempotent, lossless, atomic, and honest about what it changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from nephrokb.cli import main
from nephrokb.editing.fmt import RELATIVE_BASE, canonical_form
from nephrokb.namespaces import PREFIXES
from nephrokb.resources import bundled_folder
from nephrokb.turtle.canonical import serialize_canonical

REPO_FOLDERS = [bundled_folder(name) for name in ("kb", "ontology", "shapes")]
HAND_WRITTEN = """# A hand-written file: odd spacing, comments, a list, a literal over lines.
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:b   rdfs:label "B"@en ;   ex:next ex:a .
ex:a rdfs:label "A"@en , "Ah"@en-GB ; ex:items ( 1 "two" ex:b ) ;
  ex:note \"\"\"line one
line "two" \\\\ ends with a quote"\"\"\" ; ex:part [ ex:size 3.50 ; ex:flag true ] .
<relative> ex:count "007"^^<http://www.w3.org/2001/XMLSchema#integer> .
"""


@pytest.mark.slow
def test_repository_turtle_is_canonical():
    result = CliRunner().invoke(main, ["fmt", "--check", *map(str, REPO_FOLDERS)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_hand_written_file_is_rewritten_losslessly(tmp_path):
    path = tmp_path / "hand.ttl"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    before = Graph().parse(path)

    result = CliRunner().invoke(main, ["fmt", str(path)])

    assert result.exit_code == 0
    assert result.stdout == f"reformatted {path}\n"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        "# A hand-written file: odd spacing, comments, a list, a literal over lines.\n\n"
        "@prefix ex: <http://example.org/> .\n"
    )
    # rdflib parses literals to their canonical lexical form: "007"^^xsd:integer is 7.
    assert "<relative> ex:count 7 ." in text
    assert 'ex:items ( 1 "two" ex:b )' in text
    assert isomorphic(before, Graph().parse(path))


def test_fmt_is_idempotent(tmp_path):
    path = tmp_path / "hand.ttl"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    CliRunner().invoke(main, ["fmt", str(path)])
    once = path.read_bytes()
    result = CliRunner().invoke(main, ["fmt", "--check", str(path)])
    assert result.exit_code == 0
    assert path.read_bytes() == once


def test_check_lists_files_and_the_fix_command(tmp_path):
    path = tmp_path / "hand.ttl"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    result = CliRunner().invoke(main, ["fmt", "--check", str(path)])
    assert result.exit_code == 1
    assert result.stdout == f"would reformat {path}\n"
    assert result.stderr == f"1 of 1 files not canonical; fix with: nephrokb fmt {path}\n"
    assert path.read_text(encoding="utf-8") == HAND_WRITTEN


def test_unparsable_file_is_never_rewritten_and_blocks_the_batch(tmp_path):
    good = tmp_path / "a-good.ttl"
    good.write_text(HAND_WRITTEN, encoding="utf-8")
    bad = tmp_path / "b-bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fmt", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == f"nephrokb: error: {bad}:2: Turtle syntax error: objectList expected\n"
    assert good.read_text(encoding="utf-8") == HAND_WRITTEN
    assert bad.read_text(encoding="utf-8") == "@prefix ex: <http://example.org/> .\nex:a ex:b .\n"


@pytest.mark.slow
def test_default_paths_are_the_project_folders(tmp_path, monkeypatch):
    for folder in REPO_FOLDERS:
        shutil.copytree(folder, tmp_path / folder.name)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["fmt", "--check"])
    assert result.exit_code == 0
    assert result.stderr.endswith(" files canonical.\n")


def test_no_project_folders_is_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["fmt"])
    assert result.exit_code == 2
    assert result.stderr == (
        "nephrokb: error: .: no kb/, ontology/ or shapes/ folder here; "
        "name the Turtle files to format\n"
    )


def test_rewrite_keeps_file_mode(tmp_path):
    path = tmp_path / "hand.ttl"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    os.chmod(path, 0o640)
    CliRunner().invoke(main, ["fmt", str(path)])
    assert path.stat().st_mode & 0o777 == 0o640


IRIS = st.sampled_from(
    [URIRef(f"https://w3id.org/nephrokb/id/n{i}") for i in range(4)]
    + [
        URIRef("http://example.org/café#"),
        URIRef("http://example.org/a.b."),
        URIRef(RELATIVE_BASE + "r"),
    ]
)
PREDICATES = st.sampled_from(
    [
        URIRef(PREFIXES["rdfs"] + "label"),
        URIRef(PREFIXES["nkb"] + "stepNumber"),
        URIRef("http://example.org/p"),
    ]
)
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
LITERALS = st.one_of(
    TEXT.map(Literal),
    st.tuples(TEXT, st.sampled_from(["en", "de", "en-gb"])).map(lambda t: Literal(t[0], lang=t[1])),
    st.integers(-5, 12).map(Literal),
    st.sampled_from(["01", "+3", "1.50", "true", "0"]).map(
        lambda lex: Literal(lex, datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))
    ),
    st.decimals(places=2, allow_nan=False, allow_infinity=False).map(Literal),
    st.booleans().map(Literal),
)
BNODES = st.sampled_from([BNode(f"b{i}") for i in range(3)])
TRIPLES = st.lists(
    st.tuples(st.one_of(IRIS, BNODES), PREDICATES, st.one_of(IRIS, BNODES, LITERALS)), max_size=12
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TRIPLES)
def test_canonical_form_is_lossless_and_idempotent(triples):
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    text = serialize_canonical(graph, PREFIXES, base=RELATIVE_BASE)
    reparsed = Graph().parse(data=text, format="turtle", publicID=RELATIVE_BASE)
    assert isomorphic(graph, reparsed), text
    assert serialize_canonical(reparsed, PREFIXES, base=RELATIVE_BASE) == text


@pytest.mark.slow
@pytest.mark.parametrize("folder", REPO_FOLDERS, ids=lambda p: p.name)
def test_bundled_files_are_their_own_canonical_form(folder):
    for path in sorted(Path(folder).glob("*.ttl")):
        current, canonical = canonical_form(path)
        assert current == canonical, path
