"""nephrokb.validation.sparql_constraints: reading sh:sparql constraints and running them.

tests/test_fast_validation.py, tests/test_user_shapes.py and the W3C suite compare the
results with pyshacl's; these tests pin what is read from a constraint, what is refused (and
so left to pyshacl), and how one is run.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from nephrokb.errors import ShapesError
from nephrokb.rdf.stores import store_of
from nephrokb.validation.core_constraints import Unsupported
from nephrokb.validation.core_evaluation import NativeResult
from nephrokb.validation.sparql_constraints import (
    SPARQL_CONSTRAINT_COMPONENT,
    SparqlConstraint,
    evaluate,
    query_digest,
    read_constraints,
    sparql_path,
    substitute,
)

PREFIXES = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
DECLARE_EX = """
ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
"""
UNLABELLED = (
    "SELECT $this WHERE { $this a ex:Thing ."
    " FILTER NOT EXISTS { $this <http://www.w3.org/2000/01/rdf-schema#label> ?l } }"
)
DATA = """
ex:a a ex:Thing ; rdfs:label "A" .
ex:b a ex:Thing .
ex:c a ex:Thing .
"""


def ex(name: str) -> URIRef:
    return URIRef(f"http://example.org/{name}")


def graph_of(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


def shape_with(constraint: str, shape: str = "") -> Graph:
    """A node shape ex:S holding one sh:sparql constraint ex:C."""
    return graph_of(
        DECLARE_EX
        + f"ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:sparql ex:C {shape}.\n"
        + f"ex:C {constraint} ."
    )


def only_constraint(shapes: Graph, **path) -> SparqlConstraint:
    (constraint,) = read_constraints(shapes, ex("S"), **path)
    return constraint


def test_a_constraint_is_read_with_its_prefixes_message_and_severity():
    shapes = shape_with(
        f'sh:prefixes ex: ; sh:select "{UNLABELLED}" ; sh:message "{{$this}} has no label"',
        "; sh:severity sh:Warning",
    )
    constraint = only_constraint(shapes)
    assert constraint == SparqlConstraint(
        shape=ex("S"),
        constraint=ex("C"),
        query="PREFIX ex: <http://example.org/>\n" + UNLABELLED.replace("$this", "?this"),
        message="{$this} has no label",
        severity="Warning",
        digest=query_digest(UNLABELLED, {"ex": "http://example.org/"}),
        whole_graph=True,
    )


def test_the_digest_ignores_layout_but_not_a_string_or_a_prefix():
    prefixes = {"ex": "http://example.org/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
    digest = query_digest(UNLABELLED, prefixes)
    reindented = UNLABELLED.replace(" WHERE ", "\n  WHERE\n    ").replace(" . ", " .\n\t")
    assert query_digest(reindented, dict(reversed(prefixes.items()))) == digest
    assert query_digest('SELECT $this WHERE { $this ex:p "a  b" }', prefixes) != query_digest(
        'SELECT $this WHERE { $this ex:p "a b" }', prefixes
    )
    assert query_digest(UNLABELLED, {"ex": "http://example.org/"}) != digest


def test_a_deactivated_constraint_is_not_read():
    shapes = shape_with(f'sh:select "{UNLABELLED}" ; sh:deactivated true')
    assert list(read_constraints(shapes, ex("S"))) == []


def test_current_shape_is_prebound_and_path_replaced_in_a_property_shape():
    select = "SELECT $this WHERE { $this $PATH ?v . FILTER (?v = $currentShape) }"
    shapes = shape_with(f'sh:select "{select}"')
    constraint = only_constraint(shapes, path=ex("p"), path_text="<http://example.org/p>")
    assert constraint.query == (
        "SELECT ?this WHERE { ?this <http://example.org/p> ?v . FILTER (?v = $currentShape) }"
    )
    assert constraint.prebound == {"currentShape"}
    assert constraint.path == ex("p")


@pytest.mark.parametrize(
    ("constraint", "shape"),
    [
        (f'sh:select "{UNLABELLED}" ; ex:note "an unknown predicate"', ""),
        ('sh:select "SELECT $this WHERE { GRAPH $shapesGraph { $this ?p ?o } }"', ""),
        ('sh:select "SELECT $this ?failure WHERE { $this ?p ?o }"', ""),
        ('sh:select "SELECT $this WHERE { $this $PATH ?o }"', ""),  # $PATH in a node shape
        ("sh:select ex:notALiteral", ""),
        (f'sh:select "{UNLABELLED}"', "; sh:severity ex:Serious"),
        (f'sh:select "{UNLABELLED}" ; sh:prefixes ex:Twice', ""),
    ],
    ids=[
        "unknown-predicate",
        "shapes-graph",
        "failure",
        "path-in-node-shape",
        "select-not-literal",
        "own-severity",
        "prefix-declared-twice",
    ],
)
def test_what_is_not_evaluated_exactly_is_unsupported(constraint, shape):
    shapes = shape_with(constraint, shape)
    shapes += graph_of(
        'ex:Twice sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ],'
        ' [ sh:prefix "ex" ; sh:namespace "http://example.com/"^^xsd:anyURI ] .'
    )
    with pytest.raises(Unsupported):
        list(read_constraints(shapes, ex("S")))


@pytest.mark.parametrize(
    ("predicates", "inverse", "written"),
    [
        ((ex("p"),), False, "<http://example.org/p>"),
        ((ex("p"),), True, "^<http://example.org/p>"),
        ((ex("p"), ex("q")), False, "(<http://example.org/p>|<http://example.org/q>)"),
    ],
)
def test_paths_are_written_in_sparql_syntax(predicates, inverse, written):
    assert sparql_path(predicates, inverse=inverse) == written


def test_messages_are_filled_as_pyshacl_fills_them():
    bindings = {"this": ex("a"), "value": Literal(3)}
    assert substitute("{$this} has {?value}, not {?missing}", bindings) == (
        "http://example.org/a has 3, not {?missing}"
    )


@pytest.mark.parametrize("on_store", [False, True], ids=["rdflib", "pyoxigraph"])
def test_a_constraint_runs_for_its_focus_nodes_only(on_store):
    shapes = shape_with(f'sh:prefixes ex: ; sh:select "{UNLABELLED}" ; sh:message "no label"')
    constraint = only_constraint(shapes)
    data = graph_of(DATA)
    results = evaluate(
        data, [(constraint, {ex("a"), ex("b")})], store_of(data) if on_store else None
    )
    assert list(results) == [
        NativeResult(
            focus=ex("b"),
            shape=ex("S"),
            severity="Violation",
            message="no label",
            path=None,
            value=ex("b"),
            component=SPARQL_CONSTRAINT_COMPONENT,
        )
    ]


def test_a_query_that_cannot_be_run_is_a_shapes_error_naming_the_shape():
    shapes = shape_with('sh:select "SELECT $this WHERE { $this ?p }"')
    (constraint,) = read_constraints(shapes, ex("S"))
    with pytest.raises(ShapesError, match=r"^the SPARQL constraint of http://example.org/S cannot"):
        list(evaluate(graph_of(DATA), [(constraint, {ex("a")})]))
