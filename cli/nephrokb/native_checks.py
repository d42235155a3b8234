"""Python implementations of SPARQL constraints that rdflib evaluates too slowly.

Each entry gives the same results as the shape's SPARQL (tests compare them with pyshacl),
keyed by the shape IRI, so the shapes files stay the portable, standard definition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

SHAPES = "https://w3id.org/nephrokb/shapes#"
SNOMED = "http://snomed.info/id/"
SKOS_MATCHES = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
VERHOEFF_D = "0123456789123406789523401789563401289567401239567859876043216598710432765982104387659321049876543210"  # noqa: E501
VERHOEFF_P = "01234567891576283094580379614289160435279453126870428657390127938064157046913258"


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit of `digits` is its Verhoeff check digit."""
    check = 0
    for position, digit in enumerate(reversed(digits)):
        permuted = int(VERHOEFF_P[(position % 8) * 10 + int(digit)])
        check = int(VERHOEFF_D[check * 10 + permuted])
    return check == 0


def failing_sctid_check_digits(graph: Graph) -> Iterator[tuple[Node, Node]]:
    """Yield (node, target) for SKOS mappings to SNOMED CT IDs with a wrong check digit."""
    from rdflib import URIRef

    for name in SKOS_MATCHES:
        predicate = URIRef("http://www.w3.org/2004/02/skos/core#" + name)
        for node, target in graph.subject_objects(predicate):
            code = str(target).removeprefix(SNOMED)
            if (
                str(target).startswith(SNOMED)
                and code.isascii()
                and code.isdigit()
                and 6 <= len(code) <= 18
                and not verhoeff_valid(code)
            ):
                yield node, target


NATIVE_CHECKS: dict[str, Callable[[Graph], Iterator[tuple[Node, Node]]]] = {
    SHAPES + "SctidCheckDigitShape": failing_sctid_check_digits,
}
