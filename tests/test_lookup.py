"""`nephrokb lookup`: which local concepts map to a code given as CURIE, IRI or FHIR pair.

Exact outputs for the forms terminology people write are golden files in tests/golden/lookup/,
read from tests/fixtures/lookup/ so that curating kb/ leaves them alone (docs/testing.md says
how to regenerate them).
"""

from __future__ import annotations

import json
import shlex

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, GOLDEN
from nephrokb.cli import main
from nephrokb.errors import InputError
from nephrokb.knowledge.lookup import lookup_code, parse_code
from nephrokb.knowledge.mappings import curie_converter, read_mappings
from nephrokb.namespaces import KB
from nephrokb.resources import bundled_folder
from nephrokb.terminologies import TERMINOLOGIES, is_snomed_concept_id

PCN_SNOMED = "http://snomed.info/id/313270001"
LOOKUP = GOLDEN / "lookup"
LOOKUP_FIXTURE = FIXTURES / "lookup" / "mappings.ttl"

# Golden case -> (code as typed, exit code).
GOLDEN_CASES = {
    "undotted-icd10cm": ("N139", 0),
    "snomed-expression": ("313270001 |Percutaneous nephrostomy (procedure)|", 0),
    "icd10cm-parent": ("ICD10CM:N13", 0),
    "bare-icd10pcs": ("0T9330Z", 0),
    "icd10cm-not-in-code-set": ("ICD10CM:N13.99", 1),
    "icd10cm-unmapped": ("ICD10CM:N10", 1),
    "icd10pcs-section-not-held": ("ICD10PCS:BT11ZZZ", 1),
}


def invoke(*args: str):
    return CliRunner().invoke(main, ["lookup", *args])


@pytest.mark.slow
def test_curie_shows_the_concept_predicate_justification_confidence_and_evidence():
    result = invoke("SCTID:313270001")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "SCTID:313270001 (SNOMED CT): 1 local concept maps to it"
    assert "kb:percutaneous-nephrostomy  Percutaneous nephrostomy" in lines
    assert "  predicate      skos:exactMatch (the same concept)" in lines
    assert "  justification  semapv:ManualMappingCuration" in lines
    assert "  confidence     0.95" in lines
    assert any(
        line.startswith("  evidence       https://github.com/HL7/fhir-ips/") for line in lines
    )


