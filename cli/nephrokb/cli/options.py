"""Options and error handling shared by every nephrokb command."""

from __future__ import annotations

import contextlib
import functools
import sys

import click

from nephrokb.cli.streams import die_of_closed_pipe, settle
from nephrokb.errors import NephroKBError, OutputError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNUSABLE = 2
STANDARD_OUTPUT = "-"


def data_option(function):
    """Declare --data the same way for every command that reads knowledge."""
    return click.option(
        "--data",
        "data",
        multiple=True,
        type=click.Path(),  # so that shells complete file and folder names
        metavar="PATH",
        help="Turtle file (or procedure file in YAML) or folder to read instead of the bundled "
        "knowledge base (repeatable).",
    )(function)


def shapes_options(function):
    """Declare --shapes and --only-shapes the same way for every command that validates."""
    function = click.option(
        "--only-shapes",
        "only_shapes",
        multiple=True,
        metavar="PATH",
        help="Turtle shape file or folder to use instead of the bundled shapes (repeatable).",
    )(function)
    return click.option(
        "--shapes",
        "shapes",
        multiple=True,
        metavar="PATH",
        help="Turtle shape file or folder to use with the bundled shapes, e.g. a local "
        "profile (repeatable).",
    )(function)


def engine_option(function):
    """Declare --engine the same way for every command that validates."""
    from nephrokb.validation.engine import ENGINES  # here, so that `nephrokb --help` skips it

    return click.option(
        "--engine",
        type=choice(ENGINES),
        default=ENGINES[0],
        show_default=True,
        help="fast: native evaluation where it provably equals the SHACL spec, pyshacl for "
        "the rest; pyshacl: every shape by pyshacl, to cross-check.",
    )(function)


def graph_option(function):
    """Declare --graph the same way for every command that talks to a server."""
    from nephrokb.namespaces import KNOWLEDGE_GRAPH

    return click.option(
        "--graph",
        metavar="IRI",
        help="Named graph that holds the knowledge on the server, or 'default' for the "
        f"server's default graph.  [default: {KNOWLEDGE_GRAPH}]",
    )(function)


def timeout_option(function):
    """Declare --timeout the same way for every command that can wait on something slow."""
    from nephrokb.query.endpoint import DEFAULT_TIMEOUT

    return click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="Give up, exit 2, after waiting this long for the server (or a local query).",
    )(function)


class InvalidChoice(click.UsageError):
    """A value outside a choice: one line that already says what to type instead."""


class OneLineChoice(click.Choice):
    """A choice whose refusal is one line naming the option, the value and every choice."""

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            choices = ", ".join(str(choice) for choice in self.choices)
            raise InvalidChoice(
                f"invalid {parameter_name(param)} '{value}'; choose from: {choices}"
            ) from None


def parameter_name(param: click.Parameter | None) -> str:
    """Name a parameter as the user typed it: its long option, or its argument's metavar."""
    if isinstance(param, click.Option):
        return next((opt for opt in param.opts if opt.startswith("--")), param.opts[0])
    return param.human_readable_name if param is not None else "value"


def choice(values) -> OneLineChoice:
    """The type of every option or argument that takes one of a fixed set of values."""
    return OneLineChoice(list(values))


def result_options(
    formats,
    format_help: str = "Output format.",
    *,
    default: str | None = "text",
    required: bool = False,
):
    """Declare -f/--format and -o/--output, together, for every command that writes a report
    or results: a command with formats always has an output (sqlite-utils' output_options)."""
    format_option = click.option(
        "--format",
        "-f",
        "format_name",
        default=default,
        required=required,
        show_default=default is not None,
        type=choice(sorted(formats)),
        help=format_help,
    )
    output_option = click.option(
        "--output",
        "-o",
        default=STANDARD_OUTPUT,
        show_default=True,
        metavar="FILE",
        help="Write to FILE instead of standard output. A regular file is replaced atomically "
        "(through a symlink, its target); a device, FIFO or /dev/fd/N is written in place.",
    )
    return lambda function: format_option(output_option(function))


def write_result(output: str, content: str | bytes) -> None:
    """Write a command's result to standard output (`-`) or to the output named `output`.

    Text is written as UTF-8 whatever the locale, so the file and standard output get the
    same bytes.
    """
    if isinstance(content, str):
        content = content.encode("utf-8")
    if output == STANDARD_OUTPUT:
        click.echo(content, nl=False)
    else:
        from nephrokb.output import write_output

        write_output(output, content)


def reports_errors(function):
    """Turn a NephroKBError into one line on stderr and exit code 2."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except NephroKBError as error:
            sys.exit(report_error(error))

    return wrapper


def report_error(error: NephroKBError) -> int:
    """Say what went wrong in one line on stderr and return exit code 2.

    Standard output is flushed first, so lines already printed are not lost (or dropped,
    if it cannot be written). When standard output's reader has gone (`| head`), the process
    ends as Unix tools do: killed by SIGPIPE (the shell sees status 141), with no message.
    """
    settle(sys.stdout)
    if isinstance(error, OutputError) and error.closed_standard_output:
        die_of_closed_pipe()
        return EXIT_UNUSABLE
    with contextlib.suppress(OSError, OutputError):  # stderr may be unwritable too
        click.echo(f"nephrokb: error: {error}", err=True)
    settle(sys.stderr)
    return EXIT_UNUSABLE
