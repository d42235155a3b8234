"""Evaluate natively the SHACL core constraints of node shapes, as the SHACL spec says.

pyshacl spends ~1 ms on every (shape, focus node) pair, most of it in its own bookkeeping;
at 1000 procedures that is minutes. The shapes here are simple enough to check with direct
graph lookups: node shapes with class, subjects-of, objects-of, node or implicit class
targets, that no other shape refers to, whose property shapes use counts, datatype,
languageIn, class, nodeKind, pattern (with XPath flags), in, not (of a pattern shape) and
min/maxInclusive over predicate, inverse and alternative paths; sh:deactivated is honoured.
Any shape that uses something else is left to pyshacl (see nephrokb.validation.plan), so
coverage never decides correctness; `tests/test_fast_validation.py` compares both engines
on every fixture. Patterns and bounds follow XPath (nephrokb.validation.xpath), where pyshacl uses
Python's rules: a NaN fails every bound, and `$` does not match before a final newline.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING, NamedTuple

from rdflib import RDF, XSD, BNode, Literal, URIRef
from rdflib import RDFS as RDFS_NAMESPACE

from nephrokb.namespaces import RDF_TYPE, RDFS, RDFS_COMMENT, RDFS_LABEL, SH
from nephrokb.rdf.predicate_store import PredicateStore
from nephrokb.validation import xpath

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

DESCRIPTIVE = {RDF_TYPE, RDFS_COMMENT, RDFS_LABEL}
TARGETS = ("targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode")
# sh:sparql is read by nephrokb.validation.sparql_constraints; sh:message and sh:severity of a node
# shape apply to its own constraints only (sh:closed, SPARQL), not to its property shapes.
NODE_SHAPE_PREDICATES = DESCRIPTIVE | {
    SH + name
    for name in (
        "property", "sparql", "deactivated", "message", "severity", "closed",
        "ignoredProperties", *TARGETS,
    )
}  # fmt: skip
PROPERTY_SHAPE_PREDICATES = DESCRIPTIVE | {
    SH + name
    for name in (
        "path", "message", "severity", "minCount", "maxCount", "datatype", "languageIn",
        "minInclusive", "maxInclusive", "class", "nodeKind", "pattern", "flags", "in", "not",
        "sparql", "deactivated", "name", "description",
    )
}  # fmt: skip
NOT_CORE = ("path", "message", "severity", "sparql", "deactivated", "name", "description")
CORE_PARAMETERS = PROPERTY_SHAPE_PREDICATES - DESCRIPTIVE - {SH + name for name in NOT_CORE}
PATTERN_SHAPE_PREDICATES = DESCRIPTIVE | {SH + "pattern", SH + "flags"}
NODE_KINDS = ("IRI", "BlankNode", "Literal", "BlankNodeOrIRI", "BlankNodeOrLiteral", "IRIOrLiteral")


class Unsupported(Exception):
    """A shape uses a SHACL feature this module does not evaluate."""


@dataclass(frozen=True)
class PropertyCheck:
    """One property shape, read into plain values ready to evaluate."""

    shape: Node
    path: Node  # the sh:path object, reported as resultPath
    predicates: tuple[Node, ...]  # the predicates of the path (alternatives, or one)
    inverse: bool
    severity: str
    message: str | None  # None only when the shape has no core constraint
    min_count: int | None
    max_count: int | None
    datatype: Node | None
    languages: frozenset[str] | None
    min_inclusive: Node | None
    max_inclusive: Node | None
    classes: tuple[Node, ...]
    node_kind: str | None
    patterns: tuple[re.Pattern, ...]
    allowed: frozenset | None
    not_patterns: tuple[tuple[re.Pattern, ...], ...]


@dataclass(frozen=True)
class ClosedCheck:
    """sh:closed of a node shape: the predicates its focus nodes may use, and what to say."""

    allowed: frozenset
    severity: str
    message: str


@dataclass(frozen=True)
class NodeCheck:
    """One node shape: its targets, its active property shapes and whether it is closed.

    A deactivated node shape has `active` False and is never evaluated.
    """

    shape: Node
    target_classes: tuple[Node, ...]  # with the shape itself when it is also an rdfs:Class
    target_subjects_of: tuple[Node, ...]
    target_objects_of: tuple[Node, ...]
    target_nodes: tuple[Node, ...]
    properties: tuple[PropertyCheck, ...]
    closed: ClosedCheck | None = None
    active: bool = True


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


def has_targets(shapes_graph: Graph) -> bool:
    """True when some shape of the graph has a target, so pyshacl has something to do."""
    targets = (*TARGETS, "target")
    if any(next(shapes_graph.subject_objects(URIRef(SH + t)), None) for t in targets):
        return True
    classes = set(shapes_graph.subjects(URIRef(RDF_TYPE), URIRef(RDFS + "Class")))
    return any(
        (shape, URIRef(RDF_TYPE), URIRef(SH + kind)) in shapes_graph
        for shape in classes
        for kind in ("NodeShape", "PropertyShape")
    )


def node_shapes(shapes_graph: Graph) -> Iterator[Node]:
    """Yield the shapes that have a target: explicit, or implicit (a shape that is a class)."""
    seen = set()
    implicit = shapes_graph.subjects(URIRef(RDF_TYPE), URIRef(RDFS + "Class"))
    explicit = (
        shape for name in TARGETS for shape in shapes_graph.subjects(URIRef(SH + name), None)
    )
    for shape in (*explicit, *implicit):
        if shape not in seen:
            seen.add(shape)
            yield shape


def read_node_shape(shapes_graph: Graph, shape: Node) -> NodeCheck:
    """Read one node shape with targets, or raise Unsupported.

    Only a shape no other shape refers to (by sh:node, sh:not, sh:and, ...) is read: its
    results are then exactly its own, and the shapes pyshacl gets can do without it.
    """
    require_predicates(shapes_graph, shape, NODE_SHAPE_PREDICATES)
    types = {str(kind) for kind in shapes_graph.objects(shape, URIRef(RDF_TYPE))}
    if not {SH + "NodeShape"} <= types <= {SH + "NodeShape", RDFS + "Class"}:
        raise Unsupported(shape)
    if next(shapes_graph.subjects(None, shape), None) is not None:
        raise Unsupported(shape)

    def targets(name: str) -> tuple[Node, ...]:
        return tuple(shapes_graph.objects(shape, URIRef(SH + name)))

    implicit = (shape,) if RDFS + "Class" in types else ()
    active = not deactivated(shapes_graph, shape)
    properties = (
        read_property_shape(shapes_graph, node)
        for node in shapes_graph.objects(shape, URIRef(SH + "property"))
    )
    return NodeCheck(
        shape=shape,
        target_classes=(*targets("targetClass"), *implicit),
        target_subjects_of=targets("targetSubjectsOf"),
        target_objects_of=targets("targetObjectsOf"),
        target_nodes=targets("targetNode"),
        properties=tuple(prop for prop in properties if prop is not None) if active else (),
        closed=read_closed(shapes_graph, shape) if active else None,
        active=active,
    )


def read_closed(shapes_graph: Graph, shape: Node) -> ClosedCheck | None:
    """Read sh:closed and sh:ignoredProperties of a node shape, or raise Unsupported.

    As SHACL says, a closed shape allows the predicate paths of its property shapes (active
    or not) and the ignored properties.
    """

    def values(name: str) -> list:
        return list(shapes_graph.objects(shape, URIRef(SH + name)))

    closed, ignored = values("closed"), values("ignoredProperties")
    message, severity = values("message"), values("severity")
    if not closed or closed == [Literal(False)]:
        if ignored:
            raise Unsupported(shape, "ignoredProperties")
        return None
    if closed != [Literal(True)] or len(ignored) > 1 or len(message) != 1 or len(severity) > 1:
        raise Unsupported(shape, "closed")
    if not isinstance(message[0], Literal) or "{" in str(message[0]):
        raise Unsupported(shape, "message")
    severity_iri = str(severity[0]) if severity else SH + "Violation"
    if not severity_iri.startswith(SH):
        raise Unsupported(shape, "severity")
    allowed = set(read_list(shapes_graph, ignored[0])) if ignored else set()
    allowed.update(
        path
        for node in shapes_graph.objects(shape, URIRef(SH + "property"))
        for path in shapes_graph.objects(node, URIRef(SH + "path"))
        if isinstance(path, URIRef)
    )
    return ClosedCheck(frozenset(allowed), severity_iri[len(SH) :], str(message[0]))


def read_property_shape(shapes_graph: Graph, shape: Node) -> PropertyCheck | None:
    """Read one property shape (None when deactivated), or raise Unsupported."""
    require_predicates(shapes_graph, shape, PROPERTY_SHAPE_PREDICATES)
    if deactivated(shapes_graph, shape):
        return None

    def only(name: str):
        values = list(shapes_graph.objects(shape, URIRef(SH + name)))
        if len(values) > 1:
            raise Unsupported(shape, name)
        return values[0] if values else None

    def count(name: str) -> int | None:
        value = only(name)
        if value is None:
            return None
        if not isinstance(value, Literal) or not isinstance(value.value, int):
            raise Unsupported(shape, name)
        return value.value

    path = only("path")
    predicates, inverse = read_path(shapes_graph, path)
    message = only("message")
    has_core = any(str(p) in CORE_PARAMETERS for p in shapes_graph.predicates(shape, None))
    if (message is not None or has_core) and (
        not isinstance(message, Literal) or "{" in str(message)
    ):
        raise Unsupported(shape, "message")
    severity = only("severity") or URIRef(SH + "Violation")
    if not str(severity).startswith(SH):
        raise Unsupported(shape, "severity")
    node_kind = only("nodeKind")
    if node_kind is not None and str(node_kind) not in {SH + kind for kind in NODE_KINDS}:
        raise Unsupported(shape, "nodeKind")
    languages = only("languageIn")
    allowed = only("in")
    for bound in ("minInclusive", "maxInclusive"):
        if only(bound) is not None and not isinstance(only(bound), Literal):
            raise Unsupported(shape, bound)
    not_patterns = []
    for nested in shapes_graph.objects(shape, URIRef(SH + "not")):
        if not isinstance(nested, BNode):
            raise Unsupported(shape, "not")
        require_predicates(shapes_graph, nested, PATTERN_SHAPE_PREDICATES)
        patterns = read_patterns(shapes_graph, nested)
        if not patterns:
            raise Unsupported(shape, "not")
        not_patterns.append(patterns)
    return PropertyCheck(
        shape=shape,
        path=path,
        predicates=predicates,
        inverse=inverse,
        severity=str(severity)[len(SH) :],
        message=None if message is None else str(message),
        min_count=count("minCount"),
        max_count=count("maxCount"),
        datatype=only("datatype"),
        languages=None if languages is None else read_languages(shapes_graph, languages),
        min_inclusive=only("minInclusive"),
        max_inclusive=only("maxInclusive"),
        classes=tuple(shapes_graph.objects(shape, URIRef(SH + "class"))),
        node_kind=None if node_kind is None else str(node_kind)[len(SH) :],
        patterns=read_patterns(shapes_graph, shape),
        allowed=None if allowed is None else frozenset(read_list(shapes_graph, allowed)),
        not_patterns=tuple(not_patterns),
    )


def only_value(shapes_graph: Graph, node: Node, name: str) -> Node | None:
    """Return the one value of sh:`name` on `node`, None if absent; two are Unsupported."""
    values = list(shapes_graph.objects(node, terms().URIRef(SH + name)))
    if len(values) > 1:
        raise Unsupported(node, name)
    return values[0] if values else None


def deactivated(shapes_graph: Graph, node: Node) -> bool:
    """True when `node` has sh:deactivated true; a value other than a boolean is Unsupported."""
    value = only_value(shapes_graph, node, "deactivated")
    if value is None:
        return False
    if not isinstance(value, Literal) or not isinstance(value.value, bool):
        raise Unsupported(node, "deactivated")
    return value.value


def require_predicates(shapes_graph: Graph, shape: Node, supported: set[str]) -> None:
    """Raise Unsupported when the shape has a predicate outside `supported`."""
    for predicate in shapes_graph.predicates(shape, None):
        if str(predicate) not in supported:
            raise Unsupported(shape, predicate)


class PathPredicates(NamedTuple):
    """The predicates a supported property path follows, and whether it follows them backwards."""

    predicates: tuple[Node, ...]
    inverse: bool


def read_path(shapes_graph: Graph, path: Node | None) -> PathPredicates:
    """Return the predicates of a predicate, inverse or alternative path, and its direction."""
    if isinstance(path, URIRef):
        return PathPredicates((path,), False)
    if not isinstance(path, BNode):
        raise Unsupported(path)
    pairs = list(shapes_graph.predicate_objects(path))
    if len(pairs) != 1:
        raise Unsupported(path)
    kind, value = pairs[0]
    if str(kind) == SH + "inversePath" and isinstance(value, URIRef):
        return PathPredicates((value,), True)
    if str(kind) == SH + "alternativePath":
        members = tuple(read_list(shapes_graph, value))
        if members and all(isinstance(member, URIRef) for member in members):
            return PathPredicates(members, False)
    raise Unsupported(path)


def read_list(shapes_graph: Graph, head: Node) -> list[Node]:
    """Return the members of an RDF list, or raise Unsupported for a malformed one."""
    try:
        return list(shapes_graph.items(head))
    except Exception as error:  # rdflib raises on cyclic or broken lists
        raise Unsupported(head) from error


def read_languages(shapes_graph: Graph, head: Node) -> frozenset[str]:
    """Return the lower-cased language tags of an sh:languageIn list."""
    tags = read_list(shapes_graph, head)
    if not all(isinstance(tag, Literal) and isinstance(tag.value, str) for tag in tags):
        raise Unsupported(head)
    return frozenset(str(tag.value).lower() for tag in tags)


def read_patterns(shapes_graph: Graph, shape: Node) -> tuple[re.Pattern, ...]:
    """Compile the sh:pattern values of a shape with its sh:flags, as XPath reads them."""
    flags = list(shapes_graph.objects(shape, URIRef(SH + "flags")))
    if len(flags) > 1 or any(not isinstance(flag, Literal) for flag in flags):
        raise Unsupported(shape, "flags")
    patterns = []
    for pattern in shapes_graph.objects(shape, URIRef(SH + "pattern")):
        if not isinstance(pattern, Literal):
            raise Unsupported(shape, "pattern")
        try:
            patterns.append(xpath.compile_pattern(str(pattern), str(flags[0]) if flags else ""))
        except xpath.NotTranslatable as error:
            raise Unsupported(shape, "pattern") from error
    if flags and not patterns:
        raise Unsupported(shape, "flags")
    return tuple(patterns)


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
    t = terms()
    path = None if isinstance(prop.path, t.BNode) else prop.path
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
    t = terms()
    if prop.datatype is not None and not datatype_matches(value, prop.datatype):
        yield SH + "DatatypeConstraintComponent"
    if prop.languages is not None and not language_matches(value, prop.languages):
        yield SH + "LanguageInConstraintComponent"
    if prop.min_inclusive is not None and not in_range(value, prop.min_inclusive, 1):
        yield SH + "MinInclusiveConstraintComponent"
    if prop.max_inclusive is not None and not in_range(value, prop.max_inclusive, -1):
        yield SH + "MaxInclusiveConstraintComponent"
    for kind in prop.classes:
        if isinstance(value, t.Literal) or kind not in superclasses(value):
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


@functools.cache
def terms() -> SimpleNamespace:
    """Return the rdflib names and datatypes the checks use, built once."""
    return SimpleNamespace(
        BNode=BNode,
        Literal=Literal,
        URIRef=URIRef,
        langString=RDF.langString,
        rdfs_Literal=RDFS_NAMESPACE.Literal,
        rdfs_Datatype=RDFS_NAMESPACE.Datatype,
        xsd_string=XSD.string,
        plain_datatypes=(None, RDF.langString, XSD.string),
        # pyshacl 0.40.1 (DatatypeConstraintComponent._assert_actual_datatype) checks the
        # Python value rdflib made of these datatypes and takes any other datatype as valid.
        value_types={
            XSD.string: (str, bytes),
            RDF.langString: (str, bytes),
            XSD.integer: int,
            XSD.float: float,
            XSD.decimal: Decimal,
            XSD.boolean: bool,
            XSD.date: date,
            XSD.time: time,
            XSD.dateTime: datetime,
        },
    )


def actual_datatype(value: Node, datatype: Node) -> bool:
    """True when rdflib's Python value of a literal is of the kind its datatype promises."""
    expected = terms().value_types.get(datatype)
    return expected is None or isinstance(value.value, expected)


