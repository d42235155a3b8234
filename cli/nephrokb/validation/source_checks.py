"""Checks that need the source files, not only their triples: reported like SHACL results.

- KnownNamespaceRule: a prefix declared as an IRI one edit away from a namespace nephrokb
  knows (`<https://w3id.org/nephrokb/vocab/#>` for `nkb:`). Every term written with it
  silently leaves the vocabulary, so the knowledge of that file vanishes from every shape;
  the result points at the `@prefix` line.
- OneFileDescriptionRule: a node typed or labelled in more than one file. Its triples are
  merged, and every result about it would name only the first file; one result names
  every place instead.

Their rule IRIs live in the shapes namespace next to the shapes' own (docs/vocabulary.md).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nephrokb.namespaces import PREFIXES, SHAPES
from nephrokb.rdf.loading import DESCRIBING_PREDICATES
from nephrokb.rdf.sources import SourceText
from nephrokb.validation.results import ValidationResult

if TYPE_CHECKING:
    from nephrokb.validation.locations import Locations

KNOWN_NAMESPACE_RULE = SHAPES + "KnownNamespaceRule"
ONE_FILE_DESCRIPTION_RULE = SHAPES + "OneFileDescriptionRule"
SOURCE_RULES = (KNOWN_NAMESPACE_RULE, ONE_FILE_DESCRIPTION_RULE)
# `@prefix p: <iri>` and SPARQL-style `PREFIX p: <iri>`, at the start of a line.
PREFIX_DIRECTIVE = re.compile(
    r"^[ \t]*(?:@prefix|(?i:prefix))[ \t]+(?P<prefix>[^\s:]*):[ \t]*<(?P<namespace>[^>\s]*)>",
    re.MULTILINE,
)


def one_edit_apart(first: str, second: str) -> bool:
    """True when one insertion, deletion or substitution turns `first` into `second`."""
    if first == second or abs(len(first) - len(second)) > 1:
        return False
    start = 0
    while start < min(len(first), len(second)) and first[start] == second[start]:
        start += 1
    if len(first) == len(second):
        return first[start + 1 :] == second[start + 1 :]
    longer, shorter = (first, second) if len(first) > len(second) else (second, first)
    return longer[start + 1 :] == shorter[start:]


def namespace_meant(namespace: str) -> str | None:
    """Return the known namespace one edit away from `namespace`, if it is not known itself."""
    known = PREFIXES.values()
    if namespace in known:
        return None
    return next((candidate for candidate in known if one_edit_apart(namespace, candidate)), None)


def misspelt_namespaces(
    sources: Sequence[SourceText], declared: Sequence[dict[str, str]] | None = None
) -> Iterator[ValidationResult]:
    """Yield a result at each Turtle prefix declaration of a namespace one edit off a known one.

    `declared[i]` are the prefixes the parser read from `sources[i]`, when known; otherwise
    the declarations are found in the text (~0.15 s for 10 MB).
    """
    for index, source in enumerate(sources):
        if source.syntax != "turtle":
            continue
        if declared is None:
            prefixes = [
                (m["prefix"], m["namespace"]) for m in PREFIX_DIRECTIVE.finditer(source.text)
            ]
        else:
            prefixes = list(declared[index].items())
        for prefix, namespace in prefixes:
            meant = namespace_meant(namespace)
            if meant is None:
                continue
            known_as = next(name for name, known in PREFIXES.items() if known == meant)
            yield ValidationResult(
                focus=namespace,
                rule=KNOWN_NAMESPACE_RULE,
                severity="Violation",
                message=(
                    f"declares {prefix}: as <{namespace}>, one character away from "
                    f"<{meant}> ({known_as}:): every term written with it is outside that "
                    "vocabulary."
                ),
                file=str(source.path),
                line=declaration_line(source.text, prefix, namespace),
            )


def declaration_line(text: str, prefix: str, namespace: str) -> int | None:
    """Return the line declaring `prefix` as `namespace` (the last one, as Turtle uses it)."""
    found = [
        match
        for match in PREFIX_DIRECTIVE.finditer(text)
        if match["prefix"] == prefix and match["namespace"] == namespace
    ]
    return text.count("\n", 0, found[-1].start("namespace")) + 1 if found else None


def several_times_described(described: Sequence[frozenset]) -> set:
    """Return the nodes that more than one file types or labels (described[i]: file i's)."""
    counts = Counter(node for nodes in described for node in nodes)
    return {node for node, count in counts.items() if count > 1}


def described_in_several_files(
    nodes: Iterable[str], locations: Locations
) -> Iterator[ValidationResult]:
    """Yield one result per node typed or labelled in more than one file, naming each place."""
    for node in sorted(nodes):
        places: list[tuple[Path, int]] = [
            (path, lines.subjects[node])
            for path, lines in locations.describing(node)
            if any(lines.objects.get((node, predicate)) for predicate in DESCRIBING_PREDICATES)
        ]
        if len(places) < 2:
            continue
        (first, first_line), *others = places
        elsewhere = ", ".join(f"{path}:{line}" for path, line in others)
        yield ValidationResult(
            focus=node,
            rule=ONE_FILE_DESCRIPTION_RULE,
            severity="Violation",
            message=(
                f"is typed or labelled in {len(places)} files, here and at {elsewhere}: "
                "their triples merge into one node; describe each node in one file."
            ),
            file=str(first),
            line=first_line,
        )


def check_sources(
    sources: Sequence[SourceText],
    nodes: Iterable[str],
    locations: Locations,
    declared: Sequence[dict[str, str]] | None = None,
) -> tuple[ValidationResult, ...]:
    """Return the results of every source check: misspelt namespaces (see
    misspelt_namespaces for `declared`), then those of `nodes` (see
    several_times_described) described in several files, then the problems found
    compiling procedure files (nephrokb.authoring)."""
    return (
        *misspelt_namespaces(sources, declared),
        *described_in_several_files(nodes, locations),
        *authoring_results(sources),
    )


def authoring_results(sources: Sequence[SourceText]) -> Iterator[ValidationResult]:
    """Yield the problems found compiling procedure files, as validation results."""
    for source in sources:
        if source.authored is None:
            continue
        for problem in source.authored.problems:
            yield ValidationResult(
                focus=problem.focus,
                rule=problem.rule,
                severity="Violation",
                message=problem.message,
                file=problem.origin.file,
                line=problem.origin.line,
                cell=problem.origin.cell,
            )
