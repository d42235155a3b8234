"""Time commands as child processes: wall time, CPU time and peak memory, with a time cap.

Each child runs in its own process group, so a timeout kills it and everything it started.
CPU time and peak memory come from the command's own rusage (`os.wait4`, in a small
launcher process: see LAUNCHER), so they are not mixed with the benchmark's other children
nor with the benchmark itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# A run longer than this is not repeated: one sample of a long run says enough, and the
# whole benchmark must fit in a short quiet window on a shared machine.
LONG_RUN_SECONDS = 10.0


@dataclass(frozen=True)
class Sample:
    """One run of a command: how long it took, the CPU it used and its peak memory."""

    wall: float
    cpu: float
    max_rss_bytes: int
    returncode: int | None
    timed_out: bool
    stderr_tail: str = ""


@dataclass
class Measurement:
    """Repeated runs of one thing, summarised by the median of the successful ones."""

    samples: list[Sample] = field(default_factory=list)
    status: str = "ok"  # "ok", "timeout", "failed: ...", "skipped: ...", "n/a ..."

    @property
    def ok(self) -> bool:
        return self.status == "ok" and bool(self.samples)

    @property
    def wall(self) -> float | None:
        return statistics.median(s.wall for s in self.samples) if self.ok else None

    @property
    def cpu(self) -> float | None:
        return statistics.median(s.cpu for s in self.samples) if self.ok else None

    @property
    def max_rss_bytes(self) -> int | None:
        return max((s.max_rss_bytes for s in self.samples), default=None)

    @classmethod
    def not_run(cls, why: str) -> Measurement:
        return cls(status=why)


# Linux charges a child the peak RSS of the process it was forked (or vforked) from, up to
# its exec: a child of the benchmark, which holds generated knowledge bases, would report
# the benchmark's own peak. So each command is started by this small Python launcher, which
# spawns the command, waits for it and writes the command's own wall time and rusage (its
# peak RSS then includes at most the launcher's ~10 MiB) to the file named first.
LAUNCHER = """\
import json, os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as report:
    json.dump([wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024], report)
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def launched(argv: Sequence[str], usage: Path) -> list[str]:
    """Return the command that runs `argv` through LAUNCHER, its usage written to `usage`."""
    return [sys.executable, "-c", LAUNCHER, str(usage), *argv]


def run_once(
    argv: Sequence[str], *, timeout: float, cwd: Path | None = None, stdout: Path | None = None
) -> Sample:
    """Run `argv` to completion (or kill it after `timeout` seconds) and return its Sample;
    its standard output goes to `stdout` if given, else nowhere."""
    with (
        open(stdout or os.devnull, "wb") as output,
        tempfile.TemporaryFile() as stderr_file,
        tempfile.TemporaryDirectory() as folder,
    ):
        usage_file = Path(folder) / "usage.json"
        start = time.perf_counter()
        process = subprocess.Popen(
            launched(argv, usage_file),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=stderr_file,
            cwd=cwd,
            start_new_session=True,
        )
        expired = threading.Event()

        def kill() -> None:
            expired.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr_file.seek(0)
        stderr_tail = stderr_file.read()[-400:].decode("utf-8", "replace")
        if usage_file.exists():
            wall, cpu, max_rss_bytes = json.loads(usage_file.read_text(encoding="utf-8"))
        else:  # stopped at the cap: the launcher's own usage, which includes the command's
            cpu, max_rss_bytes = usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024
    return Sample(
        wall=wall,
        cpu=cpu,
        max_rss_bytes=max_rss_bytes,
        returncode=None if expired.is_set() else process.returncode,
        timed_out=expired.is_set(),
        stderr_tail=stderr_tail,
    )


def measure_command(
    argv: Sequence[str],
    *,
    repeat: int,
    timeout: float,
    expect: Callable[[int], bool] = lambda code: code == 0,
    cwd: Path | None = None,
    stdout: Path | None = None,
) -> Measurement:
    """Run `argv` up to `repeat` times; stop early on a timeout, a failure or a long run.
    The last run's standard output is left in `stdout`, if given."""
    measurement = Measurement()
    for _ in range(repeat):
        sample = run_once(argv, timeout=timeout, cwd=cwd, stdout=stdout)
        measurement.samples.append(sample)
        if sample.timed_out:
            measurement.status = "timeout"
            break
        if not expect(sample.returncode):
            last_line = sample.stderr_tail.strip().splitlines()[-1:] or [""]
            measurement.status = f"failed (exit {sample.returncode}: {last_line[0][:120]})"
            break
        if sample.wall > LONG_RUN_SECONDS:
            break
    return measurement


class RunTimedOut(Exception):
    """Raised inside a timed call when its time cap is reached."""


def _raise_timeout(signum, frame):
    raise RunTimedOut


def call_once(function: Callable[[], object], *, timeout: float) -> tuple[Sample, object]:
    """Call `function` in this process, interrupting it after `timeout` seconds (main thread
    only: the cap is a SIGALRM), and return its Sample and result (None after a timeout)."""
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    result, timed_out = None, False
    try:
        result = function()
    except RunTimedOut:
        timed_out = True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    sample = Sample(
        wall=time.perf_counter() - start_wall,
        cpu=time.process_time() - start_cpu,
        max_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        returncode=None if timed_out else 0,
        timed_out=timed_out,
    )
    return sample, result


def measure_call(
    function: Callable[[], object], *, repeat: int, timeout: float
) -> tuple[Measurement, object]:
    """Call `function` up to `repeat` times in this process; return the Measurement and the
    last result. Stops early on a timeout or a long run, like measure_command."""
    measurement, result = Measurement(), None
    for _ in range(repeat):
        try:
            sample, result = call_once(function, timeout=timeout)
        except Exception as error:  # a broken call is a result of the benchmark, not a crash
            measurement.status = f"failed ({type(error).__name__}: {str(error)[:120]})"
            return measurement, None
        measurement.samples.append(sample)
        if sample.timed_out:
            measurement.status = "timeout"
            break
        if sample.wall > LONG_RUN_SECONDS:
            break
    return measurement, result
