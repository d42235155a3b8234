"""`nephrokb site`: the static HTML site, its pages, links, anchors, SVG flows and a real browser.

Every page is parsed with html5lib, the WHATWG HTML parser, in strict mode: a page with any
parse error fails. The README picture docs/images/percutaneous-nephrostomy-flow.svg must equal
a fresh render: it is a golden file (docs/testing.md says how to regenerate it after a
deliberate change to the knowledge or the drawing).

The browser test opens every page in headless Chromium from file:// through the DevTools
protocol and fails on a console error, an uncaught exception, a failed request or any request
that is not a local file. It is skipped, with the reason shown, when /usr/bin/chromium is absent.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import html5lib
import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from nephrokb.cli import main
from nephrokb.errors import InputError
from nephrokb.knowledge.labels import label_of
from nephrokb.knowledge.labels import text_of as model_text_of
from nephrokb.knowledge.mappings import read_mappings
from nephrokb.knowledge.model import find_procedure, read_procedures
from nephrokb.namespaces import KB, PREFIXES, VOCAB
from nephrokb.query.queries import list_bundled_queries, run_query
from nephrokb.rdf.loading import load_graph
from nephrokb.resources import bundled_folder
from nephrokb.site import build_site, render_site
from nephrokb.site.svg import assign_lanes, render_flow_svg

REPOSITORY = Path(__file__).resolve().parents[1]
README_PICTURE = REPOSITORY / "docs" / "images" / "percutaneous-nephrostomy-flow.svg"
CHROMIUM = Path("/usr/bin/chromium")
MINIMAL = FIXTURES / "clean" / "minimal.ttl"
DCTERMS = PREFIXES["dcterms"]
PAGES = [
    "antegrade-ureteral-stent-placement.html",
    "glossary.html",
    "identifiers.html",
    "index.html",
    "percutaneous-nephrostomy.html",
    "queries.html",
    "sources.html",
    "vocabulary.html",
]


@pytest.fixture(scope="module")
def ontology():
    return load_graph([bundled_folder("ontology")])


@pytest.fixture(scope="module")
def site(tmp_path_factory, bundled_graph, ontology):
    """The site of the bundled knowledge base, built once into a temporary folder."""
    folder = tmp_path_factory.mktemp("site")
    build_site(bundled_graph, ontology, folder)
    return folder


def parse(path: Path):
    """Parse a page strictly: html5lib raises on the first HTML parse error."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(path.read_bytes())


def ids_of(document) -> list[str]:
    return [element.get("id") for element in document.iter() if element.get("id") is not None]


def by_id(document, wanted: str):
    return next(element for element in document.iter() if element.get("id") == wanted)


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def local_tag(element) -> str:
    """The tag without a namespace (html5lib puts SVG elements in the SVG namespace)."""
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


@pytest.mark.slow
def test_build_writes_every_page_the_stylesheet_and_the_flow_images(site):
    written = sorted(str(path.relative_to(site)) for path in site.rglob("*") if path.is_file())
    assert written == sorted(
        [
            *PAGES,
            "images/antegrade-ureteral-stent-placement-flow.svg",
            "images/percutaneous-nephrostomy-flow.svg",
            "style.css",
        ]
    )


@pytest.mark.slow
def test_build_returns_the_paths_it_wrote_and_prints_nothing(
    tmp_path, bundled_graph, ontology, capsys
):
    written = build_site(bundled_graph, ontology, tmp_path / "new" / "site")
    assert sorted(written) == sorted(
        p for p in (tmp_path / "new" / "site").rglob("*") if p.is_file()
    )
    assert capsys.readouterr() == ("", "")


@pytest.mark.slow
def test_the_same_knowledge_gives_the_same_bytes(bundled_graph, ontology):
    from rdflib import Graph

    shuffled = Graph()
    for triple in sorted(bundled_graph, reverse=True):
        shuffled.add(triple)
    assert render_site(bundled_graph, ontology) == render_site(shuffled, ontology)


@pytest.mark.slow
def test_existing_files_in_the_output_folder_are_kept(tmp_path, bundled_graph, ontology):
    keep = tmp_path / "CNAME"
    keep.write_text("nephrokb.example\n", encoding="utf-8")
    build_site(bundled_graph, ontology, tmp_path)
    assert keep.read_text(encoding="utf-8") == "nephrokb.example\n"


