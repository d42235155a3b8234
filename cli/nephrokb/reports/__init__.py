"""Validation reports, one module per format; REPORT_FORMATS maps each name to its writer.

Every writer takes a Report (and `strict`, which makes any result fail the run, as the SHACL
specification counts conformance) and returns the whole report as text.
"""

from __future__ import annotations

from collections.abc import Callable

from nephrokb.reports.github import render_github
from nephrokb.reports.json import render_json
from nephrokb.reports.junit import render_junit
from nephrokb.reports.sarif import render_sarif
from nephrokb.reports.text import render_text
from nephrokb.reports.turtle import render_turtle
from nephrokb.validation.results import Report

ReportWriter = Callable[..., str]

REPORT_FORMATS: dict[str, ReportWriter] = {
    "github": render_github,
    "json": render_json,
    "junit": render_junit,
    "sarif": render_sarif,
    "text": render_text,
    "turtle": render_turtle,
}


def render_report(report: Report, report_format: str = "text", *, strict: bool = False) -> str:
    """Return `report` written in one of REPORT_FORMATS."""
    return REPORT_FORMATS[report_format](report, strict=strict)
