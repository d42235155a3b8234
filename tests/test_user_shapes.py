"""A user's shapes: added to the bundled ones or replacing them, in the API and the CLI."""

from __future__ import annotations

import pytest

from conftest import CLEAN, FIXTURES
from nephrokb.errors import ShapesError
from nephrokb.validation import validate

MINIMAL = next(path for path in CLEAN if path.stem == "minimal")
LABEL_MISSING = FIXTURES / "broken" / "label-missing.ttl"
PREFIXES = """@prefix ex: <http://example.org/> .
@prefix nkb: <https://w3id.org/nephrokb/vocab#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
"""
# A hospital's local profile: every procedure names its local code.
LOCAL_PROFILE = (
    PREFIXES
    + """
ex:LocalCodeShape a sh:NodeShape ;
    sh:targetClass nkb:Procedure ;
    sh:property ex:LocalCodePresentShape .
ex:LocalCodePresentShape a sh:PropertyShape ;
    sh:path ex:localCode ; sh:minCount 1 ; sh:message "has no local code."@en .
"""
)


@pytest.fixture
def local_profile(tmp_path):
    path = tmp_path / "local.ttl"
    path.write_text(LOCAL_PROFILE, encoding="utf-8")
    return path


def test_user_shapes_are_added_to_the_bundled_ones(local_profile):
    assert validate([MINIMAL]).results == ()
    report = validate([MINIMAL], shapes=[local_profile])
    assert [(result.focus, result.rule, result.message) for result in report.results] == [
        (
            f"https://w3id.org/nephrokb/id/{name}",
            "http://example.org/LocalCodePresentShape",
            "has no local code.",
        )
        for name in ("demo-access", "demo-drainage")
    ]


def test_only_shapes_replace_the_bundled_ones(local_profile):
    bundled_rules = {result.rule for result in validate([LABEL_MISSING]).results}
    assert bundled_rules == {"https://w3id.org/nephrokb/shapes#LabelShape"}
    report = validate([LABEL_MISSING], only_shapes=[local_profile.parent])
    assert {result.rule for result in report.results} == {
        "http://example.org/LocalCodePresentShape"
    }


def test_a_bad_shapes_file_names_file_and_line(tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_text(PREFIXES + "\nex:Shape a sh:NodeShape ;\n    sh:path .\n", encoding="utf-8")
    with pytest.raises(ShapesError) as caught:
        validate([MINIMAL], shapes=[path])
    assert str(caught.value).startswith(f"{path}:7: ")
