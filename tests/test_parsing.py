"""Files parsed by pyoxigraph: the same graphs rdflib gives, and the same refusals."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import CLEAN
from nephrokb.errors import InputError
from nephrokb.rdf.loading import load_graph, load_store
from nephrokb.rdf.stores import graph_of
from nephrokb.resources import bundled_files

PREFIX = "@prefix e: <http://example.org/> .\n"


def rdflib_graph(paths) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.mark.parametrize(
    "paths", [bundled_files("kb"), *([path] for path in CLEAN)], ids=lambda p: p[0].stem
)
def test_both_loaders_give_rdflibs_graph(paths):
    expected = rdflib_graph(paths)
    assert isomorphic(load_graph(paths), expected)
    assert isomorphic(graph_of(load_store(paths)), expected)


def test_a_blank_node_label_names_a_different_node_in_each_file(tmp_path):
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    first.write_text(PREFIX + "_:x e:p e:a .\n", encoding="utf-8")
    second.write_text(PREFIX + "_:x e:p e:b .\n", encoding="utf-8")
    assert len(set(load_graph([first, second]).subjects())) == 2
    assert len({quad.subject for quad in load_store([first, second])}) == 2


@pytest.mark.parametrize("load", [load_graph, load_store], ids=["graph", "store"])
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "holds no RDF triples"),
        (PREFIX, "holds no RDF triples"),
        (PREFIX + "e:a e:p " + "[ e:p " * 300 + "]" * 300 + " .\n", "is nested too deeply"),
        (PREFIX + "<http://example.org/a%zz> e:p e:b .\n", "invalid IRI <http://example.org/a%zz>"),
        (PREFIX + 'e:a e:p "x"^^<http://www.w3.org/2001/XMLSchema#integer> .\n', 'literal "x"'),
        (PREFIX + "e:a e:p e:b\n", "Turtle syntax error"),
        (PREFIX + '"x" e:p e:b .\n', 'a literal ("x") cannot be a subject'),
        (PREFIX + "e:a _:b e:b .\n", "cannot be a predicate"),
    ],
    ids=[
        "empty",
        "prefixes-only",
        "deep",
        "bad-iri",
        "ill-typed",
        "syntax",
        "literal-subject",
        "blank-predicate",
    ],
)
def test_both_loaders_refuse_alike(tmp_path, load, text, message):
    good, bad = tmp_path / "a-good.ttl", tmp_path / "b-bad.ttl"
    good.write_text(PREFIX + "e:a e:p e:b .\n", encoding="utf-8")
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load([good, bad])
    assert raised.value.path == str(bad)
    assert message in raised.value.message


def test_a_flat_list_is_not_nesting(tmp_path):
    path = tmp_path / "list.ttl"
    path.write_text(PREFIX + "e:a e:p (" + " e:b" * 1000 + " ) .\n", encoding="utf-8")
    assert len(load_graph([path])) == 2001
