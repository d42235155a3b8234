"""The fast validation engine gives exactly pyshacl's results, on every fixture and the KB."""

from __future__ import annotations

import pytest

from conftest import BROKEN, CLEAN
from nephrokb.loading import load_graph
from nephrokb.native_checks import verhoeff_valid
from nephrokb.source_checks import SOURCE_RULES
from nephrokb.validation import validate, validate_graph


def comparable(results):
    """Results as comparable tuples; the source checks' are left out (pyshacl reads no files)."""
    return sorted(
        (r.focus, r.rule, r.severity, r.message, r.path, r.value_term, r.constraint)
        for r in results
        if r.rule not in SOURCE_RULES
    )


def plain_pyshacl(fixture):
    """Validate a file the plain way: rdflib parses it, pyshacl checks every shape."""
    import pyshacl
    from rdflib import Graph

    from nephrokb.resources import bundled_files
    from nephrokb.validation import read_results
    from nephrokb.vocabulary_checks import explain

    data, shapes, ontology = Graph(), Graph(), Graph()
    data.parse(fixture, format="turtle")
    for path in bundled_files("shapes"):
        shapes.parse(path, format="turtle")
    for path in bundled_files("ontology"):
        ontology.parse(path, format="turtle")
    _, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True
    )
    # nephrokb writes the closed-vocabulary shapes' messages itself (see vocabulary_checks).
    return list(explain(read_results(report, data), ontology))


@pytest.mark.parametrize("fixture", BROKEN + CLEAN, ids=lambda path: path.stem)
def test_validate_gives_plain_pyshacls_results_on_fixture(fixture):
    """The whole fast path (pyoxigraph parsing and SPARQL, native checks) against pyshacl."""
    assert comparable(validate([fixture]).results) == comparable(plain_pyshacl(fixture))


@pytest.mark.parametrize("fixture", BROKEN + CLEAN, ids=lambda path: path.stem)
def test_fast_engine_equals_pyshacl_on_fixture(fixture):
    graph = load_graph([fixture])
    assert comparable(validate_graph(graph, engine="fast")) == comparable(
        validate_graph(graph, engine="pyshacl")
    )


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("313270001", True),
        ("428817001", True),
        ("257366006", True),
        ("313270002", False),
        ("1234567013", True),
        ("1234567014", False),
    ],
)
def test_verhoeff(code, valid):
    assert verhoeff_valid(code) is valid


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="unknown validation engine 'jena'"):
        validate_graph(load_graph([CLEAN[0]]), engine="jena")
