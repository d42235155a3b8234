"""Mutate real knowledge-base files and feed them to the loader, the validator and queries.

Any exception other than a NephroKBError is a crash: its input is saved under
fuzz/crashes/ (or --crashes DIR) with the traceback, and the run exits 1. One input in
--outputs-every also drives a command that writes at a random kind of output (fuzz/outputs.py);
a crash there, or a FIFO, device or symlink it destroyed, also makes the run exit 1.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED_FOLDERS = ("kb", "shapes", "ontology", "tests/fixtures/broken", "tests/fixtures/clean")
TOKENS = [
    b"@prefix",
    b"<",
    b">",
    b'"',
    b'"""',
    b"(",
    b")",
    b"[",
    b"]",
    b";",
    b",",
    b".",
    b"a ",
    b"_:b0",
    b"^^",
    b"@en",
    b"#",
    b"\n",
    b"\\u0000",
    b"\xff",
    b"PREFIX x: <>",
    b"1e999",
]
QUERIES = ["procedures", "steps", "provenance"]
CLEAN_INPUT = ROOT / "tests" / "fixtures" / "clean" / "minimal.ttl"


def seeds() -> list[bytes]:
    """Return the bytes of every Turtle file the fuzzer starts from."""
    paths = sorted(p for folder in SEED_FOLDERS for p in (ROOT / folder).glob("*.ttl"))
    return [path.read_bytes() for path in paths]


def mutate(data: bytes, pool: list[bytes], rng: random.Random) -> bytes:
    """Apply one to four random byte-level mutations."""
    for _ in range(rng.randint(1, 4)):
        position = rng.randrange(len(data) + 1)
        choice = rng.randrange(5)
        if choice == 0 and data:
            data = data[:position] + bytes([rng.randrange(256)]) + data[position + 1 :]
        elif choice == 1:
            data = data[:position] + data[position + rng.randint(1, 64) :]
        elif choice == 2:
            data = data[:position] + rng.choice(TOKENS) + data[position:]
        elif choice == 3:
            other = rng.choice(pool)
            start = rng.randrange(len(other) + 1)
            data = data[:position] + other[start : start + rng.randint(1, 400)]
        else:
            data = data[:position] + data[position : position + 200] * rng.randint(2, 20)
    return data


def exercise(path: Path, rng: random.Random, validate_every: int, count: int) -> None:
    """Load one input, then query it and (sometimes) validate it."""
    from nephrokb.query.queries import load_bundled_query, run_query
    from nephrokb.rdf.loading import load_graph
    from nephrokb.validation.engine import validate

    graph = load_graph([path])
    run_query(load_bundled_query(rng.choice(QUERIES)).text, graph)
    if count % validate_every == 0:
        validate([path])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to run")
    parser.add_argument("--seed", type=int, default=0, help="random seed (reproducible runs)")
    parser.add_argument("--validate-every", type=int, default=10, help="validate 1 input in N")
    parser.add_argument(
        "--outputs-every", type=int, default=4, help="drive an output scenario for 1 input in N"
    )
    parser.add_argument("--crashes", type=Path, default=ROOT / "fuzz" / "crashes")
    options = parser.parse_args(argv)

    from fuzz.outputs import ReadOnlyFolder, run_scenario
    from nephrokb.errors import NephroKBError

    # rdflib logs each odd IRI it meets; the fuzzer meets thousands.
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)
    rng = random.Random(options.seed)
    pool = seeds()
    tried = rejected = crashes = destroyed = 0
    kinds: Counter[str] = Counter()
    deadline = time.monotonic() + options.seconds
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.ttl"
        read_only = ReadOnlyFolder(Path(folder))
        try:
            while time.monotonic() < deadline:
                data = mutate(rng.choice(pool), pool, rng)
                path.write_bytes(data)
                tried += 1
                try:
                    exercise(path, rng, options.validate_every, tried)
                except NephroKBError:
                    rejected += 1
                except Exception:  # anything else is a bug to keep and fix
                    crashes += 1
                    save_crash(options.crashes, data, traceback.format_exc())
                if tried % options.outputs_every == 0:
                    outcome = run_scenario(rng, path, CLEAN_INPUT, read_only)
                    kinds[outcome.kind] += 1
                    if outcome.crash or outcome.destroyed:
                        crashes += bool(outcome.crash)
                        destroyed += bool(outcome.destroyed)
                        report = f"{outcome.description}\n{outcome.crash}{outcome.destroyed}\n"
                        save_crash(options.crashes, data, report)
        finally:
            read_only.close()
    print(f"inputs tried: {tried}, rejected cleanly: {rejected}, crashes: {crashes}")
    per_kind = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    print(f"output scenarios: {kinds.total()} ({per_kind}), destroyed nodes: {destroyed}")
    if read_only.why_not:
        print(f"read-only folder not exercised: {read_only.why_not}")
    return 1 if crashes or destroyed else 0


def save_crash(folder: Path, data: bytes, trace: str) -> None:
    """Keep a crashing input and its traceback, named by content hash."""
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(data).hexdigest()[:16]
    (folder / f"{name}.ttl").write_bytes(data)
    (folder / f"{name}.txt").write_text(trace, encoding="utf-8")
    print(f"crash saved as {folder / name}.ttl", file=sys.stderr)
