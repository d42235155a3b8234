"""A real Virtuoso as a team server: publish with HTTP Digest, then query it as locally.

`nephrokb publish` sends the bundled knowledge base to Virtuoso's Graph Store endpoint,
which accepts only HTTP Digest, as a user the fixture creates; then every bundled query
must print the same bytes through Virtuoso's SPARQL endpoint as locally, in every format.
No normalisation is needed for the bundled queries. Where Virtuoso departs from the
standard (its ASK answer) nephrokb reads what it means; where the standard leaves the
answer to the server (DESCRIBE) the test says so.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import MINIMAL
from endpoint_cases import BUNDLED, MINIMAL_GRAPH, SELECT_FORMATS
from nephrokb.cli import main
from nephrokb.namespaces import KB
from nephrokb.query.queries import read_query
from nephrokb.query.remote_queries import LONGEST_GET_URL
from nephrokb.query.results import WRITERS
from virtuoso_server import (
    READER,
    READER_PASSWORD,
    WRITER,
    WRITER_PASSWORD,
    virtuoso_server,  # noqa: F401
)

pytestmark = [
    pytest.mark.slow,  # a Virtuoso server
    pytest.mark.usefixtures("no_credentials", "quick_retries", "local_answers_computed_once"),
]

COUNT = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"
ENCODED_KB = "https%3A%2F%2Fw3id.org%2Fnephrokb%2Fid%2F"
USER_SOURCE = "NEPHROKB_ENDPOINT_USER/NEPHROKB_ENDPOINT_PASSWORD"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def as_user(monkeypatch, user: str, password: str) -> None:
    monkeypatch.setenv("NEPHROKB_ENDPOINT_USER", user)
    monkeypatch.setenv("NEPHROKB_ENDPOINT_PASSWORD", password)


def triples_on(server, graph: str = KB) -> str:
    result = run("query", COUNT, "--endpoint", server.query_url, "--graph", graph)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def server(virtuoso_server, bundled_graph):  # noqa: F811
    """Virtuoso holding the bundled knowledge, published by `nephrokb publish` with Digest."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("NEPHROKB_ENDPOINT_TOKEN", raising=False)
        as_user(patch, WRITER, WRITER_PASSWORD)
        result = run("publish", "--endpoint", virtuoso_server.store_url)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Published {len(bundled_graph)} triples to <{KB}> at {virtuoso_server.store_url} "
        "(HTTP 201 Created).\n"
    )
    return virtuoso_server


# Publish


def test_publishing_again_replaces_the_graph_with_one_copy(server, monkeypatch, bundled_graph):
    as_user(monkeypatch, WRITER, WRITER_PASSWORD)
    result = run("publish", "--endpoint", server.store_url, "--data", str(MINIMAL))
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("(HTTP 200 OK).\n")
    assert triples_on(server) == "?triples\n99\n"
    result = run("publish", "--endpoint", server.store_url)
    assert result.exit_code == 0, result.output
    assert triples_on(server) == f"?triples\n{len(bundled_graph)}\n"


