"""A user's shapes: added to the bundled ones or replacing them, and never dropped.

The default engine evaluates natively only what it evaluates exactly as the SHACL spec
says and hands every other shape to pyshacl, so its results equal pyshacl's.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import CLEAN, FIXTURES
from nephrokb.errors import ShapesError
from nephrokb.rdf.loading import load_graph
from nephrokb.validation.engine import validate, validate_graph
from nephrokb.validation.sparql_text import (
    evaluable_over_whole_graph,
    reads_own_triples_and_linked_types,
)

USER_SHAPES = FIXTURES / "user-shapes"

MINIMAL = next(path for path in CLEAN if path.stem == "minimal")
LABEL_MISSING = FIXTURES / "broken" / "label-missing.ttl"
PREFIXES = """@prefix ex: <http://example.org/> .
@prefix nkb: <https://w3id.org/nephrokb/vocab#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
"""
# A hospital's local profile: every procedure names its local code.
LOCAL_PROFILE = (
    PREFIXES
    + """
ex:LocalCodeShape a sh:NodeShape ;
    sh:targetClass nkb:Procedure ;
    sh:property ex:LocalCodePresentShape .
ex:LocalCodePresentShape a sh:PropertyShape ;
    sh:path ex:localCode ; sh:minCount 1 ; sh:message "has no local code."@en .
