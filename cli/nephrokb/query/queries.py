"""Run read-only SPARQL queries on the knowledge graph: bundled queries, parameters, outcomes.

Queries run on local data only: SPARQL Update, SERVICE and FROM are refused before anything
runs, so a query never changes the graph and never reaches the network. Every query may use
the prefixes in `nephrokb.namespaces.PREFIXES` without declaring them.

rdflib's parser checks a query (its errors carry line and column); pyoxigraph evaluates it.
Where the two engines differ, pyoxigraph follows SPARQL 1.1: GROUP_CONCAT of numbers is
unbound rather than joined, computed decimals are written 6 rather than 6.0, and `SELECT *`
lists its variables by name.
"""

from __future__ import annotations

import difflib
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pyoxigraph as ox
from pyparsing import ParseBaseException, ParseResults
from rdflib import RDFS, Graph, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Variable

from nephrokb.errors import QueryError
from nephrokb.namespaces import PREFIXES, compact
from nephrokb.rdf.sources import STDIN, read_text
from nephrokb.rdf.stores import graph_of, store_of
from nephrokb.rdf.terms import RdflibTerms, to_oxigraph

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from pyoxigraph import Store
    from rdflib.term import Identifier

QUERY_SUFFIX = ".rq"
INLINE_ORIGIN = "<query>"
STDIN_ORIGIN = "<stdin>"
BUNDLED_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
UPDATE_KEYWORD = re.compile(
    r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE
)
SYNTAX_TOKEN = re.compile(r"[^\s{}()\[\],;.]+|\S")
UNKNOWN_PREFIX = re.compile(r"Unknown namespace prefix : (\S*)")

# The algebra's name for each query form -> the kind of answer it gives.
KINDS = {
    "SelectQuery": "select",
    "AskQuery": "ask",
    "ConstructQuery": "graph",
    "DescribeQuery": "graph",
}
MOST_CANDIDATES_SHOWN = 10


class LocatedQueryError(QueryError):
    """A query error located by line and column of the query text."""

    def __init__(self, message: str, *, path: str, line: int, column: int):
        super().__init__(message, path=path, line=line)
        self.column = column

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True)
class BundledQuery:
    """A query that ships with nephrokb: its name, one-line description and text."""

    name: str
    description: str
    text: str
    path: str


@dataclass(frozen=True)
class PreparedQuery:
    """A parsed query that is safe to run: read-only, local, of a known kind."""

    text: str
    origin: str
    kind: str
    variables: frozenset[str]
    compiled: Any = field(repr=False, compare=False)


class QueryOutcome:
    """What a query returned: rows for select, a boolean for ask, a graph for graph.

    A SELECT answered by pyoxigraph keeps its `solutions` as pyoxigraph terms, which the
    result writers read directly; `rows` gives them as rdflib terms, converted when first
    asked for.
    """

    def __init__(
        self,
        kind: str,
        variables: tuple[str, ...] = (),
        rows: tuple[tuple[Identifier | None, ...], ...] = (),
        boolean: bool | None = None,
        graph: Graph | None = None,
        solutions: tuple[tuple[Any, ...], ...] | None = None,
    ):
        self.kind = kind
        self.variables = variables
        self.boolean = boolean
        self.graph = graph
        self.solutions = solutions
        if solutions is None:
            self.rows = rows

    def __repr__(self) -> str:
        if self.kind == "ask":
            return f"QueryOutcome(kind='ask', boolean={self.boolean})"
        if self.kind == "select":
            rows = len(self.solutions if self.solutions is not None else self.rows)
            return f"QueryOutcome(kind='select', variables={self.variables}, rows={rows})"
        return f"QueryOutcome(kind={self.kind!r}, triples={len(self.graph)})"

    @cached_property
    def rows(self) -> tuple[tuple[Identifier | None, ...], ...]:
        """The rows as rdflib terms (None for an unbound variable)."""
        convert = RdflibTerms()
        return tuple(
            tuple(None if term is None else convert(term) for term in solution)
            for solution in self.solutions or ()
        )


