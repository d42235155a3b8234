"""What an editor may write: each section of a procedure file, its keys and their predicates.

This registry is the one place the authoring format is defined: the YAML and workbook
readers, the compiler, the exporter, the JSON Schema and `nephrokb new` all read it. A new
kind of knowledge (say, contraindications) is one more Section here.
"""

from __future__ import annotations

from dataclasses import dataclass

from nephrokb.namespaces import (
    DCTERMS,
    FABIO,
    HAS_STEP,
    OWL,
    OWL_ANNOTATED_SOURCE,
    PREFIXES,
    PRISM,
    PROV,
    RDF_TYPE,
    RDFS,
    RDFS_LABEL,
    SKOS,
    SSSOM,
    VOCAB,
)

# How a value is written and what it becomes:
#   text    English text -> "..."@en        plain   text -> "..." (xsd:string)
#   slug    one slug -> kb:slug             slugs   a list of slugs
#   iri     one http(s) IRI                 code    a CURIE such as SCTID:14669001
#   codes   a list of CURIEs                year    a year -> xsd:gYear
#   integer, boolean, date, double          -> typed literals
#   number  a whole number -> xsd:integer, else xsd:decimal
#   lines   source line numbers (or excerpt slugs) -> prov:wasDerivedFrom those excerpts


@dataclass(frozen=True)
class Key:
    """One key of a section: its name, what it is written as, and the predicate it becomes."""

    name: str
    kind: str
    predicate: str | None
    meaning: str
    required: bool = False
    # True when the entity is the object: `procedures: [x]` on a complication stands for
    # kb:x nkb:hasComplication the complication (how a file of shared things links them).
    inverse: bool = False


@dataclass(frozen=True)
class Section:
    """A kind of entity: its top-level key, its class and its keys (slug first)."""

    name: str
    rdf_class: str
    keys: tuple[Key, ...]
    meaning: str

    def key(self, name: str) -> Key | None:
        """Return the key called `name`, if this section has one."""
        return next((key for key in self.keys if key.name == name), None)


SLUG = Key(
    "slug",
    "slug",
    None,
    "short lowercase name with hyphens; the node's IRI is kb:SLUG",
    required=True,
)
LABEL = Key("label", "text", RDFS_LABEL, "one English name", required=True)
SOURCE = Key(
    "source",
    "slug",
    DCTERMS + "source",
    "slug of the source document (default: the file's `source`, else source-text)",
)
LINES = Key(
    "lines",
    "lines",
    PROV + "wasDerivedFrom",
    "source line numbers this was encoded from (their text is in `excerpts`), or the slugs of"
    " excerpts not named SOURCE-line-NN",
)
DESCRIPTION = Key(
    "description", "text", DCTERMS + "description", "one or two English sentences", required=True
)
DEFINITION = Key("definition", "text", SKOS + "definition", "an English definition", required=True)
PROVENANCE = (SOURCE, LINES)

