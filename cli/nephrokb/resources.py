"""Find the ontology, shapes and knowledge base files that ship with nephrokb."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

BUNDLED_FOLDERS = ("ontology", "shapes", "kb")


def bundled_folder(name: str) -> Path:
    """Return the folder of bundled Turtle files called `name` (ontology, shapes or kb)."""
    if name not in BUNDLED_FOLDERS:
        raise ValueError(f"unknown bundled folder {name!r}")
    packaged = Path(str(files("nephrokb"))) / "bundled" / name
    if packaged.is_dir():
        return packaged
    # An editable install or a source checkout: the folders sit at the repository root.
    return Path(__file__).resolve().parents[2] / name


def bundled_files(name: str) -> list[Path]:
    """Return the sorted Turtle files of one bundled folder."""
    return sorted(bundled_folder(name).glob("*.ttl"))
