"""The prefixes nephrokb writes and reads, and compact names for IRIs."""

from __future__ import annotations

VOCAB = "https://w3id.org/nephrokb/vocab#"
KB = "https://w3id.org/nephrokb/id/"
SHAPES = "https://w3id.org/nephrokb/shapes#"
# Citation vocabularies of the literature layer (FaBiO, PRISM), not bound as output prefixes.
FABIO = "http://purl.org/spar/fabio/"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"

PREFIXES: dict[str, str] = {
    "ICD10CM": "http://purl.bioontology.org/ontology/ICD10CM/",
    "ICD10PCS": "http://purl.bioontology.org/ontology/ICD10PCS/",
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "SCTID": "http://snomed.info/id/",
    "UMLS": "https://uts.nlm.nih.gov/uts/umls/concept/",
    "dcterms": "http://purl.org/dc/terms/",
    "kb": KB,
    "nkb": VOCAB,
    "nkbsh": SHAPES,
    "owl": "http://www.w3.org/2002/07/owl#",
    "pplan": "http://purl.org/net/p-plan#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "semapv": "https://w3id.org/semapv/vocab/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sssom": "https://w3id.org/sssom/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def compact(iri: str) -> str:
    """Return `prefix:local` for an IRI in a known namespace, else `<iri>`."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"
