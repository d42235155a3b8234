"""Rewrite Turtle files in the canonical serialization, never losing a triple."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from rdflib import Graph
from rdflib.compare import isomorphic

from nephrokb.errors import InputError, NephroKBError, OutputError
from nephrokb.namespaces import PREFIXES
from nephrokb.output import FileSnapshot, snapshot_file, write_output
from nephrokb.rdf.parsing import check_terms, describe_parse_error, error_line
from nephrokb.rdf.sources import SourceText, read_text, resolve_turtle_files
from nephrokb.resources import current_checkout
from nephrokb.turtle.canonical import serialize_canonical
from nephrokb.turtle.comments import find_comments, place_comments

DEFAULT_FOLDERS = ("kb", "ontology", "shapes")
# Relative IRIs resolve against this placeholder so they can be written back relative.
RELATIVE_BASE = "file:///nephrokb-relative-base/"


@dataclass(frozen=True)
class FormatResult:
    """One file's outcome: whether its canonical form differs from what is on disk.

    `error` says why a changed file could not be written (another editor saved it after fmt
    read it, a full disk); the other files are still written.
    """

    path: Path
    changed: bool
    error: OutputError | None = None


def default_paths(folder: Path | None = None) -> list[Path]:
    """Return the kb/, ontology/ and shapes/ folders that exist under `folder`.

    By default: the checkout's folders inside a checkout (see nephrokb.resources), else the
    current folder's; paths stay relative when the checkout is the current folder.
    """
    if folder is None:
        checkout = current_checkout()
        folder = Path() if checkout is None or checkout == Path.cwd() else checkout
    root = folder
    found = [root / name for name in DEFAULT_FOLDERS if (root / name).is_dir()]
    if not found:
        raise InputError(
            "no kb/, ontology/ or shapes/ folder here; name the Turtle files to format",
            path=str(root),
        )
    return found


class CanonicalForm(NamedTuple):
    """A Turtle file's text as it is, and as fmt writes it."""

    current: str
    canonical: str


def canonical_form(path: Path, *, drop_comments: bool = False) -> CanonicalForm:
    """Return the current and the canonical text of one Turtle file, checked to be lossless.

    Comments above a subject's statement stay above that subject (nephrokb.turtle.comments); a
    comment with no such place raises a CommentsError listing them, unless `drop_comments`.
    """
    text = read_text(path)
    original = Graph(bind_namespaces="none")
    source = SourceText(path=path, text=text, syntax="turtle")
    try:
        original.parse(data=text, format="turtle", publicID=RELATIVE_BASE)
    except RecursionError:
        raise InputError("is nested too deeply to parse", path=str(path)) from None
    except Exception as error:  # any parser failure means: do not touch this file
        raise InputError(
            describe_parse_error(error), path=str(path), line=error_line(error, text)
        ) from None
    check_terms(original, [source])
    prefixes = {**{p: str(ns) for p, ns in original.namespaces()}, **PREFIXES}
    canonical = serialize_canonical(
        original, prefixes, header=leading_comments(text), base=RELATIVE_BASE
    )
    reparsed = Graph().parse(data=canonical, format="turtle", publicID=RELATIVE_BASE)
    if not isomorphic(original, reparsed):
        raise NephroKBError(
            "the canonical form would change the triples; file left untouched (please report)",
            path=str(path),
        )
    header = leading_comments(text)
    comments = find_comments(text, RELATIVE_BASE, len(header.splitlines()) if header else 0)
    lost = [comment for comment in comments if comment.subject is None]
    if lost and not drop_comments:
        raise CommentsError(
            f"would drop {len(lost)} comment{'s' if len(lost) > 1 else ''} that precede no "
            "subject (inside a statement, after code, or at the end); move them above a "
            "subject, or pass --drop-comments:"
            + "".join(f"\n  {path}:{comment.line}: {comment.text}" for comment in lost),
            path=str(path),
        )
    return CanonicalForm(text, place_comments(canonical, comments, RELATIVE_BASE))


class CommentsError(InputError):
    """A file whose comments the canonical form would drop."""


def leading_comments(text: str) -> str:
    """Return the comment block at the top of a file, which fmt keeps."""
    kept = []
    for line in text.splitlines():
        if line.startswith("#") or (kept and not line.strip()):
            kept.append(line)
        else:
            break
    return "\n".join(kept).rstrip()


def format_files(
    paths: Sequence[str | Path], *, check: bool = False, drop_comments: bool = False
) -> list[FormatResult]:
    """Canonicalize every Turtle file under `paths`; with check, only report differences.

    Every file is parsed and verified before any is written, so one unreadable file
    leaves all of them untouched. A file that changed on disk after it was read is not
    replaced: its result carries the error.
    """
    files = resolve_turtle_files(paths)
    forms = [
        (path, take_snapshot(path), *canonical_form(path, drop_comments=drop_comments))
        for path in files
    ]
    results = []
    for path, snapshot, current, canonical in forms:
        changed = current != canonical
        error = None
        if changed and not check:
            try:
                write_output(path, canonical.encode("utf-8"), unchanged_since=snapshot)
            except OutputError as refused:
                error = refused
        results.append(FormatResult(path=path, changed=changed, error=error))
    return results


def take_snapshot(path: Path) -> FileSnapshot:
    """Record a file before it is read, so a later save by someone else is noticed.

    Taken before reading: if the file changes in between, the snapshot no longer matches
    what is on disk at write time, and the file is left alone (never the other way round).
    """
    try:
        return snapshot_file(path)
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", path=str(path)) from None
