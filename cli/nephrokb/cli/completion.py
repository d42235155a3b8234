"""Shell completion for arguments Click cannot guess: bundled query names, procedure slugs.

Paths (--data, fmt, diff, import, validate FILES) complete as files through click.Path.
A completion that fails offers nothing rather than printing an error into the shell.
"""

from __future__ import annotations

import click
from click.shell_completion import CompletionItem


def complete_query_names(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Offer the bundled queries' names, with their descriptions."""
    from nephrokb.query.queries import list_bundled_queries

    return [
        CompletionItem(query.name, help=query.description)
        for query in list_bundled_queries()
        if query.name.startswith(incomplete)
    ]


def complete_procedure_slugs(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Offer the slugs of the procedures in the knowledge (--data if given, else kb/)."""
    from rdflib import RDF, URIRef

    from nephrokb.errors import NephroKBError
    from nephrokb.namespaces import KB, VOCAB
    from nephrokb.rdf.loading import load

    try:
        graph = load(list(ctx.params.get("data") or ()))
    except NephroKBError:
        return []
    slugs = sorted(
        str(node)[len(KB) :]
        for node in graph.subjects(RDF.type, URIRef(VOCAB + "Procedure"))
        if str(node).startswith(KB)
    )
    return [CompletionItem(slug) for slug in slugs if slug.startswith(incomplete)]
