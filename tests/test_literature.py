"""The literature layer: read apart from the source text, and shown by `show` in three formats.

Golden files live in tests/golden/show/ (literature-*; docs/testing.md says how to regenerate
them).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, GOLDEN
from nephrokb.cli import main
from nephrokb.knowledge.literature import Rate, read_literature
from nephrokb.knowledge.model import read_procedures
from nephrokb.namespaces import KB, VOCAB
from nephrokb.rdf.loading import load_graph

LITERATURE = str(FIXTURES / "clean" / "literature.ttl")
MINIMAL = str(FIXTURES / "clean" / "minimal.ttl")
EVIDENCE = KB + "demo-evidence"


def show(*args: str) -> str:
    result = CliRunner().invoke(main, ["show", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(("format_name", "suffix"), [("text", "txt"), ("markdown", "md")])
def test_show_marks_literature_apart_from_the_source(format_name, suffix, golden_file):
    output = show("demo-access", "--data", LITERATURE, "--format", format_name)
    golden_file(GOLDEN / "show" / f"literature-demo-access.{suffix}", output)


def test_show_json_lists_the_literature_and_its_evidence_once():
    document = json.loads(show("demo-access", "--data", LITERATURE, "--format", "json"))
    literature = document["literature"]
    (contraindication,) = literature["contraindications"]
    assert contraindication == {
        "iri": KB + "demo-contraindication",
        "label": "Uncorrected bleeding tendency",
        "description": "A bleeding tendency should be corrected first.",
        "kind": "relative",
        "corrective_action": "Correct the bleeding tendency first.",
        "frequency": None,
        "rates": [],
        "evidence": [EVIDENCE],
        "contested_by": [],
    }
    (complication,) = literature["complications"]
    assert complication["rates"] == [
        {
            "iri": KB + "demo-bleeding-rate",
            "label": "Bleeding after access, 2.5%",
            "description": "Measured in one demonstration series.",
            "value": 2.5,
            "lower": None,
            "upper": None,
            "unit": "%",
            "numerator": 5,
            "denominator": 200,
            "population": "200 demonstration procedures",
            "time_frame": None,
            "evidence": [EVIDENCE],
        }
    ]
    (success,) = literature["success_rates"]
    assert (success["value"], success["lower"], success["upper"]) == (None, 90, 99)
    (alternative,) = literature["alternatives"]
    assert alternative["contested_by"] == [EVIDENCE]
    assert literature["evidence"] == [
        {
            "iri": EVIDENCE,
            "label": "Demonstration article (2020)",
            "title": "A demonstration article",
            "journal": "Journal of Demonstrations",
            "year": "2020",
            "doi": "10.1234/demo.5678",
            "pmid": "12345678",
            "study_design": None,
            "part_read": "abstract",
            "url": "https://doi.org/10.1234/demo.5678",
        }
    ]


def test_a_procedure_without_literature_shows_no_literature_section():
    assert "From the literature" not in show("demo-access", "--data", MINIMAL)
    assert "From the literature" not in show(
        "demo-access", "--data", MINIMAL, "--format", "markdown"
    )


def test_literature_leaves_the_source_text_reading_unchanged():
    with_literature = read_procedures(load_graph([LITERATURE]))
    without = read_procedures(load_graph([MINIMAL]))
    assert [p.sources for p in with_literature] == [p.sources for p in without]
    assert [p.steps for p in with_literature] == [p.steps for p in without]
    assert [p.indications for p in with_literature] == [p.indications for p in without]


def test_bundled_literature_nodes_cite_evidence_and_no_source_line(bundled_graph):
    from rdflib import RDF, URIRef

    supported = set(bundled_graph.subjects(URIRef(VOCAB + "supportedBy"), None))
    assert len(supported) >= 30
    derived = set(bundled_graph.subjects(URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), None))
    assert supported.isdisjoint(derived)
    evidence = set(bundled_graph.subjects(RDF.type, URIRef(VOCAB + "Evidence")))
    assert len(evidence) == 14


def test_bundled_query_provenance_returns_no_literature_node(bundled_graph):
    result = CliRunner().invoke(main, ["query", "provenance", "--format", "tsv"])
    assert result.exit_code == 0, result.output
    assert "complication-" not in result.output and "evidence-" not in result.output


def test_a_complication_shows_only_the_rates_measured_for_the_procedure(bundled_graph):
    from rdflib import URIRef

    pcn = read_literature(bundled_graph, URIRef(KB + "percutaneous-nephrostomy"))
    stent = read_literature(bundled_graph, URIRef(KB + "antegrade-ureteral-stent-placement"))
    pcn_rates = {rate.iri for c in pcn.complications for rate in c.rates}
    stent_rates = {rate.iri for c in stent.complications for rate in c.rates}
    assert KB + "rate-stent-encrustation-curr-urol-2018" in stent_rates
    assert KB + "rate-stent-encrustation-curr-urol-2018" not in pcn_rates
    assert KB + "rate-pcn-complications-uk-registry" in pcn_rates
    assert pcn_rates.isdisjoint(stent_rates)


@pytest.mark.parametrize(
    ("values", "figure"),
    [
        (("6.3", None, None, None, 3262), "6.3% of 3262"),
        (("91.3", None, None, 85, 93), "85/93 = 91.3%"),
        ((None, "96", "99", None, None), "96-99%"),
        ((None, "96", None, None, None), "≥ 96%"),
    ],
)
def test_rate_figure_says_value_range_and_counts(values, figure):
    value, lower, upper, numerator, denominator = values
    rate = Rate(
        iri="x", label="x", description=None, value=value, lower=lower, upper=upper, unit="%",
        numerator=numerator, denominator=denominator, population=None, time_frame=None,
        evidence=(),
    )  # fmt: skip
    assert rate.figure == figure
