"""Progress shows on a terminal (a pseudo-terminal here), never in piped output or with --quiet."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

MINIMAL = Path(__file__).parent / "fixtures" / "clean" / "minimal.ttl"
COMMAND = [sys.executable, "-c", "from nephrokb.cli import main; main()"]


def stderr_on_a_terminal(arguments: list[str]) -> bytes:
    """Run nephrokb with stderr on a pseudo-terminal; return what it wrote there."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*COMMAND, *arguments], stdout=subprocess.DEVNULL, stderr=follower, stdin=subprocess.DEVNULL
    )
    os.close(follower)
    written = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        written += chunk
    process.wait(timeout=60)
    os.close(leader)
    return written


@pytest.mark.slow
@pytest.mark.parametrize(
    ("arguments", "stage"),
    [
        (["validate", "--data", str(MINIMAL)], b"Validating"),
        (["export", "-f", "turtle", "--data", str(MINIMAL)], b"Exporting turtle"),
    ],
)
def test_progress_shows_on_a_terminal(arguments, stage):
    assert stage in stderr_on_a_terminal(arguments)


@pytest.mark.slow
def test_quiet_shows_no_progress_on_a_terminal():
    written = stderr_on_a_terminal(["validate", "--quiet", "--data", str(MINIMAL)])
    assert b"Validating" not in written


@pytest.mark.slow
def test_piped_output_shows_no_progress():
    result = subprocess.run(
        [*COMMAND, "validate", "--data", str(MINIMAL)], capture_output=True, check=False
    )
    assert result.returncode == 0
    assert result.stderr == b""
    assert result.stdout.startswith(b"Conforms:")
