"""The sources page: each source document with its lines, verbatim, and what derives from them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef

from nephrokb.knowledge.labels import text_of
from nephrokb.knowledge.model import Reference
from nephrokb.namespaces import DCTERMS, PROV, VOCAB
from nephrokb.rdf.graph_index import uri
from nephrokb.site.knowledge import SOURCES_PAGE, Anchor, types_of
from nephrokb.site.page_model import Page

if TYPE_CHECKING:
    from rdflib import Graph


def sources_page(graph: Graph, labels: Graph, anchors: dict[str, Anchor]) -> Page:
    """Each source document with its lines, verbatim, and the knowledge derived from each."""

    def excerpt(anchor: Anchor) -> dict[str, Any]:
        node = URIRef(anchor.iri)
        line = graph.value(node, uri(VOCAB + "lineNumber"))
        derived = sorted(
            (
                Reference(str(subject), anchors[str(subject)].label)
                for subject in graph.subjects(uri(PROV + "wasDerivedFrom"), node)
                if str(subject) in anchors
            ),
            key=lambda ref: (ref.label.casefold(), ref.iri),
        )
        return {
            "anchor": anchor,
            "line": line.toPython() if isinstance(line, Literal) else None,
            "text": text_of(graph, node, VOCAB + "verbatimText") or "",
            "derived": derived,
        }

    on_page = [anchor for anchor in anchors.values() if anchor.page == SOURCES_PAGE]
    documents = [a for a in on_page if VOCAB + "SourceDocument" in types_of(graph, URIRef(a.iri))]
    excerpts = [excerpt(a) for a in on_page if a not in documents]
    excerpts.sort(key=lambda e: (e["line"] is None, e["line"] or 0, e["anchor"].iri))
    part_of = uri(DCTERMS + "isPartOf")
    lines_of: dict[str, list[dict[str, Any]]] = {}  # document IRI -> its excerpts, in order
    for found in excerpts:
        for document in graph.objects(URIRef(found["anchor"].iri), part_of):
            if isinstance(document, URIRef):
                lines_of.setdefault(str(document), []).append(found)
    listed = []
    for document in sorted(documents, key=lambda a: a.iri):
        listed.append(
            {
                "anchor": document,
                "identifier": text_of(graph, URIRef(document.iri), DCTERMS + "identifier"),
                "excerpts": lines_of.get(document.iri, []),
            }
        )
    placed = {e["anchor"].iri for document in listed for e in document["excerpts"]}
    loose = [e for e in excerpts if e["anchor"].iri not in placed]
    return Page(SOURCES_PAGE, "sources.html.j2", "Sources", {"documents": listed, "loose": loose})
