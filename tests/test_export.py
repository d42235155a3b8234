"""`nephrokb export`: lossless RDF formats, golden text formats, --output and --include.

Golden files live in tests/golden/export/ (docs/testing.md says how to regenerate them).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

from conftest import FIXTURES, GOLDEN, read_only
from nephrokb.cli import main
from nephrokb.exporters import EXPORTERS, INCLUDABLE, STORE_EXPORTERS
from nephrokb.knowledge.model import read_procedures
from nephrokb.namespaces import VOCAB
from nephrokb.rdf.loading import load, load_graph
from nephrokb.rdf.serialization import KNOWLEDGE_GRAPH, context
from nephrokb.resources import bundled_files, bundled_folder

# rdflib's TriG and N-Quads parsers use Dataset APIs that rdflib itself deprecates.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")

EXPORT = GOLDEN / "export"
MINIMAL = FIXTURES / "clean" / "minimal.ttl"

# nephrokb format name -> rdflib parser name
RDF_FORMATS = {
    "jsonld": "json-ld",
    "nq": "nquads",
    "nt": "nt",
    "trig": "trig",
    "turtle": "turtle",
    "xml": "xml",
}
QUAD_FORMATS = {"nq", "trig"}
TEXT_FORMATS = {"csv": "csv", "dot": "dot", "markdown": "md", "mermaid": "mmd"}

# Literals of every kind, blank nodes and a list: what short JSON-LD keys could misread.
AWKWARD_TURTLE = """\
@prefix kb: <https://w3id.org/nephrokb/id/> .
@prefix nkb: <https://w3id.org/nephrokb/vocab#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
kb:odd a nkb:Step, ex:Thing ;
    rdfs:label "plain", "deutsch"@de, "english"@en, "british"@en-gb ;
    nkb:stepNumber 2, 1.5, "two" ;
    nkb:hasStep "a literal", kb:other, [ rdfs:label "blank"@en ; ex:p [ ex:q 1 ] ] ;
    nkb:verbatimText "tagged"@en, "untagged" ;
    nkb:isTransient true, "maybe" ;
    ex:list ( 3 "two" kb:one ) ;
    rdfs:comment \"\"\"two
