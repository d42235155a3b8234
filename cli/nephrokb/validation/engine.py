"""Validate knowledge against the bundled (or a user's) SHACL shapes; return a located Report."""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pyoxigraph
from rdflib import RDFS, BNode, Graph, Namespace

from nephrokb.errors import ShapesError
from nephrokb.namespaces import SH
from nephrokb.rdf.loading import garbage_collection_paused, load_dataset
from nephrokb.rdf.sources import STDIN, resolve_turtle_files
from nephrokb.rdf.stores import store_of
from nephrokb.rdf.terms import to_quad
from nephrokb.rdf.triple_cache import TripleCache, cache_folder
from nephrokb.resources import current_checkout, knowledge_paths
from nephrokb.validation import (
    core_evaluation,
    source_checks,
    sparql_constraints,
    vocabulary_checks,
)
from nephrokb.validation.incremental import (
    affected_nodes,
    changed_nodes_since,
    covers,
    focus_subgraph,
)
from nephrokb.validation.locations import Locations, locate_results, named_nodes
from nephrokb.validation.plan import ValidationPlan, make_plan
from nephrokb.validation.results import Report, ValidationResult
from nephrokb.validation.shapes import ShapesAndOntology, bundled_shapes, load_shapes

if TYPE_CHECKING:
    from rdflib.term import Node


ENGINES = ("fast", "pyshacl")


def validate(
    data: Sequence[str | Path] | None = None,
    *,
    shapes: Sequence[str | Path] = (),
    only_shapes: Sequence[str | Path] | None = None,
    engine: str = "fast",
) -> Report:
    """Validate the Turtle files or folders in `data` (default: the bundled kb/).

    `shapes` names Turtle shape files or folders to use with the bundled shapes;
    `only_shapes` names the ones to use instead of them.
    """
    check_engine(engine)
    shapes_and_ontology = load_shapes(shapes, only_shapes)
    data_paths = knowledge_paths(data)
    checkout = None if data else current_checkout()
    files = tuple(resolve_turtle_files(data_paths))
    # Locating results creates no cycles either: with the collector on, its passes over the
    # loaded graph cost more than the locating itself.
    with garbage_collection_paused():
        loaded = load_dataset(files, with_store=engine == "fast")
        results = validate_with(loaded.graph, shapes_and_ontology, engine, loaded.store)
        locations = Locations(loaded.sources, loaded.subjects)
        several = source_checks.several_times_described(loaded.described)
        found = source_checks.check_sources(
            loaded.sources, named_nodes(several), locations, loaded.prefixes
        )
        located = locate_results(results, locations, found)
    return Report(results=located, files=files, triples=loaded.triples_read, checkout=checkout)


def validate_changed_since(
    revision: str,
    data: Sequence[str | Path] | None = None,
    *,
    shapes: Sequence[str | Path] = (),
    only_shapes: Sequence[str | Path] | None = None,
    engine: str = "fast",
) -> Report:
    """Validate only the nodes of `data` that a change since a git revision could affect.

    Gives those nodes exactly the results a full validation gives them (see
    nephrokb.validation.incremental);
    nodes the change cannot affect are not reported. The triples around them are read from
    the cache of parsed files (see nephrokb.rdf.triple_cache) when it is on. When the shapes
    read links nephrokb.validation.incremental does not follow (`incremental.covers`),
    everything is validated.
    """
    check_engine(engine)
    shapes_and_ontology = load_shapes(shapes, only_shapes)
    data_paths = knowledge_paths(data)
    checkout = None if data else current_checkout()
    files = tuple(resolve_turtle_files(data_paths))
    changed = None
    if covers(plan(shapes_and_ontology, native=True)):
        changed = changed_nodes_since(revision, data_paths)
    if changed is None:
        report = validate(files, shapes=shapes, only_shapes=only_shapes, engine=engine)
        return replace(report, checkout=checkout)
    knowledge = cached_knowledge(data_paths, files)
    locations = knowledge.locations
    affected = affected_nodes(knowledge.graph, changed)
    results = validate_focus(knowledge.graph, affected, engine=engine, shapes=shapes_and_ontology)
    several = [node for node in named_nodes(affected) if locations.in_several_files(node)]
    sources = [source for source, _ in locations.files]
    found = source_checks.check_sources(sources, several, locations)
    return Report(
        results=locate_results(results, locations, found),
        files=files,
        triples=knowledge.triples_read,
        checkout=checkout,
    )


