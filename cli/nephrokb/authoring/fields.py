"""What an editor may write: each section of a procedure file, its keys and their predicates.

This registry is the one place the authoring format is defined: the YAML and workbook
readers, the compiler, the exporter, the JSON Schema and `nephrokb new` all read it. A new
kind of knowledge (say, contraindications) is one more Section here.
"""

from __future__ import annotations

from dataclasses import dataclass

from nephrokb.namespaces import PREFIXES, VOCAB

DCTERMS = PREFIXES["dcterms"]
RDFS = PREFIXES["rdfs"]
SKOS = PREFIXES["skos"]
PROV = PREFIXES["prov"]
OWL = PREFIXES["owl"]
SSSOM = PREFIXES["sssom"]

# How a value is written and what it becomes:
#   text    English text -> "..."@en        plain   text -> "..." (xsd:string)
#   slug    one slug -> kb:slug             slugs   a list of slugs
#   iri     one http(s) IRI                 code    a CURIE such as SCTID:14669001
#   integer, boolean, date, double          -> typed literals
#   lines   source line numbers (or excerpt slugs) -> prov:wasDerivedFrom those excerpts
VALUE_KINDS = (
    "text",
    "plain",
    "slug",
    "slugs",
    "iri",
    "code",
    "integer",
    "boolean",
    "date",
    "double",
    "lines",
    "relation",
)


@dataclass(frozen=True)
class Key:
    """One key of a section: its name, what it is written as, and the predicate it becomes."""

    name: str
    kind: str
    predicate: str | None
    meaning: str
    required: bool = False


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
LABEL = Key("label", "text", RDFS + "label", "one English name", required=True)
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
        Key("steps", "steps", VOCAB + "hasStep", "its steps, in order"),
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
        Key("concept", "slug", OWL + "annotatedSource", "slug of our concept", required=True),
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
