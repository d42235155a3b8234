"""Apache Jena, an independent implementation, reads every RDF export and answers as we do.

`riot --validate` (strict parsing, with IRI and literal checks) must accept each RDF format
`nephrokb export` writes, and `riot --output=nq` must read the same graph back from it.
`arq` runs each bundled query on the exported Turtle and must give the answers
`nephrokb query` gives on that file: the same solutions, in the same order where ORDER BY
decides it (rows that tie on the ORDER BY keys may come in any order, so those compare as
bags). Every command runs in one JVM (tests/referees/JenaCommands.java), Debian's Jena 4.5
set up by tests/referees/jena-setup.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from nephrokb.cli import main
from nephrokb.exporters import EXPORTERS, export_knowledge
from nephrokb.namespaces import KB
from nephrokb.query.queries import list_bundled_queries, read_query
from nephrokb.query.remote_queries import with_prefixes
from shacl_engines import jena_build

pytestmark = pytest.mark.slow  # Apache Jena's command-line tools, one JVM each
MARKER = "#jena-commands-exit "
BUNDLED = [bundled.name for bundled in list_bundled_queries()]
# Export format -> the file extension riot reads it by.
EXPORT_FILES = {
    "turtle": "kb.ttl",
    "nt": "kb.nt",
    "nq": "kb.nq",
    "trig": "kb.trig",
    "jsonld": "kb.jsonld",
    "xml": "kb.rdf",
}
QUAD_FORMATS = {"nq", "trig"}
# Jena's JSON-LD 1.1 reader (Titanium) needs a jakarta.json implementation, which Debian does
# not package; its JSON-LD 1.0 reader (jsonld-java) reads our export, which uses no 1.1 feature.
SYNTAX = {"jsonld": ["--syntax=JSONLD10"]}
BROKEN_TURTLE = (
    b"@prefix kb: <https://w3id.org/nephrokb/id/> .\n"
    b'kb:a kb:stepNumber "two"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
)
ORDER_BY = re.compile(r"\bORDER\s+BY\s+((?:\?\w+\s*)+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Run:
    """What one Jena command wrote and its exit code."""

    stdout: str
    stderr: str
    code: int


@dataclass(frozen=True)
class JenaRuns:
    """The folder the commands ran in (the exports, the queries) and each command's Run."""

    folder: Path
    runs: dict[str, Run]


def split_runs(stdout: str, stderr: str) -> list[Run]:
    """Split the output of JenaCommands into one Run per command, in order."""
    *outputs, after_last = re.split(rf"\n{MARKER}(\d+)\n", stdout)
    *errors, _ = re.split(rf"\n{MARKER}\d+\n", stderr)
    assert after_last == ""
    codes = [int(code) for code in outputs[1::2]]
    return [Run(*run) for run in zip(outputs[::2], errors, codes, strict=True)]


@pytest.fixture(scope="module")
def jena(tmp_path_factory) -> JenaRuns:
    """Run every riot and arq command of this module in one JVM; their Runs by name."""
    folder = tmp_path_factory.mktemp("jena")
    classpath = jena_build(folder / "build", log_to_stderr=True)
    if classpath is None:
        pytest.skip("Java or Debian's Jena is missing (apt-get install libapache-jena-java)")
    commands: dict[str, list[str]] = {}
    for format_name, file_name in EXPORT_FILES.items():
        (folder / file_name).write_bytes(export_knowledge(format_name))
        syntax = SYNTAX.get(format_name, [])
        commands[f"validate {format_name}"] = ["riot", "--validate", *syntax, file_name]
        commands[f"read {format_name}"] = ["riot", "--output=nq", *syntax, file_name]
    (folder / "broken.ttl").write_bytes(BROKEN_TURTLE)
    commands["validate broken"] = ["riot", "--validate", "broken.ttl"]
    turtle = EXPORT_FILES["turtle"]
    for name in BUNDLED:
        query_file = f"{name}.rq"
        (folder / query_file).write_text(with_prefixes(read_query(name).text), encoding="utf-8")
        commands[f"arq {name}"] = ["arq", "--data", turtle, "--query", query_file, "--results=json"]
    arguments = [argument for command in commands.values() for argument in [*command, ";;"]]
    completed = subprocess.run(
        ["java", "-cp", classpath, "JenaCommands", *arguments],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
        timeout=300,
        check=False,
    )
    runs = split_runs(completed.stdout, completed.stderr)
    assert len(runs) == len(commands), completed.stderr[-2000:]
    return JenaRuns(folder, dict(zip(commands, runs, strict=True)))


