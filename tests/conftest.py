"""Shared paths and helpers for the nephrokb tests."""

from __future__ import annotations

import contextlib
import functools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from nephrokb.namespaces import PREFIXES

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
# The one switch that rewrites golden files instead of comparing with them (docs/testing.md).
REGENERATE_GOLDEN = os.environ.get("NEPHROKB_REGENERATE_GOLDEN") == "1"
REGENERATE_COMMAND = "NEPHROKB_REGENERATE_GOLDEN=1 pytest -m golden"
# sssom-py and fhir.resources, the referees of the SSSOM and FHIR exports, pull in ~60 packages.
NEEDS_INTEROP = "needs the interop extra: pip install '.[test,server,interop]'"
BROKEN = sorted((FIXTURES / "broken").glob("*.ttl"))
CLEAN = sorted((FIXTURES / "clean").glob("*.ttl"))
MINIMAL = FIXTURES / "clean" / "minimal.ttl"
SOURCE_TEXT = FIXTURES / "source" / "000_767184e945e559e0.txt"


def turtle_prefixes(*names: str) -> str:
    """The `@prefix` lines of the project's prefixes `names`, for Turtle written by a test."""
    return "".join(f"@prefix {name}: <{PREFIXES[name]}> .\n" for name in names)


def expectations(fixture: Path) -> tuple[set[tuple[str, str, str]], list[str]]:
    """Read the `# expect:` (focus, rule, severity) and `# message:` lines of a fixture."""
    expected, messages = set(), []
    for line in fixture.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect: "):
            focus, rule, severity = line.removeprefix("# expect: ").split()
            expected.add((focus, rule, severity))
        elif line.startswith("# message: "):
            messages.append(line.removeprefix("# message: "))
    return expected, messages


def assert_matches_golden(path: Path, text: str) -> None:
    """Assert that `text` is exactly the golden file at `path` (with REGENERATE_GOLDEN, write it
    first). Tests call it through the `golden_file` fixture, which marks them `golden`."""
    if REGENERATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"missing {path}: run `{REGENERATE_COMMAND}`"
    assert text == path.read_bytes().decode("utf-8"), (
        f"{path} differs; if the change is intended, run `{REGENERATE_COMMAND}` and review it"
    )


@pytest.fixture
def golden_file():
    """`assert_matches_golden`; a test that asks for it is marked `golden`."""
    return assert_matches_golden


def pytest_collection_modifyitems(items):
    """Mark every test that compares with a golden file `golden` (regenerate with -m golden)."""
    for item in items:
        if "golden_file" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.golden)


def interop(module: str):
    """Import a module of the interop extra (sssom-py, fhir.resources), or skip saying why."""
    return pytest.importorskip(module, reason=NEEDS_INTEROP)


