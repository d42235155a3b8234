"""Options and error handling shared by every nephrokb command."""

from __future__ import annotations

import functools
import sys

import click

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


def graph_option(function):
    """Declare --graph the same way for every command that talks to a server."""
    from nephrokb.endpoint import KNOWLEDGE_GRAPH  # here, so that `nephrokb --help` skips it

    return click.option(
        "--graph",
        metavar="IRI",
        help="Named graph that holds the knowledge on the server, or 'default' for the "
        f"server's default graph.  [default: {KNOWLEDGE_GRAPH}]",
    )(function)


def timeout_option(function):
    """Declare --timeout the same way for every command that can wait on something slow."""
    from nephrokb.endpoint import DEFAULT_TIMEOUT

    return click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="Give up, exit 2, after waiting this long for the server (or a local query).",
    )(function)


def format_option(choices, help_text: str = "Output format."):
    """Declare --format/-f the same way for every command, defaulting to text."""
    return click.option(
        "--format",
        "-f",
        "format_name",
        default="text",
        show_default=True,
        type=click.Choice(sorted(choices)),
        help=help_text,
    )


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
