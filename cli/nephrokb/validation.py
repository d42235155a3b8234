"""Validate knowledge against the bundled SHACL shapes and return a Report."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nephrokb.errors import ShapesError
from nephrokb.loading import load_graph, resolve_turtle_files
from nephrokb.resources import bundled_files, bundled_folder

if TYPE_CHECKING:
    from rdflib import Graph

SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True, order=True)
class ValidationResult:
    """One SHACL result, in plain strings so that every report format can use it."""

    focus: str
    rule: str
    severity: str
    message: str
    label: str | None = None
    path: str | None = None
    value: str | None = None
    constraint: str | None = None


@dataclass(frozen=True)
class Report:
    """The outcome of one validation run."""

    results: tuple[ValidationResult, ...]
    files: tuple[Path, ...]
    triples: int

    def count(self, severity: str) -> int:
        """Return how many results have this severity."""
        return sum(1 for result in self.results if result.severity == severity)

    def failed(self, *, strict: bool = False) -> bool:
        """True when a Violation was found (or, with strict, any result at all)."""
        return bool(self.results) if strict else self.count("Violation") > 0


def validate(data: Sequence[str | Path] | None = None) -> Report:
    """Validate the Turtle files or folders in `data` (default: the bundled kb/)."""
    data_paths = list(data) if data else [bundled_folder("kb")]
    files = tuple(resolve_turtle_files(data_paths))
    data_graph = load_graph(files)
    results = validate_graph(data_graph)
    return Report(results=results, files=files, triples=len(data_graph))


def validate_graph(data_graph: Graph) -> tuple[ValidationResult, ...]:
    """Run pyshacl with the bundled ontology and shapes over `data_graph`."""
    import pyshacl

    shapes_graph = load_graph(bundled_files("shapes"))
    ontology_graph = load_graph(bundled_files("ontology"))
    try:
        _, results_graph, _ = pyshacl.validate(
            data_graph,
            shacl_graph=shapes_graph,
            ont_graph=ontology_graph,
            inference="none",
            advanced=True,
            allow_warnings=True,
        )
    except Exception as error:  # pyshacl reports unusable shapes with many exception types
        raise ShapesError(f"the SHACL shapes cannot be used: {error}") from None
    return tuple(sorted(read_results(results_graph, data_graph)))


def read_results(results_graph: Graph, data_graph: Graph) -> Iterable[ValidationResult]:
    """Turn the sh:ValidationResult nodes of a report graph into ValidationResults."""
    from rdflib import RDF, RDFS, BNode, Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    for node in results_graph.subjects(RDF.type, sh.ValidationResult):
        focus = results_graph.value(node, sh.focusNode)
        path = results_graph.value(node, sh.resultPath)
        value = results_graph.value(node, sh.value)
        severity = results_graph.value(node, sh.resultSeverity)
        label = data_graph.value(focus, RDFS.label)
        yield ValidationResult(
            focus=str(focus),
            rule=str(results_graph.value(node, sh.sourceShape)),
            severity=str(severity).rsplit("#", 1)[-1],
            message=str(results_graph.value(node, sh.resultMessage) or "violates a shape"),
            label=str(label) if label is not None else None,
            path=None if path is None or isinstance(path, BNode) else str(path),
            value=None if value is None else str(value),
            constraint=str(results_graph.value(node, sh.sourceConstraintComponent)),
        )
