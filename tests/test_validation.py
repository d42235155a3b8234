"""Validation of the bundled KB, the clean fixture and every broken fixture."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import BROKEN, CLEAN, expectations
from nephrokb.cli import main
from nephrokb.namespaces import compact
from nephrokb.resources import bundled_files
from nephrokb.validation import validate


def result_keys(report):
    return {(compact(r.focus), compact(r.rule), r.severity) for r in report.results}


def test_bundled_kb_conforms():
    report = validate()
    assert report.results == ()
    assert not report.failed()


def test_cli_validate_bundled_kb_prints_clean_summary():
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.output == ("Conforms: 0 violations, 0 warnings, 0 info (9 files, 620 triples).\n")


@pytest.mark.parametrize("fixture", CLEAN, ids=lambda path: path.stem)
def test_clean_fixture_conforms(fixture):
    result = CliRunner().invoke(main, ["validate", "--data", str(fixture)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Conforms: 0 violations")


def test_catalogue_of_broken_fixtures_is_large_enough():
    assert len(BROKEN) >= 20


@pytest.mark.parametrize("fixture", BROKEN, ids=lambda path: path.stem)
def test_broken_fixture_fails_with_expected_results(fixture):
    expected, messages = expectations(fixture)
    assert expected, f"{fixture.name} has no '# expect:' line"
    assert result_keys(validate([fixture])) == expected

    result = CliRunner().invoke(main, ["validate", "--data", str(fixture)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    for message in messages:
        assert message in result.output
    assert result.output.splitlines()[-1].startswith("Does not conform: ")


def shape_rules() -> set[str]:
    """Every shape that can fire on its own: IRI property shapes and SPARQL node shapes."""
    from rdflib import RDF, URIRef
    from rdflib.namespace import SH

    from nephrokb.loading import load_graph

    shapes = load_graph(bundled_files("shapes"))
    rules = {s for s in shapes.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)}
    rules |= {s for s in shapes.subjects(SH.sparql, None) if isinstance(s, URIRef)}
    return {compact(str(rule)) for rule in rules}


def test_every_shape_rule_is_broken_by_some_fixture():
    covered = {rule for fixture in BROKEN for _, rule, _ in expectations(fixture)[0]}
    assert shape_rules() - covered == set()


def test_report_groups_results_by_node_with_label():
    fixture = next(path for path in BROKEN if path.stem == "step-number-duplicate")
    result = CliRunner().invoke(main, ["validate", "--data", str(fixture)])
    assert result.output.splitlines()[0] == 'kb:demo-check-with-contrast "Check with contrast"'
    assert result.output.splitlines()[-1] == (
        "Does not conform: 3 violations, 0 warnings, 0 info (1 file, 99 triples)."
    )
