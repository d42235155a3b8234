"""The nephrokb command line: parses options, calls the library, prints, picks the exit code."""

from __future__ import annotations

import functools
import logging
import sys

import click

from nephrokb import __version__
from nephrokb.errors import NephroKBError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNUSABLE = 2


def data_option(function):
    """Declare --data the same way for every command that reads knowledge."""
    return click.option(
        "--data",
        "data",
        multiple=True,
        metavar="PATH",
        help="Turtle file or folder to read instead of the bundled knowledge base (repeatable).",
    )(function)


def reports_errors(function):
    """Turn a NephroKBError into one line on stderr and exit code 2."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except NephroKBError as error:
            click.echo(f"nephrokb: error: {error}", err=True)
            sys.exit(EXIT_UNUSABLE)

    return wrapper


class OneLineErrorGroup(click.Group):
    """A group whose usage errors are one line on stderr, like every other nephrokb error."""

    def main(self, args=None, prog_name=None, **extra):
        extra.pop("standalone_mode", None)
        try:
            outcome = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.UsageError as error:
            hint = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
            click.echo(f"nephrokb: error: {error.format_message()}{hint}", err=True)
            sys.exit(EXIT_UNUSABLE)
        except click.ClickException as error:
            click.echo(f"nephrokb: error: {error.format_message()}", err=True)
            sys.exit(EXIT_UNUSABLE)
        except click.Abort:
            click.echo("nephrokb: aborted", err=True)
            sys.exit(EXIT_UNUSABLE)
        sys.exit(outcome if isinstance(outcome, int) else EXIT_OK)


@click.group(
    name="nephrokb",
    cls=OneLineErrorGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="nephrokb")
def main() -> None:
    """Validate, query and export the nephrokb knowledge base.

    \b
    Example:
      nephrokb validate
    """
    # rdflib logs ill-typed literals with a traceback; nephrokb reports input problems itself.
    logging.getLogger("rdflib").setLevel(logging.ERROR)


@main.command()
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
