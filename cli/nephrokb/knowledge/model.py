"""Read the procedures of a knowledge graph into plain dataclasses for text exports and `show`.

Labels, definitions, descriptions and conditions have their whitespace collapsed to single
spaces; verbatim source text is kept exactly. Where a node has several values the English one
is taken (then untagged, then any), the lexically first among equals, so output is stable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import RDF, Literal, URIRef

from nephrokb.errors import InputError
from nephrokb.knowledge.labels import label_of, text_of
from nephrokb.knowledge.literature import read_literature
from nephrokb.namespaces import (
    DCTERMS,
    HAS_STEP,
    KB,
    PREFIXES,
    PROV,
    SKOS,
    STEP_NUMBER,
    VOCAB,
    compact,
)
from nephrokb.rdf.graph_index import GraphIndex, uri

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from nephrokb.knowledge.literature import Literature


@dataclass(frozen=True)
class SourceLine:
    """One line of a source document that a node was derived from."""

    iri: str
    number: int
    text: str


@dataclass(frozen=True)
class Reference:
    """A node named from elsewhere, with the label to show for it."""

    iri: str
    label: str


@dataclass(frozen=True)
class StepReference:
    """The step a dependency points at, with the procedure that holds it (None if none does)."""

    iri: str
    label: str
    number: int | None
    procedure: Reference | None


@dataclass(frozen=True)
class Step:
    """One numbered step of a procedure."""

    iri: str
    number: int
    label: str
    description: str | None
    condition: str | None
    depends_on: tuple[StepReference, ...]
    sources: tuple[SourceLine, ...]
    devices: tuple[Reference, ...] = ()
    substances: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class Statement:
    """An indication or a benefit: what it says, the conditions it names, where it comes from."""

    iri: str
    label: str
    description: str | None
    conditions: tuple[Reference, ...]
    sources: tuple[SourceLine, ...]


@dataclass(frozen=True)
class Procedure:
    """A procedure with its steps in order, what it relies on, its indications and benefits."""

    iri: str
    label: str
    definition: str | None
    steps: tuple[Step, ...]
    relies_on: tuple[Reference, ...]
    indications: tuple[Statement, ...]
    benefits: tuple[Statement, ...]
    sources: tuple[SourceLine, ...]
    literature: Literature | None = None  # what cited evidence adds; never from the source
    documents: tuple[Reference, ...] = ()  # the source documents it is derived from

    @property
    def curie(self) -> str:
        """The compact name, e.g. `kb:percutaneous-nephrostomy`."""
        return compact(self.iri)


def read_procedures(graph: Graph) -> tuple[Procedure, ...]:
    """Return every nkb:Procedure, each after the procedures it relies on, then by label.

    The graph is read through a GraphIndex: a few lookups per node, for every node.
    """
    index = GraphIndex(graph)
    procedures = [
        read_procedure(index, node)
        for node in set(index.subjects(RDF.type, uri(VOCAB + "Procedure")))
        if isinstance(node, URIRef)
    ]
    return order_by_reliance(procedures)


def order_by_reliance(procedures: Sequence[Procedure]) -> tuple[Procedure, ...]:
    """Place each procedure after those it relies on; ties, and any cycle, go by label."""
    waiting = sorted(procedures, key=lambda procedure: (procedure.label.casefold(), procedure.iri))
    known = {procedure.iri for procedure in procedures}
    placed: list[Procedure] = []
    done: set[str] = set()
    while waiting:
        ready = next(
            (
                procedure
                for procedure in waiting
                if all(r.iri in done or r.iri not in known for r in procedure.relies_on)
            ),
            waiting[0],
        )
        waiting.remove(ready)
        placed.append(ready)
        done.add(ready.iri)
    return tuple(placed)


def read_procedure(graph: Graph, node: Node) -> Procedure:
    """Read one procedure node, with its literature layer."""
    steps = sorted(
        (read_step(graph, step) for step in set(graph.objects(node, uri(HAS_STEP)))),
        key=lambda step: (step.number, step.iri),
    )
    return Procedure(
        iri=str(node),
        label=label_of(graph, node),
        definition=text_of(graph, node, SKOS + "definition"),
        steps=tuple(steps),
        relies_on=references(graph, graph.objects(node, uri(VOCAB + "reliesOn"))),
        indications=statements(graph, graph.objects(node, uri(VOCAB + "hasIndication"))),
        benefits=statements(graph, graph.objects(node, uri(VOCAB + "hasBenefit"))),
        sources=source_lines(graph, node),
        literature=read_literature(graph, node),
        documents=references(graph, graph.objects(node, uri(DCTERMS + "source"))),
    )


def read_step(graph: Graph, node: Node) -> Step:
    """Read one step node; a step without an integer number cannot be placed, so it is refused."""
    number = step_number(graph, node)
    if number is None:
        raise InputError(
            f"{compact(str(node))} has no integer nkb:stepNumber (run 'nephrokb validate')"
        )
    targets = set(graph.objects(node, uri(VOCAB + "dependsOn")))
    depends_on = sorted(
        (step_reference(graph, target) for target in targets),
        key=lambda ref: (
            ref.procedure is None,
            ref.procedure.iri if ref.procedure else "",
            ref.number or 0,
            ref.iri,
        ),
    )
    return Step(
        iri=str(node),
        number=number,
        label=label_of(graph, node),
        description=text_of(graph, node, DCTERMS + "description"),
        condition=text_of(graph, node, VOCAB + "condition"),
        depends_on=tuple(depends_on),
        sources=source_lines(graph, node),
        devices=references(graph, graph.objects(node, uri(VOCAB + "usesDevice"))),
        substances=references(graph, graph.objects(node, uri(VOCAB + "usesSubstance"))),
    )


def step_number(graph: Graph, node: Node) -> int | None:
    """Return the step's nkb:stepNumber as an int, or None when it has no integer one."""
    numbers = sorted(
        value.toPython()
        for value in graph.objects(node, uri(STEP_NUMBER))
        if isinstance(value, Literal) and is_integer(value.toPython())
    )
    return numbers[0] if numbers else None


