"""Write the mapping records as an SSSOM mapping set: SSSOM/TSV, or the JSON sssom-py reads.

SSSOM/TSV (https://mapping-commons.github.io/sssom/spec-formats-tsv/) opens with the mapping
set's metadata as YAML, every line prefixed with `#` and keys sorted: `curie_map` (every
prefix the file uses, built-in prefixes such as skos and semapv with their standard IRIs),
`license`, `mapping_set_description`, `mapping_set_id`, `mapping_set_title` and
`mapping_set_version` (the nephrokb version). A TSV table follows with one row per
nkb:Mapping record, rows sorted; a column is left out when every row is empty in it, except
the four mandatory ones. Multi-valued slots (author_id, see_also) are joined with `|`.

IRIs are written as CURIEs by curies (nephrokb.knowledge.mappings.curie_converter); an IRI no known
prefix covers is refused, since SSSOM requires CURIEs. SNOMED CT and UMLS concepts appear by
identifier only: the knowledge base stores no labels for them, so none are written.

The JSON form is sssom-py's SSSOM/JSON (`sssom convert -O json`, read back with
`sssom.parsers.parse_sssom_json`): the same mapping set as one object, its `@context` holding
the curie_map and its `mappings` the rows as objects, multi-valued slots as lists.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nephrokb import __version__
from nephrokb.errors import InputError
from nephrokb.knowledge.mappings import curie_converter, read_mappings

if TYPE_CHECKING:
    from curies import Converter
    from rdflib import Graph

    from nephrokb.knowledge.mappings import Mapping

MAPPING_SET_ID = "https://w3id.org/nephrokb/mappings/nephrokb.sssom.tsv"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TITLE = "nephrokb mappings to standard terminologies"
DESCRIPTION = (
    "Mappings of nephrokb concepts to standard terminologies, one per nkb:Mapping record. "
    "SNOMED CT and UMLS concepts are given by identifier only; their licensed names are not "
    "included."
)

# Mapping slots in the order the columns are written.
COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "predicate_modifier",
    "object_id",
    "object_label",
    "mapping_justification",
    "author_id",
    "mapping_date",
    "confidence",
    "see_also",
    "comment",
)
MANDATORY_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification")
MULTIVALUED_SEPARATOR = "|"
# Slots whose values are CURIEs, so their prefixes belong in the curie_map.
ENTITY_REFERENCE_COLUMNS = (
    "subject_id",
    "predicate_id",
    "object_id",
    "mapping_justification",
    "author_id",
)

# A YAML plain scalar that reads back as this very string (not a number, bool or null).
PLAIN_SCALAR = re.compile(r"[A-Za-z][A-Za-z0-9_./:#\-]*")
YAML_KEYWORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}

Row = dict[str, str | float | list[str]]


@dataclass(frozen=True)
class MappingSet:
    """The mapping set to write: its metadata (curie_map included) and its rows."""

    metadata: dict[str, Any]
    rows: tuple[Row, ...]

    def columns(self) -> list[str]:
        """Return the columns to write: the mandatory ones, and any other some row fills."""
        return [
            column
            for column in COLUMNS
            if column in MANDATORY_COLUMNS or any(column in row for row in self.rows)
        ]


def export_sssom(graph: Graph) -> bytes:
    """Write the mapping records as SSSOM/TSV with its YAML metadata block."""
    return write_sssom_tsv(build_mapping_set(graph))


def write_sssom_tsv(mapping_set: MappingSet) -> bytes:
    """Write a mapping set as SSSOM/TSV: the `#` YAML metadata block, then the table."""
    lines = [f"#{line}" for line in yaml_lines(mapping_set.metadata)]
    table = io.StringIO()
    writer = csv.writer(table, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    columns = mapping_set.columns()
    writer.writerow(columns)
    for row in mapping_set.rows:
        writer.writerow([tsv_value(row.get(column)) for column in columns])
    return ("\n".join(lines) + "\n" + table.getvalue()).encode("utf-8")


def export_sssom_json(graph: Graph) -> bytes:
    """Write the mapping records as SSSOM/JSON, the form sssom-py writes and reads."""
    mapping_set = build_mapping_set(graph)
    metadata = dict(mapping_set.metadata)
    document = {
        "@context": metadata.pop("curie_map"),
        **metadata,
        "mappings": [dict(row) for row in mapping_set.rows],
    }
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def build_mapping_set(graph: Graph) -> MappingSet:
    """Read the mapping records of `graph` into SSSOM rows and mapping set metadata."""
    converter = curie_converter(graph)
    rows = sorted(
        (mapping_row(mapping, converter) for mapping in read_mappings(graph)),
        key=lambda row: [tsv_value(row.get(column)) for column in COLUMNS],
    )
    metadata = {
        "curie_map": {prefix: converter.prefix_map[prefix] for prefix in prefixes_used(rows)},
        "license": LICENSE,
        "mapping_set_description": DESCRIPTION,
        "mapping_set_id": MAPPING_SET_ID,
        "mapping_set_title": TITLE,
        "mapping_set_version": __version__,
    }
    return MappingSet(metadata=metadata, rows=tuple(rows))


def prefixes_used(rows: list[Row]) -> list[str]:
    """Return the prefixes of the CURIEs in the rows' entity reference slots, sorted."""
    curies = {
        curie
        for row in rows
        for column in ENTITY_REFERENCE_COLUMNS
        for curie in as_list(row.get(column))
    }
    return sorted({curie.partition(":")[0] for curie in curies})


