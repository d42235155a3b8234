"""Convert RDF terms between pyoxigraph (fast parsing and SPARQL) and rdflib (everything else)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from nephrokb.namespaces import XSD_STRING

if TYPE_CHECKING:
    from rdflib.term import Node


class RdflibTerms:
    """Turn pyoxigraph terms into rdflib terms, building each distinct term once.

    Literals rdflib finds ill-typed ("abc"^^xsd:integer) are collected in `ill_typed`.
    """

    def __init__(self) -> None:

        self.cache: dict = {}
        self.ill_typed: list = []
        self.types = (URIRef, BNode, Literal)

    def __call__(self, term) -> Node:
        converted = self.cache.get(term)
        if converted is None:
            converted = self.cache[term] = self.convert(term)
        return converted

    def convert(self, term) -> Node:
        uri_ref, blank_node, literal = self.types
        if isinstance(term, ox.NamedNode):
            return uri_ref(term.value)
        if isinstance(term, ox.BlankNode):
            return blank_node(term.value)
        if term.language:
            return literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return literal(term.value)
        converted = literal(term.value, datatype=uri_ref(datatype))
        if getattr(converted, "ill_typed", False):
            self.ill_typed.append(converted)
        return converted


def to_oxigraph(term: Node):
    """Return the pyoxigraph term for an rdflib term (ValueError for an IRI oxigraph refuses)."""
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is None:
            return ox.Literal(str(term))
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    return ox.NamedNode(str(term))


def to_quad(triple: tuple, graph_name=None) -> ox.Quad:
    """Return the pyoxigraph quad of an rdflib triple (ValueError for an IRI oxigraph refuses)."""
    return ox.Quad(*(to_oxigraph(term) for term in triple), graph_name)


def rdflib_graph(quads: Iterable) -> Graph:
    """Return an rdflib graph of pyoxigraph quads (their graph names ignored)."""
    convert = RdflibTerms()
    graph = Graph()
    graph.addN(
        (convert(quad.subject), convert(quad.predicate), convert(quad.object), graph)
        for quad in quads
    )
    return graph
