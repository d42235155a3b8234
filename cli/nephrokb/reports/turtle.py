"""Render a validation Report as the standard SHACL validation report graph, in Turtle.

One sh:ValidationReport with sh:conforms and one sh:result per result (focus node, path,
value, severity, source shape, constraint component, message). Where the focus node is
described in a file, the result also carries an EARL pointer
(`earl:pointer [ a ptr:LineCharPointer ; ptr:reference <file> ; ptr:lineNumber 52 ]`,
W3C's Pointer Methods in RDF); file IRIs under the current folder are written relative to
it, the @base of the document.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH, XSD
from rdflib.util import from_n3

from nephrokb.namespaces import PREFIXES
from nephrokb.reports.common import display_path
from nephrokb.validation.results import Report

EARL = "http://www.w3.org/ns/earl#"
POINTERS = "http://www.w3.org/2009/pointers#"


def render_turtle(report: Report, *, strict: bool = False) -> str:
    """Return the report as a SHACL validation report graph in Turtle."""
    earl, pointers = Namespace(EARL), Namespace(POINTERS)
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.bind("earl", earl)
    graph.bind("ptr", pointers)

    report_node = BNode()
    graph.add((report_node, RDF.type, SH.ValidationReport))
    graph.add((report_node, SH.conforms, Literal(not report.failed(strict=strict))))
    for result in report.results:
        node = BNode()
        graph.add((report_node, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        # An IRI always has a scheme and so a colon; rdflib's blank node ids never do.
        focus = URIRef(result.focus) if ":" in result.focus else BNode(result.focus)
        graph.add((node, SH.focusNode, focus))
        graph.add((node, SH.resultSeverity, SH[result.severity]))
        graph.add((node, SH.sourceShape, URIRef(result.rule)))
        graph.add((node, SH.resultMessage, Literal(result.message)))
        if result.constraint is not None:
            graph.add((node, SH.sourceConstraintComponent, URIRef(result.constraint)))
        if result.path is not None:
            graph.add((node, SH.resultPath, URIRef(result.path)))
        if result.value_term is not None:
            graph.add((node, SH.value, from_n3(result.value_term)))
        if result.file is not None and result.line:
            pointer = BNode()
            graph.add((node, earl.pointer, pointer))
            graph.add((pointer, RDF.type, pointers.LineCharPointer))
            graph.add((pointer, pointers.reference, URIRef(file_iri(result.file))))
            line = Literal(result.line, datatype=XSD.positiveInteger)
            graph.add((pointer, pointers.lineNumber, line))
    return graph.serialize(format="turtle", base=Path.cwd().as_uri() + "/")


def file_iri(file: str) -> str:
    """Return a file's IRI: relative (to the @base, the current folder) when under it."""
    if file == "-":
        return "file:///dev/stdin"
    shown = Path(display_path(file))
    return quote(shown.as_posix()) if not shown.is_absolute() else shown.as_uri()
