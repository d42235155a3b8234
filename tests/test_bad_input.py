"""Hostile and broken input: one clear line on stderr, exit code 2, no traceback, no network."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from nephrokb.cli import main

BAD = FIXTURES / "bad-input"
READERS = [
    ["validate"],
    ["export", "--format", "turtle"],
    ["stats"],
    ["query", "procedures"],
    ["show", "nephrostomy"],
    ["lookup", "SCTID:313270001"],
    # Refused while loading, before anything is sent (port 9 would refuse anyway).
    ["publish", "--endpoint", "http://127.0.0.1:9/store", "--dry-run"],
]
CLEAN_MINIMAL = FIXTURES / "clean" / "minimal.ttl"
EXPECTED = {
    "truncated.ttl": ":4: Turtle syntax error: objectList expected",
    "undefined-prefix.ttl": ':3: Turtle syntax error: Prefix "foo:" not bound',
    "invalid-iri.ttl": ":1: invalid IRI <http://exa mple.org/a>",
    "ill-typed-literal.ttl": (
        ':4: literal "abc" is not a valid http://www.w3.org/2001/XMLSchema#integer'
    ),
    "binary-garbage.ttl": ":1: is not UTF-8 text; re-save it as UTF-8",
    "empty.ttl": ": holds no RDF triples",
    "utf-16.ttl": ":1: is not UTF-8 text; re-save it as UTF-8",
    "latin-1.ttl": ":2: is not UTF-8 text; re-save it as UTF-8",
    "no-turtle": ": folder holds no Turtle (.ttl) files",
    "xxe.rdf": ":2: RDF/XML with a DTD or entity declarations is not read; remove the <!DOCTYPE>",
    "billion-laughs.rdf": (
        ":2: RDF/XML with a DTD or entity declarations is not read; remove the <!DOCTYPE>"
    ),
    "remote-context.jsonld": (
        ": JSON-LD names a remote context 'http://127.0.0.1:9/context.jsonld', which is not "
        "fetched; inline the context instead"
    ),
}


def run(args, **kwargs):
    return CliRunner().invoke(main, args, catch_exceptions=False, **kwargs)


def assert_one_line_error(result, expected: str):
    assert result.exit_code == 2, result.output
    assert result.stderr == f"nephrokb: error: {expected}\n"
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", READERS, ids=" ".join)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input_file_gives_one_line_and_exit_2(command, name):
    path = BAD / name
    assert_one_line_error(run([*command, "--data", str(path)]), f"{path}{EXPECTED[name]}")


@pytest.mark.parametrize(
    "name", [n for n in sorted(EXPECTED) if n.endswith(".ttl") and n != "empty.ttl"]
)
def test_fmt_refuses_bad_turtle_and_leaves_it_untouched(tmp_path, name):
    copy = tmp_path / name
    copy.write_bytes((BAD / name).read_bytes())
    result = run(["fmt", str(copy)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"nephrokb: error: {copy}")
    assert "Traceback" not in result.output
    assert copy.read_bytes() == (BAD / name).read_bytes()


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_missing_path(command, tmp_path):
    missing = tmp_path / "missing.ttl"
    assert_one_line_error(
        run([*command, "--data", str(missing)]), f"{missing}: no such file or folder"
    )


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_fifo_is_refused_without_blocking(command, tmp_path):
    fifo = tmp_path / "pipe.ttl"
    os.mkfifo(fifo)
    assert_one_line_error(
        run([*command, "--data", str(fifo)]),
        f"{fifo}: not a regular file or folder (a FIFO or device?)",
    )


def test_device_is_refused():
    assert_one_line_error(
        run(["validate", "--data", "/dev/null"]),
        "/dev/null: not a regular file or folder (a FIFO or device?)",
    )


@pytest.mark.slow
def test_deep_nesting_is_refused(tmp_path):
    deep = tmp_path / "deep.ttl"
    depth = 50_000
    deep.write_text(
        "@prefix e: <http://example.org/> .\ne:a e:b " + "(" * depth + ")" * depth + " .\n",
        encoding="utf-8",
    )
    assert_one_line_error(
        run(["validate", "--data", str(deep)]),
        f"{deep}: is nested too deeply to parse (collections or blank nodes)",
    )


def test_deep_blank_node_nesting_is_refused(tmp_path):
    deep = tmp_path / "deep.ttl"
    depth = 50_000
    deep.write_text(
        "@prefix e: <http://example.org/> .\ne:a e:b " + "[ e:c " * depth + "]" * depth + " .\n",
        encoding="utf-8",
    )
    assert_one_line_error(
        run(["stats", "--data", str(deep)]),
        f"{deep}: is nested too deeply to parse (collections or blank nodes)",
    )


def test_input_larger_than_the_limit_is_refused(tmp_path, monkeypatch):
    huge = tmp_path / "huge.ttl"
    huge.write_text(
        '@prefix e: <http://example.org/> .\ne:a e:b "' + "x" * 10_000_000 + '" .\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("NEPHROKB_MAX_INPUT_BYTES", "1000000")
    assert_one_line_error(
        run(["validate", "--data", str(huge)]),
        f"{huge}: is larger than 1000000 bytes; raise NEPHROKB_MAX_INPUT_BYTES to read it",
    )


def test_ten_megabyte_literal_within_the_limit_is_read(tmp_path):
    big = tmp_path / "big.ttl"
    big.write_text(
        '@prefix e: <http://example.org/> .\ne:a e:b "' + "x" * 10_000_000 + '" .\n',
        encoding="utf-8",
    )
    result = run(["stats", "--data", str(big), "--format", "json"])
    assert result.exit_code == 0
    assert '"triples": 1' in result.stdout


def test_unknown_format_is_a_usage_error():
    result = run(["export", "--format", "docx"])
    assert result.exit_code == 2
    assert result.stderr == (
        "nephrokb: error: invalid --format 'docx'; choose from: csv, dot, fhir, jsonld, "
        "markdown, mermaid, nq, nt, sssom, sssom-json, trig, turtle, xlsx, xml, yaml\n"
    )


def test_non_writable_output_is_refused(tmp_path):
    target = tmp_path / "missing-folder" / "out.ttl"
    result = run(["export", "--format", "turtle", "--output", str(target)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"nephrokb: error: {target}: cannot write")
    assert "Traceback" not in result.output


@pytest.fixture
def listener():
    """A socket on 127.0.0.1 that records whether anything connected to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.3)
    yield server
    server.close()


