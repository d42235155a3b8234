"""Find the nodes a change could affect, and the part of the graph that validates them.

`nephrokb validate --changed-since REV` validates only the nodes whose results a change since
REV could alter, with exactly the results a full validation gives them. Three steps:

1. `changed_nodes`: the IRIs whose own triples differ (the subjects) and the IRIs the
   differing triples point at (the objects). Blank nodes count as the IRIs above them.
2. `affected_nodes`: what the shapes look at from a node beyond its own triples, read
   backwards (see the function), so every node whose results may differ is included.
3. `focus_subgraph`: the triples the shapes read for those nodes, so validating the
   sub-graph gives each of them the same results as validating the whole graph.

When a change cannot be pinned to nodes (a class hierarchy edited in the data, a blank node
no IRI leads to), `changed_nodes` returns None and the caller validates everything. So does
it when `covers` finds that the shapes read something steps 2 and 3 do not follow: a shape
pyshacl evaluates, an inverse path or objects-of target over a link other than a procedure's
hold on its parts, or a SPARQL constraint that is neither one of FOLLOWED_QUERIES (the
queries these steps were written for, by digest) nor reads only its focus node's own triples
and the types of the nodes they link to (which steps 2 and 3 follow for sh:class).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph
from rdflib import RDF, RDFS, BNode, Graph, URIRef

from nephrokb.errors import InputError
from nephrokb.namespaces import (
    HAS_STEP,
    OWL_ANNOTATED_SOURCE,
    RDF_TYPE,
    RDFS_SUBCLASS_OF,
    SKOS_EXACT_MATCH,
    VOCAB,
)
from nephrokb.rdf import git_revisions
from nephrokb.rdf.differences import named_ancestors, triple_differences
from nephrokb.rdf.loading import read_source
from nephrokb.rdf.parsing import parse_source
from nephrokb.rdf.sources import STDIN, resolve_turtle_files
from nephrokb.rdf.terms import rdflib_graph
from nephrokb.validation.sparql_text import reads_own_triples_and_linked_types as reads_around_focus

if TYPE_CHECKING:
    from rdflib.term import Node

    from nephrokb.validation.plan import ValidationPlan

DEPENDS_ON = VOCAB + "dependsOn"
RELIES_ON = VOCAB + "reliesOn"
# A procedure's links to its parts; the parts' shapes read them backwards (sh:inversePath).
HOLDING = (HAS_STEP, VOCAB + "hasIndication", VOCAB + "hasBenefit")
# The SPARQL constraints (by sparql_constraints.query_digest) whose reads beyond the focus
# node's own triples affected_nodes and focus_subgraph follow, by the rule that does.
FOLLOWED_QUERIES = frozenset(
    {
        # Mapping records about a node: MappingAssertedShape, MappingJustifiedShape.
        "8adf8d278b02ef1d56b67f2e6320f50405f5fe8a9f77d31e859a2c2c4550bf80",
        "5e75113631bd9214d9ab8179ee8ec3b5c06c9adad4276ced84655931bfe84af8",
        # Dependencies and reliance, transitively: AcyclicDependencyShape,
        # AcyclicRelianceShape, DependsOnEarlierStepShape.
        "46ad85caed523b1b713738ca8f5d7ea802e62a8cdc93fe7a209371c9d208f010",
        "3dace4aac177868e3d2d72ca123dccb61c7b686ce098c08bcf5a2771287f24a8",
        "06f286de971197bbce5941ea7c216e38019c444cd217c04ffa821fac2ebd1efb",
        # A procedure's parts: ContiguousStepNumberShape, UniqueStepNumberShape,
        # UniqueTextWithinProcedureShape.
        "a803dc894231b8516c5b7ec505febcaa4cc913d676e0623e44872d6a09d7002c",
        "71cb3e2487f0787d9923d4e1dfb538a1c47ac3c00283d30dba00b97cb1190915",
        "47cd75f675683ca0005a31556cbc76c55d7d37bcff6b9e3383be30820dde0c8a",
        # Other nodes exactMatching the same concept: UniqueExactMatchTargetShape.
        "2b6004be507cceb1733d1acdcab9cf28cb6d042b82b79b6952cfd54b56d2c26d",
    }
)


@dataclass(frozen=True)
class ChangedNodes:
    """The IRIs a change touches.

    `subjects` have triples added or removed; `objects` are pointed at by such triples;
    `retyped` are the subjects whose rdf:type changed.
    """

    subjects: frozenset[Node]
    objects: frozenset[Node]
    retyped: frozenset[Node]


def covers(plan: ValidationPlan) -> bool:
    """True when affected_nodes and focus_subgraph follow everything the planned shapes read."""
    if plan.pyshacl_shapes is not None:
        return False
    for check in plan.native_shapes:
        if any(str(predicate) not in HOLDING for predicate in check.target_objects_of):
            return False
        for prop in check.properties:
            if prop.inverse and str(prop.predicates[0]) not in HOLDING:
                return False
    return all(
        constraint.digest in FOLLOWED_QUERIES or reads_around_focus(constraint.query)
        for _, constraint in plan.constraints
    )


def changed_nodes(old: Graph, new: Graph) -> ChangedNodes | None:
    """Name the nodes whose triples differ between two graphs; None if they cannot be named."""
    differences = triple_differences(old, new)
    subjects: set[Node] = set()
    objects: set[Node] = set()
    retyped: set[Node] = set()
    for triples, graph in (
        (differences.removed, differences.old),
        (differences.added, differences.new),
    ):
        for subject, predicate, value in triples:
            if str(predicate) == RDFS_SUBCLASS_OF:
                return None  # class membership, and so the targets of shapes, may shift anywhere
            names = named_ancestors(graph, subject)
            if not names:
                return None
            subjects |= names
            if str(predicate) == RDF_TYPE:
                retyped |= names
            if isinstance(value, URIRef):
                objects.add(value)
    return ChangedNodes(frozenset(subjects), frozenset(objects), frozenset(retyped))


def changed_nodes_since(revision: str, data: Sequence[str | Path]) -> ChangedNodes | None:
    """Name the nodes that changed in the files under `data` since a git revision.

    Only files whose content differs from the revision are parsed on both sides; a triple
    that moved between a changed and an unchanged file counts as changed, which can only
    widen the set of nodes validated.
    """
    old_quads, new_files = set(), []
    for given in data:
        if str(given) == STDIN:
            raise InputError("standard input has no git history; name files with --data")
        root = git_revisions.repository_root(given)
        commit = git_revisions.resolve_revision(root, revision)
        relative = git_revisions.relative_name(root, given)
        before = git_revisions.files_at(root, commit, relative)
        current = {
            git_revisions.relative_name(root, path): path for path in resolve_turtle_files([given])
        }
        edited = git_revisions.changed_in_working_tree(root, commit, relative)
        differing = sorted(
            (edited & (before.keys() | current.keys())) | (before.keys() ^ current.keys())
        )
        old_quads |= git_revisions.quads_at(
            root, commit, [n for n in differing if n in before], revision
        )
        new_files.extend(current[name] for name in differing if name in current)
    new_quads = {
        quad for path in sorted(set(new_files)) for quad in parse_source(read_source(path)).quads
    }
    return changed_nodes(*differing_graphs(old_quads, new_quads))


def differing_graphs(old: set, new: set) -> tuple[Graph, Graph]:
    """Return rdflib graphs of two sets of pyoxigraph quads, enough to tell what changed.

    Without blank nodes, only the quads in one set and not the other are converted; blank
    nodes are compared by structure (nephrokb.changes.compare), so then every quad is.
    """
    blank = any(
        isinstance(term, pyoxigraph.BlankNode)
        for quad in old | new
        for term in (quad.subject, quad.object)
    )
    if not blank:
        old, new = old - new, new - old
    return rdflib_graph(old), rdflib_graph(new)


def affected_nodes(graph: Graph, changed: ChangedNodes) -> set[Node]:
    """Return the nodes of `graph` whose validation results the change may alter.

    Beyond its own triples, the shapes read for a node, and so the change reaches it when:
    - it links to a node whose rdf:type changed (sh:class): whoever links to a retyped node;
    - a triple linking to it changed (inverse paths): every object of a changed triple;
    - a sibling step changed (numbering, duplicates): the steps of the procedures holding a
      changed node, or being one;
    - a step it depends on, transitively, changed (earlier-step rule, cycles): the dependents
      of changed steps and of the steps of changed procedures;
    - a procedure its procedure relies on, transitively, changed (earlier-step rule, cycles):
      the procedures relying on a changed one, and their steps;
    - a mapping record about it, or the node a record is about, changed: both ways;
    - another node's exactMatch to the same concept changed: the nodes matching it.
    """
    named = set(changed.subjects | changed.objects)
    procedures = closure(named, lambda nodes: linked(graph, nodes, [RELIES_ON], backwards=True))
    holders = linked(graph, named, HOLDING, backwards=True)
    steps = named | linked(graph, procedures | holders, [HAS_STEP])
    dependents = closure(
        named | linked(graph, procedures, [HAS_STEP]),
        lambda nodes: linked(graph, nodes, [DEPENDS_ON], backwards=True),
    )
    affected = steps | procedures | holders | dependents
    affected |= {subject for node in changed.retyped for subject in graph.subjects(None, node)}
    affected |= linked(graph, named, [OWL_ANNOTATED_SOURCE], backwards=True)
    affected |= linked(graph, changed.subjects, [OWL_ANNOTATED_SOURCE])
    affected |= linked(graph, changed.objects, [SKOS_EXACT_MATCH], backwards=True)
    return affected | blank_descendants(graph, affected)


def closure(start: set[Node], step: Callable[[set[Node]], set[Node]]) -> set[Node]:
    """Return `start` and everything reachable from it by repeating `step`."""
    reached = set(start)
    frontier = set(start)
    while frontier:
        frontier = step(frontier) - reached
        reached |= frontier
    return reached


def blank_descendants(graph: Graph, nodes: Iterable[Node]) -> set[Node]:
    """Return the blank nodes reachable from `nodes` through blank nodes."""

    def children(parents: Iterable[Node]) -> set[Node]:
        return {o for node in parents for o in graph.objects(node) if isinstance(o, BNode)}

    return closure(children(nodes), children)


def linked(
    graph: Graph, nodes: Iterable[Node], predicates: Iterable[str], *, backwards: bool = False
) -> set[Node]:
    """Return the nodes `nodes` link to with `predicates` (backwards: that link to them)."""
    nodes = list(nodes)
    found: set[Node] = set()
    for predicate in map(URIRef, predicates):
        for node in nodes:
            found.update(
                graph.subjects(predicate, node) if backwards else graph.objects(node, predicate)
            )
    return found


def focus_subgraph(graph: Graph, focus: Iterable[Node]) -> Graph:
    """Return the triples the shapes read to validate the `focus` nodes.

    Every triple about: the focus nodes; the procedures holding them and those procedures'
    parts (inverse paths, numbering, duplicate texts); the procedures relied on, transitively
    (reliance cycles, steps of relied-on procedures); the steps depended on, transitively
    (dependency cycles, earlier steps); mapping records about them and the nodes records are
    about. Then the other nodes exactMatching a focus node's concepts, the rdf:type of every
    node linked to (sh:class) and the data's class hierarchy.
    """
    focus = set(focus)

    procedures = focus | linked(graph, focus, HOLDING, backwards=True)
    described = procedures | linked(graph, procedures, HOLDING)
    described |= closure(procedures, lambda nodes: linked(graph, nodes, [RELIES_ON]))
    described |= closure(focus, lambda nodes: linked(graph, nodes, [DEPENDS_ON]))
    described |= linked(graph, focus, [OWL_ANNOTATED_SOURCE], backwards=True)
    described |= linked(graph, focus, [OWL_ANNOTATED_SOURCE])
    described |= blank_descendants(graph, described)

    subgraph = Graph()
    for prefix, namespace in graph.namespaces():
        subgraph.bind(prefix, namespace, override=True, replace=True)
    for node in described:
        subgraph += graph.triples((node, None, None))
    exact_match = URIRef(SKOS_EXACT_MATCH)
    for concept in linked(graph, focus, [SKOS_EXACT_MATCH]):
        subgraph += graph.triples((None, exact_match, concept))
    linked_nodes = {o for o in subgraph.objects() if isinstance(o, URIRef | BNode)}
    for node in linked_nodes:
        subgraph += graph.triples((node, RDF.type, None))
    subgraph += graph.triples((None, RDFS.subClassOf, None))
    return subgraph
