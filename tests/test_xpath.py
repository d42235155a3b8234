"""XPath regular expressions and comparisons, as SHACL's sh:pattern and bounds use them."""

from __future__ import annotations

import pytest
from rdflib import Literal, Namespace, URIRef

from nephrokb.validation.xpath import NotTranslatable, compare, compile_pattern

XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
WORDS = r"^[^\s]+( [^\s]+)*$"


@pytest.mark.parametrize(
    ("pattern", "flags", "text", "matches"),
    [
        (WORDS, "", "two words", True),
        (WORDS, "", "two words\n", False),  # Python's $ would match before the newline
        (WORDS, "", "non\u00a0breaking", True),  # \s is XPath's four spaces, not Unicode's
        (r"a\sb", "", "a\u00a0b", False),
        (r"a\Sb", "", "a\u00a0b", True),
        ("^a.b$", "", "a\rb", False),  # . excludes carriage returns too
        ("^a.b$", "s", "a\nb", True),
        ("^b$", "m", "a\nb\nc", True),
        ("^b$", "", "a\nb\nc", False),
        ("^AB$", "i", "ab", True),
        ("^a b c$", "x", "abc", True),
        ("^a[ ]b$", "x", "a b", True),  # whitespace inside a class stays under x
        ("a.b$", "q", "xa.b$", True),  # q: the pattern is a literal string
        ("a.b$", "q", "axb", False),
    ],
)
def test_patterns_follow_xpath(pattern, flags, text, matches):
    assert bool(compile_pattern(pattern, flags).search(text)) is matches


@pytest.mark.parametrize(
    ("pattern", "flags"), [("a", "g"), ("a", "I"), (r"\p{L}", ""), ("[a-z-[aeiou]]", "")]
)
def test_what_cannot_be_translated_is_refused(pattern, flags):
    with pytest.raises(NotTranslatable):
        compile_pattern(pattern, flags)


def double(text):
    return Literal(text, datatype=XSD.double)


@pytest.mark.parametrize(
    ("value", "bound", "expected"),
    [
        (double("0.5"), Literal("1.0", datatype=XSD.decimal), -1),
        (Literal(1), double("1.0"), 0),
        (double("NaN"), Literal("0.0", datatype=XSD.decimal), None),
        (double("NaN"), double("NaN"), None),
        (double("INF"), Literal(1), 1),
        (double("-INF"), Literal(1), -1),
        (Literal("b"), Literal("a"), 1),
        (Literal("b", lang="en"), Literal("a"), None),
        (Literal("5"), Literal(1), None),
        (Literal("abc", datatype=XSD.integer), Literal(1), None),
        (URIRef("http://example.org/a"), Literal(1), None),
        (Literal("2024-01-02", datatype=XSD.date), Literal("2024-01-01", datatype=XSD.date), 1),
        (Literal(True), Literal(False), 1),
    ],
)
def test_comparisons_follow_sparql(value, bound, expected):
    assert compare(value, bound) == expected
