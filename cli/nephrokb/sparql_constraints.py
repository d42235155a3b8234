"""Evaluate SHACL-SPARQL constraints in one query per constraint instead of one per focus node.

pyshacl runs a SPARQL constraint once for every focus node, pre-binding $this; with rdflib
that costs ~20 ms a node. Here each constraint's SELECT runs once over the whole data graph,
with $this turned into a variable, and the solutions are kept for the shape's focus nodes.
That gives the same results for constraints (like ours) whose solutions for a node do not
depend on $this being pre-bound; `tests/test_fast_validation.py` checks it against pyshacl.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nephrokb.core_constraints import NativeResult

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

SH = "http://www.w3.org/ns/shacl#"
SPARQL_CONSTRAINT_COMPONENT = SH + "SPARQLConstraintComponent"
MESSAGE_VARIABLE = re.compile(r"\{[?$](\w+)\}")
# String literals (kept as written) or runs of whitespace (each made one space).
STRING_OR_SPACE = re.compile(
    r'(""".*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')|\s+', re.DOTALL
)


@dataclass(frozen=True)
class SparqlConstraint:
    """One sh:sparql constraint of a node shape, with what it needs to run."""

    shape: Node
    constraint: Node
    query: str  # the constraint's SELECT with prefixes, $this written as the variable ?this
    message: str | None
    severity: str
    digest: str  # see query_digest: which Python port (if any) stands for this query


def query_digest(select: str, prefixes: dict[str, str]) -> str:
    """Return the sha256 of a constraint's normalised query text and declared prefixes.

    Normalised: every run of whitespace outside string literals is one space, leading and
    trailing space dropped; the prefixes are written one `PREFIX p: <namespace>` line each,
    sorted. So re-indenting a query keeps its digest and any other edit changes it.
    """
    import hashlib

    def normal(match: re.Match) -> str:
        return match.group(1) or " "

    lines = sorted(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in prefixes.items())
    text = "\n".join([*lines, STRING_OR_SPACE.sub(normal, select).strip()])
    return hashlib.sha256(text.encode()).hexdigest()


def split_shapes(shapes_graph: Graph) -> tuple[Graph, list[SparqlConstraint]]:
    """Return the shapes graph without its SPARQL constraints, and those constraints."""
    from rdflib import Graph, URIRef

    constraints = list(read_constraints(shapes_graph))
    core = Graph()
    core += shapes_graph
    for item in constraints:
        core.remove((item.shape, URIRef(SH + "sparql"), item.constraint))
    return core, constraints


def read_constraints(shapes_graph: Graph) -> Iterator[SparqlConstraint]:
    """Yield every active SPARQL constraint of the shapes graph, ready to run."""
    from rdflib import Literal, URIRef

    def sh(name: str) -> URIRef:
        return URIRef(SH + name)

    for shape, constraint in shapes_graph.subject_objects(sh("sparql")):
        if shapes_graph.value(constraint, sh("deactivated")) == Literal(True):
            continue
        prefixes = {
            str(shapes_graph.value(d, sh("prefix"))): str(shapes_graph.value(d, sh("namespace")))
            for declarer in shapes_graph.objects(constraint, sh("prefixes"))
            for d in shapes_graph.objects(declarer, sh("declare"))
        }
        select = str(shapes_graph.value(constraint, sh("select")))
        declarations = "".join(
            f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in prefixes.items()
        )
        severity = shapes_graph.value(shape, sh("severity")) or sh("Violation")
        message = shapes_graph.value(constraint, sh("message")) or shapes_graph.value(
            shape, sh("message")
        )
        yield SparqlConstraint(
            shape=shape,
            constraint=constraint,
            query=declarations + select.replace("$this", "?this"),
            message=None if message is None else str(message),
            severity=str(severity).removeprefix(SH),
            digest=query_digest(select, prefixes),
        )


def focus_nodes(data_graph: Graph, shapes_graph: Graph, shape: Node) -> set[Node]:
    """Return the focus nodes of `shape`'s targets in `data_graph`."""
    from rdflib import RDF, RDFS, URIRef

    nodes: set[Node] = set(shapes_graph.objects(shape, URIRef(SH + "targetNode")))
    for cls in shapes_graph.objects(shape, URIRef(SH + "targetClass")):
        for subclass in data_graph.transitive_subjects(RDFS.subClassOf, cls):
            nodes.update(data_graph.subjects(RDF.type, subclass))
    for predicate in shapes_graph.objects(shape, URIRef(SH + "targetSubjectsOf")):
        nodes.update(data_graph.subjects(predicate, None))
    for predicate in shapes_graph.objects(shape, URIRef(SH + "targetObjectsOf")):
        nodes.update(data_graph.objects(None, predicate))
    return nodes


def evaluate(
    data_graph: Graph, shapes_graph: Graph, constraints: list[SparqlConstraint], store=None
) -> Iterator[NativeResult]:
    """Run each constraint once over `data_graph`; keep the solutions for its focus nodes.

    With `store` (a pyoxigraph Store holding the same triples), the queries run there:
    the same solutions, in milliseconds instead of seconds.
    """
    from nephrokb.native_checks import NATIVE_CHECKS

    for item in constraints:
        focus = focus_nodes(data_graph, shapes_graph, item.shape)
        if not focus:
            continue
        native = NATIVE_CHECKS.get(item.digest)
        if native:
            solutions = native(data_graph)
        elif store is not None:
            solutions = store_solutions(store, item.query)
        else:
            solutions = (row.asdict() for row in data_graph.query(prepared(item.query)))
        for bindings in solutions:
            if bindings.get("this") not in focus:
                continue
            yield NativeResult(
                focus=bindings["this"],
                shape=item.shape,
                severity=item.severity,
                message=substitute(item.message, bindings) if item.message else "violates a shape",
                path=bindings.get("path"),
                value=bindings.get("value", bindings["this"]),
                component=SPARQL_CONSTRAINT_COMPONENT,
            )


def store_solutions(store, query: str) -> Iterator[dict[str, Node]]:
    """Yield the solutions of a SELECT on a pyoxigraph store as rdflib bindings."""
    from nephrokb.oxterms import RdflibTerms

    convert = RdflibTerms()
    solutions = store.query(query, use_default_graph_as_union=True)
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
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(query)


def substitute(message: str, bindings: dict) -> str:
    """Fill `{?var}` and `{$this}` in a message the way pyshacl does."""

    def replace(match: re.Match) -> str:
        value = bindings.get(match.group(1))
        return match.group(0) if value is None else str(value)

    return MESSAGE_VARIABLE.sub(replace, message)
