"""Draw the step flow of every procedure as Graphviz DOT or a Mermaid flowchart.

Each procedure is a cluster (DOT) or subgraph (Mermaid) of its steps, labelled "Step N: label"
(not "N. label", which Mermaid would read as a Markdown list).
Two kinds of arrow, styled apart: dotted grey order arrows run from each step to the next
(so an optional step that nothing needs still leads on), and solid dependency arrows run from
the step that must come first to the step that needs its result, across procedures too (a
stenting step that needs the nephrostomy tract). A procedure that another relies on gets a
bold arrow labelled "relied on by" to that procedure. Conditional steps are drawn dashed,
with their condition under the label.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from nephrokb.knowledge.model import Procedure, Step, read_procedures
from nephrokb.namespaces import compact

if TYPE_CHECKING:
    from rdflib import Graph

RELIES_ON_LABEL = "relied on by"
# What each kind of arrow says, for legends and comments in every drawing.
ORDER_EDGE_MEANING = "then: the next step in order"
DEPENDENCY_EDGE_MEANING = "needs: the later step needs the result of the earlier one"
DOT_ORDER_EDGE = 'style=dotted, color="#6e7781", arrowhead=empty'


def export_dot(graph: Graph) -> bytes:
    """Write the step flow of every procedure as a Graphviz digraph."""
    return render_dot(read_procedures(graph)).encode("utf-8")


def export_mermaid(graph: Graph) -> bytes:
    """Write the step flow of every procedure as a Mermaid flowchart."""
    return render_mermaid(read_procedures(graph)).encode("utf-8")


def step_edges(procedures: Sequence[Procedure]) -> Iterator[tuple[str, str]]:
    """Yield (earlier step IRI, dependent step IRI) for every dependency between drawn steps."""
    drawn = {step.iri for procedure in procedures for step in procedure.steps}
    for procedure in procedures:
        for step in procedure.steps:
            for target in step.depends_on:
                if target.iri in drawn:
                    yield target.iri, step.iri


def order_edges(procedures: Sequence[Procedure]) -> Iterator[tuple[str, str]]:
    """Yield (step IRI, next step IRI) for each pair of consecutive steps of a procedure."""
    for procedure in procedures:
        for step, following in zip(procedure.steps, procedure.steps[1:], strict=False):
            yield step.iri, following.iri


def reliance_edges(procedures: Sequence[Procedure]) -> Iterator[tuple[Procedure, Procedure]]:
    """Yield (procedure relied on, procedure relying on it) for procedures both drawn."""
    by_iri = {procedure.iri: procedure for procedure in procedures}
    for procedure in procedures:
        for relied_on in procedure.relies_on:
            if relied_on.iri in by_iri:
                yield by_iri[relied_on.iri], procedure


def step_caption(step: Step) -> list[str]:
    """Return the lines of a step's box: number and label, then any condition."""
    lines = [f"Step {step.number}: {step.label}"]
    if step.condition:
        lines.append(f"({step.condition})")
    return lines


def render_dot(procedures: Sequence[Procedure]) -> str:
    """Return a DOT digraph with one cluster per procedure."""
    lines = [
        f"// dotted grey arrow = {ORDER_EDGE_MEANING}; solid arrow = {DEPENDENCY_EDGE_MEANING}",
        "digraph nephrokb {",
        '  graph [compound=true, fontname="Helvetica", rankdir=TB];',
        '  node [fontname="Helvetica", shape=box, style=rounded];',
        '  edge [fontname="Helvetica"];',
    ]
    for procedure in procedures:
        lines += ["", f"  subgraph {dot_string('cluster_' + procedure.curie)} {{"]
        lines.append(f"    label={dot_string(procedure.label)};")
        for step in procedure.steps:
            attributes = f"label={dot_string(chr(10).join(step_caption(step)))}"
            if step.condition:
                attributes += ', style="rounded,dashed"'
            lines.append(f"    {dot_string(compact(step.iri))} [{attributes}];")
        lines.append("  }")
    edges = [
        f"  {dot_string(compact(earlier))} -> {dot_string(compact(later))} [{DOT_ORDER_EDGE}];"
        for earlier, later in order_edges(procedures)
    ]
    edges += [
        f"  {dot_string(compact(earlier))} -> {dot_string(compact(later))};"
        for earlier, later in step_edges(procedures)
    ]
    for relied_on, relying in reliance_edges(procedures):
        if relied_on.steps and relying.steps:
            attributes = ", ".join(
                [
                    f"label={dot_string(RELIES_ON_LABEL)}",
                    f"lhead={dot_string('cluster_' + relying.curie)}",
                    f"ltail={dot_string('cluster_' + relied_on.curie)}",
                    "style=bold",
                ]
            )
            tail, head = compact(relied_on.steps[-1].iri), compact(relying.steps[0].iri)
            edges.append(f"  {dot_string(tail)} -> {dot_string(head)} [{attributes}];")
    if edges:
        lines += ["", *edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_string(text: str) -> str:
    """Return a DOT double-quoted string; newlines become DOT's centred line breaks."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def render_mermaid(procedures: Sequence[Procedure]) -> str:
    """Return a Mermaid flowchart with one subgraph per procedure."""
    names = MermaidNames()
    lines = [
        "flowchart TD",
        f"  %% dotted arrow = {ORDER_EDGE_MEANING}; solid arrow = {DEPENDENCY_EDGE_MEANING}",
    ]
    for procedure in procedures:
        procedure_id = names.of(procedure.iri, "procedure")
        lines.append(f"  subgraph {procedure_id} [{mermaid_label([procedure.label])}]")
        for step in procedure.steps:
            style = ":::conditional" if step.condition else ""
            caption = mermaid_label(step_caption(step))
            lines.append(f"    {names.of(step.iri, 'step')}[{caption}]{style}")
        lines.append("  end")
    lines += [
        f"  {names.of(earlier, 'step')} -.-> {names.of(later, 'step')}"
        for earlier, later in order_edges(procedures)
    ]
    lines += [
        f"  {names.of(earlier, 'step')} --> {names.of(later, 'step')}"
        for earlier, later in step_edges(procedures)
    ]
    lines += [
        f"  {names.of(relied_on.iri, 'procedure')} ==>|{RELIES_ON_LABEL}| "
        f"{names.of(relying.iri, 'procedure')}"
        for relied_on, relying in reliance_edges(procedures)
    ]
    lines.append("  classDef conditional stroke-dasharray: 5 5")
    return "\n".join(lines) + "\n"


def mermaid_label(lines: Sequence[str]) -> str:
    """Return a quoted Mermaid label, special characters as entity codes, lines joined."""
    escaped = [
        line.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
        for line in lines
    ]
    return '"' + "<br/>".join(escaped) + '"'


class MermaidNames:
    """Gives each IRI a readable Mermaid id, `step_<slug>`, unique within one chart."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.taken: set[str] = set()

    def of(self, iri: str, kind: str) -> str:
        """Return the id of `iri`, made from its last path segment."""
        if iri not in self.names:
            slug = re.sub(r"\W", "_", re.split(r"[/#:]", iri.rstrip("/#"))[-1], flags=re.ASCII)
            base = f"{kind}_{slug}"
            name, suffix = base, 1
            while name in self.taken:
                suffix += 1
                name = f"{base}_{suffix}"
            self.names[iri] = name
            self.taken.add(name)
        return self.names[iri]
