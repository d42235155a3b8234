"""Write query outcomes: W3C SPARQL result formats, a text table, and RDF for graphs.

csv, tsv, json and xml follow the W3C SPARQL 1.1 Query Results CSV/TSV, JSON and XML
formats. They are written here rather than by rdflib's serializers, whose JSON changes
with whether orjson is installed and which have no TSV writer. An ASK answer is a W3C
boolean document in json and xml, and a bare `true` or `false` in the other result formats.
Graphs are written from a sorted copy, so the same graph always gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple
from xml.etree import ElementTree

import pyoxigraph as ox
from rdflib import BNode, Literal

from nephrokb.errors import QueryError
from nephrokb.namespaces import XSD, XSD_STRING, compact
from nephrokb.rdf.serialization import RDF_FORMATS
from nephrokb.rdf.terms import RdflibTerms

if TYPE_CHECKING:
    from rdflib.term import Identifier

    from nephrokb.query.queries import QueryOutcome

Writer = Callable[["QueryOutcome"], str]

SPARQL_RESULTS_NAMESPACE = "http://www.w3.org/2005/sparql-results#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

# Datatypes whose Turtle short form (e.g. 3 for "3"^^xsd:integer) TSV may use, with the
# lexical forms Turtle reads back as that datatype.
TURTLE_SHORT_FORMS = {
    f"{XSD}integer": re.compile(r"[+-]?[0-9]+"),
    f"{XSD}decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    f"{XSD}double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    f"{XSD}boolean": re.compile(r"true|false"),
}
TURTLE_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
TABLE_ESCAPES = str.maketrans({"\n": "\\n", "\r": "\\r", "\t": "\\t"})


class Cell(NamedTuple):
    """One result term as the result formats see it; `datatype` is None for plain strings."""

    kind: str
    value: str
    language: str | None = None
    datatype: str | None = None


URI = "uri"
BNODE = "bnode"
LITERAL = "literal"


class Cells:
    """Read terms of either library as Cells, each distinct term once.

    pyoxigraph terms are read directly; a typed literal goes through rdflib, whose
    normalised lexical form (e.g. 1 for "01"^^xsd:integer) the outputs have always shown.
    """

    def __init__(self) -> None:
        self.cache: dict = {}
        self.rdflib_terms = None

    def __call__(self, term: Any) -> Cell | None:
        if term is None:
            return None
        cell = self.cache.get(term)
        if cell is None:
            cell = self.cache[term] = self.read(term)
        return cell

    def read(self, term: Any) -> Cell:

        if isinstance(term, ox.NamedNode):
            return Cell(URI, term.value)
        if isinstance(term, ox.BlankNode):
            return Cell(BNODE, term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return Cell(LITERAL, term.value, term.language)
            if term.datatype.value == XSD_STRING:
                return Cell(LITERAL, term.value)
            if self.rdflib_terms is None:
                self.rdflib_terms = RdflibTerms()
            return rdflib_cell(self.rdflib_terms(term))
        return rdflib_cell(term)


def rdflib_cell(term: Identifier) -> Cell:
    """Return the Cell of an rdflib term."""
    if isinstance(term, BNode):
        return Cell(BNODE, str(term))
    if not isinstance(term, Literal):
        return Cell(URI, str(term))
    datatype = None if term.language or not term.datatype else str(term.datatype)
    return Cell(LITERAL, str(term), term.language or None, datatype)


def cell_rows(outcome: QueryOutcome) -> Iterator[list[Cell | None]]:
    """Yield each row of a SELECT outcome as Cells, from pyoxigraph terms where it has them."""
    cells = Cells()
    rows = outcome.rows if outcome.solutions is None else outcome.solutions
    for row in rows:
        yield [cells(term) for term in row]


def turtle_term(cell: Cell | None) -> str:
    """Return a term in Turtle syntax on one line, as TSV results need; unbound is empty."""
    if cell is None:
        return ""
    if cell.kind == BNODE:
        return f"_:{cell.value}"
    if cell.kind == URI:
        return f"<{cell.value}>"
    short_form = TURTLE_SHORT_FORMS.get(cell.datatype)
    if short_form and short_form.fullmatch(cell.value):
        return cell.value
    quoted = f'"{cell.value.translate(TURTLE_ESCAPES)}"'
    if cell.language:
        return f"{quoted}@{cell.language}"
    return f"{quoted}^^<{cell.datatype}>" if cell.datatype else quoted


def plain_value(cell: Cell | None) -> str:
    """Return a term as CSV results write it: the IRI, lexical form or `_:label`."""
    if cell is None:
        return ""
    return f"_:{cell.value}" if cell.kind == BNODE else cell.value


def table_value(term: Identifier | None) -> str:
    """Return an rdflib term for people: IRIs as CURIEs where known, text on one line."""
    return table_cell(None if term is None else rdflib_cell(term))


def table_cell(cell: Cell | None) -> str:
    """Return a Cell for people: IRIs as CURIEs where a prefix is known, text on one line."""
    if cell is not None and cell.kind == URI:
        return compact(cell.value)
    return plain_value(cell).translate(TABLE_ESCAPES)


def render_table(outcome: QueryOutcome) -> str:
    """Return the rows as an aligned text table with a row count, for a terminal."""
    header = list(outcome.variables)
    body = [[table_cell(cell) for cell in row] for row in cell_rows(outcome)]
    widths = [max(len(cell) for cell in column) for column in zip(header, *body, strict=True)]
    rule = ["-" * width for width in widths]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
        for cells in [header, rule, *body]
    ]
    count = len(body)
    lines.append(f"({count} row{'' if count == 1 else 's'})")
    return "\n".join(lines) + "\n"


def render_csv(outcome: QueryOutcome) -> str:
    """Return SPARQL 1.1 CSV results: plain values, quoted where needed, CRLF line ends."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(outcome.variables)
    writer.writerows([plain_value(cell) for cell in row] for row in cell_rows(outcome))
    return stream.getvalue()


