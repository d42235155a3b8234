"""Publish knowledge to a SPARQL server with the Graph Store HTTP Protocol, in one PUT.

A PUT replaces the whole named graph in one request, which Oxigraph, Fuseki and GraphDB
each apply in one transaction: a reader sees the old graph or the new one, never half of
either, and publishing twice leaves one copy. The body is N-Triples, sorted: every Graph
Store server reads it, it needs no prefixes or base, and the same knowledge gives the same
bytes. A PUT is idempotent, so `send` retries it when the server is briefly unavailable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nephrokb.namespaces import KNOWLEDGE_GRAPH
from nephrokb.query.endpoint import (
    DEFAULT_GRAPH,
    DEFAULT_TIMEOUT,
    Response,
    Retry,
    check_graph,
    check_url,
    send,
    url_with,
)
from nephrokb.rdf.serialization import export_ntriples

if TYPE_CHECKING:
    from rdflib import Graph

CONTENT_TYPE = "application/n-triples"
GRAPH_STORE_SERVICE = "Graph Store Protocol endpoint, such as http://localhost:7878/store"


@dataclass(frozen=True)
class Publication:
    """One Graph Store request that replaces a graph, ready to send or to show."""

    method: str
    url: str
    graph: str
    content_type: str
    triples: int
    body: bytes = field(repr=False)


def prepare_publication(
    endpoint: str, knowledge: Graph, graph: str = KNOWLEDGE_GRAPH
) -> Publication:
    """Return the PUT that replaces `graph` on the Graph Store at `endpoint` with `knowledge`.

    `graph` is a named graph IRI (`?graph=IRI`), or DEFAULT_GRAPH for the server's default
    graph (`?default`).
    """
    check_url(endpoint)
    check_graph(graph)
    if graph == DEFAULT_GRAPH:
        url = endpoint + ("&" if "?" in endpoint else "?") + "default"
    else:
        url = url_with(endpoint, [("graph", graph)])
    body = export_ntriples(knowledge)
    return Publication("PUT", url, graph, CONTENT_TYPE, len(knowledge), body)


def publish(
    publication: Publication, *, timeout: float = DEFAULT_TIMEOUT, retry: Retry | None = None
) -> Response:
    """Send `publication`, returning the server's answer or raising EndpointError."""
    return send(
        publication.method,
        publication.url,
        body=publication.body,
        headers={"Content-Type": f"{publication.content_type}; charset=utf-8"},
        timeout=timeout,
        retry=retry,
        service=GRAPH_STORE_SERVICE,
    )
