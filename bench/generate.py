"""Generate deterministic synthetic knowledge bases that conform to the bundled shapes.

A generated knowledge base has N procedures of 10 to 20 numbered steps each, written as
Turtle into a folder: `shared.ttl` holds the conditions, indications, benefits and devices
that procedures share; `procedures-NNN.ttl` holds 100 procedures each, with their steps,
source document and excerpts (one per line) and their SNOMED CT and ICD-10-PCS mappings.
The same N and seed always give the same bytes, so benchmark runs compare like with like.
A broken variant (`broken_share`) is the same knowledge base with that share of its nodes in
violation: chosen steps lose their description, its language tag or their source line, in
turn, so validation has results to place all over the files.

Example:
    python -m bench.generate 1000 /tmp/kb-1000
    python -m bench.generate 1000 /tmp/kb-1000-broken --broken 0.1
"""

from __future__ import annotations

import argparse
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nephrokb.terminologies import verhoeff_valid

SEED = 20260127
PROCEDURES_PER_FILE = 100
SHARED_FILE = "shared.ttl"
STEPS_PER_LINE = 8  # steps described on one source line
NODES_PER_GLOSSARY_LINE = 10
DEPENDENCY_SHARE = 0.35  # of steps after the first, each depending on one earlier step
CONDITIONAL_SHARE = 0.12  # of steps after the first
DEVICE_SHARE = 0.12  # of steps using a device
SNOMED_ITEM_BASE = 7_000_000
ICD10PCS_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # ICD-10-PCS never uses I or O
# How a step of a broken knowledge base breaks the shapes, in turn (see Tally.breakage).
BREAKAGES = ("untagged description", "no description", "no source line")

