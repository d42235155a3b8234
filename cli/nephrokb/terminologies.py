"""The terminologies nephrokb maps to: CURIE prefix, namespace, FHIR system, code syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Terminology:
    """One external terminology as nephrokb writes it in RDF, SSSOM and FHIR."""

    prefix: str
    name: str
    namespace: str
    fhir_system: str
    pattern: str
    # True when the terminology's names may not be shown without a licence (SNOMED CT, UMLS).
    names_licensed: bool = False

    def matches(self, code: str) -> bool:
        """True when `code` has this terminology's identifier syntax."""
        return re.fullmatch(self.pattern, code) is not None


# Namespaces follow the Bioregistry/OBO extended prefix map that sssom-py ships, so CURIEs
# round-trip through `curies`; FHIR systems follow HL7 Terminology (THO).
TERMINOLOGIES: dict[str, Terminology] = {
    t.prefix: t
    for t in (
        Terminology(
            "SCTID",
            "SNOMED CT",
            "http://snomed.info/id/",
            "http://snomed.info/sct",
            r"[1-9]\d{5,17}",
            names_licensed=True,
        ),
        Terminology(
            "ICD10PCS",
            "ICD-10-PCS",
            "http://purl.bioontology.org/ontology/ICD10PCS/",
            "http://www.cms.gov/Medicare/Coding/ICD10",
            r"[0-9A-HJ-NP-Z]{7}",
        ),
        Terminology(
            "ICD10CM",
            "ICD-10-CM",
            "http://purl.bioontology.org/ontology/ICD10CM/",
            "http://hl7.org/fhir/sid/icd-10-cm",
            r"[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?",
        ),
        Terminology(
            "MESH",
            "MeSH",
            "http://id.nlm.nih.gov/mesh/",
            "https://www.nlm.nih.gov/mesh",
            r"D\d{6}|C\d{6}|C\d{9}",
        ),
        Terminology(
            "UMLS",
            "UMLS",
            "https://uts.nlm.nih.gov/uts/umls/concept/",
            "http://terminology.hl7.org/CodeSystem/umls",
            r"C\d{7}",
            names_licensed=True,
        ),
    )
}


def terminology_of(iri: str) -> Terminology | None:
    """Return the terminology whose namespace `iri` is in, if any."""
    for terminology in TERMINOLOGIES.values():
        if iri.startswith(terminology.namespace):
            return terminology
    return None
