"""`nephrokb publish`: validate the knowledge, then replace its graph on a SPARQL server."""

from __future__ import annotations

import sys

import click

from nephrokb.cli.options import (
    EXIT_FINDINGS,
    data_option,
    graph_option,
    reports_errors,
    timeout_option,
)
from nephrokb.cli.progress import progress, quiet_option
from nephrokb.namespaces import KNOWLEDGE_GRAPH
from nephrokb.query.endpoint import DEFAULT_GRAPH
from nephrokb.rdf.sources import STDIN


@click.command()
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="The server's Graph Store Protocol URL, such as http://localhost:7878/store "
    "(Oxigraph) or http://localhost:3030/ds/data (Fuseki).",
)
@graph_option
@data_option
@click.option("--force", is_flag=True, help="Publish even when validation finds violations.")
@click.option("--dry-run", is_flag=True, help="Validate and show the request without sending it.")
@timeout_option
@quiet_option
@reports_errors
def publish(
    endpoint: str,
    graph: str | None,
    data: tuple[str, ...],
    force: bool,
    dry_run: bool,
    timeout: float,
    quiet: bool,
) -> None:
    """Validate the knowledge and replace its graph on a SPARQL server.

    The knowledge is validated first; if it does not conform, nothing is sent (exit 1)
    unless --force. Then one HTTP PUT replaces the graph with N-Triples, so readers see
    the old graph or the new one, never half, and publishing twice leaves one copy.
    Credentials come from NEPHROKB_ENDPOINT_TOKEN (Bearer), NEPHROKB_ENDPOINT_USER and
    NEPHROKB_ENDPOINT_PASSWORD (Basic or Digest, sent when the server asks), or
    ~/.netrc; never from the command line.

    \b
    Example:
      nephrokb publish --endpoint http://localhost:7878/store --dry-run
      nephrokb publish --endpoint http://localhost:7878/store
      nephrokb publish --endpoint https://kb.example.org/ds/data --data kb/ --data extra.ttl
    """
    if STDIN in data:
        raise click.UsageError(
            "publish reads --data twice (to validate, then to send); "
            "save standard input to a file first"
        )
    from nephrokb.query.credentials import credentials_for
    from nephrokb.query.endpoint import check_url
    from nephrokb.query.publish import prepare_publication
    from nephrokb.query.publish import publish as send_publication
    from nephrokb.rdf.loading import load
    from nephrokb.reports import render_report
    from nephrokb.validation.engine import validate

    credentials = credentials_for(check_url(endpoint).hostname or "")
    with progress("Validating", quiet=quiet):
        report = validate(list(data))
    if report.failed():
        click.echo(render_report(report, "text"), nl=False, err=True)
        if not force:
            click.echo("nephrokb: nothing published (use --force to publish anyway)", err=True)
            sys.exit(EXIT_FINDINGS)
        click.echo("nephrokb: publishing anyway (--force)", err=True)
    publication = prepare_publication(endpoint, load(data), graph or KNOWLEDGE_GRAPH)
    if dry_run:
        click.echo(
            f"{publication.method} {publication.url}\n"
            f"Content-Type: {publication.content_type}\n"
            f"Size: {len(publication.body)} bytes\n"
            f"Triples: {publication.triples}\n"
            f"Authorization: {credentials or 'none'}\n"
            "Dry run: nothing was sent."
        )
        return
    response = send_publication(publication, timeout=timeout)
    target = "the default graph" if publication.graph == DEFAULT_GRAPH else f"<{publication.graph}>"
    click.echo(
        f"Published {publication.triples} triples to {target} at {endpoint} "
        f"(HTTP {response.status} {response.reason})."
    )
