"""Read a procedure's literature layer: what published evidence, not the source text, says.

The literature layer holds contraindications, complications (with their rates), preparation,
precautions, aftercare, success rates and alternatives, each citing nkb:Evidence with
nkb:supportedBy. Lists are sorted by label; a complication's rates are those measured for
the procedure being read (nkb:measuredFor), so a rate from stented patients is not shown
under the nephrostomy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import Literal

from nephrokb.knowledge.labels import label_of, text_of
from nephrokb.namespaces import DCTERMS, FABIO, PRISM, VOCAB
from nephrokb.rdf.graph_index import uri

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

READING_EXTENTS = {
    VOCAB + "Abstract": "abstract",
    VOCAB + "FullText": "full text",
    VOCAB + "FullTextOpening": "opening of the full text",
}
KINDS = {VOCAB + "Absolute": "absolute", VOCAB + "Relative": "relative"}


@dataclass(frozen=True)
class Citation:
    """A published work cited as evidence, with its identifiers and what of it was read."""

    iri: str
    label: str
    title: str | None
    journal: str | None
    year: str | None
    doi: str | None
    pmid: str | None
    study_design: str | None
    part_read: str | None

    @property
    def url(self) -> str | None:
        """The DOI's resolver link, else the PubMed page, else None."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else None

    @property
    def identifiers(self) -> str:
        """The identifiers as people cite them: `doi:10.x/y; PMID 123`."""
        parts = [f"doi:{self.doi}" if self.doi else "", f"PMID {self.pmid}" if self.pmid else ""]
        return "; ".join(part for part in parts if part)


@dataclass(frozen=True)
class Rate:
    """How often an outcome occurred in one study (values as written in the knowledge base)."""

    iri: str
    label: str
    description: str | None
    value: str | None
    lower: str | None
    upper: str | None
    unit: str | None
    numerator: int | None
    denominator: int | None
    population: str | None
    time_frame: str | None
    evidence: tuple[Citation, ...]

    @property
    def figure(self) -> str:
        """The value or range with its unit: `6.3%`, `96-99%`, `85/93 = 91.3%`."""
        unit = self.unit or ""
        shown = f"{self.value}{unit}" if self.value is not None else ""
        if self.lower is not None:
            shown = f"{self.lower}-{self.upper}{unit}" if self.upper else f"≥ {self.lower}{unit}"
        if self.numerator is not None and self.denominator is not None:
            return f"{self.numerator}/{self.denominator} = {shown}"
        if self.denominator is not None:
            return f"{shown} of {self.denominator}"
        return shown


@dataclass(frozen=True)
class Finding:
    """One literature-layer node: a contraindication, complication, step of care or alternative."""

    iri: str
    label: str
    description: str | None
    kind: str | None  # "absolute" or "relative", contraindications only
    corrective_action: str | None
    frequency: str | None
    rates: tuple[Rate, ...]
    evidence: tuple[Citation, ...]
    contested_by: tuple[Citation, ...]


@dataclass(frozen=True)
class Literature:
    """What the literature layer says about one procedure."""

    contraindications: tuple[Finding, ...] = ()
    preparation: tuple[Finding, ...] = ()
    precautions: tuple[Finding, ...] = ()
    complications: tuple[Finding, ...] = ()
    aftercare: tuple[Finding, ...] = ()
    success_rates: tuple[Rate, ...] = ()
    alternatives: tuple[Finding, ...] = ()

    def __bool__(self) -> bool:
        return any(self.sections()) or bool(self.success_rates)

    def sections(self) -> tuple[tuple[Finding, ...], ...]:
        """The finding lists in reading order."""
        return (
            self.contraindications,
            self.preparation,
            self.precautions,
            self.complications,
            self.aftercare,
            self.alternatives,
        )

    def citations(self) -> tuple[Citation, ...]:
        """Every work cited, once, by label: the procedure's reference list."""
        cited: dict[str, Citation] = {}
        rates = [*self.success_rates]
        for findings in self.sections():
            for finding in findings:
                rates += finding.rates
                for citation in (*finding.evidence, *finding.contested_by):
                    cited[citation.iri] = citation
        for rate in rates:
            for citation in rate.evidence:
                cited[citation.iri] = citation
        return tuple(sorted(cited.values(), key=lambda c: (c.label.casefold(), c.iri)))


SECTION_TITLES = (
    ("contraindications", "Contraindications"),
    ("preparation", "Preparation"),
    ("precautions", "Precautions"),
    ("complications", "Complications"),
    ("aftercare", "Aftercare"),
    ("alternatives", "Alternatives"),
)
"""Field name and heading of each finding list, in the order outputs show them."""


