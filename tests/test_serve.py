"""`nephrokb serve`: a real read-only Oxigraph endpoint that starts, answers and stops.

The command runs as a subprocess, as a user runs it, and is stopped with SIGINT (Ctrl-C)
or SIGTERM; its temporary store goes in the test's TMPDIR, so the tests can see it removed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from click.testing import CliRunner

from conftest import CLEAN
from nephrokb.cli import main
from oxigraph_server import Answer, StubServer, free_port, needs_oxigraph

MINIMAL = next(path for path in CLEAN if path.name == "minimal.ttl")
START_TIMEOUT = 30.0
COUNT = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"
RUN_CLI = "from nephrokb.cli import main; main()"
JSON_RESULTS = "application/sparql-results+json"


@contextmanager
def serving(*args: str, tmp_path) -> Iterator[tuple[subprocess.Popen, str]]:
    """Run `nephrokb serve ARGS` with TMPDIR in tmp_path; yield it and its query URL."""
    environment = {**os.environ, "TMPDIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_CLI, "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        text=True,
    )
    watchdog = threading.Timer(START_TIMEOUT, process.kill)
    watchdog.start()
    try:
        url = process.stdout.readline().strip()
        yield process, url
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
        process.communicate()


def stop(process: subprocess.Popen, signal_number: int) -> tuple[int, str]:
    """Send a signal and return the exit code and what the command wrote to stderr."""
    process.send_signal(signal_number)
    _, stderr = process.communicate(timeout=10)
    return process.returncode, stderr


def query(*args: str):
    return CliRunner().invoke(main, ["query", *args])


def test_help_shows_examples():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "nephrokb query procedures --endpoint http://127.0.0.1:7878/query" in result.output


def test_a_missing_server_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    assert result.stderr == (
        "nephrokb: error: the Oxigraph server is not installed; install nephrokb[server] "
        "(pip install 'nephrokb[server]')\n"
    )


@pytest.mark.slow
@needs_oxigraph
def test_serve_answers_queries_and_stops_on_ctrl_c(tmp_path, bundled_graph):
    port = free_port()
    with serving("--port", str(port), tmp_path=tmp_path) as (process, url):
        assert url == f"http://127.0.0.1:{port}/query", process.stderr.read()
        assert next(path.name for path in tmp_path.iterdir()).startswith("nephrokb-serve-")
        remote = query("procedures", "--endpoint", url)
        assert remote.exit_code == 0, remote.output
        assert remote.stdout == query("procedures").stdout
        # Any SPARQL client finds the knowledge in the default graph too.
        everything = query(COUNT, "--endpoint", url, "--graph", "default")
        assert everything.stdout == f"?triples\n{len(bundled_graph)}\n"
        store = url.removesuffix("/query") + "/store"
        published = CliRunner().invoke(
            main, ["publish", "--endpoint", store, "--data", str(MINIMAL)]
        )
        assert published.exit_code == 2
        assert published.stderr == (
            f"nephrokb: error: {store}?graph=https%3A%2F%2Fw3id.org%2Fnephrokb%2Fid%2F: HTTP 403 "
            "Forbidden: The server is read-only (the endpoint is read-only: it takes no changes, "
            "as 'nephrokb serve' never does; publish to a server's read-write Graph Store URL)\n"
        )
        code, stderr = stop(process, signal.SIGINT)
    assert code == 0, stderr
    assert stderr.endswith("nephrokb: stopped\n")
    assert "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []
    assert "connection refused" in query("procedures", "--endpoint", url).stderr


@pytest.mark.slow
@needs_oxigraph
def test_a_kept_location_is_reloaded_at_each_start(tmp_path, bundled_graph):
    store = tmp_path / "store"
    for data, triples in ((), len(bundled_graph)), (("--data", str(MINIMAL)), 99):
        port = str(free_port())
        with serving("--port", port, "--location", str(store), *data, tmp_path=tmp_path) as (
            process,
            url,
        ):
            assert url, process.stderr.read()
            assert query(COUNT, "--endpoint", url).stdout == f"?triples\n{triples}\n"
            code, stderr = stop(process, signal.SIGTERM)
        assert code == 0, stderr
        assert any(store.iterdir())


@needs_oxigraph
def test_a_busy_port_is_reported_before_anything_else(tmp_path):
    # Another SPARQL server on the port answers the readiness check: without checking the
    # port first, serve printed its URL as if it were serving, then failed.
    ready = Answer(body=b'{"head": {}, "boolean": true}', content_type=JSON_RESULTS)
    with StubServer([ready]) as other:
        port = other.url.rsplit(":", 1)[1]
        with serving("--port", port, "--data", str(MINIMAL), tmp_path=tmp_path) as (process, url):
            assert url == ""
            process.wait(10)
            stderr = process.stderr.read()
    assert process.returncode == 2
    assert stderr == f"nephrokb: error: port {port} is in use (choose another with --port)\n"
    assert list(tmp_path.iterdir()) == []


def test_the_bind_address_of_an_ipv6_host_is_bracketed(tmp_path):
    from nephrokb.query.serve import OxigraphServer

    server = OxigraphServer("oxigraph", tmp_path, "::1", 7000)
    assert (server.address, server.query_url) == ("[::1]:7000", "http://[::1]:7000/query")
