"""The Turtle locator: lines of subjects, objects and mentions, by hand and against rdflib."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef

from conftest import BROKEN, CLEAN
from nephrokb.namespaces import compact
from nephrokb.resources import bundled_files
from nephrokb.turtle.locator import (
    RDF_TYPE,
    XSD,
    LiteralKey,
    SourceLines,
    locate,
    subject_locator,
    tokens,
)

EX = "http://example.org/"
BASE = "file:///data/sample.ttl"

HAND_WRITTEN = '''\
# A comment with "quotes", 'apostrophes', <angles> and # hashes; ex:fake a ex:Thing .
@prefix ex: <http://example.org/> .
PREFIX other: <http://other.example/>
@base <http://base.example/dir/> .

ex:first a ex:Thing ; # "a comment that looks like a string
    ex:label "first # not a comment"@en ;
    ex:note """A long literal
spanning "three" lines, with ' and '' and # and a \\""" escaped end
""" ;
    ex:other 'single \\'quoted\\' \\u00e9' , \'\'\' triple
single\'\'\' ;
    ex:count 42 , -3.5 , 1e3 , .5 , true ;
    ex:typed "2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date> ;
    ex:link <relative> , </absolute> , <#fragment> , other:thing ;;
    ex:nested [ ex:inner ex:hidden ; ex:deeper [ ex:inner ex:deepest ] ] ;
    ex:list ( ex:one "two" ( ex:three ) ) .

<relative> ex:backTo ex:first ,
        ex:second .
BASE <http://rebased.example/>
<again> ex:escaped ex:with\\-dash .
[ ex:anonymous ex:subject ] ex:more ex:objects .
_:labelled ex:points ex:second .
ex:second ex:last "end" .
'''


def as_rdflib(lines: SourceLines) -> set[tuple]:
    """Every (subject, predicate, object) the locator found, as rdflib terms."""
    found = set()
    for (subject, predicate), objects in lines.objects.items():
        for value in objects:
            if isinstance(value, LiteralKey):
                term = Literal(value.lexical, lang=value.language, datatype=value.datatype)
            else:
                term = URIRef(value)
            found.add((URIRef(subject), URIRef(predicate), term))
    return found


def locatable(graph: Graph) -> set[tuple]:
    """The triples of `graph` that a locator can name: IRI subject, non-blank object."""
    return {
        triple
        for triple in graph
        if isinstance(triple[0], URIRef) and not isinstance(triple[2], BNode)
    }


def test_hand_written_subject_lines():
    lines = locate(HAND_WRITTEN, BASE)
    assert lines.subjects == {
        EX + "first": 6,
        "http://base.example/dir/relative": 19,
        "http://rebased.example/again": 22,
        EX + "second": 25,
    }


def test_hand_written_object_lines():
    lines = locate(HAND_WRITTEN, BASE)
    first = EX + "first"
    assert lines.object_line(first, RDF_TYPE, EX + "Thing") == 6
    assert (
        lines.object_line(first, EX + "label", LiteralKey("first # not a comment", None, "en")) == 7
    )
    long_literal = (
        'A long literal\nspanning "three" lines, with \' and \'\' and # and a """ escaped end\n'
    )
    assert lines.object_line(first, EX + "note", LiteralKey(long_literal)) == 8
    assert lines.object_line(first, EX + "other", LiteralKey("single 'quoted' \u00e9")) == 11
    assert lines.object_line(first, EX + "other", LiteralKey(" triple\nsingle")) == 11
    assert lines.object_line(first, EX + "count", LiteralKey("42", XSD + "integer")) == 13
    assert lines.object_line(first, EX + "count", LiteralKey("-3.5", XSD + "decimal")) == 13
    assert lines.object_line(first, EX + "count", LiteralKey("1e3", XSD + "double")) == 13
    assert lines.object_line(first, EX + "count", LiteralKey(".5", XSD + "decimal")) == 13
    assert lines.object_line(first, EX + "count", LiteralKey("true", XSD + "boolean")) == 13
    assert lines.object_line(first, EX + "typed", LiteralKey("2024-01-01", XSD + "date")) == 14
    for link in (
        "http://base.example/dir/relative",
        "http://base.example/absolute",
        "http://base.example/dir/#fragment",
        "http://other.example/thing",
    ):
        assert lines.object_line(first, EX + "link", link) == 15
    relative = "http://base.example/dir/relative"
    assert lines.object_line(relative, EX + "backTo", first) == 19
    assert lines.object_line(relative, EX + "backTo", EX + "second") == 20
    assert lines.object_line("http://rebased.example/again", EX + "escaped", EX + "with-dash") == 22