@pytest.mark.parametrize("name", PAGES)
def test_page_is_well_formed_html_with_landmarks_and_one_h1(site, name):
    document = parse(site / name)
    assert document.get("lang") == "en"
    tags = [local_tag(element) for element in document.iter()]
    assert tags.count("h1") == 1
    assert tags.count("main") == 1
    assert document.find(".//nav[@aria-label='Site']") is not None
    assert document.find(".//head/title").text.endswith(" · nephrokb")
    assert document.find(".//head/meta[@charset='utf-8']") is not None


@pytest.mark.parametrize("name", PAGES)
def test_page_needs_no_javascript_and_nothing_from_the_network(site, name):
    document = parse(site / name)
    assert document.find(".//script") is None
    for element in document.iter():
        assert not [attribute for attribute in element.attrib if attribute.startswith("on")]
    for element in document.iter():
        tag = local_tag(element)
        for attribute in ("src", "srcset", "data", "poster"):
            assert element.get(attribute) is None or not urlsplit(element.get(attribute)).scheme
        if tag == "link":
            assert not urlsplit(element.get("href")).scheme, "stylesheets must be local"
        assert element.get("style") is None
    assert document.find(".//style") is None
    assert "url(" not in (site / "style.css").read_text(encoding="utf-8")
    assert "@import" not in (site / "style.css").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", PAGES)
def test_images_have_text_alternatives(site, name):
    document = parse(site / name)
    for image in document.iter("img"):
        assert image.get("alt")
    for svg in (element for element in document.iter() if local_tag(element) == "svg"):
        assert svg.get("role") == "img"
        assert svg.get("aria-label")
        assert local_tag(svg[0]) == "title"
        assert svg[0].text == svg.get("aria-label")


@pytest.mark.parametrize("name", PAGES)
def test_ids_are_unique_on_every_page(site, name):
    ids = ids_of(parse(site / name))
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.fixture(scope="module")
def ids_by_page(site):
    return {name: set(ids_of(parse(site / name))) for name in PAGES}


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGES)
def test_every_internal_link_resolves_to_a_file_and_an_id(site, ids_by_page, name):
    document = parse(site / name)
    checked = 0
    for link in document.iter("a"):
        href = link.get("href")
        parts = urlsplit(href)
        if parts.scheme:
            assert parts.scheme in ("http", "https"), href
            continue
        target = parts.path or name
        assert (site / target).is_file(), f"{name}: {href} names a missing file"
        if parts.fragment:
            assert target in ids_by_page, f"{name}: {href} has a fragment on a non-page"
            assert unquote(parts.fragment) in ids_by_page[target], f"{name}: {href} is broken"
        checked += 1
    assert checked > 0


def test_every_knowledge_node_has_an_anchor_on_its_page(site, bundled_graph, ids_by_page):
    from rdflib import URIRef

    document = parse(site / "identifiers.html")
    homes = {}
    for row in document.find(".//table[@class='identifiers']/tbody"):
        homes[row.get("id")] = row[3].text
    nodes = {
        str(s)[len(KB) :]
        for s in bundled_graph.subjects()
        if isinstance(s, URIRef) and str(s).startswith(KB)
    }
    assert set(homes) == nodes
    for slug, page in homes.items():
        assert slug in ids_by_page[page], f"{slug} has no anchor on {page}"


def test_nodes_live_on_the_pages_the_docs_promise(ids_by_page):
    assert "percutaneous-nephrostomy" in ids_by_page["percutaneous-nephrostomy.html"]
    assert "pcn-dilate-tract" in ids_by_page["percutaneous-nephrostomy.html"]
    assert "ajs-advance-double-j-stent" in ids_by_page["antegrade-ureteral-stent-placement.html"]
    assert "acute-renal-failure" in ids_by_page["glossary.html"]
    assert "guidewire" in ids_by_page["glossary.html"]
    assert "source-line-08" in ids_by_page["sources.html"]
    assert (
        "mapping-percutaneous-nephrostomy-mesh-d009403"
        in ids_by_page["percutaneous-nephrostomy.html"]
    )
    assert "mapping-acute-renal-failure-icd10cm-n17-9" in ids_by_page["glossary.html"]
    site_ids = {i for ids in ids_by_page.values() for i in ids if i.startswith("_")}
    assert "_content" in site_ids


