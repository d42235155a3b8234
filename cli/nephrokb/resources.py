"""Find the ontology, shapes and knowledge base files: the checkout's, or the installed copy.

Run inside a checkout of this repository (its git root holds kb/, shapes/ and ontology/ and
a pyproject.toml naming the nephrokb project), every command reads the checkout's folders,
so that an edit is what gets validated; anywhere else it reads the copy installed with the
package. This module is the one place that decides.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

BUNDLED_FOLDERS = ("ontology", "shapes", "kb")
PROJECT_NAME = "nephrokb"


def bundled_folder(name: str) -> Path:
    """Return the folder of Turtle files called `name`: the checkout's, else the installed one."""
    if name not in BUNDLED_FOLDERS:
        raise ValueError(f"unknown bundled folder {name!r}")
    checkout = current_checkout()
    if checkout is not None:
        return checkout / name
    packaged = Path(str(files("nephrokb"))) / "bundled" / name
    if packaged.is_dir():
        return packaged
    # An editable install: the folders sit at the root of the tree it was installed from.
    return Path(__file__).resolve().parents[2] / name


def knowledge_paths(
    data: Sequence[str | Path] | None = None, include: Sequence[str] = ()
) -> list[Path]:
    """Return what a command reads: its --data paths, or the bundled kb/ when it names none,
    then the files of the bundled `include` folders ("ontology", "shapes")."""
    paths = [Path(path) for path in data] if data else [bundled_folder("kb")]
    for name in include:
        paths.extend(bundled_files(name))
    return paths


def bundled_files(name: str) -> list[Path]:
    """Return the sorted Turtle files of one bundled folder."""
    return sorted(bundled_folder(name).glob("*.ttl"))


def current_checkout() -> Path | None:
    """Return the root of the nephrokb checkout holding the current folder, or None."""
    try:
        return checkout_holding(Path.cwd())
    except OSError:  # the current folder was removed
        return None


def checkout_holding(folder: Path) -> Path | None:
    """Return the git root above `folder` when it is a nephrokb checkout, else None."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():  # a folder, or a file in a linked worktree
            return candidate if is_nephrokb_checkout(candidate) else None
    return None


def is_nephrokb_checkout(root: Path) -> bool:
    """True when `root` holds kb/, shapes/, ontology/ and the nephrokb project's pyproject."""
    if not all((root / name).is_dir() for name in BUNDLED_FOLDERS):
        return False
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return project.get("project", {}).get("name") == PROJECT_NAME
