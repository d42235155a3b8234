"""Build a static HTML site of the knowledge: no server, no JavaScript, no network resources.

The site has an index of procedures, one page per procedure (checklist, flow diagram,
indications, benefits, conditions, devices, mappings, source lines), a glossary of the other
nodes, the source lines verbatim, the vocabulary, the bundled queries with their results and
an A-to-Z of identifiers. Every knowledge node's slug is an anchor id on the page that
describes it; ids the site adds for itself start with `_`, so they never clash with a slug.
The same graph always gives the same bytes.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from nephrokb.output import replace_folder
from nephrokb.site.knowledge import STYLESHEET
from nephrokb.site.pages import render_pages

if TYPE_CHECKING:
    from pyoxigraph import Store
    from rdflib import Graph


def render_site(graph: Graph, ontology: Graph, parsed: Store | None = None) -> dict[str, bytes]:
    """Return every file of the site by its path relative to the site folder, sorted by path.

    `parsed` is the pyoxigraph store of the files `graph` was read from, if at hand.
    """
    rendered = render_pages(graph, ontology, parsed)
    rendered[STYLESHEET] = files("nephrokb.site").joinpath(STYLESHEET).read_bytes()
    return dict(sorted(rendered.items()))


def build_site(
    graph: Graph, ontology: Graph, output_dir: str | Path, parsed: Store | None = None
) -> list[Path]:
    """Write the site into `output_dir` and return the paths written.

    The site is built in a folder beside `output_dir` and renamed into place, so readers
    see the old site or the new one; files already in the folder that the site does not
    write are kept.
    """
    return replace_folder(output_dir, render_site(graph, ontology, parsed))
