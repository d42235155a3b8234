"""Turn a knowledge graph back into the authoring structure (plain dicts and lists).

The inverse of `compile`: every triple must be either written as a key or one the compiler
generates (types, step numbers, default provenance, excerpt labels, the SKOS triple of a
mapping); a triple that is neither raises an ExportError naming it, so nothing is dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from nephrokb.authoring.fields import (
    CURIE_PREFIXES,
    DEFAULT_SOURCE,
    EXCERPT,
    MAPPING,
    MAPPING_RELATIONS,
    PROCEDURE,
    SECTIONS,
    STEP,
    Key,
    Section,
    excerpt_slug,
    mapping_slug,
)
from nephrokb.errors import NephroKBError
from nephrokb.namespaces import (
    DCTERMS,
    HAS_STEP,
    KB,
    OWL,
    PROV,
    RDFS_LABEL,
    STEP_NUMBER,
    compact,
)
from nephrokb.terminologies import terminology_of

SOURCE = URIRef(DCTERMS + "source")
DERIVED_FROM = URIRef(PROV + "wasDerivedFrom")
RELATION_NAMES = {URIRef(iri): name for name, iri in MAPPING_RELATIONS.items()}


class ExportError(NephroKBError):
    """Knowledge the authoring format cannot hold (it would be lost on the way back)."""


def slug_of(node: Node) -> str:
    if isinstance(node, URIRef) and node.startswith(KB) and "/" not in node[len(KB) :]:
        return node[len(KB) :]
    raise ExportError(f"{node.n3()} is not a kb: node, so it has no slug")


def decompile(graph: Graph) -> dict[str, Any]:
    """Return the authoring document (sections of entities) that compiles back to `graph`."""
    return Decompiler(graph).run()


class Decompiler:
    """Writes each typed node as an entity, tracking which triples it accounted for."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.used: set[tuple[Node, Node, Node]] = set()
        sources = Counter(str(o) for o in graph.objects(None, SOURCE))
        common = sources.most_common(1)
        self.default_source = slug_of(URIRef(common[0][0])) if common else DEFAULT_SOURCE

    def run(self) -> dict[str, Any]:
        document: dict[str, Any] = {}
        if self.default_source != DEFAULT_SOURCE:
            document["source"] = self.default_source
        written: list[tuple[URIRef, Section, dict[str, Any]]] = []
        for section in SECTIONS.values():
            nodes = sorted(self.graph.subjects(RDF.type, URIRef(section.rdf_class)))
            entities = [self.entity(node, section, written) for node in nodes]
            if not entities:
                continue
            if section is PROCEDURE and len(entities) == 1:
                document["procedure"] = entities[0]
            else:
                document[section.name] = entities
        # Links no entity of this graph states (its subject is described in another file) are
        # written from their object's side, with the inverse keys.
        for node, section, entity in written:
            for key in section.keys:
                if key.inverse:
                    slugs = self.inverse_values(node, key)
                    if slugs:
                        entity[key.name] = slugs
            ordered = {key.name: entity[key.name] for key in section.keys if key.name in entity}
            entity.clear()
            entity.update(ordered)
        left = [shown(triple) for triple in self.graph if triple not in self.used]
        if left:
            raise ExportError(
                f"cannot be written in the authoring format: {min(left)}"
                + (f" (and {len(left) - 1} more triples)" if len(left) > 1 else "")
            )
        return document

    def inverse_values(self, node: URIRef, key: Key) -> list[str]:
        predicate = URIRef(key.predicate)
        subjects = sorted(
            subject
            for subject in self.graph.subjects(predicate, node)
            if (subject, predicate, node) not in self.used
        )
        for subject in subjects:
            self.take((subject, predicate, node))
        return [slug_of(subject) for subject in subjects]

    def take(self, triple: tuple[Node, Node, Node]) -> None:
        self.used.add(triple)

    def entity(self, node: URIRef, section: Section, written: list) -> dict[str, Any]:
        """Return one node as a dict of keys, in the section's order (noted in `written`)."""
        self.take((node, RDF.type, URIRef(section.rdf_class)))
        source = self.graph.value(node, SOURCE)
        source_slug = slug_of(source) if source is not None else self.default_source
        entity: dict[str, Any] = {}
        for key in section.keys:
            if key.inverse:
                continue  # see run
            if key.kind == "steps":
                value = self.steps(node, written)
            elif key.name == "slug":
                value = None if section in (EXCERPT, MAPPING) else slug_of(node)  # see generated
            elif key is section.key("source") and source is not None:
                value = source_slug if source_slug != self.default_source else None
                self.take((node, SOURCE, source))
            else:
                value = self.values(node, key, source_slug)
            if value is not None and value != []:
                entity[key.name] = value
        self.generated(node, section, entity, source_slug)
        written.append((node, section, entity))
        return entity

    def values(self, node: URIRef, key: Key, source: str) -> Any:
        predicate = URIRef(key.predicate)
        objects = sorted(
            obj
            for obj in self.graph.objects(node, predicate)
            if (node, predicate, obj) not in self.used
        )
        if key.kind in ("slugs", "lines", "codes"):
            values = [self.value(node, key, obj, source) for obj in objects]
            return [value for value in values if value is not None]
        if len(objects) > 1:
            raise ExportError(f"{compact(str(node))} has {len(objects)} values for {key.name}")
        return self.value(node, key, objects[0], source) if objects else None

    def value(self, node: URIRef, key: Key, obj: Node, source: str) -> Any:
        """Return the value standing for one object, or raise when none compiles back to it."""
        value = None
        if key.kind == "text" and isinstance(obj, Literal) and obj.language == "en":
            value = str(obj)
        elif key.kind == "plain" and isinstance(obj, Literal) and not obj.language:
            value = str(obj) if obj.datatype in (None, XSD.string) else None
        elif key.kind in ("slug", "slugs") and isinstance(obj, URIRef):
            value = slug_of(obj)
        elif key.kind == "lines" and isinstance(obj, URIRef):
            match = re.fullmatch(r".*-line-0*(\d+)", obj[len(KB) :])
            if match and kb_slug(obj) == excerpt_slug(source, int(match.group(1))):
                value = int(match.group(1))
            elif self.graph.value(obj, RDF.type) == URIRef(EXCERPT.rdf_class):
                value = slug_of(obj)
        elif key.kind == "integer" and isinstance(obj, Literal) and obj.datatype == XSD.integer:
            value = int(obj)
        elif key.kind == "boolean" and isinstance(obj, Literal) and obj.datatype == XSD.boolean:
            value = bool(obj.toPython())
        elif key.kind == "double" and isinstance(obj, Literal) and obj.datatype == XSD.double:
            if str(float(str(obj))) == str(obj):
                value = float(str(obj))
        elif (key.kind == "date" and isinstance(obj, Literal) and obj.datatype == XSD.date) or (
            key.kind == "iri" and isinstance(obj, URIRef)
        ):
            value = str(obj)
        elif key.kind == "relation" and obj in RELATION_NAMES:
            value = RELATION_NAMES[obj]
        elif key.kind in ("code", "codes") and isinstance(obj, URIRef):
            value = self.curie(key, obj)
        elif key.kind == "number" and isinstance(obj, Literal) and obj.datatype == XSD.integer:
            value = int(obj)
        elif key.kind == "number" and isinstance(obj, Literal) and obj.datatype == XSD.decimal:
            value = float(str(obj)) if str(float(str(obj))) == str(obj) else None
        elif key.kind == "year" and isinstance(obj, Literal) and obj.datatype == XSD.gYear:
            value = int(str(obj)) if re.fullmatch(r"[1-9]\d{3}", str(obj)) else None
        if value is None:
            if key.kind == "lines" and node.startswith(KB):
                return None  # derived from a node other than a source line: left for the check
            raise ExportError(
                f"{compact(str(node))} {key.name}: {obj.n3()} cannot be written as {key.kind}"
            )
        self.take((node, URIRef(key.predicate), obj))
        return value

    def curie(self, key: Key, obj: URIRef) -> str | None:
        if key.name == "code":
            terminology = terminology_of(str(obj))
            if terminology is None:
                return None
            return f"{terminology.prefix}:{obj[len(terminology.namespace) :]}"
        for prefix, namespace in CURIE_PREFIXES.items():
            if obj.startswith(namespace) and len(obj) > len(namespace):
                return f"{prefix}:{obj[len(namespace) :]}"
        return str(obj) if re.match(r"https?://\S+$", obj) else None

    def steps(self, procedure: URIRef, written: list) -> list[dict[str, Any]] | None:
        """Return a procedure's steps in step-number order, which must be 1..n."""
        steps = sorted(
            self.graph.objects(procedure, URIRef(HAS_STEP)),
            key=lambda step: (int(self.graph.value(step, URIRef(STEP_NUMBER)) or 0), str(step)),
        )
        entities = []
        for position, step in enumerate(steps, start=1):
            number = self.graph.value(step, URIRef(STEP_NUMBER))
            if number != Literal(position):
                raise ExportError(
                    f"{compact(str(step))} has step number {number}, not {position}: "
                    "the authoring format numbers steps 1..n by their order"
                )
            self.take((procedure, URIRef(HAS_STEP), step))
            self.take((step, URIRef(STEP_NUMBER), number))
            entities.append(self.entity(step, STEP, written))
        return entities or None

    def generated(self, node: URIRef, section: Section, entity: dict, source: str) -> None:
        """Account for the triples the compiler writes itself, checking they are as it would."""
        if section is PROCEDURE and "lines" not in entity:
            self.take((node, DERIVED_FROM, URIRef(KB + source)))
        if section is EXCERPT:
            line = entity.get("line")
            self.take((node, URIRef(RDFS_LABEL), Literal(f"Source line {line}", lang="en")))
            self.take((node, URIRef(DCTERMS + "isPartOf"), URIRef(KB + source)))
            if kb_slug(node) != excerpt_slug(source, line):
                entity["slug"] = slug_of(node)
        if section is MAPPING:
            concept, relation = entity.get("concept"), entity.get("relation")
            target = self.graph.value(node, URIRef(OWL + "annotatedTarget"))
            if concept and relation and target is not None:
                self.take((URIRef(KB + concept), URIRef(MAPPING_RELATIONS[relation]), target))
                if kb_slug(node) != mapping_slug(concept, entity.get("code", "")):
                    entity["slug"] = kb_slug(node)


def shown(triple: tuple[Node, Node, Node]) -> str:
    """A triple for a message: compact IRIs, blank nodes as [] (their labels mean nothing)."""
    return " ".join(
        compact(str(term))
        if isinstance(term, URIRef)
        else "[]"
        if isinstance(term, BNode)
        else term.n3()
        for term in triple
    )


def kb_slug(node: Node) -> str:
    return str(node)[len(KB) :]
