"""The benchmark's logic, on small inputs (never its timings): the broken variants of the
generator, the peer engines' result counts, the capture of a child's output, and the
tables and targets written to RESULTS.md."""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path

import pytest
from bench.generate import BREAKAGES, generate
from bench.measure import Measurement, Sample, measure_command
from bench.peers import (
    ENGINES,
    results_in_jena_report,
    results_in_nephrokb_text,
    results_in_pyshacl_output,
)
from bench.run import (
    Context,
    PeerRow,
    Row,
    Target,
    agreement,
    evaluate_targets,
    growth_table,
    merged_turtle,
    peers_table,
    with_site_diff_size,
)
from click.testing import CliRunner

from nephrokb.cli import main as nephrokb_main
from nephrokb.resources import bundled_files

PROCEDURES = 2
SH = "http://www.w3.org/ns/shacl#"


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory) -> dict[str, Path]:
    """A clean and a broken generated knowledge base, each also as one Turtle file."""
    folder = tmp_path_factory.mktemp("bench")
    paths = {}
    for name, share in (("clean", 0.0), ("broken", 0.1)):
        generate(folder / name, PROCEDURES, broken_share=share)
        paths[name] = folder / name
        paths[f"{name}.ttl"] = merged_turtle(
            sorted((folder / name).glob("*.ttl")), folder / f"{name}.ttl"
        )
    paths["shapes"] = merged_turtle(bundled_files("shapes"), folder / "shapes.ttl")
    paths["ontology"] = merged_turtle(bundled_files("ontology"), folder / "ontology.ttl")
    return paths


def nephrokb_report(data: Path) -> dict:
    """`nephrokb validate --format json` on `data`."""
    outcome = CliRunner().invoke(
        nephrokb_main, ["validate", "--data", str(data), "--format", "json"]
    )
    assert outcome.exit_code in (0, 1), outcome.output
    return json.loads(outcome.output)


def test_broken_variant_breaks_a_tenth_of_the_nodes_and_nothing_else(knowledge, tmp_path):
    kb = generate(tmp_path / "broken", PROCEDURES, broken_share=0.1)
    clean = generate(tmp_path / "clean", PROCEDURES)
    assert clean.broken_nodes == 0 and kb.nodes == clean.nodes
    assert abs(kb.broken_nodes - kb.nodes * 0.1) <= 2
    clean_lines = (tmp_path / "clean" / "procedures-000.ttl").read_text().splitlines()
    broken_lines = (tmp_path / "broken" / "procedures-000.ttl").read_text().splitlines()
    changes = list(difflib.ndiff(clean_lines, broken_lines))
    removed = {line.split()[1] for line in changes if line.startswith("- ")}
    added = {line.split()[1] for line in changes if line.startswith("+ ")}
    # A source line removed as the last statement moves the full stop to the line before.
    assert removed == {"dcterms:description", "dcterms:source", "prov:wasDerivedFrom"}
    assert added == {"dcterms:description", "dcterms:source"}
    assert (tmp_path / "broken" / "shared.ttl").read_bytes() == (
        tmp_path / "clean" / "shared.ttl"
    ).read_bytes()


def test_broken_variant_results_are_the_breakages(knowledge):
    assert nephrokb_report(knowledge["clean"])["results"] == []
    results = nephrokb_report(knowledge["broken"])["results"]
    rules = {result["rule"].rsplit("#", 1)[1] for result in results}
    assert rules == {"DescriptionShape", "DerivedFromShape"}
    focus_nodes = {result["focus_node"] for result in results}
    assert all("bench-procedure-" in node for node in focus_nodes)
    assert len(BREAKAGES) == 3


@pytest.mark.slow  # pyshacl on the generated knowledge: 6 s
@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_peer_engines_count_what_nephrokb_reports(knowledge, engine):
    expected = len(nephrokb_report(knowledge["broken.ttl"])["results"])
    assert expected > 0
    found = ENGINES[engine](knowledge["broken.ttl"], knowledge["shapes"], knowledge["ontology"])
    assert found == expected
    clean = ENGINES[engine](knowledge["clean.ttl"], knowledge["shapes"], knowledge["ontology"])
    assert clean == 0


