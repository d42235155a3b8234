"""Locate the lines where a Turtle file describes its nodes and writes its triples.

rdflib keeps no source positions, so reports that point at lines read the Turtle a second
time with this locator: one linear pass over the token stream (a regular expression finds
the tokens, a small recursive-descent reader follows the grammar), recording for each file

- `subjects`: subject IRI -> first line where it is the subject of a statement,
- `objects`: (subject IRI, predicate IRI) -> {object -> line of that object},
- `mentions`: IRI -> first line where it appears at all (subject, predicate or object).

Objects are IRIs (str) or `LiteralKey`s holding the literal as written (unescaped).
Blank nodes get no entries, since the labels rdflib gives them are not those of the file;
the IRIs and triples inside blank-node property lists and collections are still mentions.
The locator assumes Turtle that rdflib has already parsed: it never raises, and it does
not check what it reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urljoin

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"


class LiteralKey(NamedTuple):
    """A literal as written in the source: lexical form, datatype IRI and language tag."""

    lexical: str
    datatype: str | None = None
    language: str | None = None


ObjectKey = str | LiteralKey


@dataclass
class SourceLines:
    """Where one Turtle file writes its nodes and triples (lines are 1-based)."""

    subjects: dict[str, int] = field(default_factory=dict)
    objects: dict[tuple[str, str], dict[ObjectKey, int]] = field(default_factory=dict)
    mentions: dict[str, int] = field(default_factory=dict)

    def object_line(self, subject: str, predicate: str, value: ObjectKey) -> int | None:
        """Return the line of the object of the triple subject-predicate-value, if written."""
        return self.objects.get((subject, predicate), {}).get(value)


# Character classes of the Turtle grammar (https://www.w3.org/TR/turtle/#grammar-production-PN_CHARS_BASE).
PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
PN_CHARS_U = PN_CHARS_BASE + "_"
PN_CHARS = PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
# A dot may sit inside a name but not end it, hence `\.*` before every further character.
PN_PREFIX = rf"[{PN_CHARS_BASE}](?:\.*[{PN_CHARS}])*"
PN_LOCAL = rf"(?:[{PN_CHARS_U}:0-9]|{PLX})(?:\.*(?:[{PN_CHARS}:]|{PLX}))*"
EXPONENT = r"[eE][+-]?[0-9]+"

# The most frequent tokens come first; an alternative that could swallow a later one's text
# (a prefixed name, `true:x`, would start like the bare word `true`) comes before it.
TOKEN = re.compile(
    rf"""
    (?P<newline>\n)
    | (?P<space>[ \t\r\ufeff]+)
    | (?P<prefixed_name>(?:{PN_PREFIX})?:(?:{PN_LOCAL})?)
    | (?P<punctuation>[;,\[\]()]|\.(?![0-9]))
    | (?P<long_string>\"\"\"(?:(?:"|"")?(?:[^"\\]|\\[\s\S]))*\"\"\"
                     |'''(?:(?:'|'')?(?:[^'\\]|\\[\s\S]))*''')
    | (?P<string>"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    | (?P<word>[A-Za-z]+)
    | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{UCHAR})*>)
    | (?P<comment>\#[^\n]*)
    | (?P<at_word>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
    | (?P<datatype_mark>\^\^)
    | (?P<double>[+-]?(?:[0-9]+\.[0-9]*{EXPONENT}|\.[0-9]+{EXPONENT}|[0-9]+{EXPONENT}))
    | (?P<decimal>[+-]?[0-9]*\.[0-9]+)
    | (?P<integer>[+-]?[0-9]+)
    | (?P<blank_node>_:[{PN_CHARS_U}0-9](?:\.*[{PN_CHARS}])*)
    """,
    re.VERBOSE,
)
SKIPPED = frozenset({"space", "comment"})
NUMBER_TYPES = {"integer": XSD + "integer", "decimal": XSD + "decimal", "double": XSD + "double"}
ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
LOCAL_ESCAPE = re.compile(r"\\(.)")
ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")

Token = tuple[str, str, int]
END: Token = ("end", "", 0)


def locate(text: str, base: str = "") -> SourceLines:
    """Return where the Turtle `text` describes its nodes; relative IRIs resolve against `base`."""
    return TurtleLocator(text, base).read()


def tokens(text: str) -> Iterator[Token]:
    """Yield (kind, text, line) for each token of `text`, skipping spaces and comments.

    Characters that start no token are passed over, as finditer does; in Turtle that rdflib
    has accepted they can only belong to extensions (RDF-star's `<<`), which are not followed.
    """
    line = 1
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "newline":
            line += 1
        elif kind not in SKIPPED:
            token = match.group()
            yield kind, token, line
            if kind == "long_string":
                line += token.count("\n")


def unescape(text: str) -> str:
    """Replace Turtle's string escapes (\\n, \\", \\u00E9, ...) with the characters meant."""
    if "\\" not in text:
        return text

    def character(match: re.Match[str]) -> str:
        short, long, echar = match.groups()
        if short or long:
            return chr(int(short or long, 16))
        return ECHARS.get(echar, echar)

    return ESCAPE.sub(character, text)


class TurtleLocator:
    """Reads Turtle tokens once, following the grammar far enough to know each term's role."""

    def __init__(self, text: str, base: str):
        self.stream = tokens(text)
        self.token: Token = next(self.stream, END)
        self.base = base
        self.prefixes: dict[str, str] = {}
        self.lines = SourceLines()

    def advance(self) -> Token:
        """Move to the next token and return the one just passed."""
        passed = self.token
        self.token = next(self.stream, END)
        return passed

    def read(self) -> SourceLines:
        """Read every statement and return the lines found."""
        while self.token is not END:
            kind, text = self.token[0], self.token[1]
            if kind == "at_word" and text in ("@prefix", "@base"):
                self.directive(text[1:])
                if self.token[1] == ".":
                    self.advance()
            elif kind == "word" and text.lower() in ("prefix", "base"):
                self.directive(text.lower())
            else:
                self.triples()
                if self.token[1] == ".":
                    self.advance()
        return self.lines

    def directive(self, name: str) -> None:
        """Record a prefix or base declaration (the keyword is the current token)."""
        self.advance()
        if name == "prefix":
            prefix = self.advance()[1]
            if self.token[0] == "iri":
                self.prefixes[prefix[:-1]] = self.resolve(self.advance()[1])
        elif self.token[0] == "iri":
            self.base = self.resolve(self.advance()[1])

    def triples(self) -> None:
        """Read one statement: a subject (IRI, blank node or collection) and what follows it."""
        line = self.token[2]
        subject = self.term()
        if isinstance(subject, str):
            self.lines.subjects.setdefault(subject, line)
        self.predicate_object_list(subject if isinstance(subject, str) else None)

    def predicate_object_list(self, subject: str | None) -> None:
        """Read `verb objects ; verb objects ...` for `subject` (None for a blank node)."""
        while self.token is not END and self.token[1] not in (".", "]"):
            if self.token[1] == ";":
                self.advance()
                continue
            predicate = self.verb()
            self.object_list(subject, predicate)
            if self.token[1] != ";":
                return

    def verb(self) -> str | None:
        """Read a predicate: `a` or an IRI."""
        if self.token[0] == "word" and self.token[1] == "a":
            self.advance()
            return RDF_TYPE
        term = self.term()
        return term if isinstance(term, str) else None

    def object_list(self, subject: str | None, predicate: str | None) -> None:
        """Read `object , object ...`, recording each object's line."""
        while True:
            line = self.token[2]
            value = self.term()
            if subject is not None and predicate is not None and value is not None:
                self.lines.objects.setdefault((subject, predicate), {}).setdefault(value, line)
            if self.token[1] != ",":
                return
            self.advance()

    def term(self) -> ObjectKey | None:
        """Read one term; return its IRI or LiteralKey, or None for a blank node."""
        kind, text, line = self.advance()
        if kind == "iri":
            return self.mention(self.resolve(text), line)
        if kind == "prefixed_name":
            return self.mention(self.expand(text), line)
        if kind in ("string", "long_string"):
            return self.literal(text)
        if kind in NUMBER_TYPES:
            return LiteralKey(text, NUMBER_TYPES[kind])
        if kind == "word" and text in ("true", "false"):
            return LiteralKey(text, XSD + "boolean")
        if text == "[":
            self.predicate_object_list(None)
            if self.token[1] == "]":
                self.advance()
        elif text == "(":
            while self.token is not END and self.token[1] != ")":
                self.term()
            self.advance()
        return None

    def literal(self, text: str) -> LiteralKey:
        """Read a string token and the language tag or datatype that may follow it."""
        quote = 3 if text[:3] in ('"""', "'''") else 1
        lexical = unescape(text[quote:-quote])
        if self.token[0] == "at_word":
            return LiteralKey(lexical, None, self.advance()[1][1:])
        if self.token[0] == "datatype_mark":
            self.advance()
            datatype = self.term()
            return LiteralKey(lexical, datatype if isinstance(datatype, str) else None)
        return LiteralKey(lexical)

    def mention(self, iri: str | None, line: int) -> str | None:
        """Record the first line an IRI appears on and return it."""
        if iri is not None:
            self.lines.mentions.setdefault(iri, line)
        return iri

    def resolve(self, iri_token: str) -> str:
        """Turn `<...>` into an absolute IRI, resolving it against the base when relative."""
        iri = unescape(iri_token[1:-1])
        if ABSOLUTE_IRI.match(iri) or not self.base:
            return iri
        return urljoin(self.base, iri)

    def expand(self, name: str) -> str | None:
        """Turn `prefix:local` into an IRI; None when the prefix is not declared."""
        prefix, _, local = name.partition(":")
        namespace = self.prefixes.get(prefix)
        if namespace is None:
            return None
        return namespace + (LOCAL_ESCAPE.sub(r"\1", local) if "\\" in local else local)
