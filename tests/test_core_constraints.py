"""The native core constraint evaluator gives pyshacl's results on the tricky cases."""

from __future__ import annotations

import pyshacl
import pytest
from rdflib import Graph

from nephrokb.rdf.loading import load_graph
from nephrokb.resources import bundled_files
from nephrokb.validation import core_evaluation
from nephrokb.validation import engine as validation
from nephrokb.validation.plan import make_plan

PREFIXES = """
@prefix ex: <http://example.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def comparable(results):
    return sorted(
        (r.focus, r.rule, r.severity, r.message, r.path or "", r.value_term or "", r.constraint)
        for r in results
    )


def both_engines(shapes_ttl: str, data_ttl: str, ontology_ttl: str = ""):
    """Return (native results, pyshacl results) of the shapes over the data."""
    shapes = Graph().parse(data=PREFIXES + shapes_ttl, format="turtle")
    data = Graph().parse(data=PREFIXES + data_ttl, format="turtle")
    ontology = Graph().parse(data=PREFIXES + ontology_ttl, format="turtle")
    plan = make_plan(shapes, native=True)
    assert plan.native_shapes, "the shapes should be evaluated natively"
    assert plan.pyshacl_shapes is None
    native = [
        validation.plain_result(result, data)
        for result in core_evaluation.evaluate(data + ontology, plan.native_shapes)
    ]
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    return comparable(native), comparable(validation.read_results(report, data))


def property_shape(constraints: str, target: str = "sh:targetClass ex:Thing") -> str:
    return f"""
