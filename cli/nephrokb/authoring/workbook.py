"""The spreadsheet twin of a procedure file: one workbook (xlsx), a sheet per section.

Sheets are named for their sections (Procedures, Steps, Indications, Benefits, Conditions,
Evidence, Mappings, ...), each with a header row naming its columns, the keys of the
registry (nephrokb.authoring.fields). Steps carry a `procedure` column and are numbered by
their order in the sheet. A list is written in one cell, its items separated by `;`.
Read with openpyxl into the same Located values as YAML, each with its `Sheet!Cell`.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from typing import Any, NamedTuple

import openpyxl

from nephrokb.authoring.compile import UNKNOWN_KEY_RULE, VALUE_RULE, Problem
from nephrokb.authoring.fields import PROCEDURE, SECTIONS, STEP, Section
from nephrokb.authoring.located import Located, Origin
from nephrokb.errors import InputError

STEPS_SHEET = "Steps"
PROCEDURE_COLUMN = "procedure"
LIST_KINDS = ("slugs", "lines", "codes")
SEPARATOR = ";"
# Every part of an xlsx file gets this time, so the same knowledge gives the same bytes.
FIXED_TIME = (2000, 1, 1, 0, 0, 0)
CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def sheet_name(section: Section) -> str:
    return section.name.capitalize()


SHEET_SECTIONS = {sheet_name(section): section for section in SECTIONS.values()}


def columns(section: Section) -> list[str]:
    """The columns of a section's sheet: its keys (a procedure's steps have their own sheet)."""
    names = [key.name for key in section.keys if key.kind != "steps"]
    return [PROCEDURE_COLUMN, *names] if section is STEP else names


class WorkbookRead(NamedTuple):
    """A workbook as a Located document, and the problems of its sheets and columns."""

    document: Located
    problems: list[Problem]


def read_workbook(path: str, content: bytes) -> WorkbookRead:
    """Read a workbook into a Located document, and the problems of its sheets and columns."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    except Exception as error:  # openpyxl raises many types for a file that is no workbook
        raise InputError(f"is not an xlsx workbook ({error})", path=path) from None
    root: dict[str, Located] = {}
    problems: list[Problem] = []
    steps: list[tuple[str | None, Located]] = []
    for sheet in book.worksheets:
        section = STEP if sheet.title == STEPS_SHEET else SHEET_SECTIONS.get(sheet.title)
        if section is None:
            known = ", ".join([STEPS_SHEET, *SHEET_SECTIONS])
            problems.append(
                Problem(
                    UNKNOWN_KEY_RULE,
                    f"unknown sheet '{sheet.title}'; known sheets: {known}",
                    Origin(path, 1, f"{sheet.title}!A1"),
                    path,
                )
            )
            continue
        rows = list(sheet.iter_rows())
        if not rows:
            continue
        header = [cell.value for cell in rows[0]]
        entries = []
        for row in rows[1:]:
            entry = read_row(path, sheet.title, section, header, row, problems)
            if entry is None:
                continue
            if section is STEP:
                owner = entry.value.pop(PROCEDURE_COLUMN, None)
                steps.append((None if owner is None else str(owner.value), entry))
            else:
                entries.append(entry)
        if section is not STEP and entries:
            root[section.name] = Located(entries, entries[0].origin)
    attach_steps(path, root, steps, problems)
    return WorkbookRead(Located(root, Origin(path, 1, None)), problems)


def read_row(path, title, section, header, row, problems) -> Located | None:
    """Read one row into a Located entry (None for an empty row)."""
    members: dict[str, Located] = {}
    known = columns(section)
    for name, cell in zip(header, row, strict=False):
        if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
            continue
        origin = Origin(path, cell.row, f"{title}!{cell.coordinate}")
        if name not in known:
            if cell.row == row[0].row:
                problems.append(
                    Problem(
                        UNKNOWN_KEY_RULE,
                        f"unknown column '{name}' in sheet {title}; "
                        f"known columns: {', '.join(known)}",
                        Origin(path, 1, f"{title}!{cell.column_letter}1"),
                        path,
                    )
                )
            continue
        key = section.key(name)
        members[name] = Located(
            cell_value(cell.value, key.kind if key else "slug", origin), origin, key_origin=origin
        )
    if not members:
        return None
    first = row[0]
    return Located(members, Origin(path, first.row, f"{title}!A{first.row}"))


def cell_value(value: Any, kind: str, origin: Origin) -> Any:
    """The value a cell stands for: lists split at `;`, numbers in lists as numbers."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if kind in LIST_KINDS:
        items = [item.strip() for item in str(value).split(SEPARATOR) if item.strip()]
        return [
            Located(int(item) if item.isdigit() and kind == "lines" else item, origin)
            for item in items
        ]
    if kind in ("integer", "year") and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def attach_steps(path: str, root: dict, steps: list, problems: list[Problem]) -> None:
    """Put each step row under its procedure's `steps`, in the order of the sheet."""
    procedures = root.get(PROCEDURE.name)
    by_slug = {}
    for entry in procedures.value if procedures else []:
        slug = entry.value.get("slug")
        if slug is not None:
            by_slug[str(slug.value)] = entry
    for owner, step in steps:
        procedure = by_slug.get(owner)
        if procedure is None:
            problems.append(
                Problem(
                    VALUE_RULE,
                    f"this step's procedure '{owner}' is not in the Procedures sheet",
                    step.origin,
                    path,
                )
            )
            continue
        listed = procedure.value.setdefault("steps", Located([], step.origin, step.origin))
        listed.value.append(step)


def write_workbook(document: dict[str, Any]) -> bytes:
    """Return a document (as decompile gives it) as xlsx bytes, the same for the same input."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    default_source = document.get("source")
    procedures = document.get(PROCEDURE.name) or (
        [document["procedure"]] if "procedure" in document else []
    )
    sections = [(PROCEDURE, procedures)]
    steps = [
        {PROCEDURE_COLUMN: procedure["slug"], **step}
        for procedure in procedures
        for step in procedure.get("steps", [])
    ]
    sections.append((STEP, steps))
    sections += [(s, document.get(s.name, [])) for s in SECTIONS.values() if s is not PROCEDURE]
    for section, entries in sections:
        sheet = book.create_sheet(STEPS_SHEET if section is STEP else sheet_name(section))
        names = columns(section)
        sheet.append(names)
        for entry in entries:
            if default_source and section.key("source") and "source" not in entry:
                entry = {**entry, "source": default_source}
            sheet.append([cell_text(entry.get(name)) for name in names])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text, not a formula
    stream = io.BytesIO()
    book.save(stream)
    return fixed_times(stream.getvalue())


def cell_text(value: Any) -> Any:
    if isinstance(value, list):
        return f"{SEPARATOR} ".join(str(item) for item in value)
    return value


def fixed_times(content: bytes) -> bytes:
    """Rewrite an xlsx zip with fixed entry times and document times (openpyxl writes now)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = CORE_TIMES.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return stream.getvalue()
