"""Results are placed by reading only the statements about their nodes (SubjectLocator), and
every report is byte for byte what reading each file whole with the locator gives.

Reading whole files is what validation did before; it is still the path taken for a file
the statement scan cannot follow, so the reference is forced here by making the scan give up.
Blank-node labels differ from one parse to the next, so the reference run does not validate
again: it replays the results of the first run and only places them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pyoxigraph
import pytest
from bench.generate import generate
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import BROKEN, CLEAN
from nephrokb.cli import main
from nephrokb.reports import REPORT_FORMATS, render_report
from nephrokb.resources import bundled_folder
from nephrokb.validation import engine, locations
from nephrokb.validation.engine import validate
from nephrokb.validation.results import Report

validate_with = engine.validate_with
T = TypeVar("T")


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory) -> dict[str, list[Path]]:
    """Knowledge bases to validate: bundled, the fixtures, and generated ones with 10% of
    their nodes in violation, as Turtle files and as one N-Triples file."""
    folder = tmp_path_factory.mktemp("generated")
    generate(folder, 3, broken_share=0.1)
    store = pyoxigraph.Store()
    for path in sorted(folder.glob("*.ttl")):
        store.load(path=path, format=pyoxigraph.RdfFormat.TURTLE, base_iri=path.as_uri())
    ntriples = tmp_path_factory.mktemp("ntriples") / "generated.nt"
    store.dump(ntriples, pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph())
    return {
        "bundled": [bundled_folder("kb")],
        "broken fixtures": BROKEN,
        "clean fixtures": CLEAN,
        "generated": [folder],
        "generated n-triples": [ntriples],
    }


def located_and_read_whole(run: Callable[[], T], monkeypatch: pytest.MonkeyPatch) -> tuple[T, T]:
    """Return what `run()` gives placing results by their statements, then reading files
    whole (as validation did before SubjectLocator) with the same results to place."""
    recorded = []

    def recording(*arguments):
        recorded.append(validate_with(*arguments))
        return recorded[-1]

    with monkeypatch.context() as patch:
        patch.setattr(engine, "validate_with", recording)
        located = run()
    replayed = iter(recorded)
    with monkeypatch.context() as patch:
        patch.setattr(locations, "subject_locator", lambda text, base: None)
        patch.setattr(engine, "validate_with", lambda *arguments: next(replayed))
        whole = run()
    return located, whole


def assert_same_reports(first: Report, second: Report) -> None:
    """The two reports are the same bytes in every format but Turtle, whose writer names
    blank nodes anew each time: there the graphs are isomorphic."""
    for name in REPORT_FORMATS:
        one, other = render_report(first, name), render_report(second, name)
        if name == "turtle":
            assert isomorphic(Graph().parse(data=one), Graph().parse(data=other))
        else:
            assert one == other, name


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["bundled", "broken fixtures", "clean fixtures", "generated", "generated n-triples"]
)
def test_reports_are_those_of_files_read_whole(name, knowledge, monkeypatch):
    located, whole = located_and_read_whole(lambda: validate(knowledge[name]), monkeypatch)
    assert located.results == whole.results
    assert_same_reports(located, whole)
    if name != "bundled":
        assert any(result.line is not None for result in located.results)
    if name not in ("bundled", "clean fixtures"):
        assert any(result.value_line is not None for result in located.results)


@pytest.mark.parametrize("name", ["generated", "generated n-triples"])
def test_no_file_is_read_whole_when_every_result_is_about_a_subject(name, knowledge, monkeypatch):
    def read_whole_file(text: str, base: str = ""):
        raise AssertionError("a file was read whole")

    monkeypatch.setattr(locations, "locate", read_whole_file)
    report = validate(knowledge[name])
    assert report.results
    assert all(result.file is not None and result.line is not None for result in report.results)


@pytest.mark.slow
@pytest.mark.parametrize("report_format", sorted(REPORT_FORMATS))
def test_cli_writes_the_same_bytes_and_exit_code(report_format, knowledge, monkeypatch):
    command = ["validate", "--format", report_format]
    for path in knowledge["generated n-triples"] + knowledge["generated"]:
        command += ["--data", str(path)]
    located, whole = located_and_read_whole(lambda: CliRunner().invoke(main, command), monkeypatch)
    assert located.exit_code == whole.exit_code == 1
    if report_format == "turtle":
        assert isomorphic(Graph().parse(data=located.stdout), Graph().parse(data=whole.stdout))
    else:
        assert located.stdout == whole.stdout
    assert located.stderr == whole.stderr
