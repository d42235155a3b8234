"""Time nephrokb's loading, bundled queries and Turtle export against pyoxigraph, in one process.

bench.run starts this as a child for each size, so a slow or huge run cannot take the
benchmark down with it. It prints one JSON object per line, one per row, as soon as the row
is measured, so a row that is cut off by the time cap still leaves the rows before it.

nephrokb side, what `nephrokb query --format csv` and `nephrokb export --format turtle` do:
`nephrokb.rdf.loading.load(into="store")`, `nephrokb.query.queries.run_query`
with each bundled query on that store and its results written as CSV
(`writer_for("select", "csv")`), and the store's `turtle` exporter (sorted). pyoxigraph
side: `Store.load` of the same files, `Store.query` with the same query text, its solutions
written by pyoxigraph's own CSV serializer, and `Store.dump` as Turtle (unsorted). Each
query row's size is the number of CSV lines after the header, so both sides must agree.

Example:
    python -m bench.inprocess /tmp/kb-1000 --repeat 3 --timeout 600
    python -m bench.inprocess /tmp/kb-1000 --profile query:steps
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import json
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.measure import Measurement, measure_call
from bench.profiles import format_profile

LOAD_ROW = "load (parse Turtle)"
EXPORT_ROW = "export turtle (serialize)"


def measurement_json(measurement: Measurement) -> dict:
    """Return a Measurement as plain JSON values."""
    return {
        "status": measurement.status,
        "samples": [
            {"wall": s.wall, "cpu": s.cpu, "max_rss_bytes": s.max_rss_bytes}
            for s in measurement.samples
        ],
    }


def emit(row: dict) -> None:
    """Print one row as a JSON line, at once."""
    print(json.dumps(row), flush=True)


def turtle_files(folder: Path) -> list[Path]:
    """Return the Turtle files under `folder`, sorted."""
    return sorted(folder.rglob("*.ttl"))


def oxigraph_store(files: Sequence[Path]):
    """Load the files into a new in-memory pyoxigraph Store, as a user of it would."""
    import pyoxigraph

    store = pyoxigraph.Store()
    for path in files:
        store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    return store


class Workload:
    """The same files loaded by both sides; the query and export rows use what was loaded."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.files = turtle_files(folder)
        self.knowledge = None
        self.store = None

    def nephrokb_load(self):
        from nephrokb.rdf.loading import load

        self.knowledge = load([self.folder], into="store")
        return self.knowledge

    def oxigraph_load(self):
        self.store = oxigraph_store(self.files)
        return self.store

    def nephrokb_query(self, text: str, origin: str) -> list[str]:
        from nephrokb.query.queries import run_query
        from nephrokb.query.results import writer_for

        outcome = run_query(text, self.knowledge, origin=origin)
        return writer_for("select", "csv")(outcome).splitlines()[1:]

    def oxigraph_query(self, text: str) -> list[bytes]:
        import pyoxigraph

        solutions = self.store.query(text)
        return solutions.serialize(format=pyoxigraph.QueryResultsFormat.CSV).splitlines()[1:]

    def nephrokb_turtle(self) -> bytes:
        from nephrokb.exporters import STORE_EXPORTERS

        return STORE_EXPORTERS["turtle"](self.knowledge)

    def oxigraph_turtle(self) -> bytes:
        import pyoxigraph

        from nephrokb.namespaces import PREFIXES

        return self.store.dump(
            format=pyoxigraph.RdfFormat.TURTLE,
            from_graph=pyoxigraph.DefaultGraph(),
            prefixes=PREFIXES,
        )

    def rows(self) -> list[tuple[str, Callable[[], object], Callable[[], object]]]:
        """Return (row name, nephrokb call, pyoxigraph call) for every row, loading first."""
        from nephrokb.query.queries import list_bundled_queries

        rows = [(LOAD_ROW, self.nephrokb_load, self.oxigraph_load)]
        for query in list_bundled_queries():
            rows.append(
                (
                    f"query {query.name}",
                    functools.partial(self.nephrokb_query, query.text, query.path),
                    functools.partial(self.oxigraph_query, query.text),
                )
            )
        rows.append((EXPORT_ROW, self.nephrokb_turtle, self.oxigraph_turtle))
        return rows


def size_of(result) -> int | None:
    """Return the number of rows or bytes a call returned, to check both sides agree."""
    return len(result) if isinstance(result, list | tuple | bytes) else None


def run(folder: Path, repeat: int, timeout: float) -> None:
    """Measure every row and print it as a JSON line."""
    workload = Workload(folder)
    loaded = {"nephrokb": True, "pyoxigraph": True}
    for name, nephrokb_call, oxigraph_call in workload.rows():
        row: dict = {"name": name}
        for side, call in (("nephrokb", nephrokb_call), ("pyoxigraph", oxigraph_call)):
            if not loaded[side]:
                row[side] = measurement_json(Measurement.not_run("skipped (load failed)"))
                continue
            measurement, result = measure_call(call, repeat=repeat, timeout=timeout)
            row[side] = measurement_json(measurement)
            row[f"{side}_size"] = size_of(result) if name != LOAD_ROW else None
            if name == LOAD_ROW:
                loaded[side] = measurement.ok
        if name == LOAD_ROW:
            row["triples"] = len(workload.knowledge) if workload.knowledge is not None else None
        emit(row)


def profile(folder: Path, name: str, top: int) -> None:
    """Print a cProfile of the nephrokb side of one row (`load`, `query:NAME` or `export`)."""
    from nephrokb.query.queries import load_bundled_query

    workload = Workload(folder)
    if name == "load":
        call = workload.nephrokb_load
    else:
        workload.nephrokb_load()
        if name == "export":
            call = workload.nephrokb_turtle
        else:
            query = load_bundled_query(name.removeprefix("query:"))
            call = functools.partial(workload.nephrokb_query, query.text, query.path)
    profiler = cProfile.Profile()
    profiler.runcall(call)
    print(format_profile(profiler, top))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--profile", metavar="ROW", help="load, export or query:NAME")
    parser.add_argument("--top", type=int, default=25)
    arguments = parser.parse_args(argv)
    if arguments.profile:
        profile(arguments.folder, arguments.profile, arguments.top)
    else:
        run(arguments.folder, arguments.repeat, arguments.timeout)


if __name__ == "__main__":
    main()
