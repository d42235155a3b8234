"""Read RDF files and folders into one rdflib graph, refusing anything unsafe or malformed.

Folders contribute their Turtle (.ttl) files; a file named directly is read by its suffix
(Turtle, N-Triples, RDF/XML, JSON-LD). Nothing is fetched: RDF/XML may not declare a DTD
or entities, JSON-LD may not name a remote @context, and owl:imports is never followed.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nephrokb.authoring import AUTHORING_SUFFIXES
from nephrokb.errors import InputError

if TYPE_CHECKING:
    from pyoxigraph import Store
    from rdflib import Graph

TURTLE_SUFFIX = ".ttl"
STDIN = "-"
FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
}
DEFAULT_MAX_INPUT_BYTES = 64 * 1024 * 1024
MAX_INPUT_VARIABLE = "NEPHROKB_MAX_INPUT_BYTES"
UNSAFE_XML = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
INVALID_IRI_CHARACTERS = re.compile(r'[\x00-\x20<>"{}|^`\\]')


@dataclass(frozen=True)
class SourceText:
    """One input file as read: its path, its text and the RDF syntax it is parsed as."""

    path: Path
    text: str
    syntax: str
    # For a procedure file (YAML): where each node and triple was typed, and the problems
    # found compiling it (nephrokb.authoring.source.Authored); `text` is the compiled Turtle.
    authored: object | None = None


def resolve_turtle_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (recursively, sorted) into the files to read.

    `-` stands for standard input (read as Turtle) and is passed through as Path("-").
    """
    resolved: list[Path] = []
    for given in paths:
        path = Path(given)
        if str(given) == STDIN:
            resolved.append(path)
            continue
        if path.is_dir():
            found = sorted(p for p in path.rglob(f"*{TURTLE_SUFFIX}") if p.is_file())
            if not found:
                raise InputError("folder holds no Turtle (.ttl) files", path=str(path))
            resolved.extend(found)
        elif path.is_file():
            resolved.append(path)
        elif path.exists():
            raise InputError("not a regular file or folder (a FIFO or device?)", path=str(path))
        else:
            raise InputError("no such file or folder", path=str(path))
    return resolved


def syntax_of(path: Path) -> str:
    """Return the rdflib parser name for a file, from its suffix (Turtle by default)."""
    return FORMATS.get(path.suffix.lower(), "turtle")


def max_input_bytes() -> int:
    """Return the largest input file accepted, from NEPHROKB_MAX_INPUT_BYTES if set."""
    configured = os.environ.get(MAX_INPUT_VARIABLE, "")
    return int(configured) if configured.isdigit() else DEFAULT_MAX_INPUT_BYTES


def read_text(path: Path) -> str:
    """Read a file (or standard input for `-`) as UTF-8, naming the line of the first bad byte."""
    limit = max_input_bytes()
    try:
        if str(path) == STDIN:
            raw = sys.stdin.buffer.read(limit + 1)
        else:
            if path.stat().st_size > limit:
                raise too_large(path, limit)
            raw = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", path=str(path)) from error
    if len(raw) > limit:
        raise too_large(path, limit)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(
            "is not UTF-8 text; re-save it as UTF-8", path=str(path), line=line
        ) from error


def too_large(path: Path, limit: int) -> InputError:
    return InputError(
        f"is larger than {limit} bytes; raise {MAX_INPUT_VARIABLE} to read it", path=str(path)
    )


def read_source(path: Path) -> SourceText:
    """Read one input file and check that its syntax fetches nothing."""
    if path.suffix.lower() in AUTHORING_SUFFIXES:
        from nephrokb.authoring.source import read_authoring_source

        return read_authoring_source(path)
    text = read_text(path)
    syntax = "turtle" if str(path) == STDIN else syntax_of(path)
    if syntax == "xml":
        refuse_xml_declarations(path, text)
    elif syntax == "json-ld":
        refuse_remote_contexts(path, text)
    return SourceText(path=path, text=text, syntax=syntax)


def refuse_xml_declarations(path: Path, text: str) -> None:
    """Refuse RDF/XML with a DTD or entity declarations (XXE, entity expansion)."""
    match = UNSAFE_XML.search(text)
    if match:
        raise InputError(
            "RDF/XML with a DTD or entity declarations is not read; remove the <!DOCTYPE>",
            path=str(path),
            line=text.count("\n", 0, match.start()) + 1,
        )


def refuse_remote_contexts(path: Path, text: str) -> None:
    """Refuse JSON-LD whose @context or @import names a document to fetch."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"JSON syntax error: {error.msg}", path=str(path), line=error.lineno
        ) from None
    for reference in remote_references(document):
        raise InputError(
            f"JSON-LD names a remote context {reference!r}, which is not fetched; "
            "inline the context instead",
            path=str(path),
        )


def remote_references(node) -> Iterator[str]:
    """Yield every string given as an @context or @import anywhere in a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@import"):
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str):
                        yield item
            yield from remote_references(value)
    elif isinstance(node, list):
        for item in node:
            yield from remote_references(item)


def base_iri(path: Path) -> str:
    """Return the base IRI a file is parsed with (standard input has a fixed one)."""
    return "file:///dev/stdin" if str(path) == STDIN else path.resolve().as_uri()


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
    from rdflib import Graph

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
    from rdflib import Literal, URIRef

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


@contextlib.contextmanager
def garbage_collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building large graphs, then resume.

    Loading creates millions of objects and no cycles worth collecting; the collector's
    passes over them cost ~20% of a full validation at 1,000 procedures, more beyond.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_sources(paths: Iterable[str | Path]) -> tuple[Graph, list[SourceText]]:
    """Read and parse every file under `paths` into one checked graph, keeping the texts."""
    loaded = load_dataset(paths)
    return loaded.graph, loaded.sources


