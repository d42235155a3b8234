"""Read SHACL Core node shapes into checks the fast engine can evaluate, or refuse them.

The shapes read here are simple enough to check with direct graph lookups: node shapes with
class, subjects-of, objects-of, node or implicit class targets, that no other shape refers
to, whose property shapes use counts, datatype, languageIn, class, nodeKind, pattern (with
XPath flags), in, not (of a pattern shape) and min/maxInclusive over predicate, inverse and
alternative paths; sh:deactivated is honoured. Any shape that uses something else raises
Unsupported and is left to pyshacl (see nephrokb.validation.plan), so coverage never decides
correctness. nephrokb.validation.core_evaluation evaluates the checks over the data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from rdflib import BNode, Literal, URIRef

from nephrokb.namespaces import RDF_TYPE, RDFS, RDFS_COMMENT, RDFS_LABEL, SH
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
    values = list(shapes_graph.objects(node, URIRef(SH + name)))
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
