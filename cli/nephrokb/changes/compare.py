"""Compare two versions of the knowledge and say what changed in the knowledge, not the text.

The graphs are compared triple by triple, with blank nodes matched by their structure
(rdflib.compare's canonical labels), so layout, prefixes, order and blank-node names never
count. The differing triples are then read as facts a reviewer cares about: procedures,
steps, indications, benefits and conditions added or removed; steps renumbered, moved or
reworded; dependencies, step conditions, attachments and mappings added, removed or changed.
Differing triples that no such fact explains are reported as changes to their node, so a
diff with no changes means the two graphs are isomorphic.

The changes are written by nephrokb.changes.formats.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from rdflib import RDF, Literal, URIRef

from nephrokb.knowledge.labels import text_of
from nephrokb.namespaces import (
    DCTERMS,
    HAS_STEP,
    MAPPING_PREDICATES,
    OWL,
    OWL_ANNOTATED_SOURCE,
    RDFS_LABEL,
    SKOS,
    SSSOM,
    STEP_NUMBER,
    VOCAB,
    compact,
)
from nephrokb.rdf.differences import TripleDifferences, named_ancestors, triple_differences
from nephrokb.rdf.git_revisions import load_revision, repository_root
from nephrokb.rdf.loading import garbage_collection_paused, load_graph
from nephrokb.rdf.terms import RdflibTerms

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    Triple = tuple[Node, Node, Node]

TEXT_PREDICATES = (
    RDFS_LABEL,
    SKOS + "definition",
    DCTERMS + "description",
)

# Kinds of change in report order, each with the class whose members are tracked as nodes.
NODE_CLASSES = {
    "procedure": VOCAB + "Procedure",
    "step": VOCAB + "Step",
    "indication": VOCAB + "Indication",
    "benefit": VOCAB + "Benefit",
    "condition": VOCAB + "Condition",
}
KINDS = (
    "procedure",
    "step",
    "dependency",
    "step condition",
    "indication",
    "benefit",
    "condition",
    "mapping",
    "node",
)
PLURALS = {
    "dependency": "dependencies",
    "step condition": "step conditions",
}
SECTIONS = {
    "procedure": "Procedures",
    "step": "Steps",
    "dependency": "Dependencies",
    "step condition": "Step conditions",
    "indication": "Indications",
    "benefit": "Benefits",
    "condition": "Conditions",
    "mapping": "Mappings",
    "node": "Other changes",
}
ACTIONS = (
    "added",
    "removed",
    "moved",
    "renumbered",
    "reworded",
    "changed",
    "attached",
    "detached",
)
# Links from a procedure to the statements attached to it, by the kind of statement.
ATTACHMENTS = {
    "indication": VOCAB + "hasIndication",
    "benefit": VOCAB + "hasBenefit",
}


@dataclass(frozen=True)
class Change:
    """One fact that differs between the old and the new knowledge.

    `node` is the IRI the fact is about and `label` its label (from the new version when it
    has one). `old` and `new` are the values before and after: texts as written, step numbers,
    IRIs when `values` is "iri", or N-Triples terms when `values` is "term" (only a language
    tag or datatype changed). `target` is the other node of a link (the step a dependency
    points at, the procedure an indication is attached to, a mapping's concept) or, for a
    step, its procedure. `property` is the predicate whose values changed.
    """

    kind: str
    action: str
    node: str
    label: str | None
    property: str | None = None
    old: str | None = None
    new: str | None = None
    values: str = "text"
    target: str | None = None
    target_label: str | None = None

    def sort_key(self) -> tuple:
        """Order changes by kind and action in report order, then by compact names."""
        return (
            KINDS.index(self.kind),
            ACTIONS.index(self.action),
            compact(self.node),
            compact(self.target) if self.target else "",
            self.property or "",
            self.old or "",
            self.new or "",
        )


@dataclass(frozen=True)
class KnowledgeDiff:
    """Every change between two versions, in report order, and the two graphs compared
    (the KGCL and SSSOM writers read mapping records and literals from them)."""

    changes: tuple[Change, ...]
    old: Graph | None = field(default=None, compare=False, repr=False)
    new: Graph | None = field(default=None, compare=False, repr=False)

    def counts(self) -> dict[tuple[str, str], int]:
        """Return how many changes there are of each (kind, action), in report order."""
        counted: dict[tuple[str, str], int] = {}
        for change in self.changes:
            key = (change.kind, change.action)
            counted[key] = counted.get(key, 0) + 1
        return counted


def diff_paths(old: Sequence[str | Path], new: Sequence[str | Path]) -> KnowledgeDiff:
    """Compare the knowledge in two sets of files or folders."""
    with garbage_collection_paused():
        terms = RdflibTerms()
        return diff_graphs(load_graph(old, terms=terms), load_graph(new, terms=terms))


def diff_revisions(
    old_revision: str, new_revision: str | None = None, *, folder: str = "kb"
) -> KnowledgeDiff:
    """Compare a folder of the current git repository (its path from the repository root)
    at two revisions; without `new_revision`, compare with the working tree."""
    root = repository_root(Path.cwd())
    with garbage_collection_paused():
        old = load_revision(root, old_revision, [folder])
        new = (
            load_graph([root / folder])
            if new_revision is None
            else load_revision(root, new_revision, [folder])
        )
        return diff_graphs(old, new)


def diff_graphs(old: Graph, new: Graph) -> KnowledgeDiff:
    """Return the changes that turn the knowledge in `old` into the knowledge in `new`."""
    differences = triple_differences(old, new)
    reader = ChangeReader(differences)
    changes = [
        *reader.node_changes(),
        *reader.step_position_changes(),
        *reader.dependency_changes(),
        *reader.step_condition_changes(),
        *reader.attachment_changes(),
        *reader.mapping_changes(),
    ]
    changes.extend(reader.unexplained_changes())
    return KnowledgeDiff(changes=tuple(sorted(set(changes), key=Change.sort_key)), old=old, new=new)


class ChangeReader:
    """Reads the differing triples as changes, remembering which triples each change explains."""

    def __init__(self, differences: TripleDifferences):
        self.old = differences.old
        self.new = differences.new
        self.removed = differences.removed
        self.added = differences.added
        self.explained: set[Triple] = set()
        self.by_subject: dict[Node, list[Triple]] = defaultdict(list)
        self.by_object: dict[Node, list[Triple]] = defaultdict(list)
        self.by_predicate: dict[str, list[Triple]] = defaultdict(list)
        for triples in (self.removed, self.added):
            for triple in sorted(triples):
                self.by_subject[triple[0]].append(triple)
                self.by_object[triple[2]].append(triple)
                self.by_predicate[str(triple[1])].append(triple)

    def differing(self, *predicates: str) -> list[Triple]:
        """Return the differing triples with one of `predicates`, removed ones first."""
        return [
            triple for predicate in predicates for triple in self.by_predicate.get(predicate, ())
        ]

    def with_subject(self, node: Node, predicate: str) -> list[Triple]:
        """Return the differing triples about `node` with `predicate`."""
        return [t for t in self.by_subject.get(node, ()) if str(t[1]) == predicate]

    def with_object(self, node: Node, predicate: str) -> list[Triple]:
        """Return the differing triples pointing at `node` with `predicate`."""
        return [t for t in self.by_object.get(node, ()) if str(t[1]) == predicate]

    def explain(self, triples: Iterable[Triple]) -> None:
        self.explained.update(triples)

    def label(self, node: Node) -> str | None:
        """The node's label in the new version, else in the old one."""
        for graph in (self.new, self.old):
            text = text_of(graph, node, RDFS_LABEL)
            if text:
                return text
        return None

    def members(self, graph: Graph, class_iri: str) -> set[Node]:

        return set(graph.subjects(RDF.type, URIRef(class_iri)))

    def node_changes(self) -> Iterable[Change]:
        """Procedures, steps, indications, benefits and conditions added, removed or reworded."""
        for kind, class_iri in NODE_CLASSES.items():
            before, after = self.members(self.old, class_iri), self.members(self.new, class_iri)
            for action, nodes, graph in (
                ("added", after - before, self.new),
                ("removed", before - after, self.old),
            ):
                for node in nodes:
                    self.explain(self.by_subject.get(node, ()))
                    if kind == "step":
                        self.explain(self.with_object(node, HAS_STEP))
                    yield self.node_change(kind, action, node, graph)
            for node in before & after:
                yield from self.rewordings(kind, node)

    def node_change(self, kind: str, action: str, node: Node, graph: Graph) -> Change:
        """A node added or removed; a step says which procedure held it, at which number."""
        if kind != "step":
            return Change(kind, action, str(node), self.label(node))
        procedure = self.procedure_of(graph, node)
        number = self.numbers(graph, node)
        return Change(
            kind,
            action,
            str(node),
            self.label(node),
            old=number if action == "removed" else None,
            new=number if action == "added" else None,
            target=None if procedure is None else str(procedure),
            target_label=None if procedure is None else self.label(procedure),
        )

    def rewordings(self, kind: str, node: Node) -> Iterable[Change]:
        """Labels, definitions and descriptions of a node that changed."""
        for predicate in TEXT_PREDICATES:
            triples = self.with_subject(node, predicate)
            if not triples:
                continue
            self.explain(triples)
            old, new, values = changed_values(self.old, self.new, node, predicate)
            yield Change(kind, "reworded", str(node), self.label(node), predicate, old, new, values)

    def procedure_of(self, graph: Graph, step: Node) -> Node | None:
        """The one procedure holding `step`, or None when none or several do."""
        holders = set(graph.subjects(URIRef(HAS_STEP), step))
        return holders.pop() if len(holders) == 1 else None

    def numbers(self, graph: Graph, step: Node) -> str | None:

        found = sorted(str(n) for n in graph.objects(step, URIRef(STEP_NUMBER)))
        return ", ".join(found) if found else None

    def step_position_changes(self) -> Iterable[Change]:
        """Steps in both versions that were renumbered or moved to another procedure."""
        kept = self.members(self.old, NODE_CLASSES["step"]) & self.members(
            self.new, NODE_CLASSES["step"]
        )
        for step in kept & (self.by_subject.keys() | self.by_object.keys()):
            renumbered = self.with_subject(step, STEP_NUMBER)
            procedure = self.procedure_of(self.new, step)
            context = {
                "target": None if procedure is None else str(procedure),
                "target_label": None if procedure is None else self.label(procedure),
            }
            if renumbered:
                self.explain(renumbered)
                old, new = self.numbers(self.old, step), self.numbers(self.new, step)
                yield Change(
                    "step", "renumbered", str(step), self.label(step), old=old, new=new, **context
                )
            before = self.procedure_of(self.old, step)
            if before is not None and procedure is not None and before != procedure:
                self.explain(self.with_object(step, HAS_STEP))
                yield Change(
                    "step",
                    "moved",
                    str(step),
                    self.label(step),
                    old=str(before),
                    new=str(procedure),
                    values="iri",
                )

    def dependency_changes(self) -> Iterable[Change]:
        """nkb:dependsOn links added or removed."""
        for triple in self.differing(VOCAB + "dependsOn"):
            self.explain([triple])
            step, _, target = triple
            yield Change(
                "dependency",
                "removed" if triple in self.removed else "added",
                str(step),
                self.label(step),
                target=str(target),
                target_label=self.label(target),
            )

    def step_condition_changes(self) -> Iterable[Change]:
        """nkb:condition texts added, removed or changed."""
        predicate = VOCAB + "condition"
        triples = self.differing(predicate)
        self.explain(triples)
        for step in sorted({triple[0] for triple in triples}):
            old, new, values = changed_values(self.old, self.new, step, predicate)
            action = "added" if old is None else "removed" if new is None else "changed"
            yield Change(
                "step condition", action, str(step), self.label(step), None, old, new, values
            )

    def attachment_changes(self) -> Iterable[Change]:
        """Indications and benefits attached to or detached from procedures."""
        for kind, predicate in ATTACHMENTS.items():
            for triple in self.differing(predicate):
                self.explain([triple])
                procedure, _, statement = triple
                yield Change(
                    kind,
                    "detached" if triple in self.removed else "attached",
                    str(statement),
                    self.label(statement),
                    target=str(procedure),
                    target_label=self.label(procedure),
                )

    def mapping_changes(self) -> Iterable[Change]:
        """SKOS mappings added, removed, or changed to another mapping predicate."""
        mappings = self.differing(*MAPPING_PREDICATES)
        self.explain(mappings)
        for subject, target in sorted({(s, o) for s, _, o in mappings}):
            old = self.mapping_predicates(self.old, subject, target)
            new = self.mapping_predicates(self.new, subject, target)
            self.explain_records(subject, target, predicate_changed=bool(old and new))
            common = {
                "node": str(subject),
                "label": self.label(subject),
                "target": str(target),
                "target_label": self.object_label(subject, target),
                "values": "iri",
            }
            if not old:
                yield Change("mapping", "added", property=new[0], **common)
            elif not new:
                yield Change("mapping", "removed", property=old[0], **common)
            else:
                yield Change("mapping", "changed", old=" ".join(old), new=" ".join(new), **common)

    def mapping_predicates(self, graph: Graph, subject: Node, target: Node) -> list[str]:
        return sorted(
            str(p) for p in graph.predicates(subject, target) if str(p) in MAPPING_PREDICATES
        )

    def records(self, graph: Graph, subject: Node, target: Node) -> set[Node]:
        """The mapping records (owl:Axiom) about the mapping of `subject` to `target`."""
        about = set(graph.subjects(URIRef(OWL_ANNOTATED_SOURCE), subject))
        return about & set(graph.subjects(URIRef(OWL + "annotatedTarget"), target))

    def explain_records(self, subject: Node, target: Node, *, predicate_changed: bool) -> None:
        """A record added or removed with its mapping is part of that change, as is its
        owl:annotatedProperty when the predicate changed; other edits to records are not."""
        before = self.records(self.old, subject, target)
        after = self.records(self.new, subject, target)
        for record in before ^ after:
            self.explain(self.by_subject.get(record, ()))
        if predicate_changed:
            for record in before & after:
                self.explain(self.with_subject(record, OWL + "annotatedProperty"))

    def object_label(self, subject: Node, target: Node) -> str | None:
        """The label a mapping record gives its concept (sssom:object_label), if any."""
        for graph in (self.new, self.old):
            for record in sorted(self.records(graph, subject, target)):
                label = graph.value(record, URIRef(SSSOM + "object_label"))
                if label is not None:
                    return " ".join(str(label).split())
        return None

    def unexplained_changes(self) -> Iterable[Change]:
        """Differing triples no fact explains, as one change per node (blank nodes: the IRIs
        above them), naming the predicates involved."""
        predicates: dict[Node, set[str]] = defaultdict(set)
        for triples, graph in ((self.removed, self.old), (self.added, self.new)):
            for triple in triples - self.explained:
                for node in named_ancestors(graph, triple[0]) or {triple[0]}:
                    predicates[node].add(str(triple[1]))
        for node, changed in predicates.items():
            in_old = next(self.old.predicate_objects(node), None) is not None
            in_new = next(self.new.predicate_objects(node), None) is not None
            action = "changed" if in_old and in_new else "added" if in_new else "removed"
            names = " ".join(sorted(changed, key=compact))
            yield Change("node", action, str(node), self.label(node), names, values="iri")


class ChangedValues(NamedTuple):
    """A text predicate's old and new values, and how they are shown ("text" or "term")."""

    old: str | None
    new: str | None
    shown_as: str


def changed_values(old: Graph, new: Graph, node: Node, predicate: str) -> ChangedValues:
    """Return the old and new values of a text predicate, and how to show them.

    Texts are kept exactly as written (whitespace too); when only a language tag or a
    datatype changed, the values are given as N-Triples terms, so the change shows.
    """
    before, after = texts(old, node, predicate), texts(new, node, predicate)
    if before != after:
        return ChangedValues(before, after, "text")
    return ChangedValues(terms(old, node, predicate), terms(new, node, predicate), "term")


def texts(graph: Graph, node: Node, predicate: str) -> str | None:
    """Return the literal values of `predicate` on `node` as written (several: ` | `)."""
    values = sorted(
        str(value) for value in graph.objects(node, URIRef(predicate)) if isinstance(value, Literal)
    )
    return " | ".join(values) if values else None


def terms(graph: Graph, node: Node, predicate: str) -> str | None:
    """Return the values of `predicate` on `node` in N-Triples syntax, sorted."""
    values = sorted(value.n3() for value in graph.objects(node, URIRef(predicate)))
    return " | ".join(values) if values else None
