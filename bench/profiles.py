"""Show where the time goes: cProfile tables and import times, trimmed for RESULTS.md."""

from __future__ import annotations

import cProfile
import io
import pstats
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")
SITE_PACKAGES = re.compile(r"\S*/site-packages/")
REPOSITORY = str(Path(__file__).resolve().parents[1]) + "/"


def format_stats(stats: pstats.Stats, top: int) -> str:
    """Return the top functions by cumulative time, then by own time, with short paths."""
    text = io.StringIO()
    stats.stream = text
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(max(top // 2, 5))
    kept: list[str] = []
    for line in text.getvalue().splitlines():
        stripped = line.strip()
        if (
            not stripped
            or stripped.startswith(("Ordered by", "List reduced"))
            or stripped.endswith(".out")  # the date and file name of a saved profile
            or (stripped.endswith(" seconds") and stripped in map(str.strip, kept))
        ):
            continue
        line = SITE_PACKAGES.sub("", line).replace(REPOSITORY, "")
        kept.append(line.rstrip()[:160])
    return "\n".join(kept)


def format_profile(profiler: cProfile.Profile, top: int) -> str:
    """Return the top lines of an in-process profile."""
    return format_stats(pstats.Stats(profiler), top)


def profile_script(
    script: str, arguments: Sequence[str], *, timeout: float, top: int, cwd: Path | None = None
) -> str:
    """Run a Python script under cProfile in a child process and return its top lines."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "profile.out"
        try:
            subprocess.run(
                [sys.executable, "-m", "cProfile", "-o", str(output), script, *arguments],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
                cwd=cwd,
            )
        except subprocess.TimeoutExpired:
            return f"(the profiled run took longer than {timeout:.0f} s and was stopped)"
        if not output.exists():
            return "(the profiled run wrote no profile)"
        return format_stats(pstats.Stats(str(output)), top)


def import_times(script: str, arguments: Sequence[str], *, top: int) -> str:
    """Return the slowest top-level imports of running `script` (python -X importtime)."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", script, *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    imports = []
    for line in completed.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match:
            own, cumulative, indent, name = match.groups()
            imports.append((int(cumulative), int(own), len(indent), name))
    # Depth 0 and 1 (the script's own imports and what they import) say where the cost is.
    shown = sorted((item for item in imports if item[2] <= 3), reverse=True)[:top]
    lines = [
        f"{'cumulative':>12} {'self':>10}  module",
        *[
            f"{cumulative / 1000:>10.1f}ms {own / 1000:>8.1f}ms  {' ' * (depth - 1)}{name}"
            for cumulative, own, depth, name in shown
        ],
    ]
    total = sum(item[1] for item in imports)
    lines.append(f"total import time: {total / 1000:.1f} ms over {len(imports)} modules")
    return "\n".join(lines)
