"""Break `nephrokb validate` down into its phases and time each one, with a cap per phase.

This follows `nephrokb.validation.engine.validate` with the fast engine step by step, calling the
same library functions, with the garbage collector paused as there: parse (pyoxigraph) into
the rdflib graph and the pyoxigraph store, the core shapes still handed to pyshacl (if any),
then, with the ontology mixed in, each natively evaluated core node shape and each SPARQL
constraint. (Nodes are located in the source text only for results: not timed here.)
It prints one JSON line per phase with the process's peak memory after it. The steps are
internal API: when validation is reorganised, a phase that no longer fits prints an error
line instead of a time, and this module should follow validation.py again.

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
    from nephrokb.rdf import loading

    with loading.garbage_collection_paused():
        run_phases(folder, timeout)


def run_phases(folder: Path, timeout: float) -> None:
    """The phases themselves (see `run`)."""
    import pyshacl

    from nephrokb.rdf import loading
    from nephrokb.validation import core_evaluation, sparql_constraints
    from nephrokb.validation import engine as validation
    from nephrokb.validation import shapes as shapes_loading

    files = loading.resolve_turtle_files([folder])
    loaded = emit(
        "parse into graph and store (loading.load_dataset)",
        lambda: loading.load_dataset(files, with_store=True),
        timeout,
    )
    if loaded is None:
        return
    graph, store = loaded.graph, loaded.store
    bundled = shapes_loading.bundled_shapes()
    ontology = bundled.ontology
    plan = validation.plan(bundled, native=True)
    if plan.pyshacl_shapes is not None:
        emit(
            "pyshacl on the shapes not evaluated natively",
            lambda: pyshacl.validate(
                validation.copy_graph(graph),
                shacl_graph=validation.copy_graph(plan.pyshacl_shapes),
                ont_graph=ontology,
                inference="none",
                advanced=True,
                allow_warnings=True,
            ),
            timeout,
        )
    with (
        validation.ontology_mixed_in(graph, ontology) as mixed,
        validation.ontology_mixed_into_store(store, ontology),
    ):
        for check in plan.native_shapes:
            emit(
                f"native core shape {local_name(check.shape)}",
                lambda check=check: list(core_evaluation.evaluate(mixed, [check])),
                timeout,
            )
        index = core_evaluation.PredicateIndex(mixed)
        for check, constraint in plan.constraints:
            focus = core_evaluation.focus_nodes(mixed, index, check)
            emit(
                f"SPARQL constraint {local_name(constraint.shape)}",
                lambda constraint=constraint, focus=focus: list(
                    sparql_constraints.evaluate(mixed, [(constraint, focus)], store)
                ),
                timeout,
            )


def local_name(shape) -> str:
    """Return the part of a shape IRI after '#'."""
    return str(shape).rsplit("#", 1)[-1]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.phases", description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--timeout", type=float, default=120.0, help="cap per phase, seconds")
    arguments = parser.parse_args(argv)
    run(arguments.folder, arguments.timeout)


if __name__ == "__main__":
    main()
