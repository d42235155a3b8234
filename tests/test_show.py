"""`nephrokb show`: finding a procedure by IRI, CURIE, slug or label, and its three formats.

Golden files live in tests/golden/show/ (docs/testing.md says how to regenerate them).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, GOLDEN
from nephrokb.cli import main

SHOW = GOLDEN / "show"
MINIMAL = str(FIXTURES / "clean" / "minimal.ttl")
PCN = "https://w3id.org/nephrokb/id/percutaneous-nephrostomy"
DEMO_ACCESS = "https://w3id.org/nephrokb/id/demo-access"
DEMO_PROCEDURES = 'kb:demo-access "Demo access", kb:demo-drainage "Demo drainage"'


def invoke(*args: str):
    return CliRunner().invoke(main, ["show", *args])


@pytest.mark.parametrize(
    ("query", "golden"),
    [
        ("percutaneous-nephrostomy", "percutaneous-nephrostomy.txt"),
        ("kb:antegrade-ureteral-stent-placement", "antegrade-ureteral-stent-placement.txt"),
    ],
)
def test_text_checklist_matches_golden_file(query, golden, golden_file):
    result = invoke(query)
    assert result.exit_code == 0, result.output
    golden_file(SHOW / golden, result.output)


@pytest.mark.parametrize(("format_name", "suffix"), [("markdown", "md"), ("json", "json")])
def test_other_formats_match_golden_files(format_name, suffix, golden_file):
    result = invoke("stent", "--format", format_name)
    assert result.exit_code == 0, result.output
    golden_file(SHOW / f"antegrade-ureteral-stent-placement.{suffix}", result.output)


def test_text_marks_conditional_steps_and_shows_dependencies():
    lines = invoke("stent").output.splitlines()
    assert "  2. [ ] Dilate the ureteral opening and tract (if necessary)" in lines
    assert "         depends on Percutaneous nephrostomy step 7 (Dilate the access tract)" in lines
    assert lines.index("Indications:") < lines.index("Benefits:")


@pytest.mark.parametrize(
    "query",
    [
        DEMO_ACCESS,
        f"<{DEMO_ACCESS}>",
        "kb:demo-access",
        "demo-access",
        "Demo access",
        "ACCESS",
        "  access ",
    ],
)
def test_every_way_of_naming_finds_the_same_procedure(query):
    result = invoke(query, "--data", MINIMAL)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Demo access (kb:demo-access)\n")


def test_json_has_the_documented_structure():
    result = invoke("demo-drainage", "--data", MINIMAL, "--format", "json")
    document = json.loads(result.output)
    assert list(document) == [
        "iri",
        "curie",
        "label",
        "definition",
        "relies_on",
        "steps",
        "indications",
        "benefits",
        "sources",
        "literature",
    ]
    assert document["literature"] == {
        "contraindications": [],
        "preparation": [],
        "precautions": [],
        "complications": [],
        "aftercare": [],
        "alternatives": [],
        "success_rates": [],
        "evidence": [],
    }
    assert document["relies_on"] == [{"iri": DEMO_ACCESS, "label": "Demo access"}]
    (step,) = document["steps"]
    assert step["number"] == 1
    assert step["condition"] is None
    assert step["depends_on"] == [
        {
            "iri": "https://w3id.org/nephrokb/id/demo-pass-wire",
            "label": "Pass a wire",
            "number": 2,
            "procedure": {"iri": DEMO_ACCESS, "label": "Demo access"},
        }
    ]
    assert step["sources"][0]["line"] == 1
    assert document["indications"][0]["conditions"][0]["label"] == "Blockage"


def test_ambiguous_name_lists_candidates_and_exits_2():
    result = invoke("demo", "--data", MINIMAL)
    assert result.exit_code == 2
    assert result.output == (
        f"nephrokb: error: 'demo' matches 2 procedures: {DEMO_PROCEDURES}; name one of them\n"
    )


def test_unknown_name_lists_known_procedures_and_exits_2():
    result = invoke("lithotripsy", "--data", MINIMAL)
    assert result.exit_code == 2
    assert result.output == (
        "nephrokb: error: no procedure matches 'lithotripsy'; "
        f"known procedures: {DEMO_PROCEDURES}\n"
    )


def test_a_step_is_not_a_procedure():
    result = invoke("kb:demo-puncture", "--data", MINIMAL)
    assert result.exit_code == 2
    assert result.output.startswith("nephrokb: error: no procedure matches 'kb:demo-puncture'")


def test_missing_argument_is_a_usage_error():
    result = invoke()
    assert result.exit_code == 2
    assert result.output.startswith("nephrokb: error: Missing argument 'PROCEDURE'.")