@pytest.mark.parametrize(
    "code",
    [
        "SCTID:313270001",
        "sctid:313270001",
        "SctId:313270001",
        PCN_SNOMED,
        f"<{PCN_SNOMED}>",
        "http://snomed.info/sct|313270001",
        "  SCTID:313270001 ",
    ],
)
def test_every_way_of_naming_a_code_finds_the_same_mapping(code):
    result = invoke(code, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["code"]["iri"] == PCN_SNOMED
    assert document["code"]["curie"] == "SCTID:313270001"
    assert document["code"]["terminology"] == "SNOMED CT"
    assert [match["subject"] for match in document["matches"]] == ["kb:percutaneous-nephrostomy"]


def test_icd_codes_accept_any_case():
    for code in ("icd10cm:N13.9", "ICD10CM:n13.9", "http://hl7.org/fhir/sid/icd-10-cm|n13.9"):
        result = invoke(code)
        assert result.exit_code == 0, (code, result.output)
        assert result.output.startswith("ICD10CM:N13.9 (ICD-10-CM): 1 local concept maps to it")
        assert "kb:urinary-tract-obstruction  Urinary tract obstruction" in result.output


def test_several_concepts_mapping_to_one_code_are_all_listed():
    document = json.loads(invoke("SCTID:20018005", "-f", "json").output)
    assert [match["subject"] for match in document["matches"]] == [
        "kb:extrinsic-ureteral-compression",
        "kb:malignant-ureteral-obstruction",
    ]
    assert {match["predicate"] for match in document["matches"]} == {"skos:broadMatch"}


def test_json_has_the_documented_fields():
    (match,) = json.loads(invoke("ICD10PCS:0T9330Z", "--format", "json").output)["matches"]
    assert set(match) == {
        "subject", "subject_iri", "label", "predicate", "predicate_iri", "meaning",
        "code", "code_title", "object_label", "justification", "confidence", "authors",
        "date", "evidence", "comment", "record",
    }  # fmt: skip
    assert match["subject_iri"] == KB + "percutaneous-nephrostomy"
    assert match["object_label"]
    assert match["date"] == "2026-11-27"


@pytest.mark.slow
def test_every_mapping_is_found_from_its_object(bundled_graph):
    converter = curie_converter(bundled_graph)
    for mapping in read_mappings(bundled_graph):
        found = lookup_code(bundled_graph, converter.compress(mapping.object))
        assert mapping in found.matches


def test_no_match_is_exit_1_with_a_message():
    result = invoke("SCTID:999999999")
    assert result.exit_code == 1
    assert result.output == "no local concept maps to SCTID:999999999 (SNOMED CT)\n"
    document = json.loads(invoke("SCTID:999999999", "--format", "json").output)
    assert document["matches"] == []


def test_an_iri_in_no_known_namespace_is_searched_as_is():
    result = invoke("http://example.org/code/1")
    assert result.exit_code == 1
    assert result.output == "no local concept maps to <http://example.org/code/1>\n"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "FOO:1",
            "unknown prefix 'FOO'; terminology prefixes: ICD10CM, ICD10PCS, MESH, SCTID, UMLS",
        ),
        ("SCTID:12ab", "'12ab' is not a valid SNOMED CT identifier (expected the pattern "),
        ("ICD10PCS:0T933", "'0T933' is not a valid ICD-10-PCS identifier"),
        (
            "D009403",
            "'D009403' is not clearly a SNOMED CT, ICD-10-CM or ICD-10-PCS code; write it with "
            "its prefix: name a code as a CURIE (SCTID:313270001)",
        ),
        (
            "ICD10CM:N13.9 |Obstructive uropathy|",
            "'ICD10CM:N13.9 |Obstructive uropathy|': the 'code |term|' form is SNOMED CT's, and "
            "ICD10CM:N13.9 (ICD-10-CM) is not a SNOMED CT code",
        ),
        ("31327000X |Percutaneous nephrostomy|", "'31327000X' is not clearly a SNOMED CT"),
        ("N13.9.1", "'N13.9.1' is not clearly a SNOMED CT, ICD-10-CM or ICD-10-PCS code"),
        ("SCTID:", "'SCTID:' is not a code"),
        ("", "name a code as a CURIE"),
        ("http://snomed.info/sct|", "'http://snomed.info/sct|' is not a FHIR system|code pair"),
        ("http://loinc.org|1234-5", "unknown FHIR system 'http://loinc.org'; known systems: "),
        ("http://snomed.info/id/abc", "'abc' is not a valid SNOMED CT identifier"),
    ],
)
def test_unknown_prefix_or_malformed_code_is_one_line_exit_2(code, message):
    result = invoke(code)
    assert result.exit_code == 2
    assert result.output.startswith(f"nephrokb: error: {message}")
    assert result.output.count("\n") == 1


def test_parse_code_raises_input_error_and_never_exits():
    with pytest.raises(InputError):
        parse_code("NOPE:1", curie_converter())
    code = parse_code("umls:c0009924", curie_converter())
    assert code.iri == TERMINOLOGIES["UMLS"].namespace + "C0009924"


def test_data_option_reads_other_knowledge(tmp_path):
    data = tmp_path / "unmapped.ttl"
    data.write_text(
        '@prefix kb: <https://w3id.org/nephrokb/id/> .\nkb:thing kb:says "nothing" .\n',
        encoding="utf-8",
    )
    result = invoke("SCTID:313270001", "--data", str(data))
    assert result.exit_code == 1
    assert result.output == "no local concept maps to SCTID:313270001 (SNOMED CT)\n"