def render_tsv(outcome: QueryOutcome) -> str:
    """Return SPARQL 1.1 TSV results: `?name` headers and terms in Turtle syntax."""
    lines = ["\t".join(f"?{variable}" for variable in outcome.variables)]
    lines.extend("\t".join(turtle_term(cell) for cell in row) for row in cell_rows(outcome))
    return "\n".join(lines) + "\n"


def json_term(cell: Cell) -> dict[str, str]:
    """Return one RDF term as a SPARQL 1.1 JSON results object."""
    described = {"type": cell.kind, "value": cell.value}
    if cell.language:
        described["xml:lang"] = cell.language
    elif cell.datatype:
        described["datatype"] = cell.datatype
    return described


def render_json(outcome: QueryOutcome) -> str:
    """Return SPARQL 1.1 JSON results; unbound variables are left out of their row."""
    document = {
        "head": {"vars": list(outcome.variables)},
        "results": {
            "bindings": [
                {
                    variable: json_term(cell)
                    for variable, cell in zip(outcome.variables, row, strict=True)
                    if cell is not None
                }
                for row in cell_rows(outcome)
            ]
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_json_boolean(outcome: QueryOutcome) -> str:
    """Return an ASK answer as a SPARQL 1.1 JSON results document."""
    return json.dumps({"head": {}, "boolean": outcome.boolean}, indent=2) + "\n"


def xml_document(head: list[str], body: ElementTree.Element) -> str:
    """Return a SPARQL XML results document with the given variables and body element."""
    # Unqualified tags under a default xmlns keep ElementTree from inventing ns0: prefixes.
    root = ElementTree.Element("sparql", xmlns=SPARQL_RESULTS_NAMESPACE)
    head_element = ElementTree.SubElement(root, "head")
    for variable in head:
        ElementTree.SubElement(head_element, "variable", name=variable)
    root.append(body)
    ElementTree.indent(root)
    return XML_DECLARATION + ElementTree.tostring(root, encoding="unicode") + "\n"


def xml_term(binding: ElementTree.Element, cell: Cell) -> None:
    """Add one RDF term to a `<binding>` element, as the SPARQL XML results format has it."""
    element = ElementTree.SubElement(binding, cell.kind)
    if cell.language:
        element.set(XML_LANG, cell.language)
    elif cell.datatype:
        element.set("datatype", cell.datatype)
    element.text = cell.value


def render_xml(outcome: QueryOutcome) -> str:
    """Return SPARQL Query Results XML; unbound variables are left out of their result."""
    results = ElementTree.Element("results")
    for row in cell_rows(outcome):
        result = ElementTree.SubElement(results, "result")
        for variable, cell in zip(outcome.variables, row, strict=True):
            if cell is not None:
                xml_term(ElementTree.SubElement(result, "binding", name=variable), cell)
    return xml_document(list(outcome.variables), results)


def render_xml_boolean(outcome: QueryOutcome) -> str:
    """Return an ASK answer as a SPARQL Query Results XML document."""
    boolean = ElementTree.Element("boolean")
    boolean.text = "true" if outcome.boolean else "false"
    return xml_document([], boolean)


def render_boolean_text(outcome: QueryOutcome) -> str:
    """Return an ASK answer as `true` or `false` on a line."""
    return "true\n" if outcome.boolean else "false\n"


def graph_renderer(format_name: str) -> Writer:
    """Return the writer of a CONSTRUCT or DESCRIBE graph: what `nephrokb export` writes."""
    serialize = RDF_FORMATS[format_name]

    def render(outcome: QueryOutcome) -> str:
        return serialize(outcome.graph).decode("utf-8")

    return render


# Kind of outcome -> format name -> writer. `--format` offers the union of the names.
WRITERS: dict[str, dict[str, Writer]] = {
    "select": {
        "csv": render_csv,
        "json": render_json,
        "table": render_table,
        "tsv": render_tsv,
        "xml": render_xml,
    },
    "ask": {
        "csv": render_boolean_text,
        "json": render_json_boolean,
        "table": render_boolean_text,
        "tsv": render_boolean_text,
        "xml": render_xml_boolean,
    },
    # The graph formats, not the dataset ones (nq, trig), which name the knowledge graph.
    "graph": {name: graph_renderer(name) for name in ("jsonld", "nt", "turtle", "xml")},
}
FORMATS = sorted({name for writers in WRITERS.values() for name in writers})
QUERY_FORMS = {"select": "SELECT", "ask": "ASK", "graph": "CONSTRUCT and DESCRIBE"}


def default_format(kind: str, terminal: bool) -> str:
    """Return the format to use when none is asked for: a table on a terminal, else TSV."""
    if kind == "graph":
        return "turtle"
    return "table" if terminal else "tsv"


def writer_for(kind: str, format_name: str) -> Writer:
    """Return the writer of `format_name` for a kind of outcome, or raise QueryError."""
    writers = WRITERS[kind]
    if format_name not in writers:
        raise QueryError(
            f"the {format_name} format cannot write {QUERY_FORMS[kind]} results; "
            f"use one of: {', '.join(sorted(writers))}"
        )
    return writers[format_name]