ex:ThingShape a sh:NodeShape ; {target} ; sh:property ex:RuleShape .
ex:RuleShape a sh:PropertyShape ; sh:message "breaks the rule."@en ; {constraints} .
"""


def test_lang_string_datatype_needs_a_language_tag():
    native, expected = both_engines(
        property_shape("sh:path rdfs:label ; sh:datatype rdf:langString"),
        'ex:a a ex:Thing ; rdfs:label "plain", "tagged"@en, "typed"^^xsd:string .',
    )
    assert native == expected
    assert len(native) == 2  # "plain" and "typed"^^xsd:string


def test_ill_typed_literal_fails_datatype_and_min_inclusive():
    native, expected = both_engines(
        property_shape("sh:path ex:n ; sh:datatype xsd:integer ; sh:minInclusive 1"),
        'ex:a a ex:Thing ; ex:n "abc"^^xsd:integer, "0"^^xsd:integer, 3, "word", ex:iri .',
    )
    assert native == expected
    components = sorted(row[6].rsplit("#", 1)[1] for row in native)
    assert components.count("MinInclusiveConstraintComponent") == 4  # all but 3
    assert components.count("DatatypeConstraintComponent") == 3  # "abc", "word", ex:iri


def test_max_inclusive_on_doubles():
    native, expected = both_engines(
        property_shape(
            "sh:path ex:c ; sh:datatype xsd:double ; sh:minInclusive 0.0 ; sh:maxInclusive 1.0"
        ),
        'ex:a a ex:Thing ; ex:c "1.5"^^xsd:double, "0.5"^^xsd:double, "-1"^^xsd:double, 0.7 .',
    )
    assert native == expected
    assert len(native) == 3


def test_language_in_matches_ranges_case_insensitively():
    native, expected = both_engines(
        property_shape('sh:path rdfs:label ; sh:languageIn ( "en" )'),
        'ex:a a ex:Thing ; rdfs:label "a"@en, "b"@EN-gb, "c"@fr, "d", "e"@eng .',
    )
    assert native == expected
    assert sorted(row[5] for row in native) == ['"c"@fr', '"d"', '"e"@eng']


def test_class_follows_subclasses_of_the_ontology():
    native, expected = both_engines(
        property_shape(
            "sh:path ex:link ; sh:class ex:Target ; sh:nodeKind sh:IRI",
            target="sh:targetSubjectsOf ex:link",
        ),
        """
        ex:a ex:link ex:direct, ex:indirect, ex:untyped, "literal", [ a ex:Target ] .
        ex:direct a ex:Target .
        ex:indirect a ex:Special .
        """,
        ontology_ttl="ex:Special rdfs:subClassOf ex:Middle . ex:Middle rdfs:subClassOf ex:Target .",
    )
    assert native == expected
    assert len(native) == 4  # untyped and literal fail class; literal and blank fail nodeKind


def test_target_class_includes_subclass_instances():
    native, expected = both_engines(
        property_shape("sh:path rdfs:label ; sh:minCount 1"),
        "ex:a a ex:Thing . ex:b a ex:SubThing . ex:c a ex:Other .",
        ontology_ttl="ex:SubThing rdfs:subClassOf ex:Thing .",
    )
    assert native == expected
    assert sorted(row[0] for row in native) == ["http://example.org/a", "http://example.org/b"]


def test_counts_have_no_value_and_blank_paths_no_result_path():
    native, expected = both_engines(
        property_shape("sh:path [ sh:inversePath ex:has ] ; sh:minCount 1 ; sh:maxCount 1"),
        "ex:a a ex:Thing . ex:b a ex:Thing . ex:p ex:has ex:b . ex:q ex:has ex:b .",
    )
    assert native == expected
    assert [(row[0], row[4], row[5]) for row in native] == [
        ("http://example.org/a", "", ""),
        ("http://example.org/b", "", ""),
    ]


def test_pattern_and_not_pattern_with_flags_over_alternative_path():
    native, expected = both_engines(
        """
        ex:TextShape a sh:NodeShape ;
            sh:targetSubjectsOf rdfs:label, rdfs:comment ;
            sh:property ex:NoTodoShape, ex:SingleSpacedShape .
        ex:NoTodoShape a sh:PropertyShape ;
            sh:message "has a placeholder."@en ;
            sh:path [ sh:alternativePath ( rdfs:label rdfs:comment ) ] ;
            sh:not [ sh:pattern "(^|[^a-z])todo([^a-z]|$)" ; sh:flags "i" ] .
        ex:SingleSpacedShape a sh:PropertyShape ;
            sh:message "has stray spaces."@en ;
            sh:severity sh:Warning ;
            sh:path [ sh:alternativePath ( rdfs:label rdfs:comment ) ] ;
            sh:pattern "^[^\\\\s]+( [^\\\\s]+)*$" .
        """,
        """
        ex:a rdfs:label "TODO later"@en ; rdfs:comment "fine text", "two  spaces" .
        ex:b rdfs:comment "mastodon todos" , 42 .
        """,
    )
    assert native == expected
    assert sorted((row[1].rsplit("/", 1)[1], row[2]) for row in native) == [
        ("NoTodoShape", "Violation"),  # "TODO later"; "mastodon todos" is no placeholder
        ("SingleSpacedShape", "Warning"),  # "two  spaces"
    ]


def test_in_and_node_kind():
    native, expected = both_engines(
        property_shape(
            "sh:path ex:kind ; sh:in ( ex:yes ex:no ) ; sh:nodeKind sh:IRI ; sh:maxCount 1"
        ),
        'ex:a a ex:Thing ; ex:kind ex:yes . ex:b a ex:Thing ; ex:kind ex:maybe, "yes" .',
    )
    assert native == expected
    assert len(native) == 4  # maxCount, two sh:in, one nodeKind


def test_unsupported_features_stay_with_pyshacl():
    shapes = Graph().parse(
        data=PREFIXES
        + property_shape("sh:path rdfs:label ; sh:minLength 3")
        + """
        ex:OtherShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property ex:CountShape .
        ex:CountShape a sh:PropertyShape ; sh:message "m"@en ; sh:path ex:p ; sh:minCount 1 .
        """,
        format="turtle",
    )
    plan = make_plan(shapes, native=True)
    assert [str(check.shape) for check in plan.native_shapes] == ["http://example.org/OtherShape"]
    assert plan.pyshacl_shapes is not None


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["label-not-english", "step-number-not-integer"])
def test_bundled_shapes_skip_pyshacl_entirely(fixture, monkeypatch):
    from conftest import FIXTURES

    graph = load_graph([FIXTURES / "broken" / f"{fixture}.ttl"])
    expected = validation.validate_graph(graph, engine="pyshacl")

    def refuse(*args, **kwargs):
        raise AssertionError("pyshacl should not run")

    monkeypatch.setattr(pyshacl, "validate", refuse)
    assert comparable(validation.validate_graph(graph, engine="fast")) == comparable(expected)
    assert expected


def test_every_bundled_core_shape_is_evaluated_natively():
    from rdflib import RDF, SH

    shapes = load_graph(bundled_files("shapes"))
    plan = make_plan(shapes, native=True)
    assert plan.pyshacl_shapes is None
    native_properties = {prop.shape for check in plan.native_shapes for prop in check.properties}
    assert native_properties == set(shapes.subjects(RDF.type, SH.PropertyShape))
    native_constraints = {constraint.constraint for _, constraint in plan.constraints}
    assert native_constraints == set(shapes.objects(None, SH.sparql))
