"""`nephrokb serve`: a local read-only SPARQL endpoint over the knowledge, until Ctrl-C."""

from __future__ import annotations

import contextlib
import signal

import click

from nephrokb.cli.options import data_option, reports_errors
from nephrokb.errors import EndpointError


@contextlib.contextmanager
def interrupted_by_sigterm():
    """Treat SIGTERM like Ctrl-C (KeyboardInterrupt) while the block runs."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; the default answers this computer only.",
)
@click.option(
    "--port", type=click.IntRange(1, 65535), default=7878, show_default=True, help="Port."
)
@click.option(
    "--location",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Keep the Oxigraph store in DIR (its knowledge graph replaced at each start) "
    "instead of a temporary folder removed on exit.",
)
@data_option
@reports_errors
def serve(host: str, port: int, location: str | None, data: tuple[str, ...]) -> None:
    """Serve the knowledge as a local read-only SPARQL endpoint until Ctrl-C.

    Runs the Oxigraph server of nephrokb[server] and prints its query URL, for
    'nephrokb query --endpoint' or any SPARQL client. The knowledge is in the graph
    https://w3id.org/nephrokb/id/, which is also the default graph. Ctrl-C or SIGTERM
    stops the server and removes its temporary store.

    \b
    Example:
      nephrokb serve
      nephrokb query procedures --endpoint http://127.0.0.1:7878/query
      nephrokb serve --port 8000 --data kb/ --data extra.ttl --location nephrokb-store
    """
    from nephrokb.exporters.rdf import export_ntriples
    from nephrokb.loading import load_knowledge
    from nephrokb.serve import OxigraphServer, find_oxigraph, load_store, store_folder

    executable = find_oxigraph()
    knowledge = load_knowledge(data)
    with interrupted_by_sigterm(), store_folder(location) as folder:
        load_store(executable, folder, export_ntriples(knowledge))
        with OxigraphServer(executable, folder, host, port) as server:
            server.start()
            click.echo(server.query_url)
            click.echo(
                f"nephrokb: serving {len(knowledge)} triples read-only; press Ctrl-C to stop",
                err=True,
            )
            try:
                server.wait()
            except KeyboardInterrupt:
                click.echo("nephrokb: stopped", err=True)
                return
            raise EndpointError(f"oxigraph stopped unexpectedly: {server.message()}")