def connections(server) -> int:
    count = 0
    try:
        while True:
            connection, _ = server.accept()
            connection.close()
            count += 1
    except OSError:
        return count


def test_nothing_reaches_the_network(listener, tmp_path):
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    (tmp_path / "imports.ttl").write_text(
        f"@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<{url}/onto> a owl:Ontology ;\n"
        f"    owl:imports <{url}/imported.ttl> .\n",
        encoding="utf-8",
    )
    (tmp_path / "entity.rdf").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "{url}/secret">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
        encoding="utf-8",
    )
    (tmp_path / "context.jsonld").write_text(
        f'{{"@context": "{url}/context.jsonld", "@id": "http://example.org/a"}}\n',
        encoding="utf-8",
    )
    outcomes = [
        run(["validate", "--data", str(tmp_path / "imports.ttl")]).exit_code,
        run(["export", "--format", "nt", "--data", str(tmp_path / "imports.ttl")]).exit_code,
        run(["validate", "--data", str(tmp_path / "entity.rdf")]).exit_code,
        run(["stats", "--data", str(tmp_path / "context.jsonld")]).exit_code,
        run(["query", f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"]).exit_code,
    ]
    # validate reads imports.ttl and finds owl:imports outside the closed vocabulary (exit 1).
    assert outcomes == [1, 0, 2, 2, 2]
    assert connections(listener) == 0


def test_local_rdfxml_without_dtd_is_read(tmp_path):
    path = tmp_path / "plain.rdf"
    path.write_text(
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:e="http://example.org/">\n  <rdf:Description rdf:about="http://example.org/a">'
        "<e:b>c</e:b></rdf:Description>\n</rdf:RDF>\n",
        encoding="utf-8",
    )
    result = run(["stats", "--data", str(path), "--format", "json"])
    assert result.exit_code == 0
    assert '"triples": 1' in result.stdout


def test_fmt_leaves_an_empty_file_empty(tmp_path):
    empty = tmp_path / "empty.ttl"
    empty.write_bytes(b"")
    assert run(["fmt", "--check", str(empty)]).exit_code == 0
    assert empty.read_bytes() == b""


def test_every_bad_input_fixture_has_an_expectation():
    on_disk = {p.name for p in Path(BAD).iterdir() if p.name != "README.md"}
    assert on_disk == set(EXPECTED)
