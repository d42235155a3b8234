"""Python ports of SPARQL constraints stand only for the exact query they were written for."""

from __future__ import annotations

import shutil

from conftest import FIXTURES
from nephrokb.resources import bundled_files
from nephrokb.validation import native_checks, sparql_constraints
from nephrokb.validation.engine import validate
from nephrokb.validation.plan import make_plan
from nephrokb.validation.shapes import bundled_shapes

SELF_DEPENDENCY = FIXTURES / "broken" / "depends-on-itself.ttl"
CYCLE = "SELECT $this WHERE { $this nkb:dependsOn+ $this . }"
ACYCLIC = "https://w3id.org/nephrokb/shapes#AcyclicDependencyShape"
CYCLE_START = "$this nkb:dependsOn+ $this .\n"  # as order.ttl writes AcyclicDependencyShape


def acyclic_digest() -> str:
    return next(
        constraint.digest
        for _, constraint in make_plan(bundled_shapes().shapes, native=True).constraints
        if str(constraint.shape) == ACYCLIC
    )


def test_every_port_matches_a_bundled_constraint():
    digests = {
        constraint.digest: str(constraint.shape)
        for _, constraint in make_plan(bundled_shapes().shapes, native=True).constraints
    }
    unmatched = sorted(set(native_checks.NATIVE_CHECKS) - set(digests))
    listing = "\n".join(f"{digest} {shape}" for digest, shape in sorted(digests.items()))
    assert not unmatched, f"ports written for no bundled query: {unmatched}\n{listing}"
    assert len(native_checks.NATIVE_CHECKS) == 8


def test_digest_ignores_layout_but_not_content():
    prefixes = {"nkb": "https://w3id.org/nephrokb/vocab#"}
    digest = sparql_constraints.query_digest(CYCLE, prefixes)
    relaid = "SELECT $this\n  WHERE {\n\t$this nkb:dependsOn+ $this .\n}\n"
    assert sparql_constraints.query_digest(relaid, prefixes) == digest
    assert sparql_constraints.query_digest(CYCLE.replace("+", "*"), prefixes) != digest
    assert sparql_constraints.query_digest(CYCLE, {"nkb": "http://example.org/"}) != digest
    quoted = 'SELECT $this WHERE { $this ?p "a  b" }'
    assert sparql_constraints.query_digest(quoted, {}) != sparql_constraints.query_digest(
        quoted.replace("a  b", "a b"), {}
    )


def shapes_with_edit(tmp_path, old: str, new: str):
    folder = tmp_path / "shapes"
    folder.mkdir()
    for path in bundled_files("shapes"):
        shutil.copy(path, folder / path.name)
    order = folder / "order.ttl"
    text = order.read_text(encoding="utf-8")
    assert old in text
    order.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def rules(report):
    return sorted(
        (result.focus.rsplit("/", 1)[1], result.rule.rsplit("#", 1)[1]) for result in report.results
    )


def test_an_edited_ported_query_runs_as_sparql(tmp_path):
    before = [
        rule for rule in rules(validate([SELF_DEPENDENCY])) if rule[1] == "AcyclicDependencyShape"
    ]
    assert before == [("demo-pass-wire", "AcyclicDependencyShape")]
    edited = shapes_with_edit(tmp_path, CYCLE_START, CYCLE_START + "    FILTER (false)\n")
    after = validate([SELF_DEPENDENCY], only_shapes=[edited])
    assert ACYCLIC not in {result.rule for result in after.results}
    assert rules(after) == [
        rule for rule in rules(validate([SELF_DEPENDENCY])) if rule[1] != "AcyclicDependencyShape"
    ]


def test_a_relaid_ported_query_keeps_its_port(tmp_path, monkeypatch):
    edited = shapes_with_edit(tmp_path, CYCLE_START, "$this\n    nkb:dependsOn+\n    $this .\n")
    calls = []
    digest = acyclic_digest()
    original = native_checks.NATIVE_CHECKS[digest]
    monkeypatch.setitem(
        native_checks.NATIVE_CHECKS, digest, lambda graph: calls.append(1) or original(graph)
    )
    report = validate([SELF_DEPENDENCY], only_shapes=[edited])
    assert calls == [1]
    assert ("demo-pass-wire", "AcyclicDependencyShape") in rules(report)