def test_pyshacl_cli_output_is_counted():
    assert results_in_pyshacl_output("Validation Report\nConforms: True\n") == 0
    assert results_in_pyshacl_output("Validation Report\nConforms: False\nResults (12):\n") == 12
    assert results_in_pyshacl_output("Traceback (most recent call last):\n") is None


def test_nephrokb_text_report_is_counted():
    summary = "Does not conform: 1,294 violations, 3 warnings, 2 info (2 files, 16088 triples).\n"
    assert results_in_nephrokb_text("a.ttl:4: violation: ...\n\n" + summary) == 1299
    assert results_in_nephrokb_text("Conforms: 0 violations, 0 warnings, 0 info (1 file).") == 0
    assert results_in_nephrokb_text("nephrokb: error: cannot read a.ttl\n") is None


def test_jena_report_is_counted(tmp_path):
    report = tmp_path / "report.nq"
    graph = "<file:///data.ttl>"
    report.write_text(
        f'_:r <{SH}conforms> "false"^^<http://www.w3.org/2001/XMLSchema#boolean> {graph} .\n'
        + "".join(f"_:x{n} <{SH}resultSeverity> <{SH}Violation> {graph} .\n" for n in range(3)),
        encoding="utf-8",
    )
    assert results_in_jena_report(report) == 3
    report.write_text(
        f'{graph} <http://www.w3.org/2000/01/rdf-schema#comment> "bad IRI" {graph} .\n'
    )
    assert results_in_jena_report(report) is None


def test_measure_command_keeps_the_output_and_the_child_usage(tmp_path):
    stdout = tmp_path / "out.txt"
    measurement = measure_command(
        [sys.executable, "-c", "print(sum(range(10**6)))"], repeat=2, timeout=60, stdout=stdout
    )
    assert measurement.ok and len(measurement.samples) == 2
    assert stdout.read_text() == f"{sum(range(10**6))}\n"
    assert measurement.max_rss_bytes > 1024 * 1024
    timed_out = measure_command(
        [sys.executable, "-c", "import time; time.sleep(30)"], repeat=3, timeout=0.5
    )
    assert timed_out.status == "timeout" and len(timed_out.samples) == 1


def test_a_child_reports_its_own_peak_memory_not_the_benchmarks(tmp_path):
    ballast = bytearray(400 * 1024**2)  # the benchmark holding large knowledge bases
    small = measure_command([sys.executable, "-c", "pass"], repeat=1, timeout=60)
    large = measure_command(
        [sys.executable, "-c", "x = bytearray(200 * 1024**2)"], repeat=1, timeout=60
    )
    assert len(ballast) and small.max_rss_bytes < 100 * 1024**2
    assert 200 * 1024**2 < large.max_rss_bytes < 300 * 1024**2


def measured(wall: float, rss_mib: int = 100, cpu: float | None = None) -> Measurement:
    """A successful one-run Measurement (its CPU time the wall time unless given)."""
    return Measurement([Sample(wall, wall if cpu is None else cpu, rss_mib * 1024**2, 0, False)])


def context_with(tmp_path: Path, sizes=(100, 1000, 5000, 10000)) -> Context:
    return Context(tmp_path, 1, 600, 120, "python", "nephrokb", "pyshacl", sizes=sizes)


def test_site_and_diff_also_run_at_the_target_size_when_the_run_reaches_it(tmp_path):
    assert with_site_diff_size(context_with(tmp_path)) == [100, 1000, 2000, 5000, 10000]
    assert with_site_diff_size(context_with(tmp_path, sizes=(100, 1000))) == (100, 1000)


