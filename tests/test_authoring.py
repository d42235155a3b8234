"""Procedure files in YAML: the round trip with Turtle, import, validation at the editor's
lines in every report format, the scaffold and the shipped JSON Schema."""

from __future__ import annotations

import difflib
import functools
import json
import re
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import BROKEN, expectations
from nephrokb.authoring.compile import compile_document
from nephrokb.authoring.decompile import ExportError, decompile
from nephrokb.authoring.fields import SECTIONS, STEP
from nephrokb.authoring.scaffold import append_entry, procedure_skeleton
from nephrokb.authoring.schema import SCHEMA_FILE, procedure_schema, schema_text
from nephrokb.authoring.workbook import read_workbook, write_workbook
from nephrokb.authoring.yaml_format import read_yaml, write_yaml
from nephrokb.cli import main
from nephrokb.editing.fix import plan_fixes
from nephrokb.editing.importing import knowledge_with
from nephrokb.namespaces import compact
from nephrokb.reports import REPORT_FORMATS, render_report
from nephrokb.resources import bundled_files
from nephrokb.validation.engine import validate
from test_reports import READERS

FIXTURES = Path(__file__).parent / "fixtures" / "authoring"
EXAMPLE = FIXTURES / "renal-puncture.yaml"
BROKEN_YAML = sorted((FIXTURES / "broken").glob("*.yaml"))
KB_FILES = bundled_files("kb")


def compiled(text: str) -> Graph:
    """Compile YAML text, asserting that it compiles without problems."""
    result = compile_document(read_yaml(text, "test.yaml"), "test.yaml")
    assert result.problems == []
    return result.graph


@pytest.mark.parametrize("turtle", KB_FILES, ids=lambda path: path.name)
def test_every_kb_file_round_trips_through_yaml(turtle):
    graph = Graph().parse(turtle)
    assert isomorphic(compiled(write_yaml(decompile(graph))), graph)


@pytest.mark.slow
def test_export_yaml_then_import_gives_the_same_knowledge(tmp_path):
    runner = CliRunner()
    exported = tmp_path / "everything.yaml"
    result = runner.invoke(main, ["export", "--format", "yaml", "--output", str(exported)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["import", str(exported), "--into", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"{tmp_path / 'everything.ttl'}: written "
        f"({len(Graph().parse(tmp_path / 'everything.ttl'))} triples from {exported})\n"
    )
    knowledge = Graph()
    for path in KB_FILES:
        knowledge.parse(path)
    assert isomorphic(Graph().parse(tmp_path / "everything.ttl"), knowledge)


def test_a_triple_the_format_cannot_hold_is_refused_not_dropped():
    graph = Graph().parse(data=EXAMPLE_TURTLE, format="turtle")
    with pytest.raises(ExportError, match=r"cannot be written in the authoring format: kb:a"):
        decompile(graph)


EXAMPLE_TURTLE = """@prefix kb: <https://w3id.org/nephrokb/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
kb:a rdfs:comment "not a key of any section" ."""

SLUGS = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,5}){0,2}", fullmatch=True)
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda text: text.strip() == text
)


@st.composite
def procedure_documents(draw):
    """A procedure with steps that depend only on earlier ones, and a condition or two."""
    slugs = draw(st.lists(SLUGS, min_size=2, max_size=7, unique=True))
    procedure_slug, *step_slugs = slugs
    steps = []
    for position, slug in enumerate(step_slugs):
        step = {"slug": slug, "label": draw(TEXT), "description": draw(TEXT)}
        earlier = step_slugs[:position]
        if earlier:
            step["depends-on"] = draw(st.lists(st.sampled_from(earlier), unique=True))
        if draw(st.booleans()):
            step["condition"] = draw(TEXT)
        step["lines"] = draw(st.lists(st.integers(1, 200), unique=True, max_size=3))
        steps.append(step)
    document = {
        "procedure": {
            "slug": procedure_slug,
            "label": draw(TEXT),
            "definition": draw(TEXT),
            "steps": steps,
        },
        "conditions": [
            {
                "slug": "c-" + slug,
                "label": draw(TEXT),
                "definition": draw(TEXT),
                "see-also": "https://example.org/" + slug,
            }
            for slug in draw(st.lists(SLUGS, max_size=2, unique=True))
        ],
        "excerpts": [
            {"line": line, "text": draw(TEXT)}
            for line in draw(st.lists(st.integers(1, 200), max_size=3, unique=True))
        ],
    }
    if draw(st.booleans()):
        document["source"] = "other-source"
    return document


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(procedure_documents())
def test_yaml_export_then_import_is_isomorphic(document):
    graph = compiled(write_yaml(document))
    again = compiled(write_yaml(decompile(graph)))
    assert isomorphic(again, graph)


