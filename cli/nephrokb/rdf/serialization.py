"""Write a graph as Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML, losslessly and sorted.

Parsing any of these exports gives a graph isomorphic to the exported one. Blank nodes are
relabelled canonically first, so even they come out the same on every run. Turtle is written
by pyoxigraph from a Store (see export_store_turtle), the rest by rdflib or nephrokb itself.

N-Quads and TriG put every triple in one named graph, KNOWLEDGE_GRAPH
(`https://w3id.org/nephrokb/id/`), so that a quad store holding other data keeps nephrokb's
triples apart; the default graph is empty.

JSON-LD is written by nephrokb itself (one flat node object per subject, sorted by `@id`) with
the bundled context.jsonld embedded as `@context`, so JSON consumers get short keys such as
`label`, `hasStep` and `stepNumber`. A value that a short key's type would misread keeps its
compact IRI key and an explicit `@value`/`@type`/`@language` object, so nothing is lost.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph

from nephrokb.errors import InputError
from nephrokb.namespaces import KNOWLEDGE_GRAPH, PREFIXES, RDF_TYPE
from nephrokb.rdf.stores import graph_of, store_of

if TYPE_CHECKING:
    from pyoxigraph import Store
    from rdflib.term import Node

HAS_BLANK_NODES = "ASK { ?s ?p ?o FILTER (isBlank(?s) || isBlank(?o)) }"


def export_turtle(graph: Graph) -> bytes:
    """Write Turtle, triples sorted, with nephrokb's prefixes: what export_store_turtle writes."""
    return export_store_turtle(store_of(graph))


