"""A read-only view of rdflib graphs in dictionaries, for readers that visit every node.

The site and the text exports read each procedure, step and statement with a few lookups
per node: hundreds of thousands of lookups at a few thousand procedures. Through rdflib's
Graph each lookup runs a chain of generators (microseconds); here it is a dictionary read.
A GraphIndex answers the read methods of rdflib's Graph that those readers use (`objects`,
`subjects`, `value`, `predicate_objects`, `subject_predicates`, `in`, `len`) with the same
terms, so a reader takes either. Several graphs are read as their union. A graph held in a
PredicateStore lends its own dictionaries; any other graph is indexed once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from rdflib import BNode, URIRef

from nephrokb.rdf.predicate_store import PredicateStore

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    # predicate -> subject -> objects, or predicate -> object -> subjects
    Links = dict[Node, dict[Node, set[Node]]]


class GraphIndex:
    """The triples of one or more rdflib graphs (their union), by predicate and node."""

    def __init__(self, *graphs: Graph):
        maps = [predicate_maps(graph) for graph in graphs]
        self.forward: list[Links] = [each.forward for each in maps]
        self.backward: list[Links] = [each.backward for each in maps]
        # With one graph, lookups read its maps directly (the common case, and the hot one).
        self.only = (self.forward[0], self.backward[0]) if len(maps) == 1 else None
        self.outgoing: dict[Node, list[tuple[Node, Node]]] | None = None
        self.incoming: dict[Node, list[tuple[Node, Node]]] | None = None

    def __len__(self) -> int:
        if len(self.forward) == 1:
            links = self.forward[0].values()
            return sum(len(objects) for by_subject in links for objects in by_subject.values())
        return sum(len(pairs) for pairs in self.outgoing_links().values())

    def __contains__(self, triple: tuple[Node, Node, Node]) -> bool:
        subject, predicate, value = triple
        return any(value in links.get(predicate, {}).get(subject, ()) for links in self.forward)

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        """The objects of `subject` with `predicate`."""
        if self.only:
            return iter(self.only[0].get(predicate, NOTHING).get(subject, ()))
        return linked(self.forward, predicate, subject)

    def subjects(self, predicate: Node | None = None, value: Node | None = None) -> Iterator[Node]:
        """The subjects linked to `value` with `predicate`; with neither, every subject."""
        if predicate is None and value is None:
            return iter(self.outgoing_links())
        if self.only:
            return iter(self.only[1].get(predicate, NOTHING).get(value, ()))
        return linked(self.backward, predicate, value)

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """One object of `subject` with `predicate`, or None (any one, as rdflib's `value`)."""
        return next(self.objects(subject, predicate), None)

    def predicate_objects(self, subject: Node) -> Iterator[tuple[Node, Node]]:
        """The (predicate, object) pairs of `subject`."""
        return iter(self.outgoing_links().get(subject, ()))

    def subject_predicates(self, value: Node) -> Iterator[tuple[Node, Node]]:
        """The (subject, predicate) pairs linking to `value`."""
        if self.incoming is None:
            self.incoming = {
                found: [(subject, predicate) for predicate, subject in pairs]
                for found, pairs in by_node(self.backward).items()
            }
        return iter(self.incoming.get(value, ()))

    def holds_blank_nodes(self) -> bool:
        """True when a subject or object is a blank node."""
        return any(
            isinstance(node, BNode)
            for maps in (self.forward, self.backward)
            for links in maps
            for by_node in links.values()
            for node in by_node
        )

    def difference(self, other: GraphIndex) -> set[tuple[Node, Node, Node]]:
        """Return the triples here that `other` lacks, comparing each subject's objects per
        predicate as sets rather than hashing every triple."""
        missing: set[tuple[Node, Node, Node]] = set()
        for links in self.forward:
            for predicate, by_subject in links.items():
                theirs_by_subject = other.only[0].get(predicate, NOTHING) if other.only else None
                for subject, objects in by_subject.items():
                    if theirs_by_subject is None:
                        theirs = set(other.objects(subject, predicate))
                    else:
                        theirs = theirs_by_subject.get(subject, NO_NODES)
                    if objects != theirs:
                        missing.update((subject, predicate, value) for value in objects - theirs)
        return missing

    def outgoing_links(self) -> dict[Node, list[tuple[Node, Node]]]:
        """subject -> its (predicate, object) pairs, built on first use."""
        if self.outgoing is None:
            self.outgoing = by_node(self.forward)
        return self.outgoing


NOTHING: dict = {}  # what a predicate missing from a map links; never written to
NO_NODES: frozenset = frozenset()


def linked(maps: list[Links], predicate: Node, node: Node) -> Iterator[Node]:
    """The nodes `node` links to with `predicate` in any of `maps`, each once."""
    return iter(set().union(*(links.get(predicate, {}).get(node, ()) for links in maps)))


def by_node(maps: list[Links]) -> dict[Node, list[tuple[Node, Node]]]:
    """Regroup predicate -> node -> nodes maps as node -> (predicate, node) pairs, each once."""
    grouped: dict = {}
    for links in maps:
        for predicate, by_key in links.items():
            for key, found in by_key.items():
                pairs = grouped.get(key)
                if pairs is None:
                    pairs = grouped[key] = []
                pairs += zip([predicate] * len(found), found, strict=True)
    if len(maps) > 1:
        grouped = {key: list(dict.fromkeys(pairs)) for key, pairs in grouped.items()}
    return grouped


class PredicateMaps(NamedTuple):
    """A graph's triples as predicate -> subject -> objects and predicate -> object -> subjects."""

    forward: Links
    backward: Links


def predicate_maps(graph: Graph) -> PredicateMaps:
    """A graph's triples as predicate -> subject -> objects and predicate -> object -> subjects."""
    if isinstance(graph, GraphIndex) and len(graph.forward) == 1:
        return PredicateMaps(graph.forward[0], graph.backward[0])
    if isinstance(graph.store, PredicateStore):
        return PredicateMaps(graph.store.forward, graph.store.backward)
    forward: dict = {}
    backward: dict = {}
    for subject, predicate, value in graph:
        forward.setdefault(predicate, {}).setdefault(subject, set()).add(value)
        backward.setdefault(predicate, {}).setdefault(value, set()).add(subject)
    return PredicateMaps(forward, backward)


@functools.lru_cache(maxsize=4096)
def uri(iri: str) -> URIRef:
    """Return the URIRef of `iri`, built once while in use (rdflib checks each IRI it builds)."""
    return URIRef(iri)
