"""Site, diff and text exports write the bytes they wrote before they were made fast (issue 18).

The SHA-256 of every output was recorded in tests/golden/scale/generated.json with the code
from before the fast paths (commit 31d8126), on knowledge bases from the benchmark's
generator: 30 procedures (every tenth relies on the one before), the same with a few edits,
and 30 procedures from another seed. Outputs are compared by digest because they are large;
the version number, which changes with releases, is masked first. After an intended change
to one of these outputs, rewrite the digests as docs/testing.md says (they are golden files)
and review what changed.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import GOLDEN, REGENERATE_COMMAND, REGENERATE_GOLDEN
from nephrokb import __version__
from nephrokb.cli import main

ROOT = Path(__file__).resolve().parents[1]
DIGESTS = GOLDEN / "scale" / "generated.json"
PROCEDURES = 30
OTHER_SEED = 7
# Every test here compares with the recorded digests, of outputs of three generated KBs.
pytestmark = [pytest.mark.golden, pytest.mark.slow]
DIFF_FORMATS = ("json", "kgcl", "markdown", "sssom", "text")
EXPORT_FORMATS = ("csv", "dot", "markdown", "mermaid")
# Edits of the generated knowledge base: a label, a definition, a step number, a dependency,
# a condition and a mapping predicate (with its record), each its first occurrence.
EDITS = {
    "procedures-000.ttl": [
        ('rdfs:label "Measure', 'rdfs:label "Measure again'),
        ('skos:definition "A synthetic', 'skos:definition "A changed'),
        ("nkb:stepNumber 2 ;", "nkb:stepNumber 22 ;"),
        ("nkb:dependsOn kb:", "rdfs:seeAlso kb:"),
        ('nkb:condition "', 'nkb:condition "Only '),
        ("skos:exactMatch <", "skos:closeMatch <"),
        ("owl:annotatedProperty skos:exactMatch", "owl:annotatedProperty skos:closeMatch"),
    ],
}


def digest(content: bytes) -> str:
    """SHA-256 of an output, with the version number masked."""
    masked = content.replace(__version__.encode("utf-8"), b"VERSION")
    return hashlib.sha256(masked).hexdigest()


def folder_digests(folder: Path) -> dict[str, str]:
    """Digest every file under `folder`, by its path relative to it."""
    return {
        path.relative_to(folder).as_posix(): digest(path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def generate(folder: Path, seed: int | None = None) -> Path:
    """Write a generated knowledge base of PROCEDURES procedures into `folder`."""
    command = [sys.executable, "-m", "bench.generate", str(PROCEDURES), str(folder)]
    if seed is not None:
        command += ["--seed", str(seed)]
    subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
    return folder


def edit(source: Path, target: Path) -> Path:
    """Copy a generated knowledge base to `target` with EDITS applied."""
    target.mkdir()
    for path in sorted(source.glob("*.ttl")):
        text = path.read_text(encoding="utf-8")
        for old, new in EDITS.get(path.name, []):
            assert old in text, f"{path.name} has no {old!r} to edit"
            text = text.replace(old, new, 1)
        (target / path.name).write_text(text, encoding="utf-8")
    return target


def invoke(*arguments: str, codes: tuple[int, ...] = (0,)) -> bytes:
    result = CliRunner().invoke(main, list(arguments))
    assert result.exit_code in codes, result.output
    return result.stdout_bytes


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory) -> dict[str, Path]:
    """The three knowledge bases: generated, edited and generated from another seed."""
    folder = tmp_path_factory.mktemp("scale")
    generated = generate(folder / "generated")
    return {
        "generated": generated,
        "edited": edit(generated, folder / "edited"),
        "other": generate(folder / "other", OTHER_SEED),
    }


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(DIGESTS.read_text(encoding="utf-8")) if DIGESTS.exists() else {}


@pytest.fixture(scope="module")
def recorded(golden):
    """Compare a section of digests with the golden file (or record it when regenerating)."""
    sections: dict[str, dict[str, str]] = {}
    yield lambda name, digests: compare(golden, sections, name, digests)
    if REGENERATE_GOLDEN:
        merged = {**golden, **sections}
        DIGESTS.parent.mkdir(parents=True, exist_ok=True)
        DIGESTS.write_text(json.dumps(merged, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def compare(golden: dict, sections: dict, name: str, digests: dict[str, str]) -> None:
    sections[name] = digests
    if REGENERATE_GOLDEN:
        return
    assert name in golden, f"no digests for {name}; run `{REGENERATE_COMMAND}`"
    assert digests == golden[name]


def test_the_generated_inputs_are_the_ones_recorded(knowledge, recorded):
    # The other digests mean something only for these inputs: if bench/generate.py changed
    # its output, record the outputs again with the code from before the fast paths.
    for name, folder in knowledge.items():
        recorded(f"input {name}", folder_digests(folder))


def test_site_is_the_recorded_files(knowledge, recorded, tmp_path):
    invoke("site", "--quiet", "--data", str(knowledge["generated"]), "--output", str(tmp_path))
    recorded("site generated", folder_digests(tmp_path))


@pytest.mark.parametrize("pair", ["edited", "other"])
def test_diff_in_every_format_is_the_recorded_output(knowledge, recorded, pair):
    old, new = str(knowledge["generated"]), str(knowledge[pair])
    outputs = {
        format_name: digest(invoke("diff", "--quiet", "-f", format_name, old, new, codes=(1,)))
        for format_name in DIFF_FORMATS
    }
    recorded(f"diff generated {pair}", outputs)


def test_text_exports_are_the_recorded_output(knowledge, recorded):
    data = str(knowledge["generated"])
    outputs = {
        format_name: digest(invoke("export", "--quiet", "-f", format_name, "--data", data))
        for format_name in EXPORT_FORMATS
    }
    recorded("export generated", outputs)
