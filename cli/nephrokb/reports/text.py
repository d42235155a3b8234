"""Render a validation Report as text for people, with `file:line:` an editor can jump to.

Results are grouped by file, then by focus node: each group starts with the node's compact
IRI and label, followed by one line per result,

    kb/procedure.ttl:52: violation: is step 4, ... [nkbsh:ContiguousStepNumberShape]

and the report ends with the one-line summary. Values are written as in Turtle, so that a
string (`"5"`) is told from a number (`5`): `(value: "5", line 45)`.
"""

from __future__ import annotations

from itertools import groupby

from nephrokb.namespaces import compact
from nephrokb.reports.common import display_path, display_value, node_name, summary
from nephrokb.validation.results import Report, ValidationResult


def render_text(report: Report, *, strict: bool = False) -> str:
    """Return the report grouped by file and node, ending with a one-line summary."""
    lines: list[str] = []
    for _, group in groupby(report.results, key=lambda result: (result.file, result.focus)):
        results = list(group)
        lines.append(node_name(results[0]))
        lines.extend(result_line(result) for result in results)
        lines.append("")
    lines.append(summary(report, strict=strict))
    return "\n".join(lines) + "\n"


def result_line(result: ValidationResult) -> str:
    """Return `file:line: severity: message (value: ...) [rule]` for one result.

    A result in a workbook says `file:Sheet!Cell:` instead of `file:line:`.
    """
    location = ""
    if result.file is not None:
        # In a workbook, the Sheet!Cell stands where a line would.
        place = result.cell or result.line
        location = display_path(result.file) + (f":{place}" if place else "") + ": "
    value = display_value(result)
    detail = ""
    if value is not None:
        where = f", line {result.value_line}" if result.value_line and not result.cell else ""
        detail = f" (value: {value}{where})"
    return f"{location}{result.severity.lower()}: {result.message}{detail} [{compact(result.rule)}]"
