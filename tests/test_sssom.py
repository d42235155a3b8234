"""`nephrokb export --format sssom / sssom-json`, checked with sssom-py and a golden file.

The golden file lives in tests/golden/sssom/; after an intended change to the exporter or to
kb/mappings.ttl, regenerate it as docs/testing.md says and review the diff.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import (
    FIXTURES,
    GOLDEN,
    NEEDS_INTEROP,
    assert_sssom_validate_accepts,
    turtle_prefixes,
)

pytest.importorskip("sssom", reason=NEEDS_INTEROP)
from sssom.context import _get_built_in_prefix_map
from sssom.parsers import parse_sssom_json, parse_sssom_table
from sssom.validators import validate

from nephrokb import __version__
from nephrokb.cli import main
from nephrokb.exporters.sssom import (
    LICENSE,
    MANDATORY_COLUMNS,
    MAPPING_SET_ID,
    export_sssom,
)
from nephrokb.knowledge.mappings import read_mappings
from nephrokb.rdf.loading import load_graph
from nephrokb.resources import bundled_folder

MINIMAL = FIXTURES / "clean" / "minimal.ttl"

MAPPED_TURTLE = (
    turtle_prefixes("kb", "nkb", "owl", "semapv", "skos", "sssom", "rdfs")
    + """\
@prefix MONDO: <http://purl.obolibrary.org/obo/MONDO_> .

kb:thing rdfs:label "A \\"quoted\\" thing"@en ;
    skos:closeMatch MONDO:0005240 .
kb:mapping-thing a nkb:Mapping ;
    owl:annotatedSource kb:thing ;
    owl:annotatedProperty skos:closeMatch ;
    owl:annotatedTarget MONDO:0005240 ;
    sssom:mapping_justification semapv:ManualMappingCuration ;
    sssom:comment "Says \\"close\\"; not exact" .
"""
)


def invoke(*args: str):
    return CliRunner().invoke(main, ["export", *args])


@pytest.fixture(scope="module")
def sssom_file(tmp_path_factory) -> Path:
    """The SSSOM/TSV export of the bundled knowledge base, written to a file."""
    result = invoke("--format", "sssom")
    assert result.exit_code == 0, result.output
    path = tmp_path_factory.mktemp("sssom") / "nephrokb.sssom.tsv"
    path.write_bytes(result.stdout_bytes)
    return path


@pytest.fixture(scope="module")
def sssom_json_file(tmp_path_factory) -> Path:
    result = invoke("--format", "sssom-json")
    assert result.exit_code == 0, result.output
    path = tmp_path_factory.mktemp("sssom") / "nephrokb.sssom.json"
    path.write_bytes(result.stdout_bytes)
    return path


def metadata_of(path: Path) -> dict:
    """Parse the `#`-prefixed YAML metadata block of an SSSOM/TSV file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    block = [line[1:] for line in lines if line.startswith("#")]
    return yaml.safe_load("\n".join(block))


def rows_as_records(msdf) -> set[tuple]:
    """Return sssom-py's rows with IRIs expanded, comparable to nephrokb's Mapping records."""
    expand = msdf.converter.expand
    records = set()
    for row in msdf.df.to_dict(orient="records"):
        records.add(
            (
                expand(row["subject_id"]),
                row["subject_label"],
                expand(row["predicate_id"]),
                expand(row["object_id"]),
                row["object_label"] or None,
                expand(row["mapping_justification"]),
                tuple(expand(author) for author in values(row["author_id"])),
                str(row["mapping_date"]),
                row["confidence"],
                tuple(values(row["see_also"])),
                row["comment"],
            )
        )
    return records


def values(cell: str | list[str]) -> list[str]:
    """Return a multi-valued slot's values, whether sssom-py gives a list or `a|b` text."""
    return cell if isinstance(cell, list) else cell.split("|")


def assert_sssom_py_warned_nothing(caplog) -> None:
    """sssom-py logs (rather than raises) undefined metadata, redefined built-in prefixes."""
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == []


def kb_records(graph) -> set[tuple]:
    return {
        (
            m.subject,
            m.subject_label,
            m.predicate,
            m.object,
            m.object_label,
            m.justification,
            m.authors,
            m.date,
            m.confidence,
            m.see_also,
            m.comment,
        )
        for m in read_mappings(graph)
    }


@pytest.mark.slow
def test_sssom_validate_command_accepts_the_export(sssom_file):
    assert_sssom_validate_accepts(sssom_file)


@pytest.mark.slow
def test_sssom_py_parses_without_warnings_and_validators_report_nothing(sssom_file, caplog):
    # Not strict=True: sssom-py 0.4.21 inverts its metadata check there and refuses every file.
    with caplog.at_level(logging.WARNING):
        msdf = parse_sssom_table(sssom_file)
        reports = validate(msdf, fail_on_error=True)
    assert_sssom_py_warned_nothing(caplog)
    assert all(not report.results for report in reports.values())


