"""Write a release's CHANGELOG section from the semantic diff, for people.

The section is Markdown: a heading with the version and date, a line saying what it is
compared with, then the changes grouped by procedure (steps, dependencies, step conditions,
indications and benefits attached, the procedure's own mappings), then shared indications,
benefits and conditions, mappings of other concepts, and other facts and evidence. Nodes are
named by their labels and properties by the vocabulary's labels; terminology codes by CURIE.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from rdflib import RDF, Graph, URIRef

from nephrokb.changes.formats import escape_markdown, headline, one_line
from nephrokb.knowledge.labels import text_of
from nephrokb.namespaces import (
    DCTERMS,
    HAS_STEP,
    OWL,
    OWL_ANNOTATED_SOURCE,
    PROV,
    RDF_TYPE,
    RDFS,
    RDFS_LABEL,
    SKOS,
    SKOS_BROAD_MATCH,
    SKOS_CLOSE_MATCH,
    SKOS_EXACT_MATCH,
    SKOS_NARROW_MATCH,
    SKOS_RELATED_MATCH,
    SSSOM,
    VOCAB,
    compact,
)

if TYPE_CHECKING:
    from nephrokb.changes.compare import Change, KnowledgeDiff

CHANGELOG_TITLE = "# Changelog"
SHARED_GROUP = "Indications, benefits and conditions"
MAPPINGS_GROUP = "Mappings"
OTHER_GROUP = "Other facts and evidence"
# Names of properties the vocabulary does not label (its own terms are named by their labels).
PROPERTY_NAMES = {
    RDFS_LABEL: "label",
    RDFS + "seeAlso": "see also",
    RDF_TYPE: "type",
    SKOS + "definition": "definition",
    DCTERMS + "description": "description",
    DCTERMS + "source": "source",
    DCTERMS + "bibliographicCitation": "citation",
    PROV + "wasDerivedFrom": "provenance",
    SSSOM + "see_also": "evidence (see also)",
    SSSOM + "comment": "comment",
    SSSOM + "confidence": "confidence",
    SSSOM + "mapping_date": "mapping date",
    SSSOM + "object_label": "code title",
    SSSOM + "author_id": "author",
    SSSOM + "mapping_justification": "justification",
}
RELATIONS = {
    SKOS_EXACT_MATCH: "exact match",
    SKOS_CLOSE_MATCH: "close match",
    SKOS_BROAD_MATCH: "broad match (the code is broader)",
    SKOS_NARROW_MATCH: "narrow match (the code is narrower)",
    SKOS_RELATED_MATCH: "related match",
}
KIND_NAMES = {"indication": "Indication", "benefit": "Benefit", "condition": "Condition"}


class MappingRecord(NamedTuple):
    """What a mapping record (an owl:Axiom) is about: the concept and the code it maps to."""

    concept: str
    code: str


@dataclass(frozen=True)
class ComparedWith:
    """What the release is compared with: a tag or revision name and its commit."""

    name: str
    commit: str


def render_section(
    diff: KnowledgeDiff | None,
    version: str,
    issued: str,
    compared_with: ComparedWith | None,
    labels: Graph,
) -> str:
    """Return the CHANGELOG section of a release (without a diff: a first release)."""
    lines = [f"## {version} ({issued})", ""]
    if diff is None or compared_with is None:
        lines.append("First release: there is no earlier release tag (vX.Y.Z) to compare with.")
        return "\n".join(lines) + "\n"
    since = f"{compared_with.name} ({compared_with.commit[:12]})"
    if not diff.changes:
        lines.append(f"No changes in the knowledge since {since}.")
        return "\n".join(lines) + "\n"
    lines.append(f"Since {since}: {headline(diff)}.")
    writer = SectionWriter(diff, labels)
    for group, changes in writer.groups():
        lines += ["", f"### {escape_markdown(group)}", ""]
        lines += [f"- {writer.sentence(change)}" for change in changes]
    return "\n".join(lines) + "\n"


def prepend_section(changelog: str | None, section: str) -> str:
    """Return CHANGELOG.md with `section` first, under the title (which it adds if missing)."""
    text = changelog or ""
    if text.startswith(CHANGELOG_TITLE + "\n"):
        rest = text[len(CHANGELOG_TITLE) + 1 :].lstrip("\n")
    else:
        rest = text.lstrip("\n")
    return f"{CHANGELOG_TITLE}\n\n{section}" + (f"\n{rest}" if rest else "")


class SectionWriter:
    """Groups changes by procedure and says each one as a sentence."""

    def __init__(self, diff: KnowledgeDiff, labels: Graph):
        self.diff = diff
        self.graphs = [graph for graph in (diff.new, diff.old) if graph is not None]
        self.labels = labels

    def label(self, iri: str | None, fallback: str | None = None) -> str:
        """The node's label, quoted; its compact name when it has none."""
        if iri is None:
            return ""
        for graph in (*self.graphs, self.labels):
            text = text_of(graph, URIRef(iri), RDFS_LABEL)
            if text:
                return f'"{escape_markdown(text)}"'
        return f'"{escape_markdown(fallback)}"' if fallback else f"`{compact(iri)}`"

    def is_procedure(self, iri: str) -> bool:
        return any((URIRef(iri), RDF.type, URIRef(VOCAB + "Procedure")) in g for g in self.graphs)

    def procedure_of_step(self, iri: str) -> str | None:
        for graph in self.graphs:
            holders = sorted(str(p) for p in graph.subjects(URIRef(HAS_STEP), URIRef(iri)))
            if holders:
                return holders[0]
        return None

    def group_of(self, change: Change) -> str:
        """The procedure IRI a change belongs to, or the name of a shared group."""
        kind, action = change.kind, change.action
        if kind == "procedure":
            return change.node
        if kind == "step":
            found = change.new if action == "moved" else change.target
            return found or self.procedure_of_step(change.node) or OTHER_GROUP
        if kind in ("dependency", "step condition"):
            return self.procedure_of_step(change.node) or OTHER_GROUP
        if action in ("attached", "detached"):
            return change.target or SHARED_GROUP
        if kind in KIND_NAMES:
            return SHARED_GROUP
        if kind == "mapping":
            return change.node if self.is_procedure(change.node) else MAPPINGS_GROUP
        record = self.mapping_record(change.node)
        if record is not None:
            return record.concept if self.is_procedure(record.concept) else MAPPINGS_GROUP
        if self.is_procedure(change.node):
            return change.node
        return (
            self.procedure_of_step(change.node)
            or self.procedure_linking_to(change.node)
            or OTHER_GROUP
        )

    def procedure_linking_to(self, iri: str) -> str | None:
        """The first procedure (by IRI) with a statement whose value is the node."""
        for graph in self.graphs:
            linking = sorted(
                str(subject)
                for subject in graph.subjects(None, URIRef(iri))
                if self.is_procedure(str(subject))
            )
            if linking:
                return linking[0]
        return None

    def kind_of(self, iri: str) -> str | None:
        """The vocabulary's label of the node's type, if it has one."""
        for graph in self.graphs:
            for kind in sorted(graph.objects(URIRef(iri), RDF.type)):
                found = text_of(self.labels, kind, RDFS_LABEL)
                if found:
                    return escape_markdown(found)
        return None

    def mapping_record(self, iri: str) -> MappingRecord | None:
        """The concept and code a mapping record is about, or None for other nodes."""
        for graph in self.graphs:
            source = graph.value(URIRef(iri), URIRef(OWL_ANNOTATED_SOURCE))
            target = graph.value(URIRef(iri), URIRef(OWL + "annotatedTarget"))
            if source is not None and target is not None:
                return MappingRecord(str(source), str(target))
        return None

    def groups(self) -> list[tuple[str, list[Change]]]:
        """Changes by group: procedures by label first, then the shared groups."""
        grouped: dict[str, list[Change]] = defaultdict(list)
        for change in self.diff.changes:
            grouped[self.group_of(change)].append(change)
        shared = (SHARED_GROUP, MAPPINGS_GROUP, OTHER_GROUP)
        procedures = sorted(
            (key for key in grouped if key not in shared),
            key=lambda iri: (self.label(iri).lower(), iri),
        )
        named = [(self.label(iri).strip('"'), grouped[iri]) for iri in procedures]
        return named + [(name, grouped[name]) for name in shared if name in grouped]

    def text(self, value: str | None) -> str:
        return f'"{escape_markdown(one_line(value))}"' if value is not None else ""

    def relation(self, iri: str) -> str:
        return RELATIONS.get(iri, f"`{compact(iri)}`")

    def property_name(self, iri: str) -> str:
        if iri in PROPERTY_NAMES:
            return PROPERTY_NAMES[iri]
        found = text_of(self.labels, URIRef(iri), RDFS_LABEL)
        return escape_markdown(found) if found else f"`{compact(iri)}`"

    def code(self, change: Change) -> str:
        title = f" {self.text(change.target_label)}" if change.target_label else ""
        return f"`{compact(change.target or '')}`{title}"

    def sentence(self, change: Change) -> str:
        """Say one change in a sentence, naming nodes by label."""
        kind, action = change.kind, change.action
        name = self.label(change.node, change.label)
        if kind == "procedure" and action in ("added", "removed"):
            return f"Procedure {name} {action}."
        if kind == "step" and action in ("added", "removed"):
            number = f"Step {change.new or change.old} " if (change.new or change.old) else "Step "
            return f"{number}{name} {action}."
        if action == "renumbered":
            return f"Step {name} renumbered: {change.old} → {change.new}."
        if action == "moved":
            return f"Step {name} moved here from {self.label(change.old)}."
        if kind == "dependency":
            verb = "now depends on" if action == "added" else "no longer depends on"
            return f"Step {name} {verb} {self.label(change.target, change.target_label)}."
        if kind == "step condition":
            if action == "added":
                return f"Step {name} is now done only when {self.text(change.new)}."
            if action == "removed":
                return f"Step {name} no longer has the condition {self.text(change.old)}."
            return f"Step {name} condition: {self.text(change.old)} → {self.text(change.new)}."
        if action in ("attached", "detached"):
            verb = "added" if action == "attached" else "removed"
            return f"{KIND_NAMES[kind]} {verb}: {name}."
        if kind == "mapping":
            if action == "changed":
                old = ", ".join(self.relation(iri) for iri in (change.old or "").split())
                new = ", ".join(self.relation(iri) for iri in (change.new or "").split())
                return f"{name} to {self.code(change)}: {old} → {new}."
            relation = self.relation(change.property or "")
            verb = "now maps" if action == "added" else "no longer maps"
            return f"{name} {verb} to {self.code(change)} ({relation})."
        if action == "reworded":
            what = self.property_name(change.property or "")
            if change.values == "term":
                return f"{name}: {what} {change.old} → {change.new} (language or datatype)."
            if change.old is None:
                return f"{name}: {what} added: {self.text(change.new)}."
            if change.new is None:
                return f"{name}: {what} removed (was {self.text(change.old)})."
            return f"{name}: {what} {self.text(change.old)} → {self.text(change.new)}."
        if kind == "node" and action in ("added", "removed"):
            node_kind = self.kind_of(change.node)
            return f"{node_kind} {name} {action}." if node_kind else f"{name} {action}."
        if kind == "node":
            record = self.mapping_record(change.node)
            if record is not None:
                name = f"The mapping of {self.label(record.concept)} to `{compact(record.code)}`"
            names = ", ".join(self.property_name(iri) for iri in (change.property or "").split())
            return f"{name}: {names} {action}."
        return f"{kind.capitalize()} {name} {action}."
