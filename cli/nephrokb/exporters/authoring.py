"""Export the knowledge as a procedure file (YAML): `nephrokb import` reads it back."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph


def export_yaml(graph: Graph) -> bytes:
    """Return the graph as one YAML procedure file (every procedure under `procedures`)."""
    from nephrokb.authoring.decompile import decompile
    from nephrokb.authoring.yaml_format import write_yaml

    return write_yaml(decompile(graph)).encode("utf-8")
