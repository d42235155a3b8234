"""Find the local concepts that map to a terminology code, and how they map to it.

A code is named by a CURIE (`SCTID:313270001`; the prefix in any case, so `icd10cm:N13.9`
works too), by a full IRI (`http://snomed.info/id/313270001`, angle brackets optional), by
a FHIR `system|code` pair (`http://snomed.info/sct|313270001`, systems as in
nephrokb.terminologies), or as terminology people write codes: without a prefix (`N139`,
`0T9330Z`, `313270001`: the syntax of SNOMED CT, ICD-10-CM or ICD-10-PCS decides, and where
two fit, the one that confirms the code, by its code set or its SNOMED CT check digit) and
in SNOMED CT's compositional grammar, `313270001 |Percutaneous nephrostomy (procedure)|`
(the term is kept as given, not checked: nephrokb holds no SNOMED CT descriptions). curies
expands and compresses with nephrokb's prefixes plus those the Turtle files bind
(nephrokb.knowledge.mappings.curie_converter).
A code of a known terminology must have that terminology's identifier syntax; letters are
upper-cased first, since ICD-10, MeSH and UMLS identifiers are written in capitals, and an
ICD-10-CM code gets its dot (`N139` is `N13.9`).

An ICD code is also looked up in its official code set (nephrokb.knowledge.codesets) for its title,
release year and billable status; an ICD-10-CM code with codes under it (`N13`) also lists
the local concepts mapped to those narrower codes.

The JSON output is stable; fields are only ever added:

    {
      "code": {
        "input": str, "iri": str, "curie": str | null, "terminology": str | null,
        "term": str | null,
        "official": {"title": str | null, "release": str, "year": int,
                     "in_code_set": bool | null, "billable": bool | null} | null
      },
      "matches": [MATCH],
      "narrower_matches": [MATCH]
    }

    MATCH = {
      "subject": str, "subject_iri": str, "label": str,
      "predicate": str, "predicate_iri": str, "meaning": str,
      "code": str, "code_title": str | null,
      "object_label": str | null, "justification": str, "confidence": float | null,
      "authors": [str], "date": str | null, "evidence": [str], "comment": str | null,
      "record": str
    }

`code` is the mapped code (for narrower matches, a code under the one looked up) and
`code_title` its official title, for ICD codes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from nephrokb.errors import InputError
from nephrokb.knowledge.codesets import (
    OfficialCode,
    icd10cm_dotted,
    icd10cm_entry,
    icd10cm_is_under,
    icd10pcs_entry,
    icd10pcs_sections,
)
from nephrokb.knowledge.mappings import curie_converter, read_mappings
from nephrokb.namespaces import (
    SKOS_BROAD_MATCH,
    SKOS_CLOSE_MATCH,
    SKOS_EXACT_MATCH,
    SKOS_NARROW_MATCH,
    SKOS_RELATED_MATCH,
    compact,
)
from nephrokb.terminologies import (
    TERMINOLOGIES,
    Terminology,
    is_snomed_concept_id,
    terminology_of,
)

if TYPE_CHECKING:
    from curies import Converter
    from rdflib import Graph

    from nephrokb.knowledge.mappings import Mapping

FHIR_PAIR_SEPARATOR = "|"

# What each SKOS mapping predicate says about the local concept and the code.
MEANINGS = {
    SKOS_EXACT_MATCH: "the same concept",
    SKOS_CLOSE_MATCH: "nearly the same concept; not interchangeable in every use",
    SKOS_BROAD_MATCH: "the code is broader than our concept",
    SKOS_NARROW_MATCH: "the code is narrower than our concept",
    SKOS_RELATED_MATCH: "a related concept, neither the same nor broader or narrower",
}

USAGE = "name a code as a CURIE (SCTID:313270001), an IRI, or a FHIR system|code pair"

# SNOMED CT compositional grammar for one concept: `313270001 |Percutaneous nephrostomy|`.
SNOMED_EXPRESSION = re.compile(r"(?P<code>[^|]+?)\s*\|(?P<term>[^|]*)\|")
SNOMED_CT = "SCTID"

# Terminologies a code may be written in without its prefix, as their users write them.
BARE_CODE_TERMINOLOGIES = (SNOMED_CT, "ICD10CM", "ICD10PCS")

# How a terminology writes its identifiers when they can be written more than one way.
CANONICAL_IDENTIFIERS: dict[str, Callable[[str], str]] = {"ICD10CM": icd10cm_dotted}

# The official code sets codes are looked up in, by terminology prefix.
CODE_SETS: dict[str, Callable[[str], OfficialCode]] = {
    "ICD10CM": icd10cm_entry,
    "ICD10PCS": icd10pcs_entry,
}

# Whether one code is under another, for the terminologies whose hierarchy nephrokb has.
NARROWER_CODES: dict[str, Callable[[str, str], bool]] = {"ICD10CM": icd10cm_is_under}


@dataclass(frozen=True)
class Code:
    """A code as the user named it, resolved to the IRI the knowledge base uses."""

    text: str
    iri: str
    curie: str | None
    terminology: Terminology | None
    term: str | None = None

    @property
    def identifier(self) -> str | None:
        """The code within its terminology (`N13.9`), when the terminology is known."""
        if self.terminology is None:
            return None
        return self.iri.removeprefix(self.terminology.namespace)


@dataclass(frozen=True)
class Lookup:
    """A code, what its code set says of it, and the mapping records that reach it.

    `matches` map to the code itself, `narrower_matches` to codes under it; both are sorted
    by local concept.
    """

    code: Code
    official: OfficialCode | None
    matches: tuple[Mapping, ...]
    narrower_matches: tuple[Mapping, ...]

    @property
    def found(self) -> bool:
        """True when some local concept maps to the code or to a code under it."""
        return bool(self.matches or self.narrower_matches)


def lookup_code(graph: Graph, text: str) -> Lookup:
    """Return the mappings of `graph` whose object is the code `text` names, or under it.

    Raises InputError for a malformed code, an unknown prefix or an unknown FHIR system.
    """
    code = parse_code(text, curie_converter(graph))
    mappings = read_mappings(graph)
    return Lookup(
        code=code,
        official=official_code(code.iri),
        matches=tuple(mapping for mapping in mappings if mapping.object == code.iri),
        narrower_matches=tuple(
            mapping for mapping in mappings if is_narrower_code(mapping.object, code)
        ),
    )


def official_code(iri: str) -> OfficialCode | None:
    """Return what the official code set says of the code `iri`, for ICD codes."""
    terminology = terminology_of(iri)
    if terminology is None or terminology.prefix not in CODE_SETS:
        return None
    return CODE_SETS[terminology.prefix](iri.removeprefix(terminology.namespace))


def is_narrower_code(iri: str, code: Code) -> bool:
    """True when `iri` is a code of the same terminology under `code` in its hierarchy."""
    terminology = code.terminology
    if terminology is None or terminology.prefix not in NARROWER_CODES:
        return False
    if terminology_of(iri) is not terminology:
        return False
    narrower = iri.removeprefix(terminology.namespace)
    return NARROWER_CODES[terminology.prefix](narrower, code.identifier or "")


def parse_code(text: str, converter: Converter) -> Code:
    """Resolve a CURIE, an IRI, a FHIR pair, a bare code or a SNOMED CT expression."""
    given = text.strip()
    if not given:
        raise InputError(USAGE)
    expression = SNOMED_EXPRESSION.fullmatch(given)
    if expression:
        code = parse_code(expression["code"], converter)
        if code.terminology is None or code.terminology.prefix != SNOMED_CT:
            raise InputError(
                f"{given!r}: the 'code |term|' form is SNOMED CT's, and "
                f"{describe_code(code)} is not a SNOMED CT code"
            )
        return replace(code, text=given, term=expression["term"].strip())
    if FHIR_PAIR_SEPARATOR in given:
        prefix, identifier = fhir_pair(given)
    elif "://" in given or (given.startswith("<") and given.endswith(">")):
        iri = given.removeprefix("<").removesuffix(">")
        parsed = converter.parse_uri(iri)
        if parsed is None or parsed.prefix is None:
            return Code(text=given, iri=iri, curie=None, terminology=None)
        prefix, identifier = parsed.prefix, parsed.identifier
    elif ":" in given:
        prefix, _, identifier = given.partition(":")
        if not prefix or not identifier:
            raise InputError(f"{given!r} is not a code: {USAGE}")
        prefix = standard_prefix(prefix, converter)
    else:
        prefix, identifier = bare_code_prefix(given), given
    terminology = TERMINOLOGIES.get(prefix)
    if terminology is not None:
        identifier = checked_identifier(identifier, terminology)
    iri = converter.expand_pair(prefix, identifier, strict=True)
    return Code(text=given, iri=iri, curie=converter.compress(iri), terminology=terminology)


def fhir_pair(given: str) -> tuple[str, str]:
    """Return the CURIE prefix and identifier for a FHIR `system|code` pair."""
    system, _, identifier = given.partition(FHIR_PAIR_SEPARATOR)
    if not system or not identifier:
        raise InputError(f"{given!r} is not a FHIR system|code pair: {USAGE}")
    for terminology in TERMINOLOGIES.values():
        if terminology.fhir_system == system:
            return terminology.prefix, identifier
    known = ", ".join(sorted(t.fhir_system for t in TERMINOLOGIES.values()))
    raise InputError(f"unknown FHIR system {system!r}; known systems: {known}")


def standard_prefix(prefix: str, converter: Converter) -> str:
    """Return the prefix as nephrokb writes it, matching `prefix` in any case."""
    by_folded = {known.casefold(): known for known in converter.prefix_map}
    if prefix.casefold() in by_folded:
        return by_folded[prefix.casefold()]
    known = ", ".join(sorted(TERMINOLOGIES))
    raise InputError(f"unknown prefix {prefix!r}; terminology prefixes: {known}")


def bare_code_prefix(identifier: str) -> str:
    """Return the terminology prefix of a code written without one.

    The syntax decides; where that of more than one terminology fits (`S3710XA` could be
    ICD-10-CM or ICD-10-PCS, `7163005` SNOMED CT or ICD-10-PCS), the one that confirms the
    code wins: its official code set holds it, or its SNOMED CT check digit is right.
    """
    fitting = [
        prefix
        for prefix in BARE_CODE_TERMINOLOGIES
        if TERMINOLOGIES[prefix].matches(canonical_identifier(identifier, prefix))
    ]
    if len(fitting) > 1:
        fitting = [prefix for prefix in fitting if confirms(prefix, identifier)]
    if len(fitting) == 1:
        return fitting[0]
    *others, last = (TERMINOLOGIES[prefix].name for prefix in BARE_CODE_TERMINOLOGIES)
    names = f"{', '.join(others)} or {last}"
    raise InputError(
        f"{identifier!r} is not clearly a {names} code; write it with its prefix: {USAGE}"
    )


def confirms(prefix: str, identifier: str) -> bool:
    """True when the terminology `prefix` confirms the code: code set, or check digit."""
    canonical = canonical_identifier(identifier, prefix)
    if prefix == SNOMED_CT:
        return is_snomed_concept_id(canonical)
    return prefix in CODE_SETS and bool(CODE_SETS[prefix](canonical).in_code_set)


def canonical_identifier(identifier: str, prefix: str) -> str:
    """Return the identifier in capitals and as its terminology writes it (`N139` -> `N13.9`)."""
    identifier = identifier.strip().upper()
    canonical = CANONICAL_IDENTIFIERS.get(prefix)
    return canonical(identifier) if canonical else identifier


def checked_identifier(identifier: str, terminology: Terminology) -> str:
    """Return the identifier in its canonical form, or raise InputError if it is malformed."""
    for candidate in (identifier, canonical_identifier(identifier, terminology.prefix)):
        if terminology.matches(candidate):
            return candidate
    raise InputError(
        f"{identifier!r} is not a valid {terminology.name} identifier "
        f"(expected the pattern {terminology.pattern})"
    )


def describe_code(code: Code) -> str:
    """Return `SCTID:313270001 (SNOMED CT)`, or the IRI when no prefix covers it."""
    name = code.curie or f"<{code.iri}>"
    return f"{name} ({code.terminology.name})" if code.terminology else name


def render_text(result: Lookup) -> str:
    """Return the code, its official title and a block per local concept that maps to it."""
    heading = describe_code(result.code)
    if result.found:
        lines = [f"{heading}: {count_phrase(result)}"]
    else:
        lines = [f"no local concept maps to {heading}"]
    if result.official is not None:
        lines.append(official_line(result.official))
    if result.code.term is not None:
        lines.append(
            f"term |{result.code.term}| as given, not checked: "
            "nephrokb holds no SNOMED CT descriptions"
        )
    for mapping in result.matches:
        lines += ["", *match_block(mapping, ())]
    for mapping in result.narrower_matches:
        narrower = official_code(mapping.object)
        code_title = f" {narrower.title}" if narrower and narrower.title else ""
        under = f"{identifier_of(mapping.object)} is under {result.code.identifier}"
        lines += [
            "",
            *match_block(
                mapping, (("narrower code", f"{compact(mapping.object)}{code_title} ({under})"),)
            ),
        ]
    return "\n".join(lines) + "\n"


def count_phrase(result: Lookup) -> str:
    """Return `1 local concept maps to it; 2 map to narrower codes under it`."""
    direct = len(result.matches)
    if direct == 0:
        phrase = "no local concept maps to it"
    elif direct == 1:
        phrase = "1 local concept maps to it"
    else:
        phrase = f"{direct} local concepts map to it"
    narrower = len(result.narrower_matches)
    if narrower:
        verb = "maps" if narrower == 1 else "map"
        phrase += f"; {narrower} {verb} to narrower codes under it"
    return phrase


def official_line(official: OfficialCode) -> str:
    """Return `official title (ICD-10-CM 2026): ...; billable` for a code set's entry."""
    release = f"{official.release.terminology} {official.release.year}"
    if official.in_code_set is None:
        sections = ", ".join(sorted(icd10pcs_sections()))
        return (
            f"official title ({release}): unknown; the installed code set "
            f"({official.release.package}) holds only section {sections}"
        )
    if not official.in_code_set:
        return f"official title ({release}): none; {official.code} is not a code of {release}"
    status = "billable" if official.billable else "not billable: it has codes under it"
    return f"official title ({release}): {official.title}; {status}"


