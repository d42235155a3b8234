"""`nephrokb export`: write the knowledge in an RDF, tabular, document or diagram format."""

from __future__ import annotations

import sys

import click

from nephrokb.cli.options import (
    EXIT_FINDINGS,
    EXIT_OK,
    choice,
    data_option,
    reports_errors,
    result_options,
    write_result,
)
from nephrokb.cli.progress import progress, quiet_option
from nephrokb.exporters import EXPORTERS, INCLUDABLE
from nephrokb.exporters.fhir_package import PACKAGE_NAME, PACKAGE_VARIABLE, PACKAGE_VERSION


@click.command()
@result_options(EXPORTERS, default=None, required=True)
@click.option(
    "--include",
    multiple=True,
    type=choice(INCLUDABLE),
    help="Also export this bundled folder (repeatable).",
)
@click.option(
    "--check",
    is_flag=True,
    help="With --format fhir: check the export as a FHIR validator would (cardinalities, "
    "required bindings, FHIRPath invariants); failures and skipped rules on stderr, exit 1 "
    "on a failure.",
)
@click.option(
    "--fhir-package",
    envvar=PACKAGE_VARIABLE,
    metavar="DIR",
    help=f"The unpacked {PACKAGE_NAME} {PACKAGE_VERSION} package --check reads (npm pack "
    f"{PACKAGE_NAME}@{PACKAGE_VERSION}); never downloaded.  [env: {PACKAGE_VARIABLE}]",
)
@data_option
@quiet_option
@reports_errors
def export(
    format_name: str,
    output: str,
    include: tuple[str, ...],
    check: bool,
    fhir_package: str | None,
    data: tuple[str, ...],
    quiet: bool,
) -> None:
    """Write the knowledge in another format.

    RDF formats (turtle, nt, nq, trig, jsonld, xml) are lossless: parsing the
    export gives back the same graph. nq and trig put every triple in the
    named graph <https://w3id.org/nephrokb/id/>. jsonld embeds nephrokb's
    @context, so keys are short (label, hasStep, stepNumber).

    csv has one row per step; its depends_on column lists step numbers
    ("3; 4"), or "<procedure label> step N" for a step of another procedure.
    markdown is a checklist document with source lines as footnotes; dot and
    mermaid draw each procedure's step flow, conditional steps dashed.

    \b
    Example:
      nephrokb export --format turtle
      nephrokb export --format jsonld --include ontology --output nephrokb.jsonld
      nephrokb export --format markdown --data kb/ --output procedures.md
    """
    from nephrokb.exporters import export_knowledge

    if not check:
        with progress(f"Exporting {format_name}", quiet=quiet):
            content = export_knowledge(format_name, list(data), include)
        write_result(output, content)
        return
    if format_name != "fhir":
        raise click.UsageError("--check checks the FHIR export only: use it with --format fhir")
    if not fhir_package:
        raise click.UsageError(
            f"--check needs the {PACKAGE_NAME} {PACKAGE_VERSION} package: unpack it (npm pack "
            f"{PACKAGE_NAME}@{PACKAGE_VERSION}) and name its folder with --fhir-package or "
            f"{PACKAGE_VARIABLE}"
        )
    from nephrokb.exporters.fhir_conformance import check_knowledge

    content, result = check_knowledge(list(data), include, fhir_package)
    write_result(output, content)
    for line in [*result.failures, *result.skipped]:
        click.echo(str(line), err=True)
    click.echo(
        f"FHIR check: {len(result.failures)} failure(s), {len(result.skipped)} rule(s) skipped",
        err=True,
    )
    sys.exit(EXIT_FINDINGS if result.failures else EXIT_OK)
