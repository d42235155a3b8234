"""A node's label and texts: the English value first, whitespace collapsed, stable among equals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import Literal

from nephrokb.namespaces import RDFS_LABEL
from nephrokb.rdf.graph_index import uri

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node


def label_of(graph: Graph, node: Node) -> str:
    """Return the node's rdfs:label, or the last segment of its IRI when it has none."""
    label = text_of(graph, node, RDFS_LABEL)
    if label:
        return label
    name = str(node)
    return name.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or name


def text_of(graph: Graph, node: Node, predicate: str) -> str | None:
    """Return the preferred literal value of `predicate` on `node`, whitespace collapsed."""
    values = [v for v in graph.objects(node, uri(predicate)) if isinstance(v, Literal)]
    if not values:
        return None
    best = min(values, key=lambda value: (language_rank(value.language), str(value)))
    return " ".join(str(best).split())


def language_rank(language: str | None) -> int:
    """Prefer English, then regional English, then untagged, then any other language."""
    if language is None:
        return 2
    language = language.lower()
    if language == "en":
        return 0
    return 1 if language.startswith("en-") else 3
