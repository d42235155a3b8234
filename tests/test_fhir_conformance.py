"""The FHIR export checked as a FHIR validator would, against the cached R5 core package."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip(
    "fhirpathpy", reason="needs the fhir extra; .ci/run runs these tests in a venv with it"
)

from conftest import FIXTURES
from nephrokb.cli import main
from nephrokb.exporters.fhir import export_fhir, fhir_bundle
from nephrokb.exporters.fhir_conformance import check_export, check_resources, has_value
from nephrokb.exporters.fhir_conformance_results import locate_failures
from nephrokb.exporters.fhir_package import (
    PACKAGE_NAME,
    PACKAGE_VARIABLE,
    PACKAGE_VERSION,
    CorePackage,
)
from nephrokb.rdf.loading import load, load_dataset
from nephrokb.resources import bundled_folder

MINIMAL = FIXTURES / "clean" / "minimal.ttl"
BROKEN = sorted((FIXTURES / "broken_fhir").glob("*.json"))


@pytest.fixture(scope="module")
def package() -> CorePackage:
    folder = os.environ.get(PACKAGE_VARIABLE)
    if not folder:
        pytest.skip(f"{PACKAGE_VARIABLE} is not set: .ci/run caches {PACKAGE_NAME} and sets it")
    return CorePackage(folder)


def test_the_package_is_the_r5_core(package: CorePackage) -> None:
    assert (package.manifest["name"], package.manifest["version"]) == (
        PACKAGE_NAME,
        PACKAGE_VERSION,
    )


def test_the_bundled_knowledge_exports_conformant_fhir(package: CorePackage) -> None:
    content, result = check_export([bundled_folder("kb")], package)
    assert content == export_fhir(load())
    assert [str(failure) for failure in result.failures] == []
    assert result.skipped == []  # every invariant and binding it meets was evaluated


@pytest.mark.parametrize("fixture", BROKEN, ids=[path.stem for path in BROKEN])
def test_a_broken_export_fails_naming_resource_path_and_knowledge(
    package: CorePackage, fixture: Path
) -> None:
    case = json.loads(fixture.read_text(encoding="utf-8"))
    knowledge = FIXTURES / case.get("knowledge", "clean/minimal.ttl")
    dataset = load_dataset([knowledge])
    bundle, origins = fhir_bundle(dataset.graph)
    edit(bundle, case["edit"])
    result = check_resources([bundle], package, origins)
    failures = locate_failures(result.failures, dataset)
    assert [str(failure) for failure in failures] == [
        case["expect"].replace("{knowledge}", str(knowledge))
    ]


def test_every_kind_of_failure_has_a_broken_fixture() -> None:
    rules = {
        json.loads(path.read_text(encoding="utf-8"))["expect"].split(": ")[1] for path in BROKEN
    }
    assert {"binding", "cardinality", "ele-1", "ext-1", "type", "unknown-element"} <= rules


def test_an_invariant_fhirpathpy_cannot_evaluate_is_listed_as_skipped(
    package: CorePackage,
) -> None:
    narrative = {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml">x</div>'}
    basic = {"resourceType": "Basic", "id": "b", "code": {"text": "x"}, "text": narrative}
    result = check_resources([basic], package)
    assert result.failures == []
    assert [str(skipped) for skipped in result.skipped] == [
        f"skipped {rule}: fhirpathpy cannot evaluate 'htmlChecks()': Not implemented: htmlChecks"
        for rule in ("txt-1", "txt-2")
    ]


def test_trace_in_an_invariant_prints_nothing(
    package: CorePackage, capsys: pytest.CaptureFixture[str]
) -> None:
    contained = {"resourceType": "Basic", "id": "c", "code": {"text": "y"}}
    basic = {"resourceType": "Basic", "id": "b", "code": {"text": "x"}, "contained": [contained]}
    result = check_resources([basic], package)
    assert [(failure.path, failure.rule) for failure in result.failures] == [("Basic", "dom-3")]
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ([], False),
        (["a"], True),
        ([False], True),
        ([None], False),
        ([{}], False),
        (["a", "b"], False),
    ],
)
def test_has_value_is_true_for_one_primitive_with_a_value(inputs: list, expected: bool) -> None:
    assert has_value(inputs) is expected


def test_a_value_set_it_cannot_expand_is_named_with_the_reason(package: CorePackage) -> None:
    assert package.expand("http://hl7.org/fhir/ValueSet/mimetypes|5.0.0") == (
        "the code system urn:ietf:bcp:13 is not in the package"
    )
    assert package.expand("http://hl7.org/fhir/ValueSet/request-priority") == {
        "http://hl7.org/fhir/request-priority": {"routine", "urgent", "asap", "stat"}
    }


def test_an_unexpandable_required_binding_is_reported_as_skipped(package: CorePackage) -> None:
    attachment = {"resourceType": "Binary", "id": "x", "contentType": "text/plain"}
    result = check_resources([attachment], package)
    assert result.failures == []
    assert [str(skipped) for skipped in result.skipped if "binding" in skipped.rule] == [
        "skipped binding http://hl7.org/fhir/ValueSet/mimetypes: cannot expand it: "
        "the code system urn:ietf:bcp:13 is not in the package"
    ]


def edit(bundle: dict, change: dict) -> None:
    """Apply one fixture edit: set or delete the value at a path in a resource."""
    resource = next(
        entry["resource"]
        for entry in bundle["entry"]
        if f"{entry['resource']['resourceType']}/{entry['resource']['id']}" == change["resource"]
    )
    *parents, last = change["path"]
    for step in parents:
        resource = resource[step]
    if change.get("delete"):
        del resource[last]
    else:
        resource[last] = change["value"]


def test_export_check_prints_the_skipped_rules_and_exits_0(package: CorePackage) -> None:
    result = CliRunner().invoke(
        main, ["export", "--format", "fhir", "--check", "--fhir-package", str(package.folder)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == export_fhir(load())
    assert result.stderr == "FHIR check: 0 failure(s), 0 rule(s) skipped\n"


def test_export_check_names_each_failure_and_exits_1(
    package: CorePackage, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_bundle(graph):
        bundle, origins = fhir_bundle(graph)
        case = FIXTURES / "broken_fhir" / "missing-status.json"
        edit(bundle, json.loads(case.read_text(encoding="utf-8"))["edit"])
        return bundle, origins

    # fhir_conformance imports fhir_bundle at its top: patch the name it calls.
    monkeypatch.setattr("nephrokb.exporters.fhir_conformance.fhir_bundle", broken_bundle)
    result = CliRunner().invoke(
        main,
        ["export", "--format", "fhir", "--check", "--data", str(MINIMAL)],
        env={PACKAGE_VARIABLE: str(package.folder)},
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[0] == (
        "PlanDefinition/demo-access PlanDefinition.status: cardinality: min is 1, found 0 "
        f"(from kb:demo-access at {MINIMAL}:18)"
    )
    assert result.stderr.splitlines()[-1] == "FHIR check: 1 failure(s), 0 rule(s) skipped"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--format", "turtle", "--check"],
            "nephrokb: error: --check checks the FHIR export only: use it with --format fhir "
            "(see 'nephrokb export --help')",
        ),
        (
            ["--format", "fhir", "--check"],
            f"nephrokb: error: --check needs the {PACKAGE_NAME} {PACKAGE_VERSION} package: unpack "
            f"it (npm pack {PACKAGE_NAME}@{PACKAGE_VERSION}) and name its folder with "
            f"--fhir-package or {PACKAGE_VARIABLE} (see 'nephrokb export --help')",
        ),
        (
            ["--format", "fhir", "--check", "--fhir-package", str(FIXTURES)],
            f"nephrokb: error: {FIXTURES} holds no FHIR package (no package/package.json); unpack "
            f"{PACKAGE_NAME} {PACKAGE_VERSION} there (npm pack {PACKAGE_NAME}@{PACKAGE_VERSION})",
        ),
    ],
    ids=["not-fhir", "no-package", "not-a-package"],
)
def test_export_check_refuses_what_it_cannot_do(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["export", *arguments], env={PACKAGE_VARIABLE: ""})
    assert (result.exit_code, result.stderr) == (2, message + "\n")
    assert result.stdout == ""