@dataclass
class Dataset:
    """Files parsed into one rdflib graph (and, when asked for, a pyoxigraph store).

    `subjects[i]` holds the (pyoxigraph) subjects of `sources[i]`, so that a node can be
    traced to the files describing it without reading them again; `described[i]` those
    that `sources[i]` types or labels, and `prefixes[i]` the prefixes it declares (see
    nephrokb.validation.source_checks). `triples_read` counts
    the distinct triples of each file, summed (a triple two files state counts twice).
    """

    graph: Graph
    store: Store | None
    sources: list[SourceText]
    subjects: list[frozenset]
    described: list[frozenset] = field(default_factory=list)
    prefixes: list[dict[str, str]] = field(default_factory=list)
    triples_read: int = 0


def load_dataset(paths: Iterable[str | Path], *, with_store: bool = False) -> Dataset:
    """Parse every file under `paths` into one checked rdflib graph (and pyoxigraph store)."""
    return parse_sources((read_source(path) for path in resolve_turtle_files(paths)), with_store)


def parse_sources(sources: Iterable[SourceText], with_store: bool = False) -> Dataset:
    """Parse sources into one checked rdflib graph (and pyoxigraph store).

    Files are parsed by pyoxigraph (see nephrokb.rdf.parsing); the graph lives in a
    PredicateStore, which builds about 4x faster than rdflib's default store.
    """
    import pyoxigraph
    from rdflib import Graph

    from nephrokb.rdf.parsing import parse_source
    from nephrokb.rdf.predicate_store import PredicateStore
    from nephrokb.rdf.terms import RdflibTerms
    from nephrokb.validation.source_checks import DESCRIBING_PREDICATES

    graph = Graph(store=PredicateStore())
    store = pyoxigraph.Store() if with_store else None
    convert = RdflibTerms()
    typed, named = (pyoxigraph.NamedNode(iri) for iri in DESCRIBING_PREDICATES)
    loaded = Dataset(graph=graph, store=store, sources=[], subjects=[])
    for source in sources:
        parsed = parse_source(source)
        graph.store.add_triples(
            (convert(q.subject), convert(q.predicate), convert(q.object)) for q in parsed.quads
        )
        for prefix, namespace in parsed.prefixes.items():
            graph.bind(prefix, namespace)
        if store is not None:
            store.extend(parsed.quads)
        loaded.sources.append(parsed.source)
        loaded.subjects.append(frozenset(quad.subject for quad in parsed.quads))
        # Comparing with == is ~8x faster than hashing pyoxigraph terms for a set lookup.
        loaded.described.append(
            frozenset(q.subject for q in parsed.quads if q.predicate in (typed, named))
        )
        loaded.prefixes.append(parsed.prefixes)
        loaded.triples_read += len(set(parsed.quads))
        for literal in convert.ill_typed:  # the literals first seen in this file
            raise ill_typed_error([parsed.source], literal)
    return loaded


def load_store(paths: Iterable[str | Path]) -> tuple[Store, list[SourceText]]:
    """Parse every file under `paths` into one checked pyoxigraph store (default graph).

    For work done in pyoxigraph (SPARQL, serialization), where no rdflib graph is needed.
    """
    import pyoxigraph

    from nephrokb.rdf.parsing import add_source, check_nesting
    from nephrokb.rdf.terms import RdflibTerms

    store = pyoxigraph.Store()
    sources = []
    for path in resolve_turtle_files(paths):
        source = read_source(path)
        add_source(store, source)
        sources.append(source)
    check_nesting(store, sources)
    convert = RdflibTerms()
    for solution in store.query(TYPED_LITERALS):
        convert(solution[0])
    for literal in convert.ill_typed:
        raise ill_typed_error(sources_holding(sources, literal), literal)
    return store, sources


TYPED_LITERALS = """SELECT DISTINCT ?value WHERE {
    ?subject ?predicate ?value .
    FILTER (isLiteral(?value) && !(datatype(?value) IN (
        <http://www.w3.org/2001/XMLSchema#string>,
        <http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>)))
}"""


def ill_typed_error(sources: Sequence[SourceText], literal) -> InputError:
    """Return the error for a literal whose lexical form is not of its datatype.

    The line is the first in `sources` where the lexical form is written in quotes (or,
    failing that, at all).
    """
    message = f'literal "{literal}" is not a valid {literal.datatype}'
    quoted = f'"{literal}"'
    if any(quoted in source.text for source in sources):
        return located(sources, message, quoted)
    return located(sources, message, str(literal))


def sources_holding(sources: Sequence[SourceText], literal) -> list[SourceText]:
    """Return the sources whose triples hold `literal` (parses again: for errors only)."""
    from nephrokb.rdf.parsing import parse_source
    from nephrokb.rdf.terms import to_oxigraph

    wanted = to_oxigraph(literal)
    return [
        source
        for source in sources
        if any(quad.object == wanted for quad in parse_source(source).quads)
    ]


def load_knowledge(data: Sequence[str | Path] | None = None) -> Graph:
    """Load the --data paths of a command, or the bundled knowledge base when there are none."""
    from nephrokb.resources import bundled_folder

    return load_graph(list(data) if data else [bundled_folder("kb")])


def load_graph(paths: Iterable[str | Path]) -> Graph:
    """Load every file under `paths` into one graph."""
    return load_sources(paths)[0]