def test_step_numbers_and_provenance_are_generated():
    graph = compiled(EXAMPLE.read_text())
    rows = graph.query(
        """SELECT ?step ?number ?excerpt WHERE {
            kb:renal-puncture nkb:hasStep ?step ; prov:wasDerivedFrom kb:source-text ;
                dcterms:source kb:source-text .
            ?step nkb:stepNumber ?number ; prov:wasDerivedFrom ?excerpt ;
                dcterms:source kb:source-text .
        } ORDER BY ?number""",
        initNs={
            "kb": "https://w3id.org/nephrokb/id/",
            "nkb": "https://w3id.org/nephrokb/vocab#",
            "prov": "http://www.w3.org/ns/prov#",
            "dcterms": "http://purl.org/dc/terms/",
        },
    )
    assert [(compact(str(s)), int(n), compact(str(e))) for s, n, e in rows] == [
        ("kb:rp-position-patient-prone", 1, "kb:source-line-02"),
        ("kb:rp-locate-posterior-calyx", 2, "kb:source-line-06"),
        ("kb:rp-puncture-calyx", 3, "kb:source-line-08"),
    ]


def test_the_example_conforms_with_the_knowledge():
    report = validate(knowledge_with([EXAMPLE]))
    assert report.results == ()


def header(fixture: Path, name: str) -> str:
    prefix = f"# {name}: "
    return next(
        line[len(prefix) :] for line in fixture.read_text().splitlines() if line.startswith(prefix)
    )


@functools.cache
def report_of(fixture: Path):
    return validate(knowledge_with([fixture]))


def read_report(report_format: str, output: str):
    """Read a report with test_reports' readers; JUnit without the other files' passes."""
    if report_format == "junit":
        tree = ElementTree.fromstring(output)
        for suite in tree.iter("testsuite"):
            for case in list(suite.iter("testcase")):
                if case.get("name") == "conforms":
                    suite.remove(case)
        output = ElementTree.tostring(tree, encoding="unicode")
    return READERS[report_format](output)


@pytest.mark.parametrize("report_format", sorted(REPORT_FORMATS))
@pytest.mark.parametrize("fixture", BROKEN_YAML, ids=lambda path: path.stem)
def test_every_broken_yaml_is_reported_at_its_line_in_every_format(fixture, report_format):
    rule, severity = header(fixture, "expect").split()
    line = int(header(fixture, "line"))
    output = render_report(report_of(fixture), report_format)
    located = {(f, n, r, s) for f, n, _, r, s in read_report(report_format, output)}
    assert (fixture.resolve(), line, rule, severity) in located
    if report_format in ("text", "json", "github", "sarif", "junit"):
        assert header(fixture, "message") in output


def test_every_authoring_rule_has_a_broken_yaml_fixture():
    from nephrokb.authoring.compile import AUTHORING_RULES

    covered = {header(fixture, "expect").split()[0] for fixture in BROKEN_YAML}
    assert {compact(rule) for rule in AUTHORING_RULES} <= covered