def as_list(value: str | float | list[str] | None) -> list[str]:
    """Return a slot's CURIE values as a list (empty when the slot is)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [str(value)]


def mapping_row(mapping: Mapping, converter: Converter) -> Row:
    """Return one mapping record as SSSOM slots, leaving out the empty ones."""
    row: Row = {
        "subject_id": as_curie(mapping.subject, converter),
        "subject_label": mapping.subject_label,
        "predicate_id": as_curie(mapping.predicate, converter),
        "object_id": as_curie(mapping.object, converter),
        "mapping_justification": as_curie(mapping.justification, converter),
    }
    if mapping.object_label:
        row["object_label"] = mapping.object_label
    if mapping.authors:
        row["author_id"] = [as_curie(author, converter) for author in mapping.authors]
    if mapping.date:
        row["mapping_date"] = mapping.date
    if mapping.confidence is not None:
        row["confidence"] = mapping.confidence
    if mapping.see_also:
        row["see_also"] = list(mapping.see_also)
    if mapping.comment:
        row["comment"] = mapping.comment
    return row


def as_curie(iri: str, converter: Converter) -> str:
    """Compress `iri` to a CURIE, or raise InputError when no known prefix covers it."""
    curie = converter.compress(iri)
    if curie is None:
        raise InputError(
            f"cannot write <{iri}> as a CURIE for SSSOM: no known prefix covers it "
            "(bind one with @prefix in the Turtle file)"
        )
    return curie


def tsv_value(value: str | float | list[str] | None) -> str:
    """Return a slot value as the text of a TSV cell; lists are joined with `|`."""
    if value is None:
        return ""
    if isinstance(value, list):
        return MULTIVALUED_SEPARATOR.join(value)
    return str(value)


def yaml_lines(metadata: dict[str, Any], indent: str = "") -> list[str]:
    """Return block-style YAML lines for a mapping of strings and nested mappings, keys sorted."""
    lines = []
    for key in sorted(metadata):
        value = metadata[key]
        if isinstance(value, dict):
            lines.append(f"{indent}{key}:" + ("" if value else " {}"))
            lines.extend(yaml_lines(value, indent + "  "))
        else:
            lines.append(f"{indent}{key}: {yaml_scalar(str(value))}")
    return lines


def yaml_scalar(text: str) -> str:
    """Return `text` as a plain YAML scalar when it reads back unchanged, else double-quoted."""
    if PLAIN_SCALAR.fullmatch(text) and text.lower() not in YAML_KEYWORDS:
        return text
    return json.dumps(text, ensure_ascii=False)
