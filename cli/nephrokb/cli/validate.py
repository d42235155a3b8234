"""`nephrokb validate`: check knowledge against the SHACL shapes."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from nephrokb.cli.options import (
    EXIT_FINDINGS,
    EXIT_OK,
    data_option,
    engine_option,
    reports_errors,
    result_options,
    shapes_options,
    write_result,
)
from nephrokb.cli.progress import progress, quiet_option
from nephrokb.reports import REPORT_FORMATS


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@data_option
@shapes_options
@result_options(
    REPORT_FORMATS,
    "How to write the report: for people, programs, SHACL tools, CI or code scanning.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (exit 1) on warnings and info too, not only on violations.",
)
@click.option(
    "--changed-since",
    metavar="REV",
    help="Validate only the nodes a change since this git revision could affect.",
)
@click.option(
    "--fix",
    is_flag=True,
    help="First apply the fixes that are certain (stray or doubled whitespace, doubled full "
    "stops, a missing @en, step numbers 1..n in order) to the files, printing each on stderr.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="With --fix: print the fixes as a unified diff instead of writing them.",
)
@engine_option
@quiet_option
@reports_errors
def validate(
    files: tuple[str, ...],
    data: tuple[str, ...],
    shapes: tuple[str, ...],
    only_shapes: tuple[str, ...],
    format_name: str,
    output: str,
    strict: bool,
    changed_since: str | None,
    fix: bool,
    dry_run: bool,
    engine: str,
    quiet: bool,
) -> None:
    """Check knowledge against the SHACL shapes.

    Each result names the file and line where its node is described. Exits 0 when the
    knowledge conforms, 1 when there are violations (with --strict, any result),
    2 when the input cannot be read. With --changed-since, only the nodes the change
    since REV could affect are validated, with the results a full validation gives them;
    the files are parsed once into a cache ($NEPHROKB_CACHE_DIR, by default
    ~/.cache/nephrokb; set it empty to turn the cache off), so later runs read only
    what changed.

    With --fix, the fixes that are certain are applied first, to the procedure files named,
    else to the --data files, else to the checkout's kb/ (only files that parse; each change
    is printed on stderr as FILE:LINE: fixed: ...), and the fixed knowledge is validated;
    with --dry-run too, they are printed as a diff and nothing is written.

    FILES are procedure files (YAML) to check with the knowledge (--data, else kb/) as it
    will be once they are imported: each takes the place of the kb/ Turtle file it imports
    to, and every result points at the line of the file where the value was typed.

    --shapes adds your own SHACL shapes (Turtle files or folders, e.g. a hospital's
    local profile) to the bundled ones; --only-shapes uses yours instead. Any SHACL Core
    or SHACL-SPARQL shape works: the default engine evaluates natively what it provably
    evaluates as the SHACL spec says and hands every other shape to pyshacl;
    --engine pyshacl hands it every shape, to cross-check. A shapes file that cannot be
    parsed is reported at its file and line (exit 2).

    \b
    Example:
      nephrokb validate
      nephrokb validate --data kb/ --data my-procedure.ttl
      nephrokb validate --format sarif --output nephrokb.sarif
      nephrokb validate --format github --strict
      nephrokb validate --data kb/ --changed-since origin/main
      nephrokb validate nephrostomy-tube-exchange.yaml
      nephrokb validate --fix --dry-run
      nephrokb validate --shapes local-profile.ttl
      nephrokb validate --data my-kb/ --only-shapes my-shapes/
      nephrokb validate --engine pyshacl
    """
    from nephrokb.reports import render_report
    from nephrokb.validation.engine import validate as run_validation
    from nephrokb.validation.engine import validate_changed_since

    if dry_run and not fix:
        raise click.UsageError("--dry-run goes with --fix")
    if fix:
        apply_fixes([Path(f) for f in files], list(data), dry_run=dry_run)
    if files:
        from nephrokb.editing.importing import knowledge_with

        data = tuple(str(path) for path in knowledge_with([Path(f) for f in files], data))
    options = {"shapes": shapes, "only_shapes": only_shapes or None, "engine": engine}
    with progress("Validating", quiet=quiet):
        report = (
            run_validation(list(data), **options)
            if changed_since is None
            else validate_changed_since(changed_since, list(data), **options)
        )
    if format_name in FORMATS_WITH_FIXES and report.results and not (fix and not dry_run):
        report = replace(report, results=suggested_fixes(report.results, files, data))
    write_result(output, render_report(report, format_name, strict=strict))
    sys.exit(EXIT_FINDINGS if report.failed(strict=strict) else EXIT_OK)


# Report formats that carry a certain fix with its result (SARIF `fixes`, a GitHub suggestion).
FORMATS_WITH_FIXES = ("sarif", "github")


def suggested_fixes(results, files: tuple[str, ...], data: tuple[str, ...]) -> tuple:
    """Attach to each result the certain fix of its triple (none when nothing can be fixed)."""
    from nephrokb.editing.fix import fix_targets, plan_fixes, with_fixes
    from nephrokb.errors import NephroKBError

    try:
        plans = [plan_fixes(path) for path in fix_targets([Path(f) for f in files], list(data))]
    except NephroKBError:  # the installed knowledge: nothing here is the user's to fix
        return results
    return with_fixes(results, plans)


def apply_fixes(files: list[Path], data: list[str], *, dry_run: bool) -> None:
    """Fix the files (or show the diff), printing each change on stderr."""
    from nephrokb.editing.fix import fix_targets, plan_fixes, write_fixes

    plans = [plan_fixes(path) for path in fix_targets(files, data)]
    for plan in plans:
        for change in plan.fixes:
            place = f"{plan.path}:{change.line}" if change.line else str(plan.path)
            click.echo(f"{place}: fixed: {change.change}", err=True)
    if dry_run:
        click.echo("".join(plan.diff() for plan in plans), nl=False)
    else:
        write_fixes(plans)
