"""Read what the site shows about knowledge nodes: where each lives, its links and its mappings.

Every node under the knowledge namespace gets a home: a procedure page for a procedure and
its steps, sources.html for source documents and lines, the home of its subject for a mapping
record, glossary.html for everything else. Its anchor id is its slug (the IRI without the
namespace), so https://w3id.org/nephrokb/id/<slug> can redirect to <page>#<slug>.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from rdflib import RDF, Literal, URIRef

from nephrokb.knowledge.labels import label_of, text_of
from nephrokb.knowledge.lookup import MEANINGS
from nephrokb.knowledge.mappings import Mapping, mappings_of
from nephrokb.knowledge.model import Reference
from nephrokb.namespaces import (
    DCTERMS,
    HAS_STEP,
    KB,
    OWL_ANNOTATED_SOURCE,
    PROV,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS,
    SKOS_BROAD_MATCH,
    SKOS_CLOSE_MATCH,
    SKOS_EXACT_MATCH,
    SKOS_NARROW_MATCH,
    SKOS_RELATED_MATCH,
    STEP_NUMBER,
    VOCAB,
    compact,
)
from nephrokb.rdf.graph_index import uri
from nephrokb.site.browsers import browser_url

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node


INDEX_PAGE = "index.html"
GLOSSARY_PAGE = "glossary.html"
SOURCES_PAGE = "sources.html"
VOCABULARY_PAGE = "vocabulary.html"
QUERIES_PAGE = "queries.html"
IDENTIFIERS_PAGE = "identifiers.html"
STYLESHEET = "style.css"
IMAGES_FOLDER = "images"
SITE_FILES = frozenset(
    {INDEX_PAGE, GLOSSARY_PAGE, SOURCES_PAGE, VOCABULARY_PAGE, QUERIES_PAGE, IDENTIFIERS_PAGE}
)
WEB_ADDRESS = ("http://", "https://")
SAFE_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

# SKOS mapping relations, strongest first, as the tables order them.
MAPPING_RELATIONS = {
    SKOS_EXACT_MATCH: "exact match",
    SKOS_CLOSE_MATCH: "close match",
    SKOS_BROAD_MATCH: "broad match",
    SKOS_NARROW_MATCH: "narrow match",
    SKOS_RELATED_MATCH: "related match",
}
# Statements every entry shows in its own place, so the generic relation lists leave them out.
SHOWN_APART = frozenset(
    {
        RDF_TYPE,
        RDFS_LABEL,
        SKOS + "definition",
        DCTERMS + "description",
        DCTERMS + "source",
        PROV + "wasDerivedFrom",
        HAS_STEP,
        STEP_NUMBER,
        VOCAB + "dependsOn",
        VOCAB + "condition",
        VOCAB + "hasIndication",
        VOCAB + "hasBenefit",
        VOCAB + "reliesOn",
        OWL_ANNOTATED_SOURCE,
        *MAPPING_RELATIONS,
    }
)


@dataclass(frozen=True)
class Anchor:
    """Where a node is described on the site: its page and its id there."""

    iri: str
    slug: str
    page: str
    label: str
    kind: str

    @property
    def href(self) -> str:
        """The link to the node from any page of the site."""
        return f"{self.page}#{quote(self.slug, safe='')}"


@dataclass(frozen=True)
class Relation:
    """The nodes one property links a node to (or from), under the property's label."""

    property_iri: str
    property_label: str
    nodes: tuple[Reference, ...]


@dataclass(frozen=True)
class Fact:
    """A literal value of a node, under its property's label."""

    property_iri: str
    property_label: str
    value: str


@dataclass(frozen=True)
class MappingRow:
    """One mapping record as the site's tables show it: the code, the relation, the notes."""

    record: str
    relation: str
    relation_label: str
    target: str
    curie: str
    terminology: str
    browser: str | None
    object_label: str | None
    confidence: str | None
    justification: str
    comment: str | None
    evidence: str | None
    meaning: str
    names_licensed: bool

    @property
    def has_notes(self) -> bool:
        """True when the mapping has curation notes to show under its table."""
        return any((self.confidence, self.justification, self.comment, self.evidence))


def slug_of(iri: str) -> str:
    """Return the part of a knowledge IRI after the namespace, or the IRI's last segment."""
    if iri.startswith(KB) and len(iri) > len(KB):
        return iri[len(KB) :]
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


def procedure_page(iri: str) -> str:
    """Return the file name of a procedure's page."""
    return slug_of(iri) + ".html"


def types_of(graph: Graph, node: Node) -> list[str]:
    """Return the node's rdf:type IRIs, sorted."""
    return sorted(str(kind) for kind in graph.objects(node, uri(RDF_TYPE)))


def kind_label(kinds: Iterable[str], labels: Graph) -> str:
    """Name a node's type for people: the label of its first type, or 'Node' when untyped."""
    kinds = list(kinds)
    return label_of(labels, uri(kinds[0])) if kinds else "Node"


def index_anchors(graph: Graph, labels: Graph) -> dict[str, Anchor]:
    """Give every node of the knowledge namespace a page and an id; return them by IRI.

    `labels` is a graph holding the vocabulary's labels (the ontology), for naming types.
    """
    subjects = {str(s): s for s in graph.subjects() if isinstance(s, URIRef)}
    nodes = sorted(iri for iri in subjects if iri.startswith(KB) and len(iri) > len(KB))
    anchors: dict[str, Anchor] = {}
    mapping_records = []
    kind_labels: dict[str, str] = {}  # by first type: a few types name every node
    for iri in nodes:
        node = subjects[iri]
        kinds = types_of(graph, node)
        if VOCAB + "Mapping" in kinds:
            mapping_records.append(iri)
            continue
        page = home_page(graph, node, kinds)
        first = kinds[0] if kinds else ""
        if first not in kind_labels:
            kind_labels[first] = kind_label(kinds, labels)
        anchors[iri] = Anchor(iri, slug_of(iri), page, label_of(graph, node), kind_labels[first])
    mapping_kind = kind_label([VOCAB + "Mapping"], labels)
    for iri in mapping_records:
        node = subjects[iri]
        source = graph.value(node, uri(OWL_ANNOTATED_SOURCE))
        home = anchors.get(str(source)) if source is not None else None
        page = home.page if home else GLOSSARY_PAGE
        anchors[iri] = Anchor(iri, slug_of(iri), page, label_of(graph, node), mapping_kind)
    return anchors


