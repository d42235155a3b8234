"""Evaluate the SHACL Core checks of nephrokb.validation.core_constraints over a data graph.

pyshacl spends ~1 ms on every (shape, focus node) pair, most of it in its own bookkeeping;
at 1000 procedures that is minutes. Here each check is a direct graph lookup, and each
value is judged once per property shape; `tests/test_fast_validation.py` compares both
engines on every fixture. Patterns and bounds follow XPath (nephrokb.validation.xpath),
where pyshacl uses Python's rules: a NaN fails every bound, and `$` does not match before a
final newline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from rdflib import RDF, XSD, BNode, Literal, URIRef
from rdflib import RDFS as RDFS_NAMESPACE

from nephrokb.namespaces import SH
from nephrokb.rdf.predicate_store import PredicateStore
from nephrokb.validation import xpath

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from nephrokb.validation.core_constraints import ClosedCheck, NodeCheck, PropertyCheck

RDFS_LITERAL = RDFS_NAMESPACE.Literal
RDFS_DATATYPE = RDFS_NAMESPACE.Datatype
PLAIN_DATATYPES = (None, RDF.langString, XSD.string)
# pyshacl 0.40.1 (DatatypeConstraintComponent._assert_actual_datatype) checks the Python
# value rdflib made of these datatypes and takes any other datatype as valid.
VALUE_TYPES = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}


@dataclass(frozen=True)
class NativeResult:
    """One result worked out here or by a SPARQL constraint, in pyshacl's report terms."""

    focus: Node
    shape: Node
    severity: str
    message: str
    path: Node | None
    value: Node | None
    component: str


def evaluate(graph: Graph, checks: Iterable[NodeCheck]) -> Iterator[NativeResult]:
    """Yield the results of the node shapes over `graph` (data and ontology, mixed)."""
    index = PredicateIndex(graph)
    class_closure: dict[Node, frozenset] = {}

    def superclasses(node: Node) -> set:
        found = set()
        for kind in index.objects(RDF.type, node):
            if kind not in class_closure:
                class_closure[kind] = frozenset(
                    graph.transitive_objects(kind, RDFS_NAMESPACE.subClassOf)
                )
            found |= class_closure[kind]
        return found

    for check in checks:
        if not check.properties and check.closed is None:
            continue
        focus = focus_nodes(graph, index, check)
        for prop in check.properties:
            yield from evaluate_property(index, prop, focus, superclasses)
        if check.closed is not None:
            yield from evaluate_closed(index, check.shape, check.closed, focus)


def focus_nodes(graph: Graph, index: PredicateIndex, check: NodeCheck) -> set[Node]:
    """Return the focus nodes of a node shape's targets in `graph` (data and ontology)."""
    nodes = set(check.target_nodes)
    for target in check.target_classes:
        for kind in graph.transitive_subjects(RDFS_NAMESPACE.subClassOf, target):
            nodes.update(index.subjects(RDF.type, kind))
    for predicate in check.target_subjects_of:
        nodes.update(index.forward(predicate))
    for predicate in check.target_objects_of:
        nodes.update(index.backward(predicate))
    return nodes


def evaluate_closed(
    index: PredicateIndex, shape: Node, closed: ClosedCheck, focus_nodes: set
) -> Iterator[NativeResult]:
    """Yield a result per triple of a focus node whose predicate the closed shape does not allow."""
    for predicate in index.predicates():
        if predicate in closed.allowed:
            continue
        forward = index.forward(predicate)
        for focus in focus_nodes & forward.keys():
            for value in forward[focus]:
                yield NativeResult(
                    focus, shape, closed.severity, closed.message, predicate, value, CLOSED
                )


class PredicateIndex:
    """Subject-to-objects and object-to-subjects maps of a graph, per predicate.

    A graph in a PredicateStore has them already; for another graph they are built per
    predicate on first use: one scan per predicate is much cheaper than one rdflib lookup
    per (shape, focus node).
    """

    def __init__(self, graph: Graph) -> None:

        self.graph = graph
        self.indexed = isinstance(graph.store, PredicateStore)
        self.forwards: dict[Node, dict[Node, set]] = graph.store.forward if self.indexed else {}
        self.backwards: dict[Node, dict[Node, set]] = graph.store.backward if self.indexed else {}

    def forward(self, predicate: Node) -> dict[Node, set]:
        """Return subject -> objects for one predicate."""
        if predicate not in self.forwards:
            if self.indexed:
                return EMPTY_MAP
            forward: dict[Node, set] = {}
            backward: dict[Node, set] = {}
            for subject, value in self.graph.subject_objects(predicate):
                forward.setdefault(subject, set()).add(value)
                backward.setdefault(value, set()).add(subject)
            self.forwards[predicate] = forward
            self.backwards[predicate] = backward
        return self.forwards[predicate]

    def backward(self, predicate: Node) -> dict[Node, set]:
        """Return object -> subjects for one predicate."""
        self.forward(predicate)
        return self.backwards.get(predicate, EMPTY_MAP)

    def predicates(self) -> list[Node]:
        """Return every predicate of the graph."""
        if self.indexed:
            return [predicate for predicate, forward in self.forwards.items() if forward]
        return list(set(self.graph.predicates()))

    def objects(self, predicate: Node, subject: Node) -> set:
        """Return the objects of subject-predicate."""
        return self.forward(predicate).get(subject, EMPTY)

    def subjects(self, predicate: Node, value: Node) -> set:
        """Return the subjects of predicate-value."""
        return self.backward(predicate).get(value, EMPTY)


EMPTY_MAP: dict = {}
EMPTY: frozenset = frozenset()


