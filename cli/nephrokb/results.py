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
from collections.abc import Callable
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from nephrokb.errors import QueryError
from nephrokb.namespaces import PREFIXES, compact

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Identifier

    from nephrokb.query import QueryOutcome

Writer = Callable[["QueryOutcome"], str]

XSD = "http://www.w3.org/2001/XMLSchema#"
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


def turtle_term(term: Identifier | None) -> str:
    """Return a term in Turtle syntax on one line, as TSV results need; unbound is empty."""
    from rdflib import BNode, Literal

    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    if not isinstance(term, Literal):
        return f"<{term}>"
    short_form = TURTLE_SHORT_FORMS.get(str(term.datatype))
    if short_form and short_form.fullmatch(str(term)):
        return str(term)
    quoted = f'"{str(term).translate(TURTLE_ESCAPES)}"'
    if term.language:
        return f"{quoted}@{term.language}"
    return f"{quoted}^^<{term.datatype}>" if term.datatype else quoted


def plain_value(term: Identifier | None) -> str:
    """Return a term as CSV results write it: the IRI, lexical form or `_:label`."""
    from rdflib import BNode

    if term is None:
        return ""
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def table_value(term: Identifier | None) -> str:
    """Return a term for people: IRIs as CURIEs where a prefix is known, text on one line."""
    from rdflib import URIRef

    if isinstance(term, URIRef):
        return compact(str(term))
    return plain_value(term).translate(TABLE_ESCAPES)


def write_table(outcome: QueryOutcome) -> str:
    """Return the rows as an aligned text table with a row count, for a terminal."""
    header = list(outcome.variables)
    body = [[table_value(term) for term in row] for row in outcome.rows]
    widths = [max(len(cell) for cell in column) for column in zip(header, *body, strict=True)]
    rule = ["-" * width for width in widths]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
        for cells in [header, rule, *body]
    ]
    count = len(outcome.rows)
    lines.append(f"({count} row{'' if count == 1 else 's'})")
    return "\n".join(lines) + "\n"


def write_csv(outcome: QueryOutcome) -> str:
    """Return SPARQL 1.1 CSV results: plain values, quoted where needed, CRLF line ends."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(outcome.variables)
    writer.writerows([plain_value(term) for term in row] for row in outcome.rows)
    return stream.getvalue()


def write_tsv(outcome: QueryOutcome) -> str:
    """Return SPARQL 1.1 TSV results: `?name` headers and terms in Turtle syntax."""
    lines = ["\t".join(f"?{variable}" for variable in outcome.variables)]
    lines.extend("\t".join(turtle_term(term) for term in row) for row in outcome.rows)
    return "\n".join(lines) + "\n"


def json_term(term: Identifier) -> dict[str, str]:
    """Return one RDF term as a SPARQL 1.1 JSON results object."""
    from rdflib import BNode, Literal

    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if not isinstance(term, Literal):
        return {"type": "uri", "value": str(term)}
    described = {"type": "literal", "value": str(term)}
    if term.language:
        described["xml:lang"] = term.language
    elif term.datatype:
        described["datatype"] = str(term.datatype)
    return described


def write_json(outcome: QueryOutcome) -> str:
    """Return SPARQL 1.1 JSON results; unbound variables are left out of their row."""
    document = {
        "head": {"vars": list(outcome.variables)},
        "results": {
            "bindings": [
                {
                    variable: json_term(term)
                    for variable, term in zip(outcome.variables, row, strict=True)
                    if term is not None
                }
                for row in outcome.rows
            ]
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_json_boolean(outcome: QueryOutcome) -> str:
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


def xml_term(binding: ElementTree.Element, term: Identifier) -> None:
    """Add one RDF term to a `<binding>` element, as the SPARQL XML results format has it."""
    from rdflib import BNode, Literal

    if isinstance(term, BNode):
        ElementTree.SubElement(binding, "bnode").text = str(term)
    elif not isinstance(term, Literal):
        ElementTree.SubElement(binding, "uri").text = str(term)
    else:
        literal = ElementTree.SubElement(binding, "literal")
        if term.language:
            literal.set(XML_LANG, term.language)
        elif term.datatype:
            literal.set("datatype", str(term.datatype))
        literal.text = str(term)


def write_xml(outcome: QueryOutcome) -> str:
    """Return SPARQL Query Results XML; unbound variables are left out of their result."""
    results = ElementTree.Element("results")
    for row in outcome.rows:
        result = ElementTree.SubElement(results, "result")
        for variable, term in zip(outcome.variables, row, strict=True):
            if term is not None:
                xml_term(ElementTree.SubElement(result, "binding", name=variable), term)
    return xml_document(list(outcome.variables), results)


def write_xml_boolean(outcome: QueryOutcome) -> str:
    """Return an ASK answer as a SPARQL Query Results XML document."""
    boolean = ElementTree.Element("boolean")
    boolean.text = "true" if outcome.boolean else "false"
    return xml_document([], boolean)


def write_boolean_text(outcome: QueryOutcome) -> str:
    """Return an ASK answer as `true` or `false` on a line."""
    return "true\n" if outcome.boolean else "false\n"


def sorted_graph(graph: Graph) -> Graph:
    """Copy `graph` into a store that keeps insertion order, adding triples sorted.

    rdflib's default store iterates a set, so serializers that follow store order would
    write the same graph differently from run to run.
    """
    from rdflib import Graph

    copy = Graph(store="SimpleMemory", bind_namespaces="core")
    for prefix, namespace in PREFIXES.items():
        copy.bind(prefix, namespace, replace=True)
    for triple in sorted(graph, key=lambda triple: tuple(term.n3() for term in triple)):
        copy.add(triple)
    return copy


def write_turtle(outcome: QueryOutcome) -> str:
    """Return the graph as Turtle with nephrokb's prefixes."""
    return sorted_graph(outcome.graph).serialize(format="turtle")


def write_ntriples(outcome: QueryOutcome) -> str:
    """Return the graph as N-Triples, one sorted line per triple."""
    lines = sorted(line for line in outcome.graph.serialize(format="nt").splitlines() if line)
    return "".join(f"{line}\n" for line in lines)


def write_rdf_xml(outcome: QueryOutcome) -> str:
    """Return the graph as RDF/XML."""
    return sorted_graph(outcome.graph).serialize(format="xml")


def write_json_ld(outcome: QueryOutcome) -> str:
    """Return the graph as expanded JSON-LD, nodes sorted by @id."""
    nodes = json.loads(sorted_graph(outcome.graph).serialize(format="json-ld"))
    nodes.sort(key=lambda node: node.get("@id", ""))
    return json.dumps(nodes, indent=2, ensure_ascii=False) + "\n"


# Kind of outcome -> format name -> writer. `--format` offers the union of the names.
WRITERS: dict[str, dict[str, Writer]] = {
    "select": {
        "csv": write_csv,
        "json": write_json,
        "table": write_table,
        "tsv": write_tsv,
        "xml": write_xml,
    },
    "ask": {
        "csv": write_boolean_text,
        "json": write_json_boolean,
        "table": write_boolean_text,
        "tsv": write_boolean_text,
        "xml": write_xml_boolean,
    },
    "graph": {
        "jsonld": write_json_ld,
        "nt": write_ntriples,
        "turtle": write_turtle,
        "xml": write_rdf_xml,
    },
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