def read_literature(graph: Graph, procedure: Node) -> Literature:
    """Read the literature layer attached to one procedure node."""

    def findings(predicate: str) -> tuple[Finding, ...]:
        nodes = graph.objects(procedure, uri(VOCAB + predicate))
        return sorted_findings(read_finding(graph, node, procedure) for node in set(nodes))

    alternatives = graph.subjects(uri(VOCAB + "alternativeTo"), procedure)
    return Literature(
        contraindications=findings("hasContraindication"),
        preparation=findings("hasPreparation"),
        precautions=findings("hasPrecaution"),
        complications=findings("hasComplication"),
        aftercare=findings("hasAftercare"),
        success_rates=rates_of(graph, procedure, procedure),
        alternatives=sorted_findings(
            read_finding(graph, node, procedure) for node in set(alternatives)
        ),
    )


def sorted_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Order findings by label, then IRI."""
    return tuple(sorted(findings, key=lambda f: (f.label.casefold(), f.iri)))


def read_finding(graph: Graph, node: Node, procedure: Node) -> Finding:
    """Read one literature-layer node, with its rates measured for `procedure`."""
    kind = graph.value(node, uri(VOCAB + "contraindicationKind"))
    return Finding(
        iri=str(node),
        label=label_of(graph, node),
        description=text_of(graph, node, DCTERMS + "description"),
        kind=KINDS.get(str(kind)) if kind is not None else None,
        corrective_action=text_of(graph, node, VOCAB + "correctiveAction"),
        frequency=text_of(graph, node, VOCAB + "frequency"),
        rates=rates_of(graph, node, procedure),
        evidence=citations(graph, graph.objects(node, uri(VOCAB + "supportedBy"))),
        contested_by=citations(graph, graph.objects(node, uri(VOCAB + "contestedBy"))),
    )


def rates_of(graph: Graph, node: Node, procedure: Node) -> tuple[Rate, ...]:
    """The rates of `node` measured for `procedure` (or for no named procedure), by label."""
    measured_for = uri(VOCAB + "measuredFor")
    rates = [
        read_rate(graph, rate)
        for rate in set(graph.objects(node, uri(VOCAB + "hasRate")))
        if procedure in set(graph.objects(rate, measured_for))
        or graph.value(rate, measured_for) is None
    ]
    return tuple(sorted(rates, key=lambda rate: (rate.label.casefold(), rate.iri)))


def read_rate(graph: Graph, node: Node) -> Rate:
    """Read one nkb:Rate node."""
    return Rate(
        iri=str(node),
        label=label_of(graph, node),
        description=text_of(graph, node, DCTERMS + "description"),
        value=lexical(graph, node, "rateValue"),
        lower=lexical(graph, node, "lowerValue"),
        upper=lexical(graph, node, "upperValue"),
        unit=text_of(graph, node, VOCAB + "unit"),
        numerator=count(graph, node, "numerator"),
        denominator=count(graph, node, "denominator"),
        population=text_of(graph, node, VOCAB + "population"),
        time_frame=text_of(graph, node, VOCAB + "timeFrame"),
        evidence=citations(graph, graph.objects(node, uri(VOCAB + "supportedBy"))),
    )


def lexical(graph: Graph, node: Node, name: str) -> str | None:
    """Return the lexical form of the nkb:`name` literal on `node`, or None."""
    value = graph.value(node, uri(VOCAB + name))
    return str(value) if value is not None else None


def count(graph: Graph, node: Node, name: str) -> int | None:
    """Return the integer value of the nkb:`name` literal on `node`, or None."""
    value = graph.value(node, uri(VOCAB + name))
    if isinstance(value, Literal) and isinstance(value.toPython(), int):
        return value.toPython()
    return None


def citations(graph: Graph, nodes: Iterable[Node]) -> tuple[Citation, ...]:
    """Read the nkb:Evidence nodes, by label."""
    read = [read_citation(graph, node) for node in set(nodes)]
    return tuple(sorted(read, key=lambda c: (c.label.casefold(), c.iri)))


def read_citation(graph: Graph, node: Node) -> Citation:
    """Read one nkb:Evidence node."""
    part = graph.value(node, uri(VOCAB + "partRead"))
    year = graph.value(node, uri(FABIO + "hasPublicationYear"))
    return Citation(
        iri=str(node),
        label=label_of(graph, node),
        title=text_of(graph, node, DCTERMS + "title"),
        journal=text_of(graph, node, PRISM + "publicationName"),
        year=str(year) if year is not None else None,
        doi=text_of(graph, node, PRISM + "doi"),
        pmid=text_of(graph, node, FABIO + "hasPubMedId"),
        study_design=text_of(graph, node, VOCAB + "studyDesign"),
        part_read=READING_EXTENTS.get(str(part)) if part is not None else None,
    )


def sentence(text: str) -> str:
    """End `text` with one full stop unless it already ends with a stop, ? or !."""
    return text if text.endswith((".", "?", "!")) else text + "."
