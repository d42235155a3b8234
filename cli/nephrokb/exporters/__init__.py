"""Write a knowledge graph in one of nephrokb's export formats.

Every exporter has the same signature, `export_x(graph: Graph) -> bytes`, and output that
depends only on the graph's content (sorted), so an export diffs cleanly against the last one.
Adding a format is one entry in EXPORTERS plus its tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nephrokb.errors import InputError
from nephrokb.exporters.authoring import export_xlsx, export_yaml
from nephrokb.exporters.csv_steps import export_csv
from nephrokb.exporters.diagrams import export_dot, export_mermaid
from nephrokb.exporters.fhir import export_fhir
from nephrokb.exporters.markdown import export_markdown
from nephrokb.exporters.sssom import export_sssom, export_sssom_json
from nephrokb.rdf.loading import garbage_collection_paused, load
from nephrokb.rdf.serialization import RDF_FORMATS, export_store_turtle

if TYPE_CHECKING:
    from pyoxigraph import Store
    from rdflib import Graph

Exporter = Callable[["Graph"], bytes]
StoreExporter = Callable[["Store"], bytes]

EXPORTERS: dict[str, Exporter] = {
    **RDF_FORMATS,
    "csv": export_csv,
    "dot": export_dot,
    "fhir": export_fhir,
    "markdown": export_markdown,
    "mermaid": export_mermaid,
    "sssom": export_sssom,
    "sssom-json": export_sssom_json,
    "xlsx": export_xlsx,
    "yaml": export_yaml,
}

# Formats written straight from a pyoxigraph Store, so that a large knowledge base is never
# built as an rdflib graph. Each writes what its EXPORTERS entry writes for the same triples;
# a Store keeps literals as written, where rdflib reads "01"^^xsd:integer as 1.
STORE_EXPORTERS: dict[str, StoreExporter] = {"turtle": export_store_turtle}

# Bundled folders that `--include` may add to the exported knowledge.
INCLUDABLE = ("ontology",)


def export_knowledge(
    format_name: str,
    data: Sequence[str | Path] | None = None,
    include: Sequence[str] = (),
) -> bytes:
    """Load `data` (default: the bundled kb/) plus the bundled `include` folders, and export."""
    if format_name not in EXPORTERS:
        raise InputError(f"unknown export format {format_name!r}; known: {', '.join(EXPORTERS)}")
    for name in include:
        if name not in INCLUDABLE:
            raise InputError(f"cannot include {name!r}; known: {', '.join(INCLUDABLE)}")
    if format_name in STORE_EXPORTERS:
        return STORE_EXPORTERS[format_name](load(data, include=include, into="store"))
    with garbage_collection_paused():
        return EXPORTERS[format_name](load(data, include=include))
