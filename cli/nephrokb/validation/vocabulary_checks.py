"""The closed vocabulary (shapes/vocabulary.ttl): name the unknown term and the closest known one.

The shapes (SHACL Core: sh:closed and sh:in) say which triples use a term that is neither
declared by the ontology nor listed as a standard term the knowledge uses; a SHACL message
cannot say which declared term was meant, so results of those shapes get their message
written here: `uses nkb:dependOn, which the ontology does not declare; did you mean
nkb:dependsOn?`. Only the message changes, never which results there are.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rdflib import RDF

from nephrokb.namespaces import OWL, RDFS, SHAPES, VOCAB, compact

if TYPE_CHECKING:
    from rdflib import Graph

    from nephrokb.validation.results import ValidationResult

PROPERTY_KINDS = frozenset(
    {
        OWL + "ObjectProperty",
        OWL + "DatatypeProperty",
        OWL + "AnnotationProperty",
        str(RDF.Property),
    }
)
CLASS_KINDS = frozenset({OWL + "Class", RDFS + "Class"})
KNOWN_PROPERTY_SHAPE = SHAPES + "KnownPropertyShape"
KNOWN_CLASS_SHAPE = SHAPES + "KnownClassTypeShape"
# Below this similarity (difflib's ratio, 0..1) no declared term is offered as the one meant.
SUGGESTION_CUTOFF = 0.6


@dataclass(frozen=True)
class DeclaredTerms:
    """The nkb: properties and classes an ontology declares, as IRIs."""

    properties: frozenset[str]
    classes: frozenset[str]


def declared_terms(ontology: Graph) -> DeclaredTerms:
    """Return the nkb: terms that `ontology` declares as properties and as classes."""
    kinds: dict[str, set[str]] = {}
    for term, kind in ontology.subject_objects(RDF.type):
        if str(term).startswith(VOCAB):
            kinds.setdefault(str(term), set()).add(str(kind))
    return DeclaredTerms(
        properties=frozenset(term for term, kind in kinds.items() if kind & PROPERTY_KINDS),
        classes=frozenset(term for term, kind in kinds.items() if kind & CLASS_KINDS),
    )


def closest_term(term: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate IRI whose local name is most like `term`'s (ignoring case).

    Local names are compared, since the shared namespace would make any two IRIs alike.
    """
    by_name = {local_name(candidate).lower(): candidate for candidate in candidates}
    name = local_name(term).lower()
    matches = difflib.get_close_matches(name, sorted(by_name), 1, SUGGESTION_CUTOFF)
    return by_name[matches[0]] if matches else None


def local_name(iri: str) -> str:
    """Return the part of an IRI after its last `#` or `/`."""
    return re.split(r"[#/]", iri)[-1]


def unknown_term_message(term: str, kind: str, candidates: Iterable[str]) -> str:
    """Return the message for an undeclared nkb: term, naming the closest declared one."""
    message = f"uses {kind} {compact(term)}, which the ontology does not declare"
    suggestion = closest_term(term, candidates)
    if suggestion is None:
        return f"{message}; see ontology/ for the declared terms."
    return f"{message}; did you mean {compact(suggestion)}?"


def foreign_term_message(term: str, kind: str) -> str:
    """Return the message for a term outside nkb: that shapes/vocabulary.ttl does not list."""
    return (
        f"uses {kind} {compact(term)}, which is not among the terms of other vocabularies "
        "the knowledge uses (listed in shapes/vocabulary.ttl)."
    )


def explain(results: Iterable[ValidationResult], ontology: Graph) -> Iterator[ValidationResult]:
    """Yield `results`, those of the closed-vocabulary shapes with a message naming the term."""
    declared: DeclaredTerms | None = None
    for result in results:
        if result.rule == KNOWN_PROPERTY_SHAPE and result.path is not None:
            term, kind = result.path, "the property"
        elif result.rule == KNOWN_CLASS_SHAPE and result.value_term is not None:
            term, kind = result.value or "", "the class"
        else:
            yield result
            continue
        if term.startswith(VOCAB):
            declared = declared or declared_terms(ontology)
            known = declared.properties if kind == "the property" else declared.classes
            message = unknown_term_message(term, kind, known)
        else:
            message = foreign_term_message(term, kind)
        yield replace(result, message=message)
