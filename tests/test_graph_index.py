"""GraphIndex answers the read methods the site and exports use exactly as rdflib's Graph does."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph

from nephrokb.rdf.graph_index import GraphIndex, uri
from nephrokb.rdf.loading import load, load_graph
from nephrokb.rdf.stores import rdflib_store, store_of
from nephrokb.resources import bundled_folder

DOUBLE = '"2e3"^^<http://www.w3.org/2001/XMLSchema#double>'
EXTRA = """
@prefix ex: <http://example.org/> .
ex:a ex:p ex:b, "x"@en ; ex:q "2e3"^^<http://www.w3.org/2001/XMLSchema#double> .
ex:b ex:p ex:a .
_:blank ex:p ex:a .
"""


@pytest.fixture(scope="module")
def knowledge() -> Graph:
    return load()


def plain_graph(text: str) -> Graph:
    """A graph in rdflib's default store, which GraphIndex indexes itself."""
    return Graph().parse(data=text, format="turtle")


@pytest.mark.parametrize("kind", ["predicate store", "default store"])
def test_every_lookup_answers_as_the_graph_does(knowledge, kind):
    graph = knowledge if kind == "predicate store" else plain_graph(knowledge.serialize())
    index = GraphIndex(graph)
    assert len(index) == len(graph)
    assert set(index.subjects()) == set(graph.subjects())
    for subject, predicate, value in graph:
        assert (subject, predicate, value) in index
        assert set(index.objects(subject, predicate)) == set(graph.objects(subject, predicate))
        assert set(index.subjects(predicate, value)) == set(graph.subjects(predicate, value))
        assert index.value(subject, predicate) in set(graph.objects(subject, predicate))
    for node in set(graph.subjects()) | set(graph.objects()):
        assert sorted(index.predicate_objects(node)) == sorted(graph.predicate_objects(node))
        assert sorted(index.subject_predicates(node)) == sorted(graph.subject_predicates(node))
    absent = uri("http://example.org/absent")
    assert (absent, absent, absent) not in index
    assert index.value(absent, absent) is None
    assert list(index.objects(absent, absent)) == []


def test_several_graphs_are_read_as_their_union(knowledge):
    ontology = load_graph([bundled_folder("ontology")])
    extra = plain_graph(EXTRA)
    union = ontology + knowledge + extra
    index = GraphIndex(ontology, GraphIndex(knowledge), extra)
    assert len(index) == len(union)
    for subject, predicate, value in union:
        assert (subject, predicate, value) in index
        assert set(index.objects(subject, predicate)) == set(union.objects(subject, predicate))
        assert set(index.subjects(predicate, value)) == set(union.subjects(predicate, value))
    for node in set(union.subjects()) | set(union.objects()):
        assert sorted(index.predicate_objects(node)) == sorted(union.predicate_objects(node))
        assert sorted(index.subject_predicates(node)) == sorted(union.subject_predicates(node))


def test_the_files_store_serves_only_when_it_holds_what_rdflib_read(tmp_path):
    named = EXTRA.replace("_:blank", "ex:c")
    seven = '"7"^^<http://www.w3.org/2001/XMLSchema#integer>'
    cases = {
        "canonical.ttl": (named.replace(DOUBLE, seven), True),
        "rewritten.ttl": (named, False),  # the store holds "2000"^^xsd:double, rdflib "2000.0"
        "blank.ttl": (EXTRA.replace(DOUBLE, seven), False),  # each parse names its own
    }
    for name, (text, served) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        graph = load_graph([path])
        parsed = ox.Store()
        parsed.load(path=str(path), format=ox.RdfFormat.TURTLE)
        store = rdflib_store(graph, parsed)
        assert (store is parsed) is served, name
        assert set(store) == set(store_of(graph)), name
    assert rdflib_store(graph, None) is not parsed


def test_difference_is_the_set_difference_of_the_triples(knowledge):
    edited = plain_graph(knowledge.serialize())
    removed = sorted(edited)[::50]
    for triple in removed:
        edited.remove(triple)
    extra = plain_graph(EXTRA.replace("_:blank", "ex:c"))
    edited += extra
    old, new = GraphIndex(knowledge), GraphIndex(edited)
    assert old.difference(new) == set(knowledge) - set(edited) == set(removed)
    assert new.difference(old) == set(edited) - set(knowledge) == set(extra)
    assert old.difference(old) == set()


def test_blank_nodes_are_found_as_subjects_and_as_objects(knowledge):
    assert not GraphIndex(knowledge).holds_blank_nodes()
    assert GraphIndex(plain_graph(EXTRA)).holds_blank_nodes()
    as_object = "@prefix ex: <http://example.org/> . ex:a ex:p [] ."
    assert GraphIndex(plain_graph(as_object)).holds_blank_nodes()
