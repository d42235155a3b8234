"""Measure nephrokb against issues 7 and 18's targets in one run; write bench/RESULTS.md.

Every timing that a user would see is taken on a child process (start-up, validate, the
peer SHACL engines, query, export, site, diff), with its CPU time and peak memory from the
child's own rusage; the query and export functions are also timed in one child per size,
side by side with pyoxigraph on the same files. Each single run is capped (`--timeout`, and
`--peer-timeout` for the peer engines); a run past the cap is recorded as "timeout". See
bench/README.md for what each row means.

Example:
    python -m bench                      # sizes 100,1000,5000,10000; writes RESULTS.md
    python -m bench --quick              # size 100, peers on N=1, 1 repeat, prints only
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
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import generate
from bench.measure import LONG_RUN_SECONDS, Measurement, Sample, launched, measure_command
from bench.peers import (
    results_in_jena_report,
    results_in_nephrokb_text,
    results_in_pyshacl_output,
)
from bench.profiles import import_times, profile_script
from nephrokb.rdf.sources import MAX_INPUT_VARIABLE

RESULTS = Path(__file__).with_name("RESULTS.md")
ANALYSIS_MARKER = "<!-- Everything below this line is written by hand and kept across runs. -->"
PYSHACL_LARGEST = 100  # the plain pyshacl CLI takes minutes beyond this size
QUERY_SIZES = (1000, 5000)
PEER_SIZES = (1, 100, 1000, 5000)
PEER_BROKEN_SIZES = (100,)  # broken inputs, so that agreement is shown on non-zero counts
BROKEN_SIZES = (1000, 5000)
BROKEN_SHARE = 0.1
SITE_DIFF_SIZE = 2000  # issue 18's site and diff targets are set at 2,000 procedures
EXPORT_FORMATS = ("turtle", "markdown", "csv", "dot", "mermaid")
GROWTH_QUERY = "provenance"  # the bundled query with the most rows
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

OXIGRAPH_PARSE = """\
import sys, pathlib, pyoxigraph
store = pyoxigraph.Store()
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.ttl")):
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
"""

OXIGRAPH_QUERY = """\
import sys, pathlib, pyoxigraph
store = pyoxigraph.Store()
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.ttl")):
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
solutions = store.query(pathlib.Path(sys.argv[2]).read_text(encoding="utf-8"))
solutions.serialize(sys.argv[3], format=pyoxigraph.QueryResultsFormat.CSV)
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
    """One of the targets, and whether this run met it: on wall time and, for time targets,
    on CPU time too (which other jobs on a shared machine disturb far less)."""

    name: str
    goal: str
    measured: str
    met: bool | None  # None: could not be measured in this run
    profile_title: str = ""
    profile: str = ""
    cpu_measured: str = ""
    cpu_met: bool | None = None


@dataclass
class PeerRow:
    """One SHACL engine on one input: its time, memory and how many results it reported."""

    data: str
    triples: int
    engine: str
    measurement: Measurement
    results: int | None = None
    note: str = ""


@dataclass
class Context:
    """Paths and settings shared by every measurement of a run."""

    workdir: Path
    repeat: int
    timeout: float
    peer_timeout: float
    python: str
    nephrokb: str
    pyshacl: str
    sizes: Sequence[int] = ()
    peer_sizes: Sequence[int] = ()
    jena_classpath: str | None = None
    revision: str = ""
    rows: list[Row] = field(default_factory=list)
    growth: list[Row] = field(default_factory=list)
    peers: list[PeerRow] = field(default_factory=list)
    triples: dict[int, int] = field(default_factory=dict)
    broken: dict[int, tuple[int, int]] = field(default_factory=dict)  # (broken, all) nodes
    loads: list[float] = field(default_factory=list)  # 1-minute load average, per measurement


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


def summary(measurement: Measurement) -> str:
    """One measurement in a few words, for the progress lines."""
    if not measurement.ok:
        return measurement.status
    return f"{seconds(measurement)}, CPU {measurement.cpu:.2f} s, {memory(measurement)}"


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


@dataclass(frozen=True)
class PeerInput:
    """One input every SHACL engine validates: a single Turtle file and what it holds."""

    data: str  # how the tables name it
    path: Path
    triples: int
    size: int | None  # procedures, for generated knowledge bases
    broken: bool = False


@dataclass(frozen=True)
class PeerEngine:
    """A SHACL engine run as a command; `count` reads its result count from what it wrote."""

    name: str
    command: Callable[[Context, PeerInput, Path], list[str]]
    count: Callable[[Path, Path], int | None]  # (its standard output, its report file)
    runs_on: Callable[[PeerInput], bool] = lambda peer_input: True
    expect: Callable[[int], bool] = lambda code: code in (0, 1)


def nephrokb_results(stdout: Path, report: Path) -> int | None:
    """Count the results of `nephrokb validate --format json`."""
    return len(json.loads(stdout.read_text(encoding="utf-8"))["results"])


