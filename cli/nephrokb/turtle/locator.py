"""Locate the lines where a Turtle file describes its nodes and writes its triples.

rdflib keeps no source positions, so reports that point at lines read the Turtle a second
time with this locator: a regular expression finds the tokens, a small recursive-descent
reader follows the grammar, recording for each file

- `subjects`: subject IRI -> first line where it is the subject of a statement,
- `objects`: (subject IRI, predicate IRI) -> {object -> line of that object},
- `mentions`: IRI -> first line where it appears at all (subject, predicate or object).

Objects are IRIs (str) or `LiteralKey`s holding the literal as written (unescaped).
Blank nodes get no entries, since the labels rdflib gives them are not those of the file;
the IRIs and triples inside blank-node property lists and collections are still mentions.
The locator assumes Turtle that rdflib has already parsed: it never raises, and it does
not check what it reads.

`locate` reads a whole file. `SubjectLocator` reads only the statements of the subjects
asked for: one scan of the file by a regular expression (no Python per token) finds where
each statement starts and what its subject is, and the reader then follows those
statements alone, giving the same `subjects` and `objects` entries for them as `locate`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urljoin

from nephrokb.namespaces import RDF_TYPE, XSD


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
# The dot that ends a statement (a dot before a digit starts a number).
STATEMENT_END = r"\.(?![0-9])"
PUNCTUATION_BUT_END = r"[;,\[\]()]"

# Each kind of token and its pattern. The most frequent come first; an alternative that
# could swallow a later one's text (a prefixed name, `true:x`, would start like the bare
# word `true`) comes before it.
TOKEN_PATTERNS = {
    "newline": r"\n",
    "space": r"[ \t\r\ufeff]+",
    "prefixed_name": rf"(?:{PN_PREFIX})?:(?:{PN_LOCAL})?",
    "punctuation": rf"{PUNCTUATION_BUT_END}|{STATEMENT_END}",
    # Strings are written so that the regular expression engine never backtracks in them.
    "long_string": r'"""(?:[^"\\]++|\\[\s\S]|"(?!""))*+"""'
    r"|'''(?:[^'\\]++|\\[\s\S]|'(?!''))*+'''",
    "string": r'"[^"\\\n\r]*+(?:\\.[^"\\\n\r]*+)*+"|' r"'[^'\\\n\r]*+(?:\\.[^'\\\n\r]*+)*+'",
    "word": r"[A-Za-z]+",
    "iri": rf"<(?:[^<>\"{{}}|^`\\\x00-\x20]++|{UCHAR})*+>",
    "comment": r"#[^\n]*",
    "at_word": r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*",
    "datatype_mark": r"\^\^",
    "double": rf"[+-]?(?:[0-9]+\.[0-9]*{EXPONENT}|\.[0-9]+{EXPONENT}|[0-9]+{EXPONENT})",
    "decimal": r"[+-]?[0-9]*\.[0-9]+",
    "integer": r"[+-]?[0-9]+",
    "blank_node": rf"_:[{PN_CHARS_U}0-9](?:\.*[{PN_CHARS}])*",
}
TOKEN = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in TOKEN_PATTERNS.items()))
# The rest of a statement from a token on: every token up to the dot that ends it (or the
# end of the text), matched token by token as TOKEN matches them (an atomic group takes the
# first alternative that matches, as finditer does), in one call with no Python per token.
# It stops early at a character that starts no token.
STATEMENT_REST = re.compile(
    "(?>"
    + "|".join(
        PUNCTUATION_BUT_END if kind == "punctuation" else f"(?:{pattern})"
        for kind, pattern in TOKEN_PATTERNS.items()
    )
    + ")*+"
)
SKIPPED = frozenset({"space", "comment"})
NUMBER_TYPES = {"integer": XSD + "integer", "decimal": XSD + "decimal", "double": XSD + "double"}
ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
LOCAL_ESCAPE = re.compile(r"\\(.)")
ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# What a statement that `locate` reads as such may start with (besides `[` and `(`).
SUBJECT_STARTS = frozenset({"iri", "prefixed_name", "blank_node"})
# Most statements are found whole by one match of FAST_STATEMENT, with no token reading:
# a statement starting with an IRI or a prefixed name, whose dots outside strings, IRIs and
# comments are its last one and dots before a digit (inside numbers). That is enough to
# know where it ends: a quote always opens a string there, `#` a comment, `<` an IRI and
# `\` escapes one character of a name; and a dot followed by one of AFTER_STATEMENT_END
# ends the statement, since no token (a name, a number) may hold a dot followed by them.
# The characters only Turtle 1.2 uses outside strings and IRIs (`<<`, `>>`, `~`, `{|`,
# `|}`, `--` before a direction) stop the match, so such statements are read by tokens.
AFTER_STATEMENT_END = r"""(?=[ \t\r\n#;,\[\]()"'<]|\Z)"""
SKIPPED_TOKENS = "(?:{newline}|{space}|{comment})*+".format(**TOKEN_PATTERNS)
FAST_STATEMENT = re.compile(
    rf"{SKIPPED_TOKENS}(?:(?P<iri>{TOKEN_PATTERNS['iri']})|(?P<prefixed_name>"
    rf"{TOKEN_PATTERNS['prefixed_name']}))"
    r"""(?:[^"'<>#\\.~{}|\-]++|-(?!-)|\.(?=[0-9])|\\[_~.\-!$&'()*+,;=/?#@%]|(?>"""
    + "|".join(TOKEN_PATTERNS[kind] for kind in ("long_string", "string", "iri", "comment"))
    + rf"))*+{STATEMENT_END}{AFTER_STATEMENT_END}"
)

Token = tuple[str, str, int, int]  # kind, text, line, offset where the token ends
END: Token = ("end", "", 0, 0)


def locate(text: str, base: str = "") -> SourceLines:
    """Return where the Turtle `text` describes its nodes; relative IRIs resolve against `base`."""
    return TurtleLocator(tokens(text), base).read()


def tokens(text: str, start: int = 0, line: int = 1) -> Iterator[Token]:
    """Yield (kind, text, line, end) for each token of `text` from `start` (on `line`) on,
    skipping spaces and comments.

    Characters that start no token are passed over, as finditer does; in Turtle that rdflib
    has accepted they can only belong to extensions (RDF-star's `<<`), which are not followed.
    """
    for match in TOKEN.finditer(text, start):
        kind = match.lastgroup
        if kind == "newline":
            line += 1
        elif kind not in SKIPPED:
            token = match.group()
            yield kind, token, line, match.end()
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
    """Reads Turtle tokens, following the grammar far enough to know each term's role.

    `prefixes` and `base` are those in force where `stream` starts; `lines` receives the
    subjects and objects found, `mentions` (default: `lines.mentions`) the IRIs mentioned.
    """

    def __init__(
        self,
        stream: Iterator[Token],
        base: str,
        prefixes: dict[str, str] | None = None,
        lines: SourceLines | None = None,
        mentions: dict[str, int] | None = None,
    ):
        self.stream = stream
        self.token: Token = next(self.stream, END)
        self.base = base
        self.prefixes = {} if prefixes is None else prefixes
        self.lines = SourceLines() if lines is None else lines
        self.mentions = self.lines.mentions if mentions is None else mentions

    def advance(self) -> Token:
        """Move to the next token and return the one just passed."""
        passed = self.token
        self.token = next(self.stream, END)
        return passed

    def read(self) -> SourceLines:
        """Read every statement and return the lines found."""
        while self.token is not END:
            if not self.directive():
                self.triples()
                if self.token[1] == ".":
                    self.advance()
        return self.lines

    def directive(self) -> bool:
        """Read a prefix or base declaration if one starts here; True if one did."""
        kind, text = self.token[0], self.token[1]
        if kind == "at_word" and text in ("@prefix", "@base"):
            self.declaration(text[1:])
            if self.token[1] == ".":
                self.advance()
            return True
        if kind == "word" and text.lower() in ("prefix", "base"):
            self.declaration(text.lower())
            return True
        return False

    def declaration(self, name: str) -> None:
        """Record a prefix or base declaration (the keyword is the current token)."""
        self.advance()
        if name == "prefix":
            prefix = self.advance()[1]
            if self.token[0] == "iri":
                # A new dict, so that a SubjectLocator's statements keep the prefixes they had.
                self.prefixes = {**self.prefixes, prefix[:-1]: self.resolve(self.advance()[1])}
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
        kind, text, line, _ = self.advance()
        if kind in ("iri", "prefixed_name"):
            return self.mention(self.named(kind, text), line)
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

    def named(self, kind: str, text: str) -> str | None:
        """Return the IRI an `iri` or `prefixed_name` token names (None: undeclared prefix)."""
        return self.resolve(text) if kind == "iri" else self.expand(text)

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
            self.mentions.setdefault(iri, line)
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


class Scope(NamedTuple):
    """The base IRI and the prefixes in force at some point of a Turtle file."""

    base: str
    prefixes: dict[str, str]


class Statement(NamedTuple):
    """Where a statement starts (offset and line), and the scope it is read in."""

    start: int
    line: int
    scope: Scope


class SubjectLocator:
    """Where one Turtle file writes the subjects asked for, reading only their statements.

    `lines` holds the `subjects` and `objects` entries of every subject located so far,
    exactly as `locate` records them; its `mentions` stay empty (they need the whole file).
    """

    def __init__(self, text: str, statements: dict[str, list[Statement]]):
        self.text = text
        self.statements = statements
        self.lines = SourceLines()
        self.located: set[str] = set()

    def locate(self, subject: str) -> SourceLines:
        """Record where `subject`'s statements are and return `lines`."""
        if subject not in self.located:
            self.located.add(subject)
            for statement in self.statements.get(subject, ()):
                TurtleLocator(
                    tokens(self.text, statement.start, statement.line),
                    statement.scope.base,
                    statement.scope.prefixes,
                    self.lines,
                    mentions={},
                ).triples()
        return self.lines


def subject_locator(text: str, base: str = "") -> SubjectLocator | None:
    """Return a SubjectLocator for the Turtle `text`, or None when the scan cannot follow it.

    Most statements are found by FAST_STATEMENT; the others (directives, a statement with
    a name holding a dot, one starting with a blank node) token by token by STATEMENT_REST.
    A statement that does not start as a subject may (a blank node, `[`, `(`) or that holds
    a character starting no token (Turtle 1.2's `<<`, `~`, `{|`) leaves the file to
    `locate`, so that each statement found is one the reader of `locate` reads.
    """
    reader = TurtleLocator(iter(()), base)
    statements: dict[str, list[Statement]] = {}
    resolved: dict[str, str | None] = {}  # subject as written -> IRI, in the current scope
    scope = Scope(reader.base, reader.prefixes)
    position, length = 0, len(text)
    line, counted = 1, 0  # the line of offset `counted`
    while position < length:
        fast = FAST_STATEMENT.match(text, position)
        if fast is not None:
            kind = fast.lastgroup
            start = fast.start(kind)
            line += text.count("\n", counted, start)
            counted = start
            subject = fast.group(kind)
            if subject not in resolved:
                resolved[subject] = reader.named(kind, subject)
            iri = resolved[subject]
            if iri is not None:
                statements.setdefault(iri, []).append(Statement(start, line, scope))
            position = fast.end()
            continue
        line += text.count("\n", counted, position)
        counted = position
        reader.stream = tokens(text, position, line)
        reader.token = next(reader.stream, END)
        if reader.token is END:
            break
        kind, token, line, end = reader.token
        start = counted = end - len(token)
        if reader.directive():
            resolved.clear()
            scope = Scope(reader.base, reader.prefixes)
            position = length if reader.token is END else reader.token[3] - len(reader.token[1])
            continue
        if kind not in SUBJECT_STARTS and token not in ("[", "("):
            return None
        if kind in ("iri", "prefixed_name"):
            iri = reader.named(kind, token)
            if iri is not None:
                statements.setdefault(iri, []).append(Statement(start, line, scope))
        position = STATEMENT_REST.match(text, start).end()
        if position < length:
            if text[position] != ".":
                return None  # a character that starts no token: leave the file to `locate`
            position += 1
    return SubjectLocator(text, statements)
