"""Write the steps of every procedure as CSV, one row per step.

Columns: procedure (label), number, label, description, condition (empty when the step is
always performed), depends_on, source_lines, procedure_iri, step_iri. `depends_on` lists the
step numbers this step needs, joined by "; "; a step of another procedure is written as that
procedure's label and the step number ("Percutaneous nephrostomy step 7"), and a step that no
procedure holds by its label. `source_lines` lists source line numbers joined by "; ".
Rows follow the procedure order of nephrokb.knowledge.model, then step number; lines end with LF.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from nephrokb.knowledge.model import Procedure, Step, StepReference, read_procedures

if TYPE_CHECKING:
    from rdflib import Graph

COLUMNS = (
    "procedure",
    "number",
    "label",
    "description",
    "condition",
    "depends_on",
    "source_lines",
    "procedure_iri",
    "step_iri",
)
SEPARATOR = "; "


def export_csv(graph: Graph) -> bytes:
    """Write one CSV row per step of every procedure in `graph`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for procedure in read_procedures(graph):
        for step in procedure.steps:
            writer.writerow(step_row(procedure, step))
    return buffer.getvalue().encode("utf-8")


def step_row(procedure: Procedure, step: Step) -> tuple[str, ...]:
    """Return the CSV cells of one step."""
    return (
        procedure.label,
        str(step.number),
        step.label,
        step.description or "",
        step.condition or "",
        SEPARATOR.join(dependency_name(procedure, target) for target in step.depends_on),
        SEPARATOR.join(str(line.number) for line in step.sources),
        procedure.iri,
        step.iri,
    )


def dependency_name(procedure: Procedure, target: StepReference) -> str:
    """Name a step this one depends on: its number here, else its procedure and number."""
    if target.procedure is None or target.number is None:
        return target.label
    if target.procedure.iri == procedure.iri:
        return str(target.number)
    return f"{target.procedure.label} step {target.number}"
