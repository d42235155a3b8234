"""Copies between rdflib graphs and pyoxigraph Stores (`load(into="store")` loads a Store).

pyoxigraph evaluates SPARQL and serializes in Rust, tens to hundreds of times faster than
rdflib on large knowledge bases. A caller holding an rdflib graph has it copied in, and
what still needs rdflib copies the store back out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from nephrokb.rdf.loading import TYPED_LITERALS
from nephrokb.rdf.terms import RdflibTerms, rdflib_graph, to_oxigraph, to_quad

if TYPE_CHECKING:
    from pyoxigraph import Store
    from rdflib import Graph


def store_of(graph: Graph) -> Store:
    """Copy an rdflib graph into the default graph of a new pyoxigraph Store."""
    store = ox.Store()
    store.extend(to_quad(triple) for triple in graph)
    return store


HOLDS_BLANK_NODES = "ASK { ?s ?p ?o FILTER (isBlank(?s) || isBlank(?o)) }"


def rdflib_store(graph: Graph, parsed: Store | None = None) -> Store:
    """Return a store of `graph`'s triples as rdflib holds them: `parsed` when it holds the
    same triples (the store of the same files), else a copy of `graph`.

    rdflib rewrites some typed literals ("01"^^xsd:integer becomes "1"), and each parse names
    blank nodes afresh, so the files' store serves only when it holds no blank node and none
    of its literals changes on the way into rdflib.
    """

    if parsed is None or len(parsed) != len(graph) or bool(parsed.query(HOLDS_BLANK_NODES)):
        return store_of(graph)
    convert = RdflibTerms()
    for (literal,) in parsed.query(TYPED_LITERALS):
        if to_oxigraph(convert(literal)) != literal:
            return store_of(graph)
    return parsed


def graph_of(store: Store) -> Graph:
    """Copy the default graph of a pyoxigraph Store into a new rdflib graph."""
    return rdflib_graph(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
