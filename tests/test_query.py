"""`nephrokb query` and its library: bundled queries, parameters, result formats and errors.

Golden files in tests/golden/query/ hold the exact answers on the bundled knowledge base:
NAME.tsv for each bundled query run without parameters, and
steps-percutaneous-nephrostomy.table.txt for the text table (docs/testing.md says how to
regenerate them after a deliberate change to the knowledge or the queries).

The knowledge base is parsed once for the module: `nephrokb.rdf.loading.load` is cached.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import CLEAN, GOLDEN
from nephrokb.cli import main
from nephrokb.namespaces import KB
from nephrokb.query.queries import list_bundled_queries, load_bundled_query, run_query

ANSWERS = GOLDEN / "query"
BUNDLED = [query.name for query in list_bundled_queries()]
MINIMAL = next(path for path in CLEAN if path.name == "minimal.ttl")
PCN = f"<{KB}percutaneous-nephrostomy>"
AJS = f"<{KB}antegrade-ureteral-stent-placement>"


@pytest.fixture(scope="module", autouse=True)
def knowledge_parsed_once():
    """Serve every --data combination from a cache of stores, which queries never change."""
    import nephrokb.rdf.loading

    load = nephrokb.rdf.loading.load
    cache = {}

    def cached(data=None, *, include=(), into="graph"):
        key = (tuple(str(path) for path in data or ()), tuple(include), into)
        if key not in cache:
            cache[key] = load(data, include=include, into=into)
        return cache[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nephrokb.rdf.loading, "load", cached)
        yield


WHOLE_KNOWLEDGE = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def query(*args: str, input: str | None = None):
    return CliRunner().invoke(main, ["query", *args], input=input)


def parsed_rows(text: str, format: str):
    from rdflib.query import Result

    result = Result.parse(io.BytesIO(text.encode("utf-8")), format=format)
    names = [str(variable) for variable in result.vars]
    return names, [tuple(row.get(variable) for variable in result.vars) for row in result.bindings]


# Help and --list


def test_help_shows_examples():
    result = query("--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "nephrokb query steps --param procedure=kb:percutaneous-nephrostomy" in result.output


def test_list_shows_each_bundled_query_with_its_description_sorted():
    result = query("--list")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == [
        "benefits",
        "complication-rates",
        "conditional-steps",
        "conditions",
        "contraindications",
        "devices",
        "evidence",
        "indications",
        "procedures",
        "provenance",
        "step-dependencies",
        "steps",
    ]
    assert "steps               Ordered steps of each procedure" in result.stdout


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_query_has_description_and_order(name):
    bundled = load_bundled_query(name)
    assert bundled.text.startswith(f"# {bundled.description}\n")
    assert bundled.description.endswith(".")
    assert "\nORDER BY " in bundled.text


# Golden answers


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_query_answers_as_golden(name, golden_file):
    result = query(name, "--format", "tsv")
    assert result.exit_code == 0, result.output
    golden_file(ANSWERS / f"{name}.tsv", result.stdout)


def test_every_bundled_query_has_a_golden_file():
    assert sorted(path.stem for path in ANSWERS.glob("*.tsv")) == BUNDLED


def test_table_answers_as_golden(golden_file):
    result = query("steps", "--param", "procedure=kb:percutaneous-nephrostomy", "--format", "table")
    assert result.exit_code == 0, result.output
    golden_file(ANSWERS / "steps-percutaneous-nephrostomy.table.txt", result.stdout)


def test_tsv_is_the_default_when_not_on_a_terminal():
    assert query("procedures").stdout == query("procedures", "--format", "tsv").stdout


@pytest.mark.slow
@pytest.mark.parametrize("format", ["json", "xml", "tsv"])
@pytest.mark.parametrize("name", BUNDLED)
def test_result_formats_parse_back_to_the_local_rows(name, format, bundled_graph):
    local = run_query(load_bundled_query(name).text, bundled_graph)
    result = query(name, "--format", format)
    assert result.exit_code == 0, result.output
    assert parsed_rows(result.stdout, format) == (list(local.variables), list(local.rows))


def test_csv_writes_plain_values_and_crlf():
    result = query("procedures", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode("utf-8") == (
        "procedure,label,steps,indications,benefits,reliesOn\r\n"
        f"{AJS[1:-1]},Antegrade double-J ureteral stent placement,6,5,6,{PCN[1:-1]}\r\n"
        f"{PCN[1:-1]},Percutaneous nephrostomy,10,6,6,\r\n"
    )


TRICKY = """@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:p "tab\\there, \\"quoted\\"\\nnext line \\\\ café"@en .
ex:b ex:p "2024-01-31"^^xsd:date .
ex:c ex:p 1.5 .
_:node ex:p true .
"""


@pytest.fixture
def tricky_data(tmp_path):
    path = tmp_path / "tricky.ttl"
    path.write_text(TRICKY, encoding="utf-8")
    return str(path)


TRICKY_QUERY = "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?o"


def test_tsv_writes_terms_in_turtle_syntax_on_one_line(tricky_data):
    result = query(TRICKY_QUERY, "--data", tricky_data, "--format", "tsv")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.split("\n")[:-1]
    blank = next(row for row in rows if row.startswith("_:"))
    assert header == "?s\t?o"
    assert re.fullmatch(r"_:\w+\ttrue", blank)
    assert sorted(set(rows) - {blank}) == [
        '<http://example.org/a>\t"tab\\there, \\"quoted\\"\\nnext line \\\\ café"@en',
        '<http://example.org/b>\t"2024-01-31"^^<http://www.w3.org/2001/XMLSchema#date>',
        "<http://example.org/c>\t1.5",
    ]


def test_csv_quotes_fields_that_need_it(tricky_data):
    result = query(
        TRICKY_QUERY.replace("?s ?o WHERE", "?o WHERE"), "--data", tricky_data, "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    assert sorted(result.stdout_bytes.decode("utf-8").split("\r\n")) == sorted(
        [
            "o",
            '"tab\there, ""quoted""\nnext line \\ café"',
            "2024-01-31",
            "1.5",
            "true",
            "",
        ]
    )


def test_table_keeps_each_row_on_one_line(tricky_data):
    result = query(
        "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o FILTER(isIRI(?s)) } ORDER BY ?s",
        "--data",
        tricky_data,
        "--format",
        "table",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "s                       o\n"
        "----------------------  -------------------------------------\n"
        '<http://example.org/a>  tab\\there, "quoted"\\nnext line \\ café\n'
        "<http://example.org/b>  2024-01-31\n"
        "<http://example.org/c>  1.5\n"
        "(3 rows)\n"
    )


@pytest.mark.parametrize("format", ["json", "xml", "tsv"])
def test_tricky_terms_survive_each_result_format(tricky_data, format):
    from nephrokb.rdf.loading import load

    local = run_query(TRICKY_QUERY, load([tricky_data]))
    result = query(TRICKY_QUERY, "--data", tricky_data, "--format", format)
    assert result.exit_code == 0, result.output
    names, rows = parsed_rows(result.stdout, format)
    # Each parse names blank nodes afresh (as RDF requires): compare them as blank nodes.
    assert (names, unlabelled(rows)) == (list(local.variables), unlabelled(local.rows))


def unlabelled(rows) -> list[tuple]:
    """Rows with every blank node replaced by the same placeholder."""
    from rdflib import BNode

    return [tuple("_:" if isinstance(term, BNode) else term for term in row) for row in rows]


# ASK, CONSTRUCT and DESCRIBE

ASK_TRUE = "ASK { kb:pcn-dilate-tract nkb:dependsOn kb:pcn-insert-guidewire }"
ASK_FALSE = "ASK { kb:pcn-dilate-tract nkb:dependsOn kb:pcn-puncture-calyx }"


@pytest.mark.parametrize(
    ("text", "answer", "exit_code"), [(ASK_TRUE, "true", 0), (ASK_FALSE, "false", 1)]
)
def test_ask_prints_the_answer_and_exits_0_or_1(text, answer, exit_code):
    result = query(text)
    assert result.exit_code == exit_code
    assert result.stdout == f"{answer}\n"


@pytest.mark.parametrize("format", ["json", "xml"])
@pytest.mark.parametrize(("text", "answer"), [(ASK_TRUE, True), (ASK_FALSE, False)])
def test_ask_in_w3c_formats_parses(text, answer, format):
    from rdflib.query import Result

    result = query(text, "--format", format)
    parsed = Result.parse(io.BytesIO(result.stdout.encode("utf-8")), format=format)
    assert parsed.type == "ASK"
    assert parsed.askAnswer is answer


FIRST_STEPS = """CONSTRUCT { ?procedure nkb:hasStep ?step . ?step rdfs:label ?label }
WHERE { ?procedure nkb:hasStep ?step . ?step nkb:stepNumber 1 ; rdfs:label ?label }"""
FIRST_STEPS_EXPECTED = """@prefix kb: <https://w3id.org/nephrokb/id/> .
@prefix nkb: <https://w3id.org/nephrokb/vocab#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
kb:percutaneous-nephrostomy nkb:hasStep kb:pcn-position-patient-prone .
kb:pcn-position-patient-prone rdfs:label "Position the patient prone"@en .
kb:antegrade-ureteral-stent-placement nkb:hasStep kb:ajs-pass-guidewire-into-bladder .
kb:ajs-pass-guidewire-into-bladder rdfs:label "Pass a guidewire into the bladder"@en .
"""


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize(
    ("format", "rdflib_format"),
    [(None, "turtle"), ("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("xml", "xml")],
)
def test_construct_writes_rdf_isomorphic_to_the_expected_graph(format, rdflib_format):
    from rdflib import Graph
    from rdflib.compare import isomorphic

    result = query(FIRST_STEPS, *(["--format", format] if format else []))
    assert result.exit_code == 0, result.output
    written = Graph().parse(data=result.stdout, format=rdflib_format)
    assert isomorphic(written, Graph().parse(data=FIRST_STEPS_EXPECTED, format="turtle"))


@pytest.mark.parametrize("format_name", ["jsonld", "nt", "turtle"])
def test_construct_of_the_whole_knowledge_writes_the_bytes_export_writes(format_name):
    # One registry (rdf.serialization.RDF_FORMATS) writes both: jsonld is compacted with
    # nephrokb's @context in each, turtle is the canonical Turtle of `nephrokb export`.
    from nephrokb.exporters import export_knowledge

    result = query(WHOLE_KNOWLEDGE, "--format", format_name)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == export_knowledge(format_name)


def test_construct_of_the_whole_knowledge_writes_the_rdf_xml_export_writes():
    # The same writer, but export also declares the prefixes the kb/ files bind (fabio:,
    # prism:), which a query's graph does not carry, so rdflib names those ns1:, ns2:.
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from nephrokb.exporters import export_knowledge

    result = query(WHOLE_KNOWLEDGE, "--format", "xml")
    assert result.exit_code == 0, result.output
    written = Graph().parse(data=result.stdout, format="xml")
    assert isomorphic(written, Graph().parse(data=export_knowledge("xml"), format="xml"))


def test_describe_gives_the_node_with_its_properties():
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDFS

    result = query("DESCRIBE kb:needle")
    assert result.exit_code == 0, result.output
    described = Graph().parse(data=result.stdout, format="turtle")
    assert (URIRef(f"{KB}needle"), RDFS.label, Literal("Needle", lang="en")) in described


WRITE_EVERY_GRAPH_FORMAT = """
from nephrokb.rdf.loading import load
from nephrokb.query.queries import run_query
from nephrokb.query.results import WRITERS
outcome = run_query("CONSTRUCT { ?s ?p ?o } WHERE { ?s a nkb:Step ; ?p ?o }", load())
print("".join(write(outcome) for write in WRITERS["graph"].values()))
"""


@pytest.mark.slow
def test_graph_output_is_the_same_whatever_the_hash_seed():
    # rdflib's store iterates a set, so its own serializers change order from run to run.
    def written(seed: str) -> str:
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        command = [sys.executable, "-c", WRITE_EVERY_GRAPH_FORMAT]
        return subprocess.run(command, env=environment, capture_output=True, check=True).stdout

    assert written("1") == written("2")


def test_rdf_format_is_refused_for_select():
    result = query("procedures", "--format", "turtle")
    assert result.exit_code == 2
    assert result.stderr == (
        "nephrokb: error: the turtle format cannot write SELECT results; "
        "use one of: csv, json, table, tsv, xml\n"
    )


def test_result_format_is_refused_for_construct():
    result = query(FIRST_STEPS, "--format", "csv")
    assert result.exit_code == 2
    assert result.stderr == (
        "nephrokb: error: the csv format cannot write CONSTRUCT and DESCRIBE results; "
        "use one of: jsonld, nt, turtle, xml\n"
    )


# Refused and broken queries


@pytest.mark.parametrize(
    ("text", "keyword", "line"),
    [
        ("INSERT DATA { kb:a kb:b kb:c }", "INSERT", 1),
        ("PREFIX ex: <http://example.org/>\n# remove\nDELETE WHERE { ?s ?p ?o }", "DELETE", 3),
        ("LOAD <http://example.org/data.ttl>", "LOAD", 1),
        ("CLEAR ALL", "CLEAR", 1),
        ("DROP GRAPH <http://example.org/g>", "DROP", 1),
        ("CREATE GRAPH <http://example.org/g>", "CREATE", 1),
        ("WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH", 1),
    ],
)
def test_update_is_refused(text, keyword, line):
    result = query(text)
    assert result.exit_code == 2
    assert result.stderr == (
        f"nephrokb: error: <query>:{line}:1: SPARQL Update ({keyword}) is not allowed: "
        "nephrokb query is read-only\n"
    )


def test_syntax_error_names_line_and_column():
    result = query(
        "PREFIX ex: <http://example.org/>\nSELECT ?x\nWHERE { ?x ex:p ?y .\n  FILTER(?y > ) }"
    )
    assert result.exit_code == 2
    assert result.stderr == "nephrokb: error: <query>:4:3: SPARQL syntax error: near 'FILTER'\n"
    assert "Traceback" not in result.output


def test_syntax_error_at_the_end_says_so():
    result = query("SELECT ?x WHERE { ?x ?y ?z ")
    assert result.exit_code == 2
    assert result.stderr == (
        "nephrokb: error: <query>:1:28: SPARQL syntax error: unexpected end of query\n"
    )


def test_syntax_error_in_a_file_names_the_file(tmp_path):
    broken = tmp_path / "broken.rq"
    broken.write_text(
        "# a broken query\nSELECT ?x WHERE { ?x ?y ?z } LIMIT many\n", encoding="utf-8"
    )
    result = query(str(broken))
    assert result.exit_code == 2
    assert result.stderr == f"nephrokb: error: {broken}:2:30: SPARQL syntax error: near 'LIMIT'\n"


def test_unknown_prefix_is_located():
    result = query("SELECT ?o WHERE {\n  kb:needle foo:bar ?o }")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "nephrokb: error: <query>:2:13: SPARQL error: unknown prefix 'foo:' (declare it, or use"
    )


def test_service_is_refused():
    result = query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert result.exit_code == 2
    assert result.stderr == (
        "nephrokb: error: <query>: SERVICE is not supported: "
        "queries run on local data and never use the network\n"
    )


def test_service_inside_a_subquery_is_refused():
    result = query(
        "SELECT * WHERE { { SELECT ?s WHERE {\n"
        "  SERVICE SILENT <http://example.org/s> { ?s ?p ?o } } } }"
    )
    assert result.exit_code == 2
    assert "SERVICE is not supported" in result.stderr


def test_from_is_refused():
    result = query("SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }")
    assert result.exit_code == 2
    assert result.stderr == (
        "nephrokb: error: <query>: FROM and FROM NAMED are not supported: "
        "queries run on the --data files or the bundled knowledge base\n"
    )


def test_unknown_bundled_query_lists_the_known_ones():
    result = query("stpes")
    assert result.exit_code == 2
    assert result.stderr == (
        "nephrokb: error: unknown bundled query 'stpes' (did you mean 'steps'?); "
        f"bundled queries: {', '.join(BUNDLED)}\n"
    )


def test_missing_query_file_is_refused(tmp_path):
    missing = tmp_path / "missing.rq"
    result = query(str(missing))
    assert result.exit_code == 2
    assert result.stderr == f"nephrokb: error: {missing}: cannot read: No such file or directory\n"


def test_missing_query_argument_is_a_usage_error():
    result = query()
    assert result.exit_code == 2
    assert result.stderr.startswith("nephrokb: error: missing QUERY")


# Parameters


def ajs_steps() -> str:
    golden = (ANSWERS / "steps.tsv").read_bytes().decode("utf-8").splitlines(keepends=True)
    return golden[0] + "".join(line for line in golden[1:] if line.startswith(f"{AJS}\t"))


@pytest.mark.parametrize(
    "value",
    [
        AJS,
        AJS[1:-1],
        "kb:antegrade-ureteral-stent-placement",
        "Antegrade double-J ureteral stent placement",
        "STENT PLACEMENT",
    ],
    ids=["angle-iri", "iri", "curie", "label", "label-fragment"],
)
def test_param_binds_a_node_by_iri_curie_or_label(value):
    result = query("steps", "--param", f"procedure={value}")
    assert result.exit_code == 0, result.output
    assert result.stdout == ajs_steps()
    assert len(result.stdout.splitlines()) == 7


def test_param_works_on_inline_queries():
    result = query("SELECT ?label WHERE { ?node rdfs:label ?label }", "--param", "node=kb:needle")
    assert result.stdout == '?label\n"Needle"@en\n'


def test_ambiguous_label_lists_the_candidates():
    result = query("conditions", "--param", "condition=urinary tract obstruction")
    assert result.exit_code == 2
    assert result.stderr == (
        "nephrokb: error: parameter condition: 'urinary tract obstruction' matches 2 nodes: "
        'kb:indication-urinary-tract-obstruction "Urinary tract obstruction", '
        'kb:urinary-tract-obstruction "Urinary tract obstruction"; give an IRI or CURIE instead\n'
    )


def test_label_matching_nothing_is_refused():
    result = query("steps", "--param", "procedure=appendectomy")
    assert result.exit_code == 2
    assert result.stderr == (
        "nephrokb: error: parameter procedure: no node has a label matching 'appendectomy'\n"
    )


def test_param_for_a_variable_the_query_lacks_is_refused():
    result = query("procedures", "--param", "procdure=kb:percutaneous-nephrostomy")
    assert result.exit_code == 2
    assert "the query has no variable ?procdure to bind" in result.stderr
    assert "?procedure" in result.stderr


@pytest.mark.parametrize("given", ["procedure", "=kb:x", "two words=kb:x"])
def test_malformed_param_is_a_usage_error(given):
    result = query("steps", "--param", given)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "nephrokb: error: Invalid value for '--param': expected NAME=VALUE"
    )


# Sources of queries and data, and --output


def test_query_from_standard_input():
    result = query("-", input="SELECT ?step WHERE { ?step nkb:condition ?c } ORDER BY ?step\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"?step\n<{KB}ajs-dilate-ureteral-opening-and-tract>\n<{KB}pcn-confirm-position-with-contrast>\n"
    )


def test_query_from_a_file(tmp_path):
    path = tmp_path / "count.rq"
    path.write_text("SELECT (COUNT(?p) AS ?n) WHERE { ?p a nkb:Procedure }\n", encoding="utf-8")
    result = query(str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == "?n\n2\n"


def test_data_replaces_the_bundled_knowledge():
    result = query("procedures", "--data", str(MINIMAL))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "?procedure\t?label\t?steps\t?indications\t?benefits\t?reliesOn\n"
        f'<{KB}demo-access>\t"Demo access"@en\t3\t1\t1\t\n'
        f'<{KB}demo-drainage>\t"Demo drainage"@en\t1\t1\t1\t<{KB}demo-access>\n'
    )


def test_output_writes_the_file_and_nothing_to_stdout(tmp_path):
    target = tmp_path / "procedures.json"
    result = query("procedures", "--format", "json", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == query("procedures", "--format", "json").stdout
    assert [path.name for path in tmp_path.iterdir()] == ["procedures.json"]


# Library


def test_run_query_returns_kind_variables_and_rows(bundled_graph):
    outcome = run_query("SELECT ?n WHERE { kb:pcn-dilate-tract nkb:stepNumber ?n }", bundled_graph)
    assert (outcome.kind, outcome.variables, [str(row[0]) for row in outcome.rows]) == (
        "select",
        ("n",),
        ["7"],
    )
    assert run_query(ASK_TRUE, bundled_graph).boolean is True
    assert len(run_query("DESCRIBE kb:flank", bundled_graph).graph) > 0


def test_resolve_term_reads_iris_curies_and_labels(bundled_graph):
    from rdflib import URIRef

    from nephrokb.query.queries import resolve_term

    needle = URIRef(f"{KB}needle")
    for value in (f"<{KB}needle>", f"{KB}needle", "kb:needle", "needle", "NEEDLE"):
        assert resolve_term(bundled_graph, value) == needle


def test_run_within_gives_up_on_a_slow_call_and_passes_errors_on():
    import time

    from nephrokb.cli.query import run_within
    from nephrokb.errors import QueryError

    with pytest.raises(QueryError, match=r"did not finish within 0\.1 s \(raise --timeout\)"):
        run_within(0.1, time.sleep, 1)
    with pytest.raises(ValueError):
        run_within(1, int, "not a number")
    assert run_within(1, int, "7") == 7


@pytest.mark.slow
def test_a_query_given_up_on_stops_running():
    import threading
    import time

    from nephrokb.errors import QueryError
    from nephrokb.query.queries import prepare_query, run_query
    from nephrokb.rdf.loading import load

    cancel = threading.Event()
    store = load(into="store")
    everything = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    errors: list[str] = []

    def evaluate() -> None:
        try:
            run_query(prepare_query(everything), store, cancel=cancel)
        except QueryError as error:
            # The message only: the error's traceback holds pyoxigraph's solutions, which
            # may be freed only on this thread.
            errors.append(error.message)

    worker = threading.Thread(target=evaluate, daemon=True)
    worker.start()
    time.sleep(0.2)
    cancel.set()
    worker.join(5)
    assert not worker.is_alive()
    assert errors == ["query failed: the query was cancelled"]
