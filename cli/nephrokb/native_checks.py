"""Python implementations of the SPARQL constraints that rdflib evaluates too slowly.

Each function yields the solutions (`this`, `value`, and `path` where the query binds it)
that the shape's SELECT would give over the whole graph, so the shapes files stay the
portable, standard definition; `tests/test_fast_validation.py` compares the results with
pyshacl's on every fixture. They cost one pass per procedure instead of SPARQL joins over
the whole graph (which rdflib evaluates by nested loops: 91 s at 100 procedures).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from nephrokb.core_constraints import PredicateIndex

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

SHAPES = "https://w3id.org/nephrokb/shapes#"
VOCAB = "https://w3id.org/nephrokb/vocab#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SNOMED = "http://snomed.info/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS_MATCHES = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
NUMERIC_TYPES = {
    XSD + name
    for name in (
        "integer",
        "decimal",
        "float",
        "double",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "positiveInteger",
        "",
    )
}
VERHOEFF_D = "0123456789123406789523401789563401289567401239567859876043216598710432765982104387659321049876543210"  # noqa: E501
VERHOEFF_P = "01234567891576283094580379614289160435279453126870428657390127938064157046913258"

Solutions = Iterator[dict[str, "Node"]]


def iri(name: str):
    from rdflib import URIRef

    return URIRef(VOCAB + name)


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit of `digits` is its Verhoeff check digit."""
    check = 0
    for position, digit in enumerate(reversed(digits)):
        permuted = int(VERHOEFF_P[(position % 8) * 10 + int(digit)])
        check = int(VERHOEFF_D[check * 10 + permuted])
    return check == 0


def numeric(term: Node) -> int | float | None:
    """Return a literal's number as SPARQL's isNumeric sees it, else None."""
    from rdflib import Literal

    if isinstance(term, Literal) and str(term.datatype) in NUMERIC_TYPES and not term.ill_typed:
        return term.toPython()
    return None


def at_least(earlier: Node, number: Node) -> bool:
    """SPARQL `?earlier >= ?number` for numbers or plain strings; a type error is false."""
    from rdflib import Literal

    left, right = numeric(earlier), numeric(number)
    if left is not None and right is not None:
        return left >= right
    plain = {None, XSD + "string"}
    if (
        isinstance(earlier, Literal)
        and isinstance(number, Literal)
        and left is None
        and right is None
        and not earlier.language
        and not number.language
        and (str(earlier.datatype) if earlier.datatype else None) in plain
        and (str(number.datatype) if number.datatype else None) in plain
    ):
        return str(earlier) >= str(number)
    return False


def procedures_of(graph: Graph) -> dict[Node, list[Node]]:
    """Map each procedure (subject of nkb:hasStep) to its steps."""
    steps: dict[Node, list[Node]] = defaultdict(list)
    for procedure, step in graph.subject_objects(iri("hasStep")):
        steps[procedure].append(step)
    return steps


def shared_step_numbers(graph: Graph) -> Solutions:
    """UniqueStepNumberShape: a step sharing its number with another step of a procedure."""
    index, step_number = PredicateIndex(graph), iri("stepNumber")
    for steps in procedures_of(graph).values():
        holders: dict[Node, set[Node]] = defaultdict(set)
        for step in steps:
            for value in index.objects(step_number, step):
                holders[value].add(step)
        for value, sharing in holders.items():
            if len(sharing) > 1:
                for step in sharing:
                    yield {"this": step, "value": value}


def missing_predecessors(graph: Graph) -> Solutions:
    """ContiguousStepNumberShape: a number above 1 with no step numbered one less."""
    index, step_number = PredicateIndex(graph), iri("stepNumber")
    for steps in procedures_of(graph).values():
        present = {
            number
            for step in steps
            for value in index.objects(step_number, step)
            if (number := numeric(value)) is not None
        }
        for step in steps:
            for value in index.objects(step_number, step):
                number = numeric(value)
                if number is not None and number > 1 and number - 1 not in present:
                    yield {"this": step, "value": value}


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


