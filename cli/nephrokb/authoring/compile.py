"""Compile a procedure file (YAML or workbook, as Located values) into RDF triples.

Every triple remembers the place its value was typed (`origins`), so that validation results
about it point there, and what cannot be compiled becomes a Problem: one plain sentence at
its line or cell. Provenance the editor need not write is generated: each node's
dcterms:source (the file's source document unless it says otherwise), a procedure's
prov:wasDerivedFrom its source document, step numbers from the order of the steps, an
excerpt's label and isPartOf.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from nephrokb.authoring.fields import (
    CURIE_PREFIXES,
    DEFAULT_SOURCE,
    EXCERPT,
    FILE_KEYS,
    MAPPING,
    MAPPING_RELATIONS,
    PROCEDURE,
    SECTIONS,
    SLUG_PATTERN,
    STEP,
    Key,
    Section,
    excerpt_slug,
    mapping_slug,
)
from nephrokb.authoring.located import Located, Origin
from nephrokb.errors import InputError
from nephrokb.namespaces import (
    DCTERMS,
    HAS_STEP,
    KB,
    OWL,
    PROV,
    RDFS_LABEL,
    SHAPES,
    STEP_NUMBER,
)
from nephrokb.terminologies import TERMINOLOGIES, is_snomed_concept_id

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Rule IRIs of the problems found while compiling, next to the shapes' own.
UNKNOWN_KEY_RULE = SHAPES + "AuthoringKnownKeyRule"
DUPLICATE_SLUG_RULE = SHAPES + "AuthoringUniqueSlugRule"
DEPENDS_ON_RULE = SHAPES + "AuthoringEarlierStepRule"
CODE_RULE = SHAPES + "AuthoringCodeRule"
VALUE_RULE = SHAPES + "AuthoringValueRule"
AUTHORING_RULES = (UNKNOWN_KEY_RULE, DUPLICATE_SLUG_RULE, DEPENDS_ON_RULE, CODE_RULE, VALUE_RULE)


@dataclass(frozen=True)
class Problem:
    """Something typed that cannot be compiled: a plain sentence at its origin."""

    rule: str
    message: str
    origin: Origin
    focus: str  # the IRI of the node it concerns, or the file


@dataclass
class Compiled:
    """A file's triples, where each was typed, where each node starts, and its problems."""

    graph: Graph = field(default_factory=Graph)
    origins: dict[tuple[Node, Node, Node], Origin] = field(default_factory=dict)
    subjects: dict[str, Origin] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, triple: tuple[Node, Node, Node], origin: Origin) -> None:
        """Add a triple, keeping the first place it was typed."""
        self.graph.add(triple)
        self.origins.setdefault(triple, origin)


def kb(slug: str) -> URIRef:
    return URIRef(KB + slug)


def compile_document(root: Located, path: str) -> Compiled:
    """Compile a whole file (its Located root) into triples, origins and problems."""
    if not isinstance(root.value, dict):
        raise InputError(
            "must be a mapping of sections (procedure, conditions, ...)",
            path=path,
            line=root.origin.line,
        )
    return Compiler(root.value, path).run()