PREFIXES = """\
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix kb: <https://w3id.org/nephrokb/id/> .
@prefix nkb: <https://w3id.org/nephrokb/vocab#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix semapv: <https://w3id.org/semapv/vocab/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix sssom: <https://w3id.org/sssom/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# Word lists for readable, unique synthetic text. Names combine one word from each list,
# so they never contain placeholder words, doubled full stops or stray whitespace.
CONDITION_WORDS = (
    (
        "acute",
        "chronic",
        "recurrent",
        "bilateral",
        "left",
        "right",
        "partial",
        "complete",
        "congenital",
        "postoperative",
        "infected",
        "malignant",
        "benign",
        "traumatic",
        "intermittent",
        "progressive",
    ),
    (
        "renal pelvis",
        "upper ureter",
        "middle ureter",
        "lower ureter",
        "calyceal",
        "pelviureteric",
        "vesicoureteric",
        "transplant kidney",
        "solitary kidney",
        "horseshoe kidney",
        "duplex kidney",
        "ureteral stump",
    ),
    (
        "obstruction",
        "stricture",
        "stone disease",
        "compression",
        "fistula",
        "leak",
        "dilatation",
        "infection",
        "haemorrhage",
        "injury",
        "stenosis",
        "narrowing",
        "kinking",
        "occlusion",
    ),
)
INDICATION_CONTEXTS = (
    "needing urgent drainage",
    "needing elective drainage",
    "before definitive surgery",
    "after failed retrograde access",
    "in a patient unfit for anaesthesia",
    "with rising creatinine",
    "with fever and flank pain",
    "during pregnancy",
    "needing urinary diversion",
    "needing access for stone removal",
)
BENEFIT_WORDS = (
    (
        "rapidly",
        "safely",
        "durably",
        "reliably",
        "promptly",
        "gently",
        "effectively",
        "predictably",
    ),
    (
        "relieves",
        "drains",
        "decompresses",
        "protects",
        "restores",
        "diverts",
        "stabilises",
        "preserves",
    ),
    (
        "renal function",
        "urine flow",
        "the collecting system",
        "the upper tract",
        "kidney pressure",
        "infected urine",
        "the ureteral lumen",
        "patient comfort",
        "the transplant graft",
        "the remaining kidney",
    ),
)
DEVICE_WORDS = (
    (
        "six French",
        "eight French",
        "ten French",
        "twelve French",
        "fourteen French",
        "hydrophilic",
        "stiff",
        "soft tipped",
        "locking",
        "coaxial",
    ),
    (
        "drainage catheter",
        "guidewire",
        "puncture needle",
        "dilator",
        "ureteral stent",
        "sheath",
        "balloon catheter",
        "pigtail catheter",
        "access set",
        "stone basket",
    ),
)
STEP_ACTIONS = (
    "Confirm",
    "Prepare",
    "Position",
    "Mark",
    "Anaesthetise",
    "Puncture",
    "Advance",
    "Exchange",
    "Dilate",
    "Insert",
    "Secure",
    "Inject contrast into",
    "Inspect",
    "Flush",
    "Measure",
    "Record",
)
STEP_OBJECTS = (
    "the entry site",
    "the target calyx",
    "the renal pelvis",
    "the access tract",
    "the guidewire",
    "the sheath",
    "the drainage catheter",
    "the ureteral stent",
    "the skin",
    "the collecting system",
    "the upper ureter",
    "the bladder end",
)
STEP_MANNERS = (
    "under ultrasound guidance",
    "under fluoroscopic guidance",
    "with sterile technique",
    "while the patient holds their breath",
    "with gentle rotation",
    "with a steady hand",
    "after checking the images",
    "with a syringe of saline",
)
STEP_CONDITIONS = (
    "if the position is in doubt",
    "if bleeding is seen",
    "if the urine is infected",
    "if the tract is tight",
    "if the stent does not pass",
    "if the patient is anticoagulated",
)
PROCEDURE_WORDS = (
    (
        "percutaneous",
        "antegrade",
        "image guided",
        "ultrasound guided",
        "fluoroscopic",
        "combined",
        "staged",
        "single step",
    ),
    (
        "nephrostomy",
        "ureteral stenting",
        "pyelography",
        "tract dilatation",
        "nephrostomy exchange",
        "stent exchange",
        "ureteral dilatation",
        "drain repositioning",
    ),
    (
        "of the left kidney",
        "of the right kidney",
        "of a transplant kidney",
        "of a solitary kidney",
        "of a horseshoe kidney",
        "of a duplex kidney",
        "in a child",
        "in pregnancy",
    ),
)


@dataclass(frozen=True)
class GeneratedKB:
    """What `generate` wrote: the folder, its Turtle files and how much knowledge they hold."""

    folder: Path
    files: tuple[Path, ...]
    procedures: int
    steps: int
    mappings: int
    triples: int
    nodes: int  # typed nodes (subjects with an rdf:type)
    broken_nodes: int  # nodes written in violation of the shapes (broken variants only)


@dataclass
class Tally:
    """Counts the typed nodes written across files, and picks the steps to break."""

    broken_share: float = 0.0
    nodes: int = 0
    broken: int = 0

    def breakage(self) -> str | None:
        """Return how the step about to be written breaks the shapes, or None to keep it valid:
        a step is broken whenever fewer than `broken_share` of the nodes so far (it included)
        are."""
        if self.broken >= self.broken_share * (self.nodes + 1):
            return None
        self.broken += 1
        return BREAKAGES[(self.broken - 1) % len(BREAKAGES)]


class TurtleWriter:
    """Writes one Turtle file's nodes in a fixed order and counts the triples written."""

    def __init__(self, comment: str, tally: Tally):
        self.parts = [f"# {comment}\n", PREFIXES]
        self.triples = 0
        self.tally = tally

    def node(self, subject: str, properties: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Write one subject with its (predicate, objects) pairs; empty object lists are skipped."""
        statements = [(predicate, objects) for predicate, objects in properties if objects]
        self.tally.nodes += any(predicate == "a" for predicate, _ in statements)
        lines = [f"\n{subject}"]
        for index, (predicate, objects) in enumerate(statements):
            end = " ." if index == len(statements) - 1 else " ;"
            lines.append(f"    {predicate} {', '.join(objects)}{end}")
            self.triples += len(objects)
        self.parts.append("\n".join(lines) + "\n")

    def text(self) -> str:
        """Return the Turtle written so far."""
        return "".join(self.parts)


def english(text: str) -> str:
    """Return `text` as an English Turtle literal."""
    return f'"{text}"@en'


def plain(text: str) -> str:
    """Return `text` as a plain (xsd:string) Turtle literal."""
    return f'"{text}"'


def slugify(text: str) -> str:
    """Return a lowercase, hyphenated IRI slug for `text`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def capitalized(text: str) -> str:
    """Return `text` with its first letter in upper case."""
    return text[:1].upper() + text[1:]


def combined_name(index: int, word_lists: Sequence[Sequence[str]]) -> str:
    """Return a name made of one word per list, unique for every index (a suffix past the end)."""
    words = []
    rest = index
    for words_here in word_lists:
        rest, position = divmod(rest, len(words_here))
        words.append(words_here[position])
    suffix = f" series {rest + 1}" if rest else ""
    return " ".join(words) + suffix


def sctid(item: int) -> str:
    """Return a valid SNOMED CT concept id: the item, partition 00 and a Verhoeff check digit."""
    stem = f"{item}00"
    return next(stem + digit for digit in "0123456789" if verhoeff_valid(stem + digit))


def icd10pcs_code(index: int) -> str:
    """Return a syntactically valid seven-character ICD-10-PCS code, unique for each index."""
    digits = []
    for _ in range(4):
        index, position = divmod(index, len(ICD10PCS_ALPHABET))
        digits.append(ICD10PCS_ALPHABET[position])
    return "0T9" + "".join(reversed(digits))


def pool_sizes(procedures: int) -> dict[str, int]:
    """Return how many conditions, indications, benefits and devices N procedures share."""
    return {
        "condition": max(4, math.ceil(procedures / 10)),
        "indication": max(8, math.ceil(procedures * 0.55)),
        "benefit": max(6, math.ceil(procedures * 0.45)),
        "device": max(4, math.ceil(procedures / 20)),
    }


@dataclass(frozen=True)
class Plan:
    """The random choices behind a knowledge base, made up front so a procedure that relies
    on an earlier one can name that procedure's last step."""

    sizes: dict[str, int]
    step_labels: list[list[str]]
    indications: list[list[int]]
    benefits: list[list[int]]


def make_plan(procedures: int, random_numbers: random.Random) -> Plan:
    """Choose every procedure's step labels and its windows of shared indications and benefits."""
    sizes = pool_sizes(procedures)
    pairs = len(STEP_ACTIONS) * len(STEP_OBJECTS)
    labels, indications, benefits = [], [], []
    next_free = {"indication": 0, "benefit": 0}
    for _ in range(procedures):
        chosen = random_numbers.sample(range(pairs), random_numbers.randint(10, 20))
        labels.append([step_label(pair) for pair in chosen])
        indications.append(
            take_window(next_free, "indication", random_numbers.randint(3, 8), sizes)
        )
        benefits.append(take_window(next_free, "benefit", random_numbers.randint(3, 6), sizes))
    return Plan(sizes, labels, indications, benefits)


def step_label(pair: int) -> str:
    """Return the step label numbered `pair` among all action-object combinations."""
    action, target = divmod(pair, len(STEP_OBJECTS))
    return f"{STEP_ACTIONS[action]} {STEP_OBJECTS[target]}"


def take_window(
    next_free: dict[str, int], kind: str, count: int, sizes: dict[str, int]
) -> list[int]:
    """Return the next `count` pool indexes of `kind`, wrapping round, so every node is used."""
    start = next_free[kind]
    next_free[kind] = start + count
    return sorted({(start + offset) % sizes[kind] for offset in range(count)})


def generate(
    folder: Path, procedures: int, *, seed: int = SEED, broken_share: float = 0.0
) -> GeneratedKB:
    """Write a synthetic knowledge base of `procedures` procedures into `folder`: valid, or
    with `broken_share` of its nodes in violation (the rest byte for byte as when valid)."""
    if procedures < 1:
        raise ValueError("a knowledge base needs at least one procedure")
    folder.mkdir(parents=True, exist_ok=True)
    random_numbers = random.Random(seed)
    plan = make_plan(procedures, random_numbers)
    tally = Tally(broken_share)
    shared, triples = shared_turtle(plan.sizes, tally)
    files = [folder / SHARED_FILE]
    files[0].write_text(shared, encoding="utf-8")
    steps = mappings = 0
    for first in range(0, procedures, PROCEDURES_PER_FILE):
        last = min(first + PROCEDURES_PER_FILE, procedures)
        shard = first // PROCEDURES_PER_FILE
        writer = TurtleWriter(
            f"Synthetic procedures {first + 1} to {last} (bench/generate.py).", tally
        )
        document = f"kb:bench-source-{shard:03d}"
        writer.node(
            document,
            [
                ("a", ["nkb:SourceDocument"]),
                ("rdfs:label", [english(f"Synthetic protocol collection {shard + 1}")]),
            ],
        )
        lines = SourceLines(writer, document)
        for index in range(first, last):
            written = write_procedure(writer, lines, index, plan, random_numbers)
            steps += written.steps
            mappings += written.mappings
        path = folder / f"procedures-{shard:03d}.ttl"
        path.write_text(writer.text(), encoding="utf-8")
        files.append(path)
        triples += writer.triples
    return GeneratedKB(
        folder, tuple(files), procedures, steps, mappings, triples, tally.nodes, tally.broken
    )


class SourceLines:
    """Hands out source excerpts of one document, one nkb:SourceExcerpt per line."""

    def __init__(self, writer: TurtleWriter, document: str):
        self.writer = writer
        self.document = document
        self.line = 0
        self.kind = ""
        self.current = ""
        self.nodes_on_line = 0

    def new_line(self, text: str) -> str:
        """Write the excerpt of the next line, holding `text`, and return its IRI."""
        self.line += 1
        iri = f"{self.document}-line-{self.line:05d}"
        self.writer.node(
            iri,
            [
                ("a", ["nkb:SourceExcerpt"]),
                ("dcterms:isPartOf", [self.document]),
                ("nkb:lineNumber", [str(self.line)]),
                ("nkb:verbatimText", [plain(text)]),
            ],
        )
        return iri

    def glossary_line(self, kind: str, text: str) -> str:
        """Return the line a glossary entry of `kind` comes from: ten entries share a line."""
        if kind != self.kind or self.nodes_on_line == NODES_PER_GLOSSARY_LINE:
            self.kind, self.nodes_on_line = kind, 0
            self.current = self.new_line(text)
        self.nodes_on_line += 1
        return self.current


def shared_turtle(sizes: dict[str, int], tally: Tally) -> tuple[str, int]:
    """Return the Turtle of the shared conditions, indications, benefits and devices, and
    how many triples it holds."""
    writer = TurtleWriter("Shared synthetic nodes (bench/generate.py).", tally)
    document = "kb:bench-glossary"
    writer.node(
        document,
        [
            ("a", ["nkb:SourceDocument"]),
            ("rdfs:label", [english("Synthetic glossary of conditions and indications")]),
        ],
    )
    lines = SourceLines(writer, document)
    for index in range(sizes["condition"]):
        name = condition_name(index)
        writer.node(
            condition_iri(index),
            [
                ("a", ["nkb:Condition"]),
                ("rdfs:label", [english(capitalized(name))]),
                ("skos:definition", [english(f"A {name} that hinders the flow of urine.")]),
                ("dcterms:source", [document]),
                ("prov:wasDerivedFrom", [lines.glossary_line("condition", f"A {name}.")]),
            ],
        )
    for index in range(sizes["indication"]):
        label = indication_label(index, sizes["condition"])
        writer.node(
            indication_iri(index, sizes["condition"]),
            [
                ("a", ["nkb:Indication"]),
                ("rdfs:label", [english(label)]),
                ("dcterms:description", [english(f"Drainage is warranted for {label.lower()}.")]),
                ("nkb:refersToCondition", [condition_iri(index % sizes["condition"])]),
                ("dcterms:source", [document]),
                ("prov:wasDerivedFrom", [lines.glossary_line("indication", f"{label}.")]),
            ],
        )
    for index in range(sizes["benefit"]):
        label = benefit_label(index)
        writer.node(
            benefit_iri(index),
            [
                ("a", ["nkb:Benefit"]),
                ("rdfs:label", [english(label)]),
                ("dcterms:description", [english(f"The procedure {label.lower()}.")]),
                ("nkb:addressesCondition", [condition_iri(index * 7 % sizes["condition"])]),
                ("dcterms:source", [document]),
                ("prov:wasDerivedFrom", [lines.glossary_line("benefit", f"{label}.")]),
            ],
        )
    for index in range(sizes["device"]):
        label = device_label(index)
        writer.node(
            device_iri(index),
            [
                ("a", ["nkb:Device"]),
                ("rdfs:label", [english(label)]),
                ("dcterms:source", [document]),
                ("prov:wasDerivedFrom", [lines.glossary_line("device", f"{label}.")]),
            ],
        )
    return writer.text(), writer.triples


def condition_name(index: int) -> str:
    return combined_name(index, CONDITION_WORDS)


def condition_iri(index: int) -> str:
    return f"kb:bench-condition-{slugify(condition_name(index))}"


def indication_label(index: int, conditions: int) -> str:
    """Return an indication label: a condition and a clinical context, unique per index."""
    context = combined_name(index // conditions, [INDICATION_CONTEXTS])
    return capitalized(f"{condition_name(index % conditions)} {context}")


def indication_iri(index: int, conditions: int) -> str:
    return f"kb:bench-indication-{slugify(indication_label(index, conditions))}"


def benefit_label(index: int) -> str:
    return capitalized(combined_name(index, BENEFIT_WORDS))


def benefit_iri(index: int) -> str:
    return f"kb:bench-benefit-{slugify(benefit_label(index))}"


def device_label(index: int) -> str:
    return capitalized(combined_name(index, DEVICE_WORDS))


def device_iri(index: int) -> str:
    return f"kb:bench-device-{slugify(device_label(index))}"


def procedure_iri(index: int) -> str:
    return f"kb:bench-procedure-{index + 1:05d}"


def step_iri(index: int, label: str) -> str:
    return f"{procedure_iri(index)}-{slugify(label)}"


@dataclass(frozen=True)
class WrittenProcedure:
    """How many steps and mappings one procedure was written with."""

    steps: int
    mappings: int


def write_procedure(
    writer: TurtleWriter,
    lines: SourceLines,
    index: int,
    plan: Plan,
    random_numbers: random.Random,
) -> WrittenProcedure:
    """Write one procedure with its steps, source lines and mappings."""
    iri = procedure_iri(index)
    name = combined_name(index, PROCEDURE_WORDS)
    labels = plan.step_labels[index]
    steps = [step_iri(index, label) for label in labels]
    descriptions = [f"{label} {random_numbers.choice(STEP_MANNERS)}." for label in labels]
    # Every tenth procedure (from the third) is performed through the access of the one before.
    relies_on = index - 1 if index % 10 == 2 else None
    procedure_line = lines.new_line(f"{capitalized(name)} is described step by step.")
    step_lines = [
        lines.new_line(" ".join(descriptions[start : start + STEPS_PER_LINE]))
        for start in range(0, len(labels), STEPS_PER_LINE)
    ]
    writer.node(
        iri,
        [
            ("a", ["nkb:Procedure"]),
            ("rdfs:label", [english(capitalized(name))]),
            ("skos:definition", [english(f"A synthetic {name} used to measure nephrokb.")]),
            ("dcterms:source", [lines.document]),
            ("nkb:hasStep", steps),
            (
                "nkb:hasIndication",
                [indication_iri(i, plan.sizes["condition"]) for i in plan.indications[index]],
            ),
            ("nkb:hasBenefit", [benefit_iri(i) for i in plan.benefits[index]]),
            ("nkb:reliesOn", [procedure_iri(relies_on)] if relies_on is not None else []),
            ("prov:wasDerivedFrom", [procedure_line]),
        ],
    )
    for number, label in enumerate(labels, start=1):
        if number == 1 and relies_on is not None:
            depends_on = [step_iri(relies_on, plan.step_labels[relies_on][-1])]
        elif number > 1 and random_numbers.random() < DEPENDENCY_SHARE:
            depends_on = [steps[random_numbers.randrange(number - 1)]]
        else:
            depends_on = []
        conditional = number > 1 and random_numbers.random() < CONDITIONAL_SHARE
        uses_device = random_numbers.random() < DEVICE_SHARE
        breakage = writer.tally.breakage()
        description = {
            "untagged description": [plain(descriptions[number - 1])],
            "no description": [],
        }.get(breakage, [english(descriptions[number - 1])])
        source_line = step_lines[(number - 1) // STEPS_PER_LINE]
        source_lines = [] if breakage == "no source line" else [source_line]
        writer.node(
            steps[number - 1],
            [
                ("a", ["nkb:Step"]),
                ("rdfs:label", [english(label)]),
                ("dcterms:description", description),
                ("nkb:stepNumber", [str(number)]),
                ("nkb:condition", [english(random_numbers.choice(STEP_CONDITIONS))] * conditional),
                ("nkb:dependsOn", depends_on),
                (
                    "nkb:usesDevice",
                    [device_iri(random_numbers.randrange(plan.sizes["device"]))] * uses_device,
                ),
                ("dcterms:source", [lines.document]),
                ("prov:wasDerivedFrom", source_lines),
            ],
        )
    snomed = f"<http://snomed.info/id/{sctid(SNOMED_ITEM_BASE + index)}>"
    mappings = [("skos:exactMatch", snomed, "sctid")]
    if index % 3 == 0:
        icd = f"<http://purl.bioontology.org/ontology/ICD10PCS/{icd10pcs_code(index)}>"
        mappings.append(("skos:narrowMatch", icd, "icd10pcs"))
    for predicate, target, terminology in mappings:
        write_mapping(writer, iri, predicate, target, terminology)
    return WrittenProcedure(steps=len(steps), mappings=len(mappings))


def write_mapping(
    writer: TurtleWriter, source: str, predicate: str, target: str, terminology: str
) -> None:
    """Write a SKOS mapping triple and the nkb:Mapping record that justifies it."""
    writer.node(source, [(predicate, [target])])
    writer.node(
        f"kb:mapping-{source.removeprefix('kb:')}-{terminology}",
        [
            ("a", ["nkb:Mapping"]),
            ("owl:annotatedSource", [source]),
            ("owl:annotatedProperty", [predicate]),
            ("owl:annotatedTarget", [target]),
            ("sssom:mapping_justification", ["semapv:ManualMappingCuration"]),
            ("sssom:author_id", ["kb:bench-curator"]),
            ("sssom:mapping_date", ['"2026-01-27"^^xsd:date']),
            ("sssom:confidence", ['"0.9"^^xsd:double']),
            ("sssom:see_also", [f"<https://example.org/evidence/{terminology}>"]),
        ],
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Generate a knowledge base from the command line and say what was written."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("procedures", type=int, help="how many procedures to generate")
    parser.add_argument("folder", type=Path, help="folder to write the Turtle files into")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (%(default)s)")
    parser.add_argument(
        "--broken", type=float, default=0.0, help="share of nodes in violation (%(default)s)"
    )
    arguments = parser.parse_args(argv)
    kb = generate(
        arguments.folder, arguments.procedures, seed=arguments.seed, broken_share=arguments.broken
    )
    print(
        f"{kb.folder}: {kb.procedures} procedures, {kb.steps} steps, {kb.mappings} mappings, "
        f"{kb.triples} triples in {len(kb.files)} files; "
        f"{kb.broken_nodes} of {kb.nodes} nodes in violation"
    )


if __name__ == "__main__":
    main()
