"""Read the mapping records of a knowledge graph, and name their IRIs as CURIEs.

A mapping is stored twice (kb/mappings.ttl): as a plain SKOS triple
(`kb:x skos:exactMatch SCTID:313270001`), and as a `nkb:Mapping` record, an owl:Axiom naming
that triple (owl:annotatedSource, owl:annotatedProperty, owl:annotatedTarget) and carrying its
SSSOM slots: sssom:mapping_justification, sssom:author_id, sssom:mapping_date,
sssom:confidence, sssom:see_also, and optionally sssom:object_label and sssom:comment.

The two halves must agree: a SKOS mapping triple without a record, or a record whose triple is
not asserted, is refused with an InputError (`nephrokb validate` reports both as violations).
Texts have their whitespace collapsed, as in nephrokb.knowledge.model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from curies import Converter
from rdflib import RDF, Literal, URIRef

from nephrokb.errors import InputError
from nephrokb.knowledge.labels import label_of, text_of
from nephrokb.namespaces import (
    MAPPING_PREDICATES,
    OWL,
    OWL_ANNOTATED_SOURCE,
    PREFIXES,
    SSSOM,
    VOCAB,
    compact,
)
from nephrokb.terminologies import TERMINOLOGIES, Terminology, terminology_of

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node


# A prefix a Turtle file may bind that can also be written in a CURIE and a curie_map.
PREFIX_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


@dataclass(frozen=True)
class Mapping:
    """One mapping record: a local node, a SKOS predicate, a terminology concept, and why."""

    iri: str
    subject: str
    subject_label: str
    predicate: str
    object: str
    object_label: str | None
    justification: str
    authors: tuple[str, ...]
    date: str | None
    confidence: float | None
    see_also: tuple[str, ...]
    comment: str | None

    @property
    def terminology(self) -> Terminology | None:
        """The terminology of the mapped concept, if nephrokb knows it."""
        return terminology_of(self.object)


def read_mappings(graph: Graph) -> tuple[Mapping, ...]:
    """Return every nkb:Mapping record, sorted by subject, predicate, object and record IRI.

    Raises InputError when a record lacks a required slot, or when records and SKOS triples
    disagree.
    """
    records = [
        read_mapping(graph, node)
        for node in set(graph.subjects(RDF.type, URIRef(VOCAB + "Mapping")))
    ]
    asserted = [
        (str(subject), predicate, str(target))
        for predicate in MAPPING_PREDICATES
        for subject, target in graph.subject_objects(URIRef(predicate))
    ]
    return agreeing(graph, records, asserted)


def mappings_of(graph: Graph, node: Node) -> tuple[Mapping, ...]:
    """Return the mapping records of one node (their owl:annotatedSource), as read_mappings does.

    Raises InputError as read_mappings does, for this node's records and SKOS triples.
    """
    mapping_class = URIRef(VOCAB + "Mapping")
    records = [
        read_mapping(graph, record)
        for record in set(graph.subjects(URIRef(OWL_ANNOTATED_SOURCE), node))
        if (record, RDF.type, mapping_class) in graph
    ]
    asserted = [
        (str(node), predicate, str(target))
        for predicate in MAPPING_PREDICATES
        for target in graph.objects(node, URIRef(predicate))
    ]
    return agreeing(graph, records, asserted)


def agreeing(
    graph: Graph, records: list[Mapping], asserted: list[tuple[str, str, str]]
) -> tuple[Mapping, ...]:
    """Return the records sorted, or raise InputError where they and the SKOS triples disagree."""
    records = sorted(
        records,
        key=lambda mapping: (mapping.subject, mapping.predicate, mapping.object, mapping.iri),
    )
    recorded = {(mapping.subject, mapping.predicate, mapping.object) for mapping in records}
    for mapping in records:
        triple = (URIRef(mapping.subject), URIRef(mapping.predicate), URIRef(mapping.object))
        if triple not in graph:
            raise InputError(
                f"{compact(mapping.iri)} records {describe_triple(*map(str, triple))}, "
                "which the knowledge base does not assert (run 'nephrokb validate')"
            )
    for triple in sorted(asserted):
        if triple not in recorded:
            raise InputError(
                f"{describe_triple(*triple)} has no nkb:Mapping record with its "
                "justification (run 'nephrokb validate')"
            )
    return tuple(records)


def read_mapping(graph: Graph, node: Node) -> Mapping:
    """Read one nkb:Mapping record."""
    subject = only_value(graph, node, OWL_ANNOTATED_SOURCE)
    predicate = only_value(graph, node, OWL + "annotatedProperty")
    if str(predicate) not in MAPPING_PREDICATES:
        known = ", ".join(compact(iri) for iri in MAPPING_PREDICATES)
        raise InputError(
            f"{compact(str(node))} maps with {compact(str(predicate))}; "
            f"a mapping predicate is one of {known} (run 'nephrokb validate')"
        )
    dates = sorted(
        iso_date(value)
        for value in graph.objects(node, URIRef(SSSOM + "mapping_date"))
        if isinstance(value, Literal)
    )
    return Mapping(
        iri=str(node),
        subject=str(subject),
        subject_label=label_of(graph, subject),
        predicate=str(predicate),
        object=str(only_value(graph, node, OWL + "annotatedTarget")),
        object_label=text_of(graph, node, SSSOM + "object_label"),
        justification=str(only_value(graph, node, SSSOM + "mapping_justification")),
        authors=iris(graph, node, SSSOM + "author_id"),
        date=dates[0] if dates else None,
        confidence=confidence_of(graph, node),
        see_also=iris(graph, node, SSSOM + "see_also"),
        comment=text_of(graph, node, SSSOM + "comment"),
    )


def only_value(graph: Graph, node: Node, predicate: str) -> Node:
    """Return the one IRI value of a required single-valued slot, or raise InputError."""
    values = [v for v in graph.objects(node, URIRef(predicate)) if isinstance(v, URIRef)]
    if len(values) != 1:
        raise InputError(
            f"{compact(str(node))} needs exactly one IRI as {compact(predicate)}, "
            f"has {len(values)} (run 'nephrokb validate')"
        )
    return values[0]


def iris(graph: Graph, node: Node, predicate: str) -> tuple[str, ...]:
    """Return the IRI values of a multi-valued slot, sorted."""
    return tuple(
        sorted(str(v) for v in graph.objects(node, URIRef(predicate)) if isinstance(v, URIRef))
    )


def iso_date(value: Literal) -> str:
    """Return an xsd:date literal as YYYY-MM-DD, or its text when it is not a valid date."""
    python = value.toPython()
    return python.isoformat() if isinstance(python, date) else str(value)


def confidence_of(graph: Graph, node: Node) -> float | None:
    """Return the record's sssom:confidence (the lowest, if several), or None."""
    values = []
    for value in graph.objects(node, URIRef(SSSOM + "confidence")):
        number = value.toPython() if isinstance(value, Literal) else None
        if isinstance(number, bool) or not isinstance(number, int | float | Decimal):
            raise InputError(
                f"{compact(str(node))} has confidence {value.n3()}, which is not a number "
                "(run 'nephrokb validate')"
            )
        values.append(float(number))
    return min(values) if values else None


def describe_triple(subject: str, predicate: str, target: str) -> str:
    """Return `kb:x skos:exactMatch SCTID:1` for a mapping triple."""
    return f"{compact(subject)} {compact(predicate)} {compact(target)}"


def curie_converter(graph: Graph | None = None) -> Converter:
    """Return a curies.Converter for nephrokb's prefixes and terminologies.

    With a graph, the prefixes its Turtle files bound are added after nephrokb's own, where
    neither the prefix nor its namespace is taken, so mappings to other terminologies can
    still be written as CURIEs.
    """
    prefix_map = dict(PREFIXES)
    prefix_map.update({t.prefix: t.namespace for t in TERMINOLOGIES.values()})
    if graph is not None:
        taken = set(prefix_map.values())
        for prefix, namespace in sorted(graph.namespaces()):
            name = str(namespace)
            if PREFIX_NAME.fullmatch(prefix) and prefix not in prefix_map and name not in taken:
                prefix_map[prefix] = name
                taken.add(name)
    return Converter.from_prefix_map(prefix_map)
