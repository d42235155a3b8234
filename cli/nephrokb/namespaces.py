"""Every namespace and vocabulary term nephrokb names, declared once, and compact IRIs."""

from __future__ import annotations

VOCAB = "https://w3id.org/nephrokb/vocab#"
KB = "https://w3id.org/nephrokb/id/"
SHAPES = "https://w3id.org/nephrokb/shapes#"
# Citation vocabularies of the literature layer (FaBiO, PRISM), not bound as output prefixes.
FABIO = "http://purl.org/spar/fabio/"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"

DCTERMS = "http://purl.org/dc/terms/"
OWL = "http://www.w3.org/2002/07/owl#"
PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SH = "http://www.w3.org/ns/shacl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SSSOM = "https://w3id.org/sssom/"
XSD = "http://www.w3.org/2001/XMLSchema#"

PREFIXES: dict[str, str] = {
    "ICD10CM": "http://purl.bioontology.org/ontology/ICD10CM/",
    "ICD10PCS": "http://purl.bioontology.org/ontology/ICD10PCS/",
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "SCTID": "http://snomed.info/id/",
    "UMLS": "https://uts.nlm.nih.gov/uts/umls/concept/",
    "dcterms": DCTERMS,
    "kb": KB,
    "nkb": VOCAB,
    "nkbsh": SHAPES,
    "owl": OWL,
    "pplan": "http://purl.org/net/p-plan#",
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": "https://schema.org/",
    "semapv": "https://w3id.org/semapv/vocab/",
    "sh": SH,
    "skos": SKOS,
    "sssom": SSSOM,
    "xsd": XSD,
}

# The named graph that holds the knowledge in datasets and SPARQL stores.
KNOWLEDGE_GRAPH = KB

RDF_TYPE = RDF + "type"
RDF_FIRST = RDF + "first"
RDF_REST = RDF + "rest"
RDF_NIL = RDF + "nil"
RDF_LANG_STRING = RDF + "langString"
RDFS_LABEL = RDFS + "label"
RDFS_COMMENT = RDFS + "comment"
RDFS_SUBCLASS_OF = RDFS + "subClassOf"
XSD_STRING = XSD + "string"
OWL_ANNOTATED_SOURCE = OWL + "annotatedSource"
SKOS_EXACT_MATCH = SKOS + "exactMatch"
SKOS_CLOSE_MATCH = SKOS + "closeMatch"
SKOS_BROAD_MATCH = SKOS + "broadMatch"
SKOS_NARROW_MATCH = SKOS + "narrowMatch"
SKOS_RELATED_MATCH = SKOS + "relatedMatch"
# nephrokb vocabulary terms that several modules name.
HAS_STEP = VOCAB + "hasStep"
STEP_NUMBER = VOCAB + "stepNumber"
# The SKOS mapping predicates a concept links to a terminology code with, in report order.
MAPPING_PREDICATES = (
    SKOS_EXACT_MATCH,
    SKOS_CLOSE_MATCH,
    SKOS_BROAD_MATCH,
    SKOS_NARROW_MATCH,
    SKOS_RELATED_MATCH,
)


def compact(iri: str) -> str:
    """Return `prefix:local` for an IRI in a known namespace, else `<iri>`."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"