def string_form(value: Node) -> str:
    """The string sh:pattern matches, as pyshacl makes it: a plain literal's value, else str."""
    t = terms()
    plain = isinstance(value, t.Literal) and value.datatype in t.plain_datatypes
    return str(value.value) if plain and value.value is not None else str(value)


def datatype_matches(value: Node, datatype: Node) -> bool:
    """sh:datatype as pyshacl decides it: well-typed literal of exactly that datatype."""
    t = terms()
    if not isinstance(value, t.Literal):
        return False
    if value.datatype == datatype:
        return getattr(value, "ill_typed", None) is not True and actual_datatype(value, datatype)
    if datatype == t.rdfs_Literal:
        return True
    if datatype == t.rdfs_Datatype:
        return bool(value.datatype)
    if value.datatype is None and value.language is None and datatype == t.xsd_string:
        return actual_datatype(value, datatype)
    if datatype == t.langString and value.language:
        return actual_datatype(value, datatype)
    return False


def language_matches(value: Node, languages: frozenset[str]) -> bool:
    """sh:languageIn as pyshacl decides it: the tag, or its first subtag, is listed."""
    if not isinstance(value, terms().Literal) or not value.language:
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
    t = terms()
    if isinstance(value, t.URIRef):
        actual = "IRI"
    elif isinstance(value, t.BNode):
        actual = "BlankNode"
    elif isinstance(value, t.Literal):
        actual = "Literal"
    else:
        return False
    return actual in kind


def matches_pattern(value: Node, pattern: re.Pattern) -> bool:
    """sh:pattern as pyshacl decides it: a regex search in the value's string form."""
    t = terms()
    if isinstance(value, t.BNode):
        return False
    return pattern.search(string_form(value)) is not None