def is_integer(value: object) -> bool:
    """True for an int that is not a bool (xsd:boolean literals become bools)."""
    return isinstance(value, int) and not isinstance(value, bool)


def step_reference(graph: Graph, node: Node) -> StepReference:
    """Name the step `node` with the procedure holding it (the first by IRI if several do)."""
    holders = sorted(str(p) for p in graph.subjects(uri(HAS_STEP), node))
    procedure = Reference(holders[0], label_of(graph, URIRef(holders[0]))) if holders else None
    return StepReference(
        iri=str(node),
        label=label_of(graph, node),
        number=step_number(graph, node),
        procedure=procedure,
    )


def statements(graph: Graph, nodes: Iterable[Node]) -> tuple[Statement, ...]:
    """Read indications or benefits, in the order of their first source line, then by label."""
    read = [
        Statement(
            iri=str(node),
            label=label_of(graph, node),
            description=text_of(graph, node, DCTERMS + "description"),
            conditions=references(
                graph,
                [
                    *graph.objects(node, uri(VOCAB + "refersToCondition")),
                    *graph.objects(node, uri(VOCAB + "addressesCondition")),
                ],
            ),
            sources=source_lines(graph, node),
        )
        for node in set(nodes)
    ]
    return tuple(
        sorted(
            read,
            key=lambda statement: (
                statement.sources[0].number if statement.sources else float("inf"),
                statement.label.casefold(),
                statement.iri,
            ),
        )
    )


def references(graph: Graph, nodes: Iterable[Node]) -> tuple[Reference, ...]:
    """Name each node by its label, sorted by label."""
    named = {Reference(str(node), label_of(graph, node)) for node in nodes}
    return tuple(sorted(named, key=lambda ref: (ref.label.casefold(), ref.iri)))


def source_lines(graph: Graph, node: Node) -> tuple[SourceLine, ...]:
    """Return the source excerpts `node` was derived from, by line number.

    Only excerpts with an integer nkb:lineNumber count as source lines.
    """
    lines = set()
    for excerpt in graph.objects(node, uri(PROV + "wasDerivedFrom")):
        number = graph.value(excerpt, uri(VOCAB + "lineNumber"))
        if not isinstance(number, Literal) or not is_integer(number.toPython()):
            continue
        verbatim = sorted(str(t) for t in graph.objects(excerpt, uri(VOCAB + "verbatimText")))
        lines.add(SourceLine(str(excerpt), number.toPython(), verbatim[0] if verbatim else ""))
    return tuple(sorted(lines, key=lambda line: (line.number, line.iri)))


def find_procedure(procedures: Sequence[Procedure], query: str) -> Procedure:
    """Find one procedure by IRI, CURIE, slug or case-insensitive label fragment.

    An exact label wins over fragments; no match or several matches raise InputError.
    """
    wanted = query.strip()
    if not wanted:
        raise InputError("name a procedure: IRI, CURIE, slug or part of its label")
    by_iri = {procedure.iri: procedure for procedure in procedures}
    for iri in (wanted.removeprefix("<").removesuffix(">"), expand_curie(wanted), KB + wanted):
        if iri in by_iri:
            return by_iri[iri]
    fragment = wanted.casefold()
    exact = [p for p in procedures if p.label.casefold() == fragment]
    matches = exact or [p for p in procedures if fragment in p.label.casefold()]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        known = describe(procedures) if procedures else "there are none"
        raise InputError(f"no procedure matches {wanted!r}; known procedures: {known}")
    raise InputError(
        f"{wanted!r} matches {len(matches)} procedures: {describe(matches)}; name one of them"
    )


def expand_curie(name: str) -> str | None:
    """Return the IRI for `prefix:local` when the prefix is one nephrokb knows."""
    prefix, colon, local = name.partition(":")
    if not colon or prefix not in PREFIXES or local.startswith("//"):
        return None
    return PREFIXES[prefix] + local


def describe(procedures: Iterable[Procedure]) -> str:
    """Return `curie "label"` for each procedure, comma-separated, sorted by CURIE."""
    return ", ".join(f'{p.curie} "{p.label}"' for p in sorted(procedures, key=lambda p: p.curie))
