"""Render a validation Report as text for people."""

from __future__ import annotations

from itertools import groupby

from nephrokb.namespaces import compact
from nephrokb.validation import SEVERITIES, Report

NOUNS = {
    "Violation": ("violation", "violations"),
    "Warning": ("warning", "warnings"),
    "Info": ("info", "info"),
}


def render_text(report: Report) -> str:
    """Return the report grouped by node, ending with a one-line summary."""
    lines: list[str] = []
    for focus, results in groupby(sorted(report.results), key=lambda result: result.focus):
        results = list(results)
        label = results[0].label
        lines.append(f"{compact(focus)}" + (f' "{label}"' if label else ""))
        for result in results:
            detail = f" (value: {result.value})" if result.value is not None else ""
            lines.append(f"  {result.severity}: {result.message}{detail} [{compact(result.rule)}]")
        lines.append("")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def summary(report: Report) -> str:
    """Return one line: conforms or not, counts per severity, what was read."""
    counts = ", ".join(
        f"{report.count(severity)} {NOUNS[severity][report.count(severity) != 1]}"
        for severity in SEVERITIES
    )
    verdict = "Does not conform" if report.failed() else "Conforms"
    files = len(report.files)
    return (
        f"{verdict}: {counts} ({files} file{'s' if files != 1 else ''}, {report.triples} triples)."
    )


REPORT_FORMATS = {"text": render_text}