def test_a_broken_yaml_exits_1_and_names_its_line(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    result = CliRunner().invoke(main, ["validate", "broken/unknown-key.yaml"])
    assert result.exit_code == 1
    assert (
        "broken/unknown-key.yaml:31: violation: unknown key 'devise'; did you mean 'devices'? "
        "[nkbsh:AuthoringKnownKeyRule]\n" in result.output
    )


def test_yaml_that_cannot_be_read_is_one_line_exit_2(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("procedure:\n  slug: x\n  label: [unclosed\n")
    result = CliRunner().invoke(main, ["validate", str(broken)])
    assert result.exit_code == 2
    assert result.output.startswith(f"nephrokb: error: {broken}:4: YAML syntax error: ")
    assert len(result.output.splitlines()) == 1


def copy_of_kb(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    folder.mkdir()
    for path in KB_FILES:
        shutil.copy(path, folder)
    return folder


def test_import_writes_canonical_turtle_and_keeps_it_when_unchanged(tmp_path):
    folder = copy_of_kb(tmp_path)
    runner = CliRunner()
    first = runner.invoke(main, ["import", str(EXAMPLE), "--into", str(folder)])
    assert first.exit_code == 0, first.output
    target = folder / "renal-puncture.ttl"
    assert first.output == f"{target}: written (38 triples from {EXAMPLE})\n"
    assert isomorphic(Graph().parse(target), compiled(EXAMPLE.read_text()))
    assert runner.invoke(main, ["fmt", "--check", str(target)]).exit_code == 0
    again = runner.invoke(main, ["import", str(EXAMPLE), "--into", str(folder)])
    assert again.output == f"{target}: unchanged (38 triples from {EXAMPLE})\n"
    assert runner.invoke(main, ["validate", "--data", str(folder)]).exit_code == 0


def test_import_refuses_to_lose_hand_edits_unless_forced(tmp_path):
    folder = copy_of_kb(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(EXAMPLE), "--into", str(folder)]).exit_code == 0
    target = folder / "renal-puncture.ttl"
    edited = target.read_text().replace(
        'skos:definition "Puncture',
        'skos:altLabel "Renal puncture"@en ;\n    skos:definition "Puncture',
    )
    target.write_text(edited)
    refused = runner.invoke(main, ["import", str(EXAMPLE), "--into", str(folder)])
    assert refused.exit_code == 2
    assert refused.output == (
        f"nephrokb: error: {target}: was edited by hand and importing {EXAMPLE} would lose "
        '1 triple (first: kb:renal-puncture skos:altLabel "Renal puncture"@en); move those '
        "edits into the procedure file, or use --force to overwrite\n"
    )
    assert target.read_text() == edited
    forced = runner.invoke(main, ["import", "--force", str(EXAMPLE), "--into", str(folder)])
    assert forced.exit_code == 0
    assert isomorphic(Graph().parse(target), compiled(EXAMPLE.read_text()))


def test_import_replaces_hand_written_turtle_when_nothing_is_lost(tmp_path):
    folder = copy_of_kb(tmp_path)
    exported = tmp_path / "percutaneous-nephrostomy.yaml"
    exported.write_text(
        write_yaml(decompile(Graph().parse(folder / exported.with_suffix(".ttl").name)))
    )
    before = Graph().parse(folder / "percutaneous-nephrostomy.ttl")
    result = CliRunner().invoke(main, ["import", str(exported), "--into", str(folder)])
    assert result.exit_code == 0, result.output
    text = (folder / "percutaneous-nephrostomy.ttl").read_text()
    assert text.startswith("# Compiled by `nephrokb import` from percutaneous-nephrostomy.yaml")
    assert isomorphic(Graph().parse(data=text, format="turtle"), before)


def test_import_refuses_a_file_with_problems_and_writes_nothing(tmp_path):
    folder = copy_of_kb(tmp_path)
    fixture = FIXTURES / "broken" / "depends-on-later.yaml"
    result = CliRunner().invoke(main, ["import", str(EXAMPLE), str(fixture), "--into", str(folder)])
    assert result.exit_code == 2
    assert result.output == (
        f"nephrokb: error: {fixture}:23: step 'rp-locate-posterior-calyx' depends on "
        "'rp-puncture-calyx', which is not earlier (step 3, this is step 2): move it up or "
        "drop the dependency\n"
    )
    assert not (folder / "renal-puncture.ttl").exists()


def test_new_procedure_writes_a_skeleton_whose_gaps_validate_at_their_lines(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["new", "procedure", "tube-check"])
    assert result.exit_code == 0
    assert result.output == "tube-check.yaml: new procedure tube-check\n"
    text = Path("tube-check.yaml").read_text()
    assert text == procedure_skeleton("tube-check")
    lines = text.splitlines()
    assert "  label:" in lines and "      description:" in lines
    report = runner.invoke(main, ["validate", "tube-check.yaml", "--format", "json"])
    assert report.exit_code == 1
    found = {(r["line"], r["rule"].rsplit("#")[-1]) for r in json.loads(report.output)["results"]}
    procedure_line = lines.index("  slug: tube-check") + 1
    step_line = lines.index("    - slug: tube-check-first-step") + 1
    assert (procedure_line, "LabelShape") in found
    assert (procedure_line, "DefinitionShape") in found
    assert (step_line, "DescriptionShape") in found
    again = runner.invoke(main, ["new", "procedure", "tube-check"])
    assert again.exit_code == 2
    assert (
        again.output == "nephrokb: error: tube-check.yaml: already exists; choose another --file\n"
    )


@pytest.mark.parametrize("kind", ["step", "indication", "benefit"])
def test_new_entries_are_appended_and_named_by_the_procedure(tmp_path, kind):
    target = tmp_path / "renal-puncture.yaml"
    shutil.copy(EXAMPLE, target)
    result = CliRunner().invoke(main, ["new", kind, f"new-{kind}", "--file", str(target)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{target}: new {kind} new-{kind}\n"
    text = target.read_text()
    changes = difflib.ndiff(EXAMPLE.read_text().splitlines(), text.splitlines())
    assert [line for line in changes if line.startswith("- ")] == []  # only lines added
    document = yaml.safe_load(text)
    if kind == "step":
        assert [s["slug"] for s in document["procedure"]["steps"]][-1] == "new-step"
        assert (
            document["procedure"]["steps"][:3]
            == yaml.safe_load(EXAMPLE.read_text())["procedure"]["steps"]
        )
    else:
        assert document[f"{kind}s"] == [{"slug": f"new-{kind}", "label": None, "description": None}]
        assert document["procedure"][f"{kind}s"][-1] == f"new-{kind}"
    assert append_entry(text, str(target), "step", "one-more") != text


def test_the_shipped_schema_is_the_one_the_registry_gives():
    from importlib.resources import files

    shipped = (files("nephrokb.authoring") / SCHEMA_FILE).read_text(encoding="utf-8")
    assert shipped == schema_text()


@pytest.mark.slow
@pytest.mark.parametrize("turtle", KB_FILES, ids=lambda path: path.name)
def test_the_schema_accepts_every_exported_kb_file(turtle):
    document = yaml.safe_load(write_yaml(decompile(Graph().parse(turtle))))
    jsonschema.validate(json.loads(json.dumps(document, default=str)), procedure_schema())


@pytest.mark.slow
def test_the_schema_accepts_the_skeleton_and_refuses_an_unknown_key():
    skeleton = yaml.safe_load(procedure_skeleton("x"))
    jsonschema.validate(skeleton, procedure_schema())
    skeleton["procedure"]["steps"][0]["devise"] = ["needle"]
    with pytest.raises(jsonschema.ValidationError, match="'devise' was unexpected"):
        jsonschema.validate(skeleton, procedure_schema())


@pytest.mark.parametrize("command", ["import", "new"])
def test_help_has_an_example(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_the_guide_shows_the_example_file_as_it_is():
    guide = (Path(__file__).parents[1] / "docs" / "authoring.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"^```yaml\n(.*?)^```$", guide, re.MULTILINE | re.DOTALL)
    assert block == EXAMPLE.read_text()


def test_the_guide_names_every_key_of_the_format():
    guide = (Path(__file__).parents[1] / "docs" / "authoring.md").read_text(encoding="utf-8")
    keys = {key.name for section in [*SECTIONS.values(), STEP] for key in section.keys}
    assert {key for key in keys | set(SECTIONS) if f"`{key}`" not in guide} == set()


# Exports of mappings only (the example procedure has none), and the binary workbook.
MAPPING_EXPORTS = {"sssom", "sssom-json", "xlsx"}


@pytest.mark.slow
def test_an_imported_procedure_appears_in_show_the_site_and_every_export(tmp_path):
    from nephrokb.exporters import EXPORTERS

    folder = copy_of_kb(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(EXAMPLE), "--into", str(folder)]).exit_code == 0
    shown = runner.invoke(main, ["show", "renal-puncture", "--data", str(folder)])
    assert shown.output.startswith("Percutaneous renal puncture (kb:renal-puncture)\n")
    site = tmp_path / "site"
    assert runner.invoke(main, ["site", "--data", str(folder), "-o", str(site)]).exit_code == 0
    assert "Percutaneous renal puncture" in (site / "renal-puncture.html").read_text()
    for name in sorted(set(EXPORTERS) - MAPPING_EXPORTS):
        result = runner.invoke(main, ["export", "-f", name, "--data", str(folder)])
        assert result.exit_code == 0, name
        assert any(form in result.output for form in ("renal-puncture", "renal_puncture")), name


# --- The workbook twin (xlsx) ---------------------------------------------------------------


def workbook_graph(content: bytes, name: str = "book.xlsx") -> Graph:
    root, problems = read_workbook(name, content)
    result = compile_document(root, name)
    assert problems == [] and result.problems == []
    return result.graph


@pytest.mark.slow
@pytest.mark.parametrize("turtle", KB_FILES, ids=lambda path: path.name)
def test_every_kb_file_round_trips_through_a_workbook(turtle):
    graph = Graph().parse(turtle)
    assert isomorphic(workbook_graph(write_workbook(decompile(graph))), graph)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(procedure_documents())
def test_workbook_export_then_import_is_isomorphic(document):
    graph = compiled(write_yaml(document))
    assert isomorphic(workbook_graph(write_workbook(decompile(graph))), graph)


def test_the_workbook_export_is_the_same_bytes_every_time():
    graph = Graph().parse(KB_FILES[0])
    assert write_workbook(decompile(graph)) == write_workbook(decompile(graph))


def example_workbook(tmp_path: Path, name: str = "renal-puncture.xlsx") -> Path:
    """The example procedure as a workbook (sheets Procedures, Steps, ..., Mappings)."""
    path = tmp_path / name
    path.write_bytes(write_workbook(decompile(compiled(EXAMPLE.read_text()))))
    return path


def cell_of(book, sheet: str, column: str, row: int) -> str:
    """The coordinate of a column (named in the header row) in a row of a sheet."""
    header = [cell.value for cell in book[sheet][1]]
    return f"{book[sheet].cell(row=1, column=header.index(column) + 1).column_letter}{row}"


# name: (what is wrong, sheet, column, row, new value, rule, message, sheet and column reported)
BROKEN_WORKBOOKS = {
    "unknown-column": (
        "a misspelt column header",
        "Steps",
        "devices",
        1,
        "devise",
        "nkbsh:AuthoringKnownKeyRule",
        "unknown column 'devise' in sheet Steps",
        ("Steps", "devise", 1),
    ),
    "depends-on-later": (
        "a step depends on a later one",
        "Steps",
        "depends-on",
        3,
        "rp-puncture-calyx",
        "nkbsh:AuthoringEarlierStepRule",
        "step 'rp-locate-posterior-calyx' depends on 'rp-puncture-calyx', which is not earlier",
        ("Steps", "depends-on", 3),
    ),
    "duplicate-slug": (
        "two steps with one slug",
        "Steps",
        "slug",
        4,
        "rp-locate-posterior-calyx",
        "nkbsh:AuthoringUniqueSlugRule",
        "slug 'rp-locate-posterior-calyx' is used twice (first at Steps!B3)",
        ("Steps", "slug", 4),
    ),
    "bad-code": (
        "a SNOMED CT code with a wrong check digit",
        "Mappings",
        "code",
        2,
        "SCTID:1234567",
        "nkbsh:AuthoringCodeRule",
        "'SCTID:1234567' is not a valid SNOMED CT code",
        ("Mappings", "code", 2),
    ),
    "missing-label": (
        "a step without its label (a shape finds it, at its row)",
        "Steps",
        "label",
        3,
        None,
        "nkbsh:LabelShape",
        "needs exactly one English label",
        ("Steps", "procedure", 3),
    ),
    "unknown-device": (
        "a device slug nothing defines (a shape finds it, at the cell)",
        "Steps",
        "devices",
        4,
        "neddle",
        "nkbsh:UsesDeviceTargetShape",
        "links with nkb:usesDevice to a node",
        ("Steps", "devices", 4),
    ),
}
MAPPING_ROW = [
    "renal-puncture",
    "broad",
    None,  # the code: the mistake, written by broken_workbook
    "semapv:ManualMappingCuration",
    "nephrokb-curators",
    "2026-12-04",
    0.5,
]


def broken_workbook(tmp_path: Path, name: str) -> tuple[Path, str]:
    """Write the example workbook with one mistake; return it and the cell to be reported."""
    import openpyxl

    _, sheet, column, row, value, *_, (reported_sheet, reported_column, reported_row) = (
        BROKEN_WORKBOOKS[name]
    )
    path = example_workbook(tmp_path, f"{name}.xlsx")
    book = openpyxl.load_workbook(path)
    if sheet == "Mappings":
        book["Mappings"].append(MAPPING_ROW)
    book[sheet][cell_of(book, sheet, column, row)].value = value
    reported = cell_of(book, reported_sheet, reported_column, reported_row)
    book.save(path)
    return path, f"{reported_sheet}!{reported}"


@functools.cache
def workbook_report(name: str, folder: Path):
    path, cell = broken_workbook(folder, name)
    return path, cell, validate(knowledge_with([path]))


@pytest.mark.parametrize("report_format", ["text", "json", "junit", "github", "sarif"])
@pytest.mark.parametrize("name", sorted(BROKEN_WORKBOOKS))
def test_every_broken_workbook_is_reported_at_its_cell_in_every_format(
    name, report_format, tmp_path_factory
):
    rule, message = BROKEN_WORKBOOKS[name][5:7]
    path, cell, report = workbook_report(name, tmp_path_factory.getbasetemp())
    output = render_report(report, report_format)
    assert message in output
    if report_format == "json":
        found = {(r["file"], r["cell"], compact(r["rule"])) for r in json.loads(output)["results"]}
        assert (str(path), cell, rule) in found
    elif report_format in ("text", "junit"):
        assert f"{path}:{cell}: violation: " in output
    else:
        assert f"(at {cell})" in output


@pytest.mark.slow
def test_a_workbook_validates_imports_and_exports(tmp_path):
    path = example_workbook(tmp_path)
    folder = copy_of_kb(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["validate", str(path), "--data", str(folder)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["import", str(path), "--into", str(folder)])
    assert result.output == f"{folder / 'renal-puncture.ttl'}: written (38 triples from {path})\n"
    exported = tmp_path / "all.xlsx"
    result = runner.invoke(
        main, ["export", "-f", "xlsx", "--data", str(folder), "-o", str(exported)]
    )
    assert result.exit_code == 0
    knowledge = Graph()
    for turtle in folder.glob("*.ttl"):
        knowledge.parse(turtle)
    assert isomorphic(workbook_graph(exported.read_bytes()), knowledge)


def test_a_file_that_is_no_workbook_is_one_line_exit_2(tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip")
    result = CliRunner().invoke(main, ["validate", str(fake)])
    assert result.exit_code == 2
    assert result.output.startswith(f"nephrokb: error: {fake}: is not an xlsx workbook")


# --- validate --fix -------------------------------------------------------------------------

FIXABLE_RULES = {
    "nkbsh:NoDoubledFullStopShape",
    "nkbsh:NoStrayWhitespaceShape",
    "nkbsh:ContiguousStepNumberShape",
    "nkbsh:UniqueStepNumberShape",
}
# Fixtures with a fixable rule whose other results --fix cannot remove, and why.
NOT_FIXED = {
    "step-in-two-procedures": "a step in two procedures: which one it belongs to is not certain",
    "step-number-missing": "a step without a number has no certain place",
}
FIXABLE = [
    fixture
    for fixture in BROKEN
    if {rule for _, rule, _ in expectations(fixture)[0]} & FIXABLE_RULES
    and fixture.stem not in NOT_FIXED
]


def test_there_are_fixable_fixtures_of_every_fixable_rule():
    covered = {rule for fixture in FIXABLE for _, rule, _ in expectations(fixture)[0]}
    assert covered >= FIXABLE_RULES


@pytest.mark.parametrize("fixture", FIXABLE, ids=lambda path: path.stem)
def test_every_fixable_fixture_conforms_after_fix(fixture, tmp_path):
    copy = tmp_path / fixture.name
    shutil.copy(fixture, copy)
    result = CliRunner().invoke(main, ["validate", "--data", str(copy), "--fix"])
    assert result.exit_code == 0, result.output
    assert f"{copy}:" in result.stderr and ": fixed: " in result.stderr
    assert result.stdout.startswith("Conforms: 0 violations")


@pytest.mark.parametrize("fixture", BROKEN, ids=lambda path: path.stem)
def test_fixing_twice_changes_nothing(fixture, tmp_path):
    copy = tmp_path / fixture.name
    shutil.copy(fixture, copy)
    first = plan_fixes(copy)
    copy.write_text(first.after)
    second = plan_fixes(copy)
    assert second.fixes == ()
    assert second.after == first.after


def test_dry_run_shows_a_diff_and_writes_nothing(tmp_path):
    fixture = next(path for path in BROKEN if path.stem == "whitespace-trailing")
    copy = tmp_path / fixture.name
    shutil.copy(fixture, copy)
    result = CliRunner().invoke(main, ["validate", "--data", str(copy), "--fix", "--dry-run"])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"--- {copy}\n+++ {copy} (fixed)\n")
    assert '-    rdfs:label "Pass a wire "@en ;' in result.stdout
    assert copy.read_text() == fixture.read_text()
    assert result.stderr == (
        f'{copy}:41: fixed: rdfs:label "Pass a wire "@en -> "Pass a wire"@en (text tidied)\n'
    )


def test_fix_adds_a_missing_english_tag(tmp_path):
    turtle = tmp_path / "plain.ttl"
    turtle.write_text(
        "@prefix kb: <https://w3id.org/nephrokb/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'kb:thing rdfs:label "A  thing.." ; kb:other "kept  as  it  is" .\n'
    )
    plan = plan_fixes(turtle)
    assert [fix.change for fix in plan.fixes] == [
        'rdfs:label "A  thing.." -> "A thing."@en (text tidied, @en added)'
    ]
    assert 'rdfs:label "A thing."@en' in plan.after
    assert '"kept  as  it  is"' in plan.after


def test_fix_tidies_yaml_values_in_place_and_keeps_comments(tmp_path):
    untidy = EXAMPLE.read_text().replace(
        "label: Position the patient prone", "label:  Position the  patient prone.. "
    )
    path = tmp_path / "renal-puncture.yaml"
    path.write_text(untidy)
    result = CliRunner().invoke(
        main, ["validate", str(path), "--data", str(copy_of_kb(tmp_path)), "--fix"]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f'{path}:13: fixed: label "Position the  patient prone.." -> '
        '"Position the patient prone."\n'
    )
    # Only the value changes: the spaces around it are YAML layout, not part of it.
    assert path.read_text() == untidy.replace(
        "Position the  patient prone..", '"Position the patient prone."'
    )


def test_dry_run_needs_fix_and_fix_needs_files_outside_a_checkout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "--dry-run"])
    assert result.exit_code == 2
    assert "--dry-run goes with --fix" in result.output
    result = CliRunner().invoke(main, ["validate", "--fix"])
    assert result.exit_code == 2
    assert result.output == (
        "nephrokb: error: --fix edits files: name them with --data, or run it inside a checkout\n"
    )


@pytest.mark.parametrize("fixture", FIXABLE, ids=lambda path: path.stem)
def test_sarif_results_carry_the_fixes_that_fix_them(fixture, tmp_path):
    from test_reports import sarif_schema

    copy = tmp_path / fixture.name
    shutil.copy(fixture, copy)
    result = CliRunner().invoke(main, ["validate", "--data", str(copy), "--format", "sarif"])
    log = json.loads(result.stdout)
    assert not list(jsonschema.Draft4Validator(sarif_schema()).iter_errors(log))
    changed = copy.read_text().splitlines()
    fixes = [fix for sarif in log["runs"][0]["results"] for fix in sarif.get("fixes", [])]
    assert fixes
    for fix in fixes:
        (change,) = fix["artifactChanges"]
        (replacement,) = change["replacements"]
        line = replacement["deletedRegion"]["startLine"]
        changed[line - 1] = replacement["insertedContent"]["text"]
    copy.write_text("\n".join(changed) + "\n")
    fixed = CliRunner().invoke(main, ["validate", "--data", str(copy)])
    assert fixed.exit_code == 0, fixed.output  # the SARIF fixes alone fix the file


def test_github_annotations_suggest_the_fix(tmp_path):
    fixture = next(path for path in BROKEN if path.stem == "step-number-gap")
    copy = tmp_path / fixture.name
    shutil.copy(fixture, copy)
    result = CliRunner().invoke(main, ["validate", "--data", str(copy), "--format", "github"])
    assert result.stdout.splitlines()[0].endswith(
        " (value: 4) (suggested fix, line 53: `nkb:stepNumber 3 ;`; nephrokb validate --fix)"
    )