def test_checklist_lists_steps_in_order_and_marks_conditional_ones(site, bundled_graph):
    procedure = find_procedure(read_procedures(bundled_graph), "percutaneous-nephrostomy")
    document = parse(site / "percutaneous-nephrostomy.html")
    items = document.find(".//ol[@class='checklist']")
    assert [item.get("id") for item in items] == [step.iri[len(KB) :] for step in procedure.steps]
    assert [item.get("value") for item in items] == [str(s.number) for s in procedure.steps]
    conditional = by_id(document, "pcn-confirm-position-with-contrast")
    assert "conditional" in conditional.get("class").split()
    assert "Conditional optional: contrast may be injected" in text_of(conditional)
    always = by_id(document, "pcn-dilate-tract")
    assert "conditional" not in always.get("class").split()
    assert "Needs: step 6 (Insert a guidewire through the needle)" in text_of(always)


def test_procedure_page_shows_indications_benefits_conditions_and_devices(site):
    document = parse(site / "percutaneous-nephrostomy.html")
    for section in ("_indications", "_benefits", "_conditions", "_devices", "_mappings", "_flow"):
        assert section in ids_of(document)
    assert "Malignant ureteral obstruction" in text_of(document)
    devices = {
        text_of(row[0]): [text_of(cell) for cell in row[1:3]]
        for table in document.iter("table")
        if [text_of(th) for th in table.find("thead/tr")][:2] == ["Item", "Kind"]
        for row in table.find("tbody")
    }
    assert devices["Nephrostomy catheter"] == ["Device", "8, 9"]
    assert devices["Imaging guidance"] == ["Imaging modality", "5"]
    assert devices["Guidewire"] == ["Device", "6, 7, 8"]
    assert devices["Contrast medium"] == ["Substance", "9"]
    assert devices["Fluoroscopy"] == ["Imaging modality", "3"]


def test_a_dependency_on_another_procedure_is_linked_and_drawn(site):
    document = parse(site / "antegrade-ureteral-stent-placement.html")
    first = by_id(document, "ajs-pass-guidewire-into-bladder")
    link = next(a for a in first.iter("a") if "step 7 of" in text_of(a))
    assert link.get("href") == "percutaneous-nephrostomy.html#pcn-dilate-tract"
    svg = next(element for element in document.iter() if local_tag(element) == "svg")
    assert "From Percutaneous nephrostomy:" in text_of(svg)
    assert "Relied on by" in text_of(parse(site / "percutaneous-nephrostomy.html"))


@pytest.mark.parametrize("name", PAGES)
def test_every_page_states_its_intended_use_and_cites_the_source_by_title(
    site, bundled_graph, name
):
    from rdflib import RDF, URIRef

    (source,) = bundled_graph.subjects(RDF.type, URIRef(VOCAB + "SourceDocument"))
    title = model_text_of(bundled_graph, source, DCTERMS + "title") or label_of(
        bundled_graph, source
    )
    document = parse(site / name)
    notice = by_id(document, "_intended-use")
    assert text_of(notice) == (
        f"Intended use: this site is a structured encoding of one source text, {title}, for "
        "reading, checking and reusing what that text says. It is not clinical guidance: do "
        "not use it to decide the care of a patient."
    )
    (cite,) = notice.iter("cite")
    assert text_of(cite) == title
    assert next(cite.iter("a")).get("href") == f"sources.html#{str(source)[len(KB) :]}"


def test_mapping_tables_show_code_our_label_and_relation_with_notes_tucked_away(
    site, bundled_graph
):
    document = parse(site / "percutaneous-nephrostomy.html")
    table = next(t for t in document.iter("table") if t.get("class") == "mappings")
    assert [text_of(th) for th in table.find("thead/tr")] == [
        "Code",
        "Our concept",
        "Relation",
        "Title in the terminology",
    ]
    snomed = next(row for row in table.find("tbody") if "SCTID:313270001" in text_of(row))
    assert [text_of(cell) for cell in snomed] == [
        "SCTID:313270001 SNOMED CT",
        "Percutaneous nephrostomy",
        "exact match the same concept",
        "not shown: SNOMED CT names are licensed",
    ]
    notes = next(
        element for element in document.iter("details") if element.get("class") == "curation"
    )
    assert text_of(notes.find("summary")).startswith("Curation notes on ")
    mappings = [
        mapping
        for mapping in read_mappings(bundled_graph)
        if mapping.subject == KB + "percutaneous-nephrostomy"
    ]
    for mapping in mappings:
        if mapping.comment:
            assert mapping.comment in text_of(notes)
            assert mapping.comment not in text_of(table)
        for evidence in mapping.see_also:
            assert evidence in {a.get("href") for a in notes.iter("a")}
            assert evidence not in {a.get("href") for a in table.iter("a")}


