"""`nephrokb show`: one procedure as a checklist, Markdown or JSON."""

from __future__ import annotations

import click

from nephrokb.cli.completion import complete_procedure_slugs
from nephrokb.cli.options import data_option, reports_errors, result_options, write_result
from nephrokb.exporters.procedure import PROCEDURE_FORMATS


@click.command()
@click.argument("procedure", shell_complete=complete_procedure_slugs)
@result_options(
    PROCEDURE_FORMATS,
    "Output format; json has the structure documented in nephrokb.exporters.procedure.",
)
@data_option
@reports_errors
def show(procedure: str, format_name: str, output: str, data: tuple[str, ...]) -> None:
    """Show one procedure as a numbered checklist.

    PROCEDURE is an IRI, a CURIE (kb:percutaneous-nephrostomy), a slug
    (percutaneous-nephrostomy) or part of a label, in any case. Conditional
    steps are marked with their condition; indications and benefits follow.
    Exits 2 when nothing or more than one procedure matches.

    \b
    Example:
      nephrokb show kb:percutaneous-nephrostomy
      nephrokb show stent --format markdown --output stent.md
      nephrokb show nephrostomy --format json
    """
    from nephrokb.knowledge.model import find_procedure, read_procedures
    from nephrokb.rdf.loading import load

    found = find_procedure(read_procedures(load(data)), procedure)
    write_result(output, PROCEDURE_FORMATS[format_name](found))
