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

from nephrokb.errors import InputError
from nephrokb.site.knowledge import STYLESHEET

if TYPE_CHECKING:
    from rdflib import Graph


def render_site(graph: Graph, ontology: Graph) -> dict[str, bytes]:
    """Return every file of the site by its path relative to the site folder, sorted by path."""
    from nephrokb.site.pages import render_pages

    rendered = render_pages(graph, ontology)
    rendered[STYLESHEET] = files("nephrokb.site").joinpath(STYLESHEET).read_bytes()
    return dict(sorted(rendered.items()))


def build_site(graph: Graph, ontology: Graph, output_dir: str | Path) -> list[Path]:
    """Write the site into `output_dir` (created if missing) and return the paths written.

    Each file is replaced atomically; files already in the folder that the site does not
    write are left alone.
    """
    from nephrokb.atomic import write_atomic

    folder = Path(output_dir)
    rendered = render_site(graph, ontology)
    written = []
    for relative, content in rendered.items():
        target = folder / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InputError(
                f"cannot create folder: {error.strerror}", path=str(target.parent)
            ) from None
        write_atomic(target, content)
        written.append(target)
    return written
