"""Find and parse the SHACL shapes and ontology a validation uses, once per content.

The bundled shapes (shapes/) can be extended with a user's shape files or folders, or
replaced by them; the bundled ontology (ontology/) is always used. Parsed graphs and the
validation plan made of them are cached by a digest of the files' names and bytes, so
editing a file is never served from the cache.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nephrokb.errors import InputError, ShapesError
from nephrokb.rdf.loading import load_graph
from nephrokb.rdf.sources import resolve_turtle_files
from nephrokb.resources import bundled_files

if TYPE_CHECKING:
    from rdflib import Graph


@dataclass(frozen=True, eq=False)
class ShapesAndOntology:
    """The shapes graph and the ontology graph of one validation (both read-only).

    Compared by identity: one object per content, so it can key the cache of plans.
    """

    shapes: Graph
    ontology: Graph


def shape_files(
    shapes: Iterable[str | Path] = (), only_shapes: Iterable[str | Path] | None = None
) -> tuple[Path, ...]:
    """Return the shape files to use: the bundled ones plus `shapes`, or only `only_shapes`."""
    bundled = [] if only_shapes is not None else bundled_files("shapes")
    return (*bundled, *resolve_turtle_files([*(only_shapes or ()), *shapes]))


def files_digest(files: Sequence[Path]) -> str:
    """Return a hash of the files' names and bytes, the key of their cache."""
    digest = hashlib.sha256()
    for path in files:
        data = path.read_bytes()
        digest.update(f"{path.name}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


def load_shapes(
    shapes: Iterable[str | Path] = (), only_shapes: Iterable[str | Path] | None = None
) -> ShapesAndOntology:
    """Return the shapes (bundled plus `shapes`, or only `only_shapes`) and the ontology."""
    files = shape_files(shapes, only_shapes)
    ontology_files = tuple(bundled_files("ontology"))
    return parsed(files, ontology_files, files_digest([*files, *ontology_files]))


def bundled_shapes() -> ShapesAndOntology:
    """Return the bundled shapes and ontology."""
    return load_shapes()


@functools.lru_cache(maxsize=8)
def parsed(shapes: tuple[Path, ...], ontology: tuple[Path, ...], digest: str) -> ShapesAndOntology:
    """Parse shape and ontology files once per content (`digest` keys the cache).

    A shapes file that cannot be parsed is a ShapesError naming its file and line.
    """
    try:
        shapes_graph = load_graph(shapes)
    except InputError as error:
        raise ShapesError(error.message, path=error.path, line=error.line) from None
    return ShapesAndOntology(shapes_graph, load_graph(ontology))
