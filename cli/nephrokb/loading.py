"""Read Turtle files and folders into one rdflib graph, translating parser errors."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nephrokb.errors import InputError

if TYPE_CHECKING:
    from rdflib import Graph

TURTLE_SUFFIX = ".ttl"
STDIN = "-"


def resolve_turtle_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (recursively, sorted) into the Turtle files to read.

    `-` stands for standard input and is passed through as Path("-").
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
            raise InputError("not a regular file or folder", path=str(path))
        else:
            raise InputError("no such file or folder", path=str(path))
    return resolved


def read_text(path: Path) -> str:
    """Read a file (or standard input for `-`) as UTF-8, naming the line of the first bad byte."""
    try:
        raw = sys.stdin.buffer.read() if str(path) == STDIN else path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", path=str(path)) from error
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(
            "is not UTF-8 text; re-save it as UTF-8", path=str(path), line=line
        ) from error


def parse_turtle_into(graph: Graph, path: Path) -> None:
    """Parse one Turtle file into `graph`, raising InputError with file and line."""
    text = read_text(path)
    try:
        base = "file:///dev/stdin" if str(path) == STDIN else path.resolve().as_uri()
        graph.parse(data=text, format="turtle", publicID=base)
    except Exception as error:  # rdflib raises many types; all mean unreadable input
        raise InputError(
            describe_parse_error(error), path=str(path), line=error_line(error, text)
        ) from None


def error_line(error: Exception, text: str) -> int | None:
    """Return the 1-based line a Turtle parser error points at, if it says."""
    position = getattr(error, "_i", None)
    source = getattr(error, "_str", None)
    if isinstance(position, int) and isinstance(source, bytes | str):
        before = source[:position]
        return (before.count(b"\n") if isinstance(before, bytes) else before.count("\n")) + 1
    match = re.search(r"line (\d+)", str(error))
    return int(match.group(1)) if match else None


def describe_parse_error(error: Exception) -> str:
    """Return the parser's reason in one line, without its echo of the input."""
    why = getattr(error, "_why", None) or str(error) or type(error).__name__
    return "Turtle syntax error: " + " ".join(str(why).split())


def load_knowledge(data: Sequence[str | Path] | None = None) -> Graph:
    """Load the --data paths of a command, or the bundled knowledge base when there are none."""
    from nephrokb.resources import bundled_folder

    return load_graph(list(data) if data else [bundled_folder("kb")])


def load_graph(paths: Iterable[str | Path]) -> Graph:
    """Load every Turtle file under `paths` into one graph."""
    from rdflib import Graph

    graph = Graph()
    for path in resolve_turtle_files(paths):
        parse_turtle_into(graph, path)
    return graph
