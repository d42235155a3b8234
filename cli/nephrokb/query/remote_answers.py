"""Read a SPARQL endpoint's answer into the QueryOutcome that a local query gives."""

from __future__ import annotations

import io

from rdflib import Graph
from rdflib.query import Result

from nephrokb.errors import EndpointError
from nephrokb.query.endpoint import LONGEST_DETAIL, Response
from nephrokb.query.queries import QueryOutcome

QUERY_SERVICE = "SPARQL query endpoint, such as http://localhost:7878/query"
# Media type the server answers with -> rdflib parser name, per kind of query.
RESULT_PARSERS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "application/json": "json",  # what some servers call their JSON results
}
GRAPH_PARSERS = {
    "application/n-triples": "nt",
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
}
# Virtuoso 7.2 (Debian's 7.2.5.1, tests/test_virtuoso.py) answers ASK with SELECT results of
# this one variable, whatever the Accept header: one row for true, none for false.
VIRTUOSO_ASK_VARIABLE = "__ASK_RETVAL"


def read_outcome(kind: str, response: Response, url: str) -> QueryOutcome:
    """Parse the endpoint's answer into a QueryOutcome of `kind`, refusing what is not SPARQL."""
    parsers = GRAPH_PARSERS if kind == "graph" else RESULT_PARSERS
    parser = parsers.get(response.media_type)
    if parser is None:
        got = f"is {response.media_type}" if response.media_type else "has no content type"
        raise EndpointError(
            f"the answer {got}, not SPARQL results (is this URL a {QUERY_SERVICE}?)", path=url
        )
    try:
        if kind == "graph":
            return QueryOutcome("graph", graph=parse_graph(response, parser))
        result = parse_results(response, parser)
    except Exception as error:  # rdflib's parsers raise many types; all mean a bad answer
        summary = " ".join(str(error).split())[:LONGEST_DETAIL] or type(error).__name__
        raise EndpointError(
            f"cannot read the {response.media_type} answer: {summary}", path=url
        ) from None
    if kind == "ask" and [str(name) for name in result.vars or ()] == [VIRTUOSO_ASK_VARIABLE]:
        return QueryOutcome("ask", boolean=bool(result.bindings))
    if result.type != kind.upper():
        raise EndpointError(f"asked for {kind.upper()} results, got {result.type}", path=url)
    if kind == "ask":
        return QueryOutcome("ask", boolean=bool(result.askAnswer))
    names = result.vars or []
    variables = tuple(str(variable) for variable in names)
    rows = tuple(tuple(row.get(variable) for variable in names) for row in result.bindings)
    return QueryOutcome("select", variables=variables, rows=rows)


def parse_results(response: Response, parser: str):
    """Parse a SPARQL results document with rdflib."""
    return Result.parse(io.BytesIO(response.body), format=parser)


def parse_graph(response: Response, parser: str) -> Graph:
    """Parse an RDF answer with rdflib."""
    return Graph().parse(data=response.text(), format=parser)
