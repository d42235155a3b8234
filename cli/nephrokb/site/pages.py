"""Gather what each page of the site shows and render it with the Jinja templates.

Templates autoescape; the few pieces of markup made here (links, footnote markers, the SVG)
escape every value they contain before they are marked safe.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateError
from markupsafe import Markup, escape
from rdflib import Literal, URIRef

from nephrokb import __version__
from nephrokb.errors import InputError, SiteError
from nephrokb.knowledge.labels import label_of, text_of
from nephrokb.knowledge.literature import SECTION_TITLES
from nephrokb.knowledge.model import Procedure, Reference, SourceLine, read_procedures, source_lines
from nephrokb.namespaces import (
    DCTERMS,
    KB,
    OWL,
    OWL_ANNOTATED_SOURCE,
    PREFIXES,
    PROV,
    SKOS,
    VOCAB,
    compact,
)
from nephrokb.query.queries import list_bundled_queries, run_query
from nephrokb.query.results import URI, cell_rows, table_cell
from nephrokb.rdf.graph_index import GraphIndex, uri
from nephrokb.rdf.stores import rdflib_store
from nephrokb.site.knowledge import (
    GLOSSARY_PAGE,
    IDENTIFIERS_PAGE,
    IMAGES_FOLDER,
    INDEX_PAGE,
    QUERIES_PAGE,
    SAFE_FILE_NAME,
    SITE_FILES,
    SOURCES_PAGE,
    VOCABULARY_PAGE,
    Anchor,
    Fact,
    MappingRow,
    Relation,
    incoming_relations,
    index_anchors,
    kind_label,
    literal_facts,
    mapping_rows,
    outgoing_relations,
    procedure_page,
    slug_of,
    source_documents,
    types_of,
)
from nephrokb.site.svg import flow_title, render_flow_svg
from nephrokb.site.vocabulary import Vocabulary, local_name, read_vocabulary

if TYPE_CHECKING:
    from pyoxigraph import Store
    from rdflib import Graph

    from nephrokb.query.queries import QueryOutcome
    from nephrokb.query.results import Cell

# Glossary sections in this order, with their headings; other types follow by label.
GLOSSARY_SECTIONS = {
    VOCAB + "Indication": "Indications",
    VOCAB + "Benefit": "Benefits",
    VOCAB + "Condition": "Conditions",
    VOCAB + "Device": "Devices",
    VOCAB + "Substance": "Substances",
    VOCAB + "ImagingModality": "Imaging modalities",
    VOCAB + "AnatomicalSite": "Anatomical sites",
    VOCAB + "ExpectedFinding": "Expected findings",
}
EQUIPMENT_TYPES = (VOCAB + "Device", VOCAB + "Substance", VOCAB + "ImagingModality")
CONDITION_TYPE = VOCAB + "Condition"


def flow_image_path(procedure: Procedure) -> str:
    """Return where the site writes a procedure's standalone flow diagram."""
    return f"{IMAGES_FOLDER}/{slug_of(procedure.iri)}-flow.svg"


class Links:
    """Makes links to knowledge nodes, vocabulary terms and outside IRIs, from any page."""

    def __init__(self, anchors: dict[str, Anchor], vocabulary: Vocabulary):
        self.anchors = anchors
        self.vocabulary = vocabulary.terms
        self.openings: dict[str, str] = {}  # IRI -> its escaped `<a href="...">`, or ""

    def href(self, iri: str) -> str | None:
        """Return where the site links for `iri`: its anchor, its vocabulary entry, or itself."""
        if iri in self.anchors:
            return self.anchors[iri].href
        if iri in self.vocabulary:
            return f"{VOCABULARY_PAGE}#{quote(local_name(iri), safe='')}"
        if iri.startswith(("http://", "https://")):
            return iri
        return None

    def node(self, iri: str, label: str | None = None) -> Markup:
        """Return a link to a node, showing its label (or `label`)."""
        text = label or (self.anchors[iri].label if iri in self.anchors else compact(iri))
        return self.anchor(iri, text)

    def term(self, iri: str) -> Markup:
        """Return a link to a term, showing its compact name (nkb:Step) or else its IRI."""
        name = compact(iri)
        return self.anchor(iri, iri if name.startswith("<") else name)

    def anchor(self, iri: str, text: str) -> Markup:
        """Return `<a href>text</a>` for `iri`, or the bare text when there is nowhere to go."""
        opening = self.openings.get(iri)
        if opening is None:
            href = self.href(iri)
            opening = self.openings[iri] = "" if href is None else f'<a href="{escape(href)}">'
        if not opening:
            return escape(text)
        # escape() in an f-string is Markup.format's escaping without its Formatter.
        return Markup(f"{opening}{escape(text)}</a>")


