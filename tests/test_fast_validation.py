"""The fast validation engine gives exactly pyshacl's results, on every fixture and the KB."""

from __future__ import annotations

import pytest

from conftest import BROKEN, CLEAN, FIXTURES, against_pyshacl
from nephrokb.rdf.loading import load_graph
from nephrokb.terminologies import verhoeff_valid
from nephrokb.validation.engine import read_results, validate, validate_graph
from nephrokb.validation.source_checks import SOURCE_RULES
from nephrokb.validation.vocabulary_checks import explain

SHAPES = "https://w3id.org/nephrokb/shapes#"
# Their ports write the cycle's path into the message, where SPARQL can only list its members
# (in no defined order): their messages are compared up to the colon.
PATH_MESSAGES = {SHAPES + "AcyclicDependencyShape", SHAPES + "AcyclicRelianceShape"}


def blank(text: str | None) -> str | None:
    """Blank-node labels differ between parsers: write any blank node `_:`."""
    return "_:" if text is not None and (text.startswith("_:") or ":" not in text) else text


def comparable(results):
    """Results as comparable tuples; the source checks' are left out (pyshacl reads no files)."""
    return sorted(
        (
            blank(r.focus),
            r.rule,
            r.severity,
            r.message.split(":")[0] if r.rule in PATH_MESSAGES else r.message,
            r.path,
            blank(r.value_term),
            r.constraint,
        )
        for r in results
        if r.rule not in SOURCE_RULES
    )


def plain_pyshacl_results(fixture, pyshacl_reference, shapes_and_ontology) -> list:
    """pyshacl's results on the fixture, as nephrokb words them.

    pyshacl's run (rdflib parses the file, pyshacl checks every shape) is made once per
    fixture and shared with tests/test_referees.py; nephrokb writes the closed-vocabulary
    shapes' messages itself (see vocabulary_checks), so they go through the same `explain`.
    """
    data, report = pyshacl_reference(fixture)
    return comparable(explain(read_results(report, data), shapes_and_ontology[1]))


@pytest.mark.slow
@pytest.mark.parametrize("fixture", against_pyshacl(BROKEN + CLEAN))
def test_validate_gives_plain_pyshacls_results_on_fixture(
    fixture, pyshacl_reference, shapes_and_ontology
):
    """The whole fast path (pyoxigraph parsing and SPARQL, native checks) against pyshacl."""
    plain = plain_pyshacl_results(fixture, pyshacl_reference, shapes_and_ontology)
    assert comparable(validate([fixture]).results) == plain


@pytest.mark.slow
@pytest.mark.parametrize("fixture", against_pyshacl(BROKEN + CLEAN))
def test_fast_engine_on_an_rdflib_graph_gives_plain_pyshacls_results_on_fixture(
    fixture, pyshacl_reference, shapes_and_ontology
):
    """The fast engine on a graph without a pyoxigraph store (SPARQL run by rdflib)."""
    plain = plain_pyshacl_results(fixture, pyshacl_reference, shapes_and_ontology)
    assert comparable(validate_graph(load_graph([fixture]), engine="fast")) == plain


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


def test_nan_fails_both_bounds_without_a_traceback():
    report = validate([FIXTURES / "broken" / "mapping-confidence-nan.ttl"])
    assert sorted(
        (r.rule.rsplit("#", 1)[1], r.constraint.rsplit("#", 1)[1], r.value_term)
        for r in report.results
    ) == [
        (
            "MappingConfidenceShape",
            f"{name}InclusiveConstraintComponent",
            '"NaN"^^<http://www.w3.org/2001/XMLSchema#double>',
        )
        for name in ("Max", "Min")
    ]
