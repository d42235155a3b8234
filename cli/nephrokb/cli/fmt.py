"""`nephrokb fmt`: rewrite Turtle files in the canonical serialization."""

from __future__ import annotations

import sys

import click

from nephrokb.cli.options import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, reports_errors


@click.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...", type=click.Path())
@click.option("--check", is_flag=True, help="Only list files that would change; exit 1 if any.")
@click.option(
    "--drop-comments",
    is_flag=True,
    help="Drop the comments that precede no subject instead of refusing the file.",
)
@reports_errors
def fmt(paths: tuple[str, ...], check: bool, drop_comments: bool) -> None:
    """Rewrite Turtle files in the canonical, deterministic serialization.

    PATH is a Turtle file or folder (default: the kb/, ontology/ and shapes/ folders
    of the checkout holding the current directory, else of the current directory). A
    file is written only if its re-parsed canonical form is isomorphic to the original,
    and atomically (through a symlink, its target). A file saved by someone else after
    fmt read it is left alone, with an error (exit 2). The leading comment block of a
    file is kept, and a comment above a subject's statement stays above that subject;
    a file with other comments (inside a statement, after code on a line, at the end)
    is refused, listing them (exit 2), unless --drop-comments.

    \b
    Example:
      nephrokb fmt
      nephrokb fmt --check
      nephrokb fmt kb/percutaneous-nephrostomy.ttl
      nephrokb fmt --drop-comments extra.ttl
    """
    from nephrokb.editing.fmt import default_paths, format_files

    results = format_files(list(paths) or default_paths(), check=check, drop_comments=drop_comments)
    changed = [result.path for result in results if result.changed and not result.error]
    for path in changed:
        click.echo(f"{'would reformat' if check else 'reformatted'} {path}")
    refused = [result.error for result in results if result.error]
    for error in refused:
        click.echo(f"nephrokb: error: {error}", err=True)
    if refused:
        sys.exit(EXIT_UNUSABLE)
    if check and changed:
        click.echo(
            f"{len(changed)} of {len(results)} files not canonical; fix with: nephrokb fmt "
            + " ".join(str(p) for p in changed),
            err=True,
        )
        sys.exit(EXIT_FINDINGS)
    click.echo(
        f"{len(results) - len(changed) if check else len(results)} files canonical.", err=True
    )
    sys.exit(EXIT_OK)