STEP = Section(
    "steps",
    VOCAB + "Step",
    (
        SLUG,
        LABEL,
        DESCRIPTION,
        Key(
            "depends-on",
            "slugs",
            VOCAB + "dependsOn",
            "slugs of earlier steps whose result this step needs",
        ),
        Key(
            "condition",
            "text",
            VOCAB + "condition",
            "when the step is done only if something holds, say when (English)",
        ),
        Key("devices", "slugs", VOCAB + "usesDevice", "slugs of devices used"),
        Key("substances", "slugs", VOCAB + "usesSubstance", "slugs of substances used"),
        Key("imaging", "slugs", VOCAB + "usesImaging", "slugs of imaging modalities used"),
        Key("sites", "slugs", VOCAB + "reachesSite", "slugs of anatomical sites reached"),
        Key("checks-for", "slugs", VOCAB + "checksFor", "slugs of conditions checked for"),
        Key("findings", "slugs", VOCAB + "hasExpectedFinding", "slugs of expected findings"),
        *PROVENANCE,
    ),
    "the ordered steps of the procedure: step numbers come from the order of the list",
)
PROCEDURE = Section(
    "procedures",
    VOCAB + "Procedure",
    (
        SLUG,
        LABEL,
        DEFINITION,
        Key(
            "relies-on",
            "slugs",
            VOCAB + "reliesOn",
            "slugs of procedures whose steps this one's steps may depend on",
        ),
        Key("indications", "slugs", VOCAB + "hasIndication", "slugs of its indications"),
        Key("benefits", "slugs", VOCAB + "hasBenefit", "slugs of its benefits"),
        Key("steps", "steps", HAS_STEP, "its steps, in order"),
        Key(
            "contraindications",
            "slugs",
            VOCAB + "hasContraindication",
            "slugs of its contraindications",
        ),
        Key("complications", "slugs", VOCAB + "hasComplication", "slugs of its complications"),
        Key("rates", "slugs", VOCAB + "hasRate", "slugs of its success rates"),
        Key("preparation", "slugs", VOCAB + "hasPreparation", "slugs of its preparation steps"),
        Key("precautions", "slugs", VOCAB + "hasPrecaution", "slugs of its precautions"),
        Key("aftercare", "slugs", VOCAB + "hasAftercare", "slugs of its aftercare steps"),
        SOURCE,
        Key(
            "lines",
            "lines",
            PROV + "wasDerivedFrom",
            "source lines, when the procedure is not derived from its whole source document",
        ),
    ),
    "a procedure: one per file (key `procedure`), or a list (key `procedures`)",
)
INDICATION = Section(
    "indications",
    VOCAB + "Indication",
    (
        SLUG,
        LABEL,
        DESCRIPTION,
        Key("conditions", "slugs", VOCAB + "refersToCondition", "slugs of the conditions meant"),
        *PROVENANCE,
    ),
    "why a procedure is done",
)
BENEFIT = Section(
    "benefits",
    VOCAB + "Benefit",
    (
        SLUG,
        LABEL,
        DESCRIPTION,
        Key("conditions", "slugs", VOCAB + "addressesCondition", "slugs of conditions addressed"),
        *PROVENANCE,
    ),
    "what a procedure achieves",
)
CONDITION = Section(
    "conditions",
    VOCAB + "Condition",
    (
        SLUG,
        LABEL,
        DEFINITION,
        Key(
            "citation",
            "plain",
            DCTERMS + "bibliographicCitation",
            "the reference a definition is taken from",
        ),
        Key("see-also", "iri", RDFS + "seeAlso", "a web page about it (https://...)"),
        *PROVENANCE,
    ),
    "clinical conditions, shared by every procedure",
)


def simple_section(name: str, rdf_class: str, meaning: str) -> Section:
    """A section of named things with only a label and provenance (devices, sites...)."""
    return Section(name, rdf_class, (SLUG, LABEL, *PROVENANCE), meaning)


FINDING = Section(
    "findings",
    VOCAB + "ExpectedFinding",
    (
        SLUG,
        LABEL,
        DESCRIPTION,
        Key("transient", "boolean", VOCAB + "isTransient", "true when it usually resolves"),
        *PROVENANCE,
    ),
    "findings expected after a step (normal, not complications)",
)
SOURCE_DOCUMENT = Section(
    "sources",
    VOCAB + "SourceDocument",
    (SLUG, LABEL, Key("identifier", "plain", DCTERMS + "identifier", "the document's file name")),
    "source documents",
)
EXCERPT = Section(
    "excerpts",
    VOCAB + "SourceExcerpt",
    (
        Key(
            "line",
            "integer",
            VOCAB + "lineNumber",
            "line number in the source document",
            required=True,
        ),
        Key("text", "plain", VOCAB + "verbatimText", "the line's text, verbatim", required=True),
        SOURCE,
        Key("slug", "slug", None, "only when not SOURCE-line-NN (source-text: source-line-NN)"),
    ),
    "source lines quoted verbatim; `lines` keys elsewhere refer to them by number",
)
AGENT = Section("agents", PROV + "Agent", (SLUG, LABEL), "people or groups who curate mappings")
MAPPING = Section(
    "mappings",
    VOCAB + "Mapping",
    (
        Key("concept", "slug", OWL_ANNOTATED_SOURCE, "slug of our concept", required=True),
        Key(
            "relation",
            "relation",
            OWL + "annotatedProperty",
            "exact, close, broad (the code is broader), narrow or related",
            required=True,
        ),
        Key(
            "code",
            "code",
            OWL + "annotatedTarget",
            "the terminology code as a CURIE, e.g. SCTID:14669001",
            required=True,
        ),
        Key(
            "justification",
            "code",
            SSSOM + "mapping_justification",
            "how it was made, e.g. semapv:ManualMappingCuration",
            required=True,
        ),
        Key(
            "author",
            "slug",
            SSSOM + "author_id",
            "slug of the curator (see `agents`)",
            required=True,
        ),
        Key(
            "date",
            "date",
            SSSOM + "mapping_date",
            "when it was curated (YYYY-MM-DD)",
            required=True,
        ),
        Key("confidence", "double", SSSOM + "confidence", "0 to 1", required=True),
        Key("see-also", "iri", SSSOM + "see_also", "evidence for the code (https://...)"),
        Key(
            "object-label",
            "plain",
            SSSOM + "object_label",
            "the code's official title (not for SNOMED CT or UMLS)",
        ),
        Key("comment", "plain", SSSOM + "comment", "a curation note"),
        Key("slug", "slug", None, "only when not mapping-CONCEPT-PREFIX-CODE"),
    ),
    "mappings to standard terminologies (SKOS triple plus SSSOM record)",
)

