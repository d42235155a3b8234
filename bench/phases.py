"""Break `nephrokb validate` down into its phases and time each one, with a cap per phase.

This follows what `nephrokb.validation.validate` does with the fast engine (parse, locate,
pyshacl on the core shapes, the data+ontology copy, then each SPARQL constraint once over
the whole graph), calling the same library functions, so a slow phase can be named.
It prints one JSON line per phase, with the process's peak memory after that phase.

Example:
    python -m bench.phases /tmp/kb-1000 --timeout 120
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.measure import call_once


def emit(phase: str, function: Callable[[], object], timeout: float) -> object:
    """Time one phase, print its JSON line and return its result (None if it failed)."""
    try:
        sample, result = call_once(function, timeout=timeout)
    except Exception as error:  # a phase that breaks is reported, not fatal
        print(json.dumps({"phase": phase, "status": f"error: {error}"}), flush=True)
        return None
    print(
        json.dumps(
            {
                "phase": phase,
                "status": "timeout" if sample.timed_out else "ok",
                "wall": sample.wall,
                "cpu": sample.cpu,
                "max_rss_bytes": sample.max_rss_bytes,
            }
        ),
        flush=True,
    )
    return None if sample.timed_out else result


def run(folder: Path, timeout: float) -> None:
    """Time each validation phase on the Turtle files under `folder`."""
    import pyshacl

    from nephrokb import sparql_constraints
    from nephrokb.loading import load_graph, read_text, resolve_turtle_files
    from nephrokb.locator import locate
    from nephrokb.resources import bundled_files

    files = resolve_turtle_files([folder])
    graph = emit("parse Turtle into rdflib (load_graph)", lambda: load_graph(files), timeout)
    if graph is None:
        return
    emit(
        "locate nodes in the source text (locator.locate)",
        lambda: [locate(read_text(path), path.resolve().as_uri()) for path in files],
        timeout,
    )
    shapes = load_graph(bundled_files("shapes"))
    ontology = load_graph(bundled_files("ontology"))
    core, constraints = sparql_constraints.split_shapes(shapes)
    emit(
        "pyshacl on the core (non-SPARQL) shapes",
        lambda: pyshacl.validate(
            graph,
            shacl_graph=core,
            ont_graph=ontology,
            inference="none",
            advanced=True,
            allow_warnings=True,
        ),
        timeout,
    )
    mixed = emit("copy data + ontology (graph + graph)", lambda: graph + ontology, timeout)
    if mixed is None:
        return
    for constraint in constraints:
        name = str(constraint.shape).rsplit("#", 1)[-1]
        emit(
            f"SPARQL constraint {name}",
            lambda constraint=constraint: list(
                sparql_constraints.evaluate(mixed, shapes, [constraint])
            ),
            timeout,
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.phases", description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--timeout", type=float, default=120.0, help="cap per phase, seconds")
    arguments = parser.parse_args(argv)
    run(arguments.folder, arguments.timeout)


if __name__ == "__main__":
    main()
