"""Independent SHACL engines referee nephrokb: on every fixture and clean KB, the same findings.

pyshacl, pyrudof and Apache Jena SHACL each read the data file themselves, with the ontology
mixed in, and validate it with the bundled shapes; nephrokb's default engine must give the
same set of (focus, source shape, component, severity, value). Where an engine departs from
the SHACL or SPARQL specifications, the fixture says so in a `# deviation: ENGINE: reason`
line, and the test checks that the deviation is still there (so the line goes when it does).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import BROKEN, CLEAN
from shacl_engines import (
    deviations,
    jena_build,
    jena_findings,
    nephrokb_findings,
    pyrudof_findings,
    report_findings,
)

pytestmark = pytest.mark.slow  # a JVM, pyrudof and pyshacl on every case
REFEREES = ("pyshacl", "pyrudof", "jena")
BUNDLED_KB = Path("bundled-kb")  # stands for the bundled kb/ folder, merged into one file
CASES = [*BROKEN, *CLEAN, BUNDLED_KB]


@pytest.fixture(scope="session")
def referee_files(tmp_path_factory, shapes_and_ontology, bundled_graph):
    """Shapes, ontology and the bundled KB as N-Triples files every engine reads."""
    folder = tmp_path_factory.mktemp("referees")
    shapes, ontology = shapes_and_ontology
    files = {
        "shapes": folder / "shapes.nt",
        "ontology": folder / "ontology.nt",
        BUNDLED_KB: folder / "bundled-kb.nt",
    }
    shapes.serialize(files["shapes"], format="nt", encoding="utf-8")
    ontology.serialize(files["ontology"], format="nt", encoding="utf-8")
    bundled_graph.serialize(files[BUNDLED_KB], format="nt", encoding="utf-8")
    return files


def data_file(case: Path, referee_files) -> Path:
    return referee_files[BUNDLED_KB] if case == BUNDLED_KB else case


@pytest.fixture(scope="session")
def jena_results(tmp_path_factory, referee_files):
    """Jena's findings on every case, from one JVM run; None when java or Jena is absent."""
    folder = tmp_path_factory.mktemp("jena")
    classpath = jena_build(folder / "build")
    if classpath is None:
        return None
    data = [data_file(case, referee_files) for case in CASES]
    found = jena_findings(
        classpath, data, referee_files["shapes"], referee_files["ontology"], folder / "reports.nq"
    )
    return {case: found[path] for case, path in zip(CASES, data, strict=True)}


@pytest.fixture(scope="session")
def nephrokb_results():
    """nephrokb's findings per case, computed once (each referee compares with them)."""
    import functools

    from nephrokb.resources import bundled_folder

    return functools.cache(
        lambda case: nephrokb_findings(bundled_folder("kb") if case == BUNDLED_KB else case)
    )


def referee_findings(engine, case, referee_files, pyshacl_reference, jena_results):
    data = data_file(case, referee_files)
    if engine == "pyshacl":
        try:
            return report_findings(pyshacl_reference(data)[1])
        except Exception as error:  # an error is a disagreement too, named as such
            return f"pyshacl failed: {type(error).__name__}: {error}"
    if engine == "pyrudof":
        import pyrudof

        try:
            return pyrudof_findings(data, referee_files["shapes"], referee_files["ontology"])
        except pyrudof.ShaclError as error:  # an error is a disagreement too, named as such
            return f"pyrudof failed: {error}"
    if jena_results is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Apache Jena: apt-get install libapache-jena-java default-jdk")
        pytest.skip("java or Debian's libapache-jena-java is not installed")
    found = jena_results[case]
    if isinstance(found, str):
        pytest.fail(f"Jena could not read {case}: {found}")
    return found


@pytest.mark.parametrize("engine", REFEREES)
@pytest.mark.parametrize("case", CASES, ids=lambda path: path.stem)
def test_referee_agrees_with_nephrokb(
    case, engine, referee_files, pyshacl_reference, jena_results, nephrokb_results
):
    theirs = referee_findings(engine, case, referee_files, pyshacl_reference, jena_results)
    ours = nephrokb_results(case)
    known = {} if case == BUNDLED_KB else deviations(case)
    if engine in known:
        assert theirs != ours, (
            f"{case.name}: {engine} now agrees with nephrokb; drop its `# deviation:` line"
        )
    else:
        assert not isinstance(theirs, str), f"{case.name}: {theirs}"
        assert theirs == ours, (
            f"{case.name}: {engine} and nephrokb disagree\n"
            f"  only {engine}: {sorted(theirs - ours)}\n"
            f"  only nephrokb: {sorted(ours - theirs)}"
        )