class Navigation:
    """The site's list of links, rendered once; each page only marks its own link current.

    Every page lists every procedure, so rendering the list per page would cost pages times
    procedures template steps.
    """

    def __init__(self, entries: Sequence[tuple[str, str]]):
        item = Markup('<li><a href="{}">{}</a></li>\n')
        self.items = Markup("").join(item.format(href, label) for href, label in entries)

    def for_page(self, page_name: str) -> Markup:
        """Return the list items with `aria-current` on the links to `page_name`."""
        link = Markup('<li><a href="{}">').format(page_name)
        current = Markup('<li><a href="{}" aria-current="page">').format(page_name)
        return Markup(self.items.replace(link, current))


@dataclass
class Footnotes:
    """Numbers a page's source lines in order of first mention, for footnote markers."""

    notes: list[SourceLine] = field(default_factory=list)

    def mark(self, sources: Sequence[SourceLine]) -> Markup:
        """Return the footnote markers of `sources`, each titled with the verbatim line."""
        markers = []
        for line in sources:
            if line not in self.notes:
                self.notes.append(line)
            number = self.notes.index(line) + 1
            markers.append(
                Markup(
                    f'<sup class="note-ref"><a href="#_note-{number}" '
                    f'title="Source line {escape(line.number)}: {escape(line.text)}">'
                    f'<span class="visually-hidden">source note </span>[{number}]</a></sup>'
                )
            )
        return Markup("").join(markers)


@dataclass(frozen=True)
class Page:
    """One HTML file: its name, its template, its title and what the template needs."""

    name: str
    template: str
    title: str
    context: dict[str, Any]


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


def relied_on_by(procedures: Sequence[Procedure]) -> dict[str, list[Procedure]]:
    """Return, by procedure IRI, the procedures that rely on it, in the order of `procedures`."""
    reliance: dict[str, list[Procedure]] = {}
    for other in procedures:
        for iri in dict.fromkeys(reference.iri for reference in other.relies_on):
            reliance.setdefault(iri, []).append(other)
    return reliance


def check_page_names(procedures: Sequence[Procedure]) -> None:
    """Refuse procedures whose slug cannot be a page of its own."""
    for procedure in procedures:
        name = procedure_page(procedure.iri)
        if not SAFE_FILE_NAME.fullmatch(name) or name in SITE_FILES:
            reserved = ", ".join(sorted(SITE_FILES))
            raise InputError(
                f"{procedure.curie} cannot have a page called {name!r}: a procedure's slug must "
                f"be letters, digits, '.', '_' or '-' and not one of {reserved}"
            )


def index_page(procedures: Sequence[Procedure], vocabulary: Vocabulary) -> Page:
    """The home page: every procedure with its definition and counts."""
    return Page(
        INDEX_PAGE,
        "index.html.j2",
        "Procedures",
        {"procedures": procedures, "vocabulary": vocabulary, "page_of": procedure_page},
    )


