"""A cache of parsed knowledge files in SQLite, so `validate --changed-since` reads little.

Validating what a change affects needs the triples around the changed nodes, from every
file, but parsing 5,000 procedures takes seconds. The cache keeps each file's triples,
indexed by subject, predicate and object, under a key that changes with the file: the
SHA-256 of the cache's schema, the file's base IRI and its bytes. A run parses only the
files whose key is missing, stores them, and forgets the files no longer given; a file
that fails to load is never stored. `CachedGraph` answers the few rdflib-style lookups
nephrokb.validation.incremental makes.

One database per list of --data paths lives in $NEPHROKB_CACHE_DIR (default:
$XDG_CACHE_HOME/nephrokb or ~/.cache/nephrokb); an empty NEPHROKB_CACHE_DIR turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from nephrokb.rdf.loading import ill_typed_error, read_source
from nephrokb.rdf.parsing import parse_source
from nephrokb.rdf.sources import SourceText, base_iri
from nephrokb.rdf.terms import RdflibTerms, to_oxigraph

if TYPE_CHECKING:
    from rdflib.term import Node

CACHE_VARIABLE = "NEPHROKB_CACHE_DIR"
SCHEMA_VERSION = "nephrokb-triple-cache-1 pyoxigraph-" + ox.__version__
SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    key TEXT PRIMARY KEY, path TEXT NOT NULL, triples INTEGER NOT NULL, prefixes TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS triples (
    file TEXT NOT NULL, s TEXT NOT NULL, p TEXT NOT NULL, o TEXT NOT NULL,
    value TEXT, datatype TEXT, language TEXT
);
CREATE INDEX IF NOT EXISTS by_subject ON triples (s, p);
CREATE INDEX IF NOT EXISTS by_object ON triples (o, p);
CREATE INDEX IF NOT EXISTS by_predicate ON triples (p);
"""


def cache_folder() -> Path | None:
    """Return the folder of the cache databases, or None when the cache is turned off."""
    configured = os.environ.get(CACHE_VARIABLE)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nephrokb"


def file_key(source: SourceText, raw: bytes) -> str:
    """Return the cache key of one file's content at its place."""
    digest = hashlib.sha256(SCHEMA_VERSION.encode() + b"\0")
    digest.update(base_iri(source.path).encode() + b"\0" + raw)
    return digest.hexdigest()


