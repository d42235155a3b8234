"""Which files commands read: the checkout's inside a checkout, else the installed copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, git
from nephrokb.cli import main
from nephrokb.resources import bundled_folder, current_checkout

REPOSITORY = Path(__file__).resolve().parents[1]
BROKEN_STEP = FIXTURES / "broken" / "step-number-gap.ttl"


def fake_checkout(root: Path, project: str = "nephrokb") -> Path:
    """Make a git repository holding ontology/, shapes/ and a kb/ with one broken file."""
    git(root, "init", "-q")
    (root / "pyproject.toml").write_text(f'[project]\nname = "{project}"\n', encoding="utf-8")
    for name in ("ontology", "shapes"):
        shutil.copytree(REPOSITORY / name, root / name)
    (root / "kb").mkdir()
    shutil.copy(BROKEN_STEP, root / "kb" / "procedure.ttl")
    (root / "docs").mkdir()
    return root


def test_inside_a_checkout_validate_reads_its_kb(tmp_path, monkeypatch):
    root = fake_checkout(tmp_path)
    monkeypatch.chdir(root / "docs")
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 1, result.output
    assert "procedure.ttl:" in result.output
    assert result.output.splitlines()[-1] == (
        "Does not conform: 1 violation, 0 warnings, 0 info (1 file, 99 triples; "
        f"knowledge from the checkout {root})."
    )


def test_inside_a_checkout_every_folder_is_the_checkouts(tmp_path, monkeypatch):
    root = fake_checkout(tmp_path)
    monkeypatch.chdir(root / "docs")
    assert current_checkout() == root
    assert [bundled_folder(name) for name in ("kb", "shapes", "ontology")] == [
        root / "kb",
        root / "shapes",
        root / "ontology",
    ]


def test_other_commands_read_the_checkouts_kb(tmp_path, monkeypatch):
    root = fake_checkout(tmp_path)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Triples: 99\n")


@pytest.mark.parametrize("project", ["someone-elses-project", None])
def test_elsewhere_validate_reads_the_installed_copy(tmp_path, monkeypatch, project):
    if project is None:  # not a git repository at all
        (tmp_path / "kb").mkdir()
        shutil.copy(BROKEN_STEP, tmp_path / "kb" / "procedure.ttl")
    else:
        fake_checkout(tmp_path, project)
    monkeypatch.chdir(tmp_path)
    assert current_checkout() is None
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Conforms: 0 violations, 0 warnings, 0 info (17 files, ")
    assert "checkout" not in result.output


def test_named_data_is_read_and_the_summary_names_no_checkout(tmp_path, monkeypatch):
    root = fake_checkout(tmp_path)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["validate", "--data", str(root / "kb")])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "Does not conform: 1 violation, 0 warnings, 0 info (1 file, 99 triples)."
    )


@pytest.mark.slow
def test_fmt_in_a_checkout_subfolder_checks_the_checkouts_folders(tmp_path, monkeypatch):
    root = fake_checkout(tmp_path)
    (root / "kb" / "procedure.ttl").write_text(
        "@prefix ex: <http://example.org/> .\nex:a   ex:b ex:c .\n", encoding="utf-8"
    )
    monkeypatch.chdir(root / "docs")
    result = CliRunner().invoke(main, ["fmt", "--check"])
    assert result.exit_code == 1
    assert result.stdout == f"would reformat {root / 'kb' / 'procedure.ttl'}\n"
