"""nephrokb.query.results: the W3C SPARQL result formats and the table, written exactly.

tests/test_query.py runs the formats through `nephrokb query` and parses them back; these
tests pin each writer's bytes for one awkward row set: an IRI, tagged, typed and plain
literals (one holding a tab, a newline and quotes), a blank node and an unbound variable.
The same rows as pyoxigraph terms must give the same bytes.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef

from nephrokb.errors import QueryError
from nephrokb.query.queries import QueryOutcome
from nephrokb.query.results import WRITERS, default_format, writer_for

STEP = "https://w3id.org/nephrokb/id/pcn-puncture"
XSD = "http://www.w3.org/2001/XMLSchema#"
VARIABLES = ("node", "label", "number", "note")
ROWS = (
    (
        URIRef(STEP),
        Literal("Puncture", lang="en"),
        Literal("01", datatype=URIRef(XSD + "integer")),
        None,
    ),
    (
        BNode("b1"),
        Literal('say "hi"\tthen\nstop'),
        Literal(2.5),
        Literal("x", datatype=URIRef(XSD + "token")),
    ),
)
SOLUTIONS = (
    (
        ox.NamedNode(STEP),
        ox.Literal("Puncture", language="en"),
        ox.Literal("01", datatype=ox.NamedNode(XSD + "integer")),
        None,
    ),
    (
        ox.BlankNode("b1"),
        ox.Literal('say "hi"\tthen\nstop'),
        ox.Literal("2.5", datatype=ox.NamedNode(XSD + "double")),
        ox.Literal("x", datatype=ox.NamedNode(XSD + "token")),
    ),
)
EXPECTED = {
    "csv": (
        f'node,label,number,note\r\n{STEP},Puncture,1,\r\n_:b1,"say ""hi""\tthen\nstop",2.5,x\r\n'
    ),
    "tsv": (
        "?node\t?label\t?number\t?note\n"
        f'<{STEP}>\t"Puncture"@en\t1\t\n'
        '_:b1\t"say \\"hi\\"\\tthen\\nstop"\t"2.5"^^<http://www.w3.org/2001/XMLSchema#double>\t'
        '"x"^^<http://www.w3.org/2001/XMLSchema#token>\n'
    ),
    "table": (
        "node             label                 number  note\n"
        "---------------  --------------------  ------  ----\n"
        "kb:pcn-puncture  Puncture              1\n"
        '_:b1             say "hi"\\tthen\\nstop  2.5     x\n'
        "(2 rows)\n"
    ),
    "json": """\
{
  "head": {
    "vars": [
      "node",
      "label",
      "number",
      "note"
    ]
  },
  "results": {
    "bindings": [
      {
        "node": {
          "type": "uri",
          "value": "https://w3id.org/nephrokb/id/pcn-puncture"
        },
        "label": {
          "type": "literal",
          "value": "Puncture",
          "xml:lang": "en"
        },
        "number": {
          "type": "literal",
          "value": "1",
          "datatype": "http://www.w3.org/2001/XMLSchema#integer"
        }
      },
      {
        "node": {
          "type": "bnode",
          "value": "b1"
        },
        "label": {
          "type": "literal",
          "value": "say \\"hi\\"\\tthen\\nstop"
        },
        "number": {
          "type": "literal",
          "value": "2.5",
          "datatype": "http://www.w3.org/2001/XMLSchema#double"
        },
        "note": {
          "type": "literal",
          "value": "x",
          "datatype": "http://www.w3.org/2001/XMLSchema#token"
        }
      }
    ]
  }
}
""",
    "xml": """\
<?xml version="1.0" encoding="utf-8"?>
<sparql xmlns="http://www.w3.org/2005/sparql-results#">
  <head>
    <variable name="node" />
    <variable name="label" />
    <variable name="number" />
    <variable name="note" />
  </head>
  <results>
    <result>
      <binding name="node">
        <uri>https://w3id.org/nephrokb/id/pcn-puncture</uri>
      </binding>
      <binding name="label">
        <literal xml:lang="en">Puncture</literal>
      </binding>
      <binding name="number">
        <literal datatype="http://www.w3.org/2001/XMLSchema#integer">1</literal>
      </binding>
    </result>
    <result>
      <binding name="node">
        <bnode>b1</bnode>
      </binding>
      <binding name="label">
        <literal>say "hi"\tthen
stop</literal>
      </binding>
      <binding name="number">
        <literal datatype="http://www.w3.org/2001/XMLSchema#double">2.5</literal>
      </binding>
      <binding name="note">
        <literal datatype="http://www.w3.org/2001/XMLSchema#token">x</literal>
      </binding>
    </result>
  </results>
</sparql>
""",
}


@pytest.mark.parametrize("format_name", sorted(EXPECTED))
@pytest.mark.parametrize("terms", ["rdflib", "pyoxigraph"])
def test_select_results_are_written_exactly(format_name, terms):
    outcome = (
        QueryOutcome("select", VARIABLES, ROWS)
        if terms == "rdflib"
        else QueryOutcome("select", VARIABLES, solutions=SOLUTIONS)
    )
    assert writer_for("select", format_name)(outcome) == EXPECTED[format_name]


@pytest.mark.parametrize(
    ("format_name", "written"),
    [
        ("csv", "true\n"),
        ("tsv", "true\n"),
        ("table", "true\n"),
        ("json", '{\n  "head": {},\n  "boolean": true\n}\n'),
    ],
)
def test_an_ask_answer_is_a_boolean_in_each_format(format_name, written):
    assert writer_for("ask", format_name)(QueryOutcome("ask", boolean=True)) == written


def test_an_empty_select_is_a_header_and_a_row_count():
    outcome = QueryOutcome("select", ("node",), ())
    assert writer_for("select", "tsv")(outcome) == "?node\n"
    assert writer_for("select", "table")(outcome) == "node\n----\n(0 rows)\n"


@pytest.mark.parametrize(
    ("kind", "terminal", "expected"),
    [
        ("select", True, "table"),
        ("select", False, "tsv"),
        ("ask", False, "tsv"),
        ("graph", True, "turtle"),
        ("graph", False, "turtle"),
    ],
)
def test_the_default_format_is_a_table_only_on_a_terminal(kind, terminal, expected):
    assert default_format(kind, terminal) == expected
    assert expected in WRITERS[kind]


def test_a_format_the_kind_cannot_write_is_one_line_naming_the_choices():
    with pytest.raises(QueryError) as refused:
        writer_for("graph", "csv")
    assert str(refused.value) == (
        "the csv format cannot write CONSTRUCT and DESCRIBE results; "
        "use one of: jsonld, nt, turtle, xml"
    )