def match_block(mapping: Mapping, first: tuple[tuple[str, str], ...]) -> list[str]:
    """Return the lines of one mapping: the local concept, then a field per line."""
    fields = [
        *first,
        ("predicate", f"{compact(mapping.predicate)} ({meaning(mapping)})"),
        ("code label", mapping.object_label),
        ("justification", compact(mapping.justification)),
        ("confidence", None if mapping.confidence is None else str(mapping.confidence)),
        ("author", ", ".join(compact(author) for author in mapping.authors) or None),
        ("date", mapping.date),
        ("evidence", " ".join(mapping.see_also) or None),
        ("comment", mapping.comment),
        ("record", compact(mapping.iri)),
    ]
    width = max(len(name) for name, _ in fields)
    return [
        f"{compact(mapping.subject)}  {mapping.subject_label}",
        *(f"  {name:<{width}}  {value}" for name, value in fields if value),
    ]


def identifier_of(iri: str) -> str:
    """Return a code's identifier within its terminology (`N13.9`), or the IRI."""
    terminology = terminology_of(iri)
    return iri.removeprefix(terminology.namespace) if terminology else iri


def render_json(result: Lookup) -> str:
    """Return the code and its matches as the JSON documented in this module."""
    code = result.code
    official = result.official
    document: dict[str, Any] = {
        "code": {
            "input": code.text,
            "iri": code.iri,
            "curie": code.curie,
            "terminology": code.terminology.name if code.terminology else None,
            "term": code.term,
            "official": None
            if official is None
            else {
                "title": official.title,
                "release": str(official.release),
                "year": official.release.year,
                "in_code_set": official.in_code_set,
                "billable": official.billable,
            },
        },
        "matches": [match_json(mapping) for mapping in result.matches],
        "narrower_matches": [match_json(mapping) for mapping in result.narrower_matches],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def match_json(mapping: Mapping) -> dict[str, Any]:
    """Return one mapping as a MATCH object of the documented JSON."""
    official = official_code(mapping.object)
    return {
        "subject": compact(mapping.subject),
        "subject_iri": mapping.subject,
        "label": mapping.subject_label,
        "predicate": compact(mapping.predicate),
        "predicate_iri": mapping.predicate,
        "meaning": meaning(mapping),
        "code": compact(mapping.object),
        "code_title": official.title if official else None,
        "object_label": mapping.object_label,
        "justification": compact(mapping.justification),
        "confidence": mapping.confidence,
        "authors": [compact(author) for author in mapping.authors],
        "date": mapping.date,
        "evidence": list(mapping.see_also),
        "comment": mapping.comment,
        "record": compact(mapping.iri),
    }


def meaning(mapping: Mapping) -> str:
    """Return what the mapping's predicate says, in words."""
    return MEANINGS[mapping.predicate]


LOOKUP_FORMATS: dict[str, Callable[[Lookup], str]] = {"json": render_json, "text": render_text}
