"""nephrokb.rdf.loading: one entry point, `load`, into a graph, a store or a dataset.

tests/test_parsing.py checks the parser against rdflib and tests/test_bad_input.py the
refusals of every command; these tests pin what `load` and the loaders beneath it return.
"""

from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import URIRef
from rdflib.compare import isomorphic

from conftest import FIXTURES
from nephrokb.errors import InputError
from nephrokb.rdf.loading import Dataset, load, load_dataset, load_graph, load_store
from nephrokb.rdf.terms import rdflib_graph
from nephrokb.resources import bundled_files

MINIMAL = FIXTURES / "clean" / "minimal.ttl"
FIRST = """@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:a a ex:Thing ; ex:p ex:b .
"""
SECOND = """@prefix ex2: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex2:a ex2:p ex2:b .
ex2:b rdfs:label "B" .
"""


def ex(name: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(f"http://example.org/{name}")


@pytest.fixture
def two_files(tmp_path):
    (tmp_path / "first.ttl").write_text(FIRST, encoding="utf-8")
    (tmp_path / "second.ttl").write_text(SECOND, encoding="utf-8")
    return tmp_path


def test_graph_store_and_dataset_hold_the_same_triples():
    graph = load([MINIMAL])
    store = load([MINIMAL], into="store")
    dataset = load([MINIMAL], into="dataset")
    assert isinstance(dataset, Dataset)
    assert isomorphic(graph, rdflib_graph(set(store)))
    assert isomorphic(graph, dataset.graph)
    assert set(dataset.store) == set(store)


def test_without_data_the_bundled_knowledge_is_loaded(bundled_graph):
    assert isomorphic(load(), bundled_graph)


def test_include_adds_the_bundled_ontology():
    ontology = load_graph(bundled_files("ontology"))
    graph = load([MINIMAL], include=["ontology"])
    assert len(graph) == len(load_graph([MINIMAL]) + ontology)
    assert (URIRef("https://w3id.org/nephrokb/vocab#Step"), None, None) in graph


def test_an_unknown_target_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match=r"^cannot load into 'table'; choose from: graph, store"):
        load([MINIMAL], into="table")


def test_a_dataset_knows_which_file_holds_and_describes_each_node(two_files):
    dataset = load_dataset([two_files], with_store=True)
    assert [source.path.name for source in dataset.sources] == ["first.ttl", "second.ttl"]
    assert dataset.subjects == [frozenset({ex("a")}), frozenset({ex("a"), ex("b")})]
    assert dataset.described == [frozenset({ex("a")}), frozenset({ex("b")})]
    assert dataset.prefixes == [
        {"ex": "http://example.org/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
        {"ex2": "http://example.org/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
    ]
    assert dataset.triples_read == 4  # ex:a ex:p ex:b is stated by both files
    assert len(dataset.graph) == 3
    assert len(dataset.store) == 3


def test_a_folder_is_read_in_file_name_order_and_other_files_are_skipped(two_files):
    (two_files / "notes.txt").write_text("not RDF", encoding="utf-8")
    assert [s.path.name for s in load_dataset([two_files]).sources] == [
        "first.ttl",
        "second.ttl",
    ]


@pytest.mark.parametrize("into", ["graph", "store"])
def test_an_ill_typed_literal_names_its_file_and_line(tmp_path, into):
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        FIRST + 'ex:a ex:count "three"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as refused:
        load([MINIMAL, broken], into=into)
    assert str(refused.value) == (
        f'{broken}:4: literal "three" is not a valid http://www.w3.org/2001/XMLSchema#integer'
    )


def test_load_store_puts_every_triple_in_the_default_graph(two_files):
    store = load_store([two_files])
    assert {quad.graph_name for quad in store} == {pyoxigraph.DefaultGraph()}
    assert len(store) == 3
