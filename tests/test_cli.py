"""CLI behaviour shared by every command: help, and one-line errors with exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nephrokb.cli import COMMANDS as REGISTRY
from nephrokb.cli import main

COMMANDS = sorted(REGISTRY)
README = Path(__file__).parents[1] / "README.md"


def test_group_help_lists_commands():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"nephrokb {command}" in result.output


def test_missing_data_file_is_one_line_exit_2(tmp_path):
    missing = tmp_path / "nope.ttl"
    result = CliRunner().invoke(main, ["validate", "--data", str(missing)])
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {missing}: no such file or folder\n"


def test_malformed_turtle_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b \n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--data", str(bad)])
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {bad}:3: Turtle syntax error: objectList expected\n"


def test_unknown_prefix_names_file_and_line(tmp_path):
    bad = tmp_path / "prefix.ttl"
    bad.write_text("@prefix ex: <http://e/> .\n\nfoo:a ex:b ex:c .\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--data", str(bad)])
    assert result.exit_code == 2
    expected = f'nephrokb: error: {bad}:3: Turtle syntax error: Prefix "foo:" not bound\n'
    assert result.output == expected


def test_folder_without_turtle_is_refused(tmp_path):
    result = CliRunner().invoke(main, ["validate", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {tmp_path}: folder holds no Turtle (.ttl) files\n"


def test_non_utf8_file_is_refused_with_line(tmp_path):
    bad = tmp_path / "latin1.ttl"
    bad.write_bytes(b'@prefix ex: <http://e/> .\nex:a ex:b "caf\xe9" .\n')
    result = CliRunner().invoke(main, ["validate", "--data", str(bad)])
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {bad}:2: is not UTF-8 text; re-save it as UTF-8\n"


def test_unknown_option_is_a_usage_error():
    result = CliRunner().invoke(main, ["validate", "--bogus"])
    assert result.exit_code == 2
    assert result.output == (
        "nephrokb: error: No such option '--bogus'. (see 'nephrokb validate --help')\n"
    )


@pytest.mark.slow
def test_shell_completion_as_documented_in_the_readme():
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("nephrokb"))],
        env={
            **os.environ,
            "COMP_WORDS": "nephrokb va",
            "COMP_CWORD": "1",
            "_NEPHROKB_COMPLETE": "bash_complete",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.stdout == "plain,validate\n"
    assert "_NEPHROKB_COMPLETE=bash_source nephrokb" in README.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", COMMANDS)
def test_registered_help_matches_the_command(command):
    """The group lists commands from the registry; it must say what the command says."""
    loaded = main.get_command(None, command)
    assert loaded.get_short_help_str(limit=300) == REGISTRY[command][1]
