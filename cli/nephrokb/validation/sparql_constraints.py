"""Evaluate SHACL-SPARQL constraints as the SHACL spec says, fast where that is provable.

pyshacl runs a SPARQL constraint once for every focus node, pre-binding $this; with rdflib
that costs ~20 ms a node. Here a constraint runs as a Python port written for its exact
query (nephrokb.validation.native_checks), or, when `evaluable_over_whole_graph` proves it gives the
same solutions, once over the whole data graph with ?this free, its solutions kept for the
shape's focus nodes; any other query runs once per focus node with $this pre-bound (on
pyoxigraph by SEP-0007 substitution). $PATH, $currentShape, sh:prefixes and sh:message
templates are honoured; what is not (a $shapesGraph, ?failure) is left to pyshacl.
`tests/test_fast_validation.py` and `tests/test_user_shapes.py` compare with pyshacl.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph
from pyparsing import ParseException
from rdflib import BNode, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

from nephrokb.errors import ShapesError
from nephrokb.namespaces import RDF_TYPE, RDFS_COMMENT, RDFS_LABEL, SH
from nephrokb.rdf.terms import RdflibTerms, to_oxigraph
from nephrokb.validation.core_constraints import Unsupported, deactivated, only_value
from nephrokb.validation.core_evaluation import NativeResult
from nephrokb.validation.native_checks import NATIVE_CHECKS
from nephrokb.validation.sparql_text import evaluable_over_whole_graph

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

Solutions = Iterator[dict[str, "Node"]]
SPARQL_CONSTRAINT_COMPONENT = SH + "SPARQLConstraintComponent"
MESSAGE_VARIABLE = re.compile(r"\{[?$](\w+)\}")
THIS_VARIABLE = re.compile(r"\$this\b")
PATH_VARIABLE = re.compile(r"\$PATH\b")
UNSUPPORTED_VARIABLE = re.compile(r"[?$](shapesGraph|failure)\b")
PREBOUND = ("currentShape",)  # pre-bound besides $this ($shapesGraph is Unsupported)
CONSTRAINT_PREDICATES = {
    RDF_TYPE,
    RDFS_COMMENT,
    RDFS_LABEL,
    *(SH + name for name in ("select", "message", "prefixes", "deactivated")),
}
# String literals (kept as written) or runs of whitespace (each made one space).
STRING_OR_SPACE = re.compile(
    r'(""".*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')|\s+', re.DOTALL
)


@dataclass(frozen=True)
class SparqlConstraint:
    """One active sh:sparql constraint of a node or property shape, ready to run."""

    shape: Node  # the shape holding it: the results' source shape
    constraint: Node
    query: str  # the SELECT with its prefixes, $this as ?this and $PATH replaced
    message: str | None
    severity: str
    digest: str  # see query_digest: which Python port (if any) stands for this query
    path: Node | None = None  # a property shape's sh:path, the results' default path
    whole_graph: bool = False  # see evaluable_over_whole_graph
    prebound: frozenset[str] = frozenset()  # pre-bound variables the query mentions


def query_digest(select: str, prefixes: dict[str, str]) -> str:
    """Return the sha256 of a constraint's normalised query text and declared prefixes.

    Normalised: every run of whitespace outside string literals is one space, leading and
    trailing space dropped; the prefixes are written one `PREFIX p: <namespace>` line each,
    sorted. So re-indenting a query keeps its digest and any other edit changes it.
    """

    def normal(match: re.Match) -> str:
        return match.group(1) or " "

    lines = sorted(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in prefixes.items())
    text = "\n".join([*lines, STRING_OR_SPACE.sub(normal, select).strip()])
    return hashlib.sha256(text.encode()).hexdigest()


def read_constraints(
    shapes_graph: Graph, shape: Node, *, path: Node | None = None, path_text: str | None = None
) -> Iterator[SparqlConstraint]:
    """Yield the active SPARQL constraints of one shape, or raise Unsupported.

    For a property shape, `path` is its sh:path and `path_text` the same path in SPARQL
    syntax, which replaces $PATH. What is not evaluated here exactly as the SHACL spec says
    (a $shapesGraph, ?failure, malformed constraints) is Unsupported: pyshacl checks it.
    """
    severity = only_value(shapes_graph, shape, "severity") or URIRef(SH + "Violation")
    if not str(severity).startswith(SH):
        raise Unsupported(shape, "severity")
    for constraint in shapes_graph.objects(shape, URIRef(SH + "sparql")):
        for predicate in shapes_graph.predicates(constraint, None):
            if str(predicate) not in CONSTRAINT_PREDICATES:
                raise Unsupported(constraint, predicate)
        if deactivated(shapes_graph, constraint):
            continue
        select = only_value(shapes_graph, constraint, "select")
        message = only_value(shapes_graph, constraint, "message") or only_value(
            shapes_graph, shape, "message"
        )
        if not isinstance(select, Literal) or (message and not isinstance(message, Literal)):
            raise Unsupported(constraint)
        prefixes = declared_prefixes(shapes_graph, constraint)
        text = str(select)
        if UNSUPPORTED_VARIABLE.search(text) or (path_text is None and PATH_VARIABLE.search(text)):
            raise Unsupported(constraint, "variables")
        if path_text is not None:
            text = PATH_VARIABLE.sub(lambda _: path_text, text)
        declarations = "".join(f"PREFIX {p}: <{namespace}>\n" for p, namespace in prefixes.items())
        query = declarations + THIS_VARIABLE.sub("?this", text)
        yield SparqlConstraint(
            shape=shape,
            constraint=constraint,
            query=query,
            message=None if message is None else str(message),
            severity=str(severity).removeprefix(SH),
            digest=query_digest(str(select), prefixes),
            path=path,
            whole_graph=evaluable_over_whole_graph(query),
            prebound=frozenset(name for name in PREBOUND if re.search(rf"[?$]{name}\b", text)),
        )