def test_mappings_link_to_the_terminology_browsers(site):
    document = parse(site / "percutaneous-nephrostomy.html")
    row = by_id(document, "mapping-percutaneous-nephrostomy-mesh-d009403")
    hrefs = [a.get("href") for a in row.iter("a")]
    assert "https://meshb.nlm.nih.gov/record/ui?ui=D009403" in hrefs
    assert "Nephrostomy, Percutaneous" in text_of(row)
    hrefs = {a.get("href") for a in document.iter("a")}
    assert (
        "https://browser.ihtsdotools.org/?perspective=full&conceptId1=313270001"
        "&edition=MAIN&release=&languages=en"
    ) in hrefs
    glossary = parse(site / "glossary.html")
    row = by_id(glossary, "mapping-acute-renal-failure-icd10cm-n17-9")
    assert any(
        a.get("href") == "https://bioportal.bioontology.org/ontologies/ICD10CM?p=classes&conceptid="
        "http%3A%2F%2Fpurl.bioontology.org%2Fontology%2FICD10CM%2FN17.9"
        for a in row.iter("a")
    )


def test_provenance_is_a_footnote_with_the_verbatim_line(site):
    document = parse(site / "percutaneous-nephrostomy.html")
    step = by_id(document, "pcn-infiltrate-local-anaesthetic")
    marker = next(a for a in step.iter("a") if a.get("href", "").startswith("#_note-"))
    assert (
        marker.get("title") == "Source line 7: The puncture site is infused with local anesthetic."
    )
    note = by_id(document, marker.get("href")[1:])
    assert text_of(note) == "Line 7: The puncture site is infused with local anesthetic."
    assert next(note.iter("a")).get("href") == "sources.html#source-line-07"


def test_sources_page_keeps_every_line_verbatim(site, bundled_graph):
    from rdflib import URIRef

    document = parse(site / "sources.html")
    verbatim = URIRef(VOCAB + "verbatimText")
    for excerpt, text in bundled_graph.subject_objects(verbatim):
        row = by_id(document, str(excerpt)[len(KB) :])
        assert row.find(".//q").text == str(text)


def test_vocabulary_page_lists_every_class_and_property(site, ontology):
    from rdflib import OWL, RDF, RDFS

    document = parse(site / "vocabulary.html")
    terms = {
        str(term)
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for term in ontology.subjects(RDF.type, kind)
        if str(term).startswith(VOCAB)
    }
    assert terms
    for term in terms:
        entry = by_id(document, term[len(VOCAB) :])
        assert str(ontology.value(URIRef_of(term), RDFS.label)) in text_of(entry)
    has_step = term_rows(by_id(document, "hasStep"))
    assert has_step["Domain"] == "nkb:Procedure"
    assert has_step["Range"] == "nkb:Step"
    assert has_step["Subproperty of"] == "schema:step"
    assert has_step["Inverse of"] == "pplan:isStepOfPlan"
    assert has_step["Type"] == "Object property"
    procedure = term_rows(by_id(document, "Procedure"))
    assert procedure["Subclass of"] == "pplan:Plan, schema:MedicalProcedure"
    assert procedure["In domain of"] == (
        "nkb:hasAftercare, nkb:hasBenefit, nkb:hasComplication, nkb:hasContraindication, "
        "nkb:hasIndication, nkb:hasPrecaution, nkb:hasPreparation, nkb:hasStep, nkb:reliesOn"
    )
    assert procedure["In range of"] == "nkb:alternativeTo, nkb:measuredFor, nkb:reliesOn"
    assert term_rows(by_id(document, "stepNumber"))["Type"] == "Datatype property, Functional"


def term_rows(entry) -> dict[str, str]:
    """Read a vocabulary entry's table as {row heading: cell text}."""
    return {text_of(row[0]): text_of(row[1]) for row in entry.find(".//tbody")}