def assert_sssom_validate_accepts(path: Path) -> None:
    """`sssom validate`, sssom-py's own command, accepts the file (skip without sssom-py).

    Python warnings are off: pandas 3 warns on stderr about sssom-py's own chained
    assignment, which is not a finding about the file (sssom-py logs those).
    """
    interop("sssom")
    run = subprocess.run(
        [str(Path(sys.executable).parent / "sssom"), "validate", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert run.returncode == 0, run.stderr
    assert "error" not in run.stderr.lower()


def mount_tmpfs(folder: Path, size: str) -> str | None:
    """Mount a tmpfs of `size` on `folder`; return why not, or None once mounted."""
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root"
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as error:
        reason = getattr(error, "stderr", b"") or str(error).encode()
        return f"`mount -t tmpfs` failed here: {reason.decode(errors='replace').strip()}"
    return None


def unmount(folder: Path) -> None:
    subprocess.run(["umount", str(folder)], capture_output=True, check=False)


@contextlib.contextmanager
def read_only(folder: Path, fill: Callable[[Path], None] = lambda folder: None) -> Iterator[str]:
    """Make the empty `folder`, once `fill` has written into it, one this process cannot write
    into; yield the reason a write there fails with.

    Folder permissions do not stop root (which CI runs as), so as root the folder is a tmpfs
    remounted read-only (EROFS); otherwise it is mode 0555 (EACCES). The test is skipped,
    saying why, where root cannot mount a tmpfs.
    """
    if os.geteuid() != 0:
        fill(folder)
        folder.chmod(0o555)
        try:
            yield "Permission denied"
        finally:
            folder.chmod(0o755)
        return
    why_not = mount_tmpfs(folder, "1m")
    if why_not:
        pytest.skip(f"running as root, whom folder permissions cannot stop, and {why_not}")
    try:
        fill(folder)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield "Read-only file system"
    finally:
        unmount(folder)


def against_pyshacl(fixtures: list[Path]) -> list:
    """Parametrize over fixtures; where a `# deviation: pyshacl:` line says pyshacl departs
    from the SHACL spec, the comparison with pyshacl must fail (strict xfail)."""
    from shacl_engines import deviations

    return [
        pytest.param(
            path,
            id=path.stem,
            marks=[pytest.mark.xfail(strict=True, reason=reason)]
            if (reason := deviations(path).get("pyshacl"))
            else [],
        )
        for path in fixtures
    ]


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Keep the cache of parsed files (validate --changed-since) out of the user's home."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEPHROKB_CACHE_DIR", str(tmp_path_factory.mktemp("nephrokb-cache")))
        yield


@pytest.fixture(scope="session")
def bundled_graph():
    """The bundled knowledge base, parsed once."""
    from nephrokb.rdf.loading import load_graph
    from nephrokb.resources import bundled_folder

    return load_graph([bundled_folder("kb")])


@pytest.fixture(scope="module")
def local_answers_computed_once(bundled_graph):
    """Parse the bundled knowledge and each query once, and run each local query once."""
    import nephrokb.query.queries
    import nephrokb.rdf.loading
    import nephrokb.rdf.stores

    load, run = nephrokb.rdf.loading.load, nephrokb.query.queries.run_query
    bundled = {
        "graph": bundled_graph,
        "store": nephrokb.rdf.stores.store_of(bundled_graph),
    }
    outcomes = {}

    def load_once(data=None, *, include=(), into="graph"):
        if data or include or into not in bundled:
            return load(data, include=include, into=into)
        return bundled[into]

    def run_once(prepared, graph, params=None, **options):
        key = (prepared.text, tuple(sorted((params or {}).items())), id(graph))
        if key not in outcomes:
            outcomes[key] = run(prepared, graph, params, **options)
        return outcomes[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nephrokb.rdf.loading, "load", load_once)
        patch.setattr(nephrokb.query.queries, "run_query", run_once)
        patch.setattr(
            nephrokb.query.queries,
            "prepare_query",
            functools.cache(nephrokb.query.queries.prepare_query),
        )
        yield


@pytest.fixture(scope="session")
def shapes_and_ontology():
    """The bundled shapes and ontology as rdflib graphs, for engines other than nephrokb."""
    from nephrokb.resources import bundled_files
    from shacl_engines import read_graph

    return read_graph(bundled_files("shapes")), read_graph(bundled_files("ontology"))


@functools.cache
def translated_sparql(text: str, base: str | None, namespaces: frozenset):
    """rdflib's parse and algebra of a SPARQL query, kept for the session."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    return translateQuery(parseQuery(text), base, dict(namespaces))


@contextlib.contextmanager
def sparql_parsed_once() -> Iterator[None]:
    """While it lasts, rdflib parses each SPARQL query text once, however often it is run.

    pyshacl hands rdflib each SPARQL constraint as text, once per shape and data graph, and
    rdflib parses it anew every time (~0.2 s a query; 90% of pyshacl's time on a fixture).
    Reusing the translated query is what rdflib's own `prepareQuery` does: no result changes.
    """
    from rdflib.plugins.sparql import processor

    query = processor.SPARQLProcessor.query

    def reusing_query(self, text_or_query, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(text_or_query, str):
            namespaces = frozenset((initNs or {}).items())
            text_or_query = translated_sparql(text_or_query, base, namespaces)
        return query(self, text_or_query, initBindings, initNs, base, DEBUG)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(processor.SPARQLProcessor, "query", reusing_query)
        yield


@pytest.fixture(scope="session")
def pyshacl_reference(shapes_and_ontology):
    """pyshacl on a data file with the bundled shapes, run once per file: (data, report)."""
    from shacl_engines import pyshacl_report

    @functools.cache
    def reference(data: Path):
        with sparql_parsed_once():
            return pyshacl_report(data, *shapes_and_ontology)

    return reference


@pytest.fixture
def no_credentials(monkeypatch, tmp_path):
    """No endpoint credentials in the environment and an empty netrc (endpoint tests)."""
    for variable in (
        "NEPHROKB_ENDPOINT_TOKEN",
        "NEPHROKB_ENDPOINT_USER",
        "NEPHROKB_ENDPOINT_PASSWORD",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


@pytest.fixture
def quick_retries(monkeypatch):
    """Record the waits between endpoint retries instead of sleeping through them."""
    import nephrokb.query.endpoint

    waits: list[float] = []
    monkeypatch.setattr(nephrokb.query.endpoint, "sleep", waits.append)
    return waits


def git(repository: Path, *arguments: str) -> str:
    """Run git in `repository` with a fixed identity and no user or system config."""
    environment = {
        **os.environ,
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    completed = subprocess.run(
        ["git", *arguments], cwd=repository, env=environment, capture_output=True, check=True
    )
    return completed.stdout.decode()
