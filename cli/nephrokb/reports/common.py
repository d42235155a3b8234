"""What every report format shares: display paths, values, node names and the summary line."""

from __future__ import annotations

import os
from pathlib import Path

from nephrokb.namespaces import compact
from nephrokb.validation import SEVERITIES, Report, ValidationResult

NOUNS = {
    "Violation": ("violation", "violations"),
    "Warning": ("warning", "warnings"),
    "Info": ("info", "info"),
}


def display_path(file: str) -> str:
    """Return `file` relative to the current folder when it is under it, else as given."""
    if file == "-":
        return file
    try:
        return str(Path(os.path.abspath(file)).relative_to(Path.cwd()))
    except ValueError:
        return file


def display_value(result: ValidationResult) -> str | None:
    """Return the result's value as a person reads it: IRIs compacted, literals as written."""
    if result.value is None:
        return None
    if result.value_term is not None and result.value_term.startswith("<"):
        return compact(result.value)
    return result.value


def node_name(result: ValidationResult) -> str:
    """Return the focus node's compact IRI followed by its quoted label, when it has one."""
    name = compact(result.focus)
    return f'{name} "{result.label}"' if result.label else name


def counts(report: Report) -> dict[str, int]:
    """Return the number of results of each severity, keyed by severity."""
    return {severity: report.count(severity) for severity in SEVERITIES}


def summary(report: Report, *, strict: bool = False) -> str:
    """Return one line: conforms or not, counts per severity, what was read."""
    tally = ", ".join(
        f"{count} {NOUNS[severity][count != 1]}" for severity, count in counts(report).items()
    )
    verdict = "Does not conform" if report.failed(strict=strict) else "Conforms"
    files = len(report.files)
    read = f"{files} file{'s' if files != 1 else ''}, {report.triples} triples"
    if report.checkout is not None:
        read += f"; knowledge from the checkout {report.checkout}"
    return f"{verdict}: {tally} ({read})."
