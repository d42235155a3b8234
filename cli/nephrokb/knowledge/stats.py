"""Count what a knowledge graph holds: triples, nodes per class, steps, mappings, literature.

A procedure's literature is counted as nephrokb.knowledge.literature reads it: its
contraindications, preparation, precautions, complications, aftercare and alternatives, its
rates (those of its findings measured for it, and its success rates) and the works cited.

Mappings are triples whose predicate is a SKOS mapping property; they are counted per
terminology of their object IRI (nephrokb.terminologies), every terminology listed, 0
included, and objects in no known terminology under OTHER_TERMINOLOGY.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import RDF, URIRef

from nephrokb.knowledge.labels import label_of
from nephrokb.knowledge.literature import SECTION_TITLES, read_literature
from nephrokb.namespaces import HAS_STEP, MAPPING_PREDICATES, OWL, VOCAB, compact
from nephrokb.rdf.loading import load_graph
from nephrokb.resources import bundled_files
from nephrokb.terminologies import TERMINOLOGIES, terminology_of

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

OTHER_TERMINOLOGY = "other"


@dataclass(frozen=True)
class ProcedureSize:
    """How many steps one procedure has."""

    curie: str
    label: str
    steps: int


@dataclass(frozen=True)
class ProcedureLiterature:
    """How much of the literature layer one procedure has, by section."""

    curie: str
    counts: dict[str, int]


@dataclass(frozen=True)
class Stats:
    """The counts `nephrokb stats` reports."""

    triples: int
    classes: dict[str, int]
    procedures: tuple[ProcedureSize, ...]
    mappings: dict[str, int]
    literature: tuple[ProcedureLiterature, ...]


def compute_stats(graph: Graph) -> Stats:
    """Count triples, nodes per nkb: class (every ontology class, 0 included), steps, mappings."""

    ontology = load_graph(bundled_files("ontology"))
    declared = {
        str(node)
        for node in ontology.subjects(RDF.type, URIRef(OWL + "Class"))
        if str(node).startswith(VOCAB)
    }
    used = {str(node) for node in graph.objects(None, RDF.type) if str(node).startswith(VOCAB)}
    classes = {
        compact(iri): len(set(graph.subjects(RDF.type, URIRef(iri))))
        for iri in sorted(declared | used)
    }
    procedure_nodes = sorted(
        set(graph.subjects(RDF.type, URIRef(VOCAB + "Procedure"))),
        key=lambda node: compact(str(node)),
    )
    procedures = [
        ProcedureSize(
            curie=compact(str(node)),
            label=label_of(graph, node),
            steps=len(set(graph.objects(node, URIRef(HAS_STEP)))),
        )
        for node in procedure_nodes
    ]
    mappings = {terminology.name: 0 for terminology in TERMINOLOGIES.values()}
    mappings[OTHER_TERMINOLOGY] = 0
    for predicate in MAPPING_PREDICATES:
        for target in graph.objects(None, URIRef(predicate)):
            terminology = terminology_of(str(target))
            mappings[terminology.name if terminology else OTHER_TERMINOLOGY] += 1
    return Stats(
        triples=len(graph),
        classes=classes,
        procedures=tuple(procedures),
        mappings=mappings,
        literature=tuple(literature_counts(graph, node) for node in procedure_nodes),
    )


def literature_counts(graph: Graph, procedure: Node) -> ProcedureLiterature:
    """Count one procedure's literature: each section, its rates and the works cited."""
    literature = read_literature(graph, procedure)
    counts = {field: len(getattr(literature, field)) for field, _ in SECTION_TITLES}
    rates = {rate.iri for findings in literature.sections() for f in findings for rate in f.rates}
    counts["rates"] = len(rates | {rate.iri for rate in literature.success_rates})
    counts["evidence"] = len(literature.citations())
    return ProcedureLiterature(curie=compact(str(procedure)), counts=counts)


def render_text(stats: Stats) -> str:
    """Return the counts as aligned text sections."""
    lines = [f"Triples: {stats.triples}", "", "Nodes per class:"]
    lines += aligned(stats.classes.items())
    lines += ["", "Steps per procedure:"]
    lines += aligned((size.curie, size.steps) for size in stats.procedures)
    lines += ["", "Mappings per terminology:"]
    lines += aligned(stats.mappings.items())
    for procedure in stats.literature:
        lines += ["", f"Literature of {procedure.curie}:"]
        lines += aligned(procedure.counts.items())
    return "\n".join(lines) + "\n"


def aligned(rows) -> list[str]:
    """Return `name  count` lines, names padded to one width and counts right-aligned."""
    rows = list(rows)
    if not rows:
        return ["  (none)"]
    name_width = max(len(name) for name, _ in rows)
    count_width = max(len(str(count)) for _, count in rows)
    return [f"  {name:<{name_width}}  {count:>{count_width}}" for name, count in rows]


def render_json(stats: Stats) -> str:
    """Return the counts as JSON: triples, classes, procedures, mappings, literature.

    `procedures` lists curie, label and steps; `literature` maps each procedure's curie to
    its counts by section.
    """
    document = {
        "triples": stats.triples,
        "classes": stats.classes,
        "procedures": [
            {"curie": size.curie, "label": size.label, "steps": size.steps}
            for size in stats.procedures
        ],
        "mappings": stats.mappings,
        "literature": {procedure.curie: procedure.counts for procedure in stats.literature},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


STATS_FORMATS: dict[str, Callable[[Stats], str]] = {"json": render_json, "text": render_text}
