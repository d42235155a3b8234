"""`nephrokb stats`: exact counts for the minimal fixture, mappings per terminology, literature.

The literature fixture's whole text output is a golden file, tests/golden/stats/literature.txt
(docs/testing.md says how to regenerate it).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, GOLDEN
from nephrokb.cli import main
from nephrokb.knowledge.stats import OTHER_TERMINOLOGY, compute_stats
from nephrokb.rdf.loading import load_graph
from nephrokb.terminologies import TERMINOLOGIES

MINIMAL = str(FIXTURES / "clean" / "minimal.ttl")
LITERATURE = str(FIXTURES / "clean" / "literature.ttl")
NO_LITERATURE = {
    "contraindications": 0,
    "preparation": 0,
    "precautions": 0,
    "complications": 0,
    "aftercare": 0,
    "alternatives": 0,
    "rates": 0,
    "evidence": 0,
}

MAPPINGS_TURTLE = """\
@prefix kb: <https://w3id.org/nephrokb/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
kb:demo-condition skos:exactMatch <http://snomed.info/id/14669001> ;
    skos:closeMatch <http://purl.bioontology.org/ontology/ICD10CM/N17.9> ;
    skos:relatedMatch <http://snomed.info/id/131148009> .
kb:demo-access skos:broadMatch <http://snomed.info/id/175945009> ;
    skos:narrowMatch <http://purl.bioontology.org/ontology/ICD10PCS/0T9630Z> ;
    skos:exactMatch <http://example.org/unknown/1> ;
    skos:related <http://snomed.info/id/999999999> .
"""

MINIMAL_TEXT = """\
Triples: 99

Nodes per class:
{classes}

Steps per procedure:
  kb:demo-access    3
  kb:demo-drainage  1

Mappings per terminology:
  SNOMED CT   0
  ICD-10-PCS  0
  ICD-10-CM   0
  MeSH        0
  UMLS        0
  other       0

Literature of kb:demo-access:
  contraindications  0
  preparation        0
  precautions        0
  complications      0
  aftercare          0
  alternatives       0
  rates              0
  evidence           0

Literature of kb:demo-drainage:
  contraindications  0
  preparation        0
  precautions        0
  complications      0
  aftercare          0
  alternatives       0
  rates              0
  evidence           0