def export_store_turtle(store: Store) -> bytes:
    """Write the default graph of a pyoxigraph Store as Turtle, triples sorted.

    pyoxigraph writes it, declaring nephrokb's prefixes. With blank nodes, rdflib writes it
    instead, after relabelling them canonically, so that every run gives the same bytes.
    """
    if store.query(HAS_BLANK_NODES):
        return sorted_copy(graph_of(store)).serialize(format="turtle", encoding="utf-8")
    # By N-Triples text: each subject's triples come together, in an order of content alone.
    # pyoxigraph writes the N-Triples lines of all quads at once; sorting them orders the quads.
    quads = list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    lines = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).split(b"\n")
    order = sorted(range(len(quads)), key=lines.__getitem__)
    return ox.serialize([quads[i] for i in order], format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def export_ntriples(graph: Graph) -> bytes:
    """Write N-Triples, one triple a line, lines sorted."""
    return sorted_lines(sorted_copy(graph).serialize(format="nt", encoding="utf-8"))


def export_nquads(graph: Graph) -> bytes:
    """Write N-Quads, every triple in the named graph KNOWLEDGE_GRAPH, lines sorted."""
    return sorted_lines(as_dataset(graph).serialize(format="nquads", encoding="utf-8"))


def export_trig(graph: Graph) -> bytes:
    """Write TriG, every triple in the named graph KNOWLEDGE_GRAPH (written `kb:`)."""
    dataset = as_dataset(graph)
    # rdflib's own TriG serializer still calls Dataset APIs that rdflib deprecates.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return dataset.serialize(format="trig", encoding="utf-8")


def export_rdfxml(graph: Graph) -> bytes:
    """Write RDF/XML (flat rdf:Description elements, sorted by subject)."""
    try:
        return sorted_copy(graph).serialize(format="xml", encoding="utf-8")
    except Exception as error:  # rdflib refuses predicates that have no XML qualified name
        raise InputError(f"cannot be written as RDF/XML: {error}") from None


def export_jsonld(graph: Graph) -> bytes:
    """Write JSON-LD with the bundled @context: `{"@context": ..., "@graph": [nodes]}`."""
    compactor = Compactor(context())
    nodes: dict[str, dict[str, Any]] = {}
    for subject, predicate, value in canonical_triples(graph):
        node_id = compactor.node_id(subject)
        node = nodes.setdefault(node_id, {"@id": node_id})
        key, compacted = compactor.property_value(str(predicate), value)
        node.setdefault(key, []).append(compacted)
    document = {
        "@context": context(),
        "@graph": [
            {key: unwrap(values) if key != "@id" else values for key, values in node.items()}
            for _, node in sorted(
                nodes.items(), key=lambda item: (item[0].startswith("_:"), item[0])
            )
        ],
    }
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def unwrap(values: list[Any]) -> Any:
    """Return one value as itself and several as a list in a stable order."""
    ordered = sorted(values, key=lambda value: json.dumps(value, sort_keys=True))
    return ordered[0] if len(ordered) == 1 else ordered


@cache
def context() -> dict[str, Any]:
    """Return the bundled JSON-LD context (the object under `@context` in context.jsonld)."""
    text = files("nephrokb.exporters").joinpath("context.jsonld").read_text(encoding="utf-8")
    return json.loads(text)["@context"]


class Compactor:
    """Compacts IRIs and values against a JSON-LD 1.0 context of prefixes and typed terms."""

    def __init__(self, terms: dict[str, Any]):
        self.prefixes = {
            name: iri
            for name, iri in terms.items()
            if isinstance(iri, str) and iri.endswith(("/", "#"))
        }
        self.classes = {
            self.expand(iri): name
            for name, iri in terms.items()
            if isinstance(iri, str) and name not in self.prefixes
        }
        self.properties: dict[str, list[tuple[str, dict[str, str]]]] = {}
        for name, definition in sorted(terms.items()):
            if isinstance(definition, dict):
                self.properties.setdefault(self.expand(definition["@id"]), []).append(
                    (name, definition)
                )

    def expand(self, name: str) -> str:
        """Expand a compact IRI whose prefix the context defines."""
        prefix, colon, local = name.partition(":")
        return self.prefixes[prefix] + local if colon and prefix in self.prefixes else name

    def iri(self, iri: str) -> str:
        """Return the shortest compact IRI for `iri`, or `iri` itself."""
        best = iri
        for prefix, namespace in self.prefixes.items():
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and local and not local.startswith("//"):
                candidate = f"{prefix}:{local}"
                best = candidate if len(candidate) < len(best) else best
        return best

    def node_id(self, node: Node) -> str:
        """Return a subject's `@id`: a compact IRI or a blank node label."""
        return f"_:{node}" if isinstance(node, BNode) else self.iri(str(node))

    def property_value(self, predicate: str, value: Node) -> tuple[str, Any]:
        """Return the key and compacted value for one triple's predicate and object."""
        if predicate == RDF_TYPE and not isinstance(value, Literal):
            return "@type", self.classes.get(str(value)) or self.node_id(value)
        for name, definition in self.properties.get(predicate, []):
            if self.fits(definition, value):
                return name, self.node_id(value) if definition.get("@type") == "@id" else str(value)
        return self.iri(predicate), self.expanded_value(value)

    def fits(self, definition: dict[str, str], value: Node) -> bool:
        """True when a term's type or language coercion reads `value` back unchanged."""
        coercion = definition.get("@type")
        if not isinstance(value, Literal):
            return coercion == "@id"
        if coercion is not None:
            return value.datatype is not None and str(value.datatype) == self.expand(coercion)
        if "@language" in definition:
            return value.language == definition["@language"]
        return value.datatype is None and value.language is None

    def expanded_value(self, value: Node) -> Any:
        """Return a value in the form JSON-LD reads the same under any key."""
        if not isinstance(value, Literal):
            return {"@id": self.node_id(value)}
        if value.language:
            return {"@language": value.language, "@value": str(value)}
        if value.datatype is not None:
            return {"@type": self.iri(str(value.datatype)), "@value": str(value)}
        return str(value)


def canonical_triples(graph: Graph) -> list[tuple[Node, Node, Node]]:
    """Return the triples sorted, blank nodes relabelled canonically so labels are stable."""
    triples = list(graph.triples((None, None, None)))
    if any(isinstance(term, BNode) for triple in triples for term in triple):
        triples = list(to_canonical_graph(graph).triples((None, None, None)))
    return sorted(set(triples), key=lambda triple: tuple(term.n3() for term in triple))


def sorted_copy(graph: Graph) -> Graph:
    """Copy `graph` into an insertion-ordered store, sorted, with nephrokb's prefixes bound."""
    copy = Graph(store="SimpleMemory", bind_namespaces="none")
    bind_prefixes(copy, graph)
    for triple in canonical_triples(graph):
        copy.add(triple)
    return copy


def as_dataset(graph: Graph) -> Dataset:
    """Put the triples of `graph` into the named graph KNOWLEDGE_GRAPH of a new Dataset."""
    dataset = Dataset()
    bind_prefixes(dataset, graph)
    named = dataset.graph(URIRef(KNOWLEDGE_GRAPH))
    for triple in canonical_triples(graph):
        named.add(triple)
    return dataset


def bind_prefixes(target: Graph, source: Graph) -> None:
    """Bind nephrokb's prefixes, then those of `source` that do not clash with them."""
    for prefix, namespace in PREFIXES.items():
        target.bind(prefix, URIRef(namespace), override=True, replace=True)
    ours = set(PREFIXES) | set(PREFIXES.values())
    for prefix, namespace in sorted(source.namespaces()):
        if prefix not in ours and str(namespace) not in ours:
            target.bind(prefix, namespace, override=False)


def sorted_lines(serialized: bytes) -> bytes:
    """Sort the lines of a line-based serialization (N-Triples, N-Quads)."""
    lines = sorted(line for line in serialized.splitlines() if line.strip())
    return b"".join(line + b"\n" for line in lines)


# Format name -> the writer of a graph in that syntax. `nephrokb export` offers them all;
# query CONSTRUCT and DESCRIBE results are written by the same ones (query.results), so a
# format name gives the same bytes for the same triples in both commands.
RDF_FORMATS: dict[str, Callable[[Graph], bytes]] = {
    "jsonld": export_jsonld,
    "nq": export_nquads,
    "nt": export_ntriples,
    "trig": export_trig,
    "turtle": export_turtle,
    "xml": export_rdfxml,
}
