"""Parse one source into pyoxigraph quads: ~20x faster than rdflib, with rdflib's error texts.

Turtle and N-Triples are parsed by pyoxigraph. When pyoxigraph refuses a file, rdflib parses
it again: either rdflib refuses it too, and its reason is reported (the same one-line error
as ever), or rdflib accepts it (say an IRI oxigraph finds invalid but rdflib does not), and
rdflib's triples are used after the usual term checks. RDF/XML and JSON-LD are always read
by rdflib, so what those syntaxes may fetch stays under loading's control.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from nephrokb.errors import InputError
from nephrokb.namespaces import RDF_REST
from nephrokb.rdf.sources import SourceText, base_iri
from nephrokb.rdf.terms import to_oxigraph, to_quad

OXIGRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
RDF_REST_NODE = ox.NamedNode(RDF_REST)
# rdflib, the locator and the serializers recurse once per level of blank-node nesting;
# pyoxigraph does not, so deeper nesting than this is refused as rdflib would refuse it.
MAX_NESTING = 200


@dataclass(frozen=True)
class ParsedSource:
    """One source's triples (pyoxigraph quads in the default graph) and its prefixes."""

    source: SourceText
    quads: list
    prefixes: dict[str, str]


def parse_source(source: SourceText) -> ParsedSource:
    """Parse one source, raising InputError (file and line) when it cannot be read."""
    syntax = OXIGRAPH_FORMATS.get(source.syntax)
    parsed = None
    if syntax is not None:
        # Fresh blank nodes for every file, as an RDF merge (and Store.load) gives them.
        base = base_iri(source.path)
        parser = ox.parse(input=source.text, format=syntax, base_iri=base, rename_blank_nodes=True)
        try:
            parsed = ParsedSource(source, list(parser), dict(parser.prefixes))
        except SyntaxError:
            parsed = None
    if parsed is None:
        parsed = parse_with_rdflib(source)
    if not parsed.quads:
        raise InputError("holds no RDF triples", path=str(source.path))
    if nesting_depth(blank_node_edges(parsed.quads)) > MAX_NESTING:
        raise InputError(
            "is nested too deeply to parse (collections or blank nodes)", path=str(source.path)
        )
    return parsed


def add_source(store: ox.Store, source: SourceText) -> None:
    """Add one source's triples to a store, parsed in Rust; parse_source's errors if it fails.

    Nesting depth is not checked here: check the whole store with `check_nesting`.
    """
    syntax = OXIGRAPH_FORMATS.get(source.syntax)
    if syntax is not None:
        base = base_iri(source.path)
        try:
            first = next(ox.parse(input=source.text, format=syntax, base_iri=base), None)
            if first is not None:
                store.load(input=source.text, format=syntax, base_iri=base)
                return
        except SyntaxError:
            pass  # parse_source explains it (or rdflib accepts the file)
    store.extend(parse_source(source).quads)


def check_nesting(store: ox.Store, sources: Sequence[SourceText]) -> None:
    """Refuse the source that nests blank nodes too deeply, if the store holds one."""
    query = f"""SELECT ?parent ?child WHERE {{
        ?parent ?link ?child .
        FILTER (isBlank(?parent) && isBlank(?child) && ?link != <{RDF_REST}>)
    }}"""
    if nesting_depth((row[0], row[1]) for row in store.query(query)) > MAX_NESTING:
        for source in sources:
            parse_source(source)  # raises for the file that nests too deeply


def blank_node_edges(quads: list) -> Iterator[tuple]:
    """Yield (parent, child) for each blank node held inside another (list tails excepted)."""
    for quad in quads:
        subject, value = quad.subject, quad.object
        nested = isinstance(value, ox.BlankNode) and isinstance(subject, ox.BlankNode)
        if nested and quad.predicate != RDF_REST_NODE:
            yield subject, value


def nesting_depth(edges: Iterable[tuple]) -> int:
    """Return the longest chain of blank nodes held inside blank nodes, given the links.

    That is how deeply `[ ... ]` and `( ... )` nest in Turtle; a flat list is depth 1.
    """
    inside: dict = {}
    for parent, child in edges:
        inside.setdefault(parent, []).append(child)
    depth: dict = {}
    for start in inside:
        stack = [start]
        while stack:
            node = stack[-1]
            pending = [child for child in inside.get(node, ()) if child not in depth]
            if pending and len(stack) <= MAX_NESTING + 1:
                stack.extend(child for child in pending if child not in stack)
                if stack[-1] is not node:
                    continue
            below = (depth.get(child, 0) for child in inside.get(node, ()))
            depth[node] = 1 + max(below, default=0)
            stack.pop()
    return max(depth.values(), default=0)


