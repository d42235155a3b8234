"""The fast validation engine gives exactly pyshacl's results, on every fixture and the KB."""

from __future__ import annotations

import pytest

from conftest import BROKEN, CLEAN
from nephrokb.loading import load_graph
from nephrokb.native_checks import verhoeff_valid
from nephrokb.validation import validate_graph


def comparable(results):
    return sorted(
        (r.focus, r.rule, r.severity, r.message, r.path, r.value_term, r.constraint)
        for r in results
    )


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
