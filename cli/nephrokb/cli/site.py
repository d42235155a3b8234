"""`nephrokb site`: build the static HTML site of the knowledge."""

from __future__ import annotations

import click

from nephrokb.cli.options import data_option, reports_errors
from nephrokb.cli.progress import progress, quiet_option


@click.command()
@click.option(
    "--output",
    "-o",
    required=True,
    metavar="DIR",
    help="Folder to write the site into: built beside it and renamed into place (created if "
    "missing; other files in it are kept).",
)
@data_option
@quiet_option
@reports_errors
def site(output: str, data: tuple[str, ...], quiet: bool) -> None:
    """Build a static HTML site: open DIR/index.html in any browser, or publish DIR.

    The site needs no server, no JavaScript and no network: one page per
    procedure (checklist, flow diagram, indications, benefits, conditions,
    devices, terminology mappings, source lines), a glossary, the source lines,
    the vocabulary, the bundled queries with their results, and an A-to-Z of
    identifiers. Each node's slug is an anchor, so
    https://w3id.org/nephrokb/id/SLUG can redirect to PAGE#SLUG. The flow
    diagrams are also written as DIR/images/SLUG-flow.svg. The same knowledge
    always gives the same files.

    \b
    Example:
      nephrokb site --output site/
      nephrokb site --output public/ --data kb/ --data extra.ttl
    """
    from nephrokb.rdf.loading import garbage_collection_paused, load, load_graph
    from nephrokb.resources import bundled_folder
    from nephrokb.site import build_site

    with progress("Building the site", quiet=quiet), garbage_collection_paused():
        ontology = load_graph([bundled_folder("ontology")])
        # The files' pyoxigraph store too, filled from the same parse, for the queries page.
        knowledge = load(data, into="dataset")
        written = build_site(knowledge.graph, ontology, output, knowledge.store)
    pages = sum(1 for path in written if path.suffix == ".html")
    click.echo(f"Wrote {pages} pages and {len(written) - pages} other files to {output}")
