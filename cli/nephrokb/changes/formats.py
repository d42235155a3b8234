"""Write a knowledge diff: text, markdown and json describe every change; kgcl and sssom are
machine-readable deltas for terminology tools. DIFF_FORMATS maps each format to its writer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef

from nephrokb import __version__
from nephrokb.changes.compare import (
    ATTACHMENTS,
    KINDS,
    NODE_CLASSES,
    PLURALS,
    SECTIONS,
    Change,
    KnowledgeDiff,
)
from nephrokb.exporters.sssom import (
    LICENSE,
    MappingSet,
    mapping_row,
    prefixes_used,
    tsv_value,
    write_sssom_tsv,
)
from nephrokb.knowledge.mappings import curie_converter, read_mappings
from nephrokb.namespaces import HAS_STEP, RDFS_LABEL, STEP_NUMBER, VOCAB, XSD_STRING, compact

if TYPE_CHECKING:
    from rdflib import Graph


class Style:
    """How a writer shows nodes and values: plain text for terminals."""

    arrow = " -> "

    def text(self, text: str) -> str:
        return f'"{one_line(text)}"'

    def term(self, term: str) -> str:
        return one_line(term)

    def node(self, iri: str, label: str | None) -> str:
        return f'{compact(iri)} "{label}"' if label else compact(iri)

    def iris(self, iris: str) -> str:
        return " ".join(compact(iri) for iri in iris.split())

    def value(self, change: Change, value: str | None) -> str | None:
        if value is None:
            return None
        if change.values == "iri":
            return self.iris(value)
        if change.values == "term":
            return self.term(value)
        if change.kind == "step" and change.property is None:
            return f"step {value}"
        return self.text(value)


class MarkdownStyle(Style):
    """Nodes and values for Markdown: code spans for IRIs, labels escaped."""

    arrow = " → "

    def text(self, text: str) -> str:
        return f'"{escape_markdown(one_line(text))}"'

    def term(self, term: str) -> str:
        return escape_markdown(one_line(term))

    def node(self, iri: str, label: str | None) -> str:
        return f'`{compact(iri)}` "{escape_markdown(label)}"' if label else f"`{compact(iri)}`"

    def iris(self, iris: str) -> str:
        return " ".join(f"`{compact(iri)}`" for iri in iris.split())


MARKDOWN_SPECIAL = str.maketrans({character: "\\" + character for character in "\\`*_[]<>|~"})


LINE_BREAKS = str.maketrans({"\n": "\\n", "\r": "\\r", "\t": "\\t"})


def one_line(text: str) -> str:
    """Write line breaks and tabs as escapes, so that every change stays on one line."""
    return text.translate(LINE_BREAKS)


def escape_markdown(text: str) -> str:
    """Escape the characters that would turn a label into Markdown or HTML."""
    return text.translate(MARKDOWN_SPECIAL)


def describe(change: Change, style: Style) -> str:
    """Describe one change after its kind and action: the node, then what changed."""
    name = style.node(change.node, change.label)
    target = style.node(change.target, change.target_label) if change.target else None
    old, new = style.value(change, change.old), style.value(change, change.new)
    if change.kind == "dependency":
        return f"{name} on {target}"
    if change.action in ("attached", "detached"):
        return f"{name} {'to' if change.action == 'attached' else 'from'} {target}"
    if change.kind == "mapping":
        if change.action == "changed":
            return f"{name} {target}: {old}{style.arrow}{new}"
        return f"{name} {style.iris(change.property or '')} {target}"
    if change.kind == "node":
        return f"{name}: {style.iris(change.property or '')}"
    detail = style.arrow.join(value for value in (old, new) if value is not None)
    if change.action == "reworded":
        detail = f"{style.iris(change.property or '')} {detail}"
    where = f" in {target}" if target else ""
    return f"{name}{where}: {detail}" if detail else f"{name}{where}"


def headline(diff: KnowledgeDiff) -> str:
    """Return e.g. `3 changes: 1 procedure added, 2 steps renumbered`."""
    counts = diff.counts()
    total = len(diff.changes)
    parts = [
        f"{count} {kind if count == 1 else PLURALS.get(kind, kind + 's')} {action}"
        for (kind, action), count in counts.items()
    ]
    return f"{total} change{'' if total == 1 else 's'}: " + ", ".join(parts)


NO_CHANGES = "No changes in the knowledge."


def render_text(diff: KnowledgeDiff) -> str:
    """One line per change, `kind action: node ...`, then the headline."""
    if not diff.changes:
        return NO_CHANGES + "\n"
    style = Style()
    lines = [f"{c.kind} {c.action}: {describe(c, style)}" for c in diff.changes]
    return "\n".join([*lines, "", headline(diff)]) + "\n"


def render_markdown(diff: KnowledgeDiff) -> str:
    """A pull-request comment: the headline counts, then a section per kind of change."""
    lines = ["## Knowledge changes", ""]
    if not diff.changes:
        return "\n".join([*lines, NO_CHANGES]) + "\n"
    style = MarkdownStyle()
    total, summary = headline(diff).split(": ", 1)
    lines += [f"**{total}**: {summary}"]
    for kind in KINDS:
        changes = [change for change in diff.changes if change.kind == kind]
        if changes:
            lines += ["", f"### {SECTIONS[kind]}", ""]
            lines += [f"- **{change.action}** {describe(change, style)}" for change in changes]
    return "\n".join(lines) + "\n"


def render_json(diff: KnowledgeDiff) -> str:
    """Every change with full IRIs, and the counts per kind and action."""
    counts: dict[str, dict[str, int]] = {}
    for (kind, action), count in diff.counts().items():
        counts.setdefault(kind, {})[action] = count
    document = {
        "total": len(diff.changes),
        "counts": counts,
        "changes": [asdict(change) for change in diff.changes],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# KGCL (https://github.com/INCATools/kgcl) commands, one per line; kgcl-schema's parser reads them.
KGCL_EDGES = {
    "dependency": VOCAB + "dependsOn",
    **ATTACHMENTS,
}


def render_kgcl(diff: KnowledgeDiff) -> str:
    """Write the change as KGCL commands, one per line, in report order.

    Nodes added are `create node`, removed `delete`; a new label is `rename`, other reworded
    texts, step numbers and step conditions `change annotation of`; dependencies, attachments
    and mappings are `create edge`/`delete edge`, a mapping's new predicate `change
    relationship between`, a step moved to another procedure a `delete edge` and a `create
    edge` of nkb:hasStep. KGCL has no escapes and no command to add or remove a single
    annotation, so a text with a line break, a text added where there was none or removed,
    and changes no fact explains (kind `node`) are left out: the other formats show them.
    """
    return "".join(line + "\n" for change in diff.changes for line in kgcl_commands(diff, change))


def kgcl_commands(diff: KnowledgeDiff, change: Change) -> list[str]:
    """The KGCL commands for one change (none when KGCL cannot say it)."""
    node = compact(change.node)
    target = compact(change.target) if change.target else ""
    if change.kind == "dependency" or change.action in ("attached", "detached"):
        edge = compact(KGCL_EDGES[change.kind])
        subject, object_ = (node, target) if change.kind == "dependency" else (target, node)
        verb = "create" if change.action in ("added", "attached") else "delete"
        return [f"{verb} edge {subject} {edge} {object_}"]
    if change.kind == "mapping":
        if change.action == "changed":
            old, new = (compact(iri) for iri in ((change.old or ""), (change.new or "")))
            return [f"change relationship between {node} and {target} from {old} to {new}"]
        verb = "create" if change.action == "added" else "delete"
        return [f"{verb} edge {node} {compact(change.property or '')} {target}"]
    if change.action == "added" and change.kind in NODE_CLASSES:
        label = kgcl_term(diff.new, change.node, RDFS_LABEL, quote="'")
        return [f"create node {node} {label}" if label else f"create {node}"]
    if change.action == "removed" and change.kind in NODE_CLASSES:
        return [f"delete {node}"]
    if change.action == "moved":
        has_step = compact(HAS_STEP)
        return [
            f"delete edge {compact(change.old or '')} {has_step} {node}",
            f"create edge {compact(change.new or '')} {has_step} {node}",
        ]
    predicate = {
        "renumbered": STEP_NUMBER,
        "changed": VOCAB + "condition",
        "reworded": change.property,
    }.get(change.action)
    if predicate is None or change.kind == "node":
        return []
    if predicate == RDFS_LABEL:
        old = kgcl_term(diff.old, change.node, predicate, quote="'")
        new = kgcl_term(diff.new, change.node, predicate, quote="'")
        if old and new:
            return [f"rename {node} from {old} to {new}"]
    old = kgcl_term(diff.old, change.node, predicate, quote='"')
    new = kgcl_term(diff.new, change.node, predicate, quote='"')
    if not (old and new):
        return []
    return [f"change annotation of {node} with {compact(predicate)} from {old} to {new}"]


def kgcl_term(graph: Graph | None, node: str, predicate: str, *, quote: str) -> str | None:
    """The one literal value of `predicate` on `node` as a KGCL term (`'text'@en`,
    `"3"^^xsd:integer`), or None when there is not exactly one or KGCL cannot quote it."""
    values = [] if graph is None else list(graph.objects(URIRef(node), URIRef(predicate)))
    if len(values) != 1 or not isinstance(values[0], Literal):
        return None
    value = values[0]
    text = str(value)
    if quote in text or "\n" in text or "\r" in text:
        return None
    term = f"{quote}{text}{quote}"
    if value.language:
        return f"{term}@{value.language}"
    if value.datatype is not None and str(value.datatype) != XSD_STRING:
        return f"{term}^^{compact(str(value.datatype))}"
    return term


# The mapping delta as SSSOM/TSV: rows of added mappings, and of removed ones negated.
DELTA_MAPPING_SET_ID = "https://w3id.org/nephrokb/mappings/nephrokb-changes.sssom.tsv"
DELTA_TITLE = "nephrokb mapping changes"
DELTA_DESCRIPTION = (
    "Mappings added and removed between two versions of nephrokb. A removed mapping is written "
    "with predicate_modifier Not: nephrokb no longer asserts it. Each row's comment says which."
)
ADDED_COMMENT = "added: newly asserted in this version"
REMOVED_COMMENT = "removed: no longer asserted in this version"


def render_sssom_delta(
    diff: KnowledgeDiff,
    *,
    mapping_set_id: str = DELTA_MAPPING_SET_ID,
    version: str | None = None,
) -> str:
    """Write the mappings added and removed as SSSOM/TSV that `sssom validate` accepts.

    An added mapping is its record's row in the new version; a removed one its row in the old
    version with `predicate_modifier` Not; a mapping whose predicate changed is both, the old
    predicate removed and the new one added. Each row's `comment` says `added: ...` or
    `removed: ...` (before the record's own comment, after ` | `).
    """
    wanted = {"added": set(), "removed": set()}
    for change in diff.changes:
        if change.kind != "mapping":
            continue
        if change.action == "changed":
            wanted["removed"].update(
                (change.node, old, change.target) for old in change.old.split()
            )
            wanted["added"].update((change.node, new, change.target) for new in change.new.split())
        else:
            wanted[change.action].add((change.node, change.property, change.target))
    rows = []
    for action, graph in (("added", diff.new), ("removed", diff.old)):
        if not wanted[action] or graph is None:
            continue
        converter = curie_converter(graph)
        for mapping in read_mappings(graph):
            if (mapping.subject, mapping.predicate, mapping.object) not in wanted[action]:
                continue
            row = mapping_row(mapping, converter)
            note = ADDED_COMMENT if action == "added" else REMOVED_COMMENT
            row["comment"] = f"{note} | {row['comment']}" if "comment" in row else note
            if action == "removed":
                row["predicate_modifier"] = "Not"
            rows.append(row)
    rows.sort(key=lambda row: [tsv_value(row.get(column)) for column in DELTA_SORT_COLUMNS])
    prefix_map = {
        **(curie_converter(diff.old).prefix_map if diff.old is not None else {}),
        **(curie_converter(diff.new).prefix_map if diff.new is not None else {}),
    }
    metadata = {
        "curie_map": {prefix: prefix_map[prefix] for prefix in prefixes_used(rows)},
        "license": LICENSE,
        "mapping_set_description": DELTA_DESCRIPTION,
        "mapping_set_id": mapping_set_id,
        "mapping_set_title": DELTA_TITLE,
        "mapping_set_version": version or __version__,
    }
    return write_sssom_tsv(MappingSet(metadata=metadata, rows=tuple(rows))).decode("utf-8")


DELTA_SORT_COLUMNS = ("subject_id", "object_id", "predicate_modifier", "predicate_id")


DIFF_FORMATS: dict[str, Callable[[KnowledgeDiff], str]] = {
    "json": render_json,
    "kgcl": render_kgcl,
    "markdown": render_markdown,
    "sssom": render_sssom_delta,
    "text": render_text,
}
