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

from nephrokb.core_constraints import PredicateIndex

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

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
Port = Callable[["Graph"], Iterable[dict[str, "Node"]]]
NATIVE_CHECKS: dict[str, Port] = {}


def written_for(digest: str) -> Callable[[Port], Port]:
    """Register a port as the evaluation of the query whose digest is `digest`."""

    def register(port: Port) -> Port:
        NATIVE_CHECKS[digest] = port
        return port

    return register


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


@written_for("d62eaa955c870e372e3f79e21cff6d15d3c6cd7fbe6b4dcc7e49684aed8d1d57")
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


@written_for("c90532ddced4753ec83c260fd6858acb9a767ba0cf4e92cd5fbb9742078006a5")
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


@written_for("7321f9cba1ca6a37a0036c4156aa1678be9f135b919cae07596cfa54f04bd566")
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


@written_for("35d716cf59d85612ec5639c5a40923121397826fbb824cf7836ff52f1b0d27f9")
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


@written_for("fa0c964f8964319e26430693f9c45fd82a977abc0da585f0fe73e2e7ee4c25c4")
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


@written_for("5e75113631bd9214d9ab8179ee8ec3b5c06c9adad4276ced84655931bfe84af8")
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


# AcyclicDependencyShape and AcyclicRelianceShape
written_for("8c72341340fe6fc7e13e1603e68caca2c8a36015679db3064c85bbcb385c5f10")(cycles("dependsOn"))
written_for("66939b29ec8ba0b0e5b6febf0a649a0fdb4ddce66b81360be385b143d05aa17e")(cycles("reliesOn"))
