"""Validate knowledge against the bundled (or a user's) SHACL shapes; return a located Report."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from nephrokb.errors import ShapesError
from nephrokb.rdf.loading import (
    STDIN,
    SourceText,
    base_iri,
    garbage_collection_paused,
    load_dataset,
    resolve_turtle_files,
)
from nephrokb.resources import bundled_folder, current_checkout
from nephrokb.validation import source_checks
from nephrokb.validation.plan import ValidationPlan, make_plan
from nephrokb.validation.shapes import ShapesAndOntology, bundled_shapes, load_shapes

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from nephrokb.turtle.locator import SourceLines, SubjectLocator

SEVERITIES = ("Violation", "Warning", "Info")
ENGINES = ("fast", "pyshacl")


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, in plain strings so that every report format can use it.

    `file` and `line` say where the focus node is described (the first line of a statement
    with it as subject; for a node that is never a subject, the line it is first mentioned
    on). When the result is about one triple written in the source (focus, path, value),
    `file` is the file holding that triple and `value_line` the line of its object.
    `value` is the value's lexical form or IRI, `value_term` the same term in N-Triples
    syntax (so a report can tell `"1"` from `1` and an IRI from a string).
    """

    focus: str
    rule: str
    severity: str
    message: str
    label: str | None = None
    path: str | None = None
    value: str | None = None
    value_term: str | None = None
    constraint: str | None = None
    file: str | None = None
    line: int | None = None
    value_line: int | None = None
    cell: str | None = None  # in a workbook (nephrokb.authoring): the Sheet!Cell it points at
    fix: object | None = None  # a certain fix (nephrokb.editing.fix.Fix), for SARIF and GitHub

    def sort_key(self) -> tuple:
        """Order results by file, line, node and rule (then the rest, for one fixed order).

        Results with no file come last.
        """
        return (
            self.file is None,
            self.file or "",
            self.line or 0,
            self.focus,
            self.rule,
            self.severity,
            self.message,
            self.value_term or "",
            self.constraint or "",
            self.path or "",
        )


@dataclass(frozen=True)
class Report:
    """The outcome of one validation run."""

    results: tuple[ValidationResult, ...]
    files: tuple[Path, ...]
    triples: int
    checkout: Path | None = None  # the checkout whose kb/ was read when no data was named

    def count(self, severity: str) -> int:
        """Return how many results have this severity."""
        return sum(1 for result in self.results if result.severity == severity)

    def failed(self, *, strict: bool = False) -> bool:
        """True when a Violation was found (or, with strict, any result at all)."""
        return bool(self.results) if strict else self.count("Violation") > 0


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
    data_paths = list(data) if data else [bundled_folder("kb")]
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
    from nephrokb.validation.incremental import affected_nodes, changed_nodes_since, covers

    check_engine(engine)
    shapes_and_ontology = load_shapes(shapes, only_shapes)
    data_paths = list(data) if data else [bundled_folder("kb")]
    checkout = None if data else current_checkout()
    files = tuple(resolve_turtle_files(data_paths))
    changed = None
    if covers(plan(shapes_and_ontology, native=True)):
        changed = changed_nodes_since(revision, data_paths)
    if changed is None:
        report = validate(files, shapes=shapes, only_shapes=only_shapes, engine=engine)
        return replace(report, checkout=checkout)
    graph, locations, triples = cached_knowledge(data_paths, files)
    affected = affected_nodes(graph, changed)
    results = validate_focus(graph, affected, engine=engine, shapes=shapes_and_ontology)
    several = [node for node in named_nodes(affected) if locations.in_several_files(node)]
    sources = [source for source, _ in locations.files]
    found = source_checks.check_sources(sources, several, locations)
    return Report(
        results=locate_results(results, locations, found),
        files=files,
        triples=triples,
        checkout=checkout,
    )


