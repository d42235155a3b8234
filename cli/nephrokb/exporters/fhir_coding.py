"""Name nephrokb's concepts in FHIR: canonical URLs, ids, codes and codings of our CodeSystem."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

from nephrokb.errors import InputError
from nephrokb.knowledge.mappings import curie_converter
from nephrokb.namespaces import KB

if TYPE_CHECKING:
    from curies import Converter

    from nephrokb.knowledge.mappings import Mapping

FHIR_BASE = "https://w3id.org/nephrokb/fhir"
CODE_SYSTEM_ID = "nephrokb"
CODE_SYSTEM_URL = f"{FHIR_BASE}/CodeSystem/{CODE_SYSTEM_ID}"

COPYRIGHT = (
    "nephrokb content: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). "
    "SNOMED CT and UMLS concepts are referenced by identifier only; using SNOMED CT requires "
    "a SNOMED CT Affiliate licence, and the UMLS a UMLS Metathesaurus licence."
)

# What a FHIR id may hold (letters, digits, '-' and '.', at most 64 characters).
NOT_ID_CHARACTER = re.compile(r"[^A-Za-z0-9\-.]")
FHIR_ID_LENGTH = 64


def concept(iri: str, label: str) -> dict[str, Any]:
    """Return a CodeableConcept of one node of our CodeSystem."""
    return {"coding": [our_coding(iri, label)], "text": label}


def our_coding(iri: str, label: str) -> dict[str, str]:
    """Return the Coding of one node in our CodeSystem."""
    return {"system": CODE_SYSTEM_URL, "code": code_of(iri), "display": label}


def code_of(iri: str) -> str:
    """Return the code of a node in our CodeSystem: the slug of its IRI under kb:."""
    parsed = converter().parse_uri(iri)
    if parsed is None or parsed.prefix != "kb" or not parsed.identifier:
        raise InputError(f"<{iri}> is not in the kb: namespace {KB}, so it has no code")
    return parsed.identifier


def identifier_of(mapping: Mapping) -> str:
    """Return the code of a mapping's target in its terminology (the IRI's local part)."""
    return converter().parse_uri(mapping.object, strict=True).identifier


@cache
def converter() -> Converter:
    """Return nephrokb's CURIE converter, built once."""
    return curie_converter()


def fhir_id(slug: str) -> str:
    """Return a valid FHIR id for a slug: other characters become '-', cut to 64."""
    return NOT_ID_CHARACTER.sub("-", slug)[:FHIR_ID_LENGTH]


def computable_name(label: str) -> str:
    """Return a FHIR computable name for a label: its words capitalised and joined."""
    words = re.findall(r"[A-Za-z0-9]+", label)
    name = "".join(word[:1].upper() + word[1:] for word in words)
    return name if name[:1].isalpha() else f"Procedure{name}"
