"""Python implementations ("ports") of the SPARQL constraints that rdflib evaluates too slowly.

Each function yields the solutions (`this`, `value`, and `path` where the query binds it)
that one constraint's SELECT would give over the whole graph, so the shapes files stay the
portable, standard definition; `tests/test_fast_validation.py` compares the results with
pyshacl's on every fixture. They cost one pass per procedure instead of SPARQL joins over
the whole graph (which rdflib evaluates by nested loops: 91 s at 100 procedures).

A port is chosen by the digest of the query it was written for (`written_for`; see
`sparql_constraints.query_digest`: the whitespace-normalised SELECT plus its declared
prefixes), never by shape name: a constraint whose query was edited no longer matches its
port and simply runs as SPARQL. `tests/test_native_checks.py` fails while a port's digest
matches no bundled constraint. To update a digest after editing a query: make the port
compute exactly what the new query does, then run that test; its failure message lists
every bundled constraint's digest, and the new one goes into the port's `written_for`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from rdflib import OWL, RDFS, BNode, Literal, URIRef

from nephrokb.namespaces import DCTERMS, MAPPING_PREDICATES, PREFIXES, SSSOM, VOCAB, XSD
from nephrokb.terminologies import verhoeff_valid
from nephrokb.validation.core_evaluation import PredicateIndex

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

SNOMED = PREFIXES["SCTID"]

Solutions = Iterator[dict[str, "Node"]]
Port = Callable[["Graph"], Iterable[dict[str, "Node"]]]
NATIVE_CHECKS: dict[str, Port] = {}


def written_for(digest: str) -> Callable[[Port], Port]:
    """Register a port as the evaluation of the query whose digest is `digest`."""

    def register(port: Port) -> Port:
        NATIVE_CHECKS[digest] = port
        return port

    return register


def iri(name: str):

    return URIRef(VOCAB + name)


def is_integer_typed(term: Node) -> bool:
    """SPARQL `datatype(?term) = xsd:integer`: a literal typed xsd:integer (well-typed or not)."""
    return isinstance(term, Literal) and str(term.datatype) == XSD + "integer"


def procedures_of(graph: Graph) -> dict[Node, list[Node]]:
    """Map each procedure (subject of nkb:hasStep) to its steps."""
    steps: dict[Node, list[Node]] = defaultdict(list)
    for procedure, step in graph.subject_objects(iri("hasStep")):
        steps[procedure].append(step)
    return steps


@written_for("71cb3e2487f0787d9923d4e1dfb538a1c47ac3c00283d30dba00b97cb1190915")
def shared_step_numbers(graph: Graph) -> Solutions:
    """UniqueStepNumberShape: a step sharing its xsd:integer number with another step."""
    index, step_number = PredicateIndex(graph), iri("stepNumber")
    for steps in procedures_of(graph).values():
        holders: dict[Node, set[Node]] = defaultdict(set)
        for step in steps:
            for value in index.objects(step_number, step):
                if is_integer_typed(value):
                    holders[value].add(step)
        for value, sharing in holders.items():
            if len(sharing) > 1:
                for step in sharing:
                    yield {"this": step, "value": value}


@written_for("a803dc894231b8516c5b7ec505febcaa4cc913d676e0623e44872d6a09d7002c")
def missing_predecessors(graph: Graph) -> Solutions:
    """ContiguousStepNumberShape: an xsd:integer number above 1 with no step one less."""
    index, step_number = PredicateIndex(graph), iri("stepNumber")
    for steps in procedures_of(graph).values():
        numbered = [
            (step, value, int(value))
            for step in steps
            for value in index.objects(step_number, step)
            if is_integer_typed(value) and not value.ill_typed
        ]
        present = {number for _, _, number in numbered}
        for step, value, number in numbered:
            if number > 1 and number - 1 not in present:
                yield {"this": step, "value": value, "previous": Literal(number - 1)}


def reachable(index: PredicateIndex, start: Node, predicate) -> set[Node]:
    """Nodes reachable from `start` by one or more `predicate` links."""
    seen: set[Node] = set()
    frontier = list(index.objects(predicate, start))
    while frontier:
        node = frontier.pop()
        if node not in seen:
            seen.add(node)
            frontier.extend(index.objects(predicate, node))
    return seen


@written_for("06f286de971197bbce5941ea7c216e38019c444cd217c04ffa821fac2ebd1efb")
def misplaced_dependencies(graph: Graph) -> Solutions:
    """DependsOnEarlierStepShape: a dependency that is not an earlier or relied-on step.

    A dependency leading back to its step (a cycle) is left to AcyclicDependencyShape.
    """
    index = PredicateIndex(graph)
    relies_on, depends_on, step_number = iri("reliesOn"), iri("dependsOn"), iri("stepNumber")
    steps_of = procedures_of(graph)
    step_sets = {procedure: set(steps) for procedure, steps in steps_of.items()}
    solutions: set[tuple[Node, Node, str]] = set()
    for procedure, steps in steps_of.items():
        relied_on = reachable(index, procedure, relies_on)
        base_steps = set().union(*(step_sets.get(base, set()) for base in relied_on))
        for step in steps:
            for value in index.objects(depends_on, step):
                if value == step or step in reachable(index, value, depends_on):
                    continue
                if value in step_sets[procedure]:
                    solutions.update(
                        (step, value, f"step {earlier}, {BEFORE} {number}")
                        for number in index.objects(step_number, step)
                        for earlier in index.objects(step_number, value)
                        if is_integer_typed(number)
                        and is_integer_typed(earlier)
                        and not (number.ill_typed or earlier.ill_typed)
                        and int(earlier) >= int(number)
                    )
                elif value not in base_steps:
                    reason = "which is not a step of its procedure or of a procedure it relies on"
                    solutions.add((step, value, f"{described(value)}, {reason}"))

    for step, value, target in solutions:
        yield {"this": step, "value": value, "target": Literal(target)}


BEFORE = "which does not come before its own step"


def described(term: Node) -> str:
    """A term as DependsOnEarlierStepShape's query describes it."""
    if isinstance(term, Literal):
        return f'the literal "{term}"'
    return "a blank node" if isinstance(term, BNode) else f"<{term}>"