def procedure_page_of(
    procedure: Procedure,
    reliance: dict[str, list[Procedure]],
    graph: Graph,
    labels: Graph,
    svg: str,
) -> Page:
    """One procedure: checklist, flow, indications, benefits, conditions, devices, mappings."""
    step_relations = {
        step.iri: outgoing_relations(graph, labels, URIRef(step.iri)) for step in procedure.steps
    }
    conditions: dict[str, list[Reference]] = {}
    for statement in (*procedure.indications, *procedure.benefits):
        for condition in statement.conditions:
            conditions.setdefault(condition.iri, []).append(
                Reference(statement.iri, statement.label)
            )
    equipment: dict[str, list[int]] = {}
    for step in procedure.steps:
        for relation in step_relations[step.iri]:
            for target in relation.nodes:
                kinds = types_of(graph, URIRef(target.iri))
                if CONDITION_TYPE in kinds:
                    conditions.setdefault(target.iri, []).append(
                        Reference(step.iri, f"step {step.number}")
                    )
                if any(kind in EQUIPMENT_TYPES for kind in kinds):
                    equipment.setdefault(target.iri, []).append(step.number)
    relied_on_by = reliance.get(procedure.iri, [])
    literature = procedure.literature
    cited = literature.citations() if literature else ()
    coded = (
        [f.iri for f in (*literature.contraindications, *literature.complications)]
        if (literature)
        else []
    )
    mappings = {
        iri: mapping_rows(graph, uri(iri))
        for iri in [procedure.iri, *conditions, *equipment, *coded]
    }
    return Page(
        procedure_page(procedure.iri),
        "procedure.html.j2",
        procedure.label,
        {
            "procedure": procedure,
            "slug": slug_of(procedure.iri),
            "svg": Markup(svg),
            "flow_title": flow_title(procedure),
            "flow_image": flow_image_path(procedure),
            "step_relations": step_relations,
            "step_mappings": {
                step.iri: mapping_rows(graph, URIRef(step.iri)) for step in procedure.steps
            },
            "relied_on_by": relied_on_by,
            "conditions": sorted_by_label(conditions, graph),
            "equipment": sorted_by_label(
                {iri: sorted(set(numbers)) for iri, numbers in equipment.items()}, graph
            ),
            "mappings": mappings,
            "kind_of": lambda iri: kind_name(graph, labels, iri),
            "citations": cited,
            "citation_numbers": {c.iri: n for n, c in enumerate(cited, start=1)},
            "literature_sections": SECTION_TITLES,
        },
    )


def sorted_by_label(values: dict[str, Any], graph: Graph) -> list[tuple[Reference, Any]]:
    """Return (node, value) pairs ordered by the node's label."""
    pairs = [(Reference(iri, label_of(graph, uri(iri))), value) for iri, value in values.items()]
    return sorted(pairs, key=lambda pair: (pair[0].label.casefold(), pair[0].iri))


def kind_name(graph: Graph, labels: Graph, iri: str) -> str:
    """Return the label of a node's first type."""
    return kind_label(types_of(graph, uri(iri)), labels)


@dataclass(frozen=True)
class Entry:
    """One glossary or source entry with everything shown about it."""

    anchor: Anchor
    types: tuple[str, ...]
    text: str | None
    facts: tuple[Fact, ...]
    outgoing: tuple[Relation, ...]
    incoming: tuple[Relation, ...]
    mappings: tuple[MappingRow, ...]
    sources: tuple[SourceLine, ...]


def entry(graph: Graph, labels: Graph, anchor: Anchor) -> Entry:
    """Read one node for the glossary."""
    node = URIRef(anchor.iri)
    return Entry(
        anchor=anchor,
        types=tuple(types_of(graph, node)),
        text=text_of(graph, node, SKOS + "definition")
        or text_of(graph, node, DCTERMS + "description"),
        facts=literal_facts(graph, labels, node),
        outgoing=outgoing_relations(graph, labels, node),
        incoming=incoming_relations(graph, labels, node),
        mappings=mapping_rows(graph, node),
        sources=source_lines(graph, node),
    )


