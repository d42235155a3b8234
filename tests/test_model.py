"""nephrokb.knowledge.model: procedures read into dataclasses, ordered, and found by name."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conftest import FIXTURES
from nephrokb.errors import InputError
from nephrokb.knowledge.model import find_procedure, read_procedures
from nephrokb.rdf.loading import load_graph

KB = "https://w3id.org/nephrokb/id/"
BROKEN = FIXTURES / "broken"


@pytest.fixture(scope="module")
def procedures(bundled_graph):
    return read_procedures(bundled_graph)


def test_procedures_come_after_those_they_rely_on(procedures):
    assert [p.curie for p in procedures] == [
        "kb:percutaneous-nephrostomy",
        "kb:antegrade-ureteral-stent-placement",
    ]
    assert [ref.iri for ref in procedures[1].relies_on] == [KB + "percutaneous-nephrostomy"]


def test_steps_are_numbered_in_order_with_conditions(procedures):
    nephrostomy, stenting = procedures
    assert [step.number for step in nephrostomy.steps] == list(range(1, 11))
    assert [step.number for step in stenting.steps] == list(range(1, 7))
    conditional = {
        step.label: step.condition for p in procedures for step in p.steps if step.condition
    }
    assert conditional == {
        "Confirm catheter position and drainage with contrast": (
            "optional: contrast may be injected to confirm position and drainage"
        ),
        "Dilate the ureteral opening and tract": "if necessary",
    }


def test_dependencies_name_the_step_and_its_procedure(procedures):
    nephrostomy, stenting = procedures
    puncture = nephrostomy.steps[4]
    assert [(d.number, d.procedure.iri) for d in puncture.depends_on] == [
        (3, nephrostomy.iri),
        (4, nephrostomy.iri),
    ]
    (across,) = stenting.steps[0].depends_on
    assert (across.iri, across.number, across.label) == (
        KB + "pcn-dilate-tract",
        7,
        "Dilate the access tract",
    )
    assert across.procedure.label == "Percutaneous nephrostomy"


def test_indications_and_benefits_follow_the_source_lines(procedures):
    nephrostomy, stenting = procedures
    assert [s.sources[0].number for s in nephrostomy.indications] == [23, 24, 25, 26, 27, 29]
    assert [s.sources[0].number for s in stenting.indications] == [23, 25, 26, 28, 29]
    assert [s.sources[0].number for s in nephrostomy.benefits] == [30, 31, 32, 33, 34, 35]
    assert [s.sources[0].number for s in stenting.benefits] == [30, 31, 32, 34, 35, 35]
    first = nephrostomy.indications[0]
    assert first.label == "Urinary tract obstruction"
    assert "Kidney stone" in [condition.label for condition in first.conditions]


def test_provenance_keeps_line_numbers_and_verbatim_text(procedures):
    nephrostomy = procedures[0]
    assert nephrostomy.sources == ()
    (line,) = nephrostomy.steps[0].sources
    assert line.text == "To provide flank access, the patient is placed prone with support rolls."


def test_a_reliance_cycle_still_gives_every_procedure_once():
    procedures = read_procedures(load_graph([BROKEN / "relies-on-cycle.ttl"]))
    assert len({p.iri for p in procedures}) == len(procedures) >= 2


def test_a_step_without_a_number_is_refused():
    with pytest.raises(InputError, match="has no integer nkb:stepNumber"):
        read_procedures(load_graph([BROKEN / "step-number-missing.ttl"]))


def test_a_node_without_label_is_named_by_its_iri(tmp_path):
    turtle = tmp_path / "unlabelled.ttl"
    turtle.write_text(
        "@prefix kb: <https://w3id.org/nephrokb/id/> .\n"
        "@prefix nkb: <https://w3id.org/nephrokb/vocab#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'kb:unlabelled a nkb:Procedure ; rdfs:label "Etikett"@de, "Label"@en-gb .\n'
        "kb:bare a nkb:Procedure .\n",
        encoding="utf-8",
    )
    procedures = read_procedures(load_graph([turtle]))
    assert sorted(p.label for p in procedures) == ["Label", "bare"]


@pytest.mark.parametrize(
    "query",
    [
        KB + "percutaneous-nephrostomy",
        f"<{KB}percutaneous-nephrostomy>",
        "kb:percutaneous-nephrostomy",
        "percutaneous-nephrostomy",
        "nephrostomy",
        "PERCUTANEOUS",
        "Percutaneous nephrostomy",
    ],
)
def test_find_procedure_by_iri_curie_slug_or_label(procedures, query):
    assert find_procedure(procedures, query).curie == "kb:percutaneous-nephrostomy"


def test_an_exact_label_beats_a_longer_label_containing_it(procedures):
    revised = replace(procedures[0], iri=KB + "x", label="Percutaneous nephrostomy, revised")
    assert find_procedure([*procedures, revised], "percutaneous nephrostomy") is procedures[0]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "name a procedure"),
        ("   ", "name a procedure"),
        ("e", "'e' matches 2 procedures"),
        ("lithotripsy", "no procedure matches 'lithotripsy'"),
        ("kb:pcn-puncture-calyx", "no procedure matches"),
    ],
)
def test_find_procedure_refuses_unclear_names(procedures, query, message):
    with pytest.raises(InputError, match=message):
        find_procedure(procedures, query)