lines with "quotes", <b>markup</b> & a backslash \\\\\"\"\" .
"""


def invoke(*args: str):
    return CliRunner().invoke(main, ["export", *args])


def parse_export(content: bytes, format_name: str) -> Graph:
    """Parse an export; for quad formats, return the named graph and check nothing is outside."""
    parser = RDF_FORMATS[format_name]
    if format_name in QUAD_FORMATS:
        dataset = Dataset()
        dataset.parse(data=content, format=parser)
        named = dataset.graph(URIRef(KNOWLEDGE_GRAPH))
        assert len(dataset.default_graph) == 0
        assert {g.identifier for g in dataset.graphs() if len(g)} == {URIRef(KNOWLEDGE_GRAPH)}
        return named
    return Graph().parse(data=content, format=parser)


@pytest.fixture(scope="module")
def bundled_export():
    """Export the bundled KB once per format for the whole module: format -> stdout bytes."""
    cache: dict[str, bytes] = {}

    def export(format_name: str) -> bytes:
        if format_name not in cache:
            result = invoke("--format", format_name)
            assert result.exit_code == 0, result.output
            cache[format_name] = result.stdout_bytes
        return cache[format_name]

    return export


@pytest.fixture(scope="module")
def awkward_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("awkward") / "awkward.ttl"
    path.write_text(AWKWARD_TURTLE, encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("format_name", sorted(RDF_FORMATS))
def test_bundled_kb_round_trips(format_name, bundled_graph, bundled_export):
    assert isomorphic(parse_export(bundled_export(format_name), format_name), bundled_graph)


@pytest.mark.parametrize("format_name", sorted(RDF_FORMATS))
def test_minimal_fixture_round_trips(format_name):
    result = invoke("--format", format_name, "--data", str(MINIMAL))
    assert result.exit_code == 0, result.output
    assert isomorphic(parse_export(result.stdout_bytes, format_name), load_graph([MINIMAL]))


@pytest.mark.parametrize("format_name", sorted(RDF_FORMATS))
def test_awkward_literals_and_blank_nodes_round_trip(format_name, awkward_file):
    result = invoke("--format", format_name, "--data", str(awkward_file))
    assert result.exit_code == 0, result.output
    assert isomorphic(parse_export(result.stdout_bytes, format_name), load_graph([awkward_file]))


def test_include_ontology_adds_the_bundled_ontology(bundled_graph):
    format_name = "trig"
    result = invoke("--format", format_name, "--include", "ontology")
    assert result.exit_code == 0, result.output
    expected = load_graph([bundled_folder("kb"), *bundled_files("ontology")])
    exported = parse_export(result.stdout_bytes, format_name)
    assert isomorphic(exported, expected)
    assert len(exported) > len(bundled_graph)


def test_jsonld_embeds_the_bundled_context_and_uses_short_keys(bundled_export):
    document = json.loads(bundled_export("jsonld"))
    assert document["@context"] == context()
    nodes = {node["@id"]: node for node in document["@graph"]}
    procedure = nodes["kb:percutaneous-nephrostomy"]
    assert procedure["@type"] == "Procedure"
    assert procedure["label"] == "Percutaneous nephrostomy"
    assert "kb:pcn-position-patient-prone" in procedure["hasStep"]
    step = nodes["kb:pcn-confirm-position-with-contrast"]
    assert step["stepNumber"] == "9"
    assert step["condition"].startswith("optional:")
    assert step["dependsOn"] == "kb:pcn-place-nephrostomy-catheter"


def test_context_names_every_class_and_property_of_the_ontology():
    ontology = load_graph(bundled_files("ontology"))
    by_iri = {}
    for definition in context().values():
        iri = definition if isinstance(definition, str) else definition["@id"]
        by_iri[iri.replace("nkb:", VOCAB)] = definition
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in ontology.subjects(RDF.type, kind):
            if str(term).startswith(VOCAB):
                assert str(term) in by_iri, f"context.jsonld has no term for {term}"
    for term in ontology.subjects(RDF.type, OWL.ObjectProperty):
        if str(term).startswith(VOCAB):
            assert by_iri[str(term)]["@type"] == "@id", term


@pytest.mark.slow
def test_exports_are_the_same_whatever_the_hash_seed(awkward_file):
    # With and without blank nodes: Turtle is written by rdflib in one case, pyoxigraph the other.
    script = (
        "import sys\n"
        "from nephrokb.errors import NephroKBError\n"
        "from nephrokb.exporters import EXPORTERS\n"
        "from nephrokb.rdf.loading import load\n"
        f"for data in ([{str(MINIMAL)!r}, {str(awkward_file)!r}], [{str(MINIMAL)!r}]):\n"
        "    graph = load(data)\n"
        "    for name in sorted(EXPORTERS):\n"
        "        try:\n"  # the yaml exporter refuses what its format cannot hold
        "            sys.stdout.buffer.write(EXPORTERS[name](graph))\n"
        "        except NephroKBError as error:\n"
        "            sys.stdout.buffer.write(str(error).encode())\n"
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        for seed in ("1", "2")
    ]
    outputs = {run.communicate()[0] for run in runs}
    assert all(run.returncode == 0 for run in runs)
    assert len(outputs) == 1


@pytest.mark.parametrize("blank_nodes", [False, True])
@pytest.mark.parametrize("format_name", sorted(STORE_EXPORTERS))
def test_store_exporters_write_what_their_graph_exporters_write(
    format_name, blank_nodes, awkward_file
):
    data = [MINIMAL, awkward_file] if blank_nodes else [MINIMAL]
    written = STORE_EXPORTERS[format_name](load(data, into="store"))
    assert written == EXPORTERS[format_name](load_graph(data))


@pytest.mark.parametrize(("format_name", "suffix"), sorted(TEXT_FORMATS.items()))
def test_text_formats_match_golden_files(format_name, suffix, bundled_export, golden_file):
    golden_file(EXPORT / f"bundled.{suffix}", bundled_export(format_name).decode("utf-8"))


def test_markdown_of_minimal_fixture_matches_golden_file(golden_file):
    result = invoke("--format", "markdown", "--data", str(MINIMAL))
    assert result.exit_code == 0, result.output
    golden_file(EXPORT / "minimal.md", result.stdout_bytes.decode("utf-8"))


def test_csv_has_one_row_per_step_with_cross_procedure_dependencies(bundled_export):
    rows = list(csv.DictReader(io.StringIO(bundled_export("csv").decode("utf-8"))))
    assert len(rows) == 16
    first_stenting_step = next(
        row for row in rows if row["procedure"].startswith("Antegrade") and row["number"] == "1"
    )
    assert first_stenting_step["depends_on"] == "Percutaneous nephrostomy step 7"
    puncture = next(row for row in rows if row["label"] == "Puncture the calyx with the needle")
    assert puncture["depends_on"] == "3; 4"
    assert puncture["source_lines"] == "8"
    assert {row["condition"] for row in rows} == {
        "",
        "if necessary",
        "optional: contrast may be injected to confirm position and drainage",
    }


def test_diagrams_dash_conditional_steps_and_draw_reliance(bundled_export):
    dot = bundled_export("dot").decode("utf-8")
    assert dot.count('style="rounded,dashed"') == 2
    assert '"kb:pcn-dilate-tract" -> "kb:ajs-pass-guidewire-into-bladder";' in dot
    assert 'label="relied on by"' in dot
    mermaid = bundled_export("mermaid").decode("utf-8")
    assert mermaid.count(":::conditional") == 2
    assert "step_pcn_dilate_tract --> step_ajs_pass_guidewire_into_bladder" in mermaid
    assert (
        "procedure_percutaneous_nephrostomy ==>|relied on by| "
        "procedure_antegrade_ureteral_stent_placement"
    ) in mermaid


def test_diagrams_draw_the_step_order_apart_from_the_dependencies(bundled_export, bundled_graph):
    procedures = read_procedures(bundled_graph)
    consecutive = sum(len(procedure.steps) - 1 for procedure in procedures)
    dot = bundled_export("dot").decode("utf-8")
    order = '[style=dotted, color="#6e7781", arrowhead=empty];'
    assert dot.count(order) == consecutive
    # The optional dilation of the stent is needed by no step, yet leads on to the next one.
    assert (
        f'"kb:ajs-dilate-ureteral-opening-and-tract" -> "kb:ajs-advance-double-j-stent" {order}'
    ) in dot
    assert '"kb:ajs-dilate-ureteral-opening-and-tract" -> "kb:ajs-advance-double-j-stent";' not in (
        dot
    )
    mermaid = bundled_export("mermaid").decode("utf-8")
    assert mermaid.count(" -.-> ") == consecutive
    assert (
        "step_ajs_dilate_ureteral_opening_and_tract -.-> step_ajs_advance_double_j_stent"
    ) in mermaid


def test_output_writes_the_file_and_nothing_to_stdout(tmp_path):
    target = tmp_path / "kb.ttl"
    result = invoke("--format", "turtle", "--data", str(MINIMAL), "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert target.read_bytes() == invoke("--format", "turtle", "--data", str(MINIMAL)).stdout_bytes


def test_output_replaces_an_existing_file(tmp_path):
    target = tmp_path / "steps.csv"
    target.write_text("old", encoding="utf-8")
    assert invoke("--format", "csv", "--data", str(MINIMAL), "--output", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("procedure,number,label")


def test_output_into_a_missing_folder_is_one_line_exit_2(tmp_path):
    target = tmp_path / "missing" / "kb.ttl"
    result = invoke("--format", "turtle", "--data", str(MINIMAL), "--output", str(target))
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {target}: cannot write: No such file or directory\n"


def test_output_into_a_read_only_folder_is_one_line_exit_2(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    with read_only(folder) as reason:
        target = folder / "kb.ttl"
        result = invoke("--format", "turtle", "--data", str(MINIMAL), "--output", str(target))
        assert result.exit_code == 2
        assert result.output == f"nephrokb: error: {target}: cannot write: {reason}\n"
        assert list(folder.iterdir()) == []


def test_output_onto_a_folder_is_one_line_exit_2(tmp_path):
    result = invoke("--format", "nt", "--data", str(MINIMAL), "--output", str(tmp_path))
    assert result.exit_code == 2
    assert result.output.startswith(f"nephrokb: error: {tmp_path}: cannot write: ")
    assert result.output.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_text_export_of_step_without_number_is_one_line_exit_2():
    broken = FIXTURES / "broken" / "step-number-missing.ttl"
    result = invoke("--format", "markdown", "--data", str(broken))
    assert result.exit_code == 2
    assert result.output.startswith("nephrokb: error: kb:")
    assert result.output.endswith("has no integer nkb:stepNumber (run 'nephrokb validate')\n")


def test_format_is_required_and_checked():
    assert invoke().exit_code == 2
    result = invoke("--format", "pdf")
    assert result.exit_code == 2
    assert result.output == (
        "nephrokb: error: invalid --format 'pdf'; choose from: csv, dot, fhir, jsonld, "
        "markdown, mermaid, nq, nt, sssom, sssom-json, trig, turtle, xlsx, xml, yaml\n"
    )


def test_help_lists_every_format_and_include():
    help_text = invoke("--help").output
    for name in [*EXPORTERS, *INCLUDABLE]:
        assert name in help_text


def test_every_exporter_takes_a_graph_and_returns_bytes():
    graph = load_graph([MINIMAL])
    for name, exporter in EXPORTERS.items():
        assert isinstance(exporter(graph), bytes), name


def help_examples(command: str) -> list[list[str]]:
    """Return the argument lists of the `nephrokb <command> ...` lines in a command's help."""
    help_text = CliRunner().invoke(main, [command, "--help"]).output
    return [
        shlex.split(line.strip())[1:]
        for line in help_text.splitlines()
        if line.strip().startswith(f"nephrokb {command}")
    ]


@pytest.mark.parametrize("command", ["export", "show", "stats"])
def test_help_examples_run(command, tmp_path, monkeypatch):
    (tmp_path / "kb").symlink_to(bundled_folder("kb"))
    monkeypatch.chdir(tmp_path)
    examples = help_examples(command)
    assert examples
    for arguments in examples:
        result = CliRunner().invoke(main, arguments)
        assert result.exit_code == 0, (arguments, result.output)
