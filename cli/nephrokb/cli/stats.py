"""`nephrokb stats`: count triples, nodes per class, steps and mappings."""

from __future__ import annotations

import click

from nephrokb.cli.options import data_option, format_option, reports_errors
from nephrokb.knowledge.stats import STATS_FORMATS


@click.command()
@format_option(STATS_FORMATS, "Output format.")
@data_option
@reports_errors
def stats(format_name: str, data: tuple[str, ...]) -> None:
    """Count triples, nodes per nkb: class, steps per procedure and mappings per terminology.

    \b
    Example:
      nephrokb stats
      nephrokb stats --format json --data kb/
    """
    from nephrokb.knowledge.stats import compute_stats
    from nephrokb.rdf.loading import load_knowledge

    click.echo(STATS_FORMATS[format_name](compute_stats(load_knowledge(data))), nl=False)
