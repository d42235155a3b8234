"""The bundled KB encodes every real statement of the source exactly once, and no noise."""

from __future__ import annotations

import pytest
from rdflib import RDF, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDFS

from conftest import SOURCE_TEXT

NKB = Namespace("https://w3id.org/nephrokb/vocab#")
KB = Namespace("https://w3id.org/nephrokb/id/")

NEPHROSTOMY_LINES = [2, 5, 6, 7, 8, 9, 10, 11, 12, 13]
STENTING_LINES = [14, 15, 16, 17, 18, 19]
INDICATION_LINES = list(range(23, 30))
BENEFIT_LINES = list(range(30, 36))
REAL_LINES = NEPHROSTOMY_LINES + STENTING_LINES + INDICATION_LINES + BENEFIT_LINES
PCN = "percutaneous-nephrostomy"
AJS = "antegrade-ureteral-stent-placement"
NOISE_LINES = [1, 4, 20, 21, 22]  # heading, duplicate of line 2, three Lorem Ipsum lines


def source_lines() -> list[str]:
    return SOURCE_TEXT.read_text(encoding="utf-8").split("\n")


def lines_of(graph, node) -> list[int]:
    return sorted(
        int(graph.value(excerpt, NKB.lineNumber))
        for excerpt in graph.objects(node, PROV.wasDerivedFrom)
    )


def ordered_steps(graph, procedure) -> list[URIRef]:
    steps = list(graph.objects(procedure, NKB.hasStep))
    return sorted(steps, key=lambda step: int(graph.value(step, NKB.stepNumber)))


def statement_nodes(graph):
    for cls in (NKB.Step, NKB.Indication, NKB.Benefit):
        yield from graph.subjects(RDF.type, cls)


def test_noise_lines_are_what_the_issue_says():
    lines = source_lines()
    assert lines[0] == "1. Patient Positioning"
    assert lines[3] == lines[1]
    assert all(lines[n - 1].startswith("Lorem Ipsum") for n in (20, 21, 22))


def test_every_real_line_is_encoded_by_exactly_one_statement(bundled_graph):
    counts: dict[int, int] = {}
    for node in statement_nodes(bundled_graph):
        for line in lines_of(bundled_graph, node):
            counts[line] = counts.get(line, 0) + 1
    assert counts == dict.fromkeys(REAL_LINES, 1)


def test_no_noise_line_is_an_excerpt(bundled_graph):
    excerpt_lines = {int(n) for n in bundled_graph.objects(None, NKB.lineNumber)}
    assert excerpt_lines == set(REAL_LINES)
    assert not excerpt_lines & set(NOISE_LINES)


def test_no_lorem_ipsum_anywhere(bundled_graph):
    assert not [o for o in bundled_graph.objects() if "lorem" in str(o).lower()]


def test_excerpts_keep_the_source_verbatim(bundled_graph):
    lines = source_lines()
    for excerpt in bundled_graph.subjects(RDF.type, NKB.SourceExcerpt):
        number = int(bundled_graph.value(excerpt, NKB.lineNumber))
        assert str(bundled_graph.value(excerpt, NKB.verbatimText)) == lines[number - 1]
        assert bundled_graph.value(excerpt, DCTERMS.isPartOf) == KB["source-text"]


@pytest.mark.parametrize(
    ("procedure", "lines"),
    [(PCN, NEPHROSTOMY_LINES), (AJS, STENTING_LINES)],
)
def test_steps_follow_source_order(bundled_graph, procedure, lines):
    steps = ordered_steps(bundled_graph, KB[procedure])
    assert [lines_of(bundled_graph, step) for step in steps] == [[line] for line in lines]
    assert [int(bundled_graph.value(s, NKB.stepNumber)) for s in steps] == list(
        range(1, len(lines) + 1)
    )


def test_seven_indications_and_six_benefits(bundled_graph):
    assert len(set(bundled_graph.subjects(RDF.type, NKB.Indication))) == 7
    assert len(set(bundled_graph.subjects(RDF.type, NKB.Benefit))) == 6


@pytest.mark.parametrize(
    ("node", "procedures"),
    [
        ("indication-failed-retrograde-stenting", {AJS}),
        ("indication-urgent-drainage-of-infected-obstruction", {PCN}),
        ("indication-percutaneous-access", {PCN}),
        ("benefit-drains-infected-urine", {PCN}),
        ("benefit-minimally-invasive", {PCN, AJS}),
        ("indication-urinary-tract-obstruction", {PCN, AJS}),
    ],
)
def test_indications_and_benefits_attach_to_the_right_procedures(bundled_graph, node, procedures):
    attached = {
        str(p).removeprefix(str(KB))
        for p in bundled_graph.subjects(None, KB[node])
        if (p, RDF.type, NKB.Procedure) in bundled_graph
    }
    assert attached == procedures


@pytest.mark.parametrize(
    ("step", "needs"),
    [
        ("pcn-insert-guidewire", "pcn-puncture-calyx"),
        ("pcn-dilate-tract", "pcn-insert-guidewire"),
        ("pcn-place-nephrostomy-catheter", "pcn-insert-guidewire"),
        ("pcn-place-nephrostomy-catheter", "pcn-dilate-tract"),
        ("ajs-pass-guidewire-into-bladder", "pcn-dilate-tract"),
        ("ajs-advance-double-j-stent", "ajs-pass-guidewire-into-bladder"),
        ("ajs-remove-guidewire-and-catheters", "ajs-advance-double-j-stent"),
    ],
)
def test_real_prerequisites_are_dependencies(bundled_graph, step, needs):
    assert (KB[step], NKB.dependsOn, KB[needs]) in bundled_graph


def test_stenting_relies_on_nephrostomy(bundled_graph):
    assert (
        KB["antegrade-ureteral-stent-placement"],
        NKB.reliesOn,
        KB["percutaneous-nephrostomy"],
    ) in bundled_graph


def test_only_the_optional_steps_carry_a_condition(bundled_graph):
    conditional = {
        str(step).removeprefix(str(KB)): str(condition)
        for step, condition in bundled_graph.subject_objects(NKB.condition)
    }
    assert conditional == {
        "pcn-confirm-position-with-contrast": (
            "optional: contrast may be injected to confirm position and drainage"
        ),
        "ajs-dilate-ureteral-opening-and-tract": "if necessary",
    }


def test_post_procedure_expectations_are_modelled(bundled_graph):
    step = KB["pcn-check-site-after-procedure"]
    assert set(bundled_graph.objects(step, NKB.checksFor)) == {KB.infection, KB.bleeding}
    findings = set(bundled_graph.objects(step, NKB.hasExpectedFinding))
    assert findings == {KB["transient-haematuria"], KB["transient-pain"]}
    for finding in findings:
        assert bundled_graph.value(finding, NKB.isTransient) == Literal(True)


def test_conditions_named_by_indications_exist(bundled_graph):
    named = set(bundled_graph.objects(None, NKB.refersToCondition))
    expected = {
        "kidney-stone",
        "ureteral-stricture",
        "urinary-tract-tumour",
        "extrinsic-ureteral-compression",
        "pyonephrosis",
        "obstructive-urinary-tract-infection",
        "sepsis",
        "acute-renal-failure",
        "ureteral-injury",
        "malignant-ureteral-obstruction",
        "urinary-tract-obstruction",
    }
    assert {str(c).removeprefix(str(KB)) for c in named} == expected


def test_every_node_has_one_english_label(bundled_graph):
    for node in set(bundled_graph.subjects(DCTERMS.source, None)):
        labels = list(bundled_graph.objects(node, RDFS.label))
        assert len(labels) == 1 and labels[0].language == "en", node
