"""Read the files of a folder as they were at a git revision.

git runs as a subprocess with explicit arguments, never through a shell, in the repository
that holds the folder. A revision is resolved to its commit first, so a typo is one clear
error and every later command sees only a hexadecimal object name. Files read from a
revision pass the same checks as files read from disk (size, UTF-8, nothing to fetch).
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from nephrokb.errors import InputError
from nephrokb.rdf.loading import parse_sources
from nephrokb.rdf.parsing import parse_source
from nephrokb.rdf.sources import (
    TURTLE_SUFFIX,
    SourceText,
    max_input_bytes,
    refuse_remote_contexts,
    refuse_xml_declarations,
    syntax_of,
)

if TYPE_CHECKING:
    from rdflib import Graph


def run_git(arguments: Sequence[str], folder: Path, *, stdin: bytes | None = None) -> bytes:
    """Run `git ARGUMENTS` in `folder` and return its standard output."""
    try:
        completed = subprocess.run(
            ["git", "--literal-pathspecs", *arguments],
            cwd=folder,
            input=stdin,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise InputError("git is not installed or not on the PATH") from None
    except OSError as error:
        raise InputError(f"cannot run git: {error.strerror}", path=str(folder)) from None
    if completed.returncode != 0:
        reason = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"git {arguments[0]} failed: {reason[-1] if reason else 'no reason'}")
    return completed.stdout


def repository_root(path: str | Path) -> Path:
    """Return the top folder of the git working tree that holds `path`."""
    path = Path(path).resolve()
    folder = path if path.is_dir() else path.parent
    while not folder.is_dir():  # a file or folder that no longer exists in the working tree
        folder = folder.parent
    try:
        output = run_git(["rev-parse", "--show-toplevel"], folder)
    except InputError as error:  # git's reason tells "not a repository" from "dubious ownership"
        raise InputError(f"is not in a git repository ({error.message})", path=str(path)) from None
    return Path(output.decode("utf-8").strip()).resolve()


def resolve_revision(root: Path, revision: str) -> str:
    """Return the commit a revision names (a branch, tag, `HEAD~1`, a hash...)."""
    if not revision or revision.startswith("-"):
        raise InputError(f"{revision!r} is not a git revision")
    try:
        output = run_git(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"],
            root,
        )
    except InputError:
        raise InputError(f"unknown git revision {revision!r} in {root}") from None
    return output.decode("ascii").strip()


def files_at(root: Path, commit: str, relative: str) -> dict[str, str]:
    """Return {path: blob id} of the files nephrokb reads under `relative` at `commit`.

    A folder contributes its Turtle files (recursively), a file itself, as on disk. Paths are
    relative to the repository root, with forward slashes; an absent path gives no files.
    """
    output = run_git(["ls-tree", "-r", "-z", "--full-tree", commit, "--", relative], root)
    files = {}
    for entry in output.decode("utf-8").split("\0"):
        if not entry:
            continue
        meta, name = entry.split("\t", 1)
        _, kind, blob = meta.split()
        inside_folder = name != relative
        if kind == "blob" and (name.endswith(TURTLE_SUFFIX) or not inside_folder):
            files[name] = blob
    return files


def changed_in_working_tree(root: Path, commit: str, relative: str) -> set[str]:
    """Return the tracked files under `relative` whose working-tree content differs from `commit`.

    git compares by the index's stat data first, so unchanged files are not read. Paths are
    relative to the repository root; files git does not track are not listed.
    """
    output = run_git(["diff", "--name-only", "--no-renames", "-z", commit, "--", relative], root)
    return {name for name in output.decode("utf-8").split("\0") if name}


def relative_name(root: Path, path: str | Path) -> str:
    """Return `path` relative to the repository root, with forward slashes."""
    resolved = Path(path).resolve()
    try:
        return PurePosixPath(resolved.relative_to(root)).as_posix()
    except ValueError:
        raise InputError(f"is outside the git repository {root}", path=str(path)) from None


def source_at(root: Path, commit: str, name: str, revision: str) -> SourceText:
    """Read one file as it was at `commit`, checked like a file read from disk.

    The SourceText's path is the file's place in the working tree, so relative IRIs resolve
    as they do now; errors name the file as `REVISION:path`.
    """
    shown = f"{revision}:{name}"
    raw = run_git(["show", f"{commit}:{name}"], root)
    limit = max_input_bytes()
    if len(raw) > limit:
        raise InputError(f"is larger than {limit} bytes", path=shown)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError("is not UTF-8 text", path=shown, line=line) from None
    path = root / name
    syntax = syntax_of(path)
    try:
        if syntax == "xml":
            refuse_xml_declarations(path, text)
        elif syntax == "json-ld":
            refuse_remote_contexts(path, text)
    except InputError as error:
        raise InputError(error.message, path=shown, line=error.line) from None
    return SourceText(path=path, text=text, syntax=syntax)


def load_revision(root: Path, revision: str, relative_paths: Sequence[str]) -> Graph:
    """Load the files under `relative_paths` (relative to `root`) as they were at `revision`."""
    commit = resolve_revision(root, revision)
    names = sorted(
        {name for relative in relative_paths for name in files_at(root, commit, relative)}
    )
    return parse_at(root, commit, names, revision)


def parse_at(root: Path, commit: str, names: Iterable[str], revision: str) -> Graph:
    """Parse the named files of `commit` into one checked graph; errors name `REVISION:path`."""
    sources = [source_at(root, commit, name, revision) for name in names]
    with errors_named_at(root, revision, sources):
        return parse_sources(sources).graph


def quads_at(root: Path, commit: str, names: Iterable[str], revision: str) -> set:
    """Return the pyoxigraph quads of the named files of `commit` (errors: `REVISION:path`)."""
    sources = [source_at(root, commit, name, revision) for name in names]
    with errors_named_at(root, revision, sources):
        return {quad for source in sources for quad in parse_source(source).quads}


@contextlib.contextmanager
def errors_named_at(root: Path, revision: str, sources: Sequence[SourceText]) -> Iterator[None]:
    """Name the file of an InputError about one of `sources` as `REVISION:path`."""
    shown = {
        str(source.path): f"{revision}:{relative_name(root, source.path)}" for source in sources
    }
    try:
        yield
    except InputError as error:
        raise InputError(
            error.message, path=shown.get(str(error.path), error.path), line=error.line
        ) from None
