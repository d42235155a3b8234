"""The terminology resources of the FHIR export: the CodeSystem of our concepts, the ConceptMap."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rdflib import RDF, URIRef

from nephrokb import __version__
from nephrokb.errors import InputError
from nephrokb.exporters.fhir_coding import (
    CODE_SYSTEM_ID,
    CODE_SYSTEM_URL,
    COPYRIGHT,
    FHIR_BASE,
    code_of,
    identifier_of,
)
from nephrokb.knowledge.labels import label_of, text_of
from nephrokb.namespaces import (
    DCTERMS,
    KB,
    SKOS,
    SKOS_BROAD_MATCH,
    SKOS_CLOSE_MATCH,
    SKOS_EXACT_MATCH,
    SKOS_NARROW_MATCH,
    SKOS_RELATED_MATCH,
    SSSOM,
    VOCAB,
    compact,
)
from nephrokb.terminologies import TERMINOLOGIES

if TYPE_CHECKING:
    from rdflib import Graph

    from nephrokb.knowledge.mappings import Mapping

CONCEPT_MAP_ID = "nephrokb-mappings"

RELATIONSHIPS = {
    SKOS_EXACT_MATCH: "equivalent",
    SKOS_BROAD_MATCH: "source-is-narrower-than-target",
    SKOS_NARROW_MATCH: "source-is-broader-than-target",
    SKOS_CLOSE_MATCH: "related-to",
    SKOS_RELATED_MATCH: "related-to",
}
# nkb: classes whose nodes are records about the knowledge, not concepts to code.
NOT_CONCEPTS = tuple(
    VOCAB + name for name in ("Evidence", "Mapping", "Rate", "SourceDocument", "SourceExcerpt")
)
CONFIDENCE_PROPERTY = {
    "code": "confidence",
    "uri": SSSOM + "confidence",
    "type": "decimal",
    "description": "The SSSOM confidence of the mapping, from 0 to 1.",
}


def code_system(graph: Graph, mappings: Iterable[Mapping]) -> dict[str, Any]:
    """Return the CodeSystem of every concept node and mapped node, sorted by code."""
    nodes = {
        str(node)
        for node, kind in graph.subject_objects(RDF.type)
        if isinstance(node, URIRef)
        and str(kind).startswith(VOCAB)
        and str(kind) not in NOT_CONCEPTS
    }
    nodes |= {mapping.subject for mapping in mappings}
    concepts = []
    for iri in sorted(nodes, key=code_of):
        node = URIRef(iri)
        concept = {"code": code_of(iri), "display": label_of(graph, node)}
        definition = text_of(graph, node, SKOS + "definition") or text_of(
            graph, node, DCTERMS + "description"
        )
        if definition:
            concept["definition"] = definition
        concepts.append(concept)
    return {
        "resourceType": "CodeSystem",
        "id": CODE_SYSTEM_ID,
        "url": CODE_SYSTEM_URL,
        "version": __version__,
        "name": "NephrokbConcepts",
        "title": "nephrokb concepts",
        "status": "draft",
        "description": "The procedures, steps, indications, benefits, conditions, devices, "
        "imaging, anatomy and substances of nephrokb; each code is the slug of the concept's "
        f"IRI under {KB}.",
        "copyright": COPYRIGHT,
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": concepts,
    }


def concept_map(mappings: Iterable[Mapping]) -> dict[str, Any]:
    """Return the ConceptMap of the mapping records, a group per target terminology."""
    by_system: dict[str, dict[str, list[Mapping]]] = {}
    for mapping in mappings:
        terminology = mapping.terminology
        if terminology is None:
            known = ", ".join(sorted(TERMINOLOGIES))
            raise InputError(
                f"{compact(mapping.iri)} maps to <{mapping.object}>, which is in no terminology "
                f"with a FHIR system (known: {known}; see nephrokb.terminologies)"
            )
        elements = by_system.setdefault(terminology.fhir_system, {})
        elements.setdefault(mapping.subject, []).append(mapping)
    groups = [
        {
            "source": CODE_SYSTEM_URL,
            "target": system,
            "element": [
                {
                    "code": code_of(subject),
                    "display": targets[0].subject_label,
                    "target": [concept_map_target(mapping) for mapping in targets],
                }
                for subject, targets in sorted(elements.items(), key=lambda item: code_of(item[0]))
            ],
        }
        for system, elements in sorted(by_system.items())
    ]
    resource = {
        "resourceType": "ConceptMap",
        "id": CONCEPT_MAP_ID,
        "url": f"{FHIR_BASE}/ConceptMap/{CONCEPT_MAP_ID}",
        "version": __version__,
        "name": "NephrokbMappings",
        "title": "nephrokb mappings to standard terminologies",
        "status": "draft",
        "description": "The nkb:Mapping records of nephrokb, as in its SSSOM export.",
        "copyright": COPYRIGHT,
        "property": [CONFIDENCE_PROPERTY],
    }
    if groups:  # FHIR JSON allows no empty array
        resource["group"] = groups
    return resource


def concept_map_origins(
    resource: dict[str, Any], mappings: Iterable[Mapping]
) -> dict[tuple[str, str], str]:
    """Return the node of each ConceptMap element (its concept) and target (its record)."""
    records = {
        (
            m.terminology.fhir_system,
            code_of(m.subject),
            identifier_of(m),
            RELATIONSHIPS[m.predicate],
        ): m
        for m in mappings
        if m.terminology is not None
    }
    reference = f"ConceptMap/{resource['id']}"
    origins = {}
    for g, group in enumerate(resource.get("group", [])):
        for e, element in enumerate(group["element"]):
            path = f"ConceptMap.group[{g}].element[{e}]"
            for t, target in enumerate(element["target"]):
                key = (group["target"], element["code"], target["code"], target["relationship"])
                origins[reference, f"{path}.target[{t}]"] = records[key].iri
                origins[reference, path] = records[key].subject
    return origins


def concept_map_target(mapping: Mapping) -> dict[str, Any]:
    """Return one mapping record as a ConceptMap target."""
    comment = [f"Justification: {compact(mapping.justification)}."]
    if mapping.comment:
        comment.append(mapping.comment)
    if mapping.see_also:
        comment.append(f"Evidence: {' '.join(mapping.see_also)}")
    target: dict[str, Any] = {
        "code": identifier_of(mapping),
        "relationship": RELATIONSHIPS[mapping.predicate],
        "comment": " ".join(comment),
    }
    if mapping.object_label:
        target["display"] = mapping.object_label
    if mapping.confidence is not None:
        target["property"] = [{"code": "confidence", "valueDecimal": mapping.confidence}]
    return target