def sparql_path(predicates: tuple[Node, ...], *, inverse: bool) -> str:
    """Write a predicate, inverse or alternative path in SPARQL syntax (for $PATH)."""
    written = "|".join(f"<{predicate}>" for predicate in predicates)
    if inverse:
        return f"^{written}"
    return written if len(predicates) == 1 else f"({written})"


def declared_prefixes(shapes_graph: Graph, constraint: Node) -> dict[str, str]:
    """Return prefix -> namespace from the sh:declare of the constraint's sh:prefixes."""
    prefixes: dict[str, str] = {}
    for declarer in shapes_graph.objects(constraint, URIRef(SH + "prefixes")):
        for declaration in shapes_graph.objects(declarer, URIRef(SH + "declare")):
            prefix = only_value(shapes_graph, declaration, "prefix")
            namespace = only_value(shapes_graph, declaration, "namespace")
            if prefix is None or namespace is None:
                raise Unsupported(declaration)
            if prefixes.get(str(prefix), str(namespace)) != str(namespace):
                raise Unsupported(declaration, "prefix declared twice")
            prefixes[str(prefix)] = str(namespace)
    return prefixes


def evaluate(
    data_graph: Graph, constraints: Iterable[tuple[SparqlConstraint, set[Node]]], store=None
) -> Iterator[NativeResult]:
    """Yield the results of each constraint for its focus nodes.

    A node shape's constraint with a Python port for its exact query runs as that port;
    one that `evaluable_over_whole_graph` runs once, its solutions kept for the focus nodes;
    any other runs once per focus node with $this pre-bound. With `store` (a pyoxigraph
    Store holding the same triples) the queries run there, else on rdflib.
    """
    for item, focus in constraints:
        if not focus:
            continue
        port = NATIVE_CHECKS.get(item.digest) if item.path is None else None
        if port is not None or item.whole_graph:
            everything = port(data_graph) if port else run(data_graph, store, item, None)
            solutions = (bindings for bindings in everything if bindings.get("this") in focus)
        else:
            solutions = (
                bindings for node in focus for bindings in run(data_graph, store, item, node)
            )
        for bindings in solutions:
            yield constraint_result(item, bindings)


def run(data_graph: Graph, store, item: SparqlConstraint, this: Node | None) -> Solutions:
    """Yield the solutions of a constraint's query, with $this pre-bound to `this` if given."""
    bindings = {"currentShape": item.shape} if "currentShape" in item.prebound else {}
    if this is not None:
        bindings["this"] = this
    try:
        if store is not None:
            solutions = store_solutions(store, item.query, bindings)
        else:
            rows = data_graph.query(prepared(item.query), initBindings=bindings)
            solutions = (row.asdict() for row in rows)
        for solution in solutions:
            yield {**bindings, **solution}
    except (SyntaxError, ParseException) as error:
        raise ShapesError(f"the SPARQL constraint of {item.shape} cannot be run: {error}") from None


def constraint_result(item: SparqlConstraint, bindings: dict[str, Node]) -> NativeResult:
    """Turn one solution into a result as the SHACL spec says (and pyshacl does)."""
    focus = bindings["this"]
    path = bindings.get("path")
    if path is None and not isinstance(item.path, BNode):
        path = item.path
    value = bindings.get("value")
    return NativeResult(
        focus=focus,
        shape=item.shape,
        severity=item.severity,
        message=substitute(item.message, bindings) if item.message else "violates a shape",
        path=path,
        value=focus if value is None and item.path is None else value,
        component=SPARQL_CONSTRAINT_COMPONENT,
    )


def store_solutions(store, query: str, bindings: dict[str, Node]) -> Solutions:
    """Yield the solutions of a SELECT on a pyoxigraph store as rdflib bindings.

    `bindings` are substituted for their variables before evaluation (SEP-0007, the same
    as SHACL's pre-binding).
    """
    convert = RdflibTerms()
    substitutions = {pyoxigraph.Variable(name): to_oxigraph(t) for name, t in bindings.items()}
    solutions = store.query(query, substitutions=substitutions, use_default_graph_as_union=True)
    names = [variable.value for variable in solutions.variables]
    for solution in solutions:
        yield {
            name: convert(value)
            for name, value in zip(names, solution, strict=True)
            if value is not None
        }


@functools.lru_cache(maxsize=256)
def prepared(query: str):
    """Parse and translate a query once; rdflib otherwise re-parses it on every run."""
    return prepareQuery(query)


def substitute(message: str, bindings: dict) -> str:
    """Fill `{?var}` and `{$this}` in a message the way pyshacl does."""

    def replace(match: re.Match) -> str:
        value = bindings.get(match.group(1))
        return match.group(0) if value is None else str(value)

    return MESSAGE_VARIABLE.sub(replace, message)
