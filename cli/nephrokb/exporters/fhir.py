"""Write the knowledge as a FHIR R5 Bundle: terminology, protocols, activities and mappings.

FHIR R5 (5.0.0) is used: it is fhir.resources' default model, and its ConceptMap says how a
source relates to a target (`relationship`) in the terms SKOS uses. The Bundle (type
`collection`, id `nephrokb`) holds, in this order:

- CodeSystem `nephrokb` (CODE_SYSTEM_URL): one concept per node of the knowledge base typed
  with an nkb: class (procedures, steps, indications, benefits, conditions, devices, imaging,
  anatomy, substances, findings and the literature layer's contraindications, complications,
  preparation, precautions, aftercare and alternatives; not source excerpts, mapping records,
  evidence or rates) and per mapped node.
  code = the slug of its IRI (`kb:percutaneous-nephrostomy` -> `percutaneous-nephrostomy`),
  display = its rdfs:label, definition = its skos:definition or dcterms:description.
- A PlanDefinition per procedure (type clinical-protocol), id = the procedure's slug:
  - `topic`: the procedure coded in our CodeSystem, plus the SNOMED CT concepts it is mapped
    to with skos:exactMatch or skos:broadMatch (equal or broader), by code only, no display;
  - `useContext`: one per indication, code `focus`, the indication coded in our CodeSystem;
  - `goal`: one per benefit, described by the benefit coded in our CodeSystem;
  - `relatedArtifact`: `depends-on` the PlanDefinition of each procedure it nkb:reliesOn,
    `derived-from` each source document it comes from (dcterms:source, by label), then one
    `citation` per work the procedure's literature layer cites, `resource` = the canonical
    URL of that work's Citation resource; then its contraindications and complications as
    `justification` artifacts (see nephrokb.exporters.fhir_literature). The CPG IG (HL7
    cqf-recommendations) puts contraindications in the decision logic of a recommendation
    and justifies a plan with `justification` relatedArtifacts to its evidence; these plans
    are clinical protocols whose actions are the source's steps, and R5 has no plan-level
    condition, so each contraindication or complication is a `justification` naming the
    finding (label `contraindication` or `complication`, classifier = the finding in our
    CodeSystem, display = what the literature says, with a rate's figure and population)
    and citing, as `resource`, the Citation of one work that supports it;
  - `action`: one per step, in step order: id and linkId = the step's slug, prefix `N.`,
    title, description, and code = the step in our CodeSystem. A conditional step has a
    condition of kind `applicability` whose Expression holds the nkb:condition text
    (language `text/plain`: it is for a clinician to judge, not computable). Each
    nkb:dependsOn on a step of the same procedure is a relatedAction `after-end` that step
    (it starts once that step has ended, as CPG-on-FHIR writes step order); one on a step of
    another procedure (which the PlanDefinition cannot target) is the extension
    DEPENDS_ON_STEP_EXTENSION, valueCoding = that step in our CodeSystem. A step that uses
    devices or substances has `definitionCanonical` = its ActivityDefinition.
- An ActivityDefinition per step that uses devices or substances, id = the step's slug, kind
  `ServiceRequest` (a procedure done to the patient), code = the step in our CodeSystem: a
  `participant` of type `device` per nkb:usesDevice (a logical reference to the
  DeviceDefinition identified by the device's code in our CodeSystem), and a relatedArtifact
  `composed-of` per nkb:usesSubstance, pointing at that substance's ActivityDefinition.
- An ActivityDefinition per substance a step uses, id = the substance's slug, kind
  `MedicationRequest`, product = the substance in our CodeSystem (product holds one
  substance, hence one resource per substance rather than a list on the step).
- A Citation (R5) per nkb:Evidence, id = its slug: `citedArtifact` holds the DOI
  (system https://doi.org) and PMID (system https://pubmed.ncbi.nlm.nih.gov) identifiers,
  the title, the journal (`publicationForm.publishedIn.title`) and year (`articleDate`),
  the link read (`webLocation`), and a note saying what part of it the curator read.
- ConceptMap `nephrokb-mappings`: a group per target terminology (source = our CodeSystem,
  target = the terminology's FHIR system from nephrokb.terminologies), an element per local
  concept, a target per mapping record. relationship: skos:exactMatch -> equivalent,
  skos:broadMatch -> source-is-narrower-than-target, skos:narrowMatch ->
  source-is-broader-than-target, skos:closeMatch and skos:relatedMatch -> related-to. The
  target comment gives the SSSOM justification, the curator's comment and the evidence; the
  confidence is the target property `confidence` (uri https://w3id.org/sssom/confidence).
  A target's display is the stored sssom:object_label, which the knowledge base holds only
  for ICD-10 and MeSH: SNOMED CT and UMLS concepts appear by code alone.

The output is JSON with sorted keys and ids taken from slugs, so it is the same on every run.
The SSSOM export stays the source of truth for mappings (nephrokb.exporters.sssom).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from nephrokb import __version__
from nephrokb.exporters.fhir_coding import (
    CODE_SYSTEM_ID,
    CODE_SYSTEM_URL,
    COPYRIGHT,
    FHIR_BASE,
    code_of,
    computable_name,
    concept,
    fhir_id,
    identifier_of,
    our_coding,
)
from nephrokb.exporters.fhir_literature import citation_resource, cites, literature_artifacts
from nephrokb.exporters.fhir_terminology import code_system, concept_map, concept_map_origins
from nephrokb.knowledge.mappings import read_mappings
from nephrokb.knowledge.model import read_procedures
from nephrokb.namespaces import KB, SKOS_BROAD_MATCH, SKOS_EXACT_MATCH
from nephrokb.terminologies import TERMINOLOGIES

if TYPE_CHECKING:
    from rdflib import Graph

    from nephrokb.knowledge.mappings import Mapping
    from nephrokb.knowledge.model import Procedure, Reference, Statement, Step

DEPENDS_ON_STEP_EXTENSION = f"{FHIR_BASE}/StructureDefinition/depends-on-step"
SNOMED_CT = TERMINOLOGIES["SCTID"]
# Mappings whose target names the whole procedure, so it may code the PlanDefinition's topic.
TOPIC_PREDICATES = (SKOS_EXACT_MATCH, SKOS_BROAD_MATCH)

PLAN_DEFINITION_TYPE = {
    "system": "http://terminology.hl7.org/CodeSystem/plan-definition-type",
    "code": "clinical-protocol",
    "display": "Clinical Protocol",
}
FOCUS_CONTEXT = {
    "system": "http://terminology.hl7.org/CodeSystem/usage-context-type",
    "code": "focus",
    "display": "Clinical Focus",
}


def export_fhir(graph: Graph) -> bytes:
    """Write a FHIR R5 Bundle (JSON, keys sorted) of the CodeSystem, PlanDefinitions, ConceptMap."""
    return bundle_json(fhir_bundle(graph).bundle)


def bundle_json(bundle: dict[str, Any]) -> bytes:
    """Return the Bundle as JSON text with sorted keys, ending in a newline."""
    text = json.dumps(bundle, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


class FhirBundle(NamedTuple):
    """The Bundle, and its origins: (resource reference, element path) -> node IRI."""

    bundle: dict[str, Any]
    origins: dict[tuple[str, str], str]


def fhir_bundle(graph: Graph) -> FhirBundle:
    """Return the Bundle and its origins: (resource reference, element path) -> node IRI.

    The origins say which knowledge-base node each resource, action and concept came from,
    so that nephrokb.exporters.fhir_conformance can point a failure back at the knowledge.
    """
    mappings = read_mappings(graph)
    procedures = read_procedures(graph)
    cited = {
        citation.iri: citation
        for procedure in procedures
        if procedure.literature
        for citation in procedure.literature.citations()
    }
    concepts = code_system(graph, mappings)
    active = [step for procedure in procedures for step in procedure.steps if has_activity(step)]
    substances = {s.iri: s for step in active for s in step.substances}
    resources = [
        concepts,
        *(plan_definition(procedure, mappings) for procedure in procedures),
        *(step_activity(step) for step in active),
        *(substance_activity(substances[iri]) for iri in sorted(substances)),
        *(citation_resource(cited[iri]) for iri in sorted(cited)),
        concept_map(mappings),
    ]
    origins = {
        ("CodeSystem/" + CODE_SYSTEM_ID, f"CodeSystem.concept[{index}]"): KB + concept["code"]
        for index, concept in enumerate(concepts["concept"])
    }
    for procedure in procedures:
        reference = f"PlanDefinition/{fhir_id(code_of(procedure.iri))}"
        origins[reference, "PlanDefinition"] = procedure.iri
        for index, step in enumerate(procedure.steps):
            origins[reference, f"PlanDefinition.action[{index}]"] = step.iri
    origins |= concept_map_origins(resources[-1], mappings)
    for step in active:
        origins[f"ActivityDefinition/{fhir_id(code_of(step.iri))}", "ActivityDefinition"] = step.iri
    for iri in [*substances, *cited]:
        kind = "Citation" if iri in cited else "ActivityDefinition"
        origins[f"{kind}/{fhir_id(code_of(iri))}", kind] = iri
    bundle = {
        "resourceType": "Bundle",
        "id": "nephrokb",
        "type": "collection",
        "entry": [
            {
                "fullUrl": f"{FHIR_BASE}/{resource['resourceType']}/{resource['id']}",
                "resource": resource,
            }
            for resource in resources
        ],
    }
    return FhirBundle(bundle, origins)


def plan_definition(procedure: Procedure, mappings: Iterable[Mapping]) -> dict[str, Any]:
    """Return the PlanDefinition of one procedure."""
    slug = code_of(procedure.iri)
    topic = [our_coding(procedure.iri, procedure.label)] + [
        {"system": SNOMED_CT.fhir_system, "code": identifier_of(mapping)}
        for mapping in mappings
        if mapping.subject == procedure.iri
        and mapping.predicate in TOPIC_PREDICATES
        and mapping.terminology == SNOMED_CT
    ]
    resource: dict[str, Any] = {
        "resourceType": "PlanDefinition",
        "id": fhir_id(slug),
        "url": f"{FHIR_BASE}/PlanDefinition/{fhir_id(slug)}",
        "version": __version__,
        "name": computable_name(procedure.label),
        "title": procedure.label,
        "type": {"coding": [PLAN_DEFINITION_TYPE]},
        "status": "draft",
        "topic": [{"coding": topic, "text": procedure.label}],
        "copyright": COPYRIGHT,
    }
    if procedure.steps:
        resource["action"] = [action(step, procedure) for step in procedure.steps]
    if procedure.definition:
        resource["description"] = procedure.definition
    if procedure.indications:
        resource["useContext"] = [indication_context(i) for i in procedure.indications]
    if procedure.benefits:
        resource["goal"] = [
            {"description": concept(benefit.iri, benefit.label)} for benefit in procedure.benefits
        ]
    related = [relied_on(reference) for reference in procedure.relies_on]
    related += [
        {"type": "derived-from", "display": document.label} for document in procedure.documents
    ]
    if procedure.literature:
        related += [cites(citation) for citation in procedure.literature.citations()]
        related += literature_artifacts(procedure.literature)
    if related:
        resource["relatedArtifact"] = related
    return resource


def action(step: Step, procedure: Procedure) -> dict[str, Any]:
    """Return the action of one step: coded, conditional when it is, related to its inputs."""
    slug = code_of(step.iri)
    result: dict[str, Any] = {
        "id": fhir_id(slug),
        "linkId": fhir_id(slug),
        "prefix": f"{step.number}.",
        "title": step.label,
        "code": concept(step.iri, step.label),
    }
    if step.description:
        result["description"] = step.description
    if has_activity(step):
        result["definitionCanonical"] = activity_url(step.iri)
    if step.condition:
        result["condition"] = [
            {
                "kind": "applicability",
                "expression": {
                    "description": step.condition,
                    "expression": step.condition,
                    "language": "text/plain",
                },
            }
        ]
    own = [d for d in step.depends_on if d.procedure and d.procedure.iri == procedure.iri]
    other = [d for d in step.depends_on if d not in own]
    if own:
        result["relatedAction"] = [
            {"targetId": fhir_id(code_of(dependency.iri)), "relationship": "after-end"}
            for dependency in own
        ]
    if other:
        result["extension"] = [
            {"url": DEPENDS_ON_STEP_EXTENSION, "valueCoding": our_coding(d.iri, d.label)}
            for d in other
        ]
    return result


def has_activity(step: Step) -> bool:
    """True when the step uses devices or substances, so it gets an ActivityDefinition."""
    return bool(step.devices or step.substances)


def activity_url(iri: str) -> str:
    """Return the canonical URL of the ActivityDefinition of a step or substance."""
    return f"{FHIR_BASE}/ActivityDefinition/{fhir_id(code_of(iri))}"


def step_activity(step: Step) -> dict[str, Any]:
    """Return the ActivityDefinition of a step: its devices as participants, its substances."""
    resource: dict[str, Any] = {
        "resourceType": "ActivityDefinition",
        "id": fhir_id(code_of(step.iri)),
        "url": activity_url(step.iri),
        "version": __version__,
        "name": computable_name(step.label),
        "title": step.label,
        "status": "draft",
        "copyright": COPYRIGHT,
        "kind": "ServiceRequest",
        "code": concept(step.iri, step.label),
    }
    if step.description:
        resource["description"] = step.description
    if step.devices:
        resource["participant"] = [
            {
                "type": "device",
                "typeReference": {
                    "type": "DeviceDefinition",
                    "identifier": {"system": CODE_SYSTEM_URL, "value": code_of(device.iri)},
                    "display": device.label,
                },
            }
            for device in step.devices
        ]
    if step.substances:
        resource["relatedArtifact"] = [
            {"type": "composed-of", "display": s.label, "resource": activity_url(s.iri)}
            for s in step.substances
        ]
    return resource


def substance_activity(substance: Reference) -> dict[str, Any]:
    """Return the ActivityDefinition of giving one substance."""
    return {
        "resourceType": "ActivityDefinition",
        "id": fhir_id(code_of(substance.iri)),
        "url": activity_url(substance.iri),
        "version": __version__,
        "name": computable_name(substance.label),
        "title": substance.label,
        "status": "draft",
        "copyright": COPYRIGHT,
        "kind": "MedicationRequest",
        "productCodeableConcept": concept(substance.iri, substance.label),
    }


def indication_context(indication: Statement) -> dict[str, Any]:
    """Return the useContext saying the procedure is indicated in `indication`."""
    return {
        "code": FOCUS_CONTEXT,
        "valueCodeableConcept": concept(indication.iri, indication.label),
    }


def relied_on(reference: Reference) -> dict[str, Any]:
    """Return the relatedArtifact pointing at the PlanDefinition of a relied-on procedure."""
    return {
        "type": "depends-on",
        "display": reference.label,
        "resource": f"{FHIR_BASE}/PlanDefinition/{fhir_id(code_of(reference.iri))}",
    }
