"""What every report format shares: display paths, values, node names and the summary line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.util import from_n3

from nephrokb.namespaces import RDF_LANG_STRING, XSD_STRING, compact
from nephrokb.query.results import TURTLE_ESCAPES, TURTLE_SHORT_FORMS
from nephrokb.validation.results import SEVERITIES, Report, ValidationResult

if TYPE_CHECKING:
    from rdflib.term import Node


NOUNS = {
    "Violation": ("violation", "violations"),
    "Warning": ("warning", "warnings"),
    "Info": ("info", "info"),
}


def display_path(file: str) -> str:
    """Return `file` relative to the current folder when it is under it, else as given."""
    if file == "-":
        return file
    try:
        return str(Path(os.path.abspath(file)).relative_to(Path.cwd()))
    except ValueError:
        return file


def value_term(result: ValidationResult) -> Node | None:
    """Return the result's value as an rdflib term (None when the result has no value)."""
    return None if result.value_term is None else from_n3(result.value_term)


def display_value(result: ValidationResult) -> str | None:
    """Return the result's value as Turtle writes it: `"5"` is a string, `5` an integer.

    IRIs are compacted; literals keep their quotes, language tag or datatype (compacted).
    """
    term = value_term(result)
    if term is None:
        return result.value
    if isinstance(term, Literal):
        return turtle_literal(result.value or "", term)
    if isinstance(term, URIRef):
        return compact(str(term))
    return result.value


def turtle_literal(lexical: str, literal: Literal) -> str:
    """Return a literal's lexical form in Turtle syntax on one line, its datatype compacted.

    The lexical form is passed as reported: rdflib's terms normalize some ("NaN" to "nan").
    """
    short_form = TURTLE_SHORT_FORMS.get(str(literal.datatype))
    if short_form and short_form.fullmatch(lexical):
        return lexical
    quoted = f'"{lexical.translate(TURTLE_ESCAPES)}"'
    if literal.language:
        return f"{quoted}@{literal.language}"
    if literal.datatype is None or str(literal.datatype) == XSD_STRING:
        return quoted
    return f"{quoted}^^{compact(str(literal.datatype))}"


def value_datatype(result: ValidationResult) -> str | None:
    """Return the datatype IRI of a literal value (xsd:string for a plain one), else None."""
    term = value_term(result)
    if not isinstance(term, Literal):
        return None
    if term.language:
        return RDF_LANG_STRING
    return str(term.datatype) if term.datatype is not None else XSD_STRING


def value_language(result: ValidationResult) -> str | None:
    """Return the language tag of a literal value, else None."""
    term = value_term(result)
    return term.language if isinstance(term, Literal) and term.language else None


def node_name(result: ValidationResult) -> str:
    """Return the focus node's compact IRI followed by its label quoted on one line (as in
    Turtle), when it has one."""
    name = compact(result.focus)
    return f'{name} "{result.label.translate(TURTLE_ESCAPES)}"' if result.label else name


def counts(report: Report) -> dict[str, int]:
    """Return the number of results of each severity, keyed by severity."""
    return {severity: report.count(severity) for severity in SEVERITIES}


def summary(report: Report, *, strict: bool = False) -> str:
    """Return one line: conforms or not, counts per severity, what was read."""
    tally = ", ".join(
        f"{count} {NOUNS[severity][count != 1]}" for severity, count in counts(report).items()
    )
    verdict = "Does not conform" if report.failed(strict=strict) else "Conforms"
    files = len(report.files)
    read = f"{files} file{'s' if files != 1 else ''}, {report.triples} triples"
    if report.checkout is not None:
        read += f"; knowledge from the checkout {report.checkout}"
    return f"{verdict}: {tally} ({read})."
