"""The fast output paths write the same bytes as the slow paths they replace.

Each fast path is compared with the old one on the bundled knowledge base and on a
generated one (`bench.generate`, 50 procedures): SELECT results written from pyoxigraph
terms against the same rows as rdflib terms; the Turtle export ordered by sorting
N-Quads lines against quads sorted by their text.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from nephrokb.namespaces import PREFIXES
from nephrokb.query.queries import QueryOutcome, list_bundled_queries, run_query
from nephrokb.query.results import WRITERS
from nephrokb.rdf.loading import load
from nephrokb.rdf.serialization import export_store_turtle

ROOT = Path(__file__).resolve().parents[1]
XSD_INTEGER = PREFIXES["xsd"] + "integer"
SELECT_FORMATS = sorted(WRITERS["select"])
# Literals whose rdflib lexical form differs from pyoxigraph's, with languages, escapes,
# an unbound cell and a blank node.
AWKWARD_TERMS = """SELECT ?a ?b WHERE {
  VALUES (?a ?b) {
    ("01"^^xsd:integer "x\\ty"@en-GB) (UNDEF "z") ("1.50"^^xsd:decimal "true"^^xsd:boolean)
    ("2e3"^^xsd:double "a\\"b"^^xsd:string) (<http://example.org/x> "2020-01-01"^^xsd:date)
    ("+7"^^xsd:integer "3"^^<http://example.org/dt>)
  }
}"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A generated knowledge base of 50 procedures (the benchmark's generator)."""
    folder = tmp_path_factory.mktemp("generated")
    command = [sys.executable, "-m", "bench.generate", "50", str(folder)]
    subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
    return folder


@pytest.fixture(scope="module", params=["bundled", "generated"])
def store(request, generated):
    return load(None if request.param == "bundled" else [generated], into="store")


def as_rdflib_rows(outcome: QueryOutcome) -> QueryOutcome:
    """The same outcome with its rows as rdflib terms, as every writer read it before."""
    return QueryOutcome("select", variables=outcome.variables, rows=outcome.rows)


@pytest.mark.slow
@pytest.mark.parametrize("format_name", SELECT_FORMATS)
def test_select_results_from_pyoxigraph_terms_are_the_rdflib_bytes(store, format_name):
    write = WRITERS["select"][format_name]
    queries = [query.text for query in list_bundled_queries()] + [AWKWARD_TERMS]
    for text in queries:
        outcome = run_query(text, store)
        if outcome.kind == "select":
            assert outcome.solutions is not None
            assert write(outcome) == write(as_rdflib_rows(outcome)), text


def test_select_results_keep_rdflib_lexical_forms():
    outcome = run_query(AWKWARD_TERMS, load(into="store"))
    assert WRITERS["select"]["tsv"](outcome) == (
        "?a\t?b\n"
        '1\t"x\\ty"@en-gb\n'
        '\t"z"\n'
        "1.5\ttrue\n"
        '"2000.0"^^<http://www.w3.org/2001/XMLSchema#double>\t"a\\"b"\n'
        '<http://example.org/x>\t"2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date>\n'
        '7\t"3"^^<http://example.org/dt>\n'
    )
    assert WRITERS["select"]["csv"](outcome) == (
        'a,b\r\n1,x\ty\r\n,z\r\n1.5,true\r\n2000.0,"a""b"\r\n'
        "http://example.org/x,2020-01-01\r\n7,3\r\n"
    )


def test_blank_nodes_are_written_the_same_from_either_term_library():
    outcome = run_query('SELECT ?node WHERE { BIND (BNODE("n") AS ?node) }', load(into="store"))
    for write in WRITERS["select"].values():
        assert write(outcome) == write(as_rdflib_rows(outcome))
    label = outcome.solutions[0][0].value
    assert WRITERS["select"]["tsv"](outcome) == f"?node\n_:{label}\n"


def turtle_sorted_by_quad_text(store) -> bytes:
    """The Turtle export as it was written before: quads sorted by their own text."""
    quads = sorted(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), key=str)
    return ox.serialize(quads, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def awkward_store() -> ox.Store:
    """Triples whose order depends on how IRIs that prefix each other and literals compare."""
    store = ox.Store()
    subjects = ["http://x.org/a", "http://x.org/a-b", "http://x.org/a/b", "http://x.org/a.b"]
    predicate = ox.NamedNode("http://x.org/p")
    objects = [
        ox.Literal("a"),
        ox.Literal("a", language="en"),
        ox.Literal("a", datatype=ox.NamedNode("http://x.org/dt")),
        ox.Literal("a b"),
        ox.Literal("a\nb"),
        ox.Literal('a"b'),
        ox.Literal("a\\b"),
        ox.Literal("a\u0001b"),
        ox.Literal("é"),
        ox.Literal("10", datatype=ox.NamedNode(XSD_INTEGER)),
        ox.Literal("9", datatype=ox.NamedNode(XSD_INTEGER)),
        ox.NamedNode("http://x.org/a"),
        ox.NamedNode("http://x.org/a-b"),
    ]
    for subject in subjects:
        for value in objects:
            store.add(ox.Quad(ox.NamedNode(subject), predicate, value))
            store.add(ox.Quad(ox.NamedNode(subject), ox.NamedNode(subject + "p"), value))
    return store


def test_turtle_export_sorted_by_lines_is_the_old_bytes(store):
    assert export_store_turtle(store) == turtle_sorted_by_quad_text(store)


def test_turtle_export_orders_awkward_terms_as_before():
    store = awkward_store()
    assert export_store_turtle(store) == turtle_sorted_by_quad_text(store)


OLD_NAVIGATION = (
    "{% for href, label in navigation %}\n"
    '<li><a href="{{ href }}"{% if href == page_name %} aria-current="page"{% endif %}>'
    "{{ label }}</a></li>\n"
    "{% endfor %}\n"
)


@pytest.mark.slow
def test_site_navigation_rendered_once_is_the_old_loop(generated):
    from nephrokb.rdf.loading import load_graph
    from nephrokb.resources import bundled_folder
    from nephrokb.site import render_site
    from nephrokb.site.pages import environment

    ontology = load_graph([bundled_folder("ontology")])
    files = render_site(load((str(generated),)), ontology)
    pages = {name: html.decode() for name, html in files.items() if name.endswith(".html")}
    entries = []
    for line in pages["index.html"].split("<ul>\n", 1)[1].split("</ul>", 1)[0].splitlines():
        href, label = line.removeprefix('<li><a href="').removesuffix("</a></li>").split('">')
        entries.append((href.removesuffix('" aria-current="page'), label))
    assert len(entries) == 50 + 6
    old_loop = environment().from_string(OLD_NAVIGATION)
    for name, html in pages.items():
        rendered = old_loop.render(navigation=entries, page_name=name)
        assert f'<nav aria-label="Site">\n<ul>\n{rendered}</ul>\n</nav>' in html, name


def test_site_query_cells_from_pyoxigraph_terms_are_the_rdflib_cells(store):
    from rdflib import URIRef

    from nephrokb.query.results import URI, cell_rows, table_cell, table_value

    for query in list_bundled_queries():
        outcome = run_query(query.text, store)
        fast = [
            [(table_cell(cell), cell.value if cell and cell.kind == URI else None) for cell in row]
            for row in cell_rows(outcome)
        ]
        old = [
            [(table_value(term), str(term) if isinstance(term, URIRef) else None) for term in row]
            for row in outcome.rows
        ]
        assert fast == old, query.name
