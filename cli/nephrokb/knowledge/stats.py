"""Count what a knowledge graph holds: triples, nodes per nkb: class, steps, mappings.

Mappings are triples whose predicate is a SKOS mapping property; they are counted per
terminology of their object IRI (nephrokb.terminologies), every terminology listed, 0
included, and objects in no known terminology under OTHER_TERMINOLOGY.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nephrokb.namespaces import PREFIXES, VOCAB, compact
from nephrokb.terminologies import TERMINOLOGIES, terminology_of

if TYPE_CHECKING:
    from rdflib import Graph

MAPPING_PREDICATES = tuple(
    PREFIXES["skos"] + name
    for name in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
)
OTHER_TERMINOLOGY = "other"


@dataclass(frozen=True)
class ProcedureSize:
    """How many steps one procedure has."""

    curie: str
    label: str
    steps: int


@dataclass(frozen=True)
class Stats:
    """The counts `nephrokb stats` reports."""

    triples: int
    classes: dict[str, int]
    procedures: tuple[ProcedureSize, ...]
    mappings: dict[str, int]


def compute_stats(graph: Graph) -> Stats:
    """Count triples, nodes per nkb: class (every ontology class, 0 included), steps, mappings."""
    from rdflib import RDF, URIRef

    from nephrokb.knowledge.model import label_of
    from nephrokb.rdf.loading import load_graph
    from nephrokb.resources import bundled_files

    ontology = load_graph(bundled_files("ontology"))
    declared = {
        str(node)
        for node in ontology.subjects(RDF.type, URIRef(PREFIXES["owl"] + "Class"))
        if str(node).startswith(VOCAB)
    }
    used = {str(node) for node in graph.objects(None, RDF.type) if str(node).startswith(VOCAB)}
    classes = {
        compact(iri): len(set(graph.subjects(RDF.type, URIRef(iri))))
        for iri in sorted(declared | used)
    }
    procedures = sorted(
        (
            ProcedureSize(
                curie=compact(str(node)),
                label=label_of(graph, node),
                steps=len(set(graph.objects(node, URIRef(VOCAB + "hasStep")))),
            )
            for node in set(graph.subjects(RDF.type, URIRef(VOCAB + "Procedure")))
        ),
        key=lambda size: size.curie,
    )
    mappings = {terminology.name: 0 for terminology in TERMINOLOGIES.values()}
    mappings[OTHER_TERMINOLOGY] = 0
    for predicate in MAPPING_PREDICATES:
        for target in graph.objects(None, URIRef(predicate)):
            terminology = terminology_of(str(target))
            mappings[terminology.name if terminology else OTHER_TERMINOLOGY] += 1
    return Stats(
        triples=len(graph), classes=classes, procedures=tuple(procedures), mappings=mappings
    )


def render_text(stats: Stats) -> str:
    """Return the counts as aligned text sections."""
    lines = [f"Triples: {stats.triples}", "", "Nodes per class:"]
    lines += aligned(stats.classes.items())
    lines += ["", "Steps per procedure:"]
    lines += aligned((size.curie, size.steps) for size in stats.procedures)
    lines += ["", "Mappings per terminology:"]
    lines += aligned(stats.mappings.items())
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
    """Return the counts as JSON: triples, classes, procedures (curie, label, steps), mappings."""
    document = {
        "triples": stats.triples,
        "classes": stats.classes,
        "procedures": [
            {"curie": size.curie, "label": size.label, "steps": size.steps}
            for size in stats.procedures
        ],
        "mappings": stats.mappings,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


STATS_FORMATS: dict[str, Callable[[Stats], str]] = {"json": render_json, "text": render_text}