"""


def invoke(*args: str):
    return CliRunner().invoke(main, ["stats", *args])


@pytest.fixture(scope="module")
def minimal_json():
    result = invoke("--data", MINIMAL, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_minimal_fixture_counts_in_json(minimal_json):
    assert minimal_json["triples"] == 99
    counted = {name: n for name, n in minimal_json["classes"].items() if n}
    assert counted == {
        "nkb:AnatomicalSite": 1,
        "nkb:Benefit": 1,
        "nkb:Condition": 1,
        "nkb:Device": 1,
        "nkb:ExpectedFinding": 1,
        "nkb:ImagingModality": 1,
        "nkb:Indication": 1,
        "nkb:Procedure": 2,
        "nkb:SourceDocument": 1,
        "nkb:SourceExcerpt": 1,
        "nkb:Step": 4,
        "nkb:Substance": 1,
    }
    assert minimal_json["procedures"] == [
        {"curie": "kb:demo-access", "label": "Demo access", "steps": 3},
        {"curie": "kb:demo-drainage", "label": "Demo drainage", "steps": 1},
    ]
    assert minimal_json["mappings"] == {
        **{t.name: 0 for t in TERMINOLOGIES.values()},
        OTHER_TERMINOLOGY: 0,
    }
    assert minimal_json["literature"] == {
        "kb:demo-access": NO_LITERATURE,
        "kb:demo-drainage": NO_LITERATURE,
    }


def test_every_ontology_class_is_listed_even_when_unused(minimal_json):
    classes = minimal_json["classes"]
    assert list(classes) == sorted(classes)
    assert {"nkb:Procedure", "nkb:Step", "nkb:Indication", "nkb:Benefit"} <= set(classes)


def test_minimal_fixture_counts_in_text(minimal_json):
    result = invoke("--data", MINIMAL)
    assert result.exit_code == 0, result.output
    width = max(len(name) for name in minimal_json["classes"])
    classes = "\n".join(
        f"  {name:<{width}}  {count}" for name, count in minimal_json["classes"].items()
    )
    assert result.output == MINIMAL_TEXT.format(classes=classes)


def test_mappings_are_counted_per_terminology(tmp_path):
    mappings = tmp_path / "mappings.ttl"
    mappings.write_text(MAPPINGS_TURTLE, encoding="utf-8")
    stats = compute_stats(load_graph([MINIMAL, mappings]))
    assert stats.mappings == {
        "SNOMED CT": 3,
        "ICD-10-PCS": 1,
        "ICD-10-CM": 1,
        "MeSH": 0,
        "UMLS": 0,
        OTHER_TERMINOLOGY: 1,
    }
    assert stats.triples == 99 + 7


def test_bundled_kb_steps_per_procedure():
    result = invoke("--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert {p["curie"]: p["steps"] for p in document["procedures"]} == {
        "kb:antegrade-ureteral-stent-placement": 6,
        "kb:percutaneous-nephrostomy": 10,
    }
    assert document["classes"]["nkb:Step"] == 16
    assert set(document["mappings"]) == {t.name for t in TERMINOLOGIES.values()} | {
        OTHER_TERMINOLOGY
    }


def test_unknown_format_is_a_usage_error():
    result = invoke("--format", "yaml")
    assert result.exit_code == 2
    assert result.output == "nephrokb: error: invalid --format 'yaml'; choose from: json, text\n"


def test_bundled_kb_counts_the_literature_layer(bundled_graph):
    from nephrokb.knowledge.stats import compute_stats

    classes = compute_stats(bundled_graph).classes
    literature = {
        name: classes[name]
        for name in (
            "nkb:Contraindication",
            "nkb:Complication",
            "nkb:PreparationStep",
            "nkb:Precaution",
            "nkb:AftercareStep",
            "nkb:Rate",
            "nkb:Alternative",
            "nkb:Evidence",
        )
    }
    assert literature == {
        "nkb:Contraindication": 3,
        "nkb:Complication": 9,
        "nkb:PreparationStep": 2,
        "nkb:Precaution": 5,
        "nkb:AftercareStep": 3,
        "nkb:Rate": 11,
        "nkb:Alternative": 2,
        "nkb:Evidence": 14,
    }


def test_literature_fixture_text_matches_golden_file(golden_file):
    result = invoke("--data", LITERATURE)
    assert result.exit_code == 0, result.output
    golden_file(GOLDEN / "stats" / "literature.txt", result.output)


def test_literature_fixture_counts_each_section_rates_and_works_once():
    result = invoke("--data", LITERATURE, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["literature"] == {
        "kb:demo-access": {
            "contraindications": 1,
            "preparation": 1,
            "precautions": 1,
            "complications": 1,
            "aftercare": 1,
            "alternatives": 1,
            "rates": 2,
            "evidence": 1,
        },
        "kb:demo-drainage": NO_LITERATURE,
    }


def test_bundled_kb_counts_the_literature_of_each_procedure():
    result = invoke("--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["literature"] == {
        "kb:antegrade-ureteral-stent-placement": {
            "contraindications": 1,
            "preparation": 0,
            "precautions": 0,
            "complications": 3,
            "aftercare": 2,
            "alternatives": 1,
            "rates": 4,
            "evidence": 4,
        },
        "kb:percutaneous-nephrostomy": {
            "contraindications": 2,
            "preparation": 2,
            "precautions": 5,
            "complications": 6,
            "aftercare": 1,
            "alternatives": 1,
            "rates": 7,
            "evidence": 11,
        },
    }