def parse_with_rdflib(source: SourceText) -> ParsedSource:
    """Parse with rdflib (its error if it refuses too), then hand over its triples."""
    graph = Graph(bind_namespaces="none")
    parse_into(graph, source)
    check_terms(graph, [source])
    quads = []
    for triple in graph:
        refuse_generalized(source, triple)
        try:
            quads.append(to_quad(triple))
        except ValueError:
            term = next(str(t) for t in triple if not is_convertible(t))
            raise located([source], f"invalid IRI <{term}>", term) from None
    prefixes = {prefix: str(namespace) for prefix, namespace in graph.namespaces()}
    return ParsedSource(source, quads, prefixes)


def refuse_generalized(source: SourceText, triple: tuple) -> None:
    """Refuse what rdflib accepts but RDF does not: a literal subject, a non-IRI predicate."""
    subject, predicate, _ = triple
    if isinstance(subject, Literal):
        raise located([source], f"a literal ({subject.n3()}) cannot be a subject", str(subject))
    if not isinstance(predicate, URIRef):
        raise located([source], f"{predicate.n3()} cannot be a predicate", str(predicate))


def is_convertible(term) -> bool:
    """True when pyoxigraph accepts the term."""
    try:
        to_oxigraph(term)
    except ValueError:
        return False
    return True


INVALID_IRI_CHARACTERS = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def parse_into(graph: Graph, source: SourceText) -> None:
    """Parse one source into `graph`, raising InputError with file and line."""
    base = base_iri(source.path)
    before = len(graph)
    try:
        graph.parse(data=source.text, format=source.syntax, publicID=base)
    except RecursionError:
        raise InputError(
            "is nested too deeply to parse (collections or blank nodes)", path=str(source.path)
        ) from None
    except Exception as error:  # rdflib raises many types; all mean unreadable input
        raise InputError(
            describe_parse_error(error, source.syntax),
            path=str(source.path),
            line=error_line(error, source.text),
        ) from None
    if len(graph) == before and holds_no_triples(source, base):
        raise InputError("holds no RDF triples", path=str(source.path))


def holds_no_triples(source: SourceText, base: str) -> bool:
    """True when a source parses to nothing (not merely to triples already loaded)."""
    return (
        not source.text.strip()
        or len(Graph().parse(data=source.text, format=source.syntax, publicID=base)) == 0
    )


def error_line(error: Exception, text: str) -> int | None:
    """Return the 1-based line a parser error points at, if it says."""
    position = getattr(error, "_i", None)
    source = getattr(error, "_str", None)
    if isinstance(position, int) and isinstance(source, bytes | str):
        before = source[:position]
        return (before.count(b"\n") if isinstance(before, bytes) else before.count("\n")) + 1
    line = getattr(error, "lineno", None) or getattr(error, "getLineNumber", lambda: None)()
    if isinstance(line, int):
        return line
    match = re.search(r"line (\d+)", str(error))
    return int(match.group(1)) if match else None


def describe_parse_error(error: Exception, syntax: str = "turtle") -> str:
    """Return the parser's reason in one line, without its echo of the input."""
    why = getattr(error, "_why", None) or str(error) or type(error).__name__
    name = {"turtle": "Turtle", "nt": "N-Triples", "xml": "RDF/XML", "json-ld": "JSON-LD"}
    return f"{name.get(syntax, syntax)} syntax error: " + " ".join(str(why).split())[:300]


def check_terms(graph: Graph, sources: Sequence[SourceText]) -> None:
    """Refuse IRIs with characters IRIs may not hold and literals that are not of their type."""
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and INVALID_IRI_CHARACTERS.search(term):
                raise located(sources, f"invalid IRI <{term}>", str(term))
            if isinstance(term, Literal) and getattr(term, "ill_typed", False):
                raise located(
                    sources,
                    f'literal "{term}" is not a valid {term.datatype}',
                    str(term),
                )


def located(sources: Sequence[SourceText], message: str, needle: str) -> InputError:
    """Return an InputError naming the first file and line whose text holds `needle`."""
    for source in sources:
        index = source.text.find(needle)
        if index >= 0:
            line = source.text.count("\n", 0, index) + 1
            return InputError(message, path=str(source.path), line=line)
    return InputError(message, path=str(sources[0].path) if sources else None)
