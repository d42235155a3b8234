"""A real Virtuoso for the endpoint tests: Debian's virtuoso-opensource on 127.0.0.1 only.

`virtuoso_server` writes a virtuoso.ini whose database, logs and both ports (SQL and HTTP,
free loopback ports) are the test's own, starts `virtuoso-t +foreground` on it, waits until
its SPARQL endpoint answers, creates a user allowed to write with the Graph Store protocol,
and stops the server at the end. `.ci/run` installs Virtuoso; without `virtuoso-t` and
`isql-vt` on PATH the tests that need it are skipped, with that reason.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from oxigraph_server import free_port, stop, wait_until_answering

VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")
MISSING = "Virtuoso is not installed (apt-get install virtuoso-opensource; .ci/run does)"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
# A fresh database's administrator; the server listens on loopback only.
ADMIN, ADMIN_PASSWORD = "dba", "dba"
WRITER, WRITER_PASSWORD = "nephrokb-writer", "wr1te-Pa55"
READER, READER_PASSWORD = "nephrokb-reader", "re4d-Pa55"

INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = {folder}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 4
"""

# The writer may use the Graph Store protocol (SPARQL_UPDATE); the reader may only log in.
USERS = f"""\
DB.DBA.USER_CREATE('{WRITER}', '{WRITER_PASSWORD}');
GRANT SPARQL_UPDATE TO "{WRITER}";
DB.DBA.USER_CREATE('{READER}', '{READER_PASSWORD}');
"""


@dataclass(frozen=True)
class Virtuoso:
    """A running Virtuoso: its SPARQL query URL and its Digest-protected Graph Store URL."""

    base: str

    @property
    def query_url(self) -> str:
        return f"{self.base}/sparql"

    @property
    def store_url(self) -> str:
        return f"{self.base}/sparql-graph-crud-auth"


def two_free_ports() -> tuple[int, int]:
    """Return two different free loopback ports."""
    first = free_port()
    second = free_port()
    while second == first:
        second = free_port()
    return first, second


@contextmanager
def running_virtuoso(folder: Path) -> Iterator[Virtuoso]:
    """Run Virtuoso with its database in `folder`, on free loopback ports, until the end."""
    sql_port, http_port = two_free_ports()
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(folder=folder, sql_port=sql_port, http_port=http_port))
    server = Virtuoso(f"http://127.0.0.1:{http_port}")
    log = (folder / "virtuoso.out").open("wb")
    process = subprocess.Popen(
        [VIRTUOSO, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_answering(
            "virtuoso",
            process,
            server.query_url,
            READY_TIMEOUT,
            lambda: (folder / "virtuoso.out").read_text(),
        )
        subprocess.run(
            [ISQL, f"127.0.0.1:{sql_port}", ADMIN, ADMIN_PASSWORD, f"exec={USERS}"],
            check=True,
            capture_output=True,
            timeout=30,
        )
        yield server
    finally:
        stop(process, STOP_TIMEOUT)
        log.close()


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory) -> Iterator[Virtuoso]:
    """A real, empty Virtuoso server for the tests of one module."""
    if VIRTUOSO is None or ISQL is None:
        pytest.skip(MISSING)
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server
