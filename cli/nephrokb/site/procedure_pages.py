"""The home page and a page per procedure: checklist, flow diagram, conditions, equipment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from rdflib import URIRef

from nephrokb.errors import InputError
from nephrokb.knowledge.labels import label_of
from nephrokb.knowledge.literature import SECTION_TITLES
from nephrokb.knowledge.model import Procedure, Reference
from nephrokb.namespaces import VOCAB
from nephrokb.rdf.graph_index import uri
from nephrokb.site.knowledge import (
    IMAGES_FOLDER,
    INDEX_PAGE,
    SAFE_FILE_NAME,
    SITE_FILES,
    kind_label,
    mapping_rows,
    outgoing_relations,
    procedure_page,
    slug_of,
    types_of,
)
from nephrokb.site.page_model import Page
from nephrokb.site.svg import flow_title
from nephrokb.site.vocabulary import Vocabulary

if TYPE_CHECKING:
    from rdflib import Graph

EQUIPMENT_TYPES = (VOCAB + "Device", VOCAB + "Substance", VOCAB + "ImagingModality")
CONDITION_TYPE = VOCAB + "Condition"


def flow_image_path(procedure: Procedure) -> str:
    """Return where the site writes a procedure's standalone flow diagram."""
    return f"{IMAGES_FOLDER}/{slug_of(procedure.iri)}-flow.svg"


def check_page_names(procedures: Sequence[Procedure]) -> None:
    """Refuse procedures whose slug cannot be a page of its own."""
    for procedure in procedures:
        name = procedure_page(procedure.iri)
        if not SAFE_FILE_NAME.fullmatch(name) or name in SITE_FILES:
            reserved = ", ".join(sorted(SITE_FILES))
            raise InputError(
                f"{procedure.curie} cannot have a page called {name!r}: a procedure's slug must "
                f"be letters, digits, '.', '_' or '-' and not one of {reserved}"
            )


def relied_on_by(procedures: Sequence[Procedure]) -> dict[str, list[Procedure]]:
    """Return, by procedure IRI, the procedures that rely on it, in the order of `procedures`."""
    reliance: dict[str, list[Procedure]] = {}
    for other in procedures:
        for iri in dict.fromkeys(reference.iri for reference in other.relies_on):
            reliance.setdefault(iri, []).append(other)
    return reliance


def index_page(procedures: Sequence[Procedure], vocabulary: Vocabulary) -> Page:
    """The home page: every procedure with its definition and counts."""
    return Page(
        INDEX_PAGE,
        "index.html.j2",
        "Procedures",
        {"procedures": procedures, "vocabulary": vocabulary, "page_of": procedure_page},
    )


def procedure_page_of(
    procedure: Procedure,
    reliance: dict[str, list[Procedure]],
    graph: Graph,
    labels: Graph,
    svg: str,
) -> Page:
    """One procedure: checklist, flow, indications, benefits, conditions, devices, mappings."""
    step_relations = {
        step.iri: outgoing_relations(graph, labels, URIRef(step.iri)) for step in procedure.steps
    }
    conditions: dict[str, list[Reference]] = {}
    for statement in (*procedure.indications, *procedure.benefits):
        for condition in statement.conditions:
            conditions.setdefault(condition.iri, []).append(
                Reference(statement.iri, statement.label)
            )
    equipment: dict[str, list[int]] = {}
    for step in procedure.steps:
        for relation in step_relations[step.iri]:
            for target in relation.nodes:
                kinds = types_of(graph, URIRef(target.iri))
                if CONDITION_TYPE in kinds:
                    conditions.setdefault(target.iri, []).append(
                        Reference(step.iri, f"step {step.number}")
                    )
                if any(kind in EQUIPMENT_TYPES for kind in kinds):
                    equipment.setdefault(target.iri, []).append(step.number)
    relied_on_by = reliance.get(procedure.iri, [])
    literature = procedure.literature
    cited = literature.citations() if literature else ()
    coded = (
        [f.iri for f in (*literature.contraindications, *literature.complications)]
        if (literature)
        else []
    )
    mappings = {
        iri: mapping_rows(graph, uri(iri))
        for iri in [procedure.iri, *conditions, *equipment, *coded]
    }
    return Page(
        procedure_page(procedure.iri),
        "procedure.html.j2",
        procedure.label,
        {
            "procedure": procedure,
            "slug": slug_of(procedure.iri),
            "svg": Markup(svg),
            "flow_title": flow_title(procedure),
            "flow_image": flow_image_path(procedure),
            "step_relations": step_relations,
            "step_mappings": {
                step.iri: mapping_rows(graph, URIRef(step.iri)) for step in procedure.steps
            },
            "relied_on_by": relied_on_by,
            "conditions": sorted_by_label(conditions, graph),
            "equipment": sorted_by_label(
                {iri: sorted(set(numbers)) for iri, numbers in equipment.items()}, graph
            ),
            "mappings": mappings,
            "kind_of": lambda iri: kind_name(graph, labels, iri),
            "citations": cited,
            "citation_numbers": {c.iri: n for n, c in enumerate(cited, start=1)},
            "literature_sections": SECTION_TITLES,
        },
    )


def sorted_by_label(values: dict[str, Any], graph: Graph) -> list[tuple[Reference, Any]]:
    """Return (node, value) pairs ordered by the node's label."""
    pairs = [(Reference(iri, label_of(graph, uri(iri))), value) for iri, value in values.items()]
    return sorted(pairs, key=lambda pair: (pair[0].label.casefold(), pair[0].iri))


def kind_name(graph: Graph, labels: Graph, iri: str) -> str:
    """Return the label of a node's first type."""
    return kind_label(types_of(graph, uri(iri)), labels)