class TripleCache:
    """The cached triples of one set of files, brought up to date when opened."""

    def __init__(self, data: Sequence[str | Path], files: Sequence[Path], folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        given = "\0".join(str(Path(path).resolve()) for path in data)
        name = hashlib.sha256(given.encode()).hexdigest()
        self.connection = open_database(folder / f"{name[:24]}.sqlite3")
        self.sources = [read_source(path) for path in files]
        self.keys = [file_key(s, s.text.encode("utf-8")) for s in self.sources]
        self.update()

    def update(self) -> None:
        """Parse and store the files not cached yet; forget the ones no longer given."""
        cached = {key for (key,) in self.connection.execute("SELECT key FROM files")}
        with self.connection:
            for key in cached - set(self.keys):
                self.connection.execute("DELETE FROM triples WHERE file = ?", (key,))
                self.connection.execute("DELETE FROM files WHERE key = ?", (key,))
            for source, key in zip(self.sources, self.keys, strict=True):
                if key not in cached:
                    self.store(key, parse_source(source))

    def store(self, key: str, parsed) -> None:
        """Insert one parsed file's triples under its key."""
        convert = RdflibTerms()
        rows = []
        for quad in dict.fromkeys(parsed.quads):
            value = quad.object
            literal = isinstance(value, ox.Literal)
            if literal:
                convert(value)
            rows.append((
                key, str(quad.subject), str(quad.predicate), str(value),
                value.value if literal else None,
                value.datatype.value if literal else None,
                value.language if literal else None,
            ))  # fmt: skip
        for ill_typed in convert.ill_typed:
            raise ill_typed_error([parsed.source], ill_typed)
        self.connection.executemany("INSERT INTO triples VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        self.connection.execute(
            "INSERT INTO files VALUES (?, ?, ?, ?)",
            (key, str(parsed.source.path), len(rows), json.dumps(parsed.prefixes)),
        )

    def triples_read(self) -> int:
        """Return the distinct triples of each file, summed (as nephrokb.rdf.loading counts)."""
        return self.connection.execute("SELECT COALESCE(SUM(triples), 0) FROM files").fetchone()[0]

    def graph(self) -> CachedGraph:
        """Return the lookups over the cached triples."""
        return CachedGraph(self.connection)

    def subjects(self) -> list[FileSubjects]:
        """Return, for each file, the test of whether it has a node as a subject."""
        return [FileSubjects(self.connection, key) for key in self.keys]


def open_database(path: Path) -> sqlite3.Connection:
    """Open (or create) a cache database; one that is not a database is made anew."""
    connection = sqlite3.connect(path, timeout=60)
    try:
        connection.executescript(SCHEMA)
    except sqlite3.DatabaseError:
        connection.close()
        path.unlink()
        connection = sqlite3.connect(path, timeout=60)
        connection.executescript(SCHEMA)
    return connection


class FileSubjects:
    """`node in FileSubjects(...)`: whether one cached file has a pyoxigraph node as subject."""

    def __init__(self, connection: sqlite3.Connection, key: str) -> None:
        self.connection = connection
        self.key = key

    def __contains__(self, node) -> bool:
        query = "SELECT 1 FROM triples WHERE s = ? AND file = ? LIMIT 1"
        return self.connection.execute(query, (str(node), self.key)).fetchone() is not None


class CachedGraph:
    """The rdflib Graph lookups nephrokb.validation.incremental uses, answered from the cache."""

    def __init__(self, connection: sqlite3.Connection) -> None:

        self.connection = connection
        self.convert = RdflibTerms()

    def triples(self, pattern: tuple) -> Iterator[tuple[Node, Node, Node]]:
        """Yield the triples matching (subject, predicate, object), None matching anything."""
        conditions, parameters = [], []
        for column, term in zip(("s", "p", "o"), pattern, strict=True):
            if term is not None:
                conditions.append(f"{column} = ?")
                parameters.append(key_of(term))
        where = " AND ".join(conditions) or "1"
        query = f"SELECT DISTINCT s, p, o, value, datatype, language FROM triples WHERE {where}"
        for s, p, o, value, datatype, language in self.connection.execute(query, parameters):
            yield (
                self.convert(term_of(s)),
                self.convert(term_of(p)),
                self.convert(
                    literal_of(value, datatype, language) if value is not None else term_of(o)
                ),
            )

    def subjects(self, predicate=None, value=None) -> Iterator[Node]:
        """Yield the subjects of predicate-value."""
        for subject, _, _ in self.triples((None, predicate, value)):
            yield subject

    def objects(self, subject=None, predicate=None) -> Iterator[Node]:
        """Yield the objects of subject-predicate."""
        for _, _, value in self.triples((subject, predicate, None)):
            yield value

    def namespaces(self) -> Iterator[tuple[str, str]]:
        """Yield the prefixes the files declare (the first file declaring one wins)."""
        seen = set()
        for (prefixes,) in self.connection.execute("SELECT prefixes FROM files ORDER BY path"):
            for prefix, namespace in json.loads(prefixes).items():
                if prefix not in seen:
                    seen.add(prefix)
                    yield prefix, namespace


def key_of(term: Node) -> str:
    """Return the cache's key (N-Triples syntax, as pyoxigraph writes it) of an rdflib term."""
    return str(to_oxigraph(term))


def term_of(key: str):
    """Return the pyoxigraph IRI or blank node a key stands for."""
    if key.startswith("_:"):
        return ox.BlankNode(key[2:])
    return ox.NamedNode(key[1:-1])


def literal_of(value: str, datatype: str, language: str | None):
    """Return the pyoxigraph literal of a cached object."""
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(datatype))