def cycles(predicate_name: str, describe: Callable[[Graph, Node], str]) -> Port:
    """A check yielding each `predicate` cycle once, at its canonical member, with its path.

    The canonical member is the one with the smallest IRI (every blank-node member when the
    cycle has no IRI), as the shape's query picks it; the path is the shortest way from it
    back to it, written with `describe`, where the query can only list the members.
    """

    def check(graph: Graph) -> Solutions:

        predicate, index = iri(predicate_name), PredicateIndex(graph)
        for node in list(index.forward(predicate)):
            ahead = reachable(index, node, predicate)
            if node not in ahead:
                continue
            members = {other for other in ahead if node in reachable(index, other, predicate)}
            if any(
                isinstance(other, URIRef) and (isinstance(node, BNode) or str(other) < str(node))
                for other in members
            ):
                continue
            path = shortest_cycle(index, node, predicate)
            text = " -> ".join(describe(graph, member) for member in [*path, node])
            yield {"this": node, "value": node, "cycle": Literal(text)}

    return check


def shortest_cycle(index: PredicateIndex, start: Node, predicate) -> list[Node]:
    """The nodes of a shortest `predicate` path from `start` back to it (without the end)."""
    previous: dict[Node, Node] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for successor in sorted(index.objects(predicate, node)):
                if successor == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return path[::-1]
                if successor not in previous:
                    previous[successor] = node
                    following.append(successor)
        frontier = following
    return [start]


def first_text(graph: Graph, node: Node, predicate) -> str | None:
    """The smallest of a node's values for `predicate`, as text (None when it has none)."""
    values = sorted(str(value) for value in graph.objects(node, predicate))
    return values[0] if values else None


def describe_step(graph: Graph, step: Node) -> str:
    """A step as `step 2 "Pass a wire"` (a missing number written `?`)."""
    number = first_text(graph, step, iri("stepNumber")) or "?"
    return f'step {number} "{first_text(graph, step, RDFS.label) or ""}"'


def describe_procedure(graph: Graph, procedure: Node) -> str:
    """A procedure as its label in quotes."""
    return f'"{first_text(graph, procedure, RDFS.label) or ""}"'


@written_for("47cd75f675683ca0005a31556cbc76c55d7d37bcff6b9e3383be30820dde0c8a")
def duplicate_part_texts(graph: Graph) -> Solutions:
    """UniqueTextWithinProcedureShape: two parts of a procedure with the same label/text."""
    paths = (RDFS.label, URIRef(DCTERMS + "description"))
    parts_of: dict[Node, set[Node]] = defaultdict(set)
    for name in ("hasStep", "hasIndication", "hasBenefit"):
        for procedure, part in graph.subject_objects(iri(name)):
            parts_of[procedure].add(part)
    index = PredicateIndex(graph)
    for procedure, parts in parts_of.items():
        for path in paths:
            holders: dict[Node, set[Node]] = defaultdict(set)
            for part in parts:
                for value in index.objects(path, part):
                    holders[value].add(part)
            for value, sharing in holders.items():
                if len(sharing) > 1:
                    yield {"this": procedure, "path": path, "value": value}


@written_for("fa0c964f8964319e26430693f9c45fd82a977abc0da585f0fe73e2e7ee4c25c4")
def failing_sctid_check_digits(graph: Graph) -> Solutions:
    """SctidCheckDigitShape: SKOS mappings to SNOMED CT IDs with a wrong check digit."""
    for predicate in MAPPING_PREDICATES:
        for node, target in graph.subject_objects(URIRef(predicate)):
            code = str(target).removeprefix(SNOMED)
            if (
                str(target).startswith(SNOMED)
                and code.isascii()
                and code.isdigit()
                and 6 <= len(code) <= 18
                and not verhoeff_valid(code)
            ):
                yield {"this": node, "value": target}


@written_for("5e75113631bd9214d9ab8179ee8ec3b5c06c9adad4276ced84655931bfe84af8")
def unjustified_mappings(graph: Graph) -> Solutions:
    """MappingJustifiedShape: a SKOS mapping triple with no justified record naming it."""
    justification = URIRef(SSSOM + "mapping_justification")
    justified = {
        (source, predicate, target)
        for record in set(graph.subjects(justification, None))
        for source in graph.objects(record, OWL.annotatedSource)
        for predicate in graph.objects(record, OWL.annotatedProperty)
        for target in graph.objects(record, OWL.annotatedTarget)
    }
    for predicate in map(URIRef, MAPPING_PREDICATES):
        for node, target in graph.subject_objects(predicate):
            if (node, predicate, target) not in justified:
                yield {"this": node, "path": predicate, "value": target}


written_for("46ad85caed523b1b713738ca8f5d7ea802e62a8cdc93fe7a209371c9d208f010")(
    cycles("dependsOn", describe_step)  # AcyclicDependencyShape
)
written_for("3dace4aac177868e3d2d72ca123dccb61c7b686ce098c08bcf5a2771287f24a8")(
    cycles("reliesOn", describe_procedure)  # AcyclicRelianceShape
)
