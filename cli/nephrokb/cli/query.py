"""`nephrokb query`: run a read-only SPARQL query, bundled or your own, on the knowledge."""

from __future__ import annotations

import sys

import click

from nephrokb.cli.completion import complete_query_names
from nephrokb.cli.options import (
    EXIT_FINDINGS,
    EXIT_OK,
    STANDARD_OUTPUT,
    data_option,
    graph_option,
    reports_errors,
    result_options,
    timeout_option,
    write_result,
)
from nephrokb.errors import QueryError
from nephrokb.query.results import FORMATS


def run_within(seconds: float, function, *args, cancel=None):
    """Return function(*args), or raise QueryError once it has run for `seconds`.

    pyoxigraph evaluates in Rust, where no signal reaches it but the GIL is released, so the
    function runs in a daemon thread. On a time-out the `cancel` event (if any) is set, so
    that a function watching it stops instead of running on (and growing) in the background.
    """
    import threading

    answer: dict = {}

    def run() -> None:
        try:
            answer["value"] = function(*args)
        except BaseException as error:
            if cancel is not None and cancel.is_set():
                # Given up on: drop it here, with the pyoxigraph objects its traceback holds,
                # which may only be freed on the thread that made them.
                return
            answer["error"] = error  # handed to the caller's thread as it is

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        if cancel is not None:
            cancel.set()
        raise QueryError(f"the query did not finish within {seconds:g} s (raise --timeout)")
    if "error" in answer:
        raise answer["error"]
    return answer["value"]


def parse_params(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]):
    """Turn repeated `--param name=value` into a dict, refusing malformed or repeated names."""
    from nephrokb.query.queries import VARIABLE_NAME

    params: dict[str, str] = {}
    for given in values:
        name, equals, value = given.partition("=")
        if not equals or not VARIABLE_NAME.fullmatch(name):
            raise click.BadParameter(f"expected NAME=VALUE, got '{given}'", ctx, param)
        if name in params:
            raise click.BadParameter(f"'{name}' is given more than once", ctx, param)
        params[name] = value
    return params


def list_text() -> str:
    """Return the bundled queries, one `name  description` line each, sorted by name."""
    from nephrokb.query.queries import list_bundled_queries

    queries = list_bundled_queries()
    width = max(len(query.name) for query in queries)
    return "".join(f"{query.name.ljust(width)}  {query.description}\n" for query in queries)


@click.command()
@click.argument("source", metavar="QUERY", required=False, shell_complete=complete_query_names)
@click.option("--list", "list_queries", is_flag=True, help="List the bundled queries and exit.")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    callback=parse_params,
    help="Bind ?NAME to an IRI, a CURIE such as kb:percutaneous-nephrostomy, "
    "or the node with that label (repeatable).",
)
@data_option
@result_options(
    FORMATS,
    "SELECT/ASK: table (default on a terminal), tsv (default otherwise), csv, json, xml. "
    "CONSTRUCT/DESCRIBE: turtle (default), nt, jsonld, xml.",
    default=None,
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="Query the SPARQL endpoint at URL (its query URL, such as "
    "http://localhost:7878/query) instead of local knowledge.",
)
@graph_option
@timeout_option
@reports_errors
def query(
    source: str | None,
    list_queries: bool,
    params: dict[str, str],
    data: tuple[str, ...],
    format_name: str | None,
    output: str,
    endpoint: str | None,
    graph: str | None,
    timeout: float,
) -> None:
    """Run a read-only SPARQL query on the knowledge.

    QUERY is a bundled query name, a .rq file, - for standard input, or SPARQL text;
    the nephrokb prefixes (kb:, nkb:, rdfs:, ...) need no PREFIX lines. ASK prints
    true or false and exits 0 or 1. Updates, SERVICE and FROM are refused.

    With --endpoint the query runs on a SPARQL server (see 'nephrokb serve' and
    'nephrokb publish'), on the graph --graph names, and prints exactly what it prints
    locally. Credentials come from NEPHROKB_ENDPOINT_TOKEN, NEPHROKB_ENDPOINT_USER and
    NEPHROKB_ENDPOINT_PASSWORD, or ~/.netrc; never from the command line.

    \b
    Example:
      nephrokb query --list
      nephrokb query steps --param procedure=kb:percutaneous-nephrostomy
      nephrokb query provenance --param node="dilate the access tract" --format json
      nephrokb query 'ASK { kb:pcn-dilate-tract nkb:dependsOn kb:pcn-insert-guidewire }'
      nephrokb query my-query.rq --data kb/ --format csv --output results.csv
      nephrokb query steps --endpoint http://localhost:7878/query --timeout 10
    """
    if list_queries:
        write_result(output, list_text())
        return
    if source is None:
        raise click.UsageError("missing QUERY: a bundled query name, a .rq file, - or SPARQL")
    if endpoint is not None and data:
        raise click.UsageError("--data reads local files; it cannot be used with --endpoint")
    if endpoint is None and graph is not None:
        raise click.UsageError("--graph names a graph on a server; use it with --endpoint")

    from nephrokb.query.queries import prepare_query, read_query, run_query
    from nephrokb.query.results import default_format, writer_for
    from nephrokb.rdf.loading import load

    prepared = prepare_query(*read_query(source))
    terminal = output == STANDARD_OUTPUT and sys.stdout.isatty()
    writer = writer_for(prepared.kind, format_name or default_format(prepared.kind, terminal))
    if endpoint is not None:
        from nephrokb.namespaces import KNOWLEDGE_GRAPH
        from nephrokb.query.remote_queries import query_endpoint

        outcome = query_endpoint(
            endpoint, prepared, params, graph=graph or KNOWLEDGE_GRAPH, timeout=timeout
        )
    else:
        import functools
        import threading

        cancel = threading.Event()
        evaluate = functools.partial(run_query, cancel=cancel)
        store = load(data, into="store")
        outcome = run_within(timeout, evaluate, prepared, store, params, cancel=cancel)
    # Bytes go to stdout unchanged: UTF-8 whatever the locale, CRLF kept for CSV.
    write_result(output, writer(outcome).encode("utf-8"))
    sys.exit(EXIT_FINDINGS if outcome.boolean is False else EXIT_OK)
