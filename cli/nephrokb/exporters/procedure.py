"""Render one procedure for `nephrokb show`: a text checklist, Markdown, or JSON.

The JSON structure is stable; fields are only ever added:

    {
      "iri": str, "curie": str, "label": str, "definition": str | null,
      "relies_on": [{"iri": str, "label": str}],
      "steps": [{
        "number": int, "iri": str, "label": str, "description": str | null,
        "condition": str | null,            # null when the step is always performed
        "depends_on": [{"iri": str, "label": str, "number": int | null,
                        "procedure": {"iri": str, "label": str} | null}],
        "sources": [{"line": int, "text": str, "iri": str}]
      }],
      "indications": [{"iri": str, "label": str, "description": str | null,
                       "conditions": [{"iri": str, "label": str}], "sources": [...]}],
      "benefits": [same as indications],
      "sources": [...]
    }

Steps are in step order; indications and benefits in the order of their source lines.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from nephrokb.exporters.markdown import render_document
from nephrokb.model import Procedure, SourceLine, Statement, Step, StepReference
from nephrokb.namespaces import compact


def render_text(procedure: Procedure) -> str:
    """Return the procedure as a numbered checklist for the terminal."""
    lines = [f"{procedure.label} ({procedure.curie})"]
    if procedure.definition:
        lines.append(procedure.definition)
    if procedure.relies_on:
        relied_on = ", ".join(f"{ref.label} ({compact(ref.iri)})" for ref in procedure.relies_on)
        lines.append(f"Relies on: {relied_on}")
    if procedure.steps:
        lines += ["", "Steps:"]
        width = len(str(max(step.number for step in procedure.steps)))
        for step in procedure.steps:
            lines += checklist_item(procedure, step, width)
    for heading, statements in (
        ("Indications", procedure.indications),
        ("Benefits", procedure.benefits),
    ):
        if statements:
            lines += ["", f"{heading}:"]
            lines += [f"  - {statement.label}" for statement in statements]
    return "\n".join(lines) + "\n"


def checklist_item(procedure: Procedure, step: Step, width: int) -> list[str]:
    """Return the checklist line of one step and, indented below, what it depends on."""
    prefix = f"  {step.number:>{width}}. [ ] "
    text = step.label + (f" ({step.condition})" if step.condition else "")
    lines = [prefix + text]
    if step.depends_on:
        lines.append(" " * len(prefix) + f"depends on {dependencies(procedure, step.depends_on)}")
    return lines


def dependencies(procedure: Procedure, targets: Sequence[StepReference]) -> str:
    """Name the steps a step depends on: "steps 3 and 4", then steps of other procedures."""
    here = [t.number for t in targets if t.procedure and t.procedure.iri == procedure.iri]
    parts = []
    if here:
        numbers = [str(number) for number in here]
        listed = numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
        parts.append(f"step{'s' if len(numbers) > 1 else ''} {listed}")
    for target in targets:
        if target.procedure is None or target.number is None:
            parts.append(target.label)
        elif target.procedure.iri != procedure.iri:
            parts.append(f"{target.procedure.label} step {target.number} ({target.label})")
    return ", ".join(parts)


def render_markdown(procedure: Procedure) -> str:
    """Return the procedure as the Markdown document `export --format markdown` writes."""
    return render_document([procedure])


def render_json(procedure: Procedure) -> str:
    """Return the procedure in the stable JSON structure described in this module."""
    document = {
        "iri": procedure.iri,
        "curie": procedure.curie,
        "label": procedure.label,
        "definition": procedure.definition,
        "relies_on": [asdict(ref) for ref in procedure.relies_on],
        "steps": [step_json(step) for step in procedure.steps],
        "indications": [statement_json(s) for s in procedure.indications],
        "benefits": [statement_json(s) for s in procedure.benefits],
        "sources": [source_json(line) for line in procedure.sources],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def step_json(step: Step) -> dict[str, Any]:
    """Return one step as JSON-ready data."""
    return {
        "number": step.number,
        "iri": step.iri,
        "label": step.label,
        "description": step.description,
        "condition": step.condition,
        "depends_on": [asdict(target) for target in step.depends_on],
        "sources": [source_json(line) for line in step.sources],
    }


def statement_json(statement: Statement) -> dict[str, Any]:
    """Return one indication or benefit as JSON-ready data."""
    return {
        "iri": statement.iri,
        "label": statement.label,
        "description": statement.description,
        "conditions": [asdict(ref) for ref in statement.conditions],
        "sources": [source_json(line) for line in statement.sources],
    }


def source_json(line: SourceLine) -> dict[str, Any]:
    """Return one source line as JSON-ready data."""
    return {"line": line.number, "text": line.text, "iri": line.iri}


PROCEDURE_FORMATS: dict[str, Callable[[Procedure], str]] = {
    "json": render_json,
    "markdown": render_markdown,
    "text": render_text,
}
