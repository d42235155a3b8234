"""Parse one source into pyoxigraph quads: ~20x faster than rdflib, with rdflib's error texts.

Turtle and N-Triples are parsed by pyoxigraph. When pyoxigraph refuses a file, rdflib parses
it again: either rdflib refuses it too, and its reason is reported (the same one-line error
as ever), or rdflib accepts it (say an IRI oxigraph finds invalid but rdflib does not), and
rdflib's triples are used after the usual term checks. RDF/XML and JSON-LD are always read
by rdflib, so what those syntaxes may fetch stays under loading's control.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from nephrokb.errors import InputError
from nephrokb.rdf.loading import SourceText, base_iri, check_terms, located, parse_into

OXIGRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
RDF_REST = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")
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
        FILTER (isBlank(?parent) && isBlank(?child) && ?link != <{RDF_REST.value}>)
    }}"""
    if nesting_depth((row[0], row[1]) for row in store.query(query)) > MAX_NESTING:
        for source in sources:
            parse_source(source)  # raises for the file that nests too deeply


def blank_node_edges(quads: list) -> Iterator[tuple]:
    """Yield (parent, child) for each blank node held inside another (list tails excepted)."""
    for quad in quads:
        subject, value = quad.subject, quad.object
        nested = isinstance(value, ox.BlankNode) and isinstance(subject, ox.BlankNode)
        if nested and quad.predicate != RDF_REST:
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
    from rdflib import Graph

    from nephrokb.rdf.terms import to_quad

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
    from rdflib import Literal, URIRef

    subject, predicate, _ = triple
    if isinstance(subject, Literal):
        raise located([source], f"a literal ({subject.n3()}) cannot be a subject", str(subject))
    if not isinstance(predicate, URIRef):
        raise located([source], f"{predicate.n3()} cannot be a predicate", str(predicate))


def is_convertible(term) -> bool:
    """True when pyoxigraph accepts the term."""
    from nephrokb.rdf.terms import to_oxigraph

    try:
        to_oxigraph(term)
    except ValueError:
        return False
    return True
