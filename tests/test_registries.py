"""The format registries follow one naming convention (docs/architecture.md)."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from nephrokb.changes.formats import DIFF_FORMATS
from nephrokb.exporters import EXPORTERS, STORE_EXPORTERS
from nephrokb.exporters.procedure import PROCEDURE_FORMATS
from nephrokb.knowledge.lookup import LOOKUP_FORMATS
from nephrokb.knowledge.stats import STATS_FORMATS
from nephrokb.namespaces import KB, RDFS_LABEL
from nephrokb.query.queries import QueryOutcome
from nephrokb.query.results import WRITERS
from nephrokb.rdf.serialization import RDF_FORMATS
from nephrokb.reports import REPORT_FORMATS

# Registries of functions that return text to show (render_) or a file's bytes (export_).
RENDERERS = {
    "DIFF_FORMATS": DIFF_FORMATS,
    "LOOKUP_FORMATS": LOOKUP_FORMATS,
    "PROCEDURE_FORMATS": PROCEDURE_FORMATS,
    "REPORT_FORMATS": REPORT_FORMATS,
    "STATS_FORMATS": STATS_FORMATS,
    "WRITERS[select]": WRITERS["select"],
    "WRITERS[ask]": WRITERS["ask"],
}
EXPORTING = {"EXPORTERS": EXPORTERS, "RDF_FORMATS": RDF_FORMATS, "STORE_EXPORTERS": STORE_EXPORTERS}


@pytest.mark.parametrize("registry", sorted(RENDERERS))
def test_text_registries_hold_render_functions(registry):
    names = {name: function.__name__ for name, function in RENDERERS[registry].items()}
    assert {name: f for name, f in names.items() if not f.startswith("render_")} == {}


@pytest.mark.parametrize("registry", sorted(EXPORTING))
def test_byte_registries_hold_export_functions(registry):
    names = {name: function.__name__ for name, function in EXPORTING[registry].items()}
    assert {name: f for name, f in names.items() if not f.startswith("export_")} == {}


@pytest.mark.parametrize("format_name", sorted(WRITERS["graph"]))
def test_query_graph_results_are_written_by_the_rdf_serialisations(format_name):
    graph = Graph()
    graph.add((URIRef(KB + "x"), URIRef(RDFS_LABEL), Literal("X", lang="en")))
    written = WRITERS["graph"][format_name](QueryOutcome("graph", graph=graph))
    assert written.encode("utf-8") == RDF_FORMATS[format_name](graph)
