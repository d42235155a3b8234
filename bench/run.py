"""Measure nephrokb against issue 7's targets in one run, and write bench/RESULTS.md.

Every timing that a user would see is taken on a child process (start-up, validate, the
pyshacl CLI, export); the query and export functions are timed in one child per size, side
by side with pyoxigraph on the same files. Each single run is capped (`--timeout`); a run
past the cap is recorded as "timeout". See bench/README.md for what each row means.

Example:
    python -m bench                      # sizes 10,100,1000,5000, 3 repeats, writes RESULTS.md
    python -m bench --quick              # sizes 10,100, 1 repeat, prints only
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import generate
from bench.measure import LONG_RUN_SECONDS, Measurement, Sample, measure_command
from bench.profiles import import_times, profile_script

RESULTS = Path(__file__).with_name("RESULTS.md")
ANALYSIS_MARKER = "<!-- Everything below this line is written by hand and kept across runs. -->"
PYSHACL_LARGEST = 100  # the plain pyshacl CLI takes minutes beyond this size
QUERY_SIZES = (1000, 5000)
GIB = 1024**3
MIB = 1024**2
PHASE_TIMEOUT = 120.0
SMALL_PHASE = 0.05  # seconds; shorter phases are left out of the phase tables

OXIGRAPH_EXPORT = """\
import sys, pathlib, pyoxigraph
store = pyoxigraph.Store()
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.ttl")):
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
store.dump(sys.argv[2], format=pyoxigraph.RdfFormat.TURTLE, from_graph=pyoxigraph.DefaultGraph())
"""


@dataclass
class Row:
    """One line of the results table: nephrokb against a reference on the same input."""

    section: str
    name: str
    data: str
    ours: Measurement
    reference_name: str = ""
    reference: Measurement | None = None
    triples: int | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.reference is None or not (self.ours.ok and self.reference.ok):
            return None
        return self.ours.wall / self.reference.wall if self.reference.wall else None


@dataclass
class Target:
    """One of issue 7's targets, and whether this run met it."""

    name: str
    goal: str
    measured: str
    met: bool | None  # None: could not be measured in this run
    profile_title: str = ""
    profile: str = ""


@dataclass
class Context:
    """Paths and settings shared by every measurement of a run."""

    workdir: Path
    repeat: int
    timeout: float
    python: str
    nephrokb: str
    pyshacl: str
    revision: str = ""
    rows: list[Row] = field(default_factory=list)
    triples: dict[int, int] = field(default_factory=dict)


def executable(name: str) -> str:
    """Return the console script `name` installed next to this Python, else on PATH."""
    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"bench: cannot find the '{name}' command")
    return found


def merged_turtle(files: Sequence[Path], target: Path) -> Path:
    """Write the triples of several Turtle files as one Turtle file (for the pyshacl CLI)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    for path in files:
        store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    store.dump(
        str(target), format=pyoxigraph.RdfFormat.TURTLE, from_graph=pyoxigraph.DefaultGraph()
    )
    return target


def say(message: str) -> None:
    """Report progress on standard error, so standard output holds only the table."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def measure_startup(context: Context) -> None:
    """`nephrokb --help` against `python -c "import click"`, both as fresh processes."""
    say("start-up")
    repeat = max(context.repeat * 3, 11)  # cheap, and noisy on a busy machine
    context.rows.append(
        Row(
            "Start-up",
            "`nephrokb --help`",
            "-",
            measure_command([context.nephrokb, "--help"], repeat=repeat, timeout=60),
            '`python -c "import click"`',
            measure_command([context.python, "-c", "import click"], repeat=repeat, timeout=60),
        )
    )


def measure_bundled(context: Context, shapes: Path, ontology: Path) -> None:
    """`nephrokb validate` against the pyshacl CLI on the bundled knowledge base."""
    from nephrokb.resources import bundled_files

    say("bundled knowledge base: nephrokb validate and the pyshacl CLI")
    data = merged_turtle(bundled_files("kb"), context.workdir / "bundled-kb.ttl")
    context.rows.append(
        Row(
            "Bundled KB",
            "`nephrokb validate --data kb.ttl`",
            "bundled kb/ (one file)",
            measure_command(
                [context.nephrokb, "validate", "--data", str(data)],
                repeat=context.repeat,
                timeout=context.timeout,
            ),
            "`pyshacl -s shapes.ttl -e ontology.ttl -a -i none kb.ttl`",
            measure_command(
                pyshacl_command(context, shapes, ontology, data),
                repeat=context.repeat,
                timeout=context.timeout,
            ),
            triples=count_triples([data]),
        )
    )


