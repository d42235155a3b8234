"""`nephrokb release`: check, stamp and build a release of the checkout."""

from __future__ import annotations

import sys

import click

from nephrokb.cli.options import EXIT_FINDINGS, EXIT_UNUSABLE, reports_errors


@click.command()
@click.argument("version")
@click.option(
    "--since",
    metavar="REV",
    help="Write the changelog against this git revision instead of the newest tag vX.Y.Z.",
)
@click.option(
    "--date",
    "issued",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Release date, YYYY-MM-DD.  [default: today]",
)
@click.option(
    "--dry-run", is_flag=True, help="Show everything the release would do; write nothing."
)
@reports_errors
def release(version: str, since: str | None, issued, dry_run: bool) -> None:
    """Check, stamp and build a release of the checkout as VERSION, with its changelog.

    VERSION follows semantic versioning (MAJOR.MINOR.PATCH, such as 0.2.0).

    Refuses (exit 1) when the Turtle is not canonical or the knowledge does not conform.
    Stamps owl:versionInfo, owl:versionIRI and owl:priorVersion in ontology/nephrokb.ttl,
    writes the release node kb/release.ttl, builds dist/VERSION/ (the knowledge in Turtle,
    N-Triples and JSON-LD, the vocabulary, SSSOM, FHIR, the site, the w3id .htaccess, the
    KGCL and SSSOM deltas and SHA256SUMS) and prepends the changes since the last release
    tag vX.Y.Z (or --since REV) to CHANGELOG.md. It never tags or pushes: it prints the git
    commands that do.

    \b
    Example:
      nephrokb release 0.2.0 --dry-run
      nephrokb release 0.2.0
      nephrokb release 0.2.1 --since HEAD~3 --date 2026-12-24
    """
    from nephrokb.release.distribution import (
        parse_version,
        plan_release,
        release_blocker,
        write_release,
    )
    from nephrokb.resources import current_checkout

    parse_version(version)  # before the slower checks, so a typo is answered at once
    root = current_checkout()
    if root is None:
        click.echo("nephrokb: error: run nephrokb release inside a nephrokb checkout", err=True)
        sys.exit(EXIT_UNUSABLE)
    blocker = release_blocker(root)
    if blocker is not None:
        click.echo(f"nephrokb: release refused: {blocker}", err=True)
        sys.exit(EXIT_FINDINGS)
    plan = plan_release(root, version, since=since, issued=issued.date() if issued else None)
    compared = f"{plan.previous.name} ({plan.previous.commit[:12]})" if plan.previous else None
    click.echo(f"Release {plan.version} of {root}, issued {plan.issued}")
    click.echo(f"Compared with: {compared or 'nothing (first release)'}")
    for relative in plan.sources:
        click.echo(f"{'would write' if dry_run else 'wrote'} {relative}")
    for stamp in plan.stamps:
        click.echo(f"  {stamp}")
    size = sum(len(content) for content in plan.artefacts.values())
    click.echo(
        f"{'would write' if dry_run else 'wrote'} {plan.dist}/: "
        f"{len(plan.artefacts)} files, {size} bytes"
    )
    if dry_run:
        for relative, content in plan.artefacts.items():
            if not relative.startswith("site/"):
                click.echo(f"  {relative} ({len(content)} bytes)")
        pages = sum(1 for relative in plan.artefacts if relative.startswith("site/"))
        click.echo(f"  site/ ({pages} files)")
    else:
        write_release(plan)
    click.echo("")
    click.echo("CHANGELOG.md section:")
    click.echo(plan.changelog_section)
    click.echo("To tag and publish the release, run:")
    for command in plan.git_commands():
        click.echo(f"  {command}")
    if dry_run:
        click.echo("Dry run: nothing was written.")