def bundled_query_files() -> list[Traversable]:
    """Return the bundled `.rq` files, sorted by name."""
    folder = files("nephrokb.query").joinpath("bundled")
    return sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(QUERY_SUFFIX)),
        key=lambda entry: entry.name,
    )


def list_bundled_queries() -> list[BundledQuery]:
    """Return every bundled query with its description, sorted by name."""
    queries = []
    for entry in bundled_query_files():
        text = entry.read_text(encoding="utf-8")
        first_line = text.splitlines()[0] if text else ""
        description = first_line.removeprefix("#").strip() if first_line.startswith("#") else ""
        queries.append(
            BundledQuery(entry.name.removesuffix(QUERY_SUFFIX), description, text, str(entry))
        )
    return queries


def load_bundled_query(name: str) -> BundledQuery:
    """Return the bundled query called `name`, or raise QueryError naming the known ones."""
    queries = {query.name: query for query in list_bundled_queries()}
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, queries, n=1)
    suggestion = f" (did you mean '{close[0]}'?)" if close else ""
    raise QueryError(
        f"unknown bundled query '{name}'{suggestion}; bundled queries: {', '.join(queries)}"
    )


class QuerySource(NamedTuple):
    """A query's text and its origin, which names it in error messages."""

    text: str
    origin: str


def read_query(source: str) -> QuerySource:
    """Return the text and origin of `-`, a bundled query name, a `.rq` file or SPARQL text.

    A name of letters, digits and hyphens is a bundled query; write `./name` for a file
    of that name. The origin names the query in error messages.
    """
    if source == STDIN:
        return QuerySource(read_text(Path(STDIN)), STDIN_ORIGIN)
    if BUNDLED_NAME.fullmatch(source):
        bundled = load_bundled_query(source)
        return QuerySource(bundled.text, bundled.path)
    if source.endswith(QUERY_SUFFIX) or (not any(c.isspace() for c in source) and is_file(source)):
        return QuerySource(read_text(Path(source)), source)
    return QuerySource(source, INLINE_ORIGIN)


def is_file(path: str) -> bool:
    """True when `path` names a regular file (a string too long to be a path is not)."""
    try:
        return Path(path).is_file()
    except OSError:
        return False


def prepare_query(text: str, origin: str = INLINE_ORIGIN) -> PreparedQuery:
    """Parse a query and check it is safe to run, raising QueryError with its location."""
    try:
        compiled = prepareQuery(text, initNs=PREFIXES)
    except ParseBaseException as error:
        raise syntax_error(text, origin, error.loc) from None
    except Exception as error:  # rdflib reports translation problems as bare Exceptions
        raise translation_error(text, origin, error) from None
    algebra = compiled.algebra
    if algebra.datasetClause:
        raise QueryError(
            "FROM and FROM NAMED are not supported: queries run on the --data files "
            "or the bundled knowledge base",
            path=origin,
        )
    nodes = list(walk(algebra))
    if any(getattr(node, "name", None) == "ServiceGraphPattern" for node in nodes):
        raise QueryError(
            "SERVICE is not supported: queries run on local data and never use the network",
            path=origin,
        )

    variables = frozenset(str(node) for node in nodes if isinstance(node, Variable))
    return PreparedQuery(text, origin, KINDS[algebra.name], variables, compiled)


def syntax_error(text: str, origin: str, offset: int) -> QueryError:
    """Describe a parse failure at `offset`: an update, or what the parser stopped at."""
    start = text_start(text, offset)
    line, column = line_and_column(text, start)
    update = UPDATE_KEYWORD.match(text, start)
    if update:
        return LocatedQueryError(
            f"SPARQL Update ({update.group(1).upper()}) is not allowed: "
            "nephrokb query is read-only",
            path=origin,
            line=line,
            column=column,
        )
    token = SYNTAX_TOKEN.match(text, start)
    near = f"near '{token.group(0)}'" if token else "unexpected end of query"
    return LocatedQueryError(f"SPARQL syntax error: {near}", path=origin, line=line, column=column)