def pyshacl_command(context: Context, shapes: Path, ontology: Path, data: Path) -> list[str]:
    """Return the plain pyshacl CLI command for the same checks nephrokb makes."""
    return [context.pyshacl, "-s", str(shapes), "-e", str(ontology), "-a", "-i", "none", str(data)]


def count_triples(files: Sequence[Path]) -> int:
    """Return how many distinct triples the files hold."""
    import pyoxigraph

    store = pyoxigraph.Store()
    for path in files:
        store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    return len(store)


def generated(context: Context, size: int) -> Path:
    """Return the folder of the generated knowledge base of `size` procedures (made once)."""
    folder = context.workdir / f"kb-{size}"
    if size not in context.triples:
        say(f"generating N={size}")
        context.triples[size] = generate(folder, size).triples
    return folder


def measure_validation(context: Context, sizes: Sequence[int], shapes: Path, ontology: Path):
    """`nephrokb validate --data DIR` at every size; the pyshacl CLI on the small ones."""
    for size in sizes:
        folder = generated(context, size)
        say(f"N={size}: nephrokb validate")
        ours = measure_command(
            [context.nephrokb, "validate", "--data", str(folder)],
            repeat=context.repeat,
            timeout=context.timeout,
        )
        if size <= PYSHACL_LARGEST:
            say(f"N={size}: pyshacl CLI")
            data = merged_turtle(sorted(folder.glob("*.ttl")), context.workdir / f"kb-{size}.ttl")
            reference = measure_command(
                pyshacl_command(context, shapes, ontology, data),
                repeat=context.repeat,
                timeout=context.timeout,
            )
        else:
            reference = Measurement.not_run(f"skipped (N > {PYSHACL_LARGEST}: too slow)")
        context.rows.append(
            Row(
                "Full validation",
                "`nephrokb validate --data DIR`",
                f"N={size}",
                ours,
                "pyshacl CLI",
                reference,
                triples=context.triples[size],
            )
        )


CHANGED_ONLY = "`nephrokb validate --changed-since HEAD` (one file edited; "


def measure_changed_only(context: Context, size: int) -> None:
    """`nephrokb validate --changed-since` after editing one file, if the option exists."""
    help_text = subprocess.run(
        [context.nephrokb, "validate", "--help"], capture_output=True, text=True, check=False
    ).stdout
    if "--changed-since" not in help_text:
        context.rows.append(
            Row(
                "Full validation",
                "`nephrokb validate --changed-since` (one file edited)",
                f"N={size}",
                Measurement.not_run("n/a (not built)"),
            )
        )
        return
    say(f"N={size}: nephrokb validate --changed-since")
    repository = context.workdir / f"changed-{size}"
    shutil.copytree(generated(context, size), repository / "kb", dirs_exist_ok=True)
    git = [
        "git",
        "-C",
        str(repository),
        "-c",
        "user.name=bench",
        "-c",
        "user.email=bench@localhost",
    ]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "kb"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "generated"], check=True)
    # Change one triple (a procedure's definition), as an edit by a curator would.
    edited = repository / "kb" / "procedures-000.ttl"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace('"A synthetic ', '"An edited synthetic ', 1), encoding="utf-8")
    full = find(context.rows, "Full validation", f"N={size}", "`nephrokb validate --data")
    command = [context.nephrokb, "validate", "--data", "kb", "--changed-since", "HEAD"]
    cache = context.workdir / f"cache-{size}"
    shutil.rmtree(cache, ignore_errors=True)
    with cache_folder(cache):
        # The first run parses every file into the cache; later runs read only the edit.
        for name, repeat in (("cold cache: first run fills it", 1), ("warm cache", context.repeat)):
            context.rows.append(
                Row(
                    "Full validation",
                    f"{CHANGED_ONLY}{name})",
                    f"N={size}",
                    measure_command(
                        command, repeat=repeat, timeout=context.timeout, cwd=repository
                    ),
                    "full validation (row above)",
                    full.ours if full else None,
                    triples=context.triples[size],
                )
            )


