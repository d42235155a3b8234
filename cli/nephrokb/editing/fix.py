"""Fixes that are certain: applied to Turtle and YAML files by `nephrokb validate --fix`.

- stray and doubled whitespace in English text (one space between words, none around),
- a doubled full stop in English text ("fast.." becomes "fast."; an ellipsis stays),
- a missing @en on English text (a plain literal where the vocabulary wants English),
- step numbers of a procedure renumbered 1..n in their order (number, then line), when
  every step has one.

English text is what the authoring format writes as `text` (labels, descriptions,
definitions, conditions...): its predicates come from the registry. Verbatim source text is
never touched. A Turtle file is rewritten in the canonical form (its leading comments kept),
a YAML file only where a value changes, so its comments and layout stay. A file is fixed
only when it parses; fixing a fixed file changes nothing.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import yaml
from rdflib import RDF, XSD, Graph, Literal, URIRef

from nephrokb.authoring import AUTHORING_SUFFIXES
from nephrokb.authoring.fields import SECTIONS, STEP
from nephrokb.editing.fmt import RELATIVE_BASE, leading_comments
from nephrokb.errors import InputError
from nephrokb.namespaces import HAS_STEP, KB, PREFIXES, STEP_NUMBER, VOCAB, compact
from nephrokb.output import write_output
from nephrokb.query.results import TURTLE_ESCAPES
from nephrokb.rdf.sources import read_text, resolve_turtle_files
from nephrokb.resources import bundled_folder, current_checkout
from nephrokb.turtle.canonical import serialize_canonical
from nephrokb.turtle.locator import locate

if TYPE_CHECKING:
    from nephrokb.validation.results import ValidationResult

TEXT_KEYS = {
    key.name: key.predicate
    for section in [*SECTIONS.values(), STEP]
    for key in section.keys
    if key.kind == "text"
}
TEXT_PREDICATES = frozenset(TEXT_KEYS.values())
DOUBLED_FULL_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")


@dataclass(frozen=True)
class Fix:
    """One change: where, to which node, and what it did (for people).

    `predicate` and `old` (the value in N-Triples syntax) say which triple it changes, so a
    validation result about that triple can carry it; `new_line` is the whole text of
    `line` after the fix, when the fix is confined to that line (SARIF and GitHub suggest it).
    """

    line: int | None
    focus: str
    change: str
    predicate: str | None = None
    old: str | None = None
    new_line: str | None = None


@dataclass(frozen=True)
class FilePlan:
    """A file's text before and after its fixes."""

    path: Path
    before: str
    after: str
    fixes: tuple[Fix, ...]

    def diff(self) -> str:
        """The unified diff of the fixes, as `--fix --dry-run` shows it."""
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                fromfile=f"{self.path}",
                tofile=f"{self.path} (fixed)",
            )
        )


def tidy(text: str) -> str:
    """Return English text with single spaces and no doubled full stop."""
    return DOUBLED_FULL_STOP.sub(".", " ".join(text.split()))


def plan_fixes(path: Path) -> FilePlan:
    """Return the fixes of one Turtle or YAML file (none for a workbook)."""
    text = read_text(path)
    suffix = path.suffix.lower()
    if suffix in AUTHORING_SUFFIXES:
        if suffix == ".xlsx":
            return FilePlan(path, text, text, ())
        return plan_yaml(path, text)
    return plan_turtle(path, text)


