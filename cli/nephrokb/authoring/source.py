"""Read a procedure file (YAML) as a source of knowledge, like a Turtle file.

Loading calls `read_authoring_source` for the suffixes in AUTHORING_SUFFIXES: the file is
compiled to canonical Turtle (the text every later stage parses) and keeps where each node
and triple was typed, so validation results point at the editor's lines, and the problems
found while compiling, which validation reports as results.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef

from nephrokb.authoring.compile import Compiled, Problem, compile_document
from nephrokb.authoring.yaml_format import read_yaml
from nephrokb.canonical import serialize_canonical
from nephrokb.loading import SourceText, read_text
from nephrokb.locator import LiteralKey, SourceLines
from nephrokb.namespaces import PREFIXES

if TYPE_CHECKING:
    from nephrokb.validation import ValidationResult


@dataclass(frozen=True)
class Authored:
    """What a procedure file compiled to: where its nodes and triples were typed, and problems."""

    lines: SourceLines
    problems: tuple[Problem, ...]


def compile_file(path: Path) -> Compiled:
    """Read and compile one procedure file."""
    return compile_document(read_yaml(read_text(path), str(path)), str(path))


def read_authoring_source(path: Path) -> SourceText:
    """Compile a procedure file into a SourceText of canonical Turtle that knows its origins."""
    compiled = compile_file(path)
    text = serialize_canonical(compiled.graph, PREFIXES)
    authored = Authored(source_lines(compiled), tuple(compiled.problems))
    return SourceText(path=path, text=text, syntax="turtle", authored=authored)


def source_lines(compiled: Compiled) -> SourceLines:
    """Return where the file typed each node and triple, as the Turtle locator records it."""
    lines = SourceLines()
    for node, origin in compiled.subjects.items():
        lines.subjects[node] = origin.line or 0
    for (subject, predicate, obj), origin in compiled.origins.items():
        key = (
            LiteralKey(str(obj), str(obj.datatype) if obj.datatype else None, obj.language)
            if isinstance(obj, Literal)
            else str(obj)
        )
        lines.objects.setdefault((str(subject), str(predicate)), {})[key] = origin.line or 0
        for term in (subject, obj):
            if isinstance(term, URIRef):
                lines.mentions.setdefault(str(term), origin.line or 0)
    return lines


def authoring_results(sources: Sequence[SourceText]) -> Iterator[ValidationResult]:
    """Yield the problems found compiling procedure files, as validation results."""
    from nephrokb.validation import ValidationResult

    for source in sources:
        if source.authored is None:
            continue
        for problem in source.authored.problems:
            yield ValidationResult(
                focus=problem.focus,
                rule=problem.rule,
                severity="Violation",
                message=problem.message,
                file=problem.origin.file,
                line=problem.origin.line,
            )
