"""The triples that differ between two graphs, blank nodes matched by their structure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import BNode
from rdflib.compare import to_canonical_graph

from nephrokb.rdf.graph_index import GraphIndex

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class TripleDifferences:
    """The triples only in the old graph and only in the new one, blank nodes made comparable.

    `old` and `new` are the graphs the triples come from (with canonical blank node labels
    when either graph has blank nodes), so a blank node can be traced to the IRIs above it.
    """

    removed: frozenset[Triple]
    added: frozenset[Triple]
    old: Graph
    new: Graph


def triple_differences(old: Graph, new: Graph) -> TripleDifferences:
    """Return the triples that differ between two graphs, ignoring blank-node names."""
    old_index, new_index = GraphIndex(old), GraphIndex(new)
    if old_index.holds_blank_nodes() or new_index.holds_blank_nodes():
        old, new = to_canonical_graph(old), to_canonical_graph(new)
        old_index, new_index = GraphIndex(old), GraphIndex(new)
    return TripleDifferences(
        removed=frozenset(old_index.difference(new_index)),
        added=frozenset(new_index.difference(old_index)),
        old=old,
        new=new,
    )


def named_ancestors(graph: Graph, node: Node) -> set[Node]:
    """Return the IRIs that lead to `node` through blank nodes only ({node} for an IRI)."""
    if not isinstance(node, BNode):
        return {node}
    found: set[Node] = set()
    seen, waiting = {node}, [node]
    while waiting:
        for subject in graph.subjects(None, waiting.pop()):
            if not isinstance(subject, BNode):
                found.add(subject)
            elif subject not in seen:
                seen.add(subject)
                waiting.append(subject)
    return found