def plan_yaml(path: Path, text: str) -> FilePlan:
    """Tidy the English text values of a YAML file in place, leaving everything else."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return FilePlan(path, text, text, ())  # not fully parsed: left alone
    edits: list[tuple[int, int, str, Fix]] = []
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            slug = next((v.value for k, v in node.value if k.value == "slug"), "")
            for key, value in node.value:
                if key.value in TEXT_KEYS and isinstance(value, yaml.ScalarNode):
                    if value.tag.endswith(":str") and tidy(value.value) != value.value:
                        replacement = json.dumps(tidy(value.value), ensure_ascii=False)
                        change = f"{key.value} {json.dumps(value.value)} -> {replacement}"
                        start, end = value.start_mark, value.end_mark
                        new_line = None
                        if start.line == end.line:
                            old_line = text.splitlines()[start.line]
                            new_line = (
                                old_line[: start.column] + replacement + old_line[end.column :]
                            )
                        old = Literal(value.value, lang="en").n3()
                        fix = Fix(
                            start.line + 1, KB + slug, change, TEXT_KEYS[key.value], old, new_line
                        )
                        edits.append(
                            (value.start_mark.index, value.end_mark.index, replacement, fix)
                        )
                else:
                    stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    after = text
    for start, end, replacement, _ in sorted(edits, key=lambda edit: -edit[0]):
        after = after[:start] + replacement + after[end:]
    fixes = tuple(sorted((edit[3] for edit in edits), key=lambda fix: fix.line or 0))
    return FilePlan(path, text, after, fixes)


def plan_turtle(path: Path, text: str) -> FilePlan:
    """Fix a Turtle file's graph; the fixed file is written in the canonical form."""
    graph = Graph(bind_namespaces="none")
    try:
        graph.parse(data=text, format="turtle", publicID=RELATIVE_BASE)
    except Exception:  # any parser failure: not fully parsed, so left alone
        return FilePlan(path, text, text, ())
    lines = locate(text, RELATIVE_BASE)
    fixes: list[Fix] = []

    def line_of(subject) -> int | None:
        return lines.subjects.get(str(subject))

    for subject, predicate, obj in sorted(graph):
        if str(predicate) not in TEXT_PREDICATES or not isinstance(obj, Literal):
            continue
        if obj.language is None and obj.datatype not in (None, XSD.string):
            continue
        language = obj.language or "en"
        fixed = Literal(tidy(str(obj)), lang=language)
        if fixed != obj:
            graph.remove((subject, predicate, obj))
            graph.add((subject, predicate, fixed))
            what = []
            if tidy(str(obj)) != str(obj):
                what.append("text tidied")
            if obj.language is None:
                what.append("@en added")
            change = f"{compact(str(predicate))} {obj.n3()} -> {fixed.n3()} ({', '.join(what)})"
            line, new_line = line_replacing(text, one_line(obj), one_line(fixed), line_of(subject))
            fixes.append(
                Fix(
                    line or line_of(subject),
                    str(subject),
                    change,
                    str(predicate),
                    obj.n3(),
                    new_line,
                )
            )
    step_number = URIRef(STEP_NUMBER)
    for procedure in sorted(graph.subjects(RDF.type, URIRef(VOCAB + "Procedure"))):
        steps = list(graph.objects(procedure, URIRef(HAS_STEP)))
        numbers = {step: graph.value(step, step_number) for step in steps}
        if not steps or any(
            not isinstance(number, Literal) or not isinstance(number.toPython(), int)
            for number in numbers.values()
        ):
            continue  # a step without a number has no certain place
        ordered = sorted(steps, key=lambda step: (numbers[step].toPython(), line_of(step) or 0))
        for position, step in enumerate(ordered, start=1):
            if numbers[step] != Literal(position):
                graph.set((step, step_number, Literal(position)))
                change = f"step number {numbers[step]} -> {position}"
                written = rf"nkb:stepNumber\s+{numbers[step]}\b"
                line, new_line = line_replacing(
                    text, written, f"nkb:stepNumber {position}", line_of(step), pattern=True
                )
                fixes.append(
                    Fix(
                        line or line_of(step),
                        str(step),
                        change,
                        str(step_number),
                        numbers[step].n3(),
                        new_line,
                    )
                )
    if not fixes:
        return FilePlan(path, text, text, ())
    prefixes = {**{p: str(ns) for p, ns in graph.namespaces()}, **PREFIXES}
    after = serialize_canonical(graph, prefixes, header=leading_comments(text), base=RELATIVE_BASE)
    return FilePlan(path, text, after, tuple(sorted(fixes, key=lambda fix: fix.line or 0)))


def one_line(literal) -> str:
    """A text literal on one line, as Turtle files write it (escapes, language tag)."""
    quoted = f'"{str(literal).translate(TURTLE_ESCAPES)}"'
    return f"{quoted}@{literal.language}" if literal.language else quoted


class LineReplacement(NamedTuple):
    """The number of the one line to change and its new text (both None: no such line)."""

    line: int | None
    text: str | None


def line_replacing(
    text: str, old: str, new: str, near: int | None, *, pattern: bool = False
) -> LineReplacement:
    """Return the line number and new text of the one line of a subject's block holding `old`.

    None for both when `old` is not written so on exactly one line from the subject's first
    line to the next blank line (then the fix has no one-line suggestion).
    """
    lines = text.splitlines()
    start = (near or 1) - 1
    end = next((n for n in range(start, len(lines)) if not lines[n].strip()), len(lines))
    found = re.compile(old if pattern else re.escape(old))
    holding = [n for n in range(start, end) if found.search(lines[n])]
    if len(holding) != 1:
        return LineReplacement(None, None)
    number = holding[0]
    return LineReplacement(number + 1, found.sub(lambda _: new, lines[number], count=1))


def write_fixes(plans: list[FilePlan]) -> None:
    """Write every fixed file atomically, each only if unchanged since it was read."""
    for plan in plans:
        if plan.after == plan.before:
            continue
        if read_text(plan.path) != plan.before:
            raise InputError(
                "changed on disk while it was being fixed; left as it is", path=str(plan.path)
            )
        write_output(plan.path, plan.after.encode("utf-8"))


def fix_targets(files: list[Path], data: list[str]) -> list[Path]:
    """The files `validate --fix` may edit: the procedure files named, else the --data
    files, else the checkout's kb/; never the knowledge installed with the package."""
    if files:
        return list(files)
    if data:
        return [path for path in resolve_turtle_files(data) if str(path) != "-"]
    if current_checkout() is None:
        raise InputError("--fix edits files: name them with --data, or run it inside a checkout")
    return resolve_turtle_files([bundled_folder("kb")])


def with_fixes(
    results: Sequence[ValidationResult], plans: list[FilePlan]
) -> tuple[ValidationResult, ...]:
    """Give each result the fix of the triple it is about, when there is one."""
    fixes = {
        (str(plan.path.resolve()), fix.focus, fix.old): fix
        for plan in plans
        for fix in plan.fixes
        if fix.new_line is not None
    }
    fixed = []
    for result in results:
        fix = None
        if result.file:
            fix = fixes.get((str(Path(result.file).resolve()), result.focus, result.value_term))
        if fix is not None and result.path not in (None, fix.predicate):
            fix = None  # a result about the same value under another property
        fixed.append(replace(result, fix=fix) if fix is not None else result)
    return tuple(fixed)