# The literature layer: knowledge curated from published evidence (kb/evidence.ttl), not
# from the source text, so these sections have `evidence` where others have `lines`.
EVIDENCE_KEY = Key(
    "evidence",
    "slugs",
    VOCAB + "supportedBy",
    "slugs of the published works (`evidence`) it is taken from",
)


def procedures_of(predicate: str, what: str) -> Key:
    """The inverse key naming the procedures that have this entity (see Key.inverse)."""
    return Key(
        "procedures",
        "slugs",
        VOCAB + predicate,
        f"slugs of the procedures {what}, when their files do not list it",
        inverse=True,
    )


CONTRAINDICATION = Section(
    "contraindications",
    VOCAB + "Contraindication",
    (
        SLUG,
        LABEL,
        DESCRIPTION,
        Key("kind", "code", VOCAB + "contraindicationKind", "nkb:Absolute or nkb:Relative"),
        Key(
            "corrective-action",
            "text",
            VOCAB + "correctiveAction",
            "what to do before the procedure (English)",
        ),
        EVIDENCE_KEY,
        procedures_of("hasContraindication", "it contraindicates"),
    ),
    "when a procedure should not be done, or not yet",
)
COMPLICATION = Section(
    "complications",
    VOCAB + "Complication",
    (
        SLUG,
        LABEL,
        DESCRIPTION,
        Key("frequency", "text", VOCAB + "frequency", "how often, in words (English)"),
        Key("rates", "slugs", VOCAB + "hasRate", "slugs of the rates measured for it"),
        EVIDENCE_KEY,
        procedures_of("hasComplication", "it complicates"),
    ),
    "what can go wrong",
)
RATE = Section(
    "rates",
    VOCAB + "Rate",
    (
        SLUG,
        LABEL,
        DESCRIPTION,
        Key("value", "number", VOCAB + "rateValue", "the rate (a number)"),
        Key("lower", "number", VOCAB + "lowerValue", "the lower end of a range"),
        Key("upper", "number", VOCAB + "upperValue", "the upper end of a range"),
        Key("numerator", "integer", VOCAB + "numerator", "how many had it"),
        Key("denominator", "integer", VOCAB + "denominator", "out of how many"),
        Key("unit", "plain", VOCAB + "unit", "the unit, such as %"),
        Key("population", "text", VOCAB + "population", "whom it was measured in (English)"),
        Key("time-frame", "text", VOCAB + "timeFrame", "over what time (English)"),
        Key("measured-for", "slug", VOCAB + "measuredFor", "slug of the procedure"),
        EVIDENCE_KEY,
        Key(
            "rate-of",
            "slugs",
            VOCAB + "hasRate",
            "slugs of the procedure or complication it is a rate of, when their entries do not "
            "list it",
            inverse=True,
        ),
    ),
    "measured rates of success or of complications",
)


def care_section(name: str, rdf_class: str, predicate: str, meaning: str) -> Section:
    """Preparation, precautions, aftercare: text with its evidence, linked from procedures."""
    return Section(
        name,
        VOCAB + rdf_class,
        (SLUG, LABEL, DESCRIPTION, EVIDENCE_KEY, procedures_of(predicate, "it is for")),
        meaning,
    )


