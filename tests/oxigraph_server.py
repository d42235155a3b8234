"""Servers for the endpoint tests: a real Oxigraph on a free port, and scripted HTTP stubs.

`oxigraph_server` starts `oxigraph serve` (read-write, so tests can publish to it) in a
temporary folder on 127.0.0.1, waits until it answers and stops it afterwards. Without the
oxigraph binary (the `server` extra) the tests that need it are skipped, with that reason.
`StubServer` answers each request with the next of a scripted list of answers and records
what it was sent, for the failures a real server does not produce on demand.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

READY_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


def oxigraph_binary() -> str | None:
    """Return the oxigraph binary beside this Python or on PATH, or None."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("oxigraph")


OXIGRAPH = oxigraph_binary()
needs_oxigraph = pytest.mark.skipif(
    OXIGRAPH is None,
    reason="the oxigraph server binary is not installed (pip install '.[server]')",
)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    """True when `url` answers an HTTP GET with 200 (never through a proxy)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


def wait_until_answering(
    name: str, process: subprocess.Popen, query_url: str, timeout: float, output: Callable[[], str]
) -> None:
    """Wait until `query_url` answers ASK {}; fail the test if the server stops or is too slow."""
    deadline = time.monotonic() + timeout
    while not answers(f"{query_url}?query=ASK%7B%7D"):
        if process.poll() is not None:
            pytest.fail(f"{name} stopped: {output()}")
        if time.monotonic() > deadline:
            pytest.fail(f"{name} did not answer within {timeout} s")
        time.sleep(0.05)


def stop(process: subprocess.Popen, timeout: float) -> None:
    """Terminate a server, and kill it when it has not stopped within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass(frozen=True)
class Oxigraph:
    """A running Oxigraph server: where to query it and where its Graph Store is."""

    base: str

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def store_url(self) -> str:
        return f"{self.base}/store"


@contextmanager
def running_oxigraph(location: Path) -> Iterator[Oxigraph]:
    """Run `oxigraph serve` on a free port of 127.0.0.1 with its store in `location`."""
    port = free_port()
    server = Oxigraph(f"http://127.0.0.1:{port}")
    command = [OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_answering(
            "oxigraph",
            process,
            server.query_url,
            READY_TIMEOUT,
            lambda: process.stderr.read().decode(),
        )
        yield server
    finally:
        stop(process, STOP_TIMEOUT)
        process.stderr.close()


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory) -> Iterator[Oxigraph]:
    """A real, empty, read-write Oxigraph server for the tests of one module."""
    if OXIGRAPH is None:
        pytest.skip("the oxigraph server binary is not installed (pip install '.[server]')")
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph")) as server:
        yield server


@dataclass(frozen=True)
class Answer:
    """One scripted HTTP answer, sent after `delay` seconds."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain"
    delay: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Received:
    """One request a stub received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class StubServer:
    """An HTTP server on 127.0.0.1 that answers with `answers` in turn (the last repeats)."""

    answers: list[Answer]
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> StubServer:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                stub.received.append(Received(self.command, self.path, dict(self.headers), body))
                scripted = stub.answers[min(len(stub.received), len(stub.answers)) - 1]
                time.sleep(scripted.delay)
                try:
                    self.send_response(scripted.status)
                    self.send_header("Content-Type", scripted.content_type)
                    self.send_header("Content-Length", str(len(scripted.body)))
                    for name, value in scripted.headers:
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(scripted.body)
                except OSError:
                    pass  # the client gave up waiting, as the timeout tests want

            do_GET = do_POST = do_PUT = answer

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.block_on_close = False
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()
        return self

    def __exit__(self, *exception) -> None:
        self.server.shutdown()
        self.server.server_close()