def test_hand_written_blank_nodes_are_mentions_only():
    lines = locate(HAND_WRITTEN, BASE)
    assert lines.mentions[EX + "hidden"] == 16
    assert lines.mentions[EX + "deepest"] == 16
    assert lines.mentions[EX + "three"] == 17
    assert lines.mentions[EX + "subject"] == 23
    assert lines.mentions[EX + "second"] == 20
    first = EX + "first"
    assert lines.object_line(first, EX + "nested", EX + "hidden") is None
    assert (first, EX + "list") not in lines.objects
    assert all(subject.startswith("http") for subject, _ in lines.objects)
    assert EX + "fake" not in lines.mentions


def test_comments_and_strings_do_not_shift_lines():
    text = (
        "# \"\n@prefix ex: <http://example.org/> . # '\n"
        'ex:a ex:b "#" .\n\n# """\nex:c ex:d ex:e .\n'
    )
    lines = locate(text)
    assert lines.subjects == {EX + "a": 3, EX + "c": 6}


def test_default_base_is_the_file():
    lines = locate("<#node> <property> <../up> .\n", BASE)
    node = "file:///data/sample.ttl#node"
    assert lines.subjects == {node: 1}
    assert lines.object_line(node, "file:///data/property", "file:///up") == 1


def test_tokens_carry_the_line_they_start_on():
    kinds = [(kind, line) for kind, _, line, _ in tokens('ex:a ex:b """x\ny""" ;\n ex:c 1 .')]
    assert kinds == [
        ("prefixed_name", 1),
        ("prefixed_name", 1),
        ("long_string", 1),
        ("punctuation", 2),
        ("prefixed_name", 3),
        ("integer", 3),
        ("punctuation", 3),
    ]


def turtle_files() -> list[Path]:
    folders = ("kb", "ontology", "shapes")
    return [path for folder in folders for path in bundled_files(folder)] + BROKEN + CLEAN


@pytest.mark.parametrize("path", turtle_files(), ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_locator_finds_exactly_the_triples_rdflib_reads(path):
    text = path.read_text(encoding="utf-8")
    base = path.resolve().as_uri()
    graph = Graph().parse(data=text, format="turtle", publicID=base)
    lines = locate(text, base)
    assert as_rdflib(lines) == locatable(graph)
    assert set(lines.subjects) == {str(s) for s in graph.subjects() if isinstance(s, URIRef)}


@pytest.mark.parametrize("path", bundled_files("kb"), ids=lambda path: path.stem)
def test_canonical_subject_lines_start_with_the_subject(path):
    source = path.read_text(encoding="utf-8").splitlines()
    lines = locate(path.read_text(encoding="utf-8"), path.resolve().as_uri())
    assert lines.subjects
    for subject, line in lines.subjects.items():
        assert source[line - 1].split()[0] == compact(subject)


def test_hand_written_turtle_agrees_with_rdflib():
    graph = Graph().parse(data=HAND_WRITTEN, format="turtle", publicID=BASE)
    assert as_rdflib(locate(HAND_WRITTEN, BASE)) == locatable(graph)


awkward_text = st.text(
    alphabet=st.sampled_from([*"ab #;,.'\"\\\n\r\t<>@:_-()[]", "\u00e9", "\U0001f600"]),
    max_size=30,
)
iris = st.sampled_from([EX + name for name in ("a", "b", "c#x", "d/e", "f.g")])
literals = (
    st.builds(
        Literal,
        awkward_text,
        lang=st.sampled_from([None, "en", "en-GB"]),
    )
    | st.integers(-1000, 1000).map(Literal)
    | st.booleans().map(Literal)
)


def graph_of(triples) -> Graph:
    """A graph of generated (subject, predicate, value) triples, with `ex:` bound."""
    graph = Graph()
    graph.bind("ex", EX)
    for subject, predicate, value in triples:
        value = value if isinstance(value, Literal) else URIRef(value)
        graph.add((URIRef(subject), URIRef(predicate), value))
    return graph


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(iris, iris, iris | literals), min_size=1, max_size=12))
def test_locator_reads_what_rdflib_writes(triples):
    graph = graph_of(triples)
    text = graph.serialize(format="turtle")
    assert as_rdflib(locate(text)) == set(graph)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ex:a <>\"'#;,.[]()\n@prefix_1^\\")), max_size=80))
