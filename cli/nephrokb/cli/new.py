"""`nephrokb new`: start a procedure file, or add a step, indication or benefit to one."""

from __future__ import annotations

from pathlib import Path

import click

from nephrokb.cli.options import choice, reports_errors

ENTRY_KINDS = ("step", "indication", "benefit")


@click.command()
@click.argument("kind", type=choice(["procedure", *ENTRY_KINDS]))
@click.argument("slug")
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Procedure file to write (procedure) or to add to (step, indication, benefit).  "
    "[default for a procedure: SLUG.yaml]",
)
@reports_errors
def new(kind: str, slug: str, file: Path | None) -> None:
    """Start a procedure file, or add a step, indication or benefit to one.

    `new procedure SLUG` writes SLUG.yaml: every required key, empty, with a
    comment saying what it means (optional keys are commented out). `new step`,
    `new indication` and `new benefit` append an empty entry to the file given
    with --file (a step at the end of its steps; an indication or benefit to
    its list, named in the procedure's own list too), leaving the rest of the
    file as it was. Fill in the values, then `nephrokb validate FILE`.

    \b
    Example:
      nephrokb new procedure nephrostomy-tube-exchange
      nephrokb new step nte-remove-old-tube --file nephrostomy-tube-exchange.yaml
      nephrokb new indication indication-blocked-tube --file nephrostomy-tube-exchange.yaml
    """
    from nephrokb.authoring.scaffold import append_entry, procedure_skeleton
    from nephrokb.errors import InputError
    from nephrokb.output import snapshot_file, write_output
    from nephrokb.rdf.sources import read_text

    if kind == "procedure":
        target = file or Path(f"{slug}.yaml")
        if target.exists():
            raise InputError("already exists; choose another --file", path=str(target))
        write_output(target, procedure_skeleton(slug).encode("utf-8"))
        click.echo(f"{target}: new procedure {slug}")
        return
    if file is None:
        raise click.UsageError(f"name the procedure file to add the {kind} to with --file")
    snapshot = snapshot_file(file) if file.exists() else None
    text = append_entry(read_text(file), str(file), kind, slug)
    write_output(file, text.encode("utf-8"), unchanged_since=snapshot)
    click.echo(f"{file}: new {kind} {slug}")
