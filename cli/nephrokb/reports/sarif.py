"""Render a validation Report as SARIF 2.1.0, for code-scanning tools and editors.

One run whose tool lists each shape rule that fired (`id` is its compact IRI), and one
result per validation result: level error (Violation), warning or note (Info); the location
is the focus node's file and line, with the node as a logical location; a result about one
triple also points at the value's line as a related location.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

from nephrokb import __version__
from nephrokb.namespaces import compact
from nephrokb.reports.common import display_path, display_value, node_name
from nephrokb.validation.results import Report, ValidationResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"Violation": "error", "Warning": "warning", "Info": "note"}


def render_sarif(report: Report, *, strict: bool = False) -> str:
    """Return the report as a SARIF 2.1.0 log with one run."""
    rules = sorted({result.rule for result in report.results})
    rule_index = {rule: index for index, rule in enumerate(rules)}
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "nephrokb",
                        "version": __version__,
                        "rules": [rule_descriptor(rule) for rule in rules],
                    }
                },
                "invocations": [
                    {"executionSuccessful": True, "exitCode": int(report.failed(strict=strict))}
                ],
                "results": [sarif_result(result, rule_index) for result in report.results],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def rule_descriptor(rule: str) -> dict[str, object]:
    """Describe one shape rule: compact IRI as id, local name as name, full IRI as property."""
    name = re.split(r"[#/]", rule)[-1]
    return {"id": compact(rule), "name": name, "properties": {"iri": rule}}


def sarif_result(result: ValidationResult, rule_index: dict[str, int]) -> dict[str, object]:
    """Return one SARIF result for one validation result."""
    sarif: dict[str, object] = {
        "ruleId": compact(result.rule),
        "ruleIndex": rule_index[result.rule],
        "level": LEVELS.get(result.severity, "error"),
        "message": {
            "text": f"{node_name(result)}: {result.message}"
            + (f" (at {result.cell})" if result.cell else "")  # a workbook: region is the row
        },
    }
    location: dict[str, object] = {
        "logicalLocations": [{"name": compact(result.focus), "fullyQualifiedName": result.focus}]
    }
    if result.file is not None:
        location["physicalLocation"] = physical_location(result.file, result.line)
    sarif["locations"] = [location]
    if result.file is not None and result.value_line is not None:
        related = {"id": 1, "message": {"text": f"value: {display_value(result)}"}}
        related["physicalLocation"] = physical_location(result.file, result.value_line)
        sarif["relatedLocations"] = [related]
    if result.fix is not None and result.file is not None:
        # `nephrokb validate --fix` makes this change; SARIF viewers can offer it.
        change = {
            "artifactLocation": physical_location(result.file, None)["artifactLocation"],
            "replacements": [
                {
                    "deletedRegion": {"startLine": result.fix.line},
                    "insertedContent": {"text": result.fix.new_line},
                }
            ],
        }
        sarif["fixes"] = [{"description": {"text": result.fix.change}, "artifactChanges": [change]}]
    sarif["properties"] = {
        "severity": result.severity,
        "focusNode": result.focus,
        "path": result.path,
        "value": result.value,
        "constraint": result.constraint,
        "cell": result.cell,
    }
    return sarif


def physical_location(file: str, line: int | None) -> dict[str, object]:
    """Return an artifact location (a relative URI under the current folder) and its line."""
    shown = display_path(file)
    path = Path(shown)
    uri = path.as_uri() if path.is_absolute() else quote(path.as_posix())
    location: dict[str, object] = {"artifactLocation": {"uri": uri}}
    if line:
        location["region"] = {"startLine": line}
    return location
