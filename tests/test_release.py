"""`nephrokb release`: two releases of a fixture repository, their artefacts and refusals.

The fixture repository (git, made here) holds the bundled ontology and shapes and
tests/fixtures/clean/mapped.ttl as its kb/; release 0.2.0 is made and tagged, then the edits
of tests/fixtures/release/ are committed and 0.3.0 is made. The 0.3.0 CHANGELOG section,
KGCL and SSSOM delta are compared with tests/golden/release/ (docs/testing.md says how to
regenerate them).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from kgcl_schema.datamodel import kgcl
from kgcl_schema.grammar.parser import parse
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from conftest import FIXTURES, GOLDEN, assert_sssom_validate_accepts, git, interop
from nephrokb.cli import main
from nephrokb.editing.fmt import format_files
from nephrokb.exporters.fhir_conformance import check_resources
from nephrokb.exporters.fhir_package import PACKAGE_VARIABLE, CorePackage
from nephrokb.namespaces import PREFIXES
from nephrokb.rdf.loading import load_graph
from nephrokb.release.distribution import RELEASES, parse_version
from nephrokb.turtle.canonical import serialize_canonical

pytestmark = pytest.mark.slow  # two releases of a git repository, checked with sssom and FHIR
ROOT = Path(__file__).resolve().parents[1]
RELEASE = GOLDEN / "release"
OWL = PREFIXES["owl"]


@contextlib.contextmanager
def working_folder(folder: Path):
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def release(repository: Path, *arguments: str):
    with working_folder(repository):
        return CliRunner().invoke(main, ["release", *arguments])


def new_repository(folder: Path) -> Path:
    """A nephrokb checkout with the bundled ontology and shapes and a small kb/, committed."""
    folder.mkdir()
    for name in ("ontology", "shapes"):
        shutil.copytree(ROOT / name, folder / name)
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    (folder / "kb").mkdir()
    shutil.copy(FIXTURES / "clean" / "mapped.ttl", folder / "kb" / "knowledge.ttl")
    format_files([folder / "kb"])
    (folder / ".gitignore").write_text("dist/\n")
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "first revision")
    return folder


def edit_knowledge(repository: Path) -> None:
    """Apply the fixture edits: remove removed.ttl's triples, add added.ttl's."""
    path = repository / "kb" / "knowledge.ttl"
    graph = Graph().parse(path)
    graph -= Graph().parse(FIXTURES / "release" / "removed.ttl")
    graph += Graph().parse(FIXTURES / "release" / "added.ttl")
    path.write_text(serialize_canonical(graph, PREFIXES))
    format_files([repository / "kb"])


def commit_release(repository: Path, version: str) -> None:
    git(repository, "add", "CHANGELOG.md", "kb/release.ttl", "ontology/nephrokb.ttl")
    git(repository, "commit", "-q", "-m", f"Release {version}")
    git(repository, "tag", "-a", f"v{version}", "-m", f"nephrokb {version}")


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """The fixture repository after releases 0.2.0 and 0.3.0, with both commands' output."""
    repository = new_repository(tmp_path_factory.mktemp("release") / "repository")
    first = release(repository, "0.2.0", "--date", "2026-12-01")
    assert first.exit_code == 0, first.output
    commit_release(repository, "0.2.0")
    edit_knowledge(repository)
    git(repository, "commit", "-q", "-am", "second revision")
    second = release(repository, "0.3.0", "--date", "2026-12-02")
    assert second.exit_code == 0, second.output
    return repository, first, second


def without_commit(text: str, repository: Path) -> str:
    """Replace the v0.2.0 commit (it changes with the bundled ontology) by a placeholder."""
    commit = git(repository, "rev-parse", "v0.2.0^{commit}").strip()
    return text.replace(commit[:12], "<commit>")


def test_changelog_section_of_the_second_release(releases, golden_file):
    repository, _, _ = releases
    section = (repository / "dist" / "0.3.0" / "CHANGES.md").read_text()
    golden_file(RELEASE / "CHANGES-0.3.0.md", without_commit(section, repository))


def test_changelog_holds_both_sections_newest_first(releases):
    repository, _, _ = releases
    first = (repository / "dist" / "0.2.0" / "CHANGES.md").read_text()
    second = (repository / "dist" / "0.3.0" / "CHANGES.md").read_text()
    assert (
        first == "## 0.2.0 (2026-12-01)\n\nFirst release: there is no earlier release "
        "tag (vX.Y.Z) to compare with.\n"
    )
    changelog = (repository / "CHANGELOG.md").read_text()
    assert changelog == f"# Changelog\n\n{second}\n{first}"