def URIRef_of(iri: str):
    from rdflib import URIRef

    return URIRef(iri)


@pytest.mark.slow
def test_queries_page_has_every_bundled_query_with_its_rows(site, bundled_graph):
    document = parse(site / "queries.html")
    sections = {
        section.find("h2").get("id"): section
        for section in document.iter("section")
        if section.find("h2") is not None
    }
    for query in list_bundled_queries():
        section = sections[f"_query-{query.name}"]
        outcome = run_query(query.text, bundled_graph)
        table = section.find(".//table")
        assert table.find("caption").text == f"{len(outcome.rows)} rows"
        assert [text_of(th) for th in table.find("thead/tr")] == list(outcome.variables)
        assert len(table.find("tbody")) == len(outcome.rows)


@pytest.mark.slow
def test_text_from_the_knowledge_is_escaped(tmp_path, ontology):
    hostile = tmp_path / "hostile.ttl"
    text = MINIMAL.read_text(encoding="utf-8").replace(
        '"Demo access"@en', '"Demo <script>alert(1)</script> & \\"access\\""@en'
    )
    hostile.write_text(text, encoding="utf-8")
    build_site(load_graph([hostile]), ontology, tmp_path / "site")
    page = (tmp_path / "site" / "demo-access.html").read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "Demo &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;access&#34;" in page
    svg = (tmp_path / "site" / "images" / "demo-access-flow.svg").read_text(encoding="utf-8")
    assert "<script>" not in svg
    parse(tmp_path / "site" / "demo-access.html")


def test_a_procedure_whose_slug_is_a_site_page_is_refused(tmp_path, ontology):
    clash = tmp_path / "clash.ttl"
    clash.write_text(
        MINIMAL.read_text(encoding="utf-8").replace("kb:demo-access", "kb:glossary"),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"kb:glossary cannot have a page called 'glossary\.html'"):
        render_site(load_graph([clash]), ontology)


def test_lanes_keep_overlapping_skips_apart_and_let_touching_ones_share():
    lanes = assign_lanes([(0, 1), (0, 2), (1, 3), (2, 4), (4, 6)])
    assert (0, 1) not in lanes
    assert lanes[(0, 2)] != lanes[(1, 3)]
    assert lanes[(2, 4)] == lanes[(0, 2)] or lanes[(2, 4)] == lanes[(1, 3)]
    assert lanes[(4, 6)] == 0


def test_flow_svg_draws_one_box_per_step_and_dashes_conditional_ones(bundled_graph):
    procedure = find_procedure(read_procedures(bundled_graph), "percutaneous-nephrostomy")
    svg = html5lib.parseFragment(render_flow_svg(procedure), namespaceHTMLElements=False)
    root = next(element for element in svg.iter() if local_tag(element) == "svg")
    boxes = [e for e in root.iter() if local_tag(e) == "rect" and e.get("rx") == "6"]
    assert len(boxes) == len(procedure.steps)
    dashed = [box for box in boxes if box.get("stroke-dasharray")]
    assert len(dashed) == sum(1 for step in procedure.steps if step.condition)
    arrows = [e for e in root.iter() if local_tag(e) == "polygon"]
    edges = sum(len(step.depends_on) for step in procedure.steps)
    assert len(arrows) == edges + 1  # one more in the legend


def test_flow_svg_draws_the_step_order_apart_from_the_dependencies(bundled_graph):
    procedure = find_procedure(read_procedures(bundled_graph), "antegrade-ureteral-stent-placement")
    svg = html5lib.parseFragment(render_flow_svg(procedure), namespaceHTMLElements=False)
    root = next(element for element in svg.iter() if local_tag(element) == "svg")
    order = [e for e in root.iter() if e.get("class") == "order"]
    lines = [e for e in order if local_tag(e) == "line"]
    heads = [e for e in order if local_tag(e) == "polyline"]
    assert len(lines) == len(procedure.steps) - 1
    assert len(heads) == len(procedure.steps)  # one more in the legend
    assert all(line.get("stroke-dasharray") for line in lines)
    dependencies = [e for e in root.iter() if e.get("class") == "dependency"]
    assert all(not e.get("stroke-dasharray") for e in dependencies)
    # The optional "dilate if necessary" (step 2) is needed by no step, yet an order arrow
    # leaves its box for step 3.
    boxes = [e for e in root.iter() if local_tag(e) == "rect" and e.get("rx") == "6"]
    step_boxes = boxes[-len(procedure.steps) :]
    dilate, advance = step_boxes[1], step_boxes[2]
    bottom = float(dilate.get("y")) + float(dilate.get("height"))
    leaving = [line for line in lines if float(line.get("y1")) == bottom]
    assert len(leaving) == 1
    assert float(leaving[0].get("y2")) == float(advance.get("y")) - 1
    assert "then: the next step in order" in text_of(root)
    assert "needs: the later step needs the result of the earlier one" in text_of(root)


