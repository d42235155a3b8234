"""nephrokb.validation.incremental: the nodes a change names and affects, and their sub-graph.

tests/test_changed_since.py checks the whole `--changed-since` path against full validation
on random edits; these tests pin each step on a small graph: two procedures, one of whose
steps depends on the other.
"""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from nephrokb.validation.incremental import (
    ChangedNodes,
    affected_nodes,
    changed_nodes,
    covers,
    focus_subgraph,
)
from nephrokb.validation.plan import make_plan
from nephrokb.validation.shapes import bundled_shapes

PREFIXES = """
@prefix kb: <https://w3id.org/nephrokb/id/> .
@prefix nkb: <https://w3id.org/nephrokb/vocab#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
"""
KNOWLEDGE = """
kb:access a nkb:Procedure ; nkb:hasStep kb:puncture, kb:wire ; nkb:hasIndication kb:blocked .
kb:puncture a nkb:Step ; rdfs:label "Puncture"@en ; nkb:stepNumber 1 .
kb:wire a nkb:Step ; rdfs:label "Pass a wire"@en ; nkb:stepNumber 2 ;
    nkb:dependsOn kb:puncture ; nkb:usesDevice kb:needle .
kb:needle a nkb:Device ; rdfs:label "Needle"@en .
kb:blocked a nkb:Indication ; rdfs:label "Blocked kidney"@en .
kb:drainage a nkb:Procedure ; nkb:hasStep kb:tube .
kb:tube a nkb:Step ; rdfs:label "Place a tube"@en ; nkb:stepNumber 1 .
"""


def kb(name: str) -> URIRef:
    return URIRef(f"https://w3id.org/nephrokb/id/{name}")


def graph_of(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


def edited(turtle_added: str = "", removed: tuple = ()) -> Graph:
    graph = graph_of(KNOWLEDGE + turtle_added)
    for triple in removed:
        graph.remove(triple)
    return graph


def test_a_reworded_step_names_only_that_step():
    new = edited(removed=[(kb("wire"), RDFS.label, None)])
    new.add((kb("wire"), RDFS.label, Literal("Pass a guidewire", lang="en")))
    assert changed_nodes(graph_of(KNOWLEDGE), new) == ChangedNodes(
        subjects=frozenset({kb("wire")}), objects=frozenset(), retyped=frozenset()
    )


def test_a_new_link_names_its_target_and_a_new_type_the_retyped_node():
    new = edited("kb:tube nkb:dependsOn kb:puncture . kb:needle a nkb:Substance .")
    assert changed_nodes(graph_of(KNOWLEDGE), new) == ChangedNodes(
        subjects=frozenset({kb("tube"), kb("needle")}),
        objects=frozenset({kb("puncture"), URIRef("https://w3id.org/nephrokb/vocab#Substance")}),
        retyped=frozenset({kb("needle")}),
    )


def test_a_blank_node_counts_as_the_iri_above_it():
    new = edited('kb:wire nkb:condition [ rdfs:label "if needed"@en ] .')
    assert changed_nodes(graph_of(KNOWLEDGE), new).subjects == {kb("wire")}


@pytest.mark.parametrize(
    "addition",
    [
        "kb:kind rdfs:subClassOf nkb:Step .",  # every shape's targets may shift
        '[] rdfs:label "no IRI leads here"@en .',
    ],
    ids=["class-hierarchy", "unreachable-blank-node"],
)
def test_a_change_that_cannot_be_pinned_to_nodes_names_none(addition):
    assert changed_nodes(graph_of(KNOWLEDGE), edited(addition)) is None


def test_a_changed_step_affects_its_procedure_siblings_and_dependents_only():
    graph = graph_of(KNOWLEDGE)
    changed = ChangedNodes(frozenset({kb("puncture")}), frozenset(), frozenset())
    assert affected_nodes(graph, changed) == {kb("access"), kb("puncture"), kb("wire")}


def test_a_retyped_node_affects_whoever_links_to_it():
    graph = graph_of(KNOWLEDGE)
    changed = ChangedNodes(frozenset({kb("needle")}), frozenset(), frozenset({kb("needle")}))
    assert affected_nodes(graph, changed) == {kb("needle"), kb("wire")}


def test_a_changed_indication_affects_the_procedure_holding_it_and_its_steps():
    graph = graph_of(KNOWLEDGE)
    changed = ChangedNodes(frozenset({kb("blocked")}), frozenset(), frozenset())
    assert affected_nodes(graph, changed) == {
        kb("blocked"),
        kb("access"),
        kb("puncture"),
        kb("wire"),
    }


def test_the_focus_subgraph_holds_what_the_shapes_read_and_nothing_of_other_procedures():
    graph = graph_of(KNOWLEDGE + "kb:kind rdfs:subClassOf nkb:Step .")
    subgraph = focus_subgraph(graph, {kb("wire")})
    described = {kb("access"), kb("puncture"), kb("wire"), kb("blocked")}
    expected = {triple for triple in graph if triple[0] in described}
    expected.add((kb("needle"), RDF.type, URIRef("https://w3id.org/nephrokb/vocab#Device")))
    expected.add((kb("kind"), RDFS.subClassOf, URIRef("https://w3id.org/nephrokb/vocab#Step")))
    assert set(subgraph) == expected


def test_the_bundled_shapes_are_covered():
    assert covers(make_plan(bundled_shapes().shapes, native=True))


@pytest.mark.parametrize(
    "shape",
    [
        # sh:minLength is left to pyshacl, whose reads are not followed.
        "ex:S a sh:NodeShape ; sh:targetClass nkb:Step ; sh:property [ sh:path rdfs:label ;"
        ' sh:minLength 3 ; sh:message "short"@en ] .',
        # Objects-of target over a link other than a procedure's hold on its parts.
        "ex:S a sh:NodeShape ; sh:targetObjectsOf nkb:dependsOn ; sh:property [ sh:path"
        ' rdfs:label ; sh:minCount 1 ; sh:message "unlabelled"@en ] .',
        # An inverse path over a link other than a procedure's hold on its parts.
        "ex:S a sh:NodeShape ; sh:targetClass nkb:Step ; sh:property [ sh:path [ sh:inversePath"
        ' nkb:dependsOn ] ; sh:maxCount 1 ; sh:message "depended on twice"@en ] .',
        # A SPARQL constraint that reads other nodes' triples.
        'ex:S a sh:NodeShape ; sh:targetClass nkb:Step ; sh:sparql [ sh:message "m"@en ;'
        ' sh:select "SELECT $this WHERE { ?other <https://w3id.org/nephrokb/vocab#stepNumber>'
        " ?n . $this <https://w3id.org/nephrokb/vocab#stepNumber> ?n . FILTER (?other != $this)"
        ' }" ] .',
    ],
    ids=["left-to-pyshacl", "objects-of-target", "inverse-path", "sparql-reading-other-nodes"],
)
def test_shapes_reading_what_is_not_followed_are_not_covered(shape):
    assert not covers(make_plan(graph_of(shape), native=True))
