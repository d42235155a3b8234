"""Serialize a graph as nephrokb's canonical Turtle: deterministic, sorted, diff-friendly.

Rules (a function of the triples alone, so equal graphs give equal bytes):
- prefixes: only the ones used, sorted by name;
- subjects: ontology header first, then source documents and excerpts, procedures, steps
  (by procedure, then step number), then everything else by IRI;
- predicates: `a` first, then rdfs:label, then by compact name; objects sorted the same way
  as subjects, one per line when there are several;
- blank nodes referenced once are written inline (`[ ... ]`, or `( ... )` for lists); others
  get labels derived from rdflib's canonical hashing;
- literals: xsd:string plain, canonical integers/decimals/booleans bare, multi-line strings
  in triple quotes. rdflib parses typed literals to their canonical lexical form
  ("007"^^xsd:integer becomes 7), so that normalization is part of the canonical form.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rdflib import BNode, Literal, URIRef
from rdflib.compare import to_canonical_graph

from nephrokb.namespaces import (
    HAS_STEP,
    OWL,
    RDF_FIRST,
    RDF_NIL,
    RDF_REST,
    RDF_TYPE,
    RDFS_LABEL,
    STEP_NUMBER,
    VOCAB,
    XSD,
    XSD_STRING,
)

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

INDENT = "    "
PN_LOCAL = re.compile(r"([A-Za-z0-9_]([A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?)?")
BARE_LITERALS = {
    XSD + "integer": re.compile(r"-?(0|[1-9][0-9]*)"),
    XSD + "decimal": re.compile(r"-?(0|[1-9][0-9]*)\.[0-9]+"),
    XSD + "boolean": re.compile(r"true|false"),
}
PREDICATE_ORDER = [RDF_TYPE, RDFS_LABEL]
TYPE_ORDER = [
    OWL + "Ontology",
    VOCAB + "SourceDocument",
    VOCAB + "SourceExcerpt",
    VOCAB + "Procedure",
    VOCAB + "Step",
    OWL + "Class",
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
]
LINE_NUMBER = VOCAB + "lineNumber"


def serialize_canonical(
    graph: Graph, prefixes: dict[str, str], *, header: str = "", base: str | None = None
) -> str:
    """Return `graph` as canonical Turtle using `prefixes`; IRIs under `base` stay relative."""
    writer = CanonicalWriter(to_canonical_graph(graph), prefixes, base)
    body = writer.body()
    lines = [header.rstrip("\n"), ""] if header.strip() else []
    lines += [f"@prefix {name}: <{ns}> ." for name, ns in sorted(writer.used_prefixes.items())]
    if body:
        lines += ["", body]
    text = "\n".join(lines).rstrip("\n")
    return text + "\n" if text else ""


class CanonicalWriter:
    """Renders one graph; remembers which prefixes the rendering used."""

    def __init__(self, graph: Graph, prefixes: dict[str, str], base: str | None):
        self.graph = graph
        # Longest namespace first, so that nested namespaces pick the most specific prefix.
        self.prefixes = sorted(prefixes.items(), key=lambda item: (-len(item[1]), item[0]))
        self.base = base
        self.used_prefixes: dict[str, str] = {}
        self.object_counts: dict[Node, int] = {}
        for obj in graph.objects():
            self.object_counts[obj] = self.object_counts.get(obj, 0) + 1
        self.step_procedure: dict[Node, str] = {}
        for procedure, step in graph.subject_objects(uri(HAS_STEP)):
            # A step listed by several procedures sorts under the first of them by name.
            known = self.step_procedure.get(step)
            self.step_procedure[step] = min(known, str(procedure)) if known else str(procedure)

    def body(self) -> str:
        """Render every top-level subject block, separated by blank lines."""
        subjects = {s for s in self.graph.subjects() if not self.is_inline(s)}
        ordered = sorted(subjects, key=self.sort_key)
        blocks = [self.subject_block(s) for s in ordered if not isinstance(s, BNode)]
        blocks += sorted(self.subject_block(s) for s in ordered if isinstance(s, BNode))
        return "\n\n".join(blocks)

    def is_inline(self, node: Node) -> bool:
        """True for a blank node written inside its only referrer."""
        return (
            isinstance(node, BNode)
            and self.object_counts.get(node, 0) == 1
            and not self.is_on_cycle(node)
        )

    def is_on_cycle(self, node: Node) -> bool:
        """True when following blank-node objects from `node` leads back to it."""
        seen, frontier = set(), [node]
        while frontier:
            current = frontier.pop()
            for obj in self.graph.objects(current):
                if obj == node:
                    return True
                if isinstance(obj, BNode) and obj not in seen:
                    seen.add(obj)
                    frontier.append(obj)
        return False

    def sort_key(self, node: Node) -> tuple:
        """Order nodes: by type rank, then procedure and step/line number, then name."""
        types = {str(t) for t in self.graph.objects(node, uri(RDF_TYPE))}
        rank = min((TYPE_ORDER.index(t) for t in types if t in TYPE_ORDER), default=len(TYPE_ORDER))
        procedure = self.step_procedure.get(node, "")
        numbers = [
            int(str(value))
            for predicate in (STEP_NUMBER, LINE_NUMBER)
            for value in self.graph.objects(node, uri(predicate))
            if str(value).isascii() and str(value).isdigit()
        ]
        position = min(numbers, default=0)
        return (rank, procedure, position, self.term(node, record=False))

    def subject_block(self, subject: Node) -> str:
        """Render `subject` with all its predicates, ending in ' .'."""
        pairs = self.predicate_lines(subject, INDENT)
        head = self.term(subject)
        first, *rest = pairs
        if " " in first.split("\n", 1)[0].strip():
            return " ;\n".join([f"{head} {first.strip()}", *rest]) + " ."
        # The first predicate lists several objects: start them below the subject.
        return head + "\n" + " ;\n".join(pairs) + " ."

    def predicate_lines(self, subject: Node, indent: str) -> list[str]:
        """Render each predicate of `subject` with its sorted objects."""
        predicates = sorted(set(self.graph.predicates(subject)), key=self.predicate_key)
        lines = []
        for predicate in predicates:
            objects = sorted(self.graph.objects(subject, predicate), key=self.object_key)
            name = "a" if str(predicate) == RDF_TYPE else self.term(predicate)
            rendered = [self.render_object(obj, indent) for obj in objects]
            if len(rendered) == 1:
                lines.append(f"{indent}{name} {rendered[0]}")
            else:
                inner = ",\n".join(f"{indent}{INDENT}{text}" for text in rendered)
                lines.append(f"{indent}{name}\n{inner}")
        return lines

    def predicate_key(self, predicate: Node) -> tuple:
        text = str(predicate)
        rank = PREDICATE_ORDER.index(text) if text in PREDICATE_ORDER else len(PREDICATE_ORDER)
        return (rank, self.term(predicate, record=False))

    def object_key(self, obj: Node) -> tuple:

        if isinstance(obj, Literal):
            return (2, self.literal(obj), ())
        if self.is_inline(obj):
            return (1, self.render_object(obj, ""), ())
        return (0, "", self.sort_key(obj))

    def render_object(self, obj: Node, indent: str) -> str:
        """Render an object: a term, an inline blank node or a collection."""
        if isinstance(obj, Literal):
            return self.literal(obj)
        if not self.is_inline(obj):
            return self.term(obj)
        items = self.collection_items(obj)
        if items is not None:
            return "( " + " ".join(self.render_object(i, indent) for i in items) + " )"
        inner = self.predicate_lines(obj, indent + INDENT)
        if len(inner) == 1 and "\n" not in inner[0] and "[" not in inner[0]:
            return f"[ {inner[0].strip()} ]"
        return "[\n" + " ;\n".join(inner) + f"\n{indent}]"

    def collection_items(self, node: Node) -> list[Node] | None:
        """Return the members of a well-formed rdf:List starting at `node`, else None."""
        items: list[Node] = []
        current = node
        while str(current) != RDF_NIL:
            predicates = {str(p) for p in self.graph.predicates(current)}
            if predicates != {RDF_FIRST, RDF_REST} or not self.is_inline(current):
                return None
            if len(list(self.graph.objects(current, uri(RDF_FIRST)))) != 1:
                return None
            items.append(self.graph.value(current, uri(RDF_FIRST)))
            rests = list(self.graph.objects(current, uri(RDF_REST)))
            if len(rests) != 1:
                return None
            current = rests[0]
        return items

    def term(self, node: Node, *, record: bool = True) -> str:
        """Render an IRI as a prefixed name when possible, a blank node as a label."""
        if isinstance(node, BNode):
            return f"_:{node}"
        text = str(node)
        if text == RDF_NIL:
            return "()"
        if self.base and text.startswith(self.base):
            return f"<{escape_iri(text[len(self.base) :])}>"
        for name, namespace in self.prefixes:
            local = text[len(namespace) :]
            if text.startswith(namespace) and PN_LOCAL.fullmatch(local):
                if record:
                    self.used_prefixes[name] = namespace
                return f"{name}:{local}"
        return f"<{escape_iri(text)}>"

    def literal(self, literal) -> str:
        """Render a literal in its canonical form."""
        lexical = str(literal)
        datatype = str(literal.datatype) if literal.datatype else None
        if datatype in BARE_LITERALS and BARE_LITERALS[datatype].fullmatch(lexical):
            return lexical
        text = quote(lexical)
        if literal.language:
            return f"{text}@{literal.language}"
        if datatype and datatype != XSD_STRING:
            return f"{text}^^{self.term(uri(datatype))}"
        return text


def uri(text: str):

    return URIRef(text)


def escape_iri(text: str) -> str:
    """Escape the characters that may not appear raw inside <...>."""
    return "".join(
        c if c not in '<>"{}|^`\\ ' and ord(c) > 0x20 else f"\\u{ord(c):04X}" for c in text
    )


def quote(lexical: str) -> str:
    """Quote a string: one line with escapes, or triple quotes when it spans lines."""
    if "\n" not in lexical:
        escaped = (
            lexical.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\r", "\\r")
            .replace("\t", "\\t")
        )
        return f'"{escaped}"'
    body = lexical.replace("\\", "\\\\").replace("\r", "\\r")
    return '"""' + escape_quote_runs(body) + '"""'


def escape_quote_runs(text: str) -> str:
    """Escape a quote that ends the text or starts a run, so no unescaped `\"\"\"` appears."""
    out: list[str] = []
    for index, char in enumerate(text):
        following = text[index + 1] if index + 1 < len(text) else None
        out.append('\\"' if char == '"' and following in ('"', None) else char)
    return "".join(out)
