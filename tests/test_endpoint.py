"""`nephrokb query --endpoint` (query.remote_queries): a real Oxigraph answers as local does.

The bundled knowledge base is published once to a real Oxigraph server for the module; every
bundled query in every SELECT format must print the same bytes through the endpoint as
locally. Failures a real server does not give on demand (500, 503, slowness, answers that
are not SPARQL) come from scripted stubs. No test reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from conftest import MINIMAL
from endpoint_cases import BUNDLED, MINIMAL_GRAPH, SELECT_FORMATS
from nephrokb.cli import main
from nephrokb.errors import EndpointError
from nephrokb.namespaces import KB
from nephrokb.query.credentials import credentials_for
from nephrokb.query.endpoint import Retry
from nephrokb.query.publish import prepare_publication, publish
from nephrokb.query.queries import prepare_query
from nephrokb.query.remote_queries import LONGEST_GET_URL, query_endpoint, with_prefixes
from oxigraph_server import Answer, StubServer, free_port, oxigraph_server  # noqa: F401

# Every test starts without credentials and never sleeps between retries; local answers are
# computed once for the module.
pytestmark = pytest.mark.usefixtures(
    "no_credentials", "quick_retries", "local_answers_computed_once"
)

SECRET = "s3cret-Pa55"
TOKEN = "tok-9f8e7d6c5b4a"
EMPTY_RESULTS = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'
JSON_RESULTS = "application/sparql-results+json"
BASIC_CHALLENGE = Answer(401, headers=(("WWW-Authenticate", 'Basic realm="kb"'),))
DIGEST_CHALLENGE = Answer(
    401,
    headers=(
        (
            "WWW-Authenticate",
            'Digest realm="SPARQL", nonce="4e6f6e6365", qop="auth", algorithm="MD5"',
        ),
    ),
)


@pytest.fixture(scope="module")
def server(oxigraph_server, bundled_graph):  # noqa: F811
    """The Oxigraph server with the bundled KB in its graph and minimal.ttl in another."""
    from nephrokb.rdf.loading import load_graph

    publish(prepare_publication(oxigraph_server.store_url, bundled_graph))
    minimal = load_graph([MINIMAL])
    publish(prepare_publication(oxigraph_server.store_url, minimal, MINIMAL_GRAPH))
    return oxigraph_server


def query(*args: str):
    return CliRunner().invoke(main, ["query", *args])


def assert_one_line_error(result, expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


# Remote answers equal local answers


@pytest.mark.parametrize("format", SELECT_FORMATS)
@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_query_prints_the_same_bytes_through_the_endpoint(server, name, format):
    local = query(name, "--format", format)
    remote = query(name, "--format", format, "--endpoint", server.query_url)
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    assert remote.stdout_bytes == local.stdout_bytes
    assert len(local.stdout_bytes) > 100


@pytest.mark.parametrize(
    "value",
    ["kb:percutaneous-nephrostomy", f"{KB}percutaneous-nephrostomy", "percutaneous NEPHROSTOMY"],
)
def test_params_bind_as_they_do_locally(server, value):
    args = ["steps", "--param", f"procedure={value}", "--format", "tsv"]
    local = query(*args)
    remote = query(*args, "--endpoint", server.query_url)
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout
    assert len(remote.stdout.splitlines()) == 11


def test_an_ambiguous_label_is_refused_as_locally(server):
    args = ["conditions", "--param", "condition=urinary tract obstruction"]
    remote = query(*args, "--endpoint", server.query_url)
    assert remote.exit_code == 2
    assert remote.stderr == query(*args).stderr


@pytest.mark.parametrize(
    ("text", "answer", "exit_code"),
    [
        ("ASK { kb:pcn-dilate-tract nkb:dependsOn kb:pcn-insert-guidewire }", "true", 0),
        ("ASK { kb:pcn-dilate-tract nkb:dependsOn kb:pcn-puncture-calyx }", "false", 1),
    ],
)
@pytest.mark.parametrize("format", ["table", "json", "xml"])
def test_ask_answers_and_exits_as_locally(server, text, answer, exit_code, format):
    remote = query(text, "--format", format, "--endpoint", server.query_url)
    assert remote.exit_code == exit_code
    assert remote.stdout == query(text, "--format", format).stdout
    assert answer in remote.stdout


CONSTRUCT = "CONSTRUCT { ?step rdfs:label ?label } WHERE { ?step a nkb:Step ; rdfs:label ?label }"


@pytest.mark.parametrize("format", ["turtle", "nt", "jsonld", "xml"])
def test_construct_prints_the_same_graph_as_locally(server, format):
    remote = query(CONSTRUCT, "--format", format, "--endpoint", server.query_url)
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == query(CONSTRUCT, "--format", format).stdout


def test_describe_gives_the_same_description_as_locally(server):
    # SPARQL leaves DESCRIBE's answer to each implementation; rdflib and Oxigraph both give
    # the node's own triples. Another server may legitimately answer with more or less.
    remote = query("DESCRIBE kb:needle", "--format", "nt", "--endpoint", server.query_url)
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == query("DESCRIBE kb:needle", "--format", "nt").stdout
    assert f'<{KB}needle> <http://www.w3.org/2000/01/rdf-schema#label> "Needle"@en .' in (
        remote.stdout
    )


def test_graph_chooses_the_graph_on_the_server(server):
    remote = query("procedures", "--endpoint", server.query_url, "--graph", MINIMAL_GRAPH)
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == query("procedures", "--data", str(MINIMAL)).stdout


def test_graph_default_queries_the_servers_default_graph(server):
    remote = query("procedures", "--endpoint", server.query_url, "--graph", "default")
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == "?procedure\t?label\t?steps\t?indications\t?benefits\t?reliesOn\n"


def test_a_long_query_is_posted_and_answers_the_same(server):
    text = (
        "# "
        + "padding " * (LONGEST_GET_URL // 8)
        + "\nSELECT ?p WHERE { ?p a nkb:Procedure } ORDER BY ?p"
    )
    remote = query(text, "--endpoint", server.query_url)
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == query(text).stdout


# The protocol as sent


def test_a_short_query_is_a_get_asking_for_json_results():
    with StubServer([Answer(body=EMPTY_RESULTS, content_type=JSON_RESULTS)]) as stub:
        result = query("SELECT ?s WHERE { ?s a nkb:Step }", "--endpoint", f"{stub.url}/sparql")
    assert result.exit_code == 0, result.output
    (request,) = stub.received
    assert request.method == "GET"
    assert request.path.startswith("/sparql?query=PREFIX%20nkb%3A%20%3Chttps%3A%2F%2Fw3id.org")
    assert request.path.endswith("&default-graph-uri=https%3A%2F%2Fw3id.org%2Fnephrokb%2Fid%2F")
    assert request.headers["Accept"].startswith(JSON_RESULTS)


def test_a_long_query_is_a_form_post():
    text = "SELECT ?s WHERE { ?s a nkb:Step } # " + "x" * LONGEST_GET_URL
    with StubServer([Answer(body=EMPTY_RESULTS, content_type=JSON_RESULTS)]) as stub:
        result = query(text, "--endpoint", f"{stub.url}/sparql")
    assert result.exit_code == 0, result.output
    (request,) = stub.received
    assert (request.method, request.path) == ("POST", "/sparql")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.body.startswith(b"query=PREFIX%20nkb%3A")


def test_construct_asks_for_n_triples_or_turtle():
    with StubServer([Answer(body=b"", content_type="application/n-triples")]) as stub:
        result = query(CONSTRUCT, "--endpoint", stub.url)
    assert result.exit_code == 0, result.output
    assert stub.received[0].headers["Accept"].startswith("application/n-triples, text/turtle")


def test_prefixes_are_declared_on_the_first_line_only_when_missing():
    text = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT * { ?s rdfs:label ?l ; a nkb:Step }"
    )
    sent = with_prefixes(text)
    assert sent.splitlines()[1:] == text.splitlines()[1:]
    assert sent.startswith("PREFIX nkb: <https://w3id.org/nephrokb/vocab#> PREFIX rdfs:")
    assert sent.count("PREFIX rdfs:") == 1


# Errors: one line, exit 2


def test_a_closed_port_is_reported():
    url = f"http://127.0.0.1:{free_port()}/query"
    assert_one_line_error(
        query("procedures", "--endpoint", url),
        f"nephrokb: error: {url}: connection refused by 127.0.0.1:",
    )


def test_an_unknown_host_is_reported(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    assert_one_line_error(
        query("procedures", "--endpoint", "http://sparql.invalid/query"),
        "cannot resolve the host name 'sparql.invalid'",
    )


def test_a_server_error_gives_status_reason_and_the_servers_message():
    with StubServer([Answer(500, b"store is corrupted\n   at line 3")]) as stub:
        result = query("procedures", "--endpoint", f"{stub.url}/query")
    assert_one_line_error(
        result,
        f"nephrokb: error: {stub.url}/query: HTTP 500 Internal Server Error: "
        "store is corrupted at line 3\n",
    )
    assert len(stub.received) == 1


def test_a_wrong_url_gets_a_hint():
    with StubServer([Answer(404, b"<html>not here</html>", "text/html")]) as stub:
        result = query("procedures", "--endpoint", f"{stub.url}/nothing")
    assert_one_line_error(
        result,
        "HTTP 404 Not Found (is this URL a SPARQL query endpoint, such as "
        "http://localhost:7878/query?)",
    )


def test_a_graph_store_url_gets_the_query_url_hint(server):
    result = query("procedures", "--endpoint", server.store_url)
    assert_one_line_error(
        result,
        f"nephrokb: error: {server.store_url}: HTTP 406 Not Acceptable: The accept header does "
        "not provide any accepted format like application/n-quads or text/turtle "
        "(is this URL a SPARQL query endpoint, such as http://localhost:7878/query?)\n",
    )


def test_a_slow_server_times_out():
    with StubServer([Answer(body=EMPTY_RESULTS, content_type=JSON_RESULTS, delay=2)]) as stub:
        result = query("procedures", "--endpoint", stub.url, "--timeout", "0.3")
    assert_one_line_error(
        result,
        "no answer within 0.3 s (raise --timeout if the server is slow; is this URL a SPARQL "
        "query endpoint, such as http://localhost:7878/query?)\n",
    )


def test_an_answer_that_is_not_sparql_is_refused(server):
    assert_one_line_error(
        query("procedures", "--endpoint", server.base),
        "the answer is text/html, not SPARQL results (is this URL a SPARQL query endpoint",
    )


def test_an_answer_without_a_content_type_is_refused():
    with StubServer([Answer(200, b"", "")]) as stub:
        result = query("procedures", "--endpoint", stub.url)
    assert_one_line_error(result, "the answer has no content type, not SPARQL results")


def test_malformed_results_are_refused():
    with StubServer([Answer(body=b'{"head": ', content_type=JSON_RESULTS)]) as stub:
        result = query("procedures", "--endpoint", stub.url)
    assert_one_line_error(result, "cannot read the application/sparql-results+json answer")


def test_unavailable_is_retried_with_exponential_backoff(quick_retries):
    ok = Answer(body=EMPTY_RESULTS, content_type=JSON_RESULTS)
    with StubServer([Answer(503), Answer(502), ok]) as stub:
        result = query("SELECT ?s WHERE { ?s ?p ?o }", "--endpoint", stub.url)
    assert result.exit_code == 0, result.output
    assert len(stub.received) == 3
    assert quick_retries == [0.5, 1.0]


def test_retries_are_bounded(quick_retries):
    with StubServer([Answer(503, b"overloaded")]) as stub:
        result = query("procedures", "--endpoint", stub.url)
    assert_one_line_error(result, "HTTP 503 Service Unavailable: overloaded after 3 tries")
    assert len(stub.received) == 3
    assert quick_retries == [0.5, 1.0]


def test_a_bad_request_is_not_retried(quick_retries):
    with StubServer([Answer(400, b"no")]) as stub, pytest.raises(EndpointError) as raised:
        query_endpoint(stub.url, prepare_query("ASK {}"), retry=Retry(attempts=5))
    assert str(raised.value) == f"{stub.url}: HTTP 400 Bad Request: no"
    assert (len(stub.received), quick_retries) == (1, [])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--endpoint", "ftp://example.org/sparql"], "'ftp://example.org/sparql' is not an http"),
        (
            ["--endpoint", "http://127.0.0.1:1/query", "--data", "kb/"],
            "cannot be used with --endpoint",
        ),
        (["--graph", "default"], "--graph names a graph on a server; use it with --endpoint"),
        (
            ["--endpoint", "http://127.0.0.1:1/q", "--graph", "not an IRI"],
            "the graph must be an absolute IRI",
        ),
        (["--timeout", "0"], "Invalid value for '--timeout'"),
    ],
)
def test_misuse_is_refused(args, message):
    assert_one_line_error(query("procedures", *args), message)


@pytest.mark.slow
def test_a_local_query_stops_at_the_timeout():
    everything = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    assert_one_line_error(
        query(everything, "--timeout", "0.3"),
        "nephrokb: error: the query did not finish within 0.3 s (raise --timeout)\n",
    )


# Credentials


def test_a_token_is_sent_as_bearer_and_never_shown(monkeypatch):
    monkeypatch.setenv("NEPHROKB_ENDPOINT_TOKEN", TOKEN)
    with StubServer([Answer(401, b"bad token")]) as stub:
        result = query("procedures", "--endpoint", stub.url)
    assert stub.received[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert_one_line_error(
        result,
        "HTTP 401 Unauthorized: bad token (sent Bearer credentials from NEPHROKB_ENDPOINT_TOKEN)",
    )
    assert TOKEN not in result.output


def test_user_and_password_are_sent_as_basic_when_asked_and_never_shown(monkeypatch):
    import base64

    monkeypatch.setenv("NEPHROKB_ENDPOINT_USER", "alice")
    monkeypatch.setenv("NEPHROKB_ENDPOINT_PASSWORD", SECRET)
    encoded = base64.b64encode(f"alice:{SECRET}".encode()).decode()
    # A careless server that echoes the header in its error message.
    echo = Answer(500, f"cannot use Authorization: Basic {encoded}".encode())
    with StubServer([BASIC_CHALLENGE, echo]) as stub:
        result = query("procedures", "--endpoint", stub.url)
    assert "Authorization" not in stub.received[0].headers
    assert stub.received[1].headers["Authorization"] == f"Basic {encoded}"
    assert_one_line_error(result, "HTTP 500 Internal Server Error: cannot use Authorization: ***\n")
    assert SECRET not in result.output
    assert encoded not in result.output


def test_a_password_is_not_sent_to_a_server_that_does_not_ask(monkeypatch):
    monkeypatch.setenv("NEPHROKB_ENDPOINT_USER", "alice")
    monkeypatch.setenv("NEPHROKB_ENDPOINT_PASSWORD", SECRET)
    with StubServer([Answer(body=EMPTY_RESULTS, content_type=JSON_RESULTS)]) as stub:
        result = query("SELECT ?s WHERE { ?s ?p ?o }", "--endpoint", stub.url)
    assert result.exit_code == 0, result.output
    assert [received.headers.get("Authorization") for received in stub.received] == [None]


def test_a_digest_challenge_is_answered_with_digest_not_the_password(monkeypatch):
    monkeypatch.setenv("NEPHROKB_ENDPOINT_USER", "alice")
    monkeypatch.setenv("NEPHROKB_ENDPOINT_PASSWORD", SECRET)
    ok = Answer(body=EMPTY_RESULTS, content_type=JSON_RESULTS)
    with StubServer([DIGEST_CHALLENGE, ok]) as stub:
        result = query("SELECT ?s WHERE { ?s ?p ?o }", "--endpoint", f"{stub.url}/sparql")
    assert result.exit_code == 0, result.output
    assert "Authorization" not in stub.received[0].headers
    answer = stub.received[1].headers["Authorization"]
    assert answer.startswith('Digest username="alice", realm="SPARQL", nonce="4e6f6e6365", uri="/')
    assert 'qop=auth, nc=00000001, cnonce="' in answer
    assert SECRET not in answer
    assert len(stub.received) == 2


def test_refused_digest_credentials_are_named_after_one_answer(monkeypatch):
    monkeypatch.setenv("NEPHROKB_ENDPOINT_USER", "alice")
    monkeypatch.setenv("NEPHROKB_ENDPOINT_PASSWORD", SECRET)
    with StubServer([DIGEST_CHALLENGE]) as stub:
        result = query("procedures", "--endpoint", stub.url)
    assert_one_line_error(
        result,
        f"nephrokb: error: {stub.url}: HTTP 401 Unauthorized "
        "(sent Digest credentials from NEPHROKB_ENDPOINT_USER/NEPHROKB_ENDPOINT_PASSWORD)\n",
    )
    assert len(stub.received) == 2


def test_credentials_never_show_in_transport_errors(monkeypatch):
    monkeypatch.setenv("NEPHROKB_ENDPOINT_USER", "alice")
    monkeypatch.setenv("NEPHROKB_ENDPOINT_PASSWORD", SECRET)
    result = query("procedures", "--endpoint", f"http://127.0.0.1:{free_port()}/query")
    assert_one_line_error(result, "connection refused")
    assert SECRET not in result.output


def test_credentials_in_the_url_are_refused_and_not_echoed():
    result = query("procedures", "--endpoint", f"http://alice:{SECRET}@127.0.0.1:1/query")
    assert_one_line_error(result, "the endpoint URL holds credentials; remove them")
    assert SECRET not in result.output


def test_a_missing_password_is_reported(monkeypatch):
    monkeypatch.setenv("NEPHROKB_ENDPOINT_USER", "alice")
    assert_one_line_error(
        query("procedures", "--endpoint", "http://127.0.0.1:1/query"),
        "NEPHROKB_ENDPOINT_USER and NEPHROKB_ENDPOINT_PASSWORD go together; "
        "NEPHROKB_ENDPOINT_PASSWORD is not set",
    )


def test_netrc_gives_basic_credentials_for_its_host(monkeypatch, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login bob password {SECRET}\n", encoding="utf-8")
    monkeypatch.setenv("NETRC", str(netrc))
    with StubServer([Answer(403, b"forbidden")]) as stub:
        result = query("procedures", "--endpoint", stub.url)
    assert stub.received[1].headers["Authorization"].startswith("Basic ")
    assert_one_line_error(
        result, f"HTTP 403 Forbidden: forbidden (sent Basic credentials from {netrc})"
    )
    assert SECRET not in result.output
    assert credentials_for("other.example.org") is None


def test_an_unreadable_netrc_is_reported_without_its_content(monkeypatch, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login bob password {SECRET} bogus\n", encoding="utf-8")
    monkeypatch.setenv("NETRC", str(netrc))
    with pytest.raises(EndpointError) as raised:
        credentials_for("127.0.0.1")
    assert str(raised.value) == (
        f"{netrc}: cannot parse the netrc file "
        "(expected: machine HOST login USER password PASSWORD)"
    )


def test_the_environment_takes_precedence_over_netrc(monkeypatch, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine example.org login bob password {SECRET}\n", encoding="utf-8")
    monkeypatch.setenv("NETRC", str(netrc))
    assert str(credentials_for("example.org")) == (
        f"Basic or Digest credentials from {netrc}, if the server asks"
    )
    monkeypatch.setenv("NEPHROKB_ENDPOINT_USER", "alice")
    monkeypatch.setenv("NEPHROKB_ENDPOINT_PASSWORD", "pw")
    assert (
        credentials_for("example.org").source == "NEPHROKB_ENDPOINT_USER/NEPHROKB_ENDPOINT_PASSWORD"
    )
    monkeypatch.setenv("NEPHROKB_ENDPOINT_TOKEN", TOKEN)
    credentials = credentials_for("example.org")
    assert credentials.source == "NEPHROKB_ENDPOINT_TOKEN"
    assert TOKEN not in repr(credentials) + str(credentials)


def test_authorization_is_not_forwarded_on_a_redirect(monkeypatch):
    monkeypatch.setenv("NEPHROKB_ENDPOINT_TOKEN", TOKEN)
    ok = Answer(body=EMPTY_RESULTS, content_type=JSON_RESULTS)
    with StubServer([ok]) as elsewhere:
        moved = Answer(302, headers=(("Location", f"{elsewhere.url}/query"),))
        with StubServer([moved]) as stub:
            result = query("SELECT ?s WHERE { ?s ?p ?o }", "--endpoint", stub.url)
    assert result.exit_code == 0, result.output
    assert stub.received[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in elsewhere.received[0].headers


def test_a_password_is_not_sent_to_the_host_a_redirect_points_to(monkeypatch):
    monkeypatch.setenv("NEPHROKB_ENDPOINT_USER", "alice")
    monkeypatch.setenv("NEPHROKB_ENDPOINT_PASSWORD", SECRET)
    with StubServer([BASIC_CHALLENGE]) as elsewhere:
        moved = Answer(302, headers=(("Location", f"{elsewhere.url}/query"),))
        with StubServer([moved]) as stub:
            result = query("procedures", "--endpoint", stub.url.replace("127.0.0.1", "localhost"))
    assert_one_line_error(result, "HTTP 401 Unauthorized (the server wants credentials")
    assert [received.headers.get("Authorization") for received in elsewhere.received] == [None]