def test_every_rdf_export_format_is_checked():
    rdf_formats = {
        name
        for name, exporter in EXPORTERS.items()
        if exporter.__module__ == "nephrokb.rdf.serialization"
    }
    assert set(EXPORT_FILES) == rdf_formats


@pytest.mark.parametrize("format_name", sorted(EXPORT_FILES))
def test_riot_validates_the_export(jena, format_name):
    run = jena.runs[f"validate {format_name}"]
    assert run.code == 0, run.stderr
    assert not re.search(r"\b(WARN|ERROR)\b", run.stderr), run.stderr


@pytest.mark.parametrize("format_name", sorted(EXPORT_FILES))
def test_riot_reads_the_exported_graph_back(jena, format_name, bundled_graph):
    from rdflib import Dataset, Graph
    from rdflib.compare import isomorphic

    run = jena.runs[f"read {format_name}"]
    assert run.code == 0, run.stderr
    dataset = Dataset()
    dataset.parse(data=run.stdout, format="nquads")
    graphs = {str(graph.identifier) for graph in dataset.graphs() if len(graph)}
    expected = {KB} if format_name in QUAD_FORMATS else {str(dataset.default_graph.identifier)}
    assert graphs == expected
    read = Graph()
    for subject, predicate, object_, _ in dataset.quads():
        read.add((subject, predicate, object_))
    assert isomorphic(read, bundled_graph)


def test_riot_refuses_a_broken_literal(jena):
    run = jena.runs["validate broken"]
    assert run.code == 1
    assert run.stderr == (
        "[main] WARN org.apache.jena.riot - [line: 2, col: 20] "
        "Lexical form 'two' not valid for datatype XSD integer\n"
    )


def solutions(json_results: str) -> tuple[tuple[str, ...], list[tuple]]:
    """Return the variables and rows of a SPARQL JSON results document."""
    from rdflib.query import Result

    result = Result.parse(io.StringIO(json_results), format="json")
    names = result.vars or []
    return tuple(map(str, names)), [tuple(row.get(name) for name in names) for row in result]


def in_order(variables: tuple[str, ...], rows: list[tuple], keys: list[str]) -> list:
    """Rows grouped by their ORDER BY key values, in order; each group a bag of rows."""
    positions = [variables.index(key) for key in keys]
    grouped = itertools.groupby(rows, key=lambda row: tuple(row[p] for p in positions))
    return [(key, Counter(group)) for key, group in grouped]


@pytest.mark.parametrize("name", BUNDLED)
def test_arq_answers_every_bundled_query_as_nephrokb(jena, name):
    run = jena.runs[f"arq {name}"]
    assert run.code == 0, run.stderr
    turtle = jena.folder / EXPORT_FILES["turtle"]
    local = CliRunner().invoke(main, ["query", name, "--data", str(turtle), "--format", "json"])
    assert local.exit_code == 0, local.output
    variables, rows = solutions(local.stdout)
    assert solutions(run.stdout)[0] == variables
    keys = re.findall(r"\?(\w+)", ORDER_BY.search(read_query(name).text.strip()).group(1))
    assert in_order(variables, solutions(run.stdout)[1], keys) == in_order(variables, rows, keys)
    assert len(rows) > 1