class KnowledgeRead(NamedTuple):
    """The files' triples (a Graph, or the triple cache's graph-like lookups), where each
    node is written, and the number of triples read."""

    graph: Graph
    locations: Locations
    triples_read: int


def cached_knowledge(data: Sequence[str | Path], files: Sequence[Path]) -> KnowledgeRead:
    """Return the files' triples, locations and count: from the triple cache, or parsed."""
    folder = cache_folder()
    if folder is not None and STDIN not in map(str, files):
        try:
            cache = TripleCache(data, files, folder)
        except (OSError, sqlite3.Error):  # no usable cache (read-only, full, corrupt): parse
            pass
        else:
            return KnowledgeRead(
                cache.graph(), Locations(cache.sources, cache.subjects()), cache.triples_read()
            )
    loaded = load_dataset(files)
    return KnowledgeRead(
        loaded.graph, Locations(loaded.sources, loaded.subjects), loaded.triples_read
    )


def validate_focus(
    data_graph: Graph,
    focus: Iterable[Node],
    *,
    engine: str = "fast",
    shapes: ShapesAndOntology | None = None,
) -> tuple[ValidationResult, ...]:
    """Validate only the `focus` nodes: the results a full validation gives them, no others.

    `shapes` (default: the bundled ones) must be shapes `changes.covers`.
    """
    focus = set(focus)
    if not focus:
        return ()
    names = {str(node) for node in focus}
    subgraph = focus_subgraph(data_graph, focus)
    store = store_of(subgraph) if engine == "fast" else None
    results = validate_with(subgraph, shapes or bundled_shapes(), engine, store)
    return tuple(result for result in results if result.focus in names)


def validate_graph(
    data_graph: Graph,
    *,
    shapes_graph: Graph | None = None,
    ontology_graph: Graph | None = None,
    engine: str = "fast",
    store=None,
) -> tuple[ValidationResult, ...]:
    """Validate `data_graph` (no locations) with the given shapes and ontology graphs.

    Either graph left out is the bundled one. engine "pyshacl" hands every shape to pyshacl;
    "fast" (the default) evaluates natively what it can (see `plan`), giving pyshacl only
    the rest (if any), with identical results. A pyoxigraph `store` holding the same
    triples runs the SPARQL constraints.
    """
    check_engine(engine)
    if shapes_graph is None and ontology_graph is None:
        shapes_and_ontology = bundled_shapes()
    else:
        bundled = bundled_shapes()
        shapes_and_ontology = ShapesAndOntology(
            shapes_graph if shapes_graph is not None else bundled.shapes,
            ontology_graph if ontology_graph is not None else bundled.ontology,
        )
    return validate_with(data_graph, shapes_and_ontology, engine, store)


def check_engine(engine: str) -> None:
    """Refuse an engine name that is not one of ENGINES."""
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}")


def validate_with(
    data_graph: Graph, shapes_and_ontology: ShapesAndOntology, engine: str, store
) -> tuple[ValidationResult, ...]:
    """Validate `data_graph` with these shapes and ontology; see `validate_graph`."""
    ontology_graph = shapes_and_ontology.ontology
    current = plan(shapes_and_ontology, native=engine == "fast")
    results = []
    if current.pyshacl_shapes is not None:
        results.extend(pyshacl_results(data_graph, current.pyshacl_shapes, ontology_graph))
    if current.native_shapes or current.constraints:
        # pyshacl validates the data with the ontology mixed in; do the same here.
        with (
            ontology_mixed_in(data_graph, ontology_graph) as mixed,
            ontology_mixed_into_store(store, ontology_graph),
        ):
            native = native_results(mixed, current, store)
            results.extend(plain_result(result, mixed) for result in native)
    explained = vocabulary_checks.explain(results, ontology_graph)
    return tuple(sorted(explained, key=ValidationResult.sort_key))