def text_start(text: str, offset: int) -> int:
    """Return the first offset at or after `offset` that is not white space."""
    while offset < len(text) and text[offset].isspace():
        offset += 1
    return offset


def translation_error(text: str, origin: str, error: Exception) -> QueryError:
    """Translate an rdflib error raised after parsing, locating unknown prefixes."""
    unknown = UNKNOWN_PREFIX.search(str(error))
    if unknown:
        prefix = unknown.group(1)
        used = re.search(rf"(?<![\w:<.-]){re.escape(prefix)}:", text)
        known = ", ".join(sorted(PREFIXES))
        message = f"SPARQL error: unknown prefix '{prefix}:' (declare it, or use one of {known})"
        if used:
            line, column = line_and_column(text, used.start())
            return LocatedQueryError(message, path=origin, line=line, column=column)
        return QueryError(message, path=origin)
    return QueryError(f"SPARQL error: {' '.join(str(error).split())}", path=origin)


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of `offset` in `text`."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def walk(node: Any) -> Iterator[Any]:
    """Yield a query algebra node and everything nested in it."""
    yield node
    if isinstance(node, Mapping):
        children = list(node.values())
    elif isinstance(node, list | tuple | set | frozenset | ParseResults):
        children = list(node)
    else:
        return
    for child in children:
        yield from walk(child)


def require_variable(prepared: PreparedQuery, name: str) -> None:
    """Refuse a parameter that names no variable of the query."""
    if name not in prepared.variables:
        known = ", ".join(f"?{variable}" for variable in sorted(prepared.variables))
        raise QueryError(
            f"the query has no variable ?{name} to bind (its variables: {known or 'none'})",
            path=prepared.origin,
        )


def run_query(
    query: str | PreparedQuery,
    knowledge: Graph | Store,
    params: Mapping[str, str] | None = None,
    *,
    origin: str = INLINE_ORIGIN,
    cancel: threading.Event | None = None,
) -> QueryOutcome:
    """Run a query on a pyoxigraph Store (or an rdflib graph), binding each parameter.

    A parameter is an IRI, a CURIE or a label. pyoxigraph evaluates the query, on a copy of
    the graph if given one, except for the case `binds_unreturned_variable` names. Setting
    `cancel` stops a pyoxigraph evaluation at its next solution (QueryError).
    """
    prepared = query if isinstance(query, PreparedQuery) else prepare_query(query, origin)
    bindings = {}
    for name, value in (params or {}).items():
        require_variable(prepared, name)
        try:
            bindings[name] = resolve_term(knowledge, value)
        except QueryError as error:
            raise QueryError(f"parameter {name}: {error.message}") from None
    unreturned = binds_unreturned_variable(prepared, bindings)
    try:
        if unreturned:
            return evaluate_with_rdflib(prepared, knowledge, bindings)
        return evaluate_on_store(prepared, knowledge, bindings, cancel)
    except Exception as error:  # evaluation errors surface as many pyoxigraph and rdflib types
        raise QueryError(
            f"query failed: {' '.join(str(error).split())}", path=prepared.origin
        ) from None


def binds_unreturned_variable(prepared: PreparedQuery, bindings: Mapping[str, Any]) -> bool:
    """True when a parameter binds a variable that SELECT does not return.

    pyoxigraph substitutes only variables a SELECT returns (SPARQL SEP-0007); rdflib binds
    any, so such a query keeps rdflib's answer.
    """
    if prepared.kind != "select":
        return False
    returned = {str(variable) for variable in prepared.compiled.algebra["PV"]}
    return any(name not in returned for name in bindings)


def evaluate_on_store(
    prepared: PreparedQuery,
    knowledge: Graph | Store,
    bindings: Mapping[str, Identifier],
    cancel: threading.Event | None = None,
) -> QueryOutcome:
    """Evaluate with pyoxigraph, substituting each bound variable."""
    store = knowledge if isinstance(knowledge, ox.Store) else store_of(knowledge)
    substitutions = {ox.Variable(name): to_oxigraph(term) for name, term in bindings.items()}
    answer = store.query(prepared.text, prefixes=PREFIXES, substitutions=substitutions)
    # Solutions are computed as they are read, so reading them is part of the evaluation.
    return outcome_of(prepared.kind, answer, cancel)