class Compiler:
    """Walks one file's sections, entity by entity."""

    def __init__(self, members: dict[str, Located], path: str) -> None:
        self.members = members
        self.path = path
        self.out = Compiled()
        self.slugs: dict[str, Origin] = {}
        source = members.get("source")
        self.default_source = (
            source.value if source is not None and isinstance(source.value, str) else DEFAULT_SOURCE
        )

    def run(self) -> Compiled:
        for name, member in self.members.items():
            if name == "source":
                self.slug_value(member, "source")
            elif name == "procedure":
                self.entity(member, PROCEDURE)
            elif name in SECTIONS:
                if not isinstance(member.value, list):
                    self.problem(VALUE_RULE, f"'{name}' must be a list", member.where, self.path)
                    continue
                for item in member.value:
                    self.entity(item, SECTIONS[name])
            else:
                self.unknown_key(name, member, [*FILE_KEYS, *SECTIONS], self.path)
        return self.out

    def problem(self, rule: str, message: str, origin: Origin, focus: str) -> None:
        self.out.problems.append(Problem(rule, message, origin, focus))

    def unknown_key(self, name: str, member: Located, known: list[str], focus: str) -> None:
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(known)}"
        self.problem(UNKNOWN_KEY_RULE, f"unknown key '{name}'; {hint}", member.where, focus)

    def entity(self, item: Located, section: Section, slug: str | None = None) -> URIRef | None:
        """Compile one entity of `section`; return its IRI (None when it has no usable slug)."""
        if not isinstance(item.value, dict):
            self.problem(
                VALUE_RULE,
                f"each entry of '{section.name}' must be a mapping of keys",
                item.origin,
                self.path,
            )
            return None
        members = item.value
        slug = slug or self.entity_slug(members, section, item)
        if slug is None:
            return None
        node = kb(slug)
        self.out.subjects.setdefault(str(node), item.origin)
        self.out.add((node, RDF.type, URIRef(section.rdf_class)), item.origin)
        source = members.get("source")
        source_slug = (
            source.value
            if source is not None and isinstance(source.value, str)
            else self.default_source
        )
        if section.key("source") is not None and source is None:
            self.out.add((node, URIRef(DCTERMS + "source"), kb(source_slug)), item.origin)
        for name, member in members.items():
            key = section.key(name)
            if key is None:
                known = [key.name for key in section.keys]
                self.unknown_key(name, member, known, str(node))
            elif key.kind == "steps":
                self.steps(node, member, members)
            elif key.predicate is not None:
                self.value(node, key, member, source_slug)
        self.generated(node, section, members, item.origin, source_slug)
        return node

    def entity_slug(self, members: dict, section: Section, item: Located) -> str | None:
        """Return the entity's slug (generated for excerpts and mappings), noting duplicates."""
        given = members.get("slug")
        if section is EXCERPT and given is None:
            line = members.get("line")
            if line is None or not isinstance(line.value, int):
                self.problem(
                    VALUE_RULE, "an excerpt needs its 'line' number", item.origin, self.path
                )
                return None
            source = members.get("source")
            slug = excerpt_slug(source.value if source else self.default_source, line.value)
        elif section is MAPPING and given is None:
            concept, code = members.get("concept"), members.get("code")
            if concept is None or code is None:
                self.problem(
                    VALUE_RULE, "a mapping needs its 'concept' and 'code'", item.origin, self.path
                )
                return None
            slug = mapping_slug(str(concept.value), str(code.value))
        elif given is None:
            self.problem(
                VALUE_RULE, f"this entry of '{section.name}' has no 'slug'", item.origin, self.path
            )
            return None
        else:
            slug = self.slug_value(given, "slug")
            if slug is None:
                return None
        origin = given.where if given is not None else item.origin
        if slug in self.slugs:
            first = self.slugs[slug]
            self.problem(
                DUPLICATE_SLUG_RULE,
                f"slug '{slug}' is used twice (first at {first.cell or f'line {first.line}'})",
                origin,
                KB + slug,
            )
            return None
        self.slugs[slug] = origin
        return slug

    def slug_value(self, member: Located, name: str) -> str | None:
        value = member.value
        if isinstance(value, str) and re.fullmatch(SLUG_PATTERN, value):
            return value
        self.problem(
            VALUE_RULE,
            f"'{name}' must be a slug: lowercase letters and digits joined by hyphens, "
            f"not {value!r}",
            member.origin,
            self.path,
        )
        return None

    def value(self, node: URIRef, key: Key, member: Located, source: str) -> None:
        """Add the triples of one key's value."""
        predicate = URIRef(key.predicate)
        if member.value is None:
            return  # left empty, as in a skeleton: the shapes say what is missing
        items = [member]
        if key.kind in ("slugs", "lines", "codes"):
            if not isinstance(member.value, list):
                self.problem(VALUE_RULE, f"'{key.name}' must be a list", member.where, str(node))
                return
            items = member.value
        for item in items:
            term = self.term(key, item, str(node), source)
            if term is None:
                continue
            triple = (term, predicate, node) if key.inverse else (node, predicate, term)
            self.out.add(triple, item.origin)

    def term(self, key: Key, member: Located, focus: str, source: str) -> Node | None:
        """Return the RDF term a value stands for, or None after noting why it cannot be."""
        value = member.value
        kind = key.kind
        expected = {
            "text": "English text",
            "plain": "text",
            "integer": "a whole number",
            "boolean": "true or false",
            "double": "a number",
            "date": "a date (YYYY-MM-DD)",
            "iri": "a web address (https://...)",
            "number": "a number",
            "year": "a year (YYYY)",
        }
        if kind == "text" and isinstance(value, str):
            return Literal(value, lang="en")
        if kind == "plain" and isinstance(value, str):
            return Literal(value)
        if kind in ("slug", "slugs"):
            slug = self.slug_value(member, key.name)
            return kb(slug) if slug else None
        if kind == "lines" and isinstance(value, int) and not isinstance(value, bool):
            return kb(excerpt_slug(source, value))
        if kind == "lines" and isinstance(value, str):
            slug = self.slug_value(member, key.name)
            return kb(slug) if slug else None
        if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
            return Literal(value)
        if kind == "boolean" and isinstance(value, bool):
            return Literal(value)
        if kind == "double" and isinstance(value, int | float) and not isinstance(value, bool):
            return Literal(str(float(value)), datatype=XSD.double)
        if kind == "number" and isinstance(value, int) and not isinstance(value, bool):
            return Literal(value)
        if kind == "number" and isinstance(value, float):
            return Literal(str(value), datatype=XSD.decimal)
        if kind == "year" and re.fullmatch(r"\d{4}", str(value)) and not isinstance(value, bool):
            return Literal(str(value), datatype=XSD.gYear)
        if kind == "date" and (
            isinstance(value, datetime.date) or (isinstance(value, str) and DATE.fullmatch(value))
        ):
            return Literal(str(value), datatype=XSD.date)
        if kind == "iri" and isinstance(value, str) and re.match(r"https?://\S+$", value):
            return URIRef(value)
        if kind == "relation" and value in MAPPING_RELATIONS:
            return URIRef(MAPPING_RELATIONS[value])
        if kind in ("code", "codes"):
            return self.code(key, member, focus)
        if kind == "lines":
            wanted = "a source line number or an excerpt's slug"
        elif kind == "relation":
            wanted = "one of " + ", ".join(MAPPING_RELATIONS)
        else:
            wanted = expected[kind]
        self.problem(
            VALUE_RULE, f"'{key.name}' must be {wanted}, not {value!r}", member.origin, focus
        )
        return None

    def code(self, key: Key, member: Located, focus: str) -> URIRef | None:
        """Return the IRI of a CURIE, checking a terminology code against its code syntax."""
        value = str(member.value)
        prefix, colon, local = value.partition(":")
        terminology = TERMINOLOGIES.get(prefix)
        if key.name == "code":
            if terminology is None or not colon:
                message = (
                    f"'{value}' is not a terminology code; write PREFIX:CODE with one of "
                    + ", ".join(TERMINOLOGIES)
                )
            elif not terminology.matches(local) or (
                prefix == "SCTID" and not is_snomed_concept_id(local)
            ):
                message = f"'{value}' is not a valid {terminology.name} code"
                if prefix == "SCTID":
                    message += " (its length, partition or check digit is wrong)"
            else:
                return URIRef(terminology.namespace + local)
            self.problem(CODE_RULE, message, member.origin, focus)
            return None
        if colon and prefix in CURIE_PREFIXES:
            return URIRef(CURIE_PREFIXES[prefix] + local)
        if re.match(r"https?://\S+$", value):
            return URIRef(value)
        self.problem(
            VALUE_RULE,
            f"'{key.name}' must be a CURIE (a prefix of {', '.join(sorted(CURIE_PREFIXES))}) "
            f"or a web address, not {value!r}",
            member.origin,
            focus,
        )
        return None

    def steps(self, procedure: URIRef, member: Located, procedure_members: dict) -> None:
        """Compile a procedure's steps: numbers from their order, depends-on checked."""
        if not isinstance(member.value, list):
            self.problem(VALUE_RULE, "'steps' must be a list", member.where, str(procedure))
            return
        order = {}
        for position, item in enumerate(member.value, start=1):
            slug = item.value.get("slug") if isinstance(item.value, dict) else None
            if slug is not None and isinstance(slug.value, str):
                order.setdefault(slug.value, position)
        relies = procedure_members.get("relies-on")
        for position, item in enumerate(member.value, start=1):
            if isinstance(item.value, dict) and isinstance(item.value.get("depends-on"), Located):
                self.check_depends_on(item.value, position, order, relies is not None)
            step = self.entity(item, STEP)
            if step is None:
                continue
            self.out.add((procedure, URIRef(HAS_STEP), step), item.origin)
            self.out.add((step, URIRef(STEP_NUMBER), Literal(position)), item.origin)

    def check_depends_on(self, step: dict, position: int, order: dict, relies: bool) -> None:
        """Note a depends-on naming a later step, or no step at all; drop it from the list."""
        depends_on = step["depends-on"]
        if not isinstance(depends_on.value, list):
            return
        slug = step["slug"].value if "slug" in step else "this step"
        kept = []
        for item in depends_on.value:
            target = item.value
            at = order.get(target)
            if at is not None and at >= position:
                self.problem(
                    DEPENDS_ON_RULE,
                    f"step '{slug}' depends on '{target}', which is not earlier "
                    f"(step {at}, this is step {position}): move it up or drop the dependency",
                    item.origin,
                    KB + str(slug),
                )
            elif at is None and not relies:
                self.problem(
                    DEPENDS_ON_RULE,
                    f"step '{slug}' depends on '{target}', which is no step of this procedure"
                    " (a step of another procedure needs 'relies-on' naming it)",
                    item.origin,
                    KB + str(slug),
                )
            else:
                kept.append(item)
        depends_on.value = kept

    def generated(
        self, node: URIRef, section: Section, members: dict, origin: Origin, source: str
    ) -> None:
        """Add the provenance triples an editor does not write."""
        if section is PROCEDURE and "lines" not in members:
            self.out.add((node, URIRef(PROV + "wasDerivedFrom"), kb(source)), origin)
        elif section is EXCERPT and isinstance(members.get("line"), Located):
            line = members["line"].value
            self.out.add(
                (node, URIRef(RDFS_LABEL), Literal(f"Source line {line}", lang="en")), origin
            )
            self.out.add((node, URIRef(DCTERMS + "isPartOf"), kb(source)), origin)
        elif section is MAPPING:
            concept = members.get("concept")
            relation = members.get("relation")
            code = members.get("code")
            target = self.out.graph.value(node, URIRef(OWL + "annotatedTarget"))
            if (
                concept
                and code
                and target is not None
                and relation is not None
                and relation.value in MAPPING_RELATIONS
            ):
                predicate = URIRef(MAPPING_RELATIONS[relation.value])
                self.out.add((kb(str(concept.value)), predicate, target), origin)
