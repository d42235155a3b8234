"""Run a prepared query on a remote SPARQL endpoint, as the SPARQL 1.1 Protocol says.

`query_endpoint` sends a prepared query and returns the same QueryOutcome that a local
query gives, so every `--format` writes remote answers exactly as it writes local ones.
Queries are sent as a GET when the URL stays within LONGEST_GET_URL characters and as a
form POST otherwise. Each query names the knowledge's graph on the server (KNOWLEDGE_GRAPH,
where `nephrokb publish` puts it) with the protocol's `default-graph-uri`; DEFAULT_GRAPH
instead queries the server's own default graph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from rdflib import BNode, Graph

from nephrokb.errors import QueryError
from nephrokb.namespaces import KNOWLEDGE_GRAPH, PREFIXES
from nephrokb.query.endpoint import (
    DEFAULT_GRAPH,
    DEFAULT_TIMEOUT,
    Retry,
    check_graph,
    form_encode,
    send,
    url_with,
)
from nephrokb.query.queries import QueryOutcome, require_variable, resolve_term
from nephrokb.query.remote_answers import QUERY_SERVICE, read_outcome

if TYPE_CHECKING:
    from rdflib.term import Identifier

    from nephrokb.query.queries import PreparedQuery

LONGEST_GET_URL = 2000
ACCEPT = {
    "select": "application/sparql-results+json, application/sparql-results+xml;q=0.9",
    "ask": "application/sparql-results+json, application/sparql-results+xml;q=0.9",
    "graph": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8",
}
DECLARED_PREFIX = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
LABELS_QUERY = "CONSTRUCT { ?node rdfs:label ?label } WHERE { ?node rdfs:label ?label }"


def query_endpoint(
    url: str,
    prepared: PreparedQuery,
    params: Mapping[str, str] | None = None,
    *,
    graph: str = KNOWLEDGE_GRAPH,
    timeout: float = DEFAULT_TIMEOUT,
    retry: Retry | None = None,
) -> QueryOutcome:
    """Run a prepared query on the endpoint at `url` and return its outcome.

    Parameters are bound as local queries bind them (IRI, CURIE, or a label looked up on
    the endpoint), by a VALUES clause after the query. That equals local binding for a
    variable of the query's top-level pattern, as in every bundled query.
    """
    check_graph(graph)
    text = with_prefixes(prepared.text)
    if params:
        bindings = bind_parameters(
            prepared,
            params,
            lambda: endpoint_labels(url, graph=graph, timeout=timeout, retry=retry),
        )
        text += values_clause(bindings)
    return send_query(url, text, prepared.kind, graph=graph, timeout=timeout, retry=retry)


def send_query(
    url: str,
    text: str,
    kind: str,
    *,
    graph: str = KNOWLEDGE_GRAPH,
    timeout: float = DEFAULT_TIMEOUT,
    retry: Retry | None = None,
) -> QueryOutcome:
    """Send SPARQL `text` of `kind` (select, ask, graph) as the protocol says; parse the answer."""
    params = [("query", text)]
    if graph != DEFAULT_GRAPH:
        params.append(("default-graph-uri", graph))
    headers = {"Accept": ACCEPT[kind]}
    options = {"timeout": timeout, "retry": retry, "headers": headers, "service": QUERY_SERVICE}
    if len(url_with(url, params)) <= LONGEST_GET_URL:
        response = send("GET", url, params=params, **options)
    else:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = form_encode(params).encode("ascii")
        response = send("POST", url, body=body, **options)
    return read_outcome(kind, response, url)


def with_prefixes(text: str) -> str:
    """Declare the nephrokb prefixes the query uses but does not declare, on its first line.

    Keeping them on the first line keeps the line numbers of the query text.
    """
    declared = set(DECLARED_PREFIX.findall(text))
    used = [
        prefix
        for prefix in PREFIXES
        if prefix not in declared and re.search(rf"(?<![\w.-]){re.escape(prefix)}:", text)
    ]
    if not used:
        return text
    return " ".join(f"PREFIX {prefix}: <{PREFIXES[prefix]}>" for prefix in used) + " " + text


def bind_parameters(
    prepared: PreparedQuery, params: Mapping[str, str], labels: Callable[[], Graph]
) -> dict[str, Identifier]:
    """Resolve each parameter to a term, calling `labels()` for a graph only if one is a label."""
    bindings: dict[str, Identifier] = {}
    labels_graph: Graph | None = None
    for name, value in params.items():
        require_variable(prepared, name)
        try:
            # With no labels to match, this resolves IRIs and CURIEs and refuses only labels.
            term = resolve_term(Graph(), value)
        except QueryError:
            labels_graph = labels_graph if labels_graph is not None else labels()
            try:
                term = resolve_term(labels_graph, value)
            except QueryError as error:
                raise QueryError(f"parameter {name}: {error.message}") from None
        if isinstance(term, BNode):
            raise QueryError(f"parameter {name}: a blank node cannot be sent to an endpoint")
        bindings[name] = term
    return bindings


def values_clause(bindings: Mapping[str, Identifier]) -> str:
    """Return a VALUES clause binding each variable to its term, on lines of its own."""
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(term.n3() for term in bindings.values())
    return f"\nVALUES ({names}) {{ ({terms}) }}\n"


def endpoint_labels(url: str, *, graph: str, timeout: float, retry: Retry | None) -> Graph:
    """Return every rdfs:label triple on the endpoint, to match label parameters against."""
    text = with_prefixes(LABELS_QUERY)
    return send_query(url, text, "graph", graph=graph, timeout=timeout, retry=retry).graph
