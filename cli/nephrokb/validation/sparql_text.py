"""Read a SPARQL SELECT just enough to decide how a SHACL-SPARQL constraint can be evaluated.

rdflib's parser takes ~0.15 s a query, which every validation would pay once per constraint;
a token scan takes microseconds. Both questions answered here are conservative: a query this
scan cannot classify is treated as the general case (run once per focus node; changes may
reach anything), which is always correct, only slower.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from nephrokb.namespaces import RDF_TYPE

# A prefix or local name: word characters, dashes and inner dots (never a final dot).
NAME_START, NAME_CHAR, LOCAL_CHAR = (
    r"[A-Za-z_\u00c0-\uffff]",
    r"[\w\-\u00b7-\uffff]",
    r"[\w\-:%\u00b7-\uffff]",
)
PREFIX = rf"{NAME_START}(?:(?:{NAME_CHAR}|\.)*{NAME_CHAR})?"
LOCAL = rf"{LOCAL_CHAR}(?:(?:{LOCAL_CHAR}|\.)*{LOCAL_CHAR})?"
TOKEN = re.compile(
    r"""
    (?P<space>\s+|\#[^\n]*)
    | (?P<string>\"\"\"(?:[^\\]|\\.)*?\"\"\"|'''(?:[^\\]|\\.)*?'''
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\s]*>)
    | (?P<variable>[?$][A-Za-z0-9_\u00b7-\uffff]+)
    | (?P<name>(?:PREFIX)?:(?:LOCAL)?|PREFIX)
    | (?P<number>(?:\d*\.\d+|\d+)(?:[eE][+-]?\d+)?)
    | (?P<other>\^\^|&&|\|\||!=|<=|>=|\S)
    """.replace("PREFIX", PREFIX).replace("LOCAL", LOCAL),
    re.VERBOSE | re.DOTALL,
)
THIS = ("?this", "$this")
# Keywords that make either question too hard for this scan: sub-queries, MINUS, VALUES,
# named graphs, federation, grouping and slicing.
REFUSED = {"MINUS", "VALUES", "GRAPH", "SERVICE", "GROUP", "HAVING", "LIMIT", "OFFSET", "FROM"}


def tokens(query: str) -> list[str]:
    """Return the query's tokens, without spaces and comments."""
    return [match.group() for match in TOKEN.finditer(query) if match.lastgroup != "space"]


def keyword(token: str) -> str:
    """Return a bare word in upper case (keywords are case-insensitive), else the token."""
    return token.upper() if re.fullmatch(r"[A-Za-z]+", token) else token


def where_start(words: list[str]) -> int | None:
    """Return the index of the WHERE clause's opening brace, or None for an unusual query."""
    uppers = [keyword(word) for word in words]
    if uppers.count("SELECT") != 1 or REFUSED & set(uppers):
        return None
    if "{" not in words:
        return None
    return words.index("{")