def json_results(stdout: Path, report: Path) -> int | None:
    """Count the results a `python -m bench.peers` child printed."""
    return json.loads(stdout.read_text(encoding="utf-8"))["results"]


def pyshacl_results(stdout: Path, report: Path) -> int | None:
    return results_in_pyshacl_output(stdout.read_text(encoding="utf-8"))


def jena_results(stdout: Path, report: Path) -> int | None:
    return results_in_jena_report(report)


def peer_child(engine: str) -> Callable[[Context, PeerInput, Path], list[str]]:
    """Return the command that runs `engine` in a `python -m bench.peers` child."""

    def command(context: Context, peer_input: PeerInput, report: Path) -> list[str]:
        return [
            context.python,
            "-m",
            "bench.peers",
            engine,
            str(peer_input.path),
            "--shapes",
            str(context.workdir / "shapes.ttl"),
            "--ontology",
            str(context.workdir / "ontology.ttl"),
        ]

    return command


def jena_command(context: Context, peer_input: PeerInput, report: Path) -> list[str]:
    """Apache Jena SHACL through the tests' referee (tests/referees/ShaclReferee.java)."""
    return [
        "env",
        "LC_ALL=C.UTF-8",
        "java",
        "-cp",
        context.jena_classpath,
        "ShaclReferee",
        str(context.workdir / "shapes.ttl"),
        str(context.workdir / "ontology.ttl"),
        str(report),
        str(peer_input.path),
    ]


PEER_ENGINES = (
    PeerEngine(
        "nephrokb",
        lambda context, peer_input, report: [
            # One merged file of N=5000 is over nephrokb's default input limit (64 MiB).
            "env",
            f"{MAX_INPUT_VARIABLE}={peer_input.path.stat().st_size}",
            context.nephrokb,
            "validate",
            "--data",
            str(peer_input.path),
            "--format",
            "json",
        ],
        nephrokb_results,
    ),
    PeerEngine(
        "pyshacl (rdflib store, CLI)",
        lambda context, peer_input, report: pyshacl_command(
            context,
            context.workdir / "shapes.ttl",
            context.workdir / "ontology.ttl",
            peer_input.path,
        ),
        pyshacl_results,
        runs_on=lambda peer_input: (
            not peer_input.broken
            and (peer_input.size is None or peer_input.size <= PYSHACL_LARGEST)
        ),
    ),
    PeerEngine("pyshacl (pyoxigraph store)", peer_child("pyshacl-oxigraph"), json_results),
    PeerEngine("pyrudof", peer_child("pyrudof"), json_results),
    PeerEngine("Apache Jena SHACL", jena_command, jena_results),
)


def measure_peers(context: Context) -> None:
    """Every SHACL engine on the same inputs, smallest first; an engine that hits its cap
    is not run on larger inputs."""
    from nephrokb.resources import bundled_files

    bundled = context.workdir / "bundled-kb.ttl"
    merged_turtle(bundled_files("kb"), bundled)
    inputs = [PeerInput("bundled kb/", bundled, count_triples([bundled]), None)]
    for size in context.peer_sizes:
        for broken in (False, True) if size in PEER_BROKEN_SIZES else (False,):
            folder = generated(context, size, broken=broken)
            path = merged_turtle(sorted(folder.glob("*.ttl")), folder.with_suffix(".ttl"))
            label = f"N={size}" + (", 10% broken" if broken else "")
            inputs.append(PeerInput(label, path, count_triples([path]), size, broken))
    stopped: dict[str, str] = {}
    for peer_input in inputs:
        for engine in PEER_ENGINES:
            row = PeerRow(peer_input.data, peer_input.triples, engine.name, Measurement())
            context.peers.append(row)
            if engine.name == "Apache Jena SHACL" and not context.jena_classpath:
                row.measurement = Measurement.not_run("skipped (java or Jena not installed)")
                continue
            if not engine.runs_on(peer_input):
                row.measurement = Measurement.not_run(
                    f"skipped (N > {PYSHACL_LARGEST}: too slow)"
                    if peer_input.size and peer_input.size > PYSHACL_LARGEST
                    else "skipped (clean inputs only: too slow)"
                )
                continue
            if engine.name in stopped:
                row.measurement = Measurement.not_run(f"skipped ({stopped[engine.name]})")
                continue
            say(f"{peer_input.data}: {engine.name}")
            context.loads.append(os.getloadavg()[0])
            stdout, report = context.workdir / "peer-stdout", context.workdir / "peer-report.nq"
            stdout.unlink(missing_ok=True)
            report.unlink(missing_ok=True)
            # The plain pyshacl CLI is the reference of issue 7: it gets the full cap.
            cap = (
                context.timeout
                if engine.name.startswith("pyshacl (rdflib")
                else context.peer_timeout
            )
            row.measurement = measure_command(
                engine.command(context, peer_input, report),
                repeat=context.repeat,
                timeout=cap,
                expect=engine.expect,
                stdout=stdout,
            )
            if row.measurement.ok:
                try:
                    row.results = engine.count(stdout, report)
                except (OSError, ValueError, KeyError) as error:
                    row.note = f"no result count ({type(error).__name__})"
            elif row.measurement.status == "timeout":
                stopped[engine.name] = f"timed out on {peer_input.data}"
            say(f"  {peer_cell(row, cap)}")


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


