"""Render a validation Report as JSON for programs; the schema below is stable.

    {
      "format": "nephrokb-validation-report",
      "version": 1,
      "conforms": false,            # false when a sh:Violation was found (any result, --strict)
      "summary": {"violations": 1, "warnings": 0, "info": 0, "files": 1, "triples": 99},
      "results": [
        {
          "file": "kb/x.ttl",       # relative to the current folder when under it, or null
          "line": 52,               # first line of a statement about the focus node, or null
          "value_line": 55,         # line of the value when the result is about one triple
          "cell": null,             # in a workbook (.xlsx): the Sheet!Cell; line is its row
          "focus_node": "https://w3id.org/nephrokb/id/demo-step",   # IRI (or blank node id)
          "label": "Check with contrast",                            # rdfs:label, or null
          "path": "https://w3id.org/nephrokb/vocab#stepNumber",     # sh:resultPath IRI, or null
          "value": "4",             # sh:value: lexical form or IRI, or null
          "value_datatype": "http://www.w3.org/2001/XMLSchema#integer",  # literal's, or null
          "value_language": null,   # a literal value's language tag, or null
          "severity": "Violation",  # Violation, Warning or Info
          "constraint": "http://www.w3.org/ns/shacl#SPARQLConstraintComponent",
          "rule": "https://w3id.org/nephrokb/shapes#ContiguousStepNumberShape",  # sh:sourceShape
          "message": "is step 4, but no step of its procedure is step 3: numbers must run..."
        }
      ]
    }

Every key is always present (null when unknown); results are sorted by file, line, node and
rule. docs/validation-report-json.md documents the same schema for readers of the docs.
"""

from __future__ import annotations

import json

from nephrokb.reports.common import counts, display_path, value_datatype, value_language
from nephrokb.validation.results import Report, ValidationResult

FORMAT_NAME = "nephrokb-validation-report"
FORMAT_VERSION = 1
RESULT_KEYS = (
    "file",
    "line",
    "value_line",
    "cell",
    "focus_node",
    "label",
    "path",
    "value",
    "value_datatype",
    "value_language",
    "severity",
    "constraint",
    "rule",
    "message",
)


def render_json(report: Report, *, strict: bool = False) -> str:
    """Return the report as one JSON document (schema in the module docstring)."""
    tally = counts(report)
    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "conforms": not report.failed(strict=strict),
        "summary": {
            "violations": tally["Violation"],
            "warnings": tally["Warning"],
            "info": tally["Info"],
            "files": len(report.files),
            "triples": report.triples,
        },
        "results": [result_object(result) for result in report.results],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def result_object(result: ValidationResult) -> dict[str, object]:
    """Return one result as a JSON object with every key of RESULT_KEYS."""
    values = (
        None if result.file is None else display_path(result.file),
        result.line,
        result.value_line,
        result.cell,
        result.focus,
        result.label,
        result.path,
        result.value,
        value_datatype(result),
        value_language(result),
        result.severity,
        result.constraint,
        result.rule,
        result.message,
    )
    return dict(zip(RESULT_KEYS, values, strict=True))