def glossary_page(graph: Graph, labels: Graph, anchors: dict[str, Anchor]) -> Page:
    """Every node that is not a procedure, step, source or mapping, grouped by type."""
    grouped: dict[str, list[Entry]] = {}
    for anchor in anchors.values():
        if anchor.page != GLOSSARY_PAGE or VOCAB + "Mapping" in types_of(graph, URIRef(anchor.iri)):
            continue
        read = entry(graph, labels, anchor)
        grouped.setdefault(read.types[0] if read.types else "", []).append(read)
    known = [kind for kind in GLOSSARY_SECTIONS if kind in grouped]
    others = sorted(
        (kind for kind in grouped if kind not in GLOSSARY_SECTIONS),
        key=lambda kind: (label_of(labels, URIRef(kind)).casefold() if kind else "~", kind),
    )
    sections = [
        {
            "id": "_" + (local_name(kind) if kind else "untyped"),
            "heading": GLOSSARY_SECTIONS.get(kind)
            or (label_of(labels, URIRef(kind)) if kind else "Untyped nodes"),
            "kind": kind,
            "entries": sorted(
                grouped[kind], key=lambda e: (e.anchor.label.casefold(), e.anchor.iri)
            ),
        }
        for kind in [*known, *others]
    ]
    return Page(
        GLOSSARY_PAGE,
        "glossary.html.j2",
        "Glossary",
        {"sections": sections, "unplaced_mappings": unplaced_mappings(graph, anchors)},
    )


def unplaced_mappings(graph: Graph, anchors: dict[str, Anchor]) -> list[dict[str, Any]]:
    """Return the mapping records whose subject has no entry here, so they get one of their own."""
    unplaced = []
    for anchor in anchors.values():
        node = URIRef(anchor.iri)
        if VOCAB + "Mapping" not in types_of(graph, node):
            continue
        source = graph.value(node, uri(OWL_ANNOTATED_SOURCE))
        if source is not None and str(source) in anchors:
            continue
        unplaced.append(
            {
                "anchor": anchor,
                "source": str(source) if source is not None else None,
                "relation": graph.value(node, uri(OWL + "annotatedProperty")),
                "target": graph.value(node, uri(OWL + "annotatedTarget")),
            }
        )
    return sorted(unplaced, key=lambda found: found["anchor"].iri)


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


def vocabulary_page(vocabulary: Vocabulary) -> Page:
    """The OWL vocabulary, one entry per class and property."""
    return Page(
        VOCABULARY_PAGE,
        "vocabulary.html.j2",
        vocabulary.title,
        {"vocabulary": vocabulary, "prefixes": sorted(PREFIXES.items())},
    )


def queries_page(results: Sequence[tuple[Any, QueryOutcome]], links: Links) -> Page:
    """Each bundled query with its SPARQL text and its results on the knowledge."""
    queries = []
    for query, outcome in results:
        rows = list(cell_rows(outcome)) if outcome.kind == "select" else []
        table = result_rows(rows, links)
        queries.append({"query": query, "outcome": outcome, "count": len(rows), "rows": table})
    return Page(QUERIES_PAGE, "queries.html.j2", "Bundled queries", {"queries": queries})


def result_rows(rows: Sequence[Sequence[Cell | None]], links: Links) -> Markup:
    """Return the table rows of a query's results: a link for each IRI, text for the rest.

    Written here rather than in the template: a results table can have tens of thousands
    of cells, and a template step per cell is most of the site's rendering time.
    """

    cells: dict[Cell | None, str] = {}  # the same terms recur down a column

    def cell(term: Cell | None) -> str:
        html = cells.get(term)
        if html is None:
            text = table_cell(term)
            if term is not None and term.kind == URI and term.value:
                html = cells[term] = f"<td>{links.anchor(term.value, text)}</td>"
            else:
                html = cells[term] = f"<td>{escape(text)}</td>"
        return html

    return Markup("".join(f"<tr>{''.join(cell(term) for term in row)}</tr>\n" for row in rows))


def identifiers_page(anchors: dict[str, Anchor]) -> Page:
    """Every knowledge identifier, A to Z, with where it is described."""
    rows = sorted(anchors.values(), key=lambda anchor: (anchor.slug, anchor.iri))
    return Page(IDENTIFIERS_PAGE, "identifiers.html.j2", "Identifiers", {"anchors": rows})