def test_locator_never_raises_on_any_text(text):
    locate(text)
    located = subject_locator(text)
    if located is not None:
        for subject in locate(text).subjects:
            located.locate(subject)


def located_subject_by_subject(text: str, base: str = "") -> SourceLines:
    """The lines a SubjectLocator records for every subject `locate` finds, one at a time."""
    located = subject_locator(text, base)
    assert located is not None, "the scan left the text to locate"
    for subject in locate(text, base).subjects:
        located.locate(subject)
    return located.lines


def assert_located_as_whole(text: str, base: str = "") -> None:
    """Reading subject by subject gives what reading the whole text gives (but mentions)."""
    whole = locate(text, base)
    lines = located_subject_by_subject(text, base)
    assert lines.subjects == whole.subjects
    assert lines.objects == whole.objects
    assert lines.mentions == {}


@pytest.mark.parametrize("path", turtle_files(), ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_subject_locator_reads_each_file_as_locate_does(path):
    assert_located_as_whole(path.read_text(encoding="utf-8"), path.resolve().as_uri())


def test_subject_locator_reads_hand_written_turtle_as_locate_does():
    assert_located_as_whole(HAND_WRITTEN, BASE)


# Statements the one-match scan leaves to the token reader: dots that end a statement with no
# space before the next, names and blank nodes holding dots, numbers with and without a dot,
# prefixes redeclared between two statements about one subject, blank-node subjects.
COMPACT = """\
@prefix ex: <http://example.org/> .
ex:a ex:p "x".ex:b ex:p <http://example.org/o>.ex:c ex:p 1 .ex:d ex:p ex:v1.2 .
ex:a ex:q 1.5, .5, 1.e2, -3 ; ex:r ex:a.b, _:b.1 ; ex:s "end". # a comment . ex:fake ex:p 1 .
@prefix ex: <http://other.example/> .
ex:a ex:p ex:o .
PREFIX ex: <http://example.org/>
BASE <http://base.example/>
[ ex:p ex:a ] ex:q ex:o .
( ex:a ) ex:q ex:o .
_:x ex:p ex:a .
<a> ex:p '''two
lines''' ; ex:p ex:a .
ex:a ex:t ex:last ."""


def test_subject_locator_reads_compact_turtle_as_locate_does():
    list(pyoxigraph.parse(COMPACT.encode(), format=pyoxigraph.RdfFormat.TURTLE))
    assert_located_as_whole(COMPACT)
    lines = located_subject_by_subject(COMPACT)
    assert lines.subjects == {
        EX + "a": 2,
        EX + "b": 2,
        EX + "c": 2,
        EX + "d": 2,
        "http://other.example/a": 5,
        "http://base.example/a": 11,
    }
    assert lines.object_line(EX + "a", EX + "t", EX + "last") == 13
    assert lines.object_line("http://other.example/a", EX + "p", EX + "o") is None
    assert lines.object_line(EX + "d", EX + "p", EX + "v1.2") == 2
    assert lines.object_line(EX + "a", EX + "q", LiteralKey("1.e2", XSD + "double")) == 3


def test_locating_a_subject_reads_only_its_statements():
    located = subject_locator(HAND_WRITTEN, BASE)
    assert located is not None
    lines = located.locate(EX + "second")
    assert lines.subjects == {EX + "second": 25}
    assert lines.objects == {(EX + "second", EX + "last"): {LiteralKey("end"): 25}}


@pytest.mark.parametrize(
    "text",
    [
        "<< <http://a> <http://b> <http://c> >> <http://b> <http://c> .",
        "<http://a> <http://b> <http://c> ~ <http://r> .",
        "<http://a> <http://b> <http://c> {| <http://b> <http://d> |} .",
        '<http://a> <http://b> "x"@en--ltr .',
        'VERSION "1.2"\n<http://a> <http://b> <http://c> .',
    ],
)
def test_subject_locator_leaves_turtle_1_2_to_locate(text):
    assert list(pyoxigraph.parse(text.encode(), format=pyoxigraph.RdfFormat.TURTLE))
    assert subject_locator(text) is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(iris, iris, iris | literals), min_size=1, max_size=12),
    st.sampled_from(["turtle", "nt"]),
)
def test_subject_locator_reads_what_rdflib_writes(triples, syntax):
    graph = graph_of(triples)
    assert_located_as_whole(graph.serialize(format=syntax))