@contextlib.contextmanager
def cache_folder(folder: Path) -> Iterator[None]:
    """Point nephrokb's cache of parsed files (NEPHROKB_CACHE_DIR) at `folder` meanwhile."""
    before = os.environ.get("NEPHROKB_CACHE_DIR")
    os.environ["NEPHROKB_CACHE_DIR"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            del os.environ["NEPHROKB_CACHE_DIR"]
        else:
            os.environ["NEPHROKB_CACHE_DIR"] = before


def measure_queries(context: Context, size: int) -> None:
    """Loading, each bundled query and Turtle export, in a child, against pyoxigraph."""
    folder = generated(context, size)
    say(f"N={size}: queries and export, in process, against pyoxigraph")
    lines = run_child(
        [
            context.python,
            "-m",
            "bench.inprocess",
            str(folder),
            "--repeat",
            str(context.repeat),
            "--timeout",
            str(context.timeout),
        ],
        # A generous cap for the whole child: every row has its own cap inside it.
        timeout=context.timeout * 6,
    )
    for line in lines:
        row = json.loads(line)
        context.rows.append(
            Row(
                "Queries and export",
                row["name"],
                f"N={size}",
                measurement_from_json(row["nephrokb"]),
                "pyoxigraph",
                measurement_from_json(row["pyoxigraph"]),
                triples=row.get("triples") or context.triples[size],
                note=size_note(row),
            )
        )
    say(f"N={size}: nephrokb export --format turtle, end to end")
    output = context.workdir / f"export-{size}.ttl"
    context.rows.append(
        Row(
            "Queries and export",
            "`nephrokb export --format turtle --data DIR -o F` (end to end)",
            f"N={size}",
            measure_command(
                [
                    context.nephrokb,
                    "export",
                    "--format",
                    "turtle",
                    "--data",
                    str(folder),
                    "--output",
                    str(output),
                ],
                repeat=context.repeat,
                timeout=context.timeout,
            ),
            "pyoxigraph load + dump script",
            measure_command(
                [context.python, "-c", OXIGRAPH_EXPORT, str(folder), str(output) + ".ox"],
                repeat=context.repeat,
                timeout=context.timeout,
            ),
            triples=context.triples[size],
        )
    )


def size_note(row: dict) -> str:
    """Say how many rows each side returned when they differ (they should not)."""
    ours, theirs = row.get("nephrokb_size"), row.get("pyoxigraph_size")
    if ours is None or theirs is None or row["name"].startswith("export"):
        return f"{ours} rows" if ours is not None and not row["name"].startswith("export") else ""
    return f"{ours} rows" if ours == theirs else f"row counts differ: {ours} vs {theirs}"


def run_child(argv: Sequence[str], *, timeout: float) -> list[str]:
    """Run a bench child process and return its JSON lines, even the ones before a timeout."""
    with tempfile.TemporaryFile("w+") as output:
        try:
            subprocess.run(
                list(argv), stdout=output, stderr=subprocess.DEVNULL, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            say(f"child {argv[2]} stopped after {timeout:.0f} s")
        output.seek(0)
        return [line for line in output.read().splitlines() if line.startswith("{")]


def measurement_from_json(data: dict) -> Measurement:
    """Rebuild a Measurement from a child's JSON line."""
    samples = [Sample(s["wall"], s["cpu"], s["max_rss_bytes"], 0, False) for s in data["samples"]]
    return Measurement(samples=samples, status=data["status"])


def validation_phases(context: Context, size: int) -> list[dict]:
    """Time the phases of validation at `size` in a child (each phase capped)."""
    folder = generated(context, size)
    say(f"N={size}: validation phases")
    lines = run_child(
        [context.python, "-m", "bench.phases", str(folder), "--timeout", str(PHASE_TIMEOUT)],
        timeout=PHASE_TIMEOUT * 25,
    )
    return [json.loads(line) for line in lines]


def seconds(measurement: Measurement | None) -> str:
    """Format a measurement's median wall time, or why there is none."""
    if measurement is None:
        return ""
    if not measurement.ok:
        return measurement.status
    value = measurement.wall
    text = f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    return text if len(measurement.samples) == 1 else f"{text} (n={len(measurement.samples)})"


def timeout_text(measurement: Measurement, timeout: float) -> str:
    """Say that a measurement hit the cap, or give its status."""
    return f"timeout (> {timeout:.0f} s)" if measurement.status == "timeout" else measurement.status


def memory(measurement: Measurement | None) -> str:
    """Format a measurement's peak memory."""
    if measurement is None or measurement.max_rss_bytes is None:
        return ""
    return f"{measurement.max_rss_bytes / MIB:,.0f} MiB"


def results_table(rows: Sequence[Row], timeout: float) -> str:
    """Return the results as one Markdown table."""
    lines = [
        "| section | measurement | data | triples | nephrokb | CPU | peak RSS | reference | "
        "reference time | ratio | note |",
        "|---|---|---|--:|--:|--:|--:|---|--:|--:|---|",
    ]
    for row in rows:
        ours = (
            seconds(row.ours) if row.ours.status != "timeout" else timeout_text(row.ours, timeout)
        )
        reference = (
            ""
            if row.reference is None
            else seconds(row.reference)
            if row.reference.status != "timeout"
            else timeout_text(row.reference, timeout)
        )
        cpu = f"{row.ours.cpu:.2f} s" if row.ours.ok else ""
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
        triples = f"{row.triples:,}" if row.triples else ""
        lines.append(
            f"| {row.section} | {row.name} | {row.data} | {triples} | {ours} | {cpu} | "
            f"{memory(row.ours)} | {row.reference_name} | {reference} | {ratio} | {row.note} |"
        )
    return "\n".join(lines)


def find(rows: Sequence[Row], section: str, data: str, name_start: str = "") -> Row | None:
    """Return the first row of `section` on `data` whose name starts with `name_start`."""
    return next(
        (
            r
            for r in rows
            if r.section == section and r.data == data and r.name.startswith(name_start)
        ),
        None,
    )


def evaluate_targets(context: Context, sizes: Sequence[int]) -> list[Target]:
    """Compare the measurements with issue 7's targets."""
    rows = context.rows
    targets = []
    startup = find(rows, "Start-up", "-")
    if startup:
        targets.append(
            ratio_target(
                "`nephrokb --help` within 1.5x of `import click`", 1.5, startup, context.timeout
            )
        )
    bundled = find(rows, "Bundled KB", "bundled kb/ (one file)")
    if bundled:
        targets.append(
            ratio_target(
                "validate <= 0.5x the pyshacl CLI on the bundled KB", 0.5, bundled, context.timeout
            )
        )
    full = {
        size: find(rows, "Full validation", f"N={size}", "`nephrokb validate --data")
        for size in sizes
    }
    for size, limit in ((1000, 10.0), (5000, 60.0)):
        row = full.get(size)
        if row is not None:
            met = row.ours.ok and row.ours.wall <= limit
            targets.append(
                Target(
                    f"full validation at N={size} <= {limit:.0f} s",
                    f"<= {limit:.0f} s",
                    seconds(row.ours) if row.ours.ok else timeout_text(row.ours, context.timeout),
                    met,
                )
            )
    if full.get(1000) is not None and full.get(5000) is not None:
        small, large = full[1000].ours, full[5000].ours
        if small.ok and large.ok:
            growth = large.wall / small.wall
            targets.append(
                Target("growth N=1000 -> 5000 <= 5.5x", "<= 5.5x", f"{growth:.2f}x", growth <= 5.5)
            )
        else:
            targets.append(
                Target(
                    "growth N=1000 -> 5000 <= 5.5x", "<= 5.5x", "not measurable (timeout)", False
                )
            )
    largest = max((size for size in sizes if size in QUERY_SIZES), default=None)
    if largest is not None:
        query_rows = [
            r
            for r in rows
            if r.section == "Queries and export"
            and r.data == f"N={largest}"
            and (r.name.startswith(("query", "export turtle")))
        ]
        worst = max(query_rows, key=lambda r: r.ratio or float("inf"), default=None)
        if worst is not None:
            ratios = [r.ratio for r in query_rows]
            met = all(ratio is not None and ratio <= 2 for ratio in ratios)
            slower = sum(1 for ratio in ratios if ratio is None or ratio > 2)
            measured = f"{slower} of {len(query_rows)} rows over 2x; worst: {worst.name} " + (
                f"{worst.ratio:,.0f}x" if worst.ratio is not None else worst.ours.status
            )
            targets.append(
                Target(
                    f"queries and export at N={largest} within 2x of pyoxigraph",
                    "<= 2x",
                    measured,
                    met,
                )
            )
    warm = find(rows, "Full validation", "N=5000", CHANGED_ONLY + "warm cache")
    if warm is not None:
        targets.append(
            Target(
                "changed-only validation of one edited procedure at N=5000 <= 1 s (warm cache)",
                "<= 1 s",
                seconds(warm.ours) if warm.ours.ok else timeout_text(warm.ours, context.timeout),
                warm.ours.ok and warm.ours.wall <= 1.0,
            )
        )
    row = full.get(5000)
    if row is not None and row.ours.max_rss_bytes is not None:
        peak = row.ours.max_rss_bytes
        finished = row.ours.ok
        targets.append(
            Target(
                "peak memory of validate at N=5000 < 2 GiB",
                "< 2 GiB",
                f"{peak / GIB:.2f} GiB" + ("" if finished else " when stopped (a lower bound)"),
                peak < 2 * GIB if finished else (False if peak >= 2 * GIB else None),
            )
        )
    return targets


def ratio_target(name: str, limit: float, row: Row, timeout: float) -> Target:
    """Compare a row's ratio with `limit`; a reference that timed out still bounds it."""
    ratio = row.ratio
    if ratio is None and row.ours.ok and row.reference and row.reference.status == "timeout":
        bound = row.ours.wall / timeout
        return Target(
            name,
            f"<= {limit}x",
            f"< {bound:.2f}x ({seconds(row.ours)} vs {timeout_text(row.reference, timeout)})",
            True if bound <= limit else None,
        )
    if ratio is None:
        return Target(name, f"<= {limit}x", "not measurable", None)
    return Target(
        name,
        f"<= {limit}x",
        f"{ratio:.2f}x ({seconds(row.ours)} vs {seconds(row.reference)})",
        ratio <= limit,
    )


def collect_profiles(context: Context, targets: Sequence[Target], sizes: Sequence[int]) -> None:
    """Attach a profile to every missed (or unmeasurable) target, showing where time goes."""
    phases: dict[int, list[dict]] = {}
    validation_profile: list[str] = []

    def phases_at(size: int) -> list[dict]:
        if size not in phases:
            phases[size] = validation_phases(context, size)
        return phases[size]

    for target in targets:
        if target.met:
            continue
        if target.name.startswith("`nephrokb --help`"):
            say("profiling: imports of nephrokb --help")
            target.profile_title = "python -X importtime nephrokb --help (slowest imports)"
            target.profile = import_times(context.nephrokb, ["--help"], top=15)
        elif target.name.startswith("validate <="):
            say("profiling: nephrokb validate on the bundled KB")
            target.profile_title = "cProfile of nephrokb validate --data kb.ttl (bundled KB)"
            target.profile = profile_script(
                context.nephrokb,
                ["validate", "--data", str(context.workdir / "bundled-kb.ttl")],
                timeout=context.timeout,
                top=25,
            )
        elif target.name.startswith(("full validation", "growth", "peak memory")):
            compared = [size for size in (100, 1000) if size in sizes] or [min(sizes)]
            target.profile_title = "validation phases (each capped at {:.0f} s), N={}".format(
                PHASE_TIMEOUT, " vs N=".join(map(str, compared))
            )
            target.profile = phase_table({size: phases_at(size) for size in compared})
            if not validation_profile:
                size = compared[-1]
                say(f"profiling: nephrokb validate at N={size}")
                validation_profile.append(
                    f"cProfile of `nephrokb validate --data DIR` at N={size}:\n\n"
                    + profile_script(
                        context.nephrokb,
                        ["validate", "--data", str(generated(context, size))],
                        timeout=context.timeout,
                        top=30,
                    )
                )
            target.profile += "\n\n" + validation_profile[0]
        elif target.name.startswith("changed-only"):
            say("profiling: nephrokb validate --changed-since at N=5000 (warm cache)")
            target.profile_title = "cProfile of `nephrokb validate --changed-since HEAD`, N=5000"
            with cache_folder(context.workdir / "cache-5000"):
                target.profile = profile_script(
                    context.nephrokb,
                    ["validate", "--data", "kb", "--changed-since", "HEAD"],
                    timeout=context.timeout,
                    top=30,
                    cwd=context.workdir / "changed-5000",
                )
        elif target.name.startswith("queries and export"):
            size = 1000 if 1000 in sizes else min(sizes)
            folder = generated(context, size)
            say(f"profiling: slowest query and export at N={size}")
            slowest = slowest_query(context.rows, size)
            parts = []
            for name in (f"query:{slowest}" if slowest else None, "export", "load"):
                if name is None:
                    continue
                text = run_child_text(
                    [context.python, "-m", "bench.inprocess", str(folder), "--profile", name],
                    timeout=context.timeout,
                )
                parts.append(f"--- {name} at N={size} ---\n{text}")
            target.profile_title = f"cProfile of the nephrokb side at N={size}"
            target.profile = "\n\n".join(parts)


def slowest_query(rows: Sequence[Row], size: int) -> str | None:
    """Return the bundled query with the worst ratio to pyoxigraph at `size`."""
    candidates = [
        r for r in rows if r.data == f"N={size}" and r.name.startswith("query ") and r.ratio
    ]
    worst = max(candidates, key=lambda r: r.ratio, default=None)
    return worst.name.removeprefix("query ") if worst else None


def run_child_text(argv: Sequence[str], *, timeout: float) -> str:
    """Run a bench child process and return what it printed."""
    try:
        completed = subprocess.run(
            list(argv), capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return f"(stopped after {timeout:.0f} s)"
    return completed.stdout.strip() or completed.stderr.strip()[-2000:]


def phase_table(phases: dict[int, list[dict]]) -> str:
    """Return the phases of validation at each size side by side, with their growth."""
    sizes = sorted(phases)
    names = list(dict.fromkeys(p["phase"] for size in sizes for p in phases[size]))
    header = "phase".ljust(58) + "".join(f"{'N=' + str(size):>14}" for size in sizes)
    header += "   growth   peak RSS after" if len(sizes) == 2 else ""
    lines = [header]
    omitted = 0
    for name in names:
        entries = [next((p for p in phases[size] if p["phase"] == name), None) for size in sizes]
        if all(e and e["status"] == "ok" and e["wall"] < SMALL_PHASE for e in entries):
            omitted += 1
            continue
        cells, values = [], []
        for size in sizes:
            entry = next((p for p in phases[size] if p["phase"] == name), None)
            if entry is None:
                cells.append(f"{'-':>14}")
                values.append(None)
            elif entry["status"] != "ok":
                cells.append(f"{entry['status'][:13]:>14}")
                values.append(None)
            else:
                cells.append(f"{entry['wall']:>12.2f} s")
                values.append(entry["wall"])
        line = name[:57].ljust(58) + "".join(cells)
        if len(sizes) == 2:
            growth = f"{values[1] / values[0]:.1f}x" if all(values) and values[0] > 0 else ""
            last = next((p for p in phases[sizes[-1]] if p["phase"] == name), {})
            rss = last.get("max_rss_bytes")
            line += f"{growth:>9}" + (f"{rss / MIB:>12,.0f} MiB" if rss else "")
        lines.append(line)
    if omitted:
        lines.append(f"({omitted} phases under {SMALL_PHASE} s at every size not shown)")
    return "\n".join(lines)


def revision() -> str:
    """Return the git revision of the working tree (with -dirty when files are modified)."""
    described = subprocess.run(
        ["git", "-C", str(RESULTS.parents[1]), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return described or "unknown"


def machine_facts(context: Context) -> list[tuple[str, str]]:
    """Return what the numbers depend on: hardware, versions, load, revision."""

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    memory_total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return [
        ("date", datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        ("nproc", str(os.cpu_count())),
        ("memory", f"{memory_total / GIB:.1f} GiB"),
        ("platform", platform.platform()),
        ("python", platform.python_version()),
        *[(name, version(name)) for name in ("rdflib", "pyshacl", "pyoxigraph", "click")],
        ("nephrokb revision at start / end", f"{context.revision} / {revision()}"),
        ("repeats, cap per run", f"{context.repeat}, {context.timeout:.0f} s"),
    ]


def render(
    context: Context,
    targets: Sequence[Target],
    facts: list[tuple[str, str]],
    command: str,
) -> str:
    """Return the generated part of RESULTS.md."""
    parts = [
        "# nephrokb benchmark results",
        "",
        f"Written by `{command}` (bench/run.py); bench/README.md explains each row. Times are "
        "medians of wall-clock time over the successful runs (n shown when more than one), "
        "CPU is the median user+system time of the same runs, peak RSS the largest "
        "`ru_maxrss` of them. A run that takes longer than "
        f"{LONG_RUN_SECONDS:.0f} s is not repeated. Generated knowledge bases: bench/generate.py.",
        "",
        "## Machine",
        "",
        "| fact | value |",
        "|---|---|",
        *[f"| {name} | {value} |" for name, value in facts],
        "",
        "## Results",
        "",
        results_table(context.rows, context.timeout),
        "",
        "## Issue 7 targets",
        "",
        "| target | goal | measured | met |",
        "|---|---|---|---|",
        *[
            f"| {t.name} | {t.goal} | {t.measured} | "
            f"{'met' if t.met else 'MISSED' if t.met is False else 'not measured'} |"
            for t in targets
        ],
        "",
        "## Profiles of the missed targets",
        "",
    ]
    missed = [t for t in targets if not t.met and t.profile]
    if not missed:
        parts.append("Every measured target was met.")
    shown: dict[str, str] = {}
    for target in missed:
        if target.profile in shown:
            parts += [f"### {target.name}", "", f"Same profile as for {shown[target.profile]}.", ""]
            continue
        shown[target.profile] = f"'{target.name}'"
        parts += [
            f"### {target.name}: {target.profile_title}",
            "",
            "```",
            target.profile,
            "```",
            "",
        ]
    return "\n".join(parts).rstrip() + "\n"


def kept_analysis(path: Path) -> str:
    """Return the hand-written part of an existing RESULTS.md (after the marker), if any."""
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8")
    _, marker, rest = text.partition(ANALYSIS_MARKER)
    return rest if marker else ""


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes", default="10,100,1000,5000", help="procedure counts (%(default)s)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (%(default)s)")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="cap per single run, seconds (%(default)s)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="sizes 10,100, one run each, 120 s cap; print only"
    )
    parser.add_argument("--output", type=Path, help=f"write the results here (default: {RESULTS})")
    parser.add_argument("--no-profiles", action="store_true", help="skip profiling missed targets")
    parser.add_argument(
        "--workdir", type=Path, help="keep generated files here (default: a temporary folder)"
    )
    arguments = parser.parse_args(argv)
    if arguments.quick:
        arguments.sizes, arguments.repeat, arguments.timeout = "10,100", 1, 120.0
    output = arguments.output or (None if arguments.quick else RESULTS)
    sizes = sorted({int(size) for size in arguments.sizes.split(",")})
    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])

    workdir = arguments.workdir or Path(tempfile.mkdtemp(prefix="nephrokb-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    context = Context(
        workdir=workdir,
        repeat=arguments.repeat,
        timeout=arguments.timeout,
        python=sys.executable,
        nephrokb=executable("nephrokb"),
        pyshacl=executable("pyshacl"),
        revision=revision(),
    )
    try:
        from nephrokb.resources import bundled_files

        load_before = os.getloadavg()
        shapes = merged_turtle(bundled_files("shapes"), workdir / "shapes.ttl")
        ontology = merged_turtle(bundled_files("ontology"), workdir / "ontology.ttl")
        measure_startup(context)
        measure_bundled(context, shapes, ontology)
        measure_validation(context, sizes, shapes, ontology)
        for size in [size for size in sizes if size >= 1000] or [max(sizes)]:
            measure_changed_only(context, size)
        for size in [size for size in sizes if size in QUERY_SIZES] or [max(sizes)]:
            measure_queries(context, size)
        targets = evaluate_targets(context, sizes)
        if not arguments.no_profiles:
            collect_profiles(context, targets, sizes)
        load_after = os.getloadavg()
        facts = machine_facts(context)
        facts.append(
            (
                "load average (1, 5, 15 min) before / after",
                " / ".join(
                    ", ".join(f"{x:.2f}" for x in load) for load in (load_before, load_after)
                ),
            )
        )
        text = render(context, targets, facts, command)
    finally:
        if arguments.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(text)
    if output is not None:
        analysis = kept_analysis(output)
        output.write_text(text + "\n" + ANALYSIS_MARKER + (analysis or "\n"), encoding="utf-8")
        say(f"wrote {output}")
