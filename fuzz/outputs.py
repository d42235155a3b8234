"""Drive the commands that write at every kind of output, and check nothing is destroyed.

Each scenario runs export, query, fmt or site (in process, through the real command line)
at a randomly chosen output: a regular file, a symlink, a FIFO with a reader (which may
leave early), /dev/null, /dev/full, a missing folder or a read-only folder. A crash is a
traceback or an exit code other than 0, 1 or 2; a destroyed node is a FIFO, device or
symlink that is not what it was (`os.lstat` before and after).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import subprocess
import tempfile
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path

KINDS = ("file", "symlink", "fifo", "dev-null", "dev-full", "missing-folder", "read-only")
COMMANDS = ("export", "query", "fmt", "site")
EXPORT_FORMATS = ("nt", "turtle", "csv", "markdown", "jsonld")


@dataclass
class Outcome:
    """What one scenario did: its kind of output, description, and what went wrong, if anything."""

    kind: str
    description: str
    crash: str = ""
    destroyed: str = ""


class ReadOnlyFolder:
    """A folder this process cannot write into: a read-only tmpfs as root, mode 0555 otherwise.

    `why_not` says why there is none (root, and no tmpfs can be mounted here).
    """

    def __init__(self, parent: Path):
        self.path = parent / "read-only"
        self.path.mkdir()
        self.mounted = False
        self.why_not = ""
        if os.geteuid() != 0:
            (self.path / "kept.ttl").write_bytes(b"")
            self.path.chmod(0o555)
            return
        try:
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(self.path)],
                capture_output=True,
                check=True,
            )
            self.mounted = True
            (self.path / "kept.ttl").write_bytes(b"")
            subprocess.run(
                ["mount", "-o", "remount,ro", str(self.path)], capture_output=True, check=True
            )
        except (OSError, subprocess.CalledProcessError) as error:
            self.why_not = f"root cannot be denied a folder and tmpfs cannot be mounted: {error}"

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", str(self.path)], capture_output=True, check=False)
        else:
            with contextlib.suppress(OSError):
                self.path.chmod(0o755)


class FifoReader:
    """Reads a FIFO in a thread: everything, or a few bytes before leaving early."""

    def __init__(self, path: Path, limit: int | None):
        self.path = path
        self.limit = limit
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def read(self) -> None:
        with open(self.path, "rb") as stream:
            stream.read() if self.limit is None else stream.read(self.limit)

    def finish(self) -> None:
        """Wait for the reader; if nothing opened the FIFO for writing, open it so it ends."""
        for _ in range(200):
            self.thread.join(0.05)
            if not self.thread.is_alive():
                return
            with contextlib.suppress(OSError):  # ENXIO until the reader has opened its end
                os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))


def identity(path: Path | str) -> tuple[int, int, int, int] | None:
    """What a node is (type and mode, inode, device numbers), symlinks not followed."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None
    return status.st_mode, status.st_ino, status.st_dev, status.st_rdev


def run_scenario(
    rng: random.Random, input_path: Path, clean_path: Path, read_only: ReadOnlyFolder
) -> Outcome:
    """Run one random command at one random kind of output; report a crash or a destroyed node."""
    from click.testing import CliRunner

    from nephrokb.cli import main

    command = rng.choice(COMMANDS)
    kinds = [kind for kind in KINDS if not (kind == "read-only" and read_only.why_not)]
    if command == "fmt":  # fmt reads its target first: a FIFO or device is not a Turtle file
        kinds = [kind for kind in kinds if kind in ("file", "symlink", "read-only")]
    kind = rng.choice(kinds)
    data = rng.choice([input_path, clean_path])
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        target, watched, reader = prepare(kind, command, folder, data, read_only, rng)
        arguments = command_line(command, target, data, rng)
        description = f"{kind}: nephrokb {' '.join(arguments)}"
        before = {path: identity(path) for path in watched}
        try:
            result = CliRunner().invoke(main, arguments)
        finally:
            if reader is not None:
                reader.finish()
        outcome = Outcome(kind, description)
        exception = result.exception
        if exception is not None and not isinstance(exception, SystemExit):
            outcome.crash = "".join(traceback.format_exception(exception))
        elif result.exit_code not in (0, 1, 2) or "Traceback" in result.output:
            outcome.crash = f"exit code {result.exit_code}\n{result.output}"
        changed = [str(path) for path in watched if identity(path) != before[path]]
        if changed:
            outcome.destroyed = ", ".join(changed)
        return outcome


def prepare(kind, command, folder, data, read_only, rng):
    """Create the output of `kind`; return (target, nodes that must survive, FIFO reader)."""
    site = command == "site"
    name = "out" if site else "out.ttl"
    if kind == "dev-null":
        return "/dev/null", [Path("/dev/null")], None
    if kind == "dev-full":
        return "/dev/full", [Path("/dev/full")], None
    if kind == "missing-folder":
        return folder / "missing" / name, [], None
    if kind == "read-only":
        return read_only.path / ("site" if site else "kept.ttl"), [], None
    real = folder / "real" / name
    real.parent.mkdir()
    if site:
        real.mkdir()
        (real / "CNAME").write_bytes(b"kb.example.org\n")
    elif command == "fmt" or rng.random() < 0.5:
        shutil.copyfile(data, real)
    if kind == "file":
        return real, [], None
    if kind == "symlink":
        link = folder / name
        link.symlink_to(real)
        return link, [link], None
    fifo = folder / "out.fifo"
    os.mkfifo(fifo)
    reader = FifoReader(fifo, rng.choice([None, None, 0, 10]))
    return fifo, [fifo], reader


def command_line(command: str, target, data: Path, rng: random.Random) -> list[str]:
    """Return the arguments of `command` writing to `target` from `data`."""
    if command == "export":
        return [
            "export",
            "--format",
            rng.choice(EXPORT_FORMATS),
            "--data",
            str(data),
            "-o",
            str(target),
        ]
    if command == "query":
        return ["query", "procedures", "--format", "csv", "--data", str(data), "-o", str(target)]
    if command == "fmt":
        return ["fmt", str(target)]
    return ["site", "--data", str(data), "--output", str(target)]