def test_readme_picture_is_a_fresh_render_of_the_bundled_knowledge(bundled_graph, golden_file):
    procedure = find_procedure(read_procedures(bundled_graph), "percutaneous-nephrostomy")
    golden_file(README_PICTURE, render_flow_svg(procedure))


@pytest.mark.slow
def test_site_command_writes_the_site_and_says_where(tmp_path):
    result = CliRunner().invoke(main, ["site", "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 8 pages and 3 other files to {tmp_path / 'out'}\n"
    assert (tmp_path / "out" / "index.html").is_file()


@pytest.mark.slow
def test_site_command_reads_data(tmp_path):
    result = CliRunner().invoke(main, ["site", "--output", str(tmp_path), "--data", str(MINIMAL)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo-access.html").is_file()


@pytest.mark.slow
def test_site_command_refuses_a_file_as_output_folder(tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["site", "--output", str(taken)])
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {taken}: cannot write: it is not a folder\n"
    assert taken.read_text(encoding="utf-8") == ""


@pytest.mark.slow
def test_site_command_reports_an_unwritable_folder_in_one_line(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["site", "--output", str(blocker / "site")])
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {blocker / 'site'}: cannot write: Not a directory\n"


@pytest.fixture
def template_overrides(tmp_path, monkeypatch):
    """Write templates into a folder that the site's Jinja environment reads first."""
    import jinja2

    import nephrokb.site.pages

    folder = tmp_path / "templates"
    folder.mkdir()
    bundled = nephrokb.site.pages.environment

    def environment():
        jinja = bundled()
        jinja.loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(folder), jinja.loader])
        return jinja

    monkeypatch.setattr(nephrokb.site.pages, "environment", environment)
    return folder


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "{% extends 'base.html.j2' %}\n{% block content %}\n<p>{{ missing }}</p>\n"
            "{% endblock %}\n",
            "site template glossary.html.j2:3: cannot render the site page glossary.html: "
            "'missing' is undefined",
        ),
        (
            "{% extends 'base.html.j2' %}\n{% block content %}\n{% if %}\n{% endblock %}\n",
            "site template glossary.html.j2:3: cannot render the site page glossary.html: "
            "Expected an expression, got 'end of statement block'",
        ),
    ],
    ids=["undefined", "syntax"],
)
def test_a_template_error_is_one_line_naming_template_and_line_exit_2(
    tmp_path, template_overrides, template, message
):
    (template_overrides / "glossary.html.j2").write_text(template, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["site", "--output", str(out), "--data", str(MINIMAL)])
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {message}\n"
    assert not out.exists()


