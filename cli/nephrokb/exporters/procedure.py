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
      "sources": [...],
      "literature": {                       # from cited evidence, never from the source text
        "contraindications" | "preparation" | "precautions" | "complications" | "aftercare"
        | "alternatives": [{"iri": str, "label": str, "description": str | null,
            "kind": "absolute" | "relative" | null, "corrective_action": str | null,
            "frequency": str | null, "rates": [rate], "evidence": [iri],
            "contested_by": [iri]}],
        "success_rates": [rate],            # rate: {"iri", "label", "description", "value",
                                            #  "lower", "upper" (numbers or null), "unit",
                                            #  "numerator", "denominator", "population",
                                            #  "time_frame", "evidence": [iri]}
        "evidence": [{"iri": str, "label": str, "title": str | null, "journal": str | null,
                      "year": str | null, "doi": str | null, "pmid": str | null,
                      "url": str | null, "study_design": str | null,
                      "part_read": str | null}]
      }
    }

Steps are in step order; indications and benefits in the order of their source lines; the
literature lists by label, the evidence by label (its position is the number text output
cites it by).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from nephrokb.exporters.markdown import render_document
from nephrokb.knowledge.literature import (
    SECTION_TITLES,
    Citation,
    Finding,
    Literature,
    Rate,
    sentence,
)
from nephrokb.knowledge.model import Procedure, SourceLine, Statement, Step, StepReference
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
    if procedure.literature:
        lines += literature_text(procedure.literature)
    return "\n".join(lines) + "\n"


def literature_text(literature: Literature) -> list[str]:
    """Return the literature sections, citing evidence by number, then the numbered evidence."""
    numbers = {c.iri: n for n, c in enumerate(literature.citations(), start=1)}

    def cite(citations: Sequence[Citation]) -> str:
        return f" [{', '.join(str(numbers[c.iri]) for c in citations)}]" if citations else ""

    def rate_line(rate: Rate) -> str:
        return f"{rate.label}{counted(rate)}{cite(rate.evidence)}"

    lines = ["", "From the literature (cited evidence, not the source text):"]
    for field, title in SECTION_TITLES:
        findings: tuple[Finding, ...] = getattr(literature, field)
        if field == "alternatives" and literature.success_rates:
            lines += ["  Success rates:"]
            lines += [f"    - {rate_line(rate)}" for rate in literature.success_rates]
        if not findings:
            continue
        lines.append(f"  {title}:")
        for finding in findings:
            notes = [finding.kind or "", finding.corrective_action or "", finding.frequency or ""]
            note = "; ".join(n for n in notes if n)
            contested = (
                f"; contested by{cite(finding.contested_by)}" if finding.contested_by else ""
            )
            lines.append(
                f"    - {finding.label}{f' ({note})' if note else ''}"
                f"{cite(finding.evidence)}{contested}"
            )
            lines += [f"        {rate_line(rate)}" for rate in finding.rates]
    lines.append("  Evidence:")
    for citation in literature.citations():
        lines.append(f"    [{numbers[citation.iri]}] {citation_text(citation)}")
    return lines


def counted(rate: Rate) -> str:
    """Say what a rate counted: ` (85 of 93)`, ` (of 3262)`, or nothing."""
    if rate.numerator is not None and rate.denominator is not None:
        return f" ({rate.numerator} of {rate.denominator})"
    return f" (of {rate.denominator})" if rate.denominator is not None else ""


def citation_text(citation: Citation) -> str:
    """One reference: title, journal and year, identifiers, what was read, link."""
    published = " ".join(part for part in (citation.journal, citation.year) if part)
    text = sentence(citation.title or citation.label)
    text += f" {published}." if published else ""
    text += f" {citation.identifiers}" if citation.identifiers else ""
    text += f" ({citation.part_read} read)" if citation.part_read else ""
    return text + (f" {citation.url}" if citation.url else "")


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
        "literature": literature_json(procedure.literature or Literature()),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def literature_json(literature: Literature) -> dict[str, Any]:
    """Return the literature layer as JSON-ready data (evidence listed once, cited by IRI)."""
    document: dict[str, Any] = {
        field: [finding_json(finding) for finding in getattr(literature, field)]
        for field, _ in SECTION_TITLES
    }
    document["success_rates"] = [rate_json(rate) for rate in literature.success_rates]
    document["evidence"] = [
        {**asdict(citation), "url": citation.url} for citation in literature.citations()
    ]
    return document


def finding_json(finding: Finding) -> dict[str, Any]:
    """Return one literature-layer node as JSON-ready data."""
    return {
        "iri": finding.iri,
        "label": finding.label,
        "description": finding.description,
        "kind": finding.kind,
        "corrective_action": finding.corrective_action,
        "frequency": finding.frequency,
        "rates": [rate_json(rate) for rate in finding.rates],
        "evidence": [citation.iri for citation in finding.evidence],
        "contested_by": [citation.iri for citation in finding.contested_by],
    }


def rate_json(rate: Rate) -> dict[str, Any]:
    """Return one rate as JSON-ready data, its values as JSON numbers."""
    return {
        "iri": rate.iri,
        "label": rate.label,
        "description": rate.description,
        "value": number(rate.value),
        "lower": number(rate.lower),
        "upper": number(rate.upper),
        "unit": rate.unit,
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "population": rate.population,
        "time_frame": rate.time_frame,
        "evidence": [citation.iri for citation in rate.evidence],
    }


def number(lexical: str | None) -> int | float | None:
    """Return a decimal's lexical form as an int when whole, else a float."""
    if lexical is None:
        return None
    value = float(lexical)
    return int(value) if value.is_integer() else value


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