def test_kgcl_delta_matches_golden_and_parses_with_kgcl_schema(releases, golden_file):
    repository, _, _ = releases
    text = (repository / "dist" / "0.3.0" / "changes.kgcl").read_text()
    golden_file(RELEASE / "changes-0.3.0.kgcl", text)
    parsed = parse(text)
    assert [type(change) for change in parsed] == [
        kgcl.NodeCreation,
        kgcl.NodeRename,
        kgcl.EdgeCreation,
        kgcl.EdgeDeletion,
        kgcl.EdgeCreation,
        kgcl.EdgeDeletion,
        kgcl.PredicateChange,
    ]


def test_sssom_delta_matches_golden_and_sssom_validate_accepts_it(releases, golden_file):
    repository, _, _ = releases
    path = repository / "dist" / "0.3.0" / "changes.sssom.tsv"
    golden_file(RELEASE / "changes-0.3.0.sssom.tsv", path.read_text())
    assert_sssom_validate_accepts(path)


def test_ontology_and_release_node_are_stamped_in_canonical_turtle(releases):
    repository, _, _ = releases
    ontology = Graph().parse(repository / "ontology" / "nephrokb.ttl")
    vocab = URIRef("https://w3id.org/nephrokb/vocab")
    assert ontology.value(vocab, URIRef(OWL + "versionInfo")) == Literal("0.3.0")
    assert ontology.value(vocab, URIRef(OWL + "versionIRI")) == URIRef(RELEASES + "0.3.0/vocab.ttl")
    assert ontology.value(vocab, URIRef(OWL + "priorVersion")) == URIRef(
        RELEASES + "0.2.0/vocab.ttl"
    )
    node = Graph().parse(repository / "kb" / "release.ttl")
    knowledge = URIRef("https://w3id.org/nephrokb/id/")
    assert node.value(knowledge, URIRef(OWL + "priorVersion")) == URIRef(
        RELEASES + "0.2.0/nephrokb.ttl"
    )
    assert str(node.value(knowledge, URIRef(PREFIXES["dcterms"] + "issued"))) == "2026-12-02"
    assert not [
        r
        for r in format_files([repository / "kb", repository / "ontology"], check=True)
        if r.changed
    ]
    with working_folder(repository):
        validated = CliRunner().invoke(main, ["validate"])
    assert validated.exit_code == 0, validated.output


def test_rdf_artefacts_reparse_isomorphic_to_the_knowledge(releases):
    repository, _, _ = releases
    knowledge = load_graph([repository / "kb"])
    dist = repository / "dist" / "0.3.0"
    for name, syntax in (
        ("nephrokb.ttl", "turtle"),
        ("nephrokb.nt", "nt"),
        ("nephrokb.jsonld", "json-ld"),
    ):
        assert isomorphic(Graph().parse(dist / name, format=syntax), knowledge), name
    vocabulary = load_graph([repository / "ontology"])
    assert isomorphic(Graph().parse(dist / "vocab.nt", format="nt"), vocabulary)


def test_sssom_and_fhir_artefacts_validate(releases):
    repository, _, _ = releases
    dist = repository / "dist" / "0.3.0"
    assert_sssom_validate_accepts(dist / "nephrokb.sssom.tsv")
    assert '#mapping_set_version: "0.3.0"\n' in (dist / "nephrokb.sssom.tsv").read_text()
    bundle = interop("fhir.resources.bundle").Bundle.model_validate_json(
        (dist / "nephrokb.fhir.json").read_text()
    )
    assert bundle.type == "collection"


def test_released_fhir_passes_the_conformance_check(releases):
    pytest.importorskip("fhirpathpy", reason="needs the fhir extra (.ci/run has a venv with it)")
    folder = os.environ.get(PACKAGE_VARIABLE)
    if not folder:
        pytest.skip(f"{PACKAGE_VARIABLE} is not set: .ci/run caches the R5 core package")
    repository, _, _ = releases
    bundle = json.loads((repository / "dist" / "0.3.0" / "nephrokb.fhir.json").read_text())
    result = check_resources([bundle], CorePackage(folder))
    assert [str(failure) for failure in result.failures] == []


