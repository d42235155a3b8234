"""`nephrokb serve`: a local read-only SPARQL endpoint over the knowledge, until Ctrl-C."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

import click

from nephrokb.cli.options import data_option, reports_errors
from nephrokb.errors import EndpointError


class StopRequests:
    """Records SIGINT (Ctrl-C) and SIGTERM as requests to stop, instead of raising."""

    def __init__(self):
        self.received: list[int] = []

    def __call__(self, signal_number, frame) -> None:
        self.received.append(signal_number)

    def requested(self) -> bool:
        """True once a stop signal has arrived."""
        return bool(self.received)


@contextlib.contextmanager
def stop_requests() -> Iterator[StopRequests]:
    """Record SIGINT and SIGTERM while the block runs, restoring their handlers after."""
    requests = StopRequests()
    previous = {
        number: signal.signal(number, requests) for number in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield requests
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


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
    from nephrokb.query.serve import (
        OxigraphServer,
        check_port_free,
        find_oxigraph,
        replace_server_graph,
        store_folder,
    )
    from nephrokb.rdf.loading import load
    from nephrokb.rdf.serialization import export_ntriples

    executable = find_oxigraph()
    check_port_free(host, port)
    knowledge = load(data)
    with stop_requests() as stop:
        try:
            with store_folder(location) as folder:
                replace_server_graph(executable, folder, export_ntriples(knowledge))
                with OxigraphServer(executable, folder, host, port) as server:
                    server.start()
                    click.echo(server.query_url)
                    click.echo(
                        f"nephrokb: serving {len(knowledge)} triples read-only; "
                        "press Ctrl-C to stop",
                        err=True,
                    )
                    if server.wait(until=stop.requested) is not None:
                        raise EndpointError(f"oxigraph stopped unexpectedly: {server.message()}")
        except EndpointError:
            # Ctrl-C reaches oxigraph too, which may fail a load or a start: not an error.
            if not stop.requested():
                raise
    click.echo("nephrokb: stopped", err=True)