def test_growth_table_lists_each_operation_by_size_beside_the_floor():
    floor = measured(2.0)
    rows = [
        Row("Growth", "validate", "N=1000", measured(5.0, 300), "floor", floor, triples=1000),
        Row("Growth", "validate", "N=100", measured(0.5), "floor", measured(0.25), triples=100),
        Row("Growth", "site", "N=100", Measurement.not_run("timeout"), "floor", floor, 100),
    ]
    assert growth_table(rows, 600).splitlines()[2:] == [
        "| validate | 100 | 100 | 500 ms | 0.50 s | 100 MiB | 250 ms | 2.0x |",
        "| validate | 1000 | 1,000 | 5.00 s | 5.00 s | 300 MiB | 2.00 s | 2.5x |",
        "| site | 100 | 100 | timeout (> 600 s) |  |  | 2.00 s |  |",
    ]


def test_peers_table_shows_each_engines_result_count():
    peers = [
        PeerRow("N=1", 200, "nephrokb", measured(0.25), 4),
        PeerRow("N=1", 200, "pyrudof", measured(1.5), 5, "disagrees"),
        PeerRow("N=100", 2000, "nephrokb", measured(0.5), 0),
        PeerRow("N=100", 2000, "pyrudof", Measurement.not_run("skipped (timed out on N=1)")),
    ]
    assert peers_table(peers, 600).splitlines() == [
        "| data | triples | nephrokb | pyrudof |",
        "|---|--:|--:|--:|",
        "| N=1 | 200 | 250 ms, CPU 0.25 s, 100 MiB; **4 results** | "
        "1.50 s, CPU 1.50 s, 100 MiB; **5 results**; disagrees |",
        "| N=100 | 2,000 | 500 ms, CPU 0.50 s, 100 MiB; **0 results** | "
        "skipped (timed out on N=1) |",
    ]
    assert agreement(peers) == (
        "Result counts that differ from nephrokb's: pyrudof on N=1: 5 results, nephrokb 4."
    )
    assert agreement(peers[2:]) == (
        "Every engine that finished reported as many results as nephrokb on every input."
    )


def test_targets_of_issue_18_are_judged_from_the_rows(tmp_path):
    context = context_with(tmp_path)
    context.rows = [
        Row("Broken knowledge", "broken", "N=1000", measured(6.0), "clean", measured(5.0)),
        Row(
            "Broken knowledge",
            "broken",
            "N=5000",
            measured(30.0, cpu=10.0),
            "clean",
            measured(20.0, cpu=9.0),
        ),
    ]
    context.growth = [
        Row("Growth", "`nephrokb validate --data DIR`", "N=10000", measured(50.0, 3000)),
        Row("Growth", "`nephrokb site`", "N=2000", measured(9.0)),
        Row("Growth", "`nephrokb diff OLD NEW`", "N=2000", measured(5.0)),
        Row("Growth", "`nephrokb export --format turtle`", "N=10000", measured(9.0, 900)),
        Row("Growth", "pyoxigraph: load + dump Turtle", "N=10000", measured(5.0, 500)),
    ]
    judged = {target.name: target for target in evaluate_targets(context)}
    assert judged["validation with 10% of nodes broken <= 1.3x clean at N=1000"].met
    loaded = judged["validation with 10% of nodes broken <= 1.3x clean at N=5000"]
    assert (loaded.measured, loaded.met) == ("1.50x (30.00 s vs 20.00 s)", False)
    assert (loaded.cpu_measured, loaded.cpu_met) == ("1.11x (10.00 s vs 9.00 s)", True)
    assert judged["site of 2,000 procedures < 10 s"].met
    assert not judged["diff of two 2,000-procedure trees < 4 s"].met
    memory = judged["peak memory of validate at N=10000 < 2.5 GiB"]
    assert (memory.measured, memory.met) == ("2.93 GiB", False)
    export = judged["peak memory of export at N=10000 < 2x pyoxigraph's"]
    assert (export.measured, export.met) == ("1.80x (900 MiB vs 500 MiB)", True)
    assert all(isinstance(target, Target) for target in judged.values())
