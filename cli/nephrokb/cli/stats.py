"""`nephrokb stats`: count triples, nodes per class, steps, mappings and literature."""

from __future__ import annotations

import click

from nephrokb.cli.options import data_option, reports_errors, result_options, write_result
from nephrokb.knowledge.stats import STATS_FORMATS


@click.command()
@result_options(STATS_FORMATS)
@data_option
@reports_errors
def stats(format_name: str, output: str, data: tuple[str, ...]) -> None:
    """Count triples, nodes per class, steps, mappings and each procedure's literature.

    The literature of a procedure is counted by section (contraindications,
    preparation, precautions, complications, aftercare, alternatives), with
    its rates and the works it cites.

    \b
    Example:
      nephrokb stats
      nephrokb stats --format json --data kb/ --output stats.json
    """
    from nephrokb.knowledge.stats import compute_stats
    from nephrokb.rdf.loading import load

    write_result(output, STATS_FORMATS[format_name](compute_stats(load(data))))
