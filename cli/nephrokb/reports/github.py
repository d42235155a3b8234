"""Render a validation Report as GitHub Actions workflow commands, one annotation per result.

    ::error file=kb/x.ttl,line=52,title=nkbsh%3AStepNumberShape::kb:demo-step "Label": message

Violations are `error`, warnings `warning`, info `notice`. Values are escaped as the
workflow-command rules say: `%`, CR and LF in the message; also `:` and `,` in properties.
The last line is the plain summary, which Actions shows as ordinary log output.
"""

from __future__ import annotations

from nephrokb.namespaces import compact
from nephrokb.reports.common import display_path, display_value, node_name, summary
from nephrokb.validation.results import Report, ValidationResult

COMMANDS = {"Violation": "error", "Warning": "warning", "Info": "notice"}


def render_github(report: Report, *, strict: bool = False) -> str:
    """Return one workflow command per result, then the summary line."""
    lines = [command(result) for result in report.results]
    lines.append(summary(report, strict=strict))
    return "\n".join(lines) + "\n"


def command(result: ValidationResult) -> str:
    """Return the `::error file=...,line=...,title=...::message` line for one result."""
    properties = {}
    if result.file is not None:
        properties["file"] = display_path(result.file)
        if result.line:
            properties["line"] = str(result.line)
    properties["title"] = compact(result.rule)
    message = f"{node_name(result)}: {result.message}"
    value = display_value(result)
    if value is not None:
        message += f" (value: {value})"
    if result.cell:
        message += f" (at {result.cell})"  # a workbook: `line` is the cell's row
    if result.fix is not None:
        suggestion = f"line {result.fix.line}: `{result.fix.new_line.strip()}`"
        message += f" (suggested fix, {suggestion}; nephrokb validate --fix)"
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    level = COMMANDS.get(result.severity, "error")
    return f"::{level} {rendered}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """Escape a command's message: %, CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command's property value: as data, plus : and ,."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
