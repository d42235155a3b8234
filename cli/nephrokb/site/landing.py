"""A landing page per knowledge node, `id/<slug>.html`, so that every IRI has an HTML page.

`nephrokb release` adds these pages to the site it builds in dist/VERSION/site/.

https://w3id.org/nephrokb/id/<slug> asked for as HTML redirects to `site/id/<slug>.html`
(nephrokb.release.w3id); the page names the node, its type and its definition or description, and
links to the page of the site that describes it in full.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import URIRef

from nephrokb import __version__
from nephrokb.knowledge.labels import text_of
from nephrokb.namespaces import DCTERMS, SKOS
from nephrokb.site.knowledge import SAFE_FILE_NAME, index_anchors
from nephrokb.site.pages import environment

if TYPE_CHECKING:
    from rdflib import Graph

LANDING_FOLDER = "id"
# The text a landing page shows under the label, the first a node has.
SUMMARY_PREDICATES = (SKOS + "definition", DCTERMS + "description")


def landing_page_path(slug: str) -> str:
    """Return the path of a node's landing page, relative to the site folder."""
    return f"{LANDING_FOLDER}/{slug}.html"


def render_landing_pages(graph: Graph, ontology: Graph) -> dict[str, bytes]:
    """Return a landing page for every knowledge node whose slug is a safe file name."""
    template = environment().get_template("landing.html.j2")
    pages = {}
    for anchor in index_anchors(graph, ontology + graph).values():
        if not SAFE_FILE_NAME.fullmatch(anchor.slug):
            continue
        node = URIRef(anchor.iri)
        text = next((found for p in SUMMARY_PREDICATES if (found := text_of(graph, node, p))), None)
        html = template.render(anchor=anchor, text=text, version=__version__)
        pages[landing_page_path(anchor.slug)] = html.encode("utf-8")
    return pages