def pyshacl_results(
    data_graph: Graph, shapes_graph: Graph, ontology_graph: Graph
) -> Iterable[ValidationResult]:
    """Validate with pyshacl and read its report."""
    import pyshacl  # only shapes the fast engine cannot prove need it: importing costs 0.2-0.4 s

    try:
        _, results_graph, _ = pyshacl.validate(
            copy_graph(data_graph),  # pyshacl needs a context-aware store
            # pyshacl adds a few triples to the shapes graph it is given: hand it a copy.
            shacl_graph=copy_graph(shapes_graph),
            ont_graph=ontology_graph,
            inference="none",
            advanced=True,
            allow_warnings=True,
        )
    except Exception as error:  # pyshacl reports unusable shapes with many exception types
        raise ShapesError(f"the SHACL shapes cannot be used: {error}") from None
    return read_results(results_graph, data_graph)


def native_results(mixed: Graph, current: ValidationPlan, store) -> set:
    """Return the results of the natively evaluated shapes (a set: each result once)."""
    results = set(core_evaluation.evaluate(mixed, current.native_shapes))
    index = core_evaluation.PredicateIndex(mixed)
    focus: dict = {}
    for check, _ in current.constraints:
        if check.shape not in focus:
            focus[check.shape] = core_evaluation.focus_nodes(mixed, index, check)
    pairs = [(constraint, focus[check.shape]) for check, constraint in current.constraints]
    results.update(sparql_constraints.evaluate(mixed, pairs, store))
    return results


@contextlib.contextmanager
def ontology_mixed_in(data_graph: Graph, ontology_graph: Graph) -> Iterator[Graph]:
    """Add the ontology's triples to `data_graph` for the duration, then take them out again.

    Copying a large data graph to mix a few hundred ontology triples in cost 5.5 s at 1,000
    procedures; only the triples the data did not already hold are added and removed.
    """
    added = [triple for triple in ontology_graph if triple not in data_graph]
    for triple in added:
        data_graph.add(triple)
    try:
        yield data_graph
    finally:
        for triple in added:
            data_graph.remove(triple)


@contextlib.contextmanager
def ontology_mixed_into_store(store, ontology_graph: Graph) -> Iterator[None]:
    """Add the ontology to a pyoxigraph store (if any) as a named graph for the duration."""
    if store is None:
        yield
        return

    name = pyoxigraph.NamedNode("urn:nephrokb:ontology")
    store.extend(to_quad(triple, name) for triple in ontology_graph)
    try:
        yield
    finally:
        store.remove_graph(name)


def copy_graph(graph: Graph) -> Graph:
    """Return a new graph (in rdflib's default store) with the same triples and prefixes."""
    copy = Graph(namespace_manager=graph.namespace_manager)
    copy += graph
    return copy


@functools.lru_cache(maxsize=8)
def plan(shapes_and_ontology: ShapesAndOntology, *, native: bool) -> ValidationPlan:
    """Split the shapes between pyshacl and the native evaluators, once per content."""
    return make_plan(shapes_and_ontology.shapes, native=native)


def plain_result(result, graph: Graph) -> ValidationResult:
    """Turn a natively evaluated result (core or SPARQL constraint) into a ValidationResult."""
    label = graph.value(result.focus, RDFS.label)
    return ValidationResult(
        focus=str(result.focus),
        rule=str(result.shape),
        severity=result.severity,
        message=result.message,
        label=str(label) if label is not None else None,
        path=None if result.path is None else str(result.path),
        value=None if result.value is None else str(result.value),
        value_term=None if result.value is None else result.value.n3(),
        constraint=result.component,
    )


def read_results(results_graph: Graph, data_graph: Graph) -> Iterable[ValidationResult]:
    """Turn the results of a report graph into ValidationResults.

    Only the report's own results (sh:result): those nested under another's sh:detail
    explain it and are not results of the validation.
    """
    sh = Namespace(SH)
    for node in results_graph.objects(None, sh.result):
        focus = results_graph.value(node, sh.focusNode)
        path = results_graph.value(node, sh.resultPath)
        value = results_graph.value(node, sh.value)
        severity = results_graph.value(node, sh.resultSeverity)
        label = data_graph.value(focus, RDFS.label)
        yield ValidationResult(
            focus=str(focus),
            rule=str(results_graph.value(node, sh.sourceShape)),
            severity=str(severity).rsplit("#", 1)[-1],
            message=str(results_graph.value(node, sh.resultMessage) or "violates a shape"),
            label=str(label) if label is not None else None,
            path=None if path is None or isinstance(path, BNode) else str(path),
            value=None if value is None else str(value),
            value_term=None if value is None else value.n3(),
            constraint=str(results_graph.value(node, sh.sourceConstraintComponent)),
        )
