"""Shell completion through Click's completion API: paths, bundled query names, slugs."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.shell_completion import ShellComplete

from nephrokb.cli import main
from nephrokb.query.queries import list_bundled_queries

REPOSITORY = Path(__file__).resolve().parents[1]
FIXTURE = str(REPOSITORY / "tests" / "fixtures" / "authoring" / "renal-puncture.yaml")
KB = str(REPOSITORY / "kb")


def completions(args: list[str], incomplete: str) -> list[tuple[str, str]]:
    complete = ShellComplete(main, {}, "nephrokb", "_NEPHROKB_COMPLETE")
    return [(item.type, item.value) for item in complete.get_completions(args, incomplete)]


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--data"],
        ["export", "-f", "turtle", "--data"],
        ["fmt"],
        ["diff"],
        ["diff", "kb/"],
        ["import"],
        ["validate"],
    ],
    ids=" ".join,
)
def test_paths_complete_as_files_and_folders(args):
    assert completions(args, "k") == [("file", "k")]


def test_query_names_complete_from_the_bundled_queries():
    assert completions(["query"], "") == [("plain", query.name) for query in list_bundled_queries()]
    assert completions(["query"], "step") == [
        ("plain", "step-dependencies"),
        ("plain", "steps"),
    ]


def test_show_completes_procedure_slugs_of_the_knowledge_read():
    assert completions(["show"], "") == [
        ("plain", "antegrade-ureteral-stent-placement"),
        ("plain", "percutaneous-nephrostomy"),
    ]
    assert completions(["show", "--data", KB, "--data", FIXTURE], "r") == [
        ("plain", "renal-puncture")
    ]


def test_show_completes_nothing_when_the_knowledge_cannot_be_read():
    assert completions(["show", "--data", "no/such/folder"], "") == []
