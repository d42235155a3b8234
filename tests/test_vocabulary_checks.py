"""The closed vocabulary: shapes/vocabulary.ttl, its messages, and typos failing at file:line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, URIRef
from rdflib.namespace import SH

from conftest import FIXTURES
from nephrokb.cli import main
from nephrokb.namespaces import SHAPES, VOCAB
from nephrokb.rdf.loading import load_graph
from nephrokb.resources import bundled_files
from nephrokb.validation.vocabulary_checks import closest_term, declared_terms, unknown_term_message

BROKEN = FIXTURES / "broken"


def listed_terms(shape: str, list_property) -> set[str]:
    shapes = load_graph(bundled_files("shapes"))
    (head,) = shapes.objects(URIRef(SHAPES + shape), list_property)
    return {str(term) for term in shapes.items(head)}


def test_the_shapes_list_exactly_the_nkb_terms_the_ontology_declares():
    declared = declared_terms(load_graph(bundled_files("ontology")))
    properties = listed_terms("KnownPropertyShape", SH.ignoredProperties)
    classes = listed_terms("KnownClassTypeShape", SH["in"])
    assert {term for term in properties if term.startswith(VOCAB)} == declared.properties
    assert {term for term in classes if term.startswith(VOCAB)} == declared.classes
    assert str(RDF.type) in properties


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        (VOCAB + "dependOn", VOCAB + "dependsOn"),
        (VOCAB + "stepnumber", VOCAB + "stepNumber"),
        (VOCAB + "hasSteps", VOCAB + "hasStep"),
        (VOCAB + "colour", None),
    ],
)
def test_closest_declared_property(term, expected):
    declared = declared_terms(load_graph(bundled_files("ontology")))
    assert closest_term(term, declared.properties) == expected


def test_message_without_a_close_term_says_where_the_terms_are():
    assert unknown_term_message(VOCAB + "colour", "the property", [VOCAB + "hasStep"]) == (
        "uses the property nkb:colour, which the ontology does not declare; "
        "see ontology/ for the declared terms."
    )


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "vocabulary-undeclared-property.ttl",
            "vocabulary-undeclared-property.ttl:40: violation: uses the property nkb:dependOn, "
            "which the ontology does not declare; did you mean nkb:dependsOn? "
            "(value: kb:demo-puncture, line 44) [nkbsh:KnownPropertyShape]",
        ),
        (
            "vocabulary-undeclared-class.ttl",
            "vocabulary-undeclared-class.ttl:43: violation: uses the class nkb:Stpe, which the "
            "ontology does not declare; did you mean nkb:Step? (value: nkb:Stpe, line 43) "
            "[nkbsh:KnownClassTypeShape]",
        ),
        (
            "vocabulary-namespace-typo.ttl",
            "vocabulary-namespace-typo.ttl:7: violation: declares nkb: as "
            "<https://w3id.org/nephrokb/vocab/#>, one character away from "
            "<https://w3id.org/nephrokb/vocab#> (nkb:): every term written with it is outside "
            "that vocabulary. [nkbsh:KnownNamespaceRule]",
        ),
    ],
)
def test_vocabulary_typos_fail_at_their_file_and_line(fixture, expected, monkeypatch):
    monkeypatch.chdir(BROKEN)
    result = CliRunner().invoke(main, ["validate", "--data", fixture])
    assert result.exit_code == 1
    assert expected in result.output.splitlines()


def test_the_closed_shapes_are_plain_shacl_core():
    shapes = load_graph([Path(bundled_files("shapes")[0]).parent / "vocabulary.ttl"])
    assert not list(shapes.subject_objects(SH.sparql))
    assert (URIRef(SHAPES + "KnownPropertyShape"), SH.closed, None) in shapes
