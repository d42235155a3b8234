"""Render a validation Report as JUnit XML, for CI test dashboards.

One <testsuite> per file read. In it, one <testcase> per focus node and shape rule that
produced results (classname the file, name `node rule`, with file and line attributes); it
holds a <failure> when one of its results is a Violation (with --strict, any result),
else its results go to <system-out>. A file without results has one passing testcase
named `conforms`; results located in no file go to a suite named `(no file)`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from itertools import groupby

from nephrokb.namespaces import compact
from nephrokb.reports.common import display_path
from nephrokb.reports.text import result_line
from nephrokb.validation.results import Report, ValidationResult

NO_FILE = "(no file)"


def render_junit(report: Report, *, strict: bool = False) -> str:
    """Return the report as a JUnit XML document."""
    by_file: dict[str, list[ValidationResult]] = {
        display_path(str(path)): [] for path in report.files
    }
    for result in report.results:
        file = NO_FILE if result.file is None else display_path(result.file)
        by_file.setdefault(file, []).append(result)

    root = ElementTree.Element("testsuites", name="nephrokb validate")
    for file, results in by_file.items():
        suite = ElementTree.SubElement(root, "testsuite", name=file)
        if not results:
            ElementTree.SubElement(suite, "testcase", classname=file, name="conforms", file=file)
        # Results come sorted by file, line, node and rule, so each node's rules are adjacent.
        for (focus, rule), group in groupby(results, key=node_and_rule):
            add_testcase(suite, file, focus, rule, list(group), strict=strict)
        count_testcases(suite)
    count_testcases(root)
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def node_and_rule(result: ValidationResult) -> tuple[str, str]:
    """Return what one testcase stands for: a focus node and a shape rule."""
    return result.focus, result.rule


def add_testcase(
    suite: ElementTree.Element,
    file: str,
    focus: str,
    rule: str,
    results: list[ValidationResult],
    *,
    strict: bool,
) -> None:
    """Add the testcase of one node and rule, failing when its results fail the run."""
    testcase = ElementTree.SubElement(
        suite, "testcase", classname=file, name=f"{compact(focus)} {compact(rule)}", file=file
    )
    lines = [result.line for result in results if result.line]
    if lines:
        testcase.set("line", str(min(lines)))
    text = "\n".join(result_line(result) for result in results)
    failing = [result for result in results if strict or result.severity == "Violation"]
    if failing:
        failure = ElementTree.SubElement(
            testcase, "failure", message=failing[0].message, type=failing[0].severity
        )
        failure.text = text
    else:
        ElementTree.SubElement(testcase, "system-out").text = text


def count_testcases(element: ElementTree.Element) -> None:
    """Set the tests, failures, errors and skipped counts of `element` from its testcases."""
    testcases = list(element.iter("testcase"))
    failures = sum(1 for case in testcases if case.find("failure") is not None)
    element.set("tests", str(len(testcases)))
    element.set("failures", str(failures))
    element.set("errors", "0")
    element.set("skipped", "0")
