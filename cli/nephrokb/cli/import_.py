"""`nephrokb import`: compile procedure files (YAML) into canonical Turtle in kb/."""

from __future__ import annotations

from pathlib import Path

import click

from nephrokb.cli.options import reports_errors
from nephrokb.cli.progress import progress, quiet_option


@click.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--into",
    "kb_folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the Turtle to.  [default: the checkout's kb/]",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite Turtle edited by hand even when some of its triples would be lost.",
)
@quiet_option
@reports_errors
def import_(files: tuple[Path, ...], kb_folder: Path | None, force: bool, quiet: bool) -> None:
    """Compile procedure files (YAML) into canonical Turtle in kb/.

    FILE.yaml becomes kb/FILE.ttl, with its provenance (dcterms:source,
    prov:wasDerivedFrom, step numbers) generated. Turtle written by an earlier
    import is replaced; Turtle edited by hand is replaced only when none of its
    triples would be lost, else the import stops and names the file (--force
    overwrites it). Nothing is written unless every file compiles. Check the
    files first with `nephrokb validate FILE.yaml`.

    \b
    Example:
      nephrokb import nephrostomy-tube-exchange.yaml
      nephrokb import procedures/*.yaml --into kb/
    """
    from nephrokb.editing.importing import import_files
    from nephrokb.resources import bundled_folder

    folder = kb_folder or bundled_folder("kb")
    with progress("Importing", quiet=quiet):
        imported = import_files(files, folder, force=force)
    for done in imported:
        state = "written" if done.changed else "unchanged"
        click.echo(f"{done.target}: {state} ({done.triples} triples from {done.source})")
