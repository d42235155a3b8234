"""`nephrokb diff`: what changed in the knowledge between two versions."""

from __future__ import annotations

import sys

import click

from nephrokb.changes.formats import DIFF_FORMATS
from nephrokb.cli.options import (
    EXIT_FINDINGS,
    EXIT_OK,
    reports_errors,
    result_options,
    write_result,
)
from nephrokb.cli.progress import progress, quiet_option


@click.command()
@click.argument("inputs", nargs=-1, metavar="OLD NEW | --git REV1 [REV2]", type=click.Path())
@click.option(
    "--git",
    "use_git",
    is_flag=True,
    help="Compare the kb/ folder of the current git repository at REV1 with REV2 "
    "(default: the working tree).",
)
@result_options(
    DIFF_FORMATS, "How to write the changes: for people, a pull-request comment, or programs."
)
@quiet_option
@reports_errors
def diff(
    inputs: tuple[str, ...], use_git: bool, format_name: str, output: str, quiet: bool
) -> None:
    """Show what changed in the knowledge, not in the text.

    OLD and NEW are Turtle files or folders. Reports procedures, steps, dependencies,
    step conditions, indications, benefits, conditions and mappings added, removed,
    renumbered, moved, reworded or changed; layout and blank-node names are ignored.
    Exits 0 when nothing changed, 1 when something did, 2 when an input cannot be read.
    --format kgcl writes KGCL commands, --format sssom the mappings added and removed as
    SSSOM/TSV (docs/releases.md).

    \b
    Example:
      nephrokb diff old-kb/ kb/
      nephrokb diff --git HEAD~1
      nephrokb diff --git v1.0 v1.1 --format json
      nephrokb diff --git origin/main --format markdown --output knowledge-changes.md
      nephrokb diff --git v0.2.0 v0.3.0 --format kgcl -o changes.kgcl
    """
    from nephrokb.changes.compare import diff_paths, diff_revisions

    if use_git:
        if not 1 <= len(inputs) <= 2:
            raise click.UsageError("--git takes one or two revisions: REV1 [REV2]")
        with progress("Comparing revisions", quiet=quiet):
            changes = diff_revisions(*inputs)
    else:
        if len(inputs) != 2:
            raise click.UsageError("name two files or folders, OLD and NEW (or use --git REV1)")
        with progress("Comparing", quiet=quiet):
            changes = diff_paths([inputs[0]], [inputs[1]])
    write_result(output, DIFF_FORMATS[format_name](changes))
    sys.exit(EXIT_FINDINGS if changes.changes else EXIT_OK)