"""
)


@pytest.fixture
def local_profile(tmp_path):
    path = tmp_path / "local.ttl"
    path.write_text(LOCAL_PROFILE, encoding="utf-8")
    return path


def test_user_shapes_are_added_to_the_bundled_ones(local_profile):
    assert validate([MINIMAL]).results == ()
    report = validate([MINIMAL], shapes=[local_profile])
    assert [(result.focus, result.rule, result.message) for result in report.results] == [
        (
            f"https://w3id.org/nephrokb/id/{name}",
            "http://example.org/LocalCodePresentShape",
            "has no local code.",
        )
        for name in ("demo-access", "demo-drainage")
    ]


def test_only_shapes_replace_the_bundled_ones(local_profile):
    bundled_rules = {result.rule for result in validate([LABEL_MISSING]).results}
    assert bundled_rules == {"https://w3id.org/nephrokb/shapes#LabelShape"}
    report = validate([LABEL_MISSING], only_shapes=[local_profile.parent])
    assert {result.rule for result in report.results} == {
        "http://example.org/LocalCodePresentShape"
    }


def test_a_bad_shapes_file_names_file_and_line(tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_text(PREFIXES + "\nex:Shape a sh:NodeShape ;\n    sh:path .\n", encoding="utf-8")
    with pytest.raises(ShapesError) as caught:
        validate([MINIMAL], shapes=[path])
    assert str(caught.value).startswith(f"{path}:7: ")


def comparable(results):
    """What SHACL engines are compared on: (focus, shape, component, severity, value, path)."""
    return {(r.focus, r.rule, r.constraint, r.severity, r.value_term, r.path) for r in results}


def short(results):
    return sorted(
        (r.focus.rsplit("/", 1)[-1], r.rule.rsplit("/", 1)[-1], r.constraint.rsplit("#", 1)[-1])
        for r in results
    )


def test_shapes_dropped_before_give_pyshacls_seven_violations():
    """$PATH, sh:node, pre-bound $this, an implicit class target and sh:deactivated."""
    data = [USER_SHAPES / "dropped-before-data.ttl"]
    shapes = [USER_SHAPES / "dropped-before-shapes.ttl"]
    fast = validate(data, only_shapes=shapes).results
    assert comparable(fast) == comparable(
        validate(data, only_shapes=shapes, engine="pyshacl").results
    )
    assert short(fast) == [
        ("a", "OtherShape", "MinCountConstraintComponent"),
        ("a", "ShortLabelShape", "SPARQLConstraintComponent"),  # $PATH
        ("b", "OtherShape", "MinCountConstraintComponent"),
        ("b", "PartShape", "NodeConstraintComponent"),  # SPARQL inside sh:node
        ("b", "ThingShape", "SPARQLConstraintComponent"),  # needs $this pre-bound
        ("p1", "SizeIsTextShape", "DatatypeConstraintComponent"),  # implicit class target
        ("p2", "SizeIsTextShape", "DatatypeConstraintComponent"),
    ]  # nothing from OffShape, MissingShape or the deactivated constraint
    assert [r.message for r in fast if r.rule.endswith("ShortLabelShape")] == [
        "label ab is too short."
    ]


def test_the_same_without_a_store_runs_on_rdflib():
    graph = load_graph([USER_SHAPES / "dropped-before-data.ttl"])
    shapes = load_graph([USER_SHAPES / "dropped-before-shapes.ttl"])
    fast = validate_graph(graph, shapes_graph=shapes)
    assert comparable(fast) == comparable(
        validate_graph(graph, shapes_graph=shapes, engine="pyshacl")
    )
    assert len(fast) == 7


@pytest.mark.slow
def test_local_profile_gives_exactly_pyshacls_results():
    """sh:or, sh:qualifiedValueShape, a sequence path, $PATH and an implicit class target."""
    shapes = [USER_SHAPES / "local-profile.ttl"]
    fast = validate([MINIMAL], shapes=shapes).results
    assert comparable(fast) == comparable(
        validate([MINIMAL], shapes=shapes, engine="pyshacl").results
    )
    assert short(fast) == [
        ("demo-check-with-contrast", "shapes#StepShape", "OrConstraintComponent"),
        ("demo-drainage", "shapes#DeviceUsedShape", "MinCountConstraintComponent"),
        ("demo-drainage", "shapes#TwoDependentStepsShape", "QualifiedMinCountConstraintComponent"),
        ("demo-indication", "shapes#IndicationCodedShape", "MinCountConstraintComponent"),
        ("demo-pass-wire", "shapes#DescriptiveLabelShape", "SPARQLConstraintComponent"),
        ("demo-pass-wire", "shapes#StepShape", "OrConstraintComponent"),
        ("demo-place-tube", "shapes#StepShape", "OrConstraintComponent"),
    ]


@pytest.mark.parametrize(
    ("select", "whole_graph"),
    [
        ("SELECT $this ?value WHERE { $this ex:p ?value . FILTER (?value > 1) }", True),
        ("SELECT * WHERE { $this ex:p ?v . FILTER NOT EXISTS { $this ex:q ?v } }", True),
        ("SELECT $this WHERE { ?x ex:p ?y . BIND (1 AS ?z) $this ex:q ?x . }", True),
        ("SELECT $this WHERE { FILTER NOT EXISTS { $this ex:p ?label } }", False),
        ("SELECT ?value WHERE { $this ex:p ?value . }", False),
        ("SELECT $this WHERE { $this ex:p ?v . { FILTER (?v != $this) } }", False),
        ("SELECT $this WHERE { $this ex:p ?v . OPTIONAL { $this ex:q ?w } }", False),
        ("SELECT $this WHERE { $this ex:p ?v . MINUS { $this ex:q ?v } }", False),
        ("SELECT $this WHERE { $this ex:p ?v . BIND ($this AS ?self) }", False),
        ("SELECT $this WHERE { $this ex:p ?v . VALUES $this { ex:a } }", False),
        ("SELECT $this WHERE { $this ex:p ?v . { SELECT $this WHERE { $this ex:q ?w } } }", False),
        (
            "SELECT $this { $this ex:p ?v . FILTER EXISTS { { SELECT $this { $this ex:q ?w } } } }",
            False,
        ),
        ("SELECT $this WHERE { $this ex:p ?v . } LIMIT 1", False),
        ("SELECT $this (COUNT(?v) AS ?n) WHERE { $this ex:p ?v . } GROUP BY $this", False),
        ("SELECT $this WHERE { { $this ex:p ?v } UNION { $this ex:q ?v } }", False),
    ],
)
def test_whole_graph_criterion(select, whole_graph):
    query = "PREFIX ex: <http://example.org/>\n" + select.replace("$this", "?this")
    assert evaluable_over_whole_graph(query) is whole_graph


@pytest.mark.parametrize(
    ("where", "focus"),
    [
        ("$this ex:p ?v . FILTER NOT EXISTS { $this ex:q ?v }", ["a"]),  # whole graph
        ("FILTER NOT EXISTS { $this ex:p 1 }", ["b"]),  # once per focus node
        ("$this ex:p ?v . OPTIONAL { $this ex:q ?w } FILTER (!BOUND(?w))", ["a"]),
    ],
)
def test_both_evaluations_give_pyshacls_results(tmp_path, where, focus):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        PREFIXES
        + f"""ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:sparql [
    sh:message "m"@en ; sh:prefixes ex: ; sh:select "SELECT $this WHERE {{ {where} }}" ] .
ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/" ] .
""",
        encoding="utf-8",
    )
    data = tmp_path / "data.ttl"
    data.write_text(
        PREFIXES + "ex:a a ex:T ; ex:p 1 . ex:b a ex:T ; ex:p 2 ; ex:q 2 . ex:c ex:p 3 .\n",
        encoding="utf-8",
    )
    fast = validate([data], only_shapes=[shapes]).results
    assert comparable(fast) == comparable(
        validate([data], only_shapes=[shapes], engine="pyshacl").results
    )
    assert [r.focus.rsplit("/", 1)[1] for r in fast] == focus


@pytest.mark.slow
def test_the_bundled_knowledge_is_validated_without_pyshacl():
    script = (
        "import sys\n"
        "from nephrokb.validation.engine import validate\n"
        "validate()\n"
        "assert 'pyshacl' not in sys.modules, 'pyshacl was imported'\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


def invoke(*arguments):
    from click.testing import CliRunner

    from nephrokb.cli import main

    return CliRunner().invoke(main, ["validate", "--data", str(MINIMAL), *arguments])


def test_cli_shapes_adds_a_local_profile():
    result = invoke("--shapes", str(USER_SHAPES / "local-profile.ttl"), "--format", "json")
    assert result.exit_code == 1, result.output
    results = json.loads(result.output)["results"]
    assert len(results) == 7
    assert invoke().exit_code == 0


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_cli_only_shapes_and_engine(engine, local_profile):
    result = invoke("--only-shapes", str(local_profile), "--engine", engine)
    assert result.exit_code == 1, result.output
    assert result.output.count("has no local code.") == 2


def test_cli_bad_shapes_file_is_one_line_with_file_and_line(tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_text(PREFIXES + "\nex:Shape a sh:NodeShape ;\n    sh:path .\n", encoding="utf-8")
    result = invoke("--shapes", str(path))
    assert result.exit_code == 2
    assert result.output.startswith(f"nephrokb: error: {path}:7: ")
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_cli_refuses_an_unknown_engine():
    result = invoke("--engine", "jena")
    assert result.exit_code == 2
    assert result.output == "nephrokb: error: invalid --engine 'jena'; choose from: fast, pyshacl\n"


@pytest.mark.parametrize(
    ("select", "own"),
    [
        ("SELECT $this ?v WHERE { $this ex:p|ex:q ?v . FILTER (?v > 1) }", True),
        ("SELECT $this WHERE { $this a ex:T ; ex:p ?v, 'x'@en . FILTER regex(?v, 'a') }", True),
        ("SELECT $this WHERE { $this ex:p ?v . FILTER NOT EXISTS { $this ex:q ?v } }", True),
        ("SELECT $this WHERE { $this ex:p ?v . ?v ex:q ?w }", False),
        ("SELECT $this WHERE { $this ex:p ?v . FILTER NOT EXISTS { ?v ex:q ?w } }", False),
        ("SELECT $this WHERE { $this ex:p ?v FILTER (?v > 1) ?v ex:q ?w }", False),
        ("SELECT $this WHERE { $this ex:p/ex:q ?v }", False),
        ("SELECT $this WHERE { $this ^ex:p ?v }", False),
        ("SELECT $this WHERE { $this ex:p [ ex:q ?v ] }", False),
        ("SELECT $this WHERE { $this ex:p ?v . OPTIONAL { ?other ex:p ?v } }", False),
        ("SELECT $this WHERE { $this ?p ?v . FILTER (?p IN (ex:a, ex:b)) }", True),
        ("SELECT $this WHERE { $this ex:p ?v . ?v a ex:T }", True),
        ("SELECT $this WHERE { $this ex:p ?v . FILTER NOT EXISTS { ?v a ?class } }", True),
        ("SELECT $this WHERE { $this ex:p ?v . ?v ex:q ex:T }", False),
        ("SELECT $this WHERE { ?x a ex:T . $this ex:p ?v }", False),
        ("SELECT $this WHERE { $this ex:p ?v . ?v ?p ?w }", False),
    ],
)
def test_own_triples_criterion(select, own):
    query = "PREFIX ex: <http://example.org/>\n" + select.replace("$this", "?this")
    assert reads_own_triples_and_linked_types(query) is own


def test_a_sparql_constraint_that_cannot_be_parsed_is_a_shapes_error(tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        PREFIXES
        + "ex:S a sh:NodeShape ; sh:targetClass nkb:Step ;\n"
        + '    sh:sparql [ sh:select "SELECT $this WHERE { $this" ] .\n',
        encoding="utf-8",
    )
    with pytest.raises(
        ShapesError, match=r"the SPARQL constraint of http://example\.org/S cannot be run"
    ):
        validate([MINIMAL], only_shapes=[shapes])