def home_page(graph: Graph, node: Node, kinds: list[str]) -> str:
    """Return the page that describes a node that is not a mapping record."""
    if VOCAB + "Procedure" in kinds:
        return procedure_page(str(node))
    if VOCAB + "Step" in kinds:
        holders = sorted(
            str(p) for p in graph.subjects(uri(HAS_STEP), node) if isinstance(p, URIRef)
        )
        if holders and VOCAB + "Procedure" in types_of(graph, URIRef(holders[0])):
            return procedure_page(holders[0])
    if VOCAB + "SourceDocument" in kinds or VOCAB + "SourceExcerpt" in kinds:
        return SOURCES_PAGE
    return GLOSSARY_PAGE


def property_label(iri: str, labels: Graph) -> str:
    """Return a property's label from the vocabulary, or its compact name."""
    return text_of(labels, uri(iri), RDFS_LABEL) or compact(iri)


def reference(graph: Graph, node: Node) -> Reference:
    """Name a node by its label (its compact name when it has no label and no local name)."""
    return Reference(str(node), label_of(graph, node))


def outgoing_relations(graph: Graph, labels: Graph, node: Node) -> tuple[Relation, ...]:
    """Return the node's links to other nodes, by property label, leaving out SHOWN_APART."""
    grouped: dict[str, set[Reference]] = {}
    for predicate, value in graph.predicate_objects(node):
        if isinstance(value, URIRef) and str(predicate) not in SHOWN_APART:
            grouped.setdefault(str(predicate), set()).add(reference(graph, value))
    return sorted_relations(grouped, labels)


def incoming_relations(graph: Graph, labels: Graph, node: Node) -> tuple[Relation, ...]:
    """Return the nodes that link to this one, by property label, leaving out SHOWN_APART."""
    grouped: dict[str, set[Reference]] = {}
    for subject, predicate in graph.subject_predicates(node):
        if isinstance(subject, URIRef) and str(predicate) not in SHOWN_APART:
            grouped.setdefault(str(predicate), set()).add(reference(graph, subject))
    return sorted_relations(grouped, labels)


def sorted_relations(grouped: dict[str, set[Reference]], labels: Graph) -> tuple[Relation, ...]:
    """Order relations by property label and their nodes by label, then IRI."""
    relations = [
        Relation(
            predicate,
            property_label(predicate, labels),
            tuple(sorted(nodes, key=lambda ref: (ref.label.casefold(), ref.iri))),
        )
        for predicate, nodes in grouped.items()
    ]
    return tuple(sorted(relations, key=lambda r: (r.property_label.casefold(), r.property_iri)))


def literal_facts(graph: Graph, labels: Graph, node: Node) -> tuple[Fact, ...]:
    """Return the node's literal values other than those SHOWN_APART, sorted."""
    facts = {
        Fact(str(predicate), property_label(str(predicate), labels), " ".join(str(value).split()))
        for predicate, value in graph.predicate_objects(node)
        if isinstance(value, Literal) and str(predicate) not in SHOWN_APART
    }
    return tuple(sorted(facts, key=lambda f: (f.property_label.casefold(), f.value)))


def mapping_rows(graph: Graph, node: Node) -> tuple[MappingRow, ...]:
    """Return the rows of the node's mapping records, exact first, then terminology and code."""
    rows = [mapping_row(mapping) for mapping in mappings_of(graph, node)]
    order = list(MAPPING_RELATIONS)
    return tuple(sorted(rows, key=lambda r: (order.index(r.relation), r.terminology, r.curie)))


def mapping_row(mapping: Mapping) -> MappingRow:
    """Return how the site shows one mapping record."""
    terminology = mapping.terminology
    # Only web addresses become links: a javascript: URL in the data must stay text.
    evidence = next((iri for iri in mapping.see_also if iri.startswith(WEB_ADDRESS)), None)
    return MappingRow(
        record=mapping.iri,
        relation=mapping.predicate,
        relation_label=MAPPING_RELATIONS[mapping.predicate],
        target=mapping.object,
        curie=compact(mapping.object),
        terminology=terminology.name if terminology else "other",
        browser=browser_url(mapping.object),
        object_label=mapping.object_label,
        confidence=None if mapping.confidence is None else str(mapping.confidence),
        justification=compact(mapping.justification),
        comment=mapping.comment,
        evidence=evidence,
        meaning=MEANINGS[mapping.predicate],
        names_licensed=terminology.names_licensed if terminology else False,
    )


def source_documents(graph: Graph) -> tuple[Reference, ...]:
    """Return the source documents, each with its title (dcterms:title, else its label)."""
    documents = (
        Reference(
            str(node),
            text_of(graph, node, DCTERMS + "title") or label_of(graph, node),
        )
        for node in set(graph.subjects(RDF.type, uri(VOCAB + "SourceDocument")))
        if isinstance(node, URIRef)
    )
    return tuple(sorted(documents, key=lambda document: (document.label.casefold(), document.iri)))
