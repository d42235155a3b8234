"""Validation results and reports: plain values every report format reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, in plain strings so that every report format can use it.

    `file` and `line` say where the focus node is described (the first line of a statement
    with it as subject; for a node that is never a subject, the line it is first mentioned
    on). When the result is about one triple written in the source (focus, path, value),
    `file` is the file holding that triple and `value_line` the line of its object.
    `value` is the value's lexical form or IRI, `value_term` the same term in N-Triples
    syntax (so a report can tell `"1"` from `1` and an IRI from a string).
    """

    focus: str
    rule: str
    severity: str
    message: str
    label: str | None = None
    path: str | None = None
    value: str | None = None
    value_term: str | None = None
    constraint: str | None = None
    file: str | None = None
    line: int | None = None
    value_line: int | None = None
    cell: str | None = None  # in a workbook (nephrokb.authoring): the Sheet!Cell it points at
    fix: object | None = None  # a certain fix (nephrokb.editing.fix.Fix), for SARIF and GitHub

    def sort_key(self) -> tuple:
        """Order results by file, line, node and rule (then the rest, for one fixed order).

        Results with no file come last.
        """
        return (
            self.file is None,
            self.file or "",
            self.line or 0,
            self.focus,
            self.rule,
            self.severity,
            self.message,
            self.value_term or "",
            self.constraint or "",
            self.path or "",
        )


@dataclass(frozen=True)
class Report:
    """The outcome of one validation run."""

    results: tuple[ValidationResult, ...]
    files: tuple[Path, ...]
    triples: int
    checkout: Path | None = None  # the checkout whose kb/ was read when no data was named

    def count(self, severity: str) -> int:
        """Return how many results have this severity."""
        return sum(1 for result in self.results if result.severity == severity)

    def failed(self, *, strict: bool = False) -> bool:
        """True when a Violation was found (or, with strict, any result at all)."""
        return bool(self.results) if strict else self.count("Violation") > 0