def misplaced_dependencies(graph: Graph) -> Solutions:
    """DependsOnEarlierStepShape: a dependency that is not an earlier or relied-on step."""
    index = PredicateIndex(graph)
    relies_on, depends_on, step_number = iri("reliesOn"), iri("dependsOn"), iri("stepNumber")
    steps_of = procedures_of(graph)
    step_sets = {procedure: set(steps) for procedure, steps in steps_of.items()}
    for procedure, steps in steps_of.items():
        relied_on = reachable(index, procedure, relies_on)
        base_steps = set().union(*(step_sets.get(base, set()) for base in relied_on))
        for step in steps:
            for value in index.objects(depends_on, step):
                if value in step_sets[procedure]:
                    if any(
                        at_least(earlier, number)
                        for number in index.objects(step_number, step)
                        for earlier in index.objects(step_number, value)
                    ):
                        yield {"this": step, "value": value}
                elif value not in base_steps:
                    yield {"this": step, "value": value}


def cycles(predicate_name: str) -> Callable[[Graph], Solutions]:
    """A check yielding every node from which `predicate` leads back to it."""

    def check(graph: Graph) -> Solutions:
        predicate, index = iri(predicate_name), PredicateIndex(graph)
        for node in list(index.forward(predicate)):
            if node in reachable(index, node, predicate):
                yield {"this": node, "value": node}

    return check


def duplicate_part_texts(graph: Graph) -> Solutions:
    """UniqueTextWithinProcedureShape: two parts of a procedure with the same label/text."""
    from rdflib import RDFS, URIRef

    paths = (RDFS.label, URIRef("http://purl.org/dc/terms/description"))
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
                if len({str(part) for part in sharing}) > 1:
                    yield {"this": procedure, "path": path, "value": value}


def failing_sctid_check_digits(graph: Graph) -> Solutions:
    """SctidCheckDigitShape: SKOS mappings to SNOMED CT IDs with a wrong check digit."""
    from rdflib import URIRef

    for name in SKOS_MATCHES:
        for node, target in graph.subject_objects(URIRef(SKOS + name)):
            code = str(target).removeprefix(SNOMED)
            if (
                str(target).startswith(SNOMED)
                and code.isascii()
                and code.isdigit()
                and 6 <= len(code) <= 18
                and not verhoeff_valid(code)
            ):
                yield {"this": node, "value": target}


def unjustified_mappings(graph: Graph) -> Solutions:
    """MappingJustifiedShape: a SKOS mapping triple with no justified record naming it."""
    from rdflib import OWL, URIRef

    justification = URIRef("https://w3id.org/sssom/mapping_justification")
    justified = {
        (source, predicate, target)
        for record in set(graph.subjects(justification, None))
        for source in graph.objects(record, OWL.annotatedSource)
        for predicate in graph.objects(record, OWL.annotatedProperty)
        for target in graph.objects(record, OWL.annotatedTarget)
    }
    for name in SKOS_MATCHES:
        predicate = URIRef(SKOS + name)
        for node, target in graph.subject_objects(predicate):
            if (node, predicate, target) not in justified:
                yield {"this": node, "path": predicate, "value": target}


NATIVE_CHECKS: dict[str, Callable[[Graph], Iterable[dict[str, Node]]]] = {
    SHAPES + "UniqueStepNumberShape": shared_step_numbers,
    SHAPES + "ContiguousStepNumberShape": missing_predecessors,
    SHAPES + "DependsOnEarlierStepShape": misplaced_dependencies,
    SHAPES + "AcyclicDependencyShape": cycles("dependsOn"),
    SHAPES + "AcyclicRelianceShape": cycles("reliesOn"),
    SHAPES + "UniqueTextWithinProcedureShape": duplicate_part_texts,
    SHAPES + "SctidCheckDigitShape": failing_sctid_check_digits,
    SHAPES + "MappingJustifiedShape": unjustified_mappings,
}
