"""`nephrokb query`: run a read-only SPARQL query, bundled or your own, on the knowledge."""

from __future__ import annotations

import sys

import click

from nephrokb.cli.options import EXIT_FINDINGS, EXIT_OK, data_option, reports_errors
from nephrokb.results import FORMATS


def parse_params(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]):
    """Turn repeated `--param name=value` into a dict, refusing malformed or repeated names."""
    from nephrokb.query import VARIABLE_NAME

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
    from nephrokb.query import list_bundled_queries

    queries = list_bundled_queries()
    width = max(len(query.name) for query in queries)
    return "".join(f"{query.name.ljust(width)}  {query.description}\n" for query in queries)


@click.command()
@click.argument("source", metavar="QUERY", required=False)
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
@click.option(
    "--format",
    "format_name",
    type=click.Choice(FORMATS),
    help="SELECT/ASK: table (default on a terminal), tsv (default otherwise), csv, json, xml. "
    "CONSTRUCT/DESCRIBE: turtle (default), nt, jsonld, xml.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Write the results to FILE (replaced atomically) instead of standard output.",
)
@reports_errors
def query(
    source: str | None,
    list_queries: bool,
    params: dict[str, str],
    data: tuple[str, ...],
    format_name: str | None,
    output: str | None,
) -> None:
    """Run a read-only SPARQL query on the knowledge.

    QUERY is a bundled query name, a .rq file, - for standard input, or SPARQL text;
    the nephrokb prefixes (kb:, nkb:, rdfs:, ...) need no PREFIX lines. ASK prints
    true or false and exits 0 or 1. Updates, SERVICE and FROM are refused.

    \b
    Example:
      nephrokb query --list
      nephrokb query steps --param procedure=kb:percutaneous-nephrostomy
      nephrokb query provenance --param node="dilate the access tract" --format json
      nephrokb query 'ASK { kb:pcn-dilate-tract nkb:dependsOn kb:pcn-insert-guidewire }'
      nephrokb query my-query.rq --data kb/ --format csv --output results.csv
    """
    if list_queries:
        click.echo(list_text(), nl=False)
        return
    if source is None:
        raise click.UsageError("missing QUERY: a bundled query name, a .rq file, - or SPARQL")

    from nephrokb.atomic import write_atomic
    from nephrokb.loading import load_knowledge
    from nephrokb.query import prepare_query, read_query, run_query
    from nephrokb.results import default_format, writer_for

    prepared = prepare_query(*read_query(source))
    terminal = output is None and sys.stdout.isatty()
    writer = writer_for(prepared.kind, format_name or default_format(prepared.kind, terminal))
    outcome = run_query(prepared, load_knowledge(data), params)
    written = writer(outcome).encode("utf-8")
    if output is None:
        # Bytes go to stdout unchanged: UTF-8 whatever the locale, CRLF kept for CSV.
        click.echo(written, nl=False)
    else:
        write_atomic(output, written)
    sys.exit(EXIT_FINDINGS if outcome.boolean is False else EXIT_OK)