def generated(context: Context, size: int, *, broken: bool = False) -> Path:
    """Return the folder of the generated knowledge base of `size` procedures (made once),
    or of its broken variant (BROKEN_SHARE of its nodes in violation)."""
    folder = context.workdir / (f"kb-{size}-broken" if broken else f"kb-{size}")
    if not folder.exists():
        say(f"generating N={size}" + (" (broken)" if broken else ""))
        kb = generate(folder, size, broken_share=BROKEN_SHARE if broken else 0.0)
        if broken:
            context.broken[size] = (kb.broken_nodes, kb.nodes)
        else:
            context.triples[size] = kb.triples
    return folder


@dataclass(frozen=True)
class Operation:
    """A command of the growth table, run on the generated knowledge base of each size."""

    name: str
    command: Callable[[Context, int], list[str]]
    expect: Callable[[int], bool] = lambda code: code == 0
    sizes: Callable[[Context], Sequence[int]] = lambda context: context.sizes


def oxigraph_parse(context: Context, size: int) -> list[str]:
    return [context.python, "-c", OXIGRAPH_PARSE, str(generated(context, size))]


def nephrokb_export(output_format: str) -> Callable[[Context, int], list[str]]:
    """Return the command of `nephrokb export --format output_format` at a size."""

    def command(context: Context, size: int) -> list[str]:
        output = context.workdir / f"export-{size}.{output_format}"
        return [
            context.nephrokb,
            "export",
            "--format",
            output_format,
            "--data",
            str(generated(context, size)),
            "--output",
            str(output),
        ]

    return command


def bundled_query_file(name: str) -> Path:
    """Return the bundled .rq file of the query `name`."""
    from nephrokb.query.queries import load_bundled_query

    return Path(str(load_bundled_query(name).path))


def with_site_diff_size(context: Context) -> Sequence[int]:
    """The sizes, and the size of the site and diff targets if the run reaches it."""
    reaches = max(context.sizes) >= SITE_DIFF_SIZE
    return sorted({*context.sizes, SITE_DIFF_SIZE}) if reaches else context.sizes


FLOOR = "pyoxigraph: parse (the floor)"
VALIDATE = "`nephrokb validate --data DIR`"
GROWTH_OPERATIONS = (
    Operation(FLOOR, oxigraph_parse, sizes=with_site_diff_size),
    Operation(
        VALIDATE, lambda c, size: [c.nephrokb, "validate", "--data", str(generated(c, size))]
    ),
    Operation(
        f"`nephrokb query {GROWTH_QUERY} --format csv`",
        lambda c, size: [
            c.nephrokb,
            "query",
            GROWTH_QUERY,
            "--data",
            str(generated(c, size)),
            "--format",
            "csv",
            "--output",
            str(c.workdir / f"query-{size}.csv"),
        ],
    ),
    Operation(
        f"pyoxigraph: load + query {GROWTH_QUERY} + CSV",
        lambda c, size: [
            c.python,
            "-c",
            OXIGRAPH_QUERY,
            str(generated(c, size)),
            str(bundled_query_file(GROWTH_QUERY)),
            str(c.workdir / f"query-{size}.ox.csv"),
        ],
    ),
    *(
        Operation(f"`nephrokb export --format {name}`", nephrokb_export(name))
        for name in EXPORT_FORMATS
    ),
    Operation(
        "pyoxigraph: load + dump Turtle",
        lambda c, size: [
            c.python,
            "-c",
            OXIGRAPH_EXPORT,
            str(generated(c, size)),
            str(c.workdir / f"export-{size}.ox.ttl"),
        ],
    ),
    Operation(
        "`nephrokb site`",
        lambda c, size: [
            c.nephrokb,
            "site",
            "--output",
            str(c.workdir / f"site-{size}"),
            "--data",
            str(generated(c, size)),
        ],
        sizes=with_site_diff_size,
    ),
    Operation(
        "`nephrokb diff OLD NEW` (NEW: 10% of nodes edited)",
        lambda c, size: [
            c.nephrokb,
            "diff",
            str(generated(c, size)),
            str(generated(c, size, broken=True)),
        ],
        expect=lambda code: code in (0, 1),
        sizes=with_site_diff_size,
    ),
)


