"""`nephrokb diff --format kgcl / sssom`: every fixture pair's delta, read by the referees.

KGCL is parsed with kgcl-schema's own parser (one change per command, none lost); the SSSOM
delta is checked with `sssom validate` (sssom-py). The release test compares both with golden
files (tests/test_release.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from kgcl_schema.datamodel import kgcl
from kgcl_schema.grammar.parser import parse
from rdflib import Graph

from conftest import FIXTURES, assert_sssom_validate_accepts
from nephrokb.cli import main

CASES = sorted(path for path in (FIXTURES / "diff").iterdir() if path.is_dir())


def delta(case: Path, format_name: str) -> str:
    result = CliRunner().invoke(
        main, ["diff", str(case / "old.ttl"), str(case / "new.ttl"), "--format", format_name]
    )
    assert result.exit_code in (0, 1), result.output
    return result.output


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_kgcl_of_every_pair_parses_one_change_per_line(case):
    text = delta(case, "kgcl")
    parsed = parse(text)
    assert len(parsed) == len(text.splitlines())
    assert all(isinstance(change, kgcl.Change) for change in parsed)


def test_kgcl_says_a_mapping_predicate_change_as_a_predicate_change():
    case = FIXTURES / "diff" / "mapping-predicate-changed"
    (change,) = parse(delta(case, "kgcl"))
    assert isinstance(change, kgcl.PredicateChange)


@pytest.fixture
def mapped_pair(tmp_path) -> Path:
    """tests/fixtures/clean/mapped.ttl before and after the release fixture's edits."""
    old = Graph().parse(FIXTURES / "clean" / "mapped.ttl")
    new = old - Graph().parse(FIXTURES / "release" / "removed.ttl")
    new += Graph().parse(FIXTURES / "release" / "added.ttl")
    for name, graph in (("old.ttl", old), ("new.ttl", new)):
        graph.serialize(tmp_path / name, format="turtle")
    return tmp_path


@pytest.mark.slow
def test_sssom_delta_of_complete_mapping_records_is_accepted_by_sssom_validate(mapped_pair):
    path = mapped_pair / "delta.sssom.tsv"
    path.write_text(delta(mapped_pair, "sssom"), encoding="utf-8")
    assert_sssom_validate_accepts(path)
    assert len(path.read_text().splitlines()) == 11 + 1 + 4  # metadata, header, rows


def test_sssom_delta_of_a_record_without_justification_exits_2_with_one_line():
    case = FIXTURES / "diff" / "mapping-added"
    result = CliRunner().invoke(
        main, ["diff", str(case / "old.ttl"), str(case / "new.ttl"), "--format", "sssom"]
    )
    assert result.exit_code == 2
    assert re.fullmatch(
        r"nephrokb: error: kb:mapping-[a-z-]+ needs exactly one IRI as "
        r"sssom:mapping_justification, has 0 \(run 'nephrokb validate'\)\n",
        result.output,
    )


def test_sssom_delta_negates_a_removed_mapping_and_comments_both(mapped_pair):
    text = delta(mapped_pair, "sssom")
    rows = [line.split("\t") for line in text.splitlines() if line[:1] != "#"]
    header, *body = rows
    modifier, comment = header.index("predicate_modifier"), header.index("comment")
    assert sorted((row[modifier], row[comment].split(":")[0]) for row in body) == [
        ("", "added"),
        ("", "added"),
        ("Not", "removed"),
        ("Not", "removed"),
    ]