def test_checksums_cover_every_file_and_sha256sum_accepts_them(releases):
    repository, _, _ = releases
    dist = repository / "dist" / "0.3.0"
    listed = [line.split("  ", 1)[1] for line in (dist / "SHA256SUMS").read_text().splitlines()]
    on_disk = sorted(
        str(path.relative_to(dist))
        for path in dist.rglob("*")
        if path.is_file() and path.name != "SHA256SUMS"
    )
    assert sorted(listed) == on_disk
    run = subprocess.run(
        ["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=dist, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_output_names_the_files_and_the_git_commands_without_running_them(releases):
    repository, _, second = releases
    assert "wrote ontology/nephrokb.ttl\n" in second.output
    assert "wrote dist/0.3.0/: " in second.output
    assert second.output.endswith(
        "To tag and publish the release, run:\n"
        "  git add CHANGELOG.md kb/release.ttl ontology/nephrokb.ttl\n"
        '  git commit -m "Release 0.3.0"\n'
        '  git tag -a v0.3.0 -m "nephrokb 0.3.0"\n'
        "  git push --atomic origin HEAD v0.3.0\n"
    )
    assert "v0.3.0" not in git(repository, "tag", "--list")


def test_site_has_a_landing_page_per_node(releases):
    repository, _, _ = releases
    site = repository / "dist" / "0.3.0" / "site"
    page = (site / "id" / "demo-dress-site.html").read_text()
    assert "<h1>Dress the site</h1>" in page
    assert 'href="../demo-access.html#demo-dress-site"' in page


@pytest.fixture
def repository(tmp_path):
    return new_repository(tmp_path / "repository")


def status(repository: Path) -> str:
    return git(repository, "status", "--porcelain", "--ignored")


def test_dry_run_writes_nothing(repository):
    result = release(repository, "0.2.0", "--dry-run", "--date", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert status(repository) == ""
    assert "would write dist/0.2.0/: " in result.output
    assert "  nephrokb.fhir.json (" in result.output
    assert (
        "  ontology/nephrokb.ttl: <https://w3id.org/nephrokb/vocab> owl:versionIRI "
        "<https://w3id.org/nephrokb/releases/0.2.0/vocab.ttl>\n"
    ) in result.output
    assert result.output.endswith("Dry run: nothing was written.\n")


def test_non_canonical_turtle_is_refused_with_one_line(repository):
    path = repository / "kb" / "knowledge.ttl"
    path.write_text(path.read_text() + "\n\n")
    result = release(repository, "0.2.0")
    assert result.exit_code == 1
    assert result.output == (
        "nephrokb: release refused: not in canonical form: kb/knowledge.ttl (run 'nephrokb fmt')\n"
    )


def test_knowledge_that_does_not_conform_is_refused_with_one_line(repository):
    path = repository / "kb" / "knowledge.ttl"
    path.write_text(path.read_text().replace("nkb:stepNumber 3", "nkb:stepNumber 7"))
    result = release(repository, "0.2.0")
    assert result.exit_code == 1
    assert result.output.startswith("nephrokb: release refused: the knowledge does not conform: ")
    assert result.output.count("\n") == 1


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (
            "2",
            "'2' is not a semantic version: MAJOR.MINOR.PATCH, such as 0.2.0 (https://semver.org)",
        ),
        (
            "v0.2.0",
            "'v0.2.0' is not a semantic version: MAJOR.MINOR.PATCH, such as 0.2.0 "
            "(https://semver.org)",
        ),
        ("0.1.0", "0.1.0 is not newer than the last release v0.1.0"),
    ],
)
def test_bad_versions_exit_2_with_one_line(repository, version, message):
    git(repository, "tag", "v0.1.0")
    result = release(repository, version, "--dry-run")
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {message}\n"


def test_versions_are_ordered_by_semantic_precedence():
    ordered = ["0.9.0", "0.10.0-alpha", "0.10.0-alpha.1", "0.10.0-beta", "0.10.0", "1.0.0"]
    assert sorted(ordered[::-1], key=lambda v: parse_version(v).key()) == ordered


def test_release_outside_a_checkout_exits_2(tmp_path):
    with working_folder(tmp_path):
        result = CliRunner().invoke(main, ["release", "0.2.0"])
    assert result.exit_code == 2
    assert result.output == "nephrokb: error: run nephrokb release inside a nephrokb checkout\n"
