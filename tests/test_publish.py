"""`nephrokb publish` and nephrokb.query.publish: validate, then replace a graph with one PUT.

A real Oxigraph server checks that publishing replaces the graph (twice leaves one copy);
scripted stubs check what is sent, the retries and the failures. Each --data set is
validated once for the module: validation has its own tests.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import BROKEN, MINIMAL
from nephrokb.cli import main
from nephrokb.namespaces import KB
from oxigraph_server import Answer, StubServer, free_port, oxigraph_server  # noqa: F401

# Every test starts without credentials and never sleeps between retries.
pytestmark = pytest.mark.usefixtures("no_credentials", "quick_retries")

DANGLING = next(path for path in BROKEN if path.name == "dangling-has-step.ttl")
TOKEN = "tok-1a2b3c4d5e"
COUNT = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"
ENCODED_KB = "https%3A%2F%2Fw3id.org%2Fnephrokb%2Fid%2F"


@pytest.fixture(scope="module", autouse=True)
def validated_once():
    """Validate each --data set once for the module."""
    import nephrokb.validation.engine

    validate = nephrokb.validation.engine.validate
    reports = {}

    def validate_once(data=None, **options):
        key = tuple(str(path) for path in data or ())
        if key not in reports:
            reports[key] = validate(data, **options)
        return reports[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nephrokb.validation.engine, "validate", validate_once)
        yield


def publish(*args: str):
    return CliRunner().invoke(main, ["publish", *args])


def triples_on(server, graph: str = KB) -> int:
    result = CliRunner().invoke(
        main, ["query", COUNT, "--endpoint", server.query_url, "--graph", graph]
    )
    assert result.exit_code == 0, result.output
    return int(result.stdout.split()[1])


def test_help_shows_examples():
    result = publish("--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "nephrokb publish --endpoint http://localhost:7878/store --dry-run" in result.output


# Against a real server


@pytest.mark.slow
def test_publishing_twice_leaves_one_copy(oxigraph_server, bundled_graph):  # noqa: F811
    for _ in range(2):
        result = publish("--endpoint", oxigraph_server.store_url)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(
            f"Published {len(bundled_graph)} triples to <{KB}> at {oxigraph_server.store_url} "
            "(HTTP 20"
        )
    assert triples_on(oxigraph_server) == len(bundled_graph) > 1000


def test_publishing_replaces_the_graph(oxigraph_server):  # noqa: F811
    graph = "http://example.org/replaced"
    assert publish("--endpoint", oxigraph_server.store_url, "--graph", graph).exit_code == 0
    result = publish(
        "--endpoint", oxigraph_server.store_url, "--graph", graph, "--data", str(MINIMAL)
    )
    assert result.exit_code == 0, result.output
    assert triples_on(oxigraph_server, graph) == 99


def test_the_published_knowledge_is_what_was_read(oxigraph_server):  # noqa: F811
    from rdflib import Graph
    from rdflib.compare import isomorphic

    graph = "http://example.org/round-trip"
    assert (
        publish(
            "--endpoint", oxigraph_server.store_url, "--graph", graph, "--data", str(MINIMAL)
        ).exit_code
        == 0
    )
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    result = CliRunner().invoke(
        main,
        ["query", construct, "--endpoint", oxigraph_server.query_url, "--graph", graph],
    )
    assert result.exit_code == 0, result.output
    published = Graph().parse(data=result.stdout, format="turtle")
    assert isomorphic(published, Graph().parse(MINIMAL, format="turtle"))


# What is sent


def test_dry_run_shows_the_request_and_sends_nothing(monkeypatch):
    monkeypatch.setenv("NEPHROKB_ENDPOINT_TOKEN", TOKEN)
    with StubServer([Answer(204)]) as stub:
        result = publish("--endpoint", f"{stub.url}/store", "--data", str(MINIMAL), "--dry-run")
    assert result.exit_code == 0, result.output
    assert stub.received == []
    lines = result.stdout.splitlines()
    assert lines[0] == f"PUT {stub.url}/store?graph={ENCODED_KB}"
    assert lines[1] == "Content-Type: application/n-triples"
    assert lines[2].startswith("Size: ") and lines[2].endswith(" bytes")
    assert lines[3:] == [
        "Triples: 99",
        "Authorization: Bearer credentials from NEPHROKB_ENDPOINT_TOKEN",
        "Dry run: nothing was sent.",
    ]
    assert TOKEN not in result.output


def test_dry_run_says_a_password_waits_for_the_server_to_ask(monkeypatch):
    monkeypatch.setenv("NEPHROKB_ENDPOINT_USER", "alice")
    monkeypatch.setenv("NEPHROKB_ENDPOINT_PASSWORD", "pa55-W0rd-x")
    result = publish("--endpoint", "http://127.0.0.1:1/store", "--data", str(MINIMAL), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-2] == (
        "Authorization: Basic or Digest credentials from "
        "NEPHROKB_ENDPOINT_USER/NEPHROKB_ENDPOINT_PASSWORD, if the server asks"
    )
    assert "pa55-W0rd-x" not in result.output


def test_one_put_of_sorted_n_triples(bundled_graph):
    from nephrokb.rdf.loading import load_graph
    from nephrokb.rdf.serialization import export_ntriples

    with StubServer([Answer(201, b"", "text/plain")]) as stub:
        result = publish("--endpoint", f"{stub.url}/ds/data", "--data", str(MINIMAL))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Published 99 triples to <{KB}> at {stub.url}/ds/data (HTTP 201 Created).\n"
    )
    (request,) = stub.received
    assert (request.method, request.path) == ("PUT", f"/ds/data?graph={ENCODED_KB}")
    assert request.headers["Content-Type"] == "application/n-triples; charset=utf-8"
    assert request.body == export_ntriples(load_graph([MINIMAL]))


def test_graph_default_replaces_the_default_graph():
    with StubServer([Answer(204)]) as stub:
        result = publish(
            "--endpoint", f"{stub.url}/store", "--graph", "default", "--data", str(MINIMAL)
        )
    assert result.exit_code == 0, result.output
    assert stub.received[0].path == "/store?default"
    assert "to the default graph" in result.stdout


def test_an_unavailable_server_is_retried(quick_retries):
    with StubServer([Answer(503), Answer(504), Answer(204)]) as stub:
        result = publish("--endpoint", stub.url, "--data", str(MINIMAL))
    assert result.exit_code == 0, result.output
    assert [request.method for request in stub.received] == ["PUT"] * 3
    assert len({request.body for request in stub.received}) == 1
    assert quick_retries == [0.5, 1.0]


# Refusals and failures


def test_non_conforming_knowledge_is_not_published():
    with StubServer([Answer(204)]) as stub:
        result = publish("--endpoint", stub.url, "--data", str(DANGLING))
    assert result.exit_code == 1
    assert stub.received == []
    assert result.stdout == ""
    assert "violation: links with nkb:hasStep to a node that is not a nkb:Step" in result.stderr
    assert result.stderr.endswith(
        "Does not conform: 1 violation, 0 warnings, 0 info (1 file, 100 triples).\n"
        "nephrokb: nothing published (use --force to publish anyway)\n"
    )


def test_force_publishes_non_conforming_knowledge():
    with StubServer([Answer(204)]) as stub:
        result = publish("--endpoint", stub.url, "--data", str(DANGLING), "--force")
    assert result.exit_code == 0, result.output
    assert len(stub.received) == 1
    assert "nephrokb: publishing anyway (--force)\n" in result.stderr
    assert result.stdout.startswith("Published 100 triples")


def test_a_closed_port_is_reported():
    url = f"http://127.0.0.1:{free_port()}/store"
    result = publish("--endpoint", url, "--data", str(MINIMAL))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"nephrokb: error: {url}?graph={ENCODED_KB}: connection refused"
    )
    assert result.stderr.count("\n") == 1


def test_refused_credentials_are_named_not_shown(monkeypatch):
    monkeypatch.setenv("NEPHROKB_ENDPOINT_USER", "alice")
    monkeypatch.setenv("NEPHROKB_ENDPOINT_PASSWORD", "pa55-W0rd-x")
    with StubServer([Answer(401, b"who are you?")]) as stub:
        result = publish("--endpoint", stub.url, "--data", str(MINIMAL))
    assert result.exit_code == 2
    assert result.stderr == (
        f"nephrokb: error: {stub.url}?graph={ENCODED_KB}: HTTP 401 Unauthorized: who are you? "
        "(sent Basic credentials from NEPHROKB_ENDPOINT_USER/NEPHROKB_ENDPOINT_PASSWORD)\n"
    )
    assert "pa55-W0rd-x" not in result.output


def test_a_forbidden_write_without_a_challenge_says_read_only():
    with StubServer([Answer(403, b"The server is read-only")]) as stub:
        result = publish("--endpoint", f"{stub.url}/store", "--data", str(MINIMAL))
    assert result.exit_code == 2
    assert result.stderr == (
        f"nephrokb: error: {stub.url}/store?graph={ENCODED_KB}: HTTP 403 Forbidden: "
        "The server is read-only (the endpoint is read-only: it takes no changes, as "
        "'nephrokb serve' never does; publish to a server's read-write Graph Store URL)\n"
    )


def test_a_forbidden_write_with_credentials_names_them(monkeypatch):
    monkeypatch.setenv("NEPHROKB_ENDPOINT_USER", "alice")
    monkeypatch.setenv("NEPHROKB_ENDPOINT_PASSWORD", "pa55-W0rd-x")
    with StubServer([Answer(403, b"no")]) as stub:
        result = publish("--endpoint", stub.url, "--data", str(MINIMAL))
    assert result.stderr == (
        f"nephrokb: error: {stub.url}?graph={ENCODED_KB}: HTTP 403 Forbidden: no (the endpoint "
        "is read-only, or Basic credentials from NEPHROKB_ENDPOINT_USER/NEPHROKB_ENDPOINT_PASSWORD "
        "may not write)\n"
    )


def test_a_forbidden_write_with_a_challenge_asks_for_credentials():
    challenge = Answer(403, b"log in", headers=(("WWW-Authenticate", 'Basic realm="kb"'),))
    with StubServer([challenge]) as stub:
        result = publish("--endpoint", stub.url, "--data", str(MINIMAL))
    assert result.stderr.endswith(
        ": HTTP 403 Forbidden: log in (the server wants credentials: set NEPHROKB_ENDPOINT_TOKEN, "
        "or NEPHROKB_ENDPOINT_USER and NEPHROKB_ENDPOINT_PASSWORD, or add the host to ~/.netrc)\n"
    )


def test_a_redirect_is_not_followed_with_the_knowledge():
    moved = Answer(308, headers=(("Location", "https://kb.example.org/store"),))
    with StubServer([moved]) as stub:
        result = publish("--endpoint", stub.url, "--data", str(MINIMAL))
    assert result.exit_code == 2
    assert len(stub.received) == 1
    assert result.stderr.endswith(
        ": HTTP 308 Permanent Redirect (use the URL it redirects to: "
        "https://kb.example.org/store)\n"
    )


def test_a_query_url_gets_a_hint(oxigraph_server):  # noqa: F811
    result = publish("--endpoint", oxigraph_server.query_url, "--data", str(MINIMAL))
    assert result.exit_code == 2
    assert "(is this URL a Graph Store Protocol endpoint, such as" in result.stderr


def test_standard_input_is_refused():
    result = publish("--endpoint", "http://127.0.0.1:1/store", "--data", "-")
    assert result.exit_code == 2
    assert "save standard input to a file first" in result.stderr


def test_endpoint_is_required():
    result = publish()
    assert result.exit_code == 2
    assert "Missing option '--endpoint'" in result.stderr
