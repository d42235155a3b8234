"""Write procedures as a readable Markdown document (GitHub-flavoured: task lists, footnotes).

Each procedure is a `#` section: its definition, what it relies on, the steps as an ordered
checklist (conditional steps marked with their condition in italics, dependencies in a
sub-item), then indications and benefits. Every statement cites its source lines as
footnotes, `[^line-N]`, defined once at the end of the document with the verbatim text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from typing import TYPE_CHECKING

from nephrokb.model import (
    Procedure,
    Reference,
    SourceLine,
    Statement,
    Step,
    StepReference,
    read_procedures,
)
from nephrokb.namespaces import compact

if TYPE_CHECKING:
    from rdflib import Graph

MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>~|])")


def export_markdown(graph: Graph) -> bytes:
    """Write every procedure in `graph` as one Markdown document."""
    return render_document(read_procedures(graph)).encode("utf-8")


def render_document(procedures: Sequence[Procedure]) -> str:
    """Return the procedures as Markdown, followed by the footnotes they cite.

    A procedure named in the text links to its section when the document has one.
    """
    footnotes = Footnotes()
    sections = {procedure.iri for procedure in procedures}
    rendered = [render_procedure(procedure, footnotes, sections) for procedure in procedures]
    notes = "\n\n".join(footnotes.definitions())
    return "\n".join(rendered) + (f"\n{notes}\n" if notes else "")


def render_procedure(procedure: Procedure, footnotes: Footnotes, sections: Set[str]) -> str:
    """Return one procedure's section, registering the source lines it cites."""
    lines = [f"# {escape(procedure.label)}", "", f"`{procedure.curie}`", ""]
    if procedure.definition:
        lines += [escape(procedure.definition) + footnotes.cite(procedure.sources), ""]
    if procedure.relies_on:
        linked = ", ".join(name(ref, sections) for ref in procedure.relies_on)
        lines += [f"Relies on {linked}.", ""]
    if procedure.steps:
        lines += ["## Steps", ""]
        lines += [
            line
            for step in procedure.steps
            for line in step_item(procedure, step, footnotes, sections)
        ]
        lines.append("")
    for heading, statements in (
        ("Indications", procedure.indications),
        ("Benefits", procedure.benefits),
    ):
        if statements:
            lines += [f"## {heading}", ""]
            lines += [statement_item(statement, footnotes) for statement in statements]
            lines.append("")
    return "\n".join(lines)


def step_item(
    procedure: Procedure, step: Step, footnotes: Footnotes, sections: Set[str]
) -> list[str]:
    """Return the checklist item of one step and its dependency sub-item."""
    marker = f"{step.number}. "
    text = f"**{escape(step.label)}**"
    if step.condition:
        text += f" *({escape(step.condition)})*"
    if step.description:
        text += f" — {escape(step.description)}"
    lines = [f"{marker}[ ] {text}{footnotes.cite(step.sources)}"]
    if step.depends_on:
        needs = "; ".join(dependency(procedure, target, sections) for target in step.depends_on)
        lines.append(" " * len(marker) + f"- Depends on {needs}.")
    return lines


def dependency(procedure: Procedure, target: StepReference, sections: Set[str]) -> str:
    """Name a step that another depends on, linking to its procedure when that is another one."""
    label = escape(target.label)
    if target.procedure is None or target.number is None:
        return f"*{label}*"
    if target.procedure.iri == procedure.iri:
        return f"step {target.number} (*{label}*)"
    return f"step {target.number} of {name(target.procedure, sections)} (*{label}*)"


def statement_item(statement: Statement, footnotes: Footnotes) -> str:
    """Return the bullet of one indication or benefit."""
    text = f"**{escape(statement.label)}**"
    if statement.description:
        text += f" — {escape(statement.description)}"
    return f"- {text}{footnotes.cite(statement.sources)}"


def name(procedure: Reference, sections: Set[str]) -> str:
    """Name a procedure: a link to its section (GitHub's heading anchor), else with its CURIE."""
    if procedure.iri not in sections:
        return f"{escape(procedure.label)} (`{compact(procedure.iri)}`)"
    anchor = re.sub(r"[^\w\- ]", "", procedure.label.lower()).replace(" ", "-")
    return f"[{escape(procedure.label)}](#{anchor})"


def escape(text: str) -> str:
    """Backslash-escape the characters Markdown would read as formatting."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


class Footnotes:
    """Assigns each cited source line a footnote label, `line-N` (suffixed if N repeats)."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self.lines: dict[str, SourceLine] = {}

    def cite(self, sources: Sequence[SourceLine]) -> str:
        """Return the footnote references for `sources`, registering new ones."""
        return "".join(f"[^{self.label(line)}]" for line in sources)

    def label(self, line: SourceLine) -> str:
        """Return the footnote label of one source line."""
        if line.iri not in self.labels:
            base = f"line-{line.number}"
            taken = set(self.labels.values())
            label, suffix = base, 1
            while label in taken:
                suffix += 1
                label = f"{base}-{suffix}"
            self.labels[line.iri] = label
            self.lines[line.iri] = line
        return self.labels[line.iri]

    def definitions(self) -> list[str]:
        """Return one footnote definition per cited line, by line number."""
        cited = sorted(self.lines.values(), key=lambda line: (line.number, line.iri))
        return [
            f'[^{self.labels[line.iri]}]: Source line {line.number}: "{escape(line.text)}"'
            for line in cited
        ]
