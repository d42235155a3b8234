"""Split the shapes between the native evaluators and pyshacl, shape by shape.

A node shape with targets is evaluated natively only when every part of it is something
core_constraints and sparql_constraints evaluate exactly as the SHACL spec says; any other
shape, with everything it refers to, goes to pyshacl. Nothing is dropped: the shapes graph
pyshacl gets is the whole graph less the node shapes evaluated natively (which no other
shape refers to), and pyshacl runs whenever a shape with a target is left in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from nephrokb.validation import core_constraints, sparql_constraints
from nephrokb.validation.core_constraints import NodeCheck, Unsupported
from nephrokb.validation.sparql_constraints import SparqlConstraint


@dataclass(frozen=True)
class ValidationPlan:
    """Which shapes pyshacl checks (None: none) and which are evaluated natively."""

    pyshacl_shapes: Graph | None
    native_shapes: tuple[NodeCheck, ...]
    constraints: tuple[tuple[NodeCheck, SparqlConstraint], ...]


def make_plan(shapes_graph: Graph, *, native: bool) -> ValidationPlan:
    """Plan a validation with these shapes; with `native` False pyshacl gets every shape."""
    if not native:
        return ValidationPlan(shapes_graph, (), ())
    checks, constraints = [], []
    for shape in core_constraints.node_shapes(shapes_graph):
        try:
            check = core_constraints.read_node_shape(shapes_graph, shape)
            read = list(shape_constraints(shapes_graph, check))
        except Unsupported:
            continue
        checks.append(check)
        constraints.extend((check, constraint) for constraint in read)
    rest = without_shapes(shapes_graph, [check.shape for check in checks])
    return ValidationPlan(
        pyshacl_shapes=rest if core_constraints.has_targets(rest) else None,
        native_shapes=tuple(c for c in checks if c.properties or c.closed is not None),
        constraints=tuple(constraints),
    )


def shape_constraints(shapes_graph: Graph, check: NodeCheck):
    """Yield the active SPARQL constraints of a node shape and of its property shapes."""
    if not check.active:
        return
    yield from sparql_constraints.read_constraints(shapes_graph, check.shape)
    for prop in check.properties:
        yield from sparql_constraints.read_constraints(
            shapes_graph,
            prop.shape,
            path=prop.path,
            path_text=sparql_constraints.sparql_path(prop.predicates, inverse=prop.inverse),
        )


def without_shapes(shapes_graph: Graph, shapes: list) -> Graph:
    """Return a copy of the shapes graph without the triples of these shapes."""
    rest = Graph(namespace_manager=shapes_graph.namespace_manager)
    rest += shapes_graph
    for shape in shapes:
        rest.remove((shape, None, None))
    return rest