def until(cancel: threading.Event | None, solutions: Iterable) -> Iterator:
    """Yield the solutions until `cancel` is set (a query given up on must not run on)."""
    for solution in solutions:
        if cancel is not None and cancel.is_set():
            raise QueryError("the query was cancelled")
        yield solution


def evaluate_with_rdflib(
    prepared: PreparedQuery, knowledge: Graph | Store, bindings: Mapping[str, Identifier]
) -> QueryOutcome:
    """Evaluate a SELECT with rdflib, on a copy of the store if given one."""
    graph = graph_of(knowledge) if isinstance(knowledge, ox.Store) else knowledge
    result = graph.query(prepared.compiled, initBindings=bindings)
    variables = tuple(str(variable) for variable in result.vars)
    rows = tuple(tuple(row.get(variable) for variable in result.vars) for row in result.bindings)
    return QueryOutcome("select", variables=variables, rows=rows)


def outcome_of(kind: str, answer: Any, cancel: threading.Event | None = None) -> QueryOutcome:
    """Read pyoxigraph's answer to a query of `kind` into a QueryOutcome (until `cancel`)."""
    if kind == "ask":
        return QueryOutcome("ask", boolean=bool(answer))
    if kind == "graph":
        convert = RdflibTerms()
        graph = Graph()
        graph.addN(
            (convert(triple.subject), convert(triple.predicate), convert(triple.object), graph)
            for triple in until(cancel, answer)
        )
        return QueryOutcome("graph", graph=graph)
    variables = tuple(variable.value for variable in answer.variables)
    solutions = tuple(tuple(solution) for solution in until(cancel, answer))
    return QueryOutcome("select", variables=variables, solutions=solutions)


def resolve_term(knowledge: Graph | Store, value: str) -> Identifier:
    """Return the node `value` names: `<iri>`, an http(s) IRI, a known CURIE, or a label.

    A label matches case-insensitively, whole labels before fragments; it must pick out
    exactly one node, or QueryError lists the candidates.
    """
    if value.startswith("<") and value.endswith(">"):
        return URIRef(value[1:-1])
    if value.startswith(("http://", "https://")):
        return URIRef(value)
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not any(c.isspace() for c in value):
        return URIRef(PREFIXES[prefix] + local)
    return node_labelled(knowledge, value)


def node_labelled(knowledge: Graph | Store, label: str) -> Identifier:
    """Return the one node whose rdfs:label is, or else contains, `label` (any case)."""
    wanted = label.casefold()
    labels = labels_of(knowledge)
    whole = {node for node, text in labels if text.casefold() == wanted}
    matches = whole or {node for node, text in labels if wanted in text.casefold()}
    if len(matches) == 1:
        return matches.pop()
    if not matches:
        raise QueryError(f"no node has a label matching '{label}'")
    candidates = sorted(
        {compact(str(node)): text for node, text in labels if node in matches}.items()
    )
    shown = ", ".join(f'{name} "{text}"' for name, text in candidates[:MOST_CANDIDATES_SHOWN])
    more = len(candidates) - MOST_CANDIDATES_SHOWN
    rest = f" and {more} more" if more > 0 else ""
    raise QueryError(
        f"'{label}' matches {len(matches)} nodes: {shown}{rest}; give an IRI or CURIE instead"
    )


def labels_of(knowledge: Graph | Store) -> list[tuple[Identifier, str]]:
    """Return (node, label text) for every rdfs:label of an rdflib graph or pyoxigraph Store."""
    if not isinstance(knowledge, ox.Store):
        return [(node, str(text)) for node, text in knowledge.subject_objects(RDFS.label)]
    convert = RdflibTerms()
    label = ox.NamedNode(str(RDFS.label))
    quads = knowledge.quads_for_pattern(None, label, None, ox.DefaultGraph())
    return [(convert(quad.subject), quad.object.value) for quad in quads]
