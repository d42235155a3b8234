"""The glossary, vocabulary and identifiers pages: every node and term, each with its entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from nephrokb.knowledge.labels import label_of, text_of
from nephrokb.knowledge.model import SourceLine, source_lines
from nephrokb.namespaces import DCTERMS, OWL, OWL_ANNOTATED_SOURCE, PREFIXES, SKOS, VOCAB
from nephrokb.rdf.graph_index import uri
from nephrokb.site.knowledge import (
    GLOSSARY_PAGE,
    IDENTIFIERS_PAGE,
    VOCABULARY_PAGE,
    Anchor,
    Fact,
    MappingRow,
    Relation,
    incoming_relations,
    literal_facts,
    mapping_rows,
    outgoing_relations,
    types_of,
)
from nephrokb.site.page_model import Page
from nephrokb.site.vocabulary import Vocabulary, local_name

if TYPE_CHECKING:
    from rdflib import Graph

# Glossary sections in this order, with their headings; other types follow by label.
GLOSSARY_SECTIONS = {
    VOCAB + "Indication": "Indications",
    VOCAB + "Benefit": "Benefits",
    VOCAB + "Condition": "Conditions",
    VOCAB + "Device": "Devices",
    VOCAB + "Substance": "Substances",
    VOCAB + "ImagingModality": "Imaging modalities",
    VOCAB + "AnatomicalSite": "Anatomical sites",
    VOCAB + "ExpectedFinding": "Expected findings",
}


@dataclass(frozen=True)
class Entry:
    """One glossary or source entry with everything shown about it."""

    anchor: Anchor
    types: tuple[str, ...]
    text: str | None
    facts: tuple[Fact, ...]
    outgoing: tuple[Relation, ...]
    incoming: tuple[Relation, ...]
    mappings: tuple[MappingRow, ...]
    sources: tuple[SourceLine, ...]


def entry(graph: Graph, labels: Graph, anchor: Anchor) -> Entry:
    """Read one node for the glossary."""
    node = URIRef(anchor.iri)
    return Entry(
        anchor=anchor,
        types=tuple(types_of(graph, node)),
        text=text_of(graph, node, SKOS + "definition")
        or text_of(graph, node, DCTERMS + "description"),
        facts=literal_facts(graph, labels, node),
        outgoing=outgoing_relations(graph, labels, node),
        incoming=incoming_relations(graph, labels, node),
        mappings=mapping_rows(graph, node),
        sources=source_lines(graph, node),
    )


def glossary_page(graph: Graph, labels: Graph, anchors: dict[str, Anchor]) -> Page:
    """Every node that is not a procedure, step, source or mapping, grouped by type."""
    grouped: dict[str, list[Entry]] = {}
    for anchor in anchors.values():
        if anchor.page != GLOSSARY_PAGE or VOCAB + "Mapping" in types_of(graph, URIRef(anchor.iri)):
            continue
        read = entry(graph, labels, anchor)
        grouped.setdefault(read.types[0] if read.types else "", []).append(read)
    known = [kind for kind in GLOSSARY_SECTIONS if kind in grouped]
    others = sorted(
        (kind for kind in grouped if kind not in GLOSSARY_SECTIONS),
        key=lambda kind: (label_of(labels, URIRef(kind)).casefold() if kind else "~", kind),
    )
    sections = [
        {
            "id": "_" + (local_name(kind) if kind else "untyped"),
            "heading": GLOSSARY_SECTIONS.get(kind)
            or (label_of(labels, URIRef(kind)) if kind else "Untyped nodes"),
            "kind": kind,
            "entries": sorted(
                grouped[kind], key=lambda e: (e.anchor.label.casefold(), e.anchor.iri)
            ),
        }
        for kind in [*known, *others]
    ]
    return Page(
        GLOSSARY_PAGE,
        "glossary.html.j2",
        "Glossary",
        {"sections": sections, "unplaced_mappings": unplaced_mappings(graph, anchors)},
    )


def unplaced_mappings(graph: Graph, anchors: dict[str, Anchor]) -> list[dict[str, Any]]:
    """Return the mapping records whose subject has no entry here, so they get one of their own."""
    unplaced = []
    for anchor in anchors.values():
        node = URIRef(anchor.iri)
        if VOCAB + "Mapping" not in types_of(graph, node):
            continue
        source = graph.value(node, uri(OWL_ANNOTATED_SOURCE))
        if source is not None and str(source) in anchors:
            continue
        unplaced.append(
            {
                "anchor": anchor,
                "source": str(source) if source is not None else None,
                "relation": graph.value(node, uri(OWL + "annotatedProperty")),
                "target": graph.value(node, uri(OWL + "annotatedTarget")),
            }
        )
    return sorted(unplaced, key=lambda found: found["anchor"].iri)


def vocabulary_page(vocabulary: Vocabulary) -> Page:
    """The OWL vocabulary, one entry per class and property."""
    return Page(
        VOCABULARY_PAGE,
        "vocabulary.html.j2",
        vocabulary.title,
        {"vocabulary": vocabulary, "prefixes": sorted(PREFIXES.items())},
    )


def identifiers_page(anchors: dict[str, Anchor]) -> Page:
    """Every knowledge identifier, A to Z, with where it is described."""
    rows = sorted(anchors.values(), key=lambda anchor: (anchor.slug, anchor.iri))
    return Page(IDENTIFIERS_PAGE, "identifiers.html.j2", "Identifiers", {"anchors": rows})
