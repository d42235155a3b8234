"""Write procedures as a readable Markdown document (GitHub-flavoured: task lists, footnotes).

Each procedure is a `#` section: its definition, what it relies on, the steps as an ordered
checklist (conditional steps marked with their condition in italics, dependencies in a
sub-item), then indications and benefits. Every statement cites its source lines as
footnotes, `[^line-N]`, defined once at the end of the document with the verbatim text.
What cited literature adds (contraindications, preparation, precautions, complications with
their rates, aftercare, success rates, alternatives) follows under "From the literature",
citing a numbered evidence list with DOI and PubMed links, never a source line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from typing import TYPE_CHECKING

from nephrokb.knowledge.literature import SECTION_TITLES, Citation, Literature, Rate, sentence
from nephrokb.knowledge.model import (
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
    if procedure.literature:
        lines += literature_section(procedure.literature)
    return "\n".join(lines)


def literature_section(literature: Literature) -> list[str]:
    """Return the "From the literature" section: findings citing a numbered evidence list."""
    numbers = {c.iri: n for n, c in enumerate(literature.citations(), start=1)}

    def cite(citations: Sequence[Citation]) -> str:
        return "".join(f" [{numbers[c.iri]}]" for c in citations)

    def rate_item(rate: Rate) -> str:
        where = f" — {escape(rate.population)}" if rate.population else ""
        return f"{escape(rate.figure)}: {escape(rate.label)}{where}{cite(rate.evidence)}"

    lines = ["## From the literature", "", "*Cited evidence, not the source text.*", ""]
    for field, title in SECTION_TITLES:
        if field == "alternatives" and literature.success_rates:
            lines += ["### Success rates", ""]
            lines += [f"- {rate_item(rate)}" for rate in literature.success_rates]
            lines.append("")
        findings = getattr(literature, field)
        if not findings:
            continue
        lines += [f"### {title}", ""]
        for finding in findings:
            text = f"**{escape(finding.label)}**"
            notes = [n for n in (finding.kind, finding.frequency) if n]
            if notes:
                text += f" ({escape('; '.join(notes))})"
            if finding.description:
                text += f" — {escape(finding.description)}"
            if finding.corrective_action:
                text += f" *Correct first:* {escape(finding.corrective_action)}"
            text += cite(finding.evidence)
            if finding.contested_by:
                text += f"; contested by{cite(finding.contested_by)}"
            lines.append(f"- {text}")
            lines += [f"  - {rate_item(rate)}" for rate in finding.rates]
        lines.append("")
    lines += ["### Evidence", ""]
    lines += [
        f"{numbers[citation.iri]}. {citation_item(citation)}" for citation in literature.citations()
    ]
    lines.append("")
    return lines


def citation_item(citation: Citation) -> str:
    """One reference: title, journal and year, linked DOI and PMID, what was read."""
    text = escape(sentence(citation.title or citation.label))
    published = " ".join(part for part in (citation.journal, citation.year) if part)
    if published:
        text += f" *{escape(published)}*."
    links = []
    if citation.doi:
        links.append(f"[doi:{escape(citation.doi)}](https://doi.org/{citation.doi})")
    if citation.pmid:
        links.append(f"[PMID {citation.pmid}](https://pubmed.ncbi.nlm.nih.gov/{citation.pmid}/)")
    text += " " + "; ".join(links)
    if citation.part_read:
        text += f" ({citation.part_read} read)"
    return text


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
        self.taken: set[str] = set()
        self.lines: dict[str, SourceLine] = {}

    def cite(self, sources: Sequence[SourceLine]) -> str:
        """Return the footnote references for `sources`, registering new ones."""
        return "".join(f"[^{self.label(line)}]" for line in sources)

    def label(self, line: SourceLine) -> str:
        """Return the footnote label of one source line."""
        if line.iri not in self.labels:
            base = f"line-{line.number}"
            label, suffix = base, 1
            while label in self.taken:
                suffix += 1
                label = f"{base}-{suffix}"
            self.labels[line.iri] = label
            self.taken.add(label)
            self.lines[line.iri] = line
        return self.labels[line.iri]

    def definitions(self) -> list[str]:
        """Return one footnote definition per cited line, by line number."""
        cited = sorted(self.lines.values(), key=lambda line: (line.number, line.iri))
        return [
            f'[^{self.labels[line.iri]}]: Source line {line.number}: "{escape(line.text)}"'
            for line in cited
        ]