def cached_knowledge(data: Sequence[str | Path], files: Sequence[Path]) -> tuple:
    """Return (graph-like lookups, Locations, triples read) of the files, cached or parsed."""
    import sqlite3

    from nephrokb.rdf.triple_cache import TripleCache, cache_folder

    folder = cache_folder()
    if folder is not None and STDIN not in map(str, files):
        try:
            cache = TripleCache(data, files, folder)
        except (OSError, sqlite3.Error):  # no usable cache (read-only, full, corrupt): parse
            pass
        else:
            return cache.graph(), Locations(cache.sources, cache.subjects()), cache.triples_read()
    loaded = load_dataset(files)
    return loaded.graph, Locations(loaded.sources, loaded.subjects), loaded.triples_read


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
    from nephrokb.rdf.knowledge_store import store_of
    from nephrokb.validation.incremental import focus_subgraph

    focus = set(focus)
    if not focus:
        return ()
    names = {str(node) for node in focus}
    subgraph = focus_subgraph(data_graph, focus)
    store = store_of(subgraph) if engine == "fast" else None
    results = validate_with(subgraph, shapes or bundled_shapes(), engine, store)
    return tuple(result for result in results if result.focus in names)


class Locations:
    """Where each Turtle file writes its nodes, read with the locator only when asked.

    A valid knowledge base has no results to locate, so it is never read a second time.
    A result is looked for only in the files that have its focus node as a subject, and
    there only in the statements about it (nephrokb.turtle.locator.SubjectLocator), so
    that locating costs what the results need rather than what the files hold. Only a
    node that no file has as a subject makes the files be read whole, for its mentions.
    """

    def __init__(self, sources: Sequence[SourceText], subjects: Sequence[frozenset]) -> None:
        self.files = [
            (source, nodes)
            for source, nodes in zip(sources, subjects, strict=True)
            if source.syntax in ("turtle", "nt")
        ]
        self.lines: dict[int, SourceLines] = {}
        self.subject_locators: dict[int, SubjectLocator | None] = {}

    def describing(self, focus: str) -> Iterator[tuple[Path, SourceLines]]:
        """Yield (path, lines) of the files, in order, that have `focus` as a subject.

        The lines hold at least the subjects and objects of `focus`'s statements.
        """
        import pyoxigraph

        try:
            node = pyoxigraph.NamedNode(focus)
        except ValueError:  # a blank node: the locator records none
            return
        for index, (source, subjects) in enumerate(self.files):
            if node in subjects:
                yield source.path, self.about(index, focus)

    def in_several_files(self, focus: str) -> bool:
        """True when more than one file has `focus` (an IRI) as a subject."""
        import pyoxigraph

        node = pyoxigraph.NamedNode(focus)
        return sum(1 for _, subjects in self.files if node in subjects) > 1

    def every(self, focus: str) -> Iterator[tuple[Path, SourceLines]]:
        """Yield (path, lines) of every file, in order, read whole (none for a blank node)."""
        if ":" in focus:
            for index, (source, _) in enumerate(self.files):
                yield source.path, self.read(index)

    def about(self, index: int, subject: str) -> SourceLines:
        """Return lines of file `index` that hold those of `subject`'s statements."""
        from nephrokb.turtle.locator import subject_locator

        source = self.files[index][0]
        if index in self.lines or source.authored is not None:
            return self.read(index)
        if index not in self.subject_locators:
            self.subject_locators[index] = subject_locator(source.text, base_iri(source.path))
        located = self.subject_locators[index]
        return self.read(index) if located is None else located.locate(subject)

    def read(self, index: int) -> SourceLines:
        """Return every line the locator finds in file `index`, reading it whole once."""
        from nephrokb.turtle.locator import locate  # compiling its token pattern takes ~20 ms

        if index not in self.lines:
            source = self.files[index][0]
            self.lines[index] = (
                source.authored.lines  # a procedure file: the lines the editor typed
                if source.authored is not None
                else locate(source.text, base_iri(source.path))
            )
        return self.lines[index]


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
    from nephrokb.validation import vocabulary_checks

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
    """Validate with pyshacl (imported only here: 0.2 s) and read its report."""
    import pyshacl

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
    from nephrokb.validation import core_constraints, sparql_constraints

    results = set(core_constraints.evaluate(mixed, current.native_shapes))
    index = core_constraints.PredicateIndex(mixed)
    focus: dict = {}
    for check, _ in current.constraints:
        if check.shape not in focus:
            focus[check.shape] = core_constraints.focus_nodes(mixed, index, check)
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
    import pyoxigraph

    from nephrokb.rdf.terms import to_quad

    name = pyoxigraph.NamedNode("urn:nephrokb:ontology")
    store.extend(to_quad(triple, name) for triple in ontology_graph)
    try:
        yield
    finally:
        store.remove_graph(name)


