"""Serve knowledge read-only over SPARQL with the Oxigraph server of the `oxigraph` package.

The knowledge is loaded with `oxigraph load` into the named graph KNOWLEDGE_GRAPH of a
store folder (a temporary one unless the caller names one), then served by `oxigraph
serve-read-only --union-default-graph`: `nephrokb query --endpoint` finds the knowledge in
its graph, and any other SPARQL client finds it in the default graph.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from nephrokb.errors import EndpointError
from nephrokb.namespaces import KNOWLEDGE_GRAPH

OXIGRAPH = "oxigraph"
READY_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
POLL_INTERVAL = 0.05
MISSING_SERVER = (
    "the Oxigraph server is not installed; install nephrokb[server] "
    "(pip install 'nephrokb[server]')"
)


def check_port_free(host: str, port: int) -> None:
    """Raise EndpointError unless a server could listen on `host`:`port` right now.

    Checked before loading anything, so a busy port is the first and only thing said.
    SO_REUSEADDR, as oxigraph sets it: a port left in TIME_WAIT is free to reuse.
    """
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise EndpointError(f"cannot listen on {host}: {error.strerror}") from None
    with socket.socket(family, kind, protocol) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise EndpointError(f"port {port} is in use (choose another with --port)") from None
            raise EndpointError(f"cannot listen on {host} port {port}: {error.strerror}") from None


def find_oxigraph() -> str:
    """Return the path of the oxigraph binary: beside this Python, else on PATH."""
    name = OXIGRAPH + (".exe" if os.name == "nt" else "")
    beside_python = Path(sys.executable).parent / name
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    found = shutil.which(OXIGRAPH)
    if found is None:
        raise EndpointError(MISSING_SERVER)
    return found


@contextlib.contextmanager
def store_folder(location: str | Path | None = None) -> Iterator[Path]:
    """Yield `location` (created if missing), or a temporary folder removed afterwards."""
    if location is not None:
        folder = Path(location)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise EndpointError(f"cannot create: {error.strerror}", path=str(folder)) from None
        yield folder
        return
    folder = Path(tempfile.mkdtemp(prefix="nephrokb-serve-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def replace_server_graph(
    executable: str, folder: Path, ntriples: bytes, graph: str = KNOWLEDGE_GRAPH
) -> None:
    """Replace `graph` in the Oxigraph store in `folder` with the N-Triples `ntriples`."""
    # DROP first: a kept --location may hold an older version of the same graph.
    run_oxigraph(
        [
            executable,
            "update",
            "--location",
            str(folder),
            "--update",
            f"DROP SILENT GRAPH <{graph}>",
        ]
    )
    command = [executable, "load", "--location", str(folder), "--format", "nt", "--graph", graph]
    run_oxigraph(command, ntriples)


def run_oxigraph(command: list[str], given: bytes | None = None) -> None:
    """Run one oxigraph command to completion, raising EndpointError with its message."""
    try:
        finished = subprocess.run(command, input=given, capture_output=True, check=False)
    except OSError as error:
        raise EndpointError(f"cannot run {command[0]}: {error.strerror}") from None
    if finished.returncode != 0:
        reason = last_line(finished.stderr) or f"exit code {finished.returncode}"
        raise EndpointError(f"oxigraph {command[1]} failed: {reason}")


def last_line(output: bytes) -> str:
    """Return the last non-blank line of a program's output."""
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines()]
    return next((line for line in reversed(lines) if line), "")


class OxigraphServer:
    """An `oxigraph serve-read-only` child process serving the store in one folder."""

    def __init__(self, executable: str, folder: Path, host: str = "127.0.0.1", port: int = 7878):
        self.executable = executable
        self.folder = folder
        self.host = host
        self.port = port
        self.process: subprocess.Popen | None = None
        self.log: IO[bytes] | None = None

    @property
    def address(self) -> str:
        """Return host:port as a URL and oxigraph's --bind write it (IPv6 in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def query_url(self) -> str:
        """Return the URL of the SPARQL query endpoint."""
        return f"http://{self.address}/query"

    def start(self, ready_timeout: float = READY_TIMEOUT) -> None:
        """Start the server and return once it answers queries, or raise EndpointError."""
        # Lives as long as the child writes to it; stop() closes it.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115
        command = [
            self.executable,
            "serve-read-only",
            "--location",
            str(self.folder),
            "--bind",
            self.address,
            "--union-default-graph",
        ]
        try:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log
            )
        except OSError as error:
            raise EndpointError(f"cannot run {self.executable}: {error.strerror}") from None
        self.wait_until_ready(ready_timeout)

    def wait_until_ready(self, ready_timeout: float) -> None:
        """Poll the query endpoint until it answers; fail if the server exits or is too slow."""
        deadline = time.monotonic() + ready_timeout
        while not self.answers():
            if self.process.poll() is not None:
                raise EndpointError(f"oxigraph stopped: {self.message()}")
            if time.monotonic() > deadline:
                raise EndpointError(
                    f"oxigraph did not answer on {self.address} within {ready_timeout:g} s"
                )
            time.sleep(POLL_INTERVAL)

    def answers(self) -> bool:
        """True when the server answers an ASK query (straight, never through a proxy)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(f"{self.query_url}?query=ASK%7B%7D", timeout=1) as answer:
                return answer.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def message(self) -> str:
        """Return the last line oxigraph wrote to its standard error."""
        if self.log is None:
            return ""
        self.log.seek(0)
        return last_line(self.log.read()) or f"exit code {self.process.returncode}"

    def wait(self, until: Callable[[], bool]) -> int | None:
        """Wait until the server exits (return its exit code) or `until()` is true (None).

        Polling, rather than a blocking wait, lets a signal handler simply set a flag.
        """
        while self.process.poll() is None:
            if until():
                return None
            time.sleep(POLL_INTERVAL)
        return self.process.returncode

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Terminate the server and wait for it; kill it if it does not stop in time."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.close()
            self.log = None

    def __enter__(self) -> OxigraphServer:
        return self

    def __exit__(self, *exception) -> None:
        self.stop()
