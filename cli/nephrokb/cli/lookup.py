"""`nephrokb lookup`: which local concepts map to a terminology code, and how."""

from __future__ import annotations

import sys

import click

from nephrokb.cli.options import (
    EXIT_FINDINGS,
    EXIT_OK,
    data_option,
    reports_errors,
    result_options,
    write_result,
)
from nephrokb.knowledge.lookup import LOOKUP_FORMATS


@click.command()
@click.argument("code")
@result_options(
    LOOKUP_FORMATS, "Output format; json has the structure documented in nephrokb.knowledge.lookup."
)
@data_option
@reports_errors
def lookup(code: str, format_name: str, output: str, data: tuple[str, ...]) -> None:
    """Show which local concepts map to a terminology code, and how.

    CODE is a CURIE (SCTID:313270001, ICD10PCS:0T9330Z, icd10cm:N13.9: the
    prefix in any case), an IRI (http://snomed.info/id/313270001), a FHIR
    system|code pair (http://snomed.info/sct|313270001), a code without
    prefix (N139, 0T9330Z, 313270001) or a SNOMED CT expression
    ('313270001 |Percutaneous nephrostomy (procedure)|'; the term is not
    checked). Each local concept is shown with the SKOS predicate, its label,
    the justification, confidence and evidence of the mapping. An ICD code
    also gets its official title and release year from the code set a pinned
    package ships, and an ICD-10-CM code with codes under it (ICD10CM:N13)
    lists the concepts mapped to those narrower codes. Exits 0 when a concept
    maps to CODE or under it, 1 when none does, 2 for an unknown prefix or a
    malformed code.

    \b
    Example:
      nephrokb lookup SCTID:313270001
      nephrokb lookup N139 --format json
      nephrokb lookup ICD10CM:N13
      nephrokb lookup 'http://snomed.info/sct|20018005' --data kb/
    """
    from nephrokb.knowledge.lookup import lookup_code
    from nephrokb.rdf.loading import load

    result = lookup_code(load(data), code)
    write_result(output, LOOKUP_FORMATS[format_name](result))
    sys.exit(EXIT_OK if result.found else EXIT_FINDINGS)
