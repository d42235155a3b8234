"""Property-based tests: random input never crashes nephrokb, random graphs survive exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from conftest import CLEAN, sparql_parsed_once
from nephrokb.errors import InputError
from nephrokb.rdf.loading import load_graph
from nephrokb.rdf.serialization import (
    export_jsonld,
    export_nquads,
    export_ntriples,
    export_rdfxml,
    export_trig,
    export_turtle,
)
from nephrokb.validation.engine import validate
from nephrokb.validation.results import Report

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
MINIMAL = next(path for path in CLEAN if path.stem == "minimal")
NAMES = [URIRef(f"https://w3id.org/nephrokb/id/n{i}") for i in range(4)] + [
    URIRef("http://example.org/thing")
]
PREDICATES = [
    URIRef("https://w3id.org/nephrokb/vocab#hasStep"),
    URIRef("https://w3id.org/nephrokb/vocab#stepNumber"),
    URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    URIRef("http://example.org/p"),
]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=10)
OBJECTS = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from([BNode("x"), BNode("y")]),
    TEXT.map(Literal),
    TEXT.map(lambda text: Literal(text, lang="en")),
    st.integers(-3, 30).map(Literal),
    st.booleans().map(Literal),
)
GRAPHS = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(NAMES), st.sampled_from([BNode("x"), BNode("y")])),
        st.sampled_from(PREDICATES),
        OBJECTS,
    ),
    min_size=1,
    max_size=15,
)


def build(triples) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes_never_crash_the_loader(tmp_path, data):
    path = tmp_path / "random.ttl"
    path.write_bytes(data)
    try:
        load_graph([path])
    except InputError as error:
        assert str(error).startswith(str(path))


TURTLE_PIECES = st.sampled_from(
    [
        "@prefix e: <http://example.org/> .",
        "e:a",
        "e:b",
        '"x"',
        "(",
        ")",
        "[",
        "]",
        ";",
        ",",
        ".",
        "a",
        "<http://example.org/c>",
        '"""y"""',
        "_:b",
        "1.5",
        "true",
        "^^",
        "@en",
        "#",
        "\n",
    ]
)


@SETTINGS
@given(st.lists(TURTLE_PIECES, max_size=30))
def test_random_turtle_like_text_never_crashes_the_loader(tmp_path, pieces):
    path = tmp_path / "random.ttl"
    path.write_text(" ".join(pieces), encoding="utf-8")
    try:
        load_graph([path])
    except InputError as error:
        assert str(error).startswith(str(path))


@pytest.fixture(scope="module")
def minimal_triples():
    return sorted(load_graph([MINIMAL]))


# pyshacl matches sh:pattern with Python's `\s`, which takes in Unicode spaces that XPath's
# `\s` (space, tab, newline, carriage return) leaves out; keep such text out of the comparison.
COMPARABLE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")) | st.just(" "),
    max_size=10,
)
EDIT_OBJECTS = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from([BNode("x"), BNode("y")]),
    COMPARABLE_TEXT.map(Literal),
    COMPARABLE_TEXT.map(lambda text: Literal(text, lang="en")),
    st.integers(-3, 30).map(Literal),
    st.booleans().map(Literal),
)


def comparable(report: Report) -> set:
    """Each result as a tuple; blank nodes, labelled anew by every parse, all read `_:`."""

    def plain(text: str | None) -> str | None:
        return "_:" if text is not None and text.startswith("_:") else text

    return {
        (plain(r.focus), r.rule, r.constraint, r.severity, plain(r.value_term), r.path)
        for r in report.results
    }


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_edits_give_pyshacls_results(tmp_path_factory, minimal_triples, data):
    graph = build(minimal_triples)
    for _ in range(data.draw(st.integers(1, 4))):
        if data.draw(st.booleans()):
            graph.remove(data.draw(st.sampled_from(sorted(graph))))
        else:
            subject = data.draw(st.sampled_from(sorted(set(graph.subjects()))))
            graph.add((subject, data.draw(st.sampled_from(PREDICATES)), data.draw(EDIT_OBJECTS)))
    path = Path(tmp_path_factory.mktemp("edit")) / "edited.ttl"
    path.write_bytes(export_turtle(graph))
    with sparql_parsed_once():
        plain = comparable(validate([path], engine="pyshacl"))
    assert comparable(validate([path])) == plain


ROUND_TRIPS = {
    "turtle": (export_turtle, "turtle"),
    "nt": (export_ntriples, "nt"),
    "xml": (export_rdfxml, "xml"),
    "jsonld": (export_jsonld, "json-ld"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ROUND_TRIPS))
@SETTINGS
@given(triples=GRAPHS)
def test_random_graphs_survive_every_triple_export(name, triples):
    graph = build(triples)
    exporter, syntax = ROUND_TRIPS[name]
    assert isomorphic(graph, Graph().parse(data=exporter(graph), format=syntax))


@pytest.mark.slow
@pytest.mark.parametrize(("exporter", "syntax"), [(export_nquads, "nquads"), (export_trig, "trig")])
@SETTINGS
@given(triples=GRAPHS)
def test_random_graphs_survive_quad_exports(exporter, syntax, triples):
    graph = build(triples)
    dataset = Dataset()
    dataset.parse(data=exporter(graph), format=syntax)
    merged = Graph()
    for quad in dataset.quads():
        merged.add(quad[:3])
    assert isomorphic(graph, merged)
