"""Find the local concepts that map to a terminology code, and how they map to it.

A code is named by a CURIE (`SCTID:313270001`; the prefix in any case, so `icd10cm:N13.9`
works too), by a full IRI (`http://snomed.info/id/313270001`, angle brackets optional), or by
a FHIR `system|code` pair (`http://snomed.info/sct|313270001`, systems as in
nephrokb.terminologies). curies expands and compresses with nephrokb's prefixes plus those
the Turtle files bind (nephrokb.mappings.curie_converter). A code of a known terminology must
have that terminology's identifier syntax; letters are upper-cased first, since ICD-10, MeSH
and UMLS identifiers are written in capitals.

The JSON output is stable; fields are only ever added:

    {
      "code": {"input": str, "iri": str, "curie": str | null, "terminology": str | null},
      "matches": [{
        "subject": str, "subject_iri": str, "label": str,
        "predicate": str, "predicate_iri": str, "meaning": str,
        "object_label": str | null, "justification": str, "confidence": float | null,
        "authors": [str], "date": str | null, "evidence": [str], "comment": str | null,
        "record": str
      }]
    }
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nephrokb.errors import InputError
from nephrokb.namespaces import PREFIXES, compact
from nephrokb.terminologies import TERMINOLOGIES, Terminology

if TYPE_CHECKING:
    from curies import Converter
    from rdflib import Graph

    from nephrokb.mappings import Mapping

SKOS = PREFIXES["skos"]
FHIR_PAIR_SEPARATOR = "|"

# What each SKOS mapping predicate says about the local concept and the code.
MEANINGS = {
    SKOS + "exactMatch": "the same concept",
    SKOS + "closeMatch": "nearly the same concept; not interchangeable in every use",
    SKOS + "broadMatch": "the code is broader than the local concept",
    SKOS + "narrowMatch": "the code is narrower than the local concept",
    SKOS + "relatedMatch": "a related concept, neither the same nor broader or narrower",
}

USAGE = "name a code as a CURIE (SCTID:313270001), an IRI, or a FHIR system|code pair"


@dataclass(frozen=True)
class Code:
    """A code as the user named it, resolved to the IRI the knowledge base uses."""

    text: str
    iri: str
    curie: str | None
    terminology: Terminology | None


@dataclass(frozen=True)
class Lookup:
    """A code and the mapping records whose object it is, sorted by local concept."""

    code: Code
    matches: tuple[Mapping, ...]


def lookup_code(graph: Graph, text: str) -> Lookup:
    """Return the mappings of `graph` whose object is the code `text` names.

    Raises InputError for a malformed code, an unknown prefix or an unknown FHIR system.
    """
    from nephrokb.mappings import curie_converter, read_mappings

    code = parse_code(text, curie_converter(graph))
    matches = tuple(mapping for mapping in read_mappings(graph) if mapping.object == code.iri)
    return Lookup(code=code, matches=matches)


def parse_code(text: str, converter: Converter) -> Code:
    """Resolve a CURIE, an IRI or a FHIR system|code pair to the IRI of the code."""
    given = text.strip()
    if not given:
        raise InputError(USAGE)
    if FHIR_PAIR_SEPARATOR in given:
        prefix, identifier = fhir_pair(given)
    elif "://" in given or (given.startswith("<") and given.endswith(">")):
        iri = given.removeprefix("<").removesuffix(">")
        parsed = converter.parse_uri(iri)
        if parsed is None or parsed.prefix is None:
            return Code(text=given, iri=iri, curie=None, terminology=None)
        prefix, identifier = parsed.prefix, parsed.identifier
    else:
        prefix, colon, identifier = given.partition(":")
        if not colon or not prefix or not identifier:
            raise InputError(f"{given!r} is not a code: {USAGE}")
        prefix = standard_prefix(prefix, converter)
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


def checked_identifier(identifier: str, terminology: Terminology) -> str:
    """Return the identifier (letters upper-cased), or raise InputError if it is malformed."""
    for candidate in (identifier, identifier.upper()):
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
    """Return the matches as a block per local concept, or one line saying there are none."""
    heading = describe_code(result.code)
    if not result.matches:
        return f"no local concept maps to {heading}\n"
    count = len(result.matches)
    subjects = "1 local concept maps" if count == 1 else f"{count} local concepts map"
    lines = [f"{heading}: {subjects} to it"]
    for mapping in result.matches:
        fields = [
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
        lines += ["", f"{compact(mapping.subject)}  {mapping.subject_label}"]
        width = max(len(name) for name, _ in fields)
        lines += [f"  {name:<{width}}  {value}" for name, value in fields if value]
    return "\n".join(lines) + "\n"


def render_json(result: Lookup) -> str:
    """Return the code and its matches as the JSON documented in this module."""
    code = result.code
    document: dict[str, Any] = {
        "code": {
            "input": code.text,
            "iri": code.iri,
            "curie": code.curie,
            "terminology": code.terminology.name if code.terminology else None,
        },
        "matches": [
            {
                "subject": compact(mapping.subject),
                "subject_iri": mapping.subject,
                "label": mapping.subject_label,
                "predicate": compact(mapping.predicate),
                "predicate_iri": mapping.predicate,
                "meaning": meaning(mapping),
                "object_label": mapping.object_label,
                "justification": compact(mapping.justification),
                "confidence": mapping.confidence,
                "authors": [compact(author) for author in mapping.authors],
                "date": mapping.date,
                "evidence": list(mapping.see_also),
                "comment": mapping.comment,
                "record": compact(mapping.iri),
            }
            for mapping in result.matches
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def meaning(mapping: Mapping) -> str:
    """Return what the mapping's predicate says, in words."""
    return MEANINGS[mapping.predicate]


LOOKUP_FORMATS: dict[str, Callable[[Lookup], str]] = {"json": render_json, "text": render_text}
