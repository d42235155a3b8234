"""Compile procedure files into canonical Turtle files in kb/, never losing hand edits.

FILE.yaml becomes kb/FILE.ttl. The Turtle starts with a comment naming the file it was
compiled from and a digest of its body, so a later import can tell Turtle it wrote (replaced
freely) from Turtle someone edited by hand since: that is replaced only when no triple of
it would be lost, or with `force`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from rdflib import Graph, URIRef

from nephrokb.errors import InputError
from nephrokb.namespaces import PREFIXES, compact
from nephrokb.output import FileSnapshot, snapshot_file, write_output
from nephrokb.rdf.authored import compile_file
from nephrokb.rdf.sources import read_text, resolve_turtle_files
from nephrokb.resources import bundled_folder
from nephrokb.turtle.canonical import serialize_canonical

HEADER = (
    "# Compiled by `nephrokb import` from {name}: edit that file, not this one.\n# body {digest}"
)
HEADER_DIGEST = re.compile(r"\A# Compiled by `nephrokb import` from .*\n# body ([0-9a-f]{64})\n")


@dataclass(frozen=True)
class Imported:
    """One procedure file compiled into one Turtle file."""

    source: Path
    target: Path
    triples: int
    changed: bool


def import_target(path: Path, kb_folder: Path) -> Path:
    """Return the Turtle file a procedure file imports to: kb/ plus its name, as .ttl."""
    return kb_folder / (path.stem + ".ttl")


def body_digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class CompiledTurtle(NamedTuple):
    """A procedure file compiled: its canonical Turtle (with header) and its graph."""

    text: str
    graph: Graph


def compiled_turtle(path: Path) -> CompiledTurtle:
    """Compile one procedure file to canonical Turtle (with its header), refusing problems."""
    compiled = compile_file(path)
    if compiled.problems:
        first = compiled.problems[0]
        more = len(compiled.problems) - 1
        extra = f" (and {more} more: run `nephrokb validate {path}`)" if more else ""
        raise InputError(first.message + extra, path=first.origin.file, line=first.origin.line)
    body = serialize_canonical(compiled.graph, PREFIXES)
    header = HEADER.format(name=path.name, digest=body_digest(body))
    return CompiledTurtle(
        serialize_canonical(compiled.graph, PREFIXES, header=header), compiled.graph
    )


def hand_edited_losses(target: Path, new_graph: Graph) -> list[str]:
    """Return the triples of `target` that would be lost, unless an import wrote it as it is."""
    text = read_text(target)
    match = HEADER_DIGEST.match(text)
    if match and body_digest(text[match.end() :].lstrip("\n")) == match.group(1):
        return []
    old = Graph().parse(data=text, format="turtle")
    return sorted(
        " ".join(compact(str(term)) if isinstance(term, URIRef) else term.n3() for term in triple)
        for triple in old
        if triple not in new_graph
    )


def import_files(paths: Sequence[Path], kb_folder: Path, *, force: bool = False) -> list[Imported]:
    """Compile every file, then write them all (none is written if any cannot be)."""
    planned: list[tuple[Path, Path, str, Graph, FileSnapshot | None]] = []
    for path in paths:
        text, graph = compiled_turtle(path)
        target = import_target(path, kb_folder)
        snapshot = None
        if target.exists():
            snapshot = snapshot_file(target)
            losses = [] if force else hand_edited_losses(target, graph)
            if losses:
                raise InputError(
                    f"was edited by hand and importing {path} would lose {len(losses)} "
                    f"triple{'s' if len(losses) > 1 else ''} (first: {losses[0]}); "
                    "move those edits into the procedure file, or use --force to overwrite",
                    path=str(target),
                )
        planned.append((path, target, text, graph, snapshot))
    done = []
    for path, target, text, graph, snapshot in planned:
        content = text.encode("utf-8")
        changed = snapshot is None or target.read_bytes() != content
        if changed:
            write_output(target, content, unchanged_since=snapshot)
        done.append(Imported(path, target, len(graph), changed))
    return done


def knowledge_with(files: Sequence[Path], data: Sequence[str | Path] = ()) -> list[Path]:
    """Return the files of `data` (default: kb/) with `files` in place of their import targets
    (in kb/ or in a folder of `data`).

    So that `nephrokb validate my-procedure.yaml` checks the procedure file together with the
    rest of the knowledge, as it will be once imported, not beside its old Turtle.
    """
    folders = [bundled_folder("kb"), *(Path(path) for path in data if Path(path).is_dir())]
    replaced = {import_target(Path(path), folder).resolve() for path in files for folder in folders}
    known = resolve_turtle_files(list(data) if data else [folders[0]])
    kept = [path for path in known if path.resolve() not in replaced]
    return [*kept, *(Path(path) for path in files)]
