"""The nephrokb command line: a Click group whose commands load only when they run.

Only this package imports Click. Each command module parses options, calls the library,
prints, and picks the exit code; heavy libraries are imported inside the commands.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import sys

import click

from nephrokb import __version__
from nephrokb.cli.options import EXIT_OK, EXIT_UNUSABLE, InvalidChoice, report_error
from nephrokb.cli.streams import guarded_streams
from nephrokb.errors import NephroKBError

# Command name -> ("module:function", one-line help). The help is repeated here so that
# `nephrokb --help` lists the commands without importing them (tests keep both in step).
# Adding a command is one entry here plus its module.
COMMANDS: dict[str, tuple[str, str]] = {
    "diff": ("nephrokb.cli.diff:diff", "Show what changed in the knowledge, not in the text."),
    "export": ("nephrokb.cli.export:export", "Write the knowledge in another format."),
    "fmt": (
        "nephrokb.cli.fmt:fmt",
        "Rewrite Turtle files in the canonical, deterministic serialization.",
    ),
    "import": (
        "nephrokb.cli.import_:import_",
        "Compile procedure files (YAML) into canonical Turtle in kb/.",
    ),
    "lookup": (
        "nephrokb.cli.lookup:lookup",
        "Show which local concepts map to a terminology code, and how.",
    ),
    "new": (
        "nephrokb.cli.new:new",
        "Start a procedure file, or add a step, indication or benefit to one.",
    ),
    "publish": (
        "nephrokb.cli.publish:publish",
        "Validate the knowledge and replace its graph on a SPARQL server.",
    ),
    "query": ("nephrokb.cli.query:query", "Run a read-only SPARQL query on the knowledge."),
    "release": (
        "nephrokb.cli.release:release",
        "Check, stamp and build a release of the checkout as VERSION, with its changelog.",
    ),
    "serve": (
        "nephrokb.cli.serve:serve",
        "Serve the knowledge as a local read-only SPARQL endpoint until Ctrl-C.",
    ),
    "show": ("nephrokb.cli.show:show", "Show one procedure as a numbered checklist."),
    "site": (
        "nephrokb.cli.site:site",
        "Build a static HTML site: open DIR/index.html in any browser, or publish DIR.",
    ),
    "stats": (
        "nephrokb.cli.stats:stats",
        "Count triples, nodes per class, steps, mappings and each procedure's literature.",
    ),
    "validate": ("nephrokb.cli.validate:validate", "Check knowledge against the SHACL shapes."),
}


# A command that loaded a large graph leaves millions of objects; the collection Python runs
# as it exits would visit them all (2 s after a diff of two 2,000-procedure knowledge bases)
# to free memory the process gives back anyway. Frozen objects are left out of it.
atexit.register(gc.freeze)


class NephroKBGroup(click.Group):
    """Loads commands lazily and reports usage errors in one line, like every other error."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module_name, function_name = COMMANDS[name][0].split(":")
        return getattr(importlib.import_module(module_name), function_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their registered help, without importing any of them."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in sorted(COMMANDS)])

    def main(self, args=None, prog_name=None, **extra):
        """Run with stdout and stderr guarded, so a write error on them is one line, exit 2.

        Run as the program (arguments from the command line), the process ends with the
        command, so Python's cyclic garbage collector stays off: its passes would only visit,
        again and again, the millions of graph objects a command loads, and find no cycles
        worth freeing. Callers that pass the arguments (tests, other programs) keep it.
        """
        extra.pop("standalone_mode", None)
        if args is None:
            gc.disable()
        with guarded_streams():
            try:
                code = self.run(args, prog_name, extra)
                sys.stdout.flush()
                sys.stderr.flush()
            except NephroKBError as error:
                code = report_error(error)
        sys.exit(code)

    def run(self, args, prog_name, extra) -> int:
        """Run the command line and return its exit code; usage errors become one line."""
        try:
            outcome = super().main(args, prog_name, standalone_mode=False, **extra)
        except SystemExit as exiting:
            if exiting.code is None:
                return EXIT_OK
            return exiting.code if isinstance(exiting.code, int) else EXIT_UNUSABLE
        except click.UsageError as error:
            helps = error.ctx is not None and not isinstance(error, InvalidChoice)
            hint = f" (see '{error.ctx.command_path} --help')" if helps else ""
            click.echo(f"nephrokb: error: {error.format_message()}{hint}", err=True)
            return EXIT_UNUSABLE
        except click.ClickException as error:
            click.echo(f"nephrokb: error: {error.format_message()}", err=True)
            return EXIT_UNUSABLE
        except click.Abort:
            click.echo("nephrokb: aborted", err=True)
            return EXIT_UNUSABLE
        return outcome if isinstance(outcome, int) else EXIT_OK


@click.group(
    name="nephrokb",
    cls=NephroKBGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="nephrokb")
def main() -> None:
    """Validate, query and export the nephrokb knowledge base.

    Commands with --data read the bundled knowledge base (the checkout's, inside a
    checkout) unless given --data; diff and fmt read the files, folders or git revisions
    they are given. Exit codes: 0 success, 1 findings, 2 the job could not be done.

    \b
    Example:
      nephrokb validate
    """
    import logging  # here: `nephrokb --help` never runs this callback, so skips the import

    # rdflib logs ill-typed literals with a traceback; nephrokb reports input problems itself.
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    # What the library logs (a stale temporary file removed, say) is one line on this run's
    # stderr; the handler is replaced on each run, since tests swap sys.stderr between runs.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("nephrokb: %(message)s"))
    log = logging.getLogger("nephrokb")
    log.handlers = [handler]
    log.propagate = False