class DevTools:
    """Drives headless Chromium over --remote-debugging-pipe (JSON messages ending in NUL)."""

    def __init__(self, profile: Path, log: Path):
        to_browser_read, self.to_browser = os.pipe()
        self.from_browser, from_browser_write = os.pipe()

        def use_pipes() -> None:
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)

        self.log = log.open("wb")
        self.process = subprocess.Popen(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-extensions",
                "--no-first-run",
                "--enable-logging=stderr",
                "--v=0",
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
            preexec_fn=use_pipes,
            pass_fds=(3, 4),
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        answer = self.wait(lambda m: m.get("id") == self.next_id)
        assert "error" not in answer, f"{method}: {answer['error']}"
        return answer.get("result", {})

    def wait(self, wanted, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "method" in message:
                    self.events.append(message)
                if wanted(message):
                    return message
            remaining = deadline - time.monotonic()
            assert remaining > 0, "Chromium did not answer in time"
            ready, _, _ = select.select([self.from_browser], [], [], remaining)
            if ready:
                chunk = os.read(self.from_browser, 1 << 20)
                assert chunk, "Chromium closed the DevTools pipe"
                self.buffer += chunk

    def close(self) -> None:
        with contextlib.suppress(AssertionError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.to_browser)
        os.close(self.from_browser)
        self.log.close()


PROBLEM_EVENTS = {
    "Network.loadingFailed",
    "Runtime.exceptionThrown",
    "Page.javascriptDialogOpening",
}


def problems(events: list[dict], session: str) -> list[str]:
    """Name every event of a page that shows a fault: errors, failures, non-local requests."""
    found = []
    for event in events:
        if event.get("sessionId") != session:
            continue
        method, params = event["method"], event.get("params", {})
        if method in PROBLEM_EVENTS:
            found.append(f"{method}: {json.dumps(params)[:300]}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning"):
            found.append(f"console {params['type']}: {json.dumps(params['args'])[:300]}")
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            found.append(f"log {params['entry']['level']}: {params['entry'].get('text')}")
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith(("file://", "data:", "about:")):
                found.append(f"request to the network: {url}")
    return found


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
def test_every_page_loads_in_chromium_without_errors_or_network(site, tmp_path):
    devtools = DevTools(tmp_path / "profile", tmp_path / "chromium.log")
    try:
        for name in PAGES:
            target = devtools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = devtools.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
                "sessionId"
            ]
            for domain in ("Network", "Runtime", "Log", "Page"):
                devtools.send(f"{domain}.enable", session=session)
            devtools.send("Page.navigate", {"url": (site / name).as_uri()}, session=session)
            devtools.wait(
                lambda m, s=session: (
                    m.get("method") == "Page.loadEventFired" and m.get("sessionId") == s
                )
            )
            heading = devtools.send(
                "Runtime.evaluate",
                {"expression": "document.querySelector('h1').textContent"},
                session=session,
            )["result"]["value"]
            assert heading
            if name == "percutaneous-nephrostomy.html":
                devtools.send(
                    "Emulation.setDeviceMetricsOverride",
                    {"width": 1100, "height": 900, "deviceScaleFactor": 1, "mobile": False},
                    session=session,
                )
                shot = devtools.send(
                    "Page.captureScreenshot",
                    {"format": "png", "captureBeyondViewport": True},
                    session=session,
                )
                (tmp_path / name.replace(".html", ".png")).write_bytes(
                    base64.b64decode(shot["data"])
                )
            assert problems(devtools.events, session) == [], name
            devtools.send("Target.closeTarget", {"targetId": target})
    finally:
        devtools.close()
    log = (tmp_path / "chromium.log").read_text(encoding="utf-8", errors="replace")
    console = [line for line in log.splitlines() if "Uncaught" in line or ":CONSOLE" in line]
    assert console == []
    assert (tmp_path / "percutaneous-nephrostomy.png").stat().st_size > 10_000


@pytest.mark.slow
def test_procedure_page_shows_the_literature_apart_with_linked_evidence(site):
    document = parse(site / "percutaneous-nephrostomy.html")
    (section,) = [
        element
        for element in document.iter("section")
        if element.get("aria-labelledby") == "_literature"
    ]
    assert [text_of(h3) for h3 in section.iter("h3")] == [
        "Contraindications",
        "Preparation",
        "Precautions",
        "Complications",
        "Aftercare",
        "Success rates",
        "Alternatives",
        "Evidence",
    ]
    assert "Cited evidence, not the source text" in text_of(section)
    references = section.find("ol")
    dois = [a.get("href") for li in references for a in li.iter("a") if "doi.org" in a.get("href")]
    assert len(list(references)) == 11
    assert "https://doi.org/10.1016/j.crad.2007.10.021" in dois
    rates = [text_of(li) for li in section.iter("li") if li.get("class") == "rate"]
    assert (
        "Complications of percutaneous nephrostomy in the UK registry, 6.3% (of 3262); 3262 "
        "nephrostomies reported to the Royal College of Radiologists' voluntary national "
        "registry [10]"
    ) in rates
    citations = [a.get("href") for a in section.iter("a") if a.get("class") == "citation"]
    assert set(citations) == {f"#_ref-{n}" for n in range(1, 12)}
    assert not [sup for sup in section.iter("sup")]  # no source-line footnote marks in it