def measure_growth(context: Context) -> None:
    """Every operation of the growth table at every size, each beside the floor."""
    sizes = sorted({size for operation in GROWTH_OPERATIONS for size in operation.sizes(context)})
    for size in sizes:
        floor = None
        for operation in GROWTH_OPERATIONS:
            if size not in operation.sizes(context):
                continue
            say(f"N={size}: {operation.name}")
            context.loads.append(os.getloadavg()[0])
            measurement = measure_command(
                operation.command(context, size),
                repeat=context.repeat,
                timeout=context.timeout,
                expect=operation.expect,
            )
            say(f"  {summary(measurement)}")
            if operation.name == FLOOR:
                floor = measurement
            context.growth.append(
                Row(
                    "Growth",
                    operation.name,
                    f"N={size}",
                    measurement,
                    "floor",
                    None if operation.name == FLOOR else floor,
                    triples=context.triples[size],
                )
            )
            if operation.name == VALIDATE:
                measure_changed_only(context, size, floor)


def measure_broken(context: Context) -> None:
    """`nephrokb validate` on the broken variants against the same knowledge, clean."""
    for size in [size for size in BROKEN_SIZES if size in context.sizes]:
        folder = generated(context, size, broken=True)
        say(f"N={size}, {BROKEN_SHARE:.0%} broken: nephrokb validate")
        stdout = context.workdir / "broken-report.txt"
        # The text report, as the clean row (and as CI) writes it.
        measurement = measure_command(
            [context.nephrokb, "validate", "--data", str(folder)],
            repeat=context.repeat,
            timeout=context.timeout,
            expect=lambda code: code == 1,
            stdout=stdout,
        )
        clean = find(context.growth, "Growth", f"N={size}", VALIDATE)
        broken_nodes, nodes = context.broken[size]
        results = results_in_nephrokb_text(stdout.read_text(encoding="utf-8"))
        say(f"  {summary(measurement)}; {results} results")
        context.rows.append(
            Row(
                "Broken knowledge",
                f"`nephrokb validate --data DIR`, {BROKEN_SHARE:.0%} of nodes in violation",
                f"N={size}",
                measurement,
                "the same knowledge, clean",
                clean.ours if clean else None,
                triples=count_triples(sorted(folder.glob("*.ttl"))),
                note=f"{broken_nodes:,} of {nodes:,} nodes broken"
                + (f"; {results:,} results" if results is not None else ""),
            )
        )


CHANGED_ONLY = "`nephrokb validate --changed-since HEAD` (one file edited; "


