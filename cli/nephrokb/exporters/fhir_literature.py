"""The literature of the FHIR export: Citation resources and the artifacts that cite them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nephrokb import __version__
from nephrokb.exporters.fhir_coding import FHIR_BASE, code_of, fhir_id, our_coding

if TYPE_CHECKING:
    from nephrokb.knowledge.literature import Citation, Finding, Literature, Rate


def cites(citation: Citation) -> dict[str, Any]:
    """Return the relatedArtifact citing one work of the procedure's literature layer."""
    return {"type": "citation", "display": citation.label, "resource": citation_url(citation)}


def citation_url(citation: Citation) -> str:
    """Return the canonical URL of a work's Citation resource."""
    return f"{FHIR_BASE}/Citation/{fhir_id(code_of(citation.iri))}"


def literature_artifacts(literature: Literature) -> list[dict[str, Any]]:
    """Return the `justification` artifacts of a procedure's contraindications and complications.

    One per finding (or rate) and work it cites, the work's Citation as `resource`, as the
    CPG IG's examples justify a plan with relatedArtifact: label `contraindication` or
    `complication`, classifier = the finding in our CodeSystem, display = what the
    literature says (a rate with its figure and population).
    """
    artifacts = []
    for label, findings in (
        ("contraindication", literature.contraindications),
        ("complication", literature.complications),
    ):
        for finding in findings:
            classifier = [{"coding": [our_coding(finding.iri, finding.label)]}]
            said = [(finding_text(label, finding), finding.evidence)]
            said += [(rate_text(finding, rate), rate.evidence) for rate in finding.rates]
            for display, evidence in said:
                artifacts += [
                    {
                        "type": "justification",
                        "label": label,
                        "classifier": classifier,
                        "display": display,
                        "resource": citation_url(citation),
                    }
                    for citation in evidence
                ]
    return artifacts


def finding_text(label: str, finding: Finding) -> str:
    """Say a contraindication or complication in one line: kind, name, what to correct."""
    kind = f"{finding.kind} {label}" if finding.kind else label
    text = f"{kind.capitalize()}: {finding.label}"
    if finding.frequency:
        text += f" ({finding.frequency})"
    if finding.corrective_action:
        text += f". Correct first: {finding.corrective_action}"
    return text


def rate_text(finding: Finding, rate: Rate) -> str:
    """Say one rate of a complication: its label, counts, population and caveat."""
    text = f"Complication: {finding.label}. {rate.label}"
    if rate.numerator is not None and rate.denominator is not None:
        text += f" ({rate.numerator} of {rate.denominator})"
    elif rate.denominator is not None:
        text += f" (of {rate.denominator})"
    if rate.population:
        text += f"; population: {rate.population}"
    return f"{text}. {rate.description}" if rate.description else text


def citation_resource(citation: Citation) -> dict[str, Any]:
    """Return the Citation (R5) of one nkb:Evidence: identifiers, title, journal, year."""
    slug = fhir_id(code_of(citation.iri))
    identifiers = [
        {"system": system, "value": value}
        for system, value in (
            ("https://doi.org", citation.doi),
            ("https://pubmed.ncbi.nlm.nih.gov", citation.pmid),
        )
        if value
    ]
    artifact: dict[str, Any] = {"identifier": identifiers} if identifiers else {}
    if citation.title:
        artifact["title"] = [{"text": citation.title}]
    form: dict[str, Any] = {}
    if citation.journal:
        form["publishedIn"] = {"title": citation.journal}
    if citation.year:
        form["articleDate"] = citation.year
    if form:
        artifact["publicationForm"] = [form]
    if citation.url:
        artifact["webLocation"] = [{"url": citation.url}]
    if citation.part_read:
        artifact["note"] = [{"text": f"Curated for nephrokb from its {citation.part_read}."}]
    return {
        "resourceType": "Citation",
        "id": slug,
        "url": citation_url(citation),
        "version": __version__,
        "title": citation.label,
        "status": "active",
        "citedArtifact": artifact,
    }
