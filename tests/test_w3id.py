"""The w3id rules of a release, served by a real Apache httpd (Debian's apache2) on loopback.

A release of a small fixture repository is served from a temporary folder with its own
configuration (ServerRoot, modules, a free port on 127.0.0.1) and the generated .htaccess;
each kind of IRI is asked for in every media type and must redirect to the right file, which
Apache serves with that media type. The server is stopped at the end.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from nephrokb.release.distribution import plan_release, write_release
from test_release import new_repository, working_folder

APACHE = Path("/usr/sbin/apache2")
MODULES = Path("/usr/lib/apache2/modules")
pytestmark = pytest.mark.skipif(not APACHE.exists(), reason="apache2 is not installed")

CONFIGURATION = """\
ServerRoot "{root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{root}/httpd.pid"
DefaultRuntimeDir "{root}"
Mutex file:{root}
ErrorLog "{root}/error.log"
LogLevel warn
{user}
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule dir_module {modules}/mod_dir.so
LoadModule mime_module {modules}/mod_mime.so
LoadModule rewrite_module {modules}/mod_rewrite.so
TypesConfig /etc/mime.types
DocumentRoot "{documents}"
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "{documents}">
    AllowOverride All
    Require all granted
</Directory>
"""
RDF = {
    "text/turtle": "nephrokb.ttl",
    "application/ld+json": "nephrokb.jsonld",
    "application/n-triples": "nephrokb.nt",
}
VOCABULARY = {
    "text/turtle": "vocab.ttl",
    "application/ld+json": "vocab.jsonld",
    "application/n-triples": "vocab.nt",
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Apache serving a release folder as https://w3id.org/nephrokb/; yields its port and
    the folder."""
    repository = new_repository(tmp_path_factory.mktemp("w3id") / "repository")
    with working_folder(repository):
        write_release(plan_release(repository, "0.2.0"))
    # A folder under /tmp that Apache's user can read (pytest's own is private to its user).
    root = Path(tempfile.mkdtemp(prefix="nephrokb-apache-"))
    documents = root / "documents"
    shutil.copytree(repository / "dist" / "0.2.0", documents)
    for folder in (root, *(p for p in documents.rglob("*") if p.is_dir()), documents):
        folder.chmod(0o755)
    for path in documents.rglob("*"):
        if path.is_file():
            path.chmod(0o644)
    port = free_port()
    user = "User www-data\nGroup www-data" if os.geteuid() == 0 else ""
    configuration = root / "httpd.conf"
    configuration.write_text(
        CONFIGURATION.format(root=root, port=port, user=user, modules=MODULES, documents=documents)
    )
    process = subprocess.Popen(
        [str(APACHE), "-f", str(configuration), "-DFOREGROUND"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    log = (root / "error.log").read_text() if (root / "error.log").exists() else ""
                    pytest.fail(f"apache2 did not start: {output} {log}")
                time.sleep(0.1)
        yield port, documents
    finally:
        process.terminate()
        process.wait(timeout=15)
        shutil.rmtree(root, ignore_errors=True)


def get(port: int, path: str, accept: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Accept": accept})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def resolve(port: int, path: str, accept: str) -> tuple[int, str, str, bytes]:
    """Ask for `path`, follow its one redirect; return (redirect status, target path,
    content type, body)."""
    first = get(port, path, accept)
    location = first.getheader("Location", "")
    prefix = f"http://127.0.0.1:{port}"
    assert location.startswith(prefix + "/"), (first.status, location)
    target = location[len(prefix) :]
    second = get(port, target.split("#")[0], accept)
    assert second.status == 200, (target, second.status)
    return first.status, target, second.getheader("Content-Type", ""), second.body


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/id/", "/id/demo-access", "/id/demo-pass-wire"])
@pytest.mark.parametrize("media_type", sorted(RDF))
def test_knowledge_iris_negotiate_to_the_rdf_files(server, path, media_type):
    port, documents = server
    status, target, content_type, body = resolve(port, path, media_type)
    assert (status, target) == (303, "/" + RDF[media_type])
    assert content_type.split(";")[0] == media_type
    assert body == (documents / RDF[media_type]).read_bytes()


@pytest.mark.parametrize(
    ("path", "page"),
    [
        ("/id/", "/site/index.html"),
        ("/id/demo-access", "/site/id/demo-access.html"),
        ("/id/demo-line-1", "/site/id/demo-line-1.html"),
        ("/vocab", "/site/vocabulary.html"),
    ],
)
def test_browsers_get_the_page_of_the_node(server, path, page):
    port, documents = server
    status, target, content_type, body = resolve(port, path, BROWSER)
    assert (status, target) == (303, page)
    assert content_type.split(";")[0] == "text/html"
    assert body == (documents / page.lstrip("/")).read_bytes()


@pytest.mark.parametrize("media_type", sorted(VOCABULARY))
def test_the_vocabulary_negotiates_to_its_files(server, media_type):
    port, documents = server
    status, target, content_type, body = resolve(port, "/vocab", media_type)
    assert (status, target) == (303, "/" + VOCABULARY[media_type])
    assert content_type.split(";")[0] == media_type
    assert body == (documents / VOCABULARY[media_type]).read_bytes()


@pytest.mark.parametrize(
    ("path", "target", "media_type"),
    [
        ("/releases/0.2.0/vocab.ttl", "/vocab.ttl", "text/turtle"),
        ("/releases/0.2.0/nephrokb.ttl", "/nephrokb.ttl", "text/turtle"),
        ("/mappings/nephrokb.sssom.tsv", "/nephrokb.sssom.tsv", "text/tab-separated-values"),
    ],
)
def test_version_iris_and_the_mapping_set_redirect_to_their_files(server, path, target, media_type):
    port, _ = server
    status, found, content_type, _ = resolve(port, path, "*/*")
    assert (status, found, content_type.split(";")[0]) == (302, target, media_type)


def test_an_unknown_node_is_not_found(server):
    port, _ = server
    first = get(port, "/id/no-such-node", BROWSER)
    assert first.status == 303
    assert get(port, "/site/id/no-such-node.html", BROWSER).status == 404
