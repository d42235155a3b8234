"""Validation of the bundled KB, the clean fixture and every broken fixture."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import BROKEN, CLEAN, expectations
from nephrokb.cli import main
from nephrokb.namespaces import KB, compact
from nephrokb.reports.text import render_text
from nephrokb.resources import bundled_files
from nephrokb.validation.engine import validate
from nephrokb.validation.results import Report, ValidationResult


@functools.cache
def validated(fixture: Path) -> Report:
    """Validate one fixture once per test session; pyshacl takes about half a second a run."""
    return validate([fixture])


def result_keys(report):
    return {(compact(r.focus), compact(r.rule), r.severity) for r in report.results}


def test_bundled_kb_conforms():
    report = validate()
    assert report.results == ()
    assert not report.failed()


def test_cli_validate_bundled_kb_prints_clean_summary(bundled_graph, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # outside any checkout: the installed copy
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    files, triples = len(bundled_files("kb")), len(bundled_graph)
    assert result.output == (
        f"Conforms: 0 violations, 0 warnings, 0 info ({files} files, {triples} triples).\n"
    )


def test_cli_validate_in_this_checkout_says_it_reads_the_checkout(monkeypatch):
    checkout = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(checkout / "tests")
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"; knowledge from the checkout {checkout}).\n")


@pytest.mark.parametrize("fixture", CLEAN, ids=lambda path: path.stem)
def test_clean_fixture_conforms(fixture):
    result = CliRunner().invoke(main, ["validate", "--data", str(fixture), "--strict"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Conforms: 0 violations")


@pytest.mark.parametrize("fixture", BROKEN, ids=lambda path: path.stem)
def test_broken_fixture_fails_with_expected_results(fixture):
    expected, messages = expectations(fixture)
    assert expected, f"{fixture.name} has no '# expect:' line"
    report = validated(fixture)
    assert result_keys(report) == expected
    assert report.failed()

    output = render_text(report)
    for message in messages:
        assert message in output
    assert output.splitlines()[-1].startswith("Does not conform: ")


def test_cli_exits_1_on_violations_without_traceback():
    fixture = next(path for path in BROKEN if path.stem == "step-number-gap")
    result = CliRunner().invoke(main, ["validate", "--data", str(fixture)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.splitlines()[-1].startswith("Does not conform: 1 violation, ")


def shape_rules() -> set[str]:
    """Every shape that can fire on its own: IRI property shapes and SPARQL node shapes."""
    from rdflib import RDF, URIRef
    from rdflib.namespace import SH

    from nephrokb.rdf.loading import load_graph

    shapes = load_graph(bundled_files("shapes"))
    rules = {s for s in shapes.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)}
    rules |= {s for s in shapes.subjects(SH.sparql, None) if isinstance(s, URIRef)}
    return {compact(str(rule)) for rule in rules}


def test_every_shape_rule_is_broken_by_some_fixture():
    covered = {rule for fixture in BROKEN for _, rule, _ in expectations(fixture)[0]}
    assert shape_rules() - covered == set()


def test_text_report_groups_results_by_file_and_node(monkeypatch):
    fixture = next(path for path in BROKEN if path.stem == "step-number-duplicate")
    monkeypatch.chdir(fixture.parent)
    assert render_text(validated(fixture)) == (
        'kb:demo-pass-wire "Pass a wire"\n'
        "step-number-duplicate.ttl:42: violation: shares step number 2 with another step of the"
        " same procedure. (value: 2) [nkbsh:UniqueStepNumberShape]\n"
        "\n"
        'kb:demo-check-with-contrast "Check with contrast"\n'
        "step-number-duplicate.ttl:52: violation: depends on step 2, which does not come"
        " before its own step 2. (value: kb:demo-pass-wire)"
        " [nkbsh:DependsOnEarlierStepShape]\n"
        "step-number-duplicate.ttl:52: violation: shares step number 2 with another step of the"
        " same procedure. (value: 2) [nkbsh:UniqueStepNumberShape]\n"
        "\n"
        "Does not conform: 3 violations, 0 warnings, 0 info (1 file, 99 triples).\n"
    )


def test_text_report_names_the_value_line_of_a_triple(monkeypatch):
    fixture = next(path for path in BROKEN if path.stem == "dangling-has-step")
    monkeypatch.chdir(fixture.parent)
    assert render_text(validated(fixture)).splitlines()[:2] == [
        'kb:demo-drainage "Demo drainage"',
        "dangling-has-step.ttl:59: violation: links with nkb:hasStep to a node that is not a"
        " nkb:Step. (value: kb:demo-missing-step, line 63) [nkbsh:HasStepTargetShape]",
    ]


def test_value_line_is_the_line_of_the_offending_object():
    fixture = next(path for path in BROKEN if path.stem == "dangling-has-step")
    (result,) = validated(fixture).results
    source = fixture.read_text(encoding="utf-8").splitlines()
    assert "kb:demo-missing-step" in source[result.value_line - 1]
    assert source[result.line - 1].startswith("kb:demo-drainage a nkb:Procedure")


def test_focus_described_in_no_file_gets_the_line_of_its_first_mention(tmp_path):
    described = tmp_path / "a-described.ttl"
    described.write_text(
        "@prefix kb: <https://w3id.org/nephrokb/id/> .\n"
        "@prefix nkb: <https://w3id.org/nephrokb/vocab#> .\n\n"
        "kb:procedure a nkb:Procedure ;\n"
        "    nkb:hasStep kb:elsewhere .\n",
        encoding="utf-8",
    )
    mentioned = tmp_path / "b-mentioned.ttl"
    mentioned.write_text(
        "@prefix kb: <https://w3id.org/nephrokb/id/> .\n\nkb:other kb:seeAlso kb:nowhere .\n",
        encoding="utf-8",
    )
    from nephrokb.rdf.loading import load_dataset
    from nephrokb.validation.locations import Locations, locate_results

    loaded = load_dataset([described, mentioned])
    sources = Locations(loaded.sources, loaded.subjects)
    results = [
        ValidationResult(focus=KB + name, rule="r", severity="Violation", message="m")
        for name in ("elsewhere", "nowhere", "procedure", "absent")
    ]
    located = {r.focus.removeprefix(KB): (r.file, r.line) for r in locate_results(results, sources)}
    assert located == {
        "procedure": (str(described), 4),
        "elsewhere": (str(described), 5),
        "nowhere": (str(mentioned), 3),
        "absent": (None, None),
    }


def test_validate_reads_standard_input_once(monkeypatch):
    import io
    import sys

    fixture = next(path for path in BROKEN if path.stem == "step-number-gap")
    stdin = io.TextIOWrapper(io.BytesIO(fixture.read_bytes()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    report = validate(["-"])
    (result,) = report.results
    assert (result.file, compact(result.focus)) == ("-", "kb:demo-check-with-contrast")
    assert result.line == validated(fixture).results[0].line


def synthetic_report(*severities: str) -> Report:
    results = tuple(
        ValidationResult(focus=KB + f"node-{n}", rule="r", severity=severity, message="m")
        for n, severity in enumerate(severities)
    )
    return Report(results=results, files=(), triples=0)


def test_warnings_and_info_fail_only_when_strict():
    report = synthetic_report("Warning", "Info")
    assert not report.failed()
    assert report.failed(strict=True)
    assert synthetic_report("Violation").failed()
    assert not synthetic_report().failed(strict=True)


@pytest.mark.parametrize(("strict", "exit_code"), [(False, 0), (True, 1)])
def test_cli_strict_flag_fails_on_warnings(monkeypatch, strict, exit_code):
    monkeypatch.setattr(
        "nephrokb.validation.engine.validate", lambda data, **options: synthetic_report("Warning")
    )
    arguments = ["validate", "--strict"] if strict else ["validate"]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == exit_code, result.output
    verdict = "Does not conform" if strict else "Conforms"
    assert result.output.splitlines()[-1].startswith(f"{verdict}: 0 violations, 1 warning, 0 info")
