"""Read a procedure file (YAML or xlsx) as a source of knowledge, like a Turtle file.

Loading calls `read_authoring_source` for the suffixes in AUTHORING_SUFFIXES: the file is
compiled to canonical Turtle (the text every later stage parses) and keeps where each node
and triple was typed, so validation results point at the editor's lines, and the problems
found while compiling, which validation reports as results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef

from nephrokb.authoring.compile import Compiled, Problem, compile_document
from nephrokb.authoring.workbook import read_workbook
from nephrokb.authoring.yaml_format import read_yaml
from nephrokb.errors import InputError
from nephrokb.namespaces import PREFIXES
from nephrokb.rdf.sources import SourceText, read_text
from nephrokb.turtle.canonical import serialize_canonical
from nephrokb.turtle.locator import LiteralKey, SourceLines

WORKBOOK_SUFFIXES = (".xlsx",)


@dataclass(frozen=True)
class Authored:
    """What a procedure file compiled to: where its nodes and triples were typed, and problems.

    `lines` is what the Turtle locator would give (for a workbook, the row numbers); `cells`
    says in which workbook cell each node (IRI) and triple (IRI, IRI, N-Triples value) was
    typed, empty for YAML.
    """

    lines: SourceLines
    problems: tuple[Problem, ...]
    cells: dict = field(default_factory=dict)


def compile_file(path: Path) -> Compiled:
    """Read and compile one procedure file: YAML, or a workbook (.xlsx)."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        try:
            content = path.read_bytes()
        except OSError as error:
            raise InputError(f"cannot read: {error.strerror}", path=str(path)) from None
        root, problems = read_workbook(str(path), content)
        compiled = compile_document(root, str(path))
        compiled.problems[:0] = problems
        return compiled
    return compile_document(read_yaml(read_text(path), str(path)), str(path))


def cells_of(compiled: Compiled) -> dict:
    """Return where a workbook typed each node and triple (`Authored.cells`)."""
    cells: dict = {}
    for node, origin in compiled.subjects.items():
        if origin.cell:
            cells[node] = origin.cell
    for (subject, predicate, obj), origin in compiled.origins.items():
        if origin.cell:
            cells[(str(subject), str(predicate), obj.n3())] = origin.cell
    return cells


def read_authoring_source(path: Path) -> SourceText:
    """Compile a procedure file into a SourceText of canonical Turtle that knows its origins."""
    compiled = compile_file(path)
    text = serialize_canonical(compiled.graph, PREFIXES)
    authored = Authored(source_lines(compiled), tuple(compiled.problems), cells_of(compiled))
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