def copy_graph(graph: Graph) -> Graph:
    """Return a new graph (in rdflib's default store) with the same triples and prefixes."""
    from rdflib import Graph

    copy = Graph(namespace_manager=graph.namespace_manager)
    copy += graph
    return copy


@functools.lru_cache(maxsize=8)
def plan(shapes_and_ontology: ShapesAndOntology, *, native: bool) -> ValidationPlan:
    """Split the shapes between pyshacl and the native evaluators, once per content."""
    return make_plan(shapes_and_ontology.shapes, native=native)


def plain_result(result, graph: Graph) -> ValidationResult:
    """Turn a natively evaluated result (core or SPARQL constraint) into a ValidationResult."""
    from rdflib import RDFS

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
    from rdflib import RDFS, BNode, Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
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


def locate_results(
    results: Iterable[ValidationResult],
    locations: Locations,
    located_already: Iterable[ValidationResult] = (),
) -> tuple[ValidationResult, ...]:
    """Give each result the file and lines of its focus node (and value), sorted for reports.

    `located_already` (results of the source checks) are added as they are. Results in a
    workbook also get the cell they point at (nephrokb.authoring.source.place_in_cells).
    """
    from nephrokb.authoring.source import place_in_cells

    located = [locate_result(result, locations) for result in results]
    ordered = sorted([*located, *located_already], key=ValidationResult.sort_key)
    return place_in_cells(ordered, [source for source, _ in locations.files])


def named_nodes(nodes: Iterable) -> list[str]:
    """Return the IRIs among `nodes` (pyoxigraph or rdflib terms)."""
    import pyoxigraph
    from rdflib import URIRef

    return [
        node.value if isinstance(node, pyoxigraph.NamedNode) else str(node)
        for node in nodes
        if isinstance(node, pyoxigraph.NamedNode | URIRef)
    ]


def locate_result(result: ValidationResult, locations: Locations) -> ValidationResult:
    """Return `result` with file, line and value_line set from the first file that has them."""
    if result.path is not None and result.value_term is not None:
        for path, lines in locations.describing(result.focus):
            value_line = triple_line(lines, result.focus, result.path, result.value_term)
            if value_line is not None:
                line = lines.subjects[result.focus]
                return replace(result, file=str(path), line=line, value_line=value_line)
    for path, lines in locations.describing(result.focus):
        line = lines.subjects.get(result.focus)
        if line is not None:
            return replace(result, file=str(path), line=line)
    for path, lines in locations.every(result.focus):
        line = lines.mentions.get(result.focus)
        if line is not None:
            return replace(result, file=str(path), line=line)
    return result


def triple_line(lines: SourceLines, subject: str, predicate: str, value_term: str) -> int | None:
    """Return the line of the object of subject-predicate-value in one file, if written there."""
    from rdflib import Literal, URIRef
    from rdflib.util import from_n3

    from nephrokb.turtle.locator import LiteralKey

    candidates = lines.objects.get((subject, predicate))
    if not candidates:
        return None
    value: Node = from_n3(value_term)
    if isinstance(value, URIRef):
        return candidates.get(str(value))
    if not isinstance(value, Literal):
        return None
    written = LiteralKey(str(value), value.datatype and str(value.datatype), value.language)
    if written in candidates:
        return candidates[written]
    # rdflib normalizes lexical forms ("01" becomes "1"), so compare as rdflib terms.
    for key, line in candidates.items():
        if isinstance(key, LiteralKey):
            literal = Literal(key.lexical, lang=key.language, datatype=key.datatype)
            if literal == value:
                return line
    return None
