"""The CHANGELOG section of a release: wording and grouping of kinds the golden file lacks."""

from __future__ import annotations

from rdflib import Graph

from conftest import FIXTURES
from nephrokb.changes.changelog import ComparedWith, prepend_section, render_section
from nephrokb.changes.compare import diff_graphs
from nephrokb.rdf.loading import load_graph
from nephrokb.resources import bundled_folder

ADDED_COMPLICATION = """\
@prefix kb: <https://w3id.org/nephrokb/id/> .
@prefix nkb: <https://w3id.org/nephrokb/vocab#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

kb:demo-access nkb:hasComplication kb:demo-bleeding .
kb:demo-bleeding a nkb:Complication ; rdfs:label "Bleeding after puncture"@en .
"""


def test_an_enriched_fact_is_named_by_its_kind_under_the_procedure_linking_to_it():
    old = Graph().parse(FIXTURES / "clean" / "mapped.ttl")
    new = old + Graph().parse(data=ADDED_COMPLICATION, format="turtle")
    section = render_section(
        diff_graphs(old, new),
        "1.1.0",
        "2026-12-03",
        ComparedWith("v1.0.0", "0123456789abcdef"),
        load_graph([bundled_folder("ontology")]),
    )
    assert section == (
        "## 1.1.0 (2026-12-03)\n\n"
        "Since v1.0.0 (0123456789ab): 2 changes: 1 node added, 1 node changed.\n\n"
        "### Demo access\n\n"
        '- Complication "Bleeding after puncture" added.\n'
        '- "Demo access": has complication changed.\n'
    )


def test_a_release_without_changes_says_so():
    graph = Graph().parse(FIXTURES / "clean" / "minimal.ttl")
    section = render_section(
        diff_graphs(graph, graph), "1.0.1", "2026-12-03", ComparedWith("v1.0.0", "ab" * 20), graph
    )
    assert section == (
        "## 1.0.1 (2026-12-03)\n\nNo changes in the knowledge since v1.0.0 (abababababab).\n"
    )


def test_sections_go_under_the_title_newest_first():
    assert prepend_section(None, "## 1.0.0 (x)\n") == "# Changelog\n\n## 1.0.0 (x)\n"
    assert prepend_section("# Changelog\n\n## 1.0.0 (x)\n", "## 1.1.0 (y)\n") == (
        "# Changelog\n\n## 1.1.0 (y)\n\n## 1.0.0 (x)\n"
    )