def test_netrc_credentials_answer_the_digest_challenge(server, monkeypatch, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {WRITER} password {WRITER_PASSWORD}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    publish = ["publish", "--endpoint", server.store_url, "--graph", MINIMAL_GRAPH]
    result = run(*publish, "--data", str(MINIMAL))
    assert result.exit_code == 0, result.output
    assert triples_on(server, MINIMAL_GRAPH) == "?triples\n99\n"


def test_the_default_graph_is_refused(server, monkeypatch):
    # Virtuoso's HTML error page says "the endpoint is not configured to have default graph".
    as_user(monkeypatch, WRITER, WRITER_PASSWORD)
    args = ["--endpoint", server.store_url, "--graph", "default", "--data", str(MINIMAL)]
    result = run("publish", *args)
    assert result.exit_code == 2
    assert result.stderr == (
        f"nephrokb: error: {server.store_url}?default: HTTP 500 Request Failed\n"
    )


def test_a_wrong_password_is_refused_and_named(server, monkeypatch):
    as_user(monkeypatch, WRITER, "not-the-password")
    result = run("publish", "--endpoint", server.store_url, "--data", str(MINIMAL))
    assert result.exit_code == 2
    assert result.stderr == (
        f"nephrokb: error: {server.store_url}?graph={ENCODED_KB}: HTTP 401 Unauthorized "
        f"(sent Digest credentials from {USER_SOURCE})\n"
    )
    assert "not-the-password" not in result.output


def test_a_user_without_sparql_update_is_refused(server, monkeypatch):
    as_user(monkeypatch, READER, READER_PASSWORD)
    result = run("publish", "--endpoint", server.store_url, "--data", str(MINIMAL))
    assert result.exit_code == 2
    assert result.stderr == (
        f"nephrokb: error: {server.store_url}?graph={ENCODED_KB}: HTTP 403 Forbidden "
        f"(the endpoint is read-only, or Digest credentials from {USER_SOURCE} may not write)\n"
    )


def test_no_credentials_get_the_credentials_hint(server):
    result = run("publish", "--endpoint", server.store_url, "--data", str(MINIMAL))
    assert result.exit_code == 2
    assert result.stderr == (
        f"nephrokb: error: {server.store_url}?graph={ENCODED_KB}: HTTP 401 Unauthorized "
        "(the server wants credentials: set NEPHROKB_ENDPOINT_TOKEN, or NEPHROKB_ENDPOINT_USER "
        "and NEPHROKB_ENDPOINT_PASSWORD, or add the host to ~/.netrc)\n"
    )


def test_publishing_to_the_query_url_gets_the_graph_store_hint(server):
    # Virtuoso never answers a PUT at its query URL: the wait ends at --timeout.
    args = ["--endpoint", server.query_url, "--data", str(MINIMAL), "--timeout", "1"]
    result = run("publish", *args)
    assert result.exit_code == 2
    assert result.stderr == (
        f"nephrokb: error: {server.query_url}?graph={ENCODED_KB}: no answer within 1 s (raise "
        "--timeout if the server is slow; is this URL a Graph Store Protocol endpoint, such as "
        "http://localhost:7878/store?)\n"
    )


def test_querying_the_graph_store_url_gets_the_query_url_hint(server):
    store = server.base + "/sparql-graph-crud"
    result = run("query", "procedures", "--endpoint", store)
    assert result.exit_code == 2
    assert result.stderr == (
        f"nephrokb: error: {store}: HTTP 406 Unacceptable "
        "(is this URL a SPARQL query endpoint, such as http://localhost:7878/query?)\n"
    )


# Query: the same bytes as locally


@pytest.mark.parametrize("format", SELECT_FORMATS)
@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_query_prints_the_same_bytes_through_virtuoso(server, name, format):
    local = run("query", name, "--format", format)
    remote = run("query", name, "--format", format, "--endpoint", server.query_url)
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    assert remote.stdout_bytes == local.stdout_bytes
    assert len(local.stdout_bytes) > 100


def test_a_long_query_is_posted_and_answers_as_locally(server):
    text = "# " + "padding " * (LONGEST_GET_URL // 8) + "\n" + read_query("procedures").text
    remote = run("query", text, "--format", "tsv", "--endpoint", server.query_url)
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == run("query", "procedures", "--format", "tsv").stdout


def test_a_label_parameter_binds_as_locally(server):
    args = ["steps", "--param", "procedure=percutaneous NEPHROSTOMY", "--format", "tsv"]
    local = run("query", *args)
    assert run("query", *args, "--endpoint", server.query_url).stdout == local.stdout
    assert local.stdout.count("\n") == 11


@pytest.mark.parametrize("format", sorted(WRITERS["ask"]))
@pytest.mark.parametrize(
    ("text", "exit_code"),
    [
        ("ASK { kb:pcn-dilate-tract nkb:dependsOn kb:pcn-insert-guidewire }", 0),
        ("ASK { kb:pcn-dilate-tract nkb:dependsOn kb:percutaneous-nephrostomy }", 1),
    ],
)
def test_ask_answers_as_locally(server, text, exit_code, format):
    # Virtuoso 7.2 sends SELECT results of one variable, __ASK_RETVAL, for an ASK query.
    local = run("query", text, "--format", format)
    remote = run("query", text, "--format", format, "--endpoint", server.query_url)
    assert local.exit_code == exit_code
    assert (remote.exit_code, remote.stdout_bytes) == (local.exit_code, local.stdout_bytes)


@pytest.mark.parametrize("format", sorted(WRITERS["graph"]))
def test_construct_prints_the_same_bytes_as_locally(server, format):
    text = "CONSTRUCT { ?step nkb:dependsOn ?earlier } WHERE { ?step nkb:dependsOn ?earlier }"
    local = run("query", text, "--format", format)
    remote = run("query", text, "--format", format, "--endpoint", server.query_url)
    assert remote.exit_code == local.exit_code == 0, remote.output
    assert remote.stdout_bytes == local.stdout_bytes
    assert len(local.stdout_bytes) > 1000


def test_describe_holds_at_least_the_local_description(server):
    # SPARQL leaves DESCRIBE's answer to the server: Virtuoso adds the triples that point to
    # the node, which nephrokb's local description leaves out. Each local triple is there.
    text = "DESCRIBE kb:percutaneous-nephrostomy"
    local = set(run("query", text, "--format", "nt").stdout.splitlines())
    remote = set(
        run("query", text, "--format", "nt", "--endpoint", server.query_url).stdout.splitlines()
    )
    assert local <= remote
    assert len(local) > 10
    node = f"<{KB}percutaneous-nephrostomy> ."
    assert {line for line in remote - local if not line.endswith(node)} == set()
