"""Run independent SHACL engines on the same files as nephrokb: the referees of its results.

Each engine reads the data file itself, with the ontology's triples mixed in (as nephrokb
validates), and its results become Findings: (focus, source shape, component, severity,
value), terms in N-Triples syntax, every blank node written `_:` (blank node labels differ
between engines and runs).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.util import from_n3

SH = Namespace("http://www.w3.org/ns/shacl#")
REFEREES = Path(__file__).parent / "referees"
BLANK = "_:"


class Finding(NamedTuple):
    """One validation result as every engine can state it."""

    focus: str
    shape: str
    component: str
    severity: str
    value: str | None


def term(node) -> str | None:
    """A term in N-Triples syntax, any blank node as `_:`."""
    if node is None:
        return None
    return BLANK if isinstance(node, BNode) else node.n3()


def report_findings(report: Graph) -> frozenset[Finding]:
    """Findings of a W3C SHACL validation report graph (pyshacl's, Jena's)."""
    return frozenset(
        Finding(
            focus=term(report.value(result, SH.focusNode)),
            shape=term(report.value(result, SH.sourceShape)),
            component=str(report.value(result, SH.sourceConstraintComponent)),
            severity=str(report.value(result, SH.resultSeverity)).removeprefix(str(SH)),
            value=term(report.value(result, SH.value)),
        )
        for result in report.subjects(SH.resultSeverity, None)
    )


def read_graph(paths: Iterable[Path]) -> Graph:
    """One rdflib graph of the Turtle files."""
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def pyshacl_report(data: Path, shapes: Graph, ontology: Graph) -> tuple[Graph, Graph]:
    """pyshacl on a data file (rdflib parses it, pyshacl checks every shape): data, report."""
    import pyshacl

    graph = read_graph([data])
    _, report, _ = pyshacl.validate(
        graph, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True
    )
    return graph, report


def pyrudof_findings(data: Path, shapes_file: Path, ontology_file: Path) -> frozenset[Finding]:
    """pyrudof's (rudof's Rust SHACL engine) results on a data file, in a fresh session."""
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(str(data), reader_mode=pyrudof.ReaderMode.Strict)
    rudof.read_data(str(ontology_file), format=pyrudof.RDFFormat.NTriples, merge=True)
    rudof.read_shacl(str(shapes_file), format=pyrudof.ShaclFormat.NTriples)
    namespaces = read_graph([data]).namespace_manager
    return frozenset(
        Finding(
            focus=rudof_term(entry.focus_node, namespaces),
            shape=rudof_term(entry.source_shape, namespaces),
            component=entry.constraint_component,
            severity=entry.severity,
            value=rudof_term(entry.value, namespaces),
        )
        for entry in rudof.validate_shacl()
    )


def rudof_term(text: str | None, namespaces) -> str | None:
    """pyrudof writes IRIs bare and literal datatypes as prefixed names: make N-Triples."""
    if text is None:
        return None
    if text.startswith("_:"):
        return BLANK
    if text.startswith('"'):
        literal = from_n3(text, nsm=namespaces)
        assert isinstance(literal, Literal), text
        return literal.n3()
    return URIRef(text).n3()


def jena_build(build: Path, log_to_stderr: bool = False) -> str | None:
    """Set up Jena and its referees in `build`; the classpath, or None without Java or Jena.

    Jena logs through slf4j, silenced by default; `log_to_stderr` swaps in the simple
    binding, which prints what riot refuses to stderr.
    """
    if shutil.which("java") is None:
        return None
    completed = subprocess.run(
        [REFEREES / "jena-setup", build], capture_output=True, text=True, check=False
    )
    if completed.returncode == 3:
        return None
    assert completed.returncode == 0, completed.stderr
    classpath = completed.stdout.strip()
    return classpath.replace("slf4j-nop", "slf4j-simple") if log_to_stderr else classpath


def jena_findings(
    classpath: str, data: Sequence[Path], shapes_file: Path, ontology_file: Path, output: Path
) -> dict[Path, frozenset[Finding] | str]:
    """Jena SHACL's results on each data file, from one JVM; an error text where it failed."""
    subprocess.run(
        ["java", "-cp", classpath, "ShaclReferee", shapes_file, ontology_file, output, *data],
        check=True,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    from rdflib import Dataset
    from rdflib.namespace import RDFS

    reports = Dataset()
    reports.parse(output, format="nquads")
    findings: dict[Path, frozenset[Finding] | str] = {}
    for path in data:
        report = reports.graph(URIRef(path.resolve().as_uri()))
        error = report.value(URIRef(path.resolve().as_uri()), RDFS.comment)
        findings[path] = str(error) if error is not None else report_findings(report)
    return findings


def nephrokb_findings(data: Path) -> frozenset[Finding]:
    """nephrokb's default engine on a data file (its own parser, its fast path).

    The source checks' results are left out: they read the Turtle files (prefix lines, a
    subject described in two files), which no SHACL engine sees.
    """
    from nephrokb.validation.engine import validate
    from nephrokb.validation.source_checks import SOURCE_RULES

    def as_term(text: str) -> str:
        return BLANK if text.startswith("_:") else text

    return frozenset(
        Finding(
            focus=URIRef(result.focus).n3() if ":" in result.focus else BLANK,
            shape=URIRef(result.rule).n3() if ":" in result.rule else BLANK,
            component=result.constraint,
            severity=result.severity,
            value=None if result.value_term is None else as_term(result.value_term),
        )
        for result in validate([data]).results
        if result.rule not in SOURCE_RULES
    )


def deviations(fixture: Path) -> dict[str, str]:
    """The `# deviation: ENGINE: reason` lines of a fixture: engine -> reason."""
    known = {}
    for line in fixture.read_text(encoding="utf-8").splitlines():
        if line.startswith("# deviation: "):
            engine, reason = line.removeprefix("# deviation: ").split(": ", 1)
            known[engine] = reason
    return known
