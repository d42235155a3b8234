"""The terminologies nephrokb maps to: CURIE prefix, namespace, FHIR system, code syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nephrokb.namespaces import PREFIXES


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


# Namespaces (declared in nephrokb.namespaces) follow the Bioregistry/OBO extended prefix map
# that sssom-py ships, so CURIEs round-trip through `curies`; FHIR systems follow HL7
# Terminology (THO).
TERMINOLOGIES: dict[str, Terminology] = {
    t.prefix: t
    for t in (
        Terminology(
            "SCTID",
            "SNOMED CT",
            PREFIXES["SCTID"],
            "http://snomed.info/sct",
            r"[1-9]\d{5,17}",
            names_licensed=True,
        ),
        Terminology(
            "ICD10PCS",
            "ICD-10-PCS",
            PREFIXES["ICD10PCS"],
            "http://www.cms.gov/Medicare/Coding/ICD10",
            r"[0-9A-HJ-NP-Z]{7}",
        ),
        Terminology(
            "ICD10CM",
            "ICD-10-CM",
            PREFIXES["ICD10CM"],
            "http://hl7.org/fhir/sid/icd-10-cm",
            r"[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?",
        ),
        Terminology(
            "MESH",
            "MeSH",
            PREFIXES["MESH"],
            "https://www.nlm.nih.gov/mesh",
            r"D\d{6}|C\d{6}|C\d{9}",
        ),
        Terminology(
            "UMLS",
            "UMLS",
            PREFIXES["UMLS"],
            "http://terminology.hl7.org/CodeSystem/umls",
            r"C\d{7}",
            names_licensed=True,
        ),
    )
}


# Verhoeff's dihedral check, which SNOMED CT identifiers end with (SNOMED CT Technical
# Implementation Guide, "Check-digit"): the multiplication table of the dihedral group D5 and
# the position permutations.
VERHOEFF_MULTIPLY = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
VERHOEFF_PERMUTE = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
# The partition identifier (the two digits before the check digit) of a concept identifier:
# short format 00, long (extension) format 10.
SNOMED_CONCEPT_PARTITIONS = ("00", "10")


def is_snomed_concept_id(code: str) -> bool:
    """True when `code` is shaped like a SNOMED CT concept id: partition and check digit."""
    return (
        TERMINOLOGIES["SCTID"].matches(code)
        and code[-3:-1] in SNOMED_CONCEPT_PARTITIONS
        and verhoeff_valid(code)
    )


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit of `digits` is its Verhoeff check digit."""
    check = 0
    for position, digit in enumerate(reversed(digits)):
        check = VERHOEFF_MULTIPLY[check][VERHOEFF_PERMUTE[position % 8][int(digit)]]
    return check == 0


def terminology_of(iri: str) -> Terminology | None:
    """Return the terminology whose namespace `iri` is in, if any."""
    for terminology in TERMINOLOGIES.values():
        if iri.startswith(terminology.namespace):
            return terminology
    return None
