"""Export the knowledge as a procedure file (YAML or xlsx): `nephrokb import` reads it back."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph


def export_yaml(graph: Graph) -> bytes:
    """Return the graph as one YAML procedure file (every procedure under `procedures`)."""
    from nephrokb.authoring.decompile import decompile
    from nephrokb.authoring.yaml_format import write_yaml

    return write_yaml(decompile(graph)).encode("utf-8")


def export_xlsx(graph: Graph) -> bytes:
    """Return the graph as one procedure workbook (a sheet per section)."""
    from nephrokb.authoring.decompile import decompile
    from nephrokb.authoring.workbook import write_workbook

    return write_workbook(decompile(graph))