def test_help_examples_run(tmp_path, monkeypatch):
    (tmp_path / "kb").symlink_to(bundled_folder("kb"))
    monkeypatch.chdir(tmp_path)
    help_text = invoke("--help").output
    examples = [
        shlex.split(line.strip())[1:]
        for line in help_text.splitlines()
        if line.strip().startswith("nephrokb lookup")
    ]
    assert len(examples) == 4
    for arguments in examples:
        result = CliRunner().invoke(main, arguments)
        assert result.exit_code == 0, (arguments, result.output)


@pytest.mark.parametrize("output_format", ["text", "json"])
@pytest.mark.parametrize("case", sorted(GOLDEN_CASES))
def test_terminology_forms_match_golden_files(case, output_format, golden_file):
    code, exit_code = GOLDEN_CASES[case]
    result = invoke(code, "--format", output_format, "--data", str(LOOKUP_FIXTURE))
    assert result.exit_code == exit_code, result.output
    golden_file(LOOKUP / f"{case}.{'txt' if output_format == 'text' else 'json'}", result.output)


def test_every_golden_file_has_a_case():
    names = {path.stem for path in LOOKUP.iterdir()}
    assert names == set(GOLDEN_CASES)


@pytest.mark.parametrize(
    ("code", "iri"),
    [
        ("N139", "http://purl.bioontology.org/ontology/ICD10CM/N13.9"),
        ("n13.9", "http://purl.bioontology.org/ontology/ICD10CM/N13.9"),
        ("ICD10CM:N139", "http://purl.bioontology.org/ontology/ICD10CM/N13.9"),
        (
            "http://hl7.org/fhir/sid/icd-10-cm|N139",
            "http://purl.bioontology.org/ontology/ICD10CM/N13.9",
        ),
        ("S3710XA", "http://purl.bioontology.org/ontology/ICD10CM/S37.10XA"),
        ("0t9330z", "http://purl.bioontology.org/ontology/ICD10PCS/0T9330Z"),
        ("313270001", PCN_SNOMED),
        ("7163005", "http://snomed.info/id/7163005"),
        ("313270001|Percutaneous nephrostomy|", PCN_SNOMED),
        ("SCTID:313270001 |Percutaneous nephrostomy (procedure)|", PCN_SNOMED),
    ],
)
def test_codes_as_terminology_people_write_them(code, iri):
    assert parse_code(code, curie_converter()).iri == iri


def test_a_snomed_expression_keeps_its_term_unchecked():
    code = parse_code("313270001 | Any words at all |", curie_converter())
    assert (code.iri, code.term) == (PCN_SNOMED, "Any words at all")


def test_bundled_icd_parent_lists_every_mapping_to_a_code_under_it(bundled_graph):
    result = lookup_code(bundled_graph, "ICD10CM:N13")
    expected = {
        mapping.iri
        for mapping in read_mappings(bundled_graph)
        if mapping.object.startswith(TERMINOLOGIES["ICD10CM"].namespace + "N13.")
    }
    assert {mapping.iri for mapping in result.narrower_matches} == expected
    assert expected
    assert result.matches == ()


@pytest.mark.parametrize(
    ("code", "concept_id"),
    [
        ("313270001", True),
        ("7163005", True),
        ("138875005", True),
        ("313270002", False),
        ("313270011", False),
        ("12ab", False),
    ],
)
def test_snomed_concept_ids_are_checked_by_partition_and_verhoeff_digit(code, concept_id):
    assert is_snomed_concept_id(code) is concept_id


def test_every_snomed_code_in_the_knowledge_base_has_a_right_check_digit(bundled_graph):
    namespace = TERMINOLOGIES["SCTID"].namespace
    codes = {
        mapping.object.removeprefix(namespace)
        for mapping in read_mappings(bundled_graph)
        if mapping.object.startswith(namespace)
    }
    assert codes
    assert sorted(code for code in codes if not is_snomed_concept_id(code)) == []
