"""Export the knowledge as a procedure file (YAML or xlsx): `nephrokb import` reads it back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nephrokb.authoring.decompile import decompile
from nephrokb.authoring.workbook import write_workbook
from nephrokb.authoring.yaml_format import write_yaml

if TYPE_CHECKING:
    from rdflib import Graph


def export_yaml(graph: Graph) -> bytes:
    """Return the graph as one YAML procedure file (every procedure under `procedures`)."""
    return write_yaml(decompile(graph)).encode("utf-8")


def export_xlsx(graph: Graph) -> bytes:
    """Return the graph as one procedure workbook (a sheet per section)."""
    return write_workbook(decompile(graph))
