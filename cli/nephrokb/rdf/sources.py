"""Read input files as text, refusing anything unsafe: sizes, encodings, DTDs, remote contexts.

Folders contribute their Turtle (.ttl) files; a file named directly is read by its suffix
(Turtle, N-Triples, RDF/XML, JSON-LD). Nothing is fetched: RDF/XML may not declare a DTD
or entities, JSON-LD may not name a remote @context, and owl:imports is never followed.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from nephrokb.errors import InputError

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


@dataclass(frozen=True)
class SourceText:
    """One input file as read: its path, its text and the RDF syntax it is parsed as."""

    path: Path
    text: str
    syntax: str
    # For a procedure file (YAML): where each node and triple was typed, and the problems
    # found compiling it (nephrokb.rdf.authored.Authored); `text` is the compiled Turtle.
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


def read_rdf_source(path: Path) -> SourceText:
    """Read one RDF file (or standard input) and check that its syntax fetches nothing."""
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
