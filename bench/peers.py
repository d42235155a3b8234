"""Run one peer SHACL engine on a data file and print how many results it reported.

bench.run starts this as a child process per engine and input, so each engine's wall time,
CPU time and peak memory are its own (read from the child's rusage), and a slow engine can
be stopped at the time cap without taking the benchmark down. Every engine reads the same
three files: the data (one Turtle file), the shapes and the ontology, whose triples are mixed
into the data as nephrokb does (pyshacl's `ont_graph`, a second `read_data` for pyrudof).
The plain pyshacl CLI and Apache Jena SHACL (tests/referees/ShaclReferee.java) run as
commands of their own; `results_in_pyshacl_output` and `results_in_jena_report` count theirs.

Engines:
    pyshacl-oxigraph   pyshacl.validate on a pyoxigraph.Store (pyshacl >= 0.40)
    pyrudof            rudof's Rust SHACL engine (PyPI pyrudof)

Example:
    python -m bench.peers pyrudof --shapes shapes.ttl --ontology ontology.ttl kb-100.ttl
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path

SHACL = "http://www.w3.org/ns/shacl#"
PYSHACL_RESULTS = re.compile(r"^Results \((\d+)\):", re.MULTILINE)
NEPHROKB_SUMMARY = re.compile(r"([\d,]+) violations, ([\d,]+) warnings, ([\d,]+) info")


def pyshacl_oxigraph_results(data: Path, shapes: Path, ontology: Path) -> int:
    """pyshacl on a pyoxigraph Store holding the data and the ontology: its result count."""
    import pyoxigraph
    import pyshacl
    from rdflib import Graph

    store = pyoxigraph.Store()
    for path in (data, ontology):
        store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    shapes_graph = Graph().parse(shapes, format="turtle")
    _, report, _ = pyshacl.validate(
        store, shacl_graph=shapes_graph, inference="none", advanced=True, inplace=True
    )
    return len(set(report.subjects(predicate_of("resultSeverity"))))


def pyrudof_results(data: Path, shapes: Path, ontology: Path) -> int:
    """pyrudof (rudof's SHACL engine) on the data and the ontology: its result count."""
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(str(data), format=pyrudof.RDFFormat.Turtle)
    rudof.read_data(str(ontology), format=pyrudof.RDFFormat.Turtle, merge=True)
    rudof.read_shacl(str(shapes), format=pyrudof.ShaclFormat.Turtle)
    return len(rudof.validate_shacl())


def predicate_of(name: str):
    """Return the SHACL term `name` as an rdflib URIRef."""
    from rdflib import URIRef

    return URIRef(SHACL + name)


ENGINES: dict[str, Callable[[Path, Path, Path], int]] = {
    "pyshacl-oxigraph": pyshacl_oxigraph_results,
    "pyrudof": pyrudof_results,
}


def results_in_pyshacl_output(text: str) -> int | None:
    """Return the result count the pyshacl CLI printed (`Results (N):`), 0 if it conforms."""
    found = PYSHACL_RESULTS.search(text)
    if found:
        return int(found.group(1))
    return 0 if "Conforms: True" in text else None


def results_in_nephrokb_text(text: str) -> int | None:
    """Return the result count of `nephrokb validate`'s text report (its summary line)."""
    found = NEPHROKB_SUMMARY.search(text)
    return None if found is None else sum(int(n.replace(",", "")) for n in found.groups())


def results_in_jena_report(path: Path) -> int | None:
    """Return how many results the Jena referee's N-Quads report holds (None if it failed)."""
    text = path.read_text(encoding="utf-8")
    if f"<{SHACL}conforms>" not in text:
        return None  # the referee wrote an rdfs:comment with Jena's error instead of a report
    return text.count(f"<{SHACL}resultSeverity>")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.peers",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("data", type=Path)
    parser.add_argument("--shapes", type=Path, required=True)
    parser.add_argument("--ontology", type=Path, required=True)
    arguments = parser.parse_args(argv)
    count = ENGINES[arguments.engine](arguments.data, arguments.shapes, arguments.ontology)
    print(json.dumps({"results": count}))


if __name__ == "__main__":
    main()
