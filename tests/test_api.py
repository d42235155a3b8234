"""The public API as a user imports it: the names in nephrokb, and docs/api.md's examples."""

from __future__ import annotations

import doctest
import re
import subprocess
import sys
from pathlib import Path

import pytest

import nephrokb

ROOT = Path(__file__).resolve().parents[1]
API_DOC = ROOT / "docs" / "api.md"
PUBLIC = ("load", "validate", "Report", "ValidationResult", "run_query", "export", "diff")


def test_the_public_names_are_importable_from_the_package() -> None:
    code = f"from nephrokb import {', '.join(PUBLIC)}; print('ok')"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (shown.returncode, shown.stdout, shown.stderr) == (0, "ok\n", "")
    assert sorted(nephrokb.__all__) == sorted(["__version__", *PUBLIC])


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'nephrokb' has no attribute 'validat'"):
        nephrokb.validat  # noqa: B018


def test_importing_the_package_loads_no_rdf_library() -> None:
    code = "import sys, nephrokb; print([m for m in ('rdflib', 'pyshacl') if m in sys.modules])"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert shown.stdout == "[]\n"


def test_every_public_name_is_documented() -> None:
    text = API_DOC.read_text()
    for name in PUBLIC:
        assert f"`{name}" in text or f" {name}," in text


def api_examples() -> str:
    """The ```python blocks of docs/api.md, as one doctest text."""
    return "\n".join(re.findall(r"```python\n(.*?)```", API_DOC.read_text(), re.DOTALL))


def test_the_examples_in_the_api_doc_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    parser = doctest.DocTestParser()
    test = parser.get_doctest(api_examples(), {}, "docs/api.md", str(API_DOC), 0)
    assert len(test.examples) > 20
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_diff_stays_the_function_after_its_package_is_imported() -> None:
    code = (
        "import nephrokb, nephrokb.changes.compare as compare; "
        "print(nephrokb.diff is compare.diff_paths)"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert shown.stdout == "True\n"
