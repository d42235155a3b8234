"""Load knowledge: files and folders parsed into one checked rdflib graph or pyoxigraph store.

`load` is the one entry point for "the knowledge": what a command or API call reads (its
`data`, else the bundled kb/, decided by `resources.knowledge_paths`) plus bundled folders,
into a Graph, a Store or a Dataset. Every command that reads the knowledge calls it.

Beneath it, the loaders of exact paths (no default), for callers that are given or must
choose the files themselves: `load_graph`, `load_store`, `load_dataset` (and
`parse_sources`, for texts not read from disk). They serve the shapes and the ontology
(validation.shapes, site, stats), both sides of a diff, a release's kb files, the FHIR
check, and validation, which resolves the files itself (its report lists them) and builds
the pyoxigraph store only for the fast engine.

Two mechanisms load knowledge otherwise, on purpose:
- `rdf.git_revisions.load_revision` parses files as a git revision holds them (diff,
  changelog, release notes) through `parse_sources`; `quads_at` gives their quads alone
  (what `validate --changed-since` compares);
- `rdf.triple_cache.TripleCache` serves the triples of unchanged files from an on-disk
  cache (`validate --changed-since`, see `validation.engine.cached_knowledge`), parsing only
  the files that changed.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pyoxigraph
from rdflib import Graph

from nephrokb.authoring import AUTHORING_SUFFIXES
from nephrokb.errors import InputError
from nephrokb.namespaces import RDF_LANG_STRING, RDF_TYPE, RDFS_LABEL, XSD_STRING
from nephrokb.rdf.authored import read_authoring_source
from nephrokb.rdf.parsing import add_source, check_nesting, located, parse_source
from nephrokb.rdf.predicate_store import PredicateStore
from nephrokb.rdf.sources import SourceText, read_rdf_source, resolve_turtle_files
from nephrokb.rdf.terms import RdflibTerms, to_oxigraph
from nephrokb.resources import knowledge_paths

if TYPE_CHECKING:
    from pyoxigraph import Store

# A file "describes" a node when it types or labels it (see nephrokb.validation.source_checks).
DESCRIBING_PREDICATES = (RDF_TYPE, RDFS_LABEL)


def read_source(path: Path) -> SourceText:
    """Read one input file: RDF, or a procedure file (YAML, xlsx) compiled to Turtle."""
    if path.suffix.lower() in AUTHORING_SUFFIXES:
        return read_authoring_source(path)
    return read_rdf_source(path)


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


def load_dataset(
    paths: Iterable[str | Path],
    *,
    with_store: bool = False,
    terms: RdflibTerms | None = None,
    traced: bool = True,
) -> Dataset:
    """Parse every file under `paths` into one checked rdflib graph (and pyoxigraph store)."""
    sources = (read_source(path) for path in resolve_turtle_files(paths))
    return parse_sources(sources, with_store, terms, traced)


def parse_sources(
    sources: Iterable[SourceText],
    with_store: bool = False,
    terms: RdflibTerms | None = None,
    traced: bool = True,
) -> Dataset:
    """Parse sources into one checked rdflib graph (and pyoxigraph store).

    Files are parsed by pyoxigraph (see nephrokb.rdf.parsing); the graph lives in a
    PredicateStore, which builds about 4x faster than rdflib's default store. Graphs loaded
    with the same `terms` share their rdflib terms: each is built once, and comparing the
    graphs compares the same objects. Unless `traced` is False, the Dataset also records
    each file's subjects, described nodes and distinct triples (what validation reports).
    """
    graph = Graph(store=PredicateStore())
    store = pyoxigraph.Store() if with_store else None
    convert = terms if terms is not None else RdflibTerms()
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
        loaded.prefixes.append(parsed.prefixes)
        if traced:
            loaded.subjects.append(frozenset(quad.subject for quad in parsed.quads))
            # Comparing with == is ~8x faster than hashing pyoxigraph terms for a set lookup.
            loaded.described.append(
                frozenset(q.subject for q in parsed.quads if q.predicate in (typed, named))
            )
            loaded.triples_read += len(set(parsed.quads))
        for literal in convert.ill_typed:  # the literals first seen in this file
            raise ill_typed_error([parsed.source], literal)
    return loaded


def load_store(paths: Iterable[str | Path]) -> Store:
    """Parse every file under `paths` into one checked pyoxigraph store (default graph).

    For work done in pyoxigraph (SPARQL, serialization), where no rdflib graph is needed.
    """
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
    return store


TYPED_LITERALS = f"""SELECT DISTINCT ?value WHERE {{
    ?subject ?predicate ?value .
    FILTER (isLiteral(?value) && !(datatype(?value) IN (
        <{XSD_STRING}>,
        <{RDF_LANG_STRING}>)))
}}"""


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
    wanted = to_oxigraph(literal)
    return [
        source
        for source in sources
        if any(quad.object == wanted for quad in parse_source(source).quads)
    ]


LOAD_TARGETS = ("graph", "store", "dataset")


def load(
    data: Sequence[str | Path] | None = None,
    *,
    include: Sequence[str] = (),
    into: Literal["graph", "store", "dataset"] = "graph",
) -> Graph | Store | Dataset:
    """Load knowledge: the `data` files and folders (default: the bundled kb/) and the bundled
    `include` folders ("ontology", "shapes"), into an rdflib Graph, a pyoxigraph Store, or a
    Dataset (both, with the source texts and where each node is written).

    Example:
        >>> graph = load()                            # the bundled knowledge base
        >>> store = load(["kb/"], include=["ontology"], into="store")
    """
    paths = knowledge_paths(data, include)
    if into == "graph":
        return load_dataset(paths, traced=False).graph
    if into == "store":
        return load_store(paths)
    if into == "dataset":
        return load_dataset(paths, with_store=True)
    raise ValueError(f"cannot load into {into!r}; choose from: {', '.join(LOAD_TARGETS)}")


def load_graph(paths: Iterable[str | Path], *, terms: RdflibTerms | None = None) -> Graph:
    """Load every file under exactly `paths` (no default) into one graph (see parse_sources
    for `terms`)."""
    return load_dataset(paths, terms=terms, traced=False).graph