def block_kinds(words: list[str], start: int) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Yield (index, kinds of the enclosing blocks) for every token of the WHERE clause.

    The WHERE block is "top"; a block opened after EXISTS is "exists"; any other block
    (a group, a UNION branch, OPTIONAL) is "group".
    """
    stack: list[str] = []
    for index in range(start, len(words)):
        word = words[index]
        if word == "{":
            before = keyword(words[index - 1]) if index > start else ""
            stack.append("top" if not stack else "exists" if before == "EXISTS" else "group")
        elif word == "}":
            stack.pop()
            if not stack:
                return
        else:
            yield index, tuple(stack)


def bind_spans(words: list[str]) -> list[range]:
    """Return the token ranges of every BIND ( ... )."""
    spans = []
    for index, word in enumerate(words):
        if keyword(word) == "BIND" and index + 1 < len(words) and words[index + 1] == "(":
            depth, end = 0, index + 1
            for end in range(index + 1, len(words)):
                depth += {"(": 1, ")": -1}.get(words[end], 0)
                if depth == 0:
                    break
            spans.append(range(index, end + 1))
    return spans


def evaluable_over_whole_graph(query: str) -> bool:
    """True when one run with ?this free gives, per focus node, the pre-bound run's solutions.

    The criterion: a single SELECT with no GROUP BY, HAVING, LIMIT/OFFSET, VALUES, MINUS,
    FROM, GRAPH, SERVICE or sub-SELECT, whose projection has no expression and holds ?this
    (or is *), in whose top-level group ?this occurs in a triple pattern and otherwise only
    in top-level FILTERs, EXISTS and NOT EXISTS included, and never in a BIND. Then every
    solution binds ?this by a join, and a FILTER or EXISTS sees ?this bound exactly as
    when it is substituted, so the solutions with ?this = n are those of the query with
    $this pre-bound to n.
    """
    words = tokens(query)
    start = where_start(words)
    if start is None:
        return False
    select = [keyword(word) for word in words].index("SELECT")
    projection = words[select + 1 : start]
    if "(" in projection or not ({"*", *THIS} & set(projection)):
        return False
    binds = bind_spans(words)
    in_triple = False
    for index, kinds in block_kinds(words, start):
        if words[index] not in THIS:
            continue
        if any(index in span for span in binds):
            return False
        if any(kind != "exists" for kind in kinds[1:]):
            return False
        if len(kinds) == 1 and not in_expression(words, start, index):
            in_triple = True
    return in_triple


def in_expression(words: list[str], start: int, index: int) -> bool:
    """True when the token at `index` (in the top-level group) is inside parentheses."""
    depth = 0
    for word in words[start:index]:
        depth += {"(": 1, ")": -1}.get(word, 0)
    return depth > 0


# How a query may write rdf:type as a predicate token.
RDF_TYPE_TOKENS = ("a", f"<{RDF_TYPE}>")


def reads_own_triples_and_linked_types(query: str) -> bool:
    """True when the query reads only its focus node's triples and the types of their objects.

    Every triple pattern must be `?this p o` (p an IRI, alternatives of IRIs, or a
    variable) or `?o a C` for an object ?o of such a pattern. Blank-node property lists,
    collections, other paths and anything `where_start` refuses count as more.
    """
    statements = triple_patterns(query)
    if statements is None:
        return False
    linked = {
        term
        for subject, _, objects in statements
        if subject in THIS
        for term in objects
        if term.startswith(("?", "$"))
    }
    return all(
        subject in THIS or (subject in linked and all(p in RDF_TYPE_TOKENS for p in predicates))
        for subject, predicates, _ in statements
    )


def triple_patterns(query: str) -> list[tuple[str, list[str], list[str]]] | None:
    """Return (subject, predicates, objects) of every triple pattern, or None if unreadable."""
    words = tokens(query)
    start = where_start(words)
    if start is None:
        return None
    statements: list[tuple[str, list[str], list[str]]] = []
    outer_depths: list[int] = []  # the parenthesis depth around each open block
    depth, position = 0, start
    while position < len(words):
        word, upper = words[position], keyword(words[position])
        position += 1
        if word == "{":
            outer_depths.append(depth)
            depth = 0
        elif word == "}":
            depth = outer_depths.pop()
            if not outer_depths:
                return statements
        elif word in ("(", ")"):
            depth += 1 if word == "(" else -1
        elif depth or word == "." or upper in ("OPTIONAL", "UNION", "NOT", "EXISTS", "BIND"):
            continue
        elif upper == "FILTER":
            following = words[position] if position < len(words) else ""
            if following != "(" and keyword(following) not in ("NOT", "EXISTS"):
                position += 1  # a function call: FILTER regex(...)
        else:
            read = triples_end(words, position - 1)
            if read is None:
                return None
            position, statement = read
            statements.append(statement)
    return None


class TriplesRead(NamedTuple):
    """Where a triples block ends, and its (subject, predicates, objects) words."""

    end: int
    triples: tuple[str, list[str], list[str]]


def triples_end(words: list[str], position: int) -> TriplesRead | None:
    """Read `s p o ; p o , o` from `position`: (where it ends, (s, predicates, objects))."""
    subject = words[position]
    if not (subject.startswith(("?", "$")) or is_iri(subject)):
        return None
    predicates: list[str] = []
    objects: list[str] = []
    position += 1
    while True:
        end = predicate_end(words, position)
        if end is None:
            return None
        predicates.extend(words[position:end])
        position = end
        while True:
            if position >= len(words) or not is_term(words[position]):
                return None
            objects.append(words[position])
            position += 1
            if position < len(words) and words[position] in ("@", "^^"):
                position += 2
            if position < len(words) and words[position] == ",":
                position += 1
                continue
            break
        if position < len(words) and words[position] == ";":
            position += 1
            if position < len(words) and words[position] in (".", "}"):
                return TriplesRead(position, (subject, predicates, objects))
            continue
        return TriplesRead(position, (subject, predicates, objects))


def predicate_end(words: list[str], position: int) -> int | None:
    """Read a variable, a predicate or `p|q|...` of IRIs from `position`; return its end.

    The words read are the predicates, with `|` between alternatives.
    """
    if position < len(words) and words[position].startswith(("?", "$")):
        return position + 1
    while position < len(words) and (words[position] == "a" or is_iri(words[position])):
        position += 1
        if position < len(words) and words[position] == "|":
            position += 1
            continue
        return position
    return None


def is_iri(word: str) -> bool:
    """True for an IRI or a prefixed name."""
    return word.startswith("<") or (":" in word and not word.startswith(("?", "$", '"', "'")))


def is_term(word: str) -> bool:
    """True for a variable, IRI, prefixed name, literal or number (not `[` or `(`)."""
    return (
        word.startswith(("?", "$", '"', "'", "<"))
        or is_iri(word)
        or word in ("true", "false")
        or bool(re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", word))
    )