def evaluate_property(index: PredicateIndex, prop: PropertyCheck, focus_nodes, superclasses):
    """Yield the results of one property shape for its focus nodes.

    What a value fails depends on the value alone, so it is worked out once per value.
    """
    path = None if isinstance(prop.path, BNode) else prop.path
    values_of = value_lookup(index, prop)
    shape = (prop.shape, prop.severity, prop.message, path)
    failures: dict[Node, tuple[str, ...]] = {}
    for focus in focus_nodes:
        values = values_of(focus)
        if prop.min_count is not None and len(values) < prop.min_count:
            yield NativeResult(focus, *shape, None, MIN_COUNT)
        if prop.max_count is not None and len(values) > prop.max_count:
            yield NativeResult(focus, *shape, None, MAX_COUNT)
        for value in values:
            failed = failures.get(value)
            if failed is None:
                failed = failures[value] = tuple(value_failures(prop, value, superclasses))
            for component in failed:
                yield NativeResult(focus, *shape, value, component)


MIN_COUNT = SH + "MinCountConstraintComponent"
CLOSED = SH + "ClosedConstraintComponent"
MAX_COUNT = SH + "MaxCountConstraintComponent"


def value_lookup(index: PredicateIndex, prop: PropertyCheck):
    """Return a function giving a focus node's values on the property shape's path."""
    if prop.inverse:
        backward = index.backward(prop.predicates[0])
        return lambda focus: backward.get(focus, EMPTY)
    forwards = [index.forward(predicate) for predicate in prop.predicates]
    if len(forwards) == 1:
        forward = forwards[0]
        return lambda focus: forward.get(focus, EMPTY)
    return lambda focus: set().union(*(forward.get(focus, EMPTY) for forward in forwards))


def value_failures(prop: PropertyCheck, value: Node, superclasses) -> Iterator[str]:
    """Yield the constraint components one value of a property shape fails."""
    if prop.datatype is not None and not datatype_matches(value, prop.datatype):
        yield SH + "DatatypeConstraintComponent"
    if prop.languages is not None and not language_matches(value, prop.languages):
        yield SH + "LanguageInConstraintComponent"
    if prop.min_inclusive is not None and not in_range(value, prop.min_inclusive, 1):
        yield SH + "MinInclusiveConstraintComponent"
    if prop.max_inclusive is not None and not in_range(value, prop.max_inclusive, -1):
        yield SH + "MaxInclusiveConstraintComponent"
    for kind in prop.classes:
        if isinstance(value, Literal) or kind not in superclasses(value):
            yield SH + "ClassConstraintComponent"
    if prop.node_kind is not None and not node_kind_matches(value, prop.node_kind):
        yield SH + "NodeKindConstraintComponent"
    if prop.patterns and not all(matches_pattern(value, p) for p in prop.patterns):
        yield SH + "PatternConstraintComponent"
    if prop.allowed is not None and value not in prop.allowed:
        yield SH + "InConstraintComponent"
    for patterns in prop.not_patterns:
        if all(matches_pattern(value, pattern) for pattern in patterns):
            yield SH + "NotConstraintComponent"


def actual_datatype(value: Node, datatype: Node) -> bool:
    """True when rdflib's Python value of a literal is of the kind its datatype promises."""
    expected = VALUE_TYPES.get(datatype)
    return expected is None or isinstance(value.value, expected)


def string_form(value: Node) -> str:
    """The string sh:pattern matches, as pyshacl makes it: a plain literal's value, else str."""
    plain = isinstance(value, Literal) and value.datatype in PLAIN_DATATYPES
    return str(value.value) if plain and value.value is not None else str(value)


def datatype_matches(value: Node, datatype: Node) -> bool:
    """sh:datatype as pyshacl decides it: well-typed literal of exactly that datatype."""
    if not isinstance(value, Literal):
        return False
    if value.datatype == datatype:
        return getattr(value, "ill_typed", None) is not True and actual_datatype(value, datatype)
    if datatype == RDFS_LITERAL:
        return True
    if datatype == RDFS_DATATYPE:
        return bool(value.datatype)
    if value.datatype is None and value.language is None and datatype == XSD.string:
        return actual_datatype(value, datatype)
    if datatype == RDF.langString and value.language:
        return actual_datatype(value, datatype)
    return False


def language_matches(value: Node, languages: frozenset[str]) -> bool:
    """sh:languageIn as pyshacl decides it: the tag, or its first subtag, is listed."""
    if not isinstance(value, Literal) or not value.language:
        return False
    tag = str(value.language).lower()
    return "*" in languages or tag in languages or tag.split("-")[0] in languages


def in_range(value: Node, bound: Node, sign: int) -> bool:
    """sh:minInclusive (sign 1) or sh:maxInclusive (sign -1): SPARQL's `>=` or `<=`.

    A value that cannot be compared with the bound (another type, a NaN) fails.
    """
    comparison = xpath.compare(value, bound)
    return comparison is not None and comparison * sign >= 0


def node_kind_matches(value: Node, kind: str) -> bool:
    """sh:nodeKind: the value is an IRI, blank node or literal as the kind allows."""
    if isinstance(value, URIRef):
        actual = "IRI"
    elif isinstance(value, BNode):
        actual = "BlankNode"
    elif isinstance(value, Literal):
        actual = "Literal"
    else:
        return False
    return actual in kind


def matches_pattern(value: Node, pattern: re.Pattern) -> bool:
    """sh:pattern as pyshacl decides it: a regex search in the value's string form."""
    if isinstance(value, BNode):
        return False
    return pattern.search(string_form(value)) is not None
