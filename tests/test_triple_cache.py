"""The cache of parsed files behind `validate --changed-since`: same answers, kept current."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from click.testing import CliRunner
from rdflib import RDF, URIRef

from conftest import BROKEN, CLEAN, git
from nephrokb.cli import main
from nephrokb.namespaces import VOCAB
from nephrokb.rdf.loading import load_graph
from nephrokb.rdf.triple_cache import CACHE_VARIABLE, TripleCache, cache_folder
from nephrokb.resources import bundled_files


def fixture_named(stem: str):
    return next(path for path in [*BROKEN, *CLEAN] if path.stem == stem)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_VARIABLE, str(folder))
    return folder


@pytest.fixture
def repository(tmp_path, monkeypatch):
    """A git repository whose kb/ holds the bundled knowledge base, committed."""
    kb = tmp_path / "repo" / "kb"
    kb.mkdir(parents=True)
    for path in bundled_files("kb"):
        shutil.copy(path, kb / path.name)
    git(kb.parent, "init", "--quiet")
    git(kb.parent, "add", "kb")
    git(kb.parent, "commit", "--quiet", "-m", "bundled")
    monkeypatch.chdir(kb.parent)
    return kb.parent


def validate(*arguments: str):
    return CliRunner().invoke(main, ["validate", "--data", "kb/", *arguments])


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "here"))
    assert cache_folder() == tmp_path / "here"
    monkeypatch.setenv(CACHE_VARIABLE, "")
    assert cache_folder() is None
    monkeypatch.delenv(CACHE_VARIABLE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "nephrokb"


def test_cached_lookups_equal_the_graphs(cache_dir):
    files = bundled_files("kb")
    graph = load_graph(files)
    cached = TripleCache(files, files, cache_dir).graph()
    step, has_step = URIRef(VOCAB + "Step"), URIRef(VOCAB + "hasStep")
    steps = set(graph.subjects(RDF.type, step))
    assert len(steps) == 16
    assert set(cached.subjects(RDF.type, step)) == steps
    for node in steps:
        assert set(cached.triples((node, None, None))) == set(graph.triples((node, None, None)))
        assert set(cached.subjects(has_step, node)) == set(graph.subjects(has_step, node))
        assert set(cached.subjects(None, node)) == set(graph.subjects(None, node))
    procedure = next(iter(graph.subjects(has_step, None)))
    assert set(cached.objects(procedure, has_step)) == set(graph.objects(procedure, has_step))
    assert ("nkb", VOCAB) in set(cached.namespaces())


@pytest.mark.slow
@pytest.mark.parametrize(
    "fixture", ["step-number-gap", "label-not-english", "mapping-not-asserted"]
)
def test_changed_only_answers_alike_with_the_cache_off_cold_and_warm(
    repository, monkeypatch, tmp_path, fixture
):
    shutil.copy(fixture_named("minimal"), repository / "kb" / "zz-extra.ttl")
    git(repository, "add", "kb")
    git(repository, "commit", "--quiet", "-m", "a second procedure")
    shutil.copy(fixture_named(fixture), repository / "kb" / "zz-extra.ttl")
    monkeypatch.setenv(CACHE_VARIABLE, "")
    off = validate("--changed-since", "HEAD")
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "cache"))
    cold = validate("--changed-since", "HEAD")
    warm = validate("--changed-since", "HEAD")
    full = validate()
    assert off.exit_code == cold.exit_code == warm.exit_code == 1
    assert off.output == cold.output == warm.output
    assert off.output.splitlines()[-1] == full.output.splitlines()[-1]


@pytest.mark.slow
def test_an_edited_file_is_read_again(repository, cache_dir):
    assert validate("--changed-since", "HEAD").exit_code == 0
    knowledge = repository / "kb" / "percutaneous-nephrostomy.ttl"
    text = knowledge.read_text(encoding="utf-8")
    knowledge.write_text(text.replace("nkb:stepNumber 2 ", "nkb:stepNumber 12 ", 1), "utf-8")
    broken = validate("--changed-since", "HEAD")
    assert broken.exit_code == 1
    assert "ContiguousStepNumberShape" in broken.output
    knowledge.write_text(text, encoding="utf-8")
    assert validate("--changed-since", "HEAD").exit_code == 0


@pytest.mark.slow
def test_the_cache_holds_the_files_given_and_no_others(repository, cache_dir):
    validate("--changed-since", "HEAD")
    (repository / "kb" / "devices.ttl").unlink()
    validate("--changed-since", "HEAD")
    (database,) = cache_dir.glob("*.sqlite3")
    with sqlite3.connect(database) as connection:
        paths = sorted(path for (path,) in connection.execute("SELECT path FROM files"))
        stored = {key for (key,) in connection.execute("SELECT DISTINCT file FROM triples")}
        keys = {key for (key,) in connection.execute("SELECT key FROM files")}
    names = sorted(path.name for path in (repository / "kb").glob("*.ttl"))
    assert [path.rsplit("/", 1)[-1] for path in paths] == names
    assert stored == keys


def test_a_file_that_fails_to_load_is_refused_and_not_cached(repository, cache_dir):
    knowledge = repository / "kb" / "devices.ttl"
    knowledge.write_text(
        knowledge.read_text(encoding="utf-8")
        + '\n<https://w3id.org/nephrokb/id/x> <https://w3id.org/nephrokb/vocab#stepNumber> "two"'
        "^^<http://www.w3.org/2001/XMLSchema#integer> .\n",
        encoding="utf-8",
    )
    result = validate("--changed-since", "HEAD")
    assert result.exit_code == 2
    assert 'literal "two" is not a valid http://www.w3.org/2001/XMLSchema#integer' in result.output
    (database,) = cache_dir.glob("*.sqlite3")
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT COUNT(*) FROM files").fetchone() == (0,)


def test_a_cache_folder_that_is_a_file_is_passed_over(repository, monkeypatch, tmp_path):
    shutil.copy(fixture_named("step-number-gap"), repository / "kb" / "zz-extra.ttl")
    monkeypatch.setenv(CACHE_VARIABLE, "")
    expected = validate("--changed-since", "HEAD")
    folder = tmp_path / "not-a-folder"
    folder.write_text("", encoding="utf-8")
    monkeypatch.setenv(CACHE_VARIABLE, str(folder))
    result = validate("--changed-since", "HEAD")
    assert (result.exit_code, result.output) == (expected.exit_code, expected.output)


@pytest.mark.slow
def test_a_corrupt_cache_database_is_made_anew(repository, cache_dir):
    expected = validate("--changed-since", "HEAD")
    (database,) = cache_dir.glob("*.sqlite3")
    database.write_bytes(b"this is not an SQLite database" * 100)
    result = validate("--changed-since", "HEAD")
    assert (result.exit_code, result.output) == (expected.exit_code, expected.output)
    with sqlite3.connect(database) as connection:
        files = connection.execute("SELECT COUNT(*) FROM files").fetchone()[0]
    assert files == len(list((repository / "kb").glob("*.ttl")))
