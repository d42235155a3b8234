"""The vocabulary contract: every term the issues name is declared, labelled and defined."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Namespace
from rdflib.namespace import SKOS

from nephrokb.rdf.loading import load_graph
from nephrokb.resources import bundled_files

NKB = Namespace("https://w3id.org/nephrokb/vocab#")
CONTRACT_CLASSES = ["Procedure", "Step", "Indication", "Benefit", "Condition"]
CONTRACT_PROPERTIES = {
    "hasStep": ("Procedure", "Step"),
    "stepNumber": ("Step", None),
    "dependsOn": ("Step", "Step"),
    "condition": ("Step", None),
    "hasIndication": ("Procedure", "Indication"),
    "hasBenefit": ("Procedure", "Benefit"),
    "refersToCondition": ("Indication", "Condition"),
}


@pytest.fixture(scope="module")
def ontology():
    return load_graph(bundled_files("ontology"))


@pytest.mark.parametrize("name", CONTRACT_CLASSES)
def test_contract_class_is_declared(ontology, name):
    assert (NKB[name], RDF.type, OWL.Class) in ontology


@pytest.mark.parametrize(("name", "domain_range"), CONTRACT_PROPERTIES.items())
def test_contract_property_has_domain_and_range(ontology, name, domain_range):
    domain, range_ = domain_range
    assert ontology.value(NKB[name], RDFS.domain) == NKB[domain]
    if range_:
        assert ontology.value(NKB[name], RDFS.range) == NKB[range_]


def test_every_term_has_label_definition_and_is_defined_by(ontology):
    terms = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(NKB))}
    assert len(terms) >= 12 + 7
    for term in terms:
        assert ontology.value(term, RDFS.label).language == "en", term
        assert ontology.value(term, SKOS.definition).language == "en", term
        assert ontology.value(term, RDFS.isDefinedBy) is not None, term


def test_ontology_metadata(ontology):
    (ontology_node,) = ontology.subjects(RDF.type, OWL.Ontology)
    for predicate in (OWL.versionInfo, OWL.versionIRI):
        assert ontology.value(ontology_node, predicate) is not None
    assert {str(p) for p in ontology.predicates(ontology_node)} >= {
        "http://purl.org/dc/terms/title",
        "http://purl.org/dc/terms/license",
    }
