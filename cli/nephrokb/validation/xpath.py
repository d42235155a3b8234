"""XPath semantics that SHACL prescribes: regular expressions (sh:pattern) and comparisons.

SHACL's sh:pattern follows XPath's fn:matches and sh:minInclusive and its kin SPARQL's
operators, which compare per XPath. Python's `re` and `<` differ in ways that change
results: `$` also matches before a final newline, `.` matches a carriage return, `\\s`
matches any Unicode space, and a NaN compares in ways Decimal refuses with an exception.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from rdflib import Literal

from nephrokb.namespaces import XSD, XSD_STRING

if TYPE_CHECKING:
    from rdflib.term import Node

XPATH_FLAGS = {"s": re.DOTALL, "m": re.MULTILINE, "i": re.IGNORECASE, "x": 0, "q": 0}
XPATH_SPACE = " \t\n\r"
NUMERIC = {
    XSD + name
    for name in (
        "integer", "decimal", "float", "double", "nonPositiveInteger", "negativeInteger",
        "long", "int", "short", "byte", "nonNegativeInteger", "unsignedLong", "unsignedInt",
        "unsignedShort", "unsignedByte", "positiveInteger",
    )
}  # fmt: skip
ORDERED = {XSD + "boolean", XSD + "dateTime", XSD + "date", XSD + "time"}


class NotTranslatable(ValueError):
    """An XPath regular expression (or flag) this module cannot give Python's `re`."""


def compile_pattern(pattern: str, flags: str = "") -> re.Pattern:
    """Compile an XPath regular expression with XPath flags into an equivalent `re` pattern.

    Outside character classes `$` (without the m flag) becomes `\\Z`, `.` (without s)
    excludes carriage returns too, and `\\s`/`\\S` mean XPath's four space characters; the
    x flag removes whitespace outside classes and q makes the pattern literal. Class
    subtraction and `\\p{...}` blocks raise NotTranslatable.
    """
    if not set(flags) <= set(XPATH_FLAGS):
        raise NotTranslatable(f"flags {flags!r}")
    re_flags = 0
    for letter in flags:
        re_flags |= XPATH_FLAGS[letter]
    if "q" in flags:
        return re.compile(re.escape(pattern), re_flags & re.IGNORECASE)
    if re.search(r"\\[pP]\{|-\[", pattern):
        raise NotTranslatable(pattern)
    try:
        return re.compile(translate(pattern, flags), re_flags)
    except re.error as error:
        raise NotTranslatable(pattern) from error


def translate(pattern: str, flags: str) -> str:
    """Rewrite an XPath regular expression in Python's syntax (see compile_pattern)."""
    out: list[str] = []
    in_class = False
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\":
            escaped = pattern[position + 1 : position + 2]
            if escaped == "s":
                out.append(r" \t\n\r" if in_class else r"[ \t\n\r]")
            elif escaped == "S":
                if in_class:
                    raise NotTranslatable(pattern)
                out.append(r"[^ \t\n\r]")
            else:
                out.append(char + escaped)
            position += 2
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
        elif char == "$" and "m" not in flags:
            out.append(r"\Z")
        elif char == "." and "s" not in flags:
            out.append(r"[^\n\r]")
        elif not ("x" in flags and char in XPATH_SPACE):
            out.append(char)
        position += 1
    return "".join(out)


def compare(value: Node, bound: Node) -> int | None:
    """Compare two literals as SPARQL's `<`, `=` and `>` do: -1, 0, 1, or None for an error.

    Numbers compare by value (a NaN with nothing), plain strings by code point, booleans,
    dates, times and dateTimes among their own kind; anything else is a type error.
    """
    left, right = ordered_value(value), ordered_value(bound)
    if left is None or right is None or left[0] != right[0]:
        return None
    first, second = left[1], right[1]
    if left[0] == "number" and (isinstance(first, float) or isinstance(second, float)):
        first, second = float(first), float(second)
        if math.isnan(first) or math.isnan(second):
            return None
    try:
        return (first > second) - (first < second)
    except TypeError:  # a dateTime with a time zone and one without
        return None


def ordered_value(term: Node) -> tuple[str, object] | None:
    """Return (kind, Python value) of a literal SPARQL can order, else None."""
    if not isinstance(term, Literal) or getattr(term, "ill_typed", False) is True:
        return None
    datatype = None if term.datatype is None else str(term.datatype)
    if datatype in NUMERIC:
        return "number", term.toPython()
    if datatype in (None, XSD_STRING):
        return None if term.language else ("string", str(term))
    if datatype in ORDERED and term.toPython() is not term:
        return datatype, term.toPython()
    return None