def measure_changed_only(context: Context, size: int, floor: Measurement | None) -> None:
    """`nephrokb validate --changed-since` after editing one file: cold, then warm cache."""
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
    command = [context.nephrokb, "validate", "--data", "kb", "--changed-since", "HEAD"]
    cache = context.workdir / f"cache-{size}"
    shutil.rmtree(cache, ignore_errors=True)
    with cache_folder(cache):
        # The first run parses every file into the cache; later runs read only the edit.
        for name, repeat in (("cold cache: first run fills it", 1), ("warm cache", context.repeat)):
            context.growth.append(
                Row(
                    "Growth",
                    f"{CHANGED_ONLY}{name})",
                    f"N={size}",
                    measure_command(
                        command, repeat=repeat, timeout=context.timeout, cwd=repository
                    ),
                    "floor",
                    floor,
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
    with tempfile.TemporaryFile("w+") as output, tempfile.TemporaryDirectory() as folder:
        try:
            # Through the launcher, so the child's own peak RSS does not start at ours.
            subprocess.run(
                launched(argv, Path(folder) / "usage.json"),
                stdout=output,
                stderr=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
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


def peers_table(peers: Sequence[PeerRow], timeout: float) -> str:
    """Return the SHACL engines side by side: one line per input, engines in columns."""
    engines = list(dict.fromkeys(row.engine for row in peers))
    inputs = list(dict.fromkeys((row.data, row.triples) for row in peers))
    lines = [
        "| data | triples | " + " | ".join(engines) + " |",
        "|---|--:|" + "--:|" * len(engines),
    ]
    for data, triples in inputs:
        cells = []
        for engine in engines:
            row = next(r for r in peers if r.data == data and r.engine == engine)
            cells.append(peer_cell(row, timeout))
        lines.append(f"| {data} | {triples:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def disagreements(peers: Sequence[PeerRow]) -> list[str]:
    """Name every engine whose result count differs from nephrokb's on the same input."""
    found = []
    for row in peers:
        ours = next(
            (r for r in peers if r.data == row.data and r.engine == PEER_ENGINES[0].name), None
        )
        if row.results is None or ours is None or ours.results is None:
            continue
        if row.results != ours.results:
            found.append(
                f"{row.engine} on {row.data}: {row.results:,} results, nephrokb {ours.results:,}"
            )
    return found


def agreement(peers: Sequence[PeerRow]) -> str:
    """Say whether every engine that finished reported as many results as nephrokb."""
    differing = disagreements(peers)
    if not differing:
        return "Every engine that finished reported as many results as nephrokb on every input."
    return "Result counts that differ from nephrokb's: " + "; ".join(differing) + "."


def peer_cell(row: PeerRow, timeout: float) -> str:
    """Format one engine's run: time, CPU, peak memory and result count."""
    measurement = row.measurement
    if not measurement.ok:
        if measurement.status == "timeout":
            return f"timeout (> {measurement.samples[-1].wall:.0f} s)"
        return measurement.status
    results = "?" if row.results is None else f"{row.results:,}"
    note = f"; {row.note}" if row.note else ""
    return (
        f"{seconds(measurement)}, CPU {measurement.cpu:.2f} s, {memory(measurement)}; "
        f"**{results} results**{note}"
    )


def growth_table(rows: Sequence[Row], timeout: float) -> str:
    """Return the growth table: each operation at each size, beside the floor."""
    lines = [
        "| operation | N | triples | wall | CPU | peak RSS | floor (pyoxigraph parse) | x floor |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    names = list(dict.fromkeys(row.name for row in rows))
    for name in names:
        for row in sorted(
            (r for r in rows if r.name == name), key=lambda r: int(r.data.removeprefix("N="))
        ):
            wall = (
                seconds(row.ours)
                if row.ours.status != "timeout"
                else timeout_text(row.ours, timeout)
            )
            cpu = f"{row.ours.cpu:.2f} s" if row.ours.ok else ""
            floor = seconds(row.reference) if row.reference is not None else ""
            ratio = f"{row.ratio:.1f}x" if row.ratio is not None else ""
            lines.append(
                f"| {name} | {row.data.removeprefix('N=')} | {row.triples or 0:,} | {wall} | "
                f"{cpu} | {memory(row.ours)} | {floor} | {ratio} |"
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


def evaluate_targets(context: Context) -> list[Target]:
    """Compare the measurements with the targets of issues 7 and 18."""
    rows, growth = context.rows, context.growth
    targets = []
    startup = find(rows, "Start-up", "-")
    if startup:
        targets.append(
            ratio_target(
                "`nephrokb --help` within 1.5x of `import click`", 1.5, startup, context.timeout
            )
        )
    ours = peer(context, "bundled kb/", "nephrokb")
    theirs = peer(context, "bundled kb/", "pyshacl (rdflib store, CLI)")
    if ours and theirs:
        targets.append(
            ratio_target(
                "validate <= 0.5x the pyshacl CLI on the bundled KB",
                0.5,
                Row("Peers", "", "", ours.measurement, "", theirs.measurement),
                context.timeout,
            )
        )
    validate = {size: find(growth, "Growth", f"N={size}", VALIDATE) for size in context.sizes}
    for size, limit in ((1000, 10.0), (5000, 60.0)):
        row = validate.get(size)
        if row is not None:
            targets.append(
                time_target(f"full validation at N={size} <= {limit:.0f} s", row, limit, context)
            )
    if validate.get(1000) and validate.get(5000):
        small, large = validate[1000].ours, validate[5000].ours
        targets.append(
            ratio_target(
                "growth N=1000 -> 5000 <= 5.5x",
                5.5,
                Row("Growth", "", "", large, "", small),
                context.timeout,
            )
        )
    warm = find(growth, "Growth", "N=5000", CHANGED_ONLY + "warm cache")
    if warm is not None:
        targets.append(
            time_target(
                "changed-only validation of one edited procedure at N=5000 <= 1 s (warm cache)",
                warm,
                1.0,
                context,
            )
        )
    for size in BROKEN_SIZES:
        row = find(rows, "Broken knowledge", f"N={size}")
        if row is not None:
            targets.append(
                ratio_target(
                    f"validation with {BROKEN_SHARE:.0%} of nodes broken <= 1.3x clean at N={size}",
                    1.3,
                    row,
                    context.timeout,
                )
            )
    site = find(growth, "Growth", f"N={SITE_DIFF_SIZE}", "`nephrokb site`")
    if site is not None:
        targets.append(
            time_target(f"site of {SITE_DIFF_SIZE:,} procedures < 10 s", site, 10.0, context)
        )
    diff = find(growth, "Growth", f"N={SITE_DIFF_SIZE}", "`nephrokb diff")
    if diff is not None:
        targets.append(
            time_target(f"diff of two {SITE_DIFF_SIZE:,}-procedure trees < 4 s", diff, 4.0, context)
        )
    turtle = find(growth, "Growth", "N=5000", "`nephrokb export --format turtle`")
    for name in EXPORT_FORMATS[1:]:
        row = find(growth, "Growth", "N=5000", f"`nephrokb export --format {name}`")
        if row is not None and turtle is not None:
            targets.append(
                ratio_target(
                    f"export {name} at N=5000 within 2x of the Turtle export",
                    2.0,
                    Row("Growth", "", "", row.ours, "", turtle.ours),
                    context.timeout,
                )
            )
    serialize = find(rows, "Queries and export", "N=5000", "export turtle (serialize)")
    if serialize is not None:
        targets.append(
            ratio_target(
                "Turtle export within 1.5x of pyoxigraph's dump at N=5000 (serialize)",
                1.5,
                serialize,
                context.timeout,
            )
        )
    query_rows = [
        r
        for r in rows
        if r.section == "Queries and export" and r.data == "N=5000" and r.name.startswith("query")
    ]
    if query_rows:
        targets.append(every_query_target(query_rows, 1.5))
    largest = max(context.sizes)
    row = validate.get(largest)
    if row is not None and row.ours.max_rss_bytes is not None:
        limit = 2.5 if largest >= 10000 else 2.0
        targets.append(
            memory_target(f"peak memory of validate at N={largest} < {limit} GiB", row.ours, limit)
        )
    for ours_name, theirs_name, what in (
        (f"`nephrokb query {GROWTH_QUERY}", f"pyoxigraph: load + query {GROWTH_QUERY}", "query"),
        ("`nephrokb export --format turtle`", "pyoxigraph: load + dump Turtle", "export"),
    ):
        ours_row = find(growth, "Growth", f"N={largest}", ours_name)
        theirs_row = find(growth, "Growth", f"N={largest}", theirs_name)
        if ours_row and theirs_row and theirs_row.ours.max_rss_bytes:
            peak, reference = ours_row.ours.max_rss_bytes, theirs_row.ours.max_rss_bytes
            targets.append(
                Target(
                    f"peak memory of {what} at N={largest} < 2x pyoxigraph's",
                    "< 2x",
                    f"{peak / reference:.2f}x "
                    f"({peak / MIB:,.0f} MiB vs {reference / MIB:,.0f} MiB)",
                    peak < 2 * reference and ours_row.ours.ok,
                )
            )
    return targets


def every_query_target(query_rows: Sequence[Row], limit: float) -> Target:
    """Judge the in-process query rows at N=5000 together: how many are over `limit`."""

    def cpu_ratio(row: Row) -> float | None:
        ok = row.ours.ok and row.reference is not None and row.reference.ok
        return row.ours.cpu / row.reference.cpu if ok and row.reference.cpu else None

    def summary(ratio_of: Callable[[Row], float | None]) -> tuple[str, bool]:
        slower = [r for r in query_rows if (ratio_of(r) or float("inf")) > limit]
        worst = max(query_rows, key=lambda r: ratio_of(r) or float("inf"))
        ratio = ratio_of(worst)
        text = f"{len(slower)} of {len(query_rows)} over {limit}x; worst: {worst.name} " + (
            f"{ratio:.2f}x" if ratio is not None else worst.ours.status
        )
        return text, not slower

    measured, met = summary(lambda row: row.ratio)
    cpu_measured, cpu_met = summary(cpu_ratio)
    return Target(
        f"every bundled query within {limit}x of pyoxigraph at N=5000",
        f"<= {limit}x",
        measured,
        met,
        cpu_measured=cpu_measured,
        cpu_met=cpu_met,
    )


def peer(context: Context, data: str, engine: str) -> PeerRow | None:
    """Return the peer row of `engine` on the input `data`."""
    return next((r for r in context.peers if r.data == data and r.engine == engine), None)


def time_target(name: str, row: Row, limit: float, context: Context) -> Target:
    """Compare a row's own time with `limit` seconds."""
    return Target(
        name,
        f"<= {limit:g} s",
        seconds(row.ours) if row.ours.ok else timeout_text(row.ours, context.timeout),
        row.ours.ok and row.ours.wall <= limit,
        cpu_measured=f"{row.ours.cpu:.2f} s" if row.ours.ok else "",
        cpu_met=row.ours.cpu <= limit if row.ours.ok else None,
    )


def memory_target(name: str, measurement: Measurement, limit_gib: float) -> Target:
    """Compare a measurement's peak memory with `limit_gib`; a stopped run gives a lower bound."""
    peak = measurement.max_rss_bytes
    finished = measurement.ok
    return Target(
        name,
        f"< {limit_gib:g} GiB",
        f"{peak / GIB:.2f} GiB" + ("" if finished else " when stopped (a lower bound)"),
        peak < limit_gib * GIB if finished else (False if peak >= limit_gib * GIB else None),
    )


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
    cpu_ratio = row.ours.cpu / row.reference.cpu if row.reference.cpu else None
    return Target(
        name,
        f"<= {limit}x",
        f"{ratio:.2f}x ({seconds(row.ours)} vs {seconds(row.reference)})",
        ratio <= limit,
        cpu_measured=(
            f"{cpu_ratio:.2f}x ({row.ours.cpu:.2f} s vs {row.reference.cpu:.2f} s)"
            if cpu_ratio
            else ""
        ),
        cpu_met=cpu_ratio <= limit if cpu_ratio else None,
    )


PROFILE_SIZE = 1000  # commands are profiled at this size: large enough to show the growth


def collect_profiles(context: Context, targets: Sequence[Target]) -> None:
    """Attach a profile to every missed (or unmeasurable) target, showing where time goes."""
    phases: dict[int, list[dict]] = {}
    sizes = context.sizes
    size = PROFILE_SIZE if PROFILE_SIZE in sizes else min(sizes)
    folder = generated(context, size)

    def phases_at(size: int) -> list[dict]:
        if size not in phases:
            phases[size] = validation_phases(context, size)
        return phases[size]

    def command_profile(title: str, arguments: list[str], cwd: Path | None = None) -> None:
        say(f"profiling: {title}")
        target.profile_title = f"cProfile of {title}"
        target.profile = profile_script(
            context.nephrokb, arguments, timeout=context.timeout, top=30, cwd=cwd
        )

    for target in targets:
        if target.met:
            continue
        name = target.name
        if name.startswith("`nephrokb --help`"):
            say("profiling: imports of nephrokb --help")
            target.profile_title = "python -X importtime nephrokb --help (slowest imports)"
            target.profile = import_times(context.nephrokb, ["--help"], top=15)
        elif name.startswith("validate <="):
            command_profile(
                "`nephrokb validate --data kb.ttl` (bundled KB)",
                ["validate", "--data", str(context.workdir / "bundled-kb.ttl")],
            )
        elif name.startswith(("full validation", "growth", "peak memory of validate")):
            compared = [n for n in (100, 1000) if n in sizes] or [min(sizes)]
            target.profile_title = "validation phases (each capped at {:.0f} s), N={}".format(
                PHASE_TIMEOUT, " vs N=".join(map(str, compared))
            )
            target.profile = phase_table({n: phases_at(n) for n in compared})
        elif name.startswith("validation with"):
            broken_size = int(name.rsplit("N=", 1)[1])
            command_profile(
                f"`nephrokb validate` on the broken N={broken_size}",
                ["validate", "--data", str(generated(context, broken_size, broken=True))],
            )
        elif name.startswith("changed-only"):
            with cache_folder(context.workdir / "cache-5000"):
                command_profile(
                    "`nephrokb validate --changed-since HEAD` at N=5000 (warm cache)",
                    ["validate", "--data", "kb", "--changed-since", "HEAD"],
                    cwd=context.workdir / "changed-5000",
                )
        elif name.startswith("site"):
            command_profile(
                f"`nephrokb site` at N={size}",
                ["site", "--output", str(context.workdir / "profiled-site"), "--data", str(folder)],
            )
        elif name.startswith("diff"):
            command_profile(
                f"`nephrokb diff` at N={size}",
                ["diff", str(folder), str(generated(context, size, broken=True))],
            )
        elif name.startswith("export ") and "Turtle export" in name:
            output_format = name.split()[1]
            command_profile(
                f"`nephrokb export --format {output_format}` at N={size}",
                [
                    "export",
                    "--format",
                    output_format,
                    "--data",
                    str(folder),
                    "--output",
                    str(context.workdir / f"profiled.{output_format}"),
                ],
            )
        elif name.startswith(("Turtle export", "every bundled query")):
            in_process_profile(context, target, size)
        elif name.startswith("peak memory of"):
            target.profile_title = "peak RSS at each size, nephrokb beside pyoxigraph"
            target.profile = memory_growth(context, name)


def in_process_profile(context: Context, target: Target, size: int) -> None:
    """Profile the slowest query, the Turtle export and the load in process at `size`."""
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


def memory_growth(context: Context, target_name: str) -> str:
    """Return the peak RSS of the query or export rows at every size, with pyoxigraph's."""
    names = (
        (f"`nephrokb query {GROWTH_QUERY}", f"pyoxigraph: load + query {GROWTH_QUERY}")
        if " query " in target_name
        else ("`nephrokb export --format turtle`", "pyoxigraph: load + dump Turtle")
    )
    lines = [f"{'N':>7}{'nephrokb':>14}{'pyoxigraph':>14}{'ratio':>8}"]
    for size in context.sizes:
        ours, theirs = (find(context.growth, "Growth", f"N={size}", n) for n in names)
        if ours and theirs and ours.ours.max_rss_bytes and theirs.ours.max_rss_bytes:
            a, b = ours.ours.max_rss_bytes, theirs.ours.max_rss_bytes
            lines.append(f"{size:>7}{a / MIB:>10,.0f} MiB{b / MIB:>10,.0f} MiB{a / b:>7.2f}x")
    return "\n".join(lines)


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
        "## Peers: SHACL engines on the same files",
        "",
        "Each engine validates one Turtle file holding the knowledge, with the bundled shapes "
        "and the ontology's triples mixed in; a cell is wall time (median), CPU time, peak "
        "RSS and the number of validation results the engine reported, so that agreement is "
        f"visible. Cap per run: {context.peer_timeout:.0f} s ({context.timeout:.0f} s for the "
        "pyshacl CLI); an engine that hits it is not run on larger inputs.",
        "",
        peers_table(context.peers, context.timeout),
        "",
        agreement(context.peers),
        "",
        "## Growth",
        "",
        "Each command as a fresh process on the generated knowledge base of N procedures; "
        "the floor is the time pyoxigraph alone takes to parse the same files "
        "(`Store.load` of each, in a fresh Python).",
        "",
        growth_table(context.growth, context.timeout),
        "",
        "## Results",
        "",
        results_table(context.rows, context.timeout),
        "",
        "## Targets (issues 7 and 18)",
        "",
        "Judged on wall time (medians), as the targets are set; the CPU columns judge the "
        "same targets on CPU time (user+system), which the other jobs on this shared machine "
        "disturb far less.",
        "",
        "| target | goal | measured (wall) | met | CPU time | met on CPU |",
        "|---|---|---|---|---|---|",
        *[
            f"| {t.name} | {t.goal} | {t.measured} | {verdict(t.met)} | {t.cpu_measured} | "
            f"{verdict(t.cpu_met) if t.cpu_measured else ''} |"
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


def verdict(met: bool | None) -> str:
    """Say whether a target was met."""
    return "met" if met else "MISSED" if met is False else "not measured"


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
        "--sizes", default="100,1000,5000,10000", help="procedure counts (%(default)s)"
    )
    parser.add_argument(
        "--peer-sizes",
        default=",".join(map(str, PEER_SIZES)),
        help="procedure counts the peer SHACL engines validate (%(default)s)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (%(default)s)")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="cap per single run, seconds (%(default)s)"
    )
    parser.add_argument(
        "--peer-timeout",
        type=float,
        default=120.0,
        help="cap per run of a peer engine other than the pyshacl CLI, seconds (%(default)s)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="size 100, peers on N=1, one run each, 120 s cap; print only",
    )
    parser.add_argument("--output", type=Path, help=f"write the results here (default: {RESULTS})")
    parser.add_argument("--no-profiles", action="store_true", help="skip profiling missed targets")
    parser.add_argument(
        "--workdir", type=Path, help="keep generated files here (default: a temporary folder)"
    )
    arguments = parser.parse_args(argv)
    if arguments.quick:
        arguments.sizes, arguments.peer_sizes = "100", "1"
        arguments.repeat, arguments.timeout, arguments.peer_timeout = 1, 120.0, 60.0
    output = arguments.output or (None if arguments.quick else RESULTS)
    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])

    workdir = arguments.workdir or Path(tempfile.mkdtemp(prefix="nephrokb-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    context = Context(
        workdir=workdir,
        repeat=arguments.repeat,
        timeout=arguments.timeout,
        peer_timeout=arguments.peer_timeout,
        python=sys.executable,
        nephrokb=executable("nephrokb"),
        pyshacl=executable("pyshacl"),
        sizes=sorted({int(size) for size in arguments.sizes.split(",")}),
        peer_sizes=sorted({int(size) for size in arguments.peer_sizes.split(",")}),
        revision=revision(),
    )
    try:
        text = run(context, command, profiles=not arguments.no_profiles)
    finally:
        if arguments.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(text)
    if output is not None:
        analysis = kept_analysis(output)
        output.write_text(text + "\n" + ANALYSIS_MARKER + (analysis or "\n"), encoding="utf-8")
        say(f"wrote {output}")


def run(context: Context, command: str, *, profiles: bool) -> str:
    """Measure everything, evaluate the targets, profile the misses; return RESULTS.md."""
    from tests.shacl_engines import jena_build

    from nephrokb.resources import bundled_files

    load_before = os.getloadavg()
    merged_turtle(bundled_files("shapes"), context.workdir / "shapes.ttl")
    merged_turtle(bundled_files("ontology"), context.workdir / "ontology.ttl")
    context.jena_classpath = jena_build(context.workdir / "jena")
    measure_startup(context)
    measure_peers(context)
    measure_growth(context)
    measure_broken(context)
    for size in [size for size in context.sizes if size in QUERY_SIZES]:
        measure_queries(context, size)
    targets = evaluate_targets(context)
    if profiles:
        collect_profiles(context, targets)
    load_after = os.getloadavg()
    facts = machine_facts(context)
    facts.append(
        (
            "load average (1, 5, 15 min) before / after",
            " / ".join(", ".join(f"{x:.2f}" for x in load) for load in (load_before, load_after)),
        )
    )
    if context.loads:
        facts.append(
            (
                "1-min load average at the start of each peer and growth run: min / median / max",
                f"{min(context.loads):.2f} / {statistics.median(context.loads):.2f} / "
                f"{max(context.loads):.2f} (2 cores, shared with other jobs)",
            )
        )
    return render(context, targets, facts, command)
