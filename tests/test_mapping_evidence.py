"""Every mapped ICD code is in its official code set, and every evidence link is pinned.

Offline: the ICD-10-CM and ICD-10-PCS code sets come from the packages `nephrokb.knowledge.codesets`
reads; evidence links are checked against tests/fixtures/evidence/verified-evidence.tsv,
a list of (code, repository, commit, path) verified by hand (its README says how).
"""

from __future__ import annotations

import csv
import re

import pytest

from conftest import FIXTURES
from nephrokb.knowledge import codesets
from nephrokb.knowledge.mappings import read_mappings
from nephrokb.terminologies import TERMINOLOGIES, terminology_of

EVIDENCE = FIXTURES / "evidence" / "verified-evidence.tsv"
GITHUB_BLOB = re.compile(r"https://github\.com/([^/]+/[^/]+)/blob/([^/]+)/(.+)")
FULL_COMMIT = re.compile(r"[0-9a-f]{40}")


@pytest.fixture(scope="module")
def mappings(bundled_graph):
    return read_mappings(bundled_graph)


def curie(iri: str) -> str:
    terminology = terminology_of(iri)
    assert terminology is not None, iri
    return f"{terminology.prefix}:{iri.removeprefix(terminology.namespace)}"


def codes_of(mappings, prefix: str) -> dict[str, str | None]:
    namespace = TERMINOLOGIES[prefix].namespace
    return {
        m.object.removeprefix(namespace): m.object_label
        for m in mappings
        if m.object.startswith(namespace)
    }


def test_every_icd10cm_code_is_billable_in_the_official_code_set(mappings):
    codes = codes_of(mappings, "ICD10CM")
    assert "T81.40XA" in codes
    entries = {code: codesets.icd10cm_entry(code) for code in codes}
    assert {code: (e.in_code_set, e.billable) for code, e in entries.items()} == dict.fromkeys(
        codes, (True, True)
    )


def test_icd10cm_object_labels_are_the_official_titles(mappings):
    codes = codes_of(mappings, "ICD10CM")
    assert {code: label for code, label in codes.items()} == {
        code: codesets.icd10cm_title(code) for code in codes
    }


def test_every_icd10pcs_code_is_valid_in_the_official_code_set(mappings):
    codes = codes_of(mappings, "ICD10PCS")
    assert len(codes) == 7
    assert all(codesets.icd10pcs_holds(code) for code in codes)
    assert {code: codesets.icd10pcs_entry(code).in_code_set for code in codes} == dict.fromkeys(
        codes, True
    )


def test_icd10pcs_object_labels_are_the_official_titles(mappings):
    codes = codes_of(mappings, "ICD10PCS")
    assert codes["0T783DZ"] == "Dilation of Bilateral Ureters with Intraluminal Device, " + (
        "Percutaneous Approach"
    )
    assert codes == {code: codesets.icd10pcs_title(code) for code in codes}


def verified_evidence() -> set[tuple[str, str, str, str]]:
    with EVIDENCE.open(encoding="utf-8", newline="") as table:
        rows = list(csv.DictReader(table, delimiter="\t"))
    assert rows and all(row["verified_by"] for row in rows)
    return {(row["code"], row["repository"], row["commit"], row["path"]) for row in rows}


def evidence_of(link: str) -> tuple[str, str, str]:
    """Return (repository, commit, path) of a GitHub file link, or ('-', '-', link)."""
    found = GITHUB_BLOB.fullmatch(link)
    return found.groups() if found else ("-", "-", link)


def test_every_evidence_link_is_a_verified_code_repository_commit_and_path(mappings):
    verified = verified_evidence()
    linked = {(curie(m.object), *evidence_of(link)) for m in mappings for link in m.see_also}
    assert linked - verified == set()
    assert verified - linked == set()


def test_every_repository_link_is_pinned_to_a_full_commit(mappings):
    repository_links = [
        evidence_of(link) for m in mappings for link in m.see_also if GITHUB_BLOB.fullmatch(link)
    ]
    assert repository_links
    assert [commit for _, commit, _ in repository_links if not FULL_COMMIT.fullmatch(commit)] == []


def test_mesh_percutaneous_nephrostomy_has_lowered_confidence(mappings):
    (mesh,) = [m for m in mappings if m.object.endswith("/D009403")]
    assert mesh.confidence == 0.75
    assert evidence_of(mesh.see_also[0])[0] == "-"


@pytest.mark.parametrize(
    ("subject", "predicate", "target"),
    [
        # The infection targets are broader than an infection after this procedure.
        ("infection", "broadMatch", "ICD10CM:B99.9"),
        ("infection", "broadMatch", "SCTID:40733004"),
        ("infection", "closeMatch", "ICD10CM:T81.40XA"),
        # The local anaesthetic class (DICOM CID 622); lidocaine is one agent of it.
        ("local-anaesthetic", "exactMatch", "SCTID:373477003"),
        ("local-anaesthetic", "exactMatch", "UMLS:C0002934"),
        ("local-anaesthetic", "narrowMatch", "SCTID:387480006"),
        ("local-anaesthetic", "narrowMatch", "UMLS:C0023660"),
        # Ultrasonography (DICOM CID 6029) and ultrasonic guidance (DICOM CID 6060).
        ("ultrasonography", "closeMatch", "SCTID:16310003"),
        ("ultrasonography", "closeMatch", "UMLS:C0041618"),
        ("ultrasonography", "narrowMatch", "SCTID:61593002"),
        ("ultrasonography", "narrowMatch", "UMLS:C0442973"),
        ("catheter", "exactMatch", "SCTID:19923001"),
        ("imaging-guidance", "exactMatch", "SCTID:413815006"),
    ],
)
def test_mapping_predicates_say_how_the_code_relates(mappings, subject, predicate, target):
    found = {
        (m.predicate.rsplit("#", 1)[-1], curie(m.object))
        for m in mappings
        if m.subject.endswith(f"/id/{subject}")
    }
    assert (predicate, target) in found
    assert {p for p, code in found if code == target} == {predicate}
