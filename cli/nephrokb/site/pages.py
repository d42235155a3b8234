"""Gather every page of the site from one index of the knowledge and render it with Jinja.

Each kind of page is gathered in a module of its own (procedure_pages, glossary_pages,
sources_page, queries_page). Templates autoescape; the few pieces of markup made in Python
(links, footnote markers, the SVG, query result rows) escape every value they contain
before they are marked safe.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateError
from markupsafe import Markup

from nephrokb import __version__
from nephrokb.errors import SiteError
from nephrokb.knowledge.model import Reference, read_procedures
from nephrokb.namespaces import KB, compact
from nephrokb.query.queries import list_bundled_queries, run_query
from nephrokb.rdf.graph_index import GraphIndex
from nephrokb.rdf.stores import rdflib_store
from nephrokb.site.glossary_pages import glossary_page, identifiers_page, vocabulary_page
from nephrokb.site.knowledge import (
    GLOSSARY_PAGE,
    IDENTIFIERS_PAGE,
    INDEX_PAGE,
    QUERIES_PAGE,
    SOURCES_PAGE,
    VOCABULARY_PAGE,
    index_anchors,
    procedure_page,
    source_documents,
)
from nephrokb.site.page_model import Footnotes, Links, Navigation, Page
from nephrokb.site.procedure_pages import (
    check_page_names,
    flow_image_path,
    index_page,
    procedure_page_of,
    relied_on_by,
)
from nephrokb.site.queries_page import queries_page
from nephrokb.site.sources_page import sources_page
from nephrokb.site.svg import render_flow_svg
from nephrokb.site.vocabulary import read_vocabulary

if TYPE_CHECKING:
    from pyoxigraph import Store
    from rdflib import Graph


def environment() -> Environment:
    """Return the Jinja environment of the site's templates, autoescaping, strict."""
    return Environment(
        loader=PackageLoader("nephrokb.site", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_pages(graph: Graph, ontology: Graph, parsed: Store | None = None) -> dict[str, bytes]:
    """Return every file of the site but the stylesheet, by path relative to the site folder.

    Every page is read from one GraphIndex of the knowledge. `parsed`, the pyoxigraph store
    of the files `graph` was read from, saves copying the graph into one for the queries.
    """
    store = rdflib_store(graph, parsed)
    triples = len(graph)
    graph = GraphIndex(graph)
    labels = GraphIndex(ontology, graph)
    anchors = index_anchors(graph, labels)
    vocabulary = read_vocabulary(ontology)
    links = Links(anchors, vocabulary)
    procedures = read_procedures(graph)
    check_page_names(procedures)

    pages = [index_page(procedures, vocabulary)]
    files: dict[str, bytes] = {}
    reliance = relied_on_by(procedures)
    for procedure in procedures:
        svg = render_flow_svg(procedure)
        files[flow_image_path(procedure)] = svg.encode("utf-8")
        pages.append(procedure_page_of(procedure, reliance, graph, labels, svg))
    pages += [
        glossary_page(graph, labels, anchors),
        sources_page(graph, labels, anchors),
        vocabulary_page(vocabulary),
        queries_page(
            [
                (query, run_query(query.text, store, origin=query.path))
                for query in list_bundled_queries()
            ],
            links,
        ),
        identifiers_page(anchors),
    ]
    navigation = [(INDEX_PAGE, "Procedures")]
    navigation += [(procedure_page(p.iri), p.label) for p in procedures]
    navigation += [
        (GLOSSARY_PAGE, "Glossary"),
        (SOURCES_PAGE, "Sources"),
        (VOCABULARY_PAGE, "Vocabulary"),
        (QUERIES_PAGE, "Queries"),
        (IDENTIFIERS_PAGE, "Identifiers"),
    ]
    jinja = environment()
    shared = {
        "links": links,
        "navigation": Navigation(navigation),
        "version": __version__,
        "triples": triples,
        "compact": compact,
        "KB": KB,
        "intended_use": intended_use(source_documents(graph), links),
    }
    for page in pages:
        try:
            template = jinja.get_template(page.template)
            html = template.render(
                **shared, **page.context, page_name=page.name, title=page.title, notes=Footnotes()
            )
        except TemplateError as error:
            raise site_error(error, page) from error
        files[page.name] = html.encode("utf-8")
    return dict(sorted(files.items()))


def site_error(error: TemplateError, page: Page) -> SiteError:
    """Translate a Jinja error into a SiteError naming the template and line it arose at.

    A syntax error carries its template and line; an error while rendering (an undefined
    name, say) is placed at the innermost template frame of its traceback, which Jinja
    rewrites to template lines.
    """
    name, line = getattr(error, "name", None), getattr(error, "lineno", None)
    if name is None:
        frames = traceback.extract_tb(error.__traceback__)
        in_templates = [frame for frame in frames if frame.filename.endswith(".j2")]
        if in_templates:
            name, line = Path(in_templates[-1].filename).name, in_templates[-1].lineno
    return SiteError(
        f"cannot render the site page {page.name}: {error.message or type(error).__name__}",
        path=f"site template {name or page.template}",
        line=line,
    )


def intended_use(documents: Sequence[Reference], links: Links) -> Markup:
    """Return what the site is for, citing its source documents by title, as page markup."""
    cited = [Markup("<cite>{}</cite>").format(links.node(d.iri, d.label)) for d in documents]
    if len(cited) == 1:
        encoding = Markup("one source text, {}, for reading, checking and reusing what that text")
        encoding = encoding.format(cited[0]) + Markup(" says")
    elif cited:
        listed = Markup(", ").join(cited[:-1]) + Markup(" and ") + cited[-1]
        encoding = Markup("{} source texts, {}, for reading, checking and reusing what they say")
        encoding = encoding.format(len(cited), listed)
    else:
        encoding = Markup("its source texts, for reading, checking and reusing what they say")
    return Markup(
        "<strong>Intended use:</strong> this site is a structured encoding of {}. It is not "
        "clinical guidance: do not use it to decide the care of a patient."
    ).format(encoding)
