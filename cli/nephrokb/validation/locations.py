"""Place validation results in the files and lines (or cells) that wrote their nodes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph
from rdflib import Literal, URIRef
from rdflib.util import from_n3

from nephrokb.rdf.sources import SourceText, base_iri
from nephrokb.turtle.locator import LiteralKey, locate, subject_locator
from nephrokb.validation.results import ValidationResult

if TYPE_CHECKING:
    from rdflib.term import Node

    from nephrokb.turtle.locator import SourceLines, SubjectLocator


class Locations:
    """Where each Turtle file writes its nodes, read with the locator only when asked.

    A valid knowledge base has no results to locate, so it is never read a second time.
    A result is looked for only in the files that have its focus node as a subject, and
    there only in the statements about it (nephrokb.turtle.locator.SubjectLocator), so
    that locating costs what the results need rather than what the files hold. Only a
    node that no file has as a subject makes the files be read whole, for its mentions.
    """

    def __init__(self, sources: Sequence[SourceText], subjects: Sequence[frozenset]) -> None:
        self.files = [
            (source, nodes)
            for source, nodes in zip(sources, subjects, strict=True)
            if source.syntax in ("turtle", "nt")
        ]
        self.lines: dict[int, SourceLines] = {}
        self.subject_locators: dict[int, SubjectLocator | None] = {}

    def describing(self, focus: str) -> Iterator[tuple[Path, SourceLines]]:
        """Yield (path, lines) of the files, in order, that have `focus` as a subject.

        The lines hold at least the subjects and objects of `focus`'s statements.
        """
        try:
            node = pyoxigraph.NamedNode(focus)
        except ValueError:  # a blank node: the locator records none
            return
        for index, (source, subjects) in enumerate(self.files):
            if node in subjects:
                yield source.path, self.about(index, focus)

    def in_several_files(self, focus: str) -> bool:
        """True when more than one file has `focus` (an IRI) as a subject."""
        node = pyoxigraph.NamedNode(focus)
        return sum(1 for _, subjects in self.files if node in subjects) > 1

    def every(self, focus: str) -> Iterator[tuple[Path, SourceLines]]:
        """Yield (path, lines) of every file, in order, read whole (none for a blank node)."""
        if ":" in focus:
            for index, (source, _) in enumerate(self.files):
                yield source.path, self.read(index)

    def about(self, index: int, subject: str) -> SourceLines:
        """Return lines of file `index` that hold those of `subject`'s statements."""
        source = self.files[index][0]
        if index in self.lines or source.authored is not None:
            return self.read(index)
        if index not in self.subject_locators:
            self.subject_locators[index] = subject_locator(source.text, base_iri(source.path))
        located = self.subject_locators[index]
        return self.read(index) if located is None else located.locate(subject)

    def read(self, index: int) -> SourceLines:
        """Return every line the locator finds in file `index`, reading it whole once."""

        if index not in self.lines:
            source = self.files[index][0]
            self.lines[index] = (
                source.authored.lines  # a procedure file: the lines the editor typed
                if source.authored is not None
                else locate(source.text, base_iri(source.path))
            )
        return self.lines[index]


def locate_results(
    results: Iterable[ValidationResult],
    locations: Locations,
    located_already: Iterable[ValidationResult] = (),
) -> tuple[ValidationResult, ...]:
    """Give each result the file and lines of its focus node (and value), sorted for reports.

    `located_already` (results of the source checks) are added as they are. Results in a
    workbook also get the cell they point at (place_in_cells).
    """
    located = [locate_result(result, locations) for result in results]
    ordered = sorted([*located, *located_already], key=ValidationResult.sort_key)
    return place_in_cells(ordered, [source for source, _ in locations.files])


def named_nodes(nodes: Iterable) -> list[str]:
    """Return the IRIs among `nodes` (pyoxigraph or rdflib terms)."""
    return [
        node.value if isinstance(node, pyoxigraph.NamedNode) else str(node)
        for node in nodes
        if isinstance(node, pyoxigraph.NamedNode | URIRef)
    ]


def locate_result(result: ValidationResult, locations: Locations) -> ValidationResult:
    """Return `result` with file, line and value_line set from the first file that has them."""
    if result.path is not None and result.value_term is not None:
        for path, lines in locations.describing(result.focus):
            value_line = triple_line(lines, result.focus, result.path, result.value_term)
            if value_line is not None:
                line = lines.subjects[result.focus]
                return replace(result, file=str(path), line=line, value_line=value_line)
    for path, lines in locations.describing(result.focus):
        line = lines.subjects.get(result.focus)
        if line is not None:
            return replace(result, file=str(path), line=line)
    for path, lines in locations.every(result.focus):
        line = lines.mentions.get(result.focus)
        if line is not None:
            return replace(result, file=str(path), line=line)
    return result


def triple_line(lines: SourceLines, subject: str, predicate: str, value_term: str) -> int | None:
    """Return the line of the object of subject-predicate-value in one file, if written there."""
    candidates = lines.objects.get((subject, predicate))
    if not candidates:
        return None
    value: Node = from_n3(value_term)
    if isinstance(value, URIRef):
        return candidates.get(str(value))
    if not isinstance(value, Literal):
        return None
    written = LiteralKey(str(value), value.datatype and str(value.datatype), value.language)
    if written in candidates:
        return candidates[written]
    # rdflib normalizes lexical forms ("01" becomes "1"), so compare as rdflib terms.
    for key, line in candidates.items():
        if isinstance(key, LiteralKey):
            literal = Literal(key.lexical, lang=key.language, datatype=key.datatype)
            if literal == value:
                return line
    return None


def place_in_cells(
    results: Sequence[ValidationResult], sources: Sequence[SourceText]
) -> tuple[ValidationResult, ...]:
    """Give the results located in a workbook the cell of their value, else of their row."""
    workbooks = {
        str(source.path): source.authored.cells
        for source in sources
        if source.authored is not None and source.authored.cells
    }
    if not workbooks:
        return tuple(results)
    placed = []
    for result in results:
        cells = workbooks.get(result.file or "")
        if cells and result.cell is None:
            cell = cells.get((result.focus, result.path, result.value_term)) or cells.get(
                result.focus
            )
            result = replace(result, cell=cell)
        placed.append(result)
    return tuple(placed)
