"""`nephrokb export`: write the knowledge in an RDF, tabular, document or diagram format."""

from __future__ import annotations

import click

from nephrokb.cli.options import data_option, output_option, reports_errors, write_result
from nephrokb.exporters import EXPORTERS, INCLUDABLE


@click.command()
@click.option(
    "--format",
    "-f",
    "format_name",
    required=True,
    type=click.Choice(sorted(EXPORTERS)),
    help="Output format.",
)
@output_option()
@click.option(
    "--include",
    multiple=True,
    type=click.Choice(INCLUDABLE),
    help="Also export this bundled folder (repeatable).",
)
@data_option
@reports_errors
def export(format_name: str, output: str, include: tuple[str, ...], data: tuple[str, ...]) -> None:
    """Write the knowledge in another format.

    RDF formats (turtle, nt, nq, trig, jsonld, xml) are lossless: parsing the
    export gives back the same graph. nq and trig put every triple in the
    named graph <https://w3id.org/nephrokb/id/>. jsonld embeds nephrokb's
    @context, so keys are short (label, hasStep, stepNumber).

    csv has one row per step; its depends_on column lists step numbers
    ("3; 4"), or "<procedure label> step N" for a step of another procedure.
    markdown is a checklist document with source lines as footnotes; dot and
    mermaid draw each procedure's step flow, conditional steps dashed.

    \b
    Example:
      nephrokb export --format turtle
      nephrokb export --format jsonld --include ontology --output nephrokb.jsonld
      nephrokb export --format markdown --data kb/ --output procedures.md
    """
    from nephrokb.exporters import export_knowledge

    write_result(output, export_knowledge(format_name, list(data), include))
