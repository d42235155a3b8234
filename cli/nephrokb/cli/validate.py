"""`nephrokb validate`: check knowledge against the SHACL shapes."""

from __future__ import annotations

import sys

import click

from nephrokb.cli.options import EXIT_FINDINGS, EXIT_OK, data_option, reports_errors


@click.command()
@data_option
@reports_errors
def validate(data: tuple[str, ...]) -> None:
    """Check knowledge against the SHACL shapes.

    Exits 0 when the knowledge conforms, 1 when there are violations,
    2 when the input cannot be read.

    \b
    Example:
      nephrokb validate
      nephrokb validate --data kb/ --data my-procedure.ttl
    """
    from nephrokb.reporting import render_text
    from nephrokb.validation import validate as run_validation

    report = run_validation(list(data))
    click.echo(render_text(report), nl=False)
    sys.exit(EXIT_FINDINGS if report.failed() else EXIT_OK)
