"""`nephrokb validate --changed-since REV`: the nodes a change affects, validated alone.

The property: for any edit of a clean knowledge base, validating only the affected nodes
gives exactly the results a full validation gives those nodes, and every result the edit
introduced is about an affected node.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, Graph, Literal, URIRef

from conftest import BROKEN, CLEAN, expectations, git
from nephrokb.cli import main
from nephrokb.namespaces import KB, VOCAB, compact
from nephrokb.rdf.loading import load_graph
from nephrokb.validation.engine import validate_focus, validate_graph
from nephrokb.validation.incremental import affected_nodes, changed_nodes, focus_subgraph
from nephrokb.validation.source_checks import SOURCE_RULES

NKB = {name: URIRef(VOCAB + name) for name in ("Step", "hasStep", "stepNumber", "dependsOn")}
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
TEXTS = st.sampled_from(
    ["Pass a wire", "Puncture the kidney", "TODO", "Two  spaces", "Ends..", "Check with contrast"]
)


@functools.cache
def clean_graph(name: str) -> Graph:
    return load_graph([next(path for path in CLEAN if path.stem == name)])


@functools.cache
def clean_results(name: str) -> frozenset:
    return frozenset(validate_graph(clean_graph(name)))


def copy(graph: Graph) -> Graph:
    copied = Graph()
    for prefix, namespace in graph.namespaces():
        copied.bind(prefix, namespace)
    copied += graph
    return copied


@st.composite
def edited(draw, name: str) -> Graph:
    """The clean graph `name` with one to three random edits."""
    graph = copy(clean_graph(name))
    steps = sorted(set(graph.subjects(RDF.type, NKB["Step"])))
    for _ in range(draw(st.integers(1, 3))):
        edit = draw(
            st.sampled_from(
                ["remove", "renumber", "depend", "reword", "untype", "move", "retarget"]
            )
        )
        if edit == "remove":
            graph.remove(draw(st.sampled_from(sorted(graph))))
        elif edit == "renumber":
            step = draw(st.sampled_from(steps))
            graph.set((step, NKB["stepNumber"], Literal(draw(st.integers(0, 4)))))
        elif edit == "depend":
            graph.add(
                (draw(st.sampled_from(steps)), NKB["dependsOn"], draw(st.sampled_from(steps)))
            )
        elif edit == "reword":
            subject, predicate, value = draw(
                st.sampled_from(sorted(t for t in graph if isinstance(t[2], Literal)))
            )
            graph.remove((subject, predicate, value))
            language = draw(st.sampled_from([None, "en", "fr"]))
            graph.add((subject, predicate, Literal(draw(TEXTS), lang=language)))
        elif edit == "untype":
            graph.remove(draw(st.sampled_from(sorted(graph.triples((None, RDF.type, None))))))
        elif edit == "move":
            procedure, step = draw(st.sampled_from(sorted(graph.subject_objects(NKB["hasStep"]))))
            other = draw(st.sampled_from(sorted(set(graph.subjects(NKB["hasStep"], None)))))
            graph.remove((procedure, NKB["hasStep"], step))
            graph.add((other, NKB["hasStep"], step))
        else:
            subject, predicate, _ = draw(st.sampled_from(sorted(graph)))
            target = draw(
                st.sampled_from(sorted({o for o in graph.objects() if isinstance(o, URIRef)}))
            )
            graph.add((subject, predicate, target))
    return graph


def check_changed_only_validation(name: str, graph: Graph) -> None:
    changed = changed_nodes(clean_graph(name), graph)
    assert changed is not None  # no edit touches the class hierarchy or blank nodes
    full = validate_graph(graph)
    affected = affected_nodes(graph, changed)
    names = {str(node) for node in affected}
    assert validate_focus(graph, affected) == tuple(r for r in full if r.focus in names)
    introduced = set(full) - clean_results(name)
    assert {r.focus for r in introduced} <= names


PROPERTY_SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(graph=edited("minimal"))
def test_changed_only_equals_full_validation_of_affected_nodes_minimal(graph):
    check_changed_only_validation("minimal", graph)


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(graph=edited("mapped"))
def test_changed_only_equals_full_validation_of_affected_nodes_mapped(graph):
    check_changed_only_validation("mapped", graph)


def clean_original(fixture: Path) -> str:
    """The clean fixture a broken one was made from: the one it differs least from."""
    broken = load_graph([fixture])

    def distance(name: str) -> int:
        return len(set(broken) ^ set(clean_graph(name)))

    return min(("minimal", "mapped"), key=distance)


@pytest.mark.slow
@pytest.mark.parametrize("fixture", BROKEN, ids=lambda path: path.stem)
def test_changed_only_validation_finds_what_each_broken_fixture_breaks(fixture):
    name = clean_original(fixture)
    graph = load_graph([fixture])
    affected = affected_nodes(graph, changed_nodes(clean_graph(name), graph))
    results = validate_focus(graph, affected)
    keys = {(compact(r.focus), compact(r.rule), r.severity) for r in results}
    # validate_focus checks triples; the source checks read files
    # (see nephrokb.validation.source_checks).
    source_rules = {compact(rule) for rule in SOURCE_RULES}
    assert keys == {key for key in expectations(fixture)[0] if key[1] not in source_rules}


def test_one_reworded_step_of_the_bundled_kb_affects_only_its_procedure(bundled_graph):
    step = URIRef(KB + "pcn-locate-posterior-calyx")
    edited_graph = copy(bundled_graph)
    edited_graph.set((step, RDFS_LABEL, Literal("A reworded step", lang="en")))
    affected = affected_nodes(edited_graph, changed_nodes(bundled_graph, edited_graph))
    (procedure,) = edited_graph.subjects(NKB["hasStep"], step)
    assert {step, procedure} | set(edited_graph.objects(procedure, NKB["hasStep"])) <= affected
    subjects = set(edited_graph.subjects())
    assert len(affected) < len(subjects) / 4
    assert len(focus_subgraph(edited_graph, affected)) < len(edited_graph) / 2


def test_no_change_validates_nothing():
    graph = clean_graph("minimal")
    assert affected_nodes(graph, changed_nodes(graph, copy(graph))) == set()
    assert validate_focus(graph, set()) == ()


@pytest.mark.parametrize(
    "addition",
    [
        "<https://w3id.org/nephrokb/id/demo-kind> rdfs:subClassOf nkb:Step .",
        '[] rdfs:label "a blank node no IRI leads to"@en .',
    ],
    ids=["class-hierarchy", "unreachable-blank-node"],
)
def test_changes_that_cannot_be_pinned_to_nodes_ask_for_full_validation(addition):
    graph = clean_graph("minimal")
    prefixes = (
        "@prefix nkb: <https://w3id.org/nephrokb/vocab#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    )
    edited_graph = copy(graph).parse(data=prefixes + addition, format="turtle")
    assert changed_nodes(graph, edited_graph) is None


def fixture_named(stem: str) -> Path:
    return next(path for path in [*BROKEN, *CLEAN] if path.stem == stem)


@pytest.fixture
def repository(tmp_path, monkeypatch):
    """A git repository whose kb/ holds the clean minimal fixture, committed."""
    (tmp_path / "kb").mkdir()
    shutil.copy(fixture_named("minimal"), tmp_path / "kb" / "knowledge.ttl")
    git(tmp_path, "init", "--quiet")
    git(tmp_path, "add", "kb")
    git(tmp_path, "commit", "--quiet", "-m", "clean")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def validate(*arguments: str):
    return CliRunner().invoke(main, ["validate", "--data", "kb/", *arguments])


def test_cli_reports_what_a_change_broke_exactly_as_full_validation(repository):
    shutil.copy(fixture_named("step-number-gap"), repository / "kb" / "knowledge.ttl")
    full, changed_only = validate(), validate("--changed-since", "HEAD")
    assert changed_only.exit_code == full.exit_code == 1
    assert changed_only.output == full.output


def test_cli_leaves_out_results_the_change_cannot_affect(repository):
    shutil.copy(fixture_named("label-missing"), repository / "kb" / "knowledge.ttl")
    git(repository, "commit", "--quiet", "-am", "a node loses its label")
    (repository / "kb" / "extra.ttl").write_text(
        "@prefix kb: <https://w3id.org/nephrokb/id/> .\n"
        "@prefix nkb: <https://w3id.org/nephrokb/vocab#> .\n"
        "kb:demo-needle nkb:usesDevice kb:nowhere .\n",
        encoding="utf-8",
    )
    assert "LabelShape" in validate().output
    result = validate("--changed-since", "HEAD")
    assert "LabelShape" not in result.output
    assert "kb:demo-needle" in result.output
    assert "UsesDeviceTargetShape" in result.output
    assert result.exit_code == 1


def test_cli_sees_deleted_files(repository):
    (repository / "kb" / "more.ttl").write_text(
        "@prefix kb: <https://w3id.org/nephrokb/id/> .\n"
        "@prefix nkb: <https://w3id.org/nephrokb/vocab#> .\n"
        "kb:demo-drainage nkb:hasStep kb:demo-extra .\n"
        "kb:demo-extra a nkb:Step .\n",
        encoding="utf-8",
    )
    git(repository, "add", "kb")
    git(repository, "commit", "--quiet", "-m", "more")
    (repository / "kb" / "knowledge.ttl").unlink()
    full, changed_only = validate(), validate("--changed-since", "HEAD")
    assert changed_only.output == full.output
    assert changed_only.exit_code == 1


def test_cli_reports_the_source_checks_of_a_change_as_full_validation(repository):
    shutil.copy(fixture_named("vocabulary-namespace-typo"), repository / "kb" / "typo.ttl")
    (repository / "kb" / "again.ttl").write_text(
        "@prefix kb: <https://w3id.org/nephrokb/id/> .\n"
        "@prefix nkb: <https://w3id.org/nephrokb/vocab#> .\n"
        "kb:demo-pass-wire a nkb:Step .\n",
        encoding="utf-8",
    )
    full, changed_only = validate(), validate("--changed-since", "HEAD")
    assert "KnownNamespaceRule" in full.output
    assert "OneFileDescriptionRule" in full.output
    assert changed_only.exit_code == full.exit_code == 1
    assert changed_only.output == full.output


def test_cli_without_changes_conforms(repository):
    result = validate("--changed-since", "HEAD")
    assert result.exit_code == 0
    assert result.output.startswith("Conforms: 0 violations")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--changed-since", "no-such-revision"], "unknown git revision 'no-such-revision'"),
        (["--changed-since", "--all"], "'--all' is not a git revision"),
    ],
)
def test_cli_refuses_unknown_revisions(repository, arguments, message):
    result = validate(*arguments)
    assert result.exit_code == 2
    assert message in result.output


def test_cli_refuses_standard_input_and_folders_outside_git(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(fixture_named("minimal"), tmp_path / "minimal.ttl")
    outside = CliRunner().invoke(
        main, ["validate", "--data", "minimal.ttl", "--changed-since", "HEAD"]
    )
    assert (outside.exit_code, "is not in a git repository" in outside.output) == (2, True)
    stdin = CliRunner().invoke(
        main,
        ["validate", "--data", "-", "--changed-since", "HEAD"],
        input=fixture_named("minimal").read_text(encoding="utf-8"),
    )
    assert (stdin.exit_code, "standard input has no git history" in stdin.output) == (2, True)


def test_the_bundled_shapes_read_only_what_changes_follows():
    from nephrokb.validation.engine import plan
    from nephrokb.validation.incremental import FOLLOWED_QUERIES, covers
    from nephrokb.validation.shapes import bundled_shapes

    bundled = plan(bundled_shapes(), native=True)
    assert covers(bundled)
    digests = {constraint.digest for _, constraint in bundled.constraints}
    assert digests >= FOLLOWED_QUERIES, "a followed query is no longer in the shapes"


# A shape reading a link changes.py does not follow: the labels of a step's devices.
DEVICE_LABEL_SHAPE = """@prefix nkb: <https://w3id.org/nephrokb/vocab#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:DeviceLabelledShape a sh:NodeShape ;
    sh:targetClass nkb:Step ;
    sh:sparql [
        sh:message "uses a device with no label."@en ;
        sh:select \"\"\"SELECT $this ?value WHERE {
            $this <https://w3id.org/nephrokb/vocab#usesDevice> ?value .
            FILTER NOT EXISTS { ?value <http://www.w3.org/2000/01/rdf-schema#label> ?label }
        }\"\"\"
    ] .
"""


def test_shapes_reading_other_links_make_changed_since_validate_everything(repository):
    shapes = repository / "device-label.ttl"
    shapes.write_text(DEVICE_LABEL_SHAPE, encoding="utf-8")
    knowledge = repository / "kb" / "knowledge.ttl"
    text = knowledge.read_text(encoding="utf-8")
    needle_label = '    rdfs:label "Needle"@en ;\n'
    assert needle_label in text
    knowledge.write_text(text.replace(needle_label, ""), encoding="utf-8")
    full = validate("--shapes", str(shapes))
    changed_only = validate("--shapes", str(shapes), "--changed-since", "HEAD")
    assert "uses a device with no label." in full.output
    assert changed_only.exit_code == full.exit_code == 1
    assert changed_only.output == full.output
