"""The benchmark's synthetic knowledge base is deterministic, shaped as promised and valid.

The generator runs as `python -m bench.generate` from the repository root, as the benchmark
runs it, so the test needs no change to the import path.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import OWL, SKOS

from nephrokb.terminologies import verhoeff_valid
from nephrokb.validation.engine import validate

ROOT = Path(__file__).resolve().parents[1]
NKB = Namespace("https://w3id.org/nephrokb/vocab#")
PROCEDURES = 3


def generate(folder: Path) -> str:
    """Generate a knowledge base of PROCEDURES procedures into `folder`; return the summary."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.generate", str(PROCEDURES), str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, str, Graph]:
    folder = tmp_path_factory.mktemp("kb")
    summary = generate(folder)
    graph = Graph()
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return folder, summary, graph


def test_same_seed_gives_the_same_bytes(generated, tmp_path):
    folder, _, _ = generated
    generate(tmp_path)
    first = {path.name: path.read_bytes() for path in folder.glob("*.ttl")}
    second = {path.name: path.read_bytes() for path in tmp_path.glob("*.ttl")}
    assert sorted(first) == ["procedures-000.ttl", "shared.ttl"]
    assert first == second


def test_summary_counts_match_the_graph(generated):
    _, summary, graph = generated
    steps = len(set(graph.subjects(RDF.type, NKB.Step)))
    mappings = len(set(graph.subjects(RDF.type, NKB.Mapping)))
    assert f"{PROCEDURES} procedures, {steps} steps, {mappings} mappings, {len(graph)} triples" in (
        summary
    )


def test_procedures_have_the_promised_parts(generated):
    _, _, graph = generated
    procedures = sorted(graph.subjects(RDF.type, NKB.Procedure))
    assert len(procedures) == PROCEDURES
    for procedure in procedures:
        steps = list(graph.objects(procedure, NKB.hasStep))
        assert 10 <= len(steps) <= 20
        numbers = sorted(graph.value(step, NKB.stepNumber).toPython() for step in steps)
        assert numbers == list(range(1, len(steps) + 1))
        assert 3 <= len(list(graph.objects(procedure, NKB.hasIndication))) <= 8
        assert 3 <= len(list(graph.objects(procedure, NKB.hasBenefit))) <= 6
    assert any(graph.subjects(NKB.condition, None)), "some steps are conditional"
    assert any(graph.subjects(NKB.reliesOn, None)), "some procedure relies on another"


def test_dependencies_point_backwards(generated):
    _, _, graph = generated
    procedure_of = {step: procedure for procedure, step in graph.subject_objects(NKB.hasStep)}
    dependencies = list(graph.subject_objects(NKB.dependsOn))
    assert dependencies
    for step, earlier in dependencies:
        if procedure_of[step] == procedure_of[earlier]:
            assert graph.value(earlier, NKB.stepNumber).toPython() < (
                graph.value(step, NKB.stepNumber).toPython()
            )
        else:
            assert (procedure_of[step], NKB.reliesOn, procedure_of[earlier]) in graph


def test_every_mapping_is_recorded_and_valid(generated):
    _, _, graph = generated
    records = {
        (
            graph.value(record, OWL.annotatedSource),
            graph.value(record, OWL.annotatedProperty),
            graph.value(record, OWL.annotatedTarget),
        )
        for record in graph.subjects(RDF.type, NKB.Mapping)
    }
    triples = {
        (source, predicate, target)
        for predicate in (SKOS.exactMatch, SKOS.narrowMatch)
        for source, target in graph.subject_objects(predicate)
    }
    assert records == triples
    snomed = [str(t).removeprefix("http://snomed.info/id/") for _, _, t in triples]
    snomed = [code for code in snomed if code.isdigit()]
    assert len(snomed) == PROCEDURES
    assert all(verhoeff_valid(code) and code[-3:-1] == "00" for code in snomed)
    assert any(
        str(target).startswith("http://purl.bioontology.org/ontology/ICD10PCS/")
        for _, _, target in triples
    )


def test_every_excerpt_names_its_line(generated):
    _, _, graph = generated
    excerpts = set(graph.subjects(RDF.type, NKB.SourceExcerpt))
    assert excerpts
    assert all(graph.value(excerpt, NKB.lineNumber) is not None for excerpt in excerpts)
    derived = set(graph.objects(None, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))
    assert derived == excerpts


def test_generated_knowledge_conforms_to_the_shapes(generated):
    folder, _, graph = generated
    report = validate([folder])
    assert report.results == ()
    assert report.triples == len(graph)