def test_rows_equal_the_mapping_records(sssom_file, bundled_graph):
    msdf = parse_sssom_table(sssom_file)
    assert len(msdf.df) == 86
    assert rows_as_records(msdf) == kb_records(bundled_graph)


def test_metadata_block_has_sorted_keys_and_a_complete_curie_map(sssom_file):
    metadata = metadata_of(sssom_file)
    assert list(metadata) == sorted(metadata)
    assert metadata["mapping_set_id"] == MAPPING_SET_ID
    assert metadata["license"] == LICENSE
    assert metadata["mapping_set_version"] == __version__
    assert metadata["mapping_set_title"]
    curie_map = metadata["curie_map"]
    assert list(curie_map) == sorted(curie_map)
    assert set(curie_map) == {
        "ICD10CM", "ICD10PCS", "MESH", "SCTID", "UMLS", "kb", "semapv", "skos",
    }  # fmt: skip
    built_in = _get_built_in_prefix_map().bimap
    for prefix in set(curie_map) & set(built_in):
        assert curie_map[prefix] == built_in[prefix]


def test_rows_are_sorted_and_columns_in_spec_order(sssom_file):
    lines = sssom_file.read_text(encoding="utf-8").splitlines()
    table = [line for line in lines if not line.startswith("#")]
    assert table[0].split("\t") == [
        "subject_id", "subject_label", "predicate_id", "object_id", "object_label",
        "mapping_justification", "author_id", "mapping_date", "confidence", "see_also", "comment",
    ]  # fmt: skip
    rows = table[1:]
    assert rows == sorted(rows)


def test_no_snomed_or_umls_labels_are_written(sssom_file):
    msdf = parse_sssom_table(sssom_file)
    licensed = msdf.df[msdf.df["object_id"].str.match(r"^(SCTID|UMLS):")]
    assert len(licensed) == 54
    assert (licensed["object_label"].fillna("") == "").all()


def test_tsv_matches_golden_file(sssom_file, golden_file):
    golden_file(GOLDEN / "sssom" / "bundled.sssom.tsv", sssom_file.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_sssom_json_reads_back_as_the_same_mapping_set(sssom_file, sssom_json_file, caplog):
    with caplog.at_level(logging.WARNING):
        from_json = parse_sssom_json(str(sssom_json_file))
    assert_sssom_py_warned_nothing(caplog)
    from_tsv = parse_sssom_table(sssom_file)
    assert from_json.metadata == from_tsv.metadata
    assert from_json.converter.bimap == from_tsv.converter.bimap
    assert from_json.df.sort_index(axis=1).equals(from_tsv.df.sort_index(axis=1))
    reports = validate(from_json, fail_on_error=True)
    assert all(not report.results for report in reports.values())


def test_knowledge_without_mappings_gives_the_mandatory_columns_only(tmp_path):
    result = invoke("--format", "sssom", "--data", str(MINIMAL))
    assert result.exit_code == 0, result.output
    lines = result.stdout_bytes.decode("utf-8").splitlines()
    assert "#curie_map: {}" in lines
    assert lines[-1].split("\t") == list(MANDATORY_COLUMNS)


def test_prefixes_bound_in_turtle_are_used_and_quotes_survive(tmp_path, caplog):
    data = tmp_path / "mondo.ttl"
    data.write_text(MAPPED_TURTLE, encoding="utf-8")
    output = tmp_path / "mondo.sssom.tsv"
    result = invoke("--format", "sssom", "--data", str(data), "--output", str(output))
    assert result.exit_code == 0, result.output
    assert metadata_of(output)["curie_map"]["MONDO"] == "http://purl.obolibrary.org/obo/MONDO_"
    with caplog.at_level(logging.WARNING):
        msdf = parse_sssom_table(output)
    assert_sssom_py_warned_nothing(caplog)
    (row,) = msdf.df.to_dict(orient="records")
    assert row["subject_id"] == "kb:thing"
    assert row["subject_label"] == 'A "quoted" thing'
    assert row["object_id"] == "MONDO:0005240"
    assert row["comment"] == 'Says "close"; not exact'


def test_an_iri_without_prefix_is_one_line_exit_2(tmp_path):
    data = tmp_path / "unprefixed.ttl"
    data.write_text(
        MAPPED_TURTLE.replace(
            "@prefix MONDO: <http://purl.obolibrary.org/obo/MONDO_> .\n", ""
        ).replace("MONDO:0005240", "<http://example.org/x/0005240>"),
        encoding="utf-8",
    )
    result = invoke("--format", "sssom", "--data", str(data))
    assert result.exit_code == 2
    assert result.output == (
        "nephrokb: error: cannot write <http://example.org/x/0005240> as a CURIE for SSSOM: "
        "no known prefix covers it (bind one with @prefix in the Turtle file)\n"
    )


def test_export_is_the_same_for_a_fresh_load(bundled_graph):
    assert export_sssom(bundled_graph) == export_sssom(load_graph([bundled_folder("kb")]))
