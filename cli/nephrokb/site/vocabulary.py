"""Read the OWL vocabulary for its reference page: the ontology's metadata, classes, properties.

Like pyLODE, each term shows its label, definition, domain, range and alignments
(rdfs:subClassOf, rdfs:subPropertyOf, owl:inverseOf); classes also list the properties whose
domain or range they are. A term's anchor id is its local name (`Procedure`, `hasStep`), so
https://w3id.org/nephrokb/vocab#Procedure lands on it when the vocabulary IRI redirects here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import RDF, URIRef

from nephrokb.knowledge.labels import label_of, text_of
from nephrokb.namespaces import DCTERMS, OWL, RDFS, RDFS_LABEL, RDFS_SUBCLASS_OF, SKOS, VOCAB

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node


# Property types, in the order the page names them.
PROPERTY_KINDS = {
    OWL + "ObjectProperty": "Object property",
    OWL + "DatatypeProperty": "Datatype property",
    OWL + "AnnotationProperty": "Annotation property",
    OWL + "FunctionalProperty": "Functional",
    OWL + "InverseFunctionalProperty": "Inverse functional",
    OWL + "TransitiveProperty": "Transitive",
    OWL + "SymmetricProperty": "Symmetric",
}


@dataclass(frozen=True)
class Term:
    """One class or property of the vocabulary."""

    iri: str
    name: str
    label: str
    definition: str | None
    kinds: tuple[str, ...]
    parents: tuple[str, ...]
    children: tuple[str, ...]
    domain: tuple[str, ...]
    range: tuple[str, ...]
    inverse_of: tuple[str, ...]
    in_domain_of: tuple[str, ...]
    in_range_of: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """The ontology's metadata with its classes and properties, each sorted by name."""

    iri: str | None
    title: str
    description: str | None
    version: str | None
    version_iri: str | None
    license: str | None
    creator: str | None
    modified: str | None
    see_also: tuple[str, ...]
    classes: tuple[Term, ...]
    properties: tuple[Term, ...]

    @property
    def terms(self) -> dict[str, Term]:
        """Every term by IRI."""
        return {term.iri: term for term in (*self.classes, *self.properties)}


def local_name(iri: str) -> str:
    """Return the part of a vocabulary IRI after the namespace."""
    return iri[len(VOCAB) :] if iri.startswith(VOCAB) else iri.rsplit("#", 1)[-1]


def iris(graph: Graph, node: Node, predicate: str) -> tuple[str, ...]:
    """Return the IRIs `node` links to with `predicate`, sorted."""
    return tuple(
        sorted(
            str(value)
            for value in graph.objects(node, URIRef(predicate))
            if isinstance(value, URIRef)
        )
    )


def subjects_of(graph: Graph, predicate: str, value: str) -> tuple[str, ...]:
    """Return the vocabulary terms that link to `value` with `predicate`, sorted."""
    return tuple(
        sorted(
            str(subject)
            for subject in graph.subjects(URIRef(predicate), URIRef(value))
            if str(subject).startswith(VOCAB)
        )
    )


def read_vocabulary(ontology: Graph) -> Vocabulary:
    """Read the vocabulary's owl:Ontology header and every class and property in its namespace."""
    classes = sorted(
        {
            str(node)
            for node in ontology.subjects(RDF.type, URIRef(OWL + "Class"))
            if str(node).startswith(VOCAB)
        },
        key=str.casefold,
    )
    properties = sorted(
        {
            str(node)
            for kind in PROPERTY_KINDS
            for node in ontology.subjects(RDF.type, URIRef(kind))
            if str(node).startswith(VOCAB)
        },
        key=lambda iri: (iri.casefold(), iri),
    )
    headers = sorted(str(node) for node in ontology.subjects(RDF.type, URIRef(OWL + "Ontology")))
    header = URIRef(headers[0]) if headers else None

    def header_text(predicate: str) -> str | None:
        return text_of(ontology, header, predicate) if header is not None else None

    def header_iri(predicate: str) -> str | None:
        found = iris(ontology, header, predicate) if header is not None else ()
        return found[0] if found else None

    return Vocabulary(
        iri=str(header) if header is not None else None,
        title=header_text(DCTERMS + "title") or header_text(RDFS_LABEL) or "Vocabulary",
        description=header_text(DCTERMS + "description"),
        version=header_text(OWL + "versionInfo"),
        version_iri=header_iri(OWL + "versionIRI"),
        license=header_iri(DCTERMS + "license"),
        creator=header_text(DCTERMS + "creator"),
        modified=header_text(DCTERMS + "modified"),
        see_also=iris(ontology, header, RDFS + "seeAlso") if header is not None else (),
        classes=tuple(read_class(ontology, iri) for iri in classes),
        properties=tuple(read_property(ontology, iri) for iri in properties),
    )


def read_class(ontology: Graph, iri: str) -> Term:
    """Read one class with its superclasses, subclasses and the properties that use it."""
    node = URIRef(iri)
    return Term(
        iri=iri,
        name=local_name(iri),
        label=label_of(ontology, node),
        definition=text_of(ontology, node, SKOS + "definition"),
        kinds=("Class",),
        parents=iris(ontology, node, RDFS_SUBCLASS_OF),
        children=subjects_of(ontology, RDFS_SUBCLASS_OF, iri),
        domain=(),
        range=(),
        inverse_of=(),
        in_domain_of=subjects_of(ontology, RDFS + "domain", iri),
        in_range_of=subjects_of(ontology, RDFS + "range", iri),
    )


def read_property(ontology: Graph, iri: str) -> Term:
    """Read one property with its types, domain, range, super-properties and inverses."""
    node = URIRef(iri)
    types = {str(kind) for kind in ontology.objects(node, RDF.type)}
    return Term(
        iri=iri,
        name=local_name(iri),
        label=label_of(ontology, node),
        definition=text_of(ontology, node, SKOS + "definition"),
        kinds=tuple(name for kind, name in PROPERTY_KINDS.items() if kind in types),
        parents=iris(ontology, node, RDFS + "subPropertyOf"),
        children=subjects_of(ontology, RDFS + "subPropertyOf", iri),
        domain=iris(ontology, node, RDFS + "domain"),
        range=iris(ontology, node, RDFS + "range"),
        inverse_of=iris(ontology, node, OWL + "inverseOf"),
        in_domain_of=(),
        in_range_of=(),
    )
