"""Atomic writes: an interrupted write never damages the file it replaces."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from nephrokb import atomic
from nephrokb.atomic import write_atomic
from nephrokb.errors import InputError

ORIGINAL = b"@prefix e: <http://example.org/> .\n\ne:a e:b e:c .\n"


def test_write_replaces_content_and_keeps_mode(tmp_path):
    target = tmp_path / "kb.ttl"
    target.write_bytes(ORIGINAL)
    os.chmod(target, 0o600)
    write_atomic(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["kb.ttl"]


def test_failure_during_write_leaves_original_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "kb.ttl"
    target.write_bytes(ORIGINAL)

    def broken_fsync(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", broken_fsync)
    with pytest.raises(InputError, match="cannot write: No space left on device"):
        write_atomic(target, b"half")
    assert target.read_bytes() == ORIGINAL
    assert [p.name for p in tmp_path.iterdir()] == ["kb.ttl"]


def test_exception_inside_the_serializer_leaves_the_file_alone(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from nephrokb.cli import main
    from nephrokb.exporters import EXPORTERS

    target = tmp_path / "out.nt"
    target.write_bytes(ORIGINAL)

    def exploding(graph):
        raise RuntimeError("serializer crashed")

    monkeypatch.setitem(EXPORTERS, "nt", exploding)
    result = CliRunner().invoke(main, ["export", "--format", "nt", "--output", str(target)])
    assert result.exit_code != 0
    assert target.read_bytes() == ORIGINAL


def test_process_killed_mid_write_leaves_the_original(tmp_path):
    target = tmp_path / "kb.ttl"
    target.write_bytes(ORIGINAL)
    script = textwrap.dedent(
        f"""
        import os, sys
        from nephrokb import atomic
        real_fsync = os.fsync
        def stall(descriptor):
            print("writing", flush=True)
            sys.stdin.read()  # wait here, mid-write, until killed
        atomic.os.fsync = stall
        atomic.write_atomic({str(target)!r}, b"x" * 1_000_000)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert child.stdout.readline() == b"writing\n"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert target.read_bytes() == ORIGINAL


def test_fmt_killed_before_rename_leaves_source_byte_identical(tmp_path):
    source = tmp_path / "kb.ttl"
    source.write_bytes(b"@prefix e: <http://example.org/> .\ne:b e:c e:d . e:a e:b e:c .\n")
    before = source.read_bytes()
    script = textwrap.dedent(
        f"""
        import os
        from nephrokb import atomic
        def die(src, dst):
            os.kill(os.getpid(), 9)
        atomic.os.replace = die
        from nephrokb.fmt import format_files
        format_files([{str(source)!r}])
        """
    )
    completed = subprocess.run([sys.executable, "-c", script], check=False)
    assert completed.returncode == -signal.SIGKILL
    assert source.read_bytes() == before