ALTERNATIVE = Section(
    "alternatives",
    VOCAB + "Alternative",
    (
        SLUG,
        LABEL,
        DESCRIPTION,
        Key(
            "alternative-to",
            "slugs",
            VOCAB + "alternativeTo",
            "slugs of the procedures it replaces",
        ),
        EVIDENCE_KEY,
        Key(
            "contested-by",
            "slugs",
            VOCAB + "contestedBy",
            "slugs of the works that argue against it",
        ),
    ),
    "other ways to reach the same aim",
)
EVIDENCE = Section(
    "evidence",
    VOCAB + "Evidence",
    (
        SLUG,
        LABEL,
        Key(
            "types",
            "codes",
            RDF_TYPE,
            "what kind of work, e.g. fabio:JournalArticle, fabio:SystematicReview",
        ),
        Key("title", "plain", DCTERMS + "title", "the work's title"),
        Key("citation", "plain", DCTERMS + "bibliographicCitation", "the full reference"),
        Key("journal", "plain", PRISM + "publicationName", "where it was published"),
        Key("year", "year", FABIO + "hasPublicationYear", "the year it was published"),
        Key("doi", "plain", PRISM + "doi", "its DOI, as read on its page"),
        Key("pmid", "plain", FABIO + "hasPubMedId", "its PubMed id"),
        Key("pmcid", "plain", FABIO + "hasPubMedCentralId", "its PubMed Central id"),
        Key(
            "evidence-type",
            "code",
            VOCAB + "evidenceType",
            "an ECO evidence code, e.g. ECO:0007121",
        ),
        Key("study-design", "text", VOCAB + "studyDesign", "the kind of study (English)"),
        Key("part-read", "code", VOCAB + "partRead", "nkb:Abstract or nkb:FullTextOpening"),
        Key("read-on", "date", VOCAB + "readOn", "when it was read (YYYY-MM-DD)"),
        Key("see-also", "iri", RDFS + "seeAlso", "the page it was read on"),
    ),
    "published works cited as evidence",
)

# Section name -> Section, in the order an exported file lists them.
SECTIONS: dict[str, Section] = {
    section.name: section
    for section in (
        SOURCE_DOCUMENT,
        EXCERPT,
        PROCEDURE,
        INDICATION,
        BENEFIT,
        CONDITION,
        FINDING,
        simple_section("devices", VOCAB + "Device", "devices, shared by every procedure"),
        simple_section("substances", VOCAB + "Substance", "substances (drugs, contrast)"),
        simple_section("imaging", VOCAB + "ImagingModality", "imaging modalities"),
        simple_section("sites", VOCAB + "AnatomicalSite", "anatomical sites"),
        CONTRAINDICATION,
        COMPLICATION,
        RATE,
        care_section("preparation", "PreparationStep", "hasPreparation", "what to do before"),
        care_section("precautions", "Precaution", "hasPrecaution", "what to take care of"),
        care_section("aftercare", "AftercareStep", "hasAftercare", "what to do after"),
        ALTERNATIVE,
        EVIDENCE,
        AGENT,
        MAPPING,
    )
}
# Top-level keys that are not sections.
FILE_KEYS = {
    "procedure": "the procedure of this file (or `procedures`, a list)",
    "source": "slug of the source document everything here comes from (default source-text)",
}
DEFAULT_SOURCE = "source-text"
# The prefixes CURIEs may use (`code` values): nephrokb's, and those of the literature layer.
CURIE_PREFIXES = {
    **PREFIXES,
    "fabio": FABIO,
    "prism": PRISM,
    "ECO": "http://purl.obolibrary.org/obo/ECO_",
}
MAPPING_RELATIONS = {
    name: SKOS + f"{name}Match" for name in ("exact", "close", "broad", "narrow", "related")
}
SLUG_PATTERN = r"[a-z0-9]+(-[a-z0-9]+)*"


def excerpt_slug(source: str, line: int) -> str:
    """Return the slug of a source line's excerpt: source-text line 2 is source-line-02."""
    return f"{source.removesuffix('-text')}-line-{line:02d}"


def mapping_slug(concept: str, code: str) -> str:
    """Return a mapping's slug: mapping-CONCEPT-PREFIX-CODE, lowercase, dots as hyphens."""
    prefix, _, local = code.partition(":")
    return f"mapping-{concept}-{prefix.lower()}-{local.lower().replace('.', '-')}"
