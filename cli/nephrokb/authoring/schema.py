"""The JSON Schema of procedure files, derived from the registry (nephrokb.authoring.fields).

The package ships it as procedure.schema.json (a test keeps the file equal to what this
module derives), so editors that read JSON Schema (VS Code's YAML extension, IntelliJ)
offer completion and flag unknown keys: see docs/authoring.md.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from nephrokb.authoring.fields import (
    FILE_KEYS,
    MAPPING_RELATIONS,
    PROCEDURE,
    SECTIONS,
    SLUG_PATTERN,
    STEP,
    Key,
    Section,
)

SCHEMA_FILE = "procedure.schema.json"
SLUG = {"type": "string", "pattern": f"^{SLUG_PATTERN}$"}
VALUE_SCHEMAS: dict[str, dict[str, Any]] = {
    "text": {"type": "string"},
    "plain": {"type": "string"},
    "slug": SLUG,
    "slugs": {"type": "array", "items": SLUG},
    "iri": {"type": "string", "pattern": "^https?://"},
    "code": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9]*:"},
    "codes": {"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9]*:"}},
    "number": {"type": "number"},
    "year": {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": r"^\d{4}$"}]},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    "double": {"type": "number"},
    "lines": {"type": "array", "items": {"anyOf": [{"type": "integer", "minimum": 1}, SLUG]}},
    "relation": {"enum": sorted(MAPPING_RELATIONS)},
    "steps": {"type": "array", "items": {"$ref": "#/$defs/steps"}},
}


def key_schema(key: Key) -> dict[str, Any]:
    # null is allowed everywhere: a skeleton's empty values compile to nothing.
    return {"anyOf": [VALUE_SCHEMAS[key.kind], {"type": "null"}], "description": key.meaning}


def section_schema(section: Section) -> dict[str, Any]:
    return {
        "type": "object",
        "description": section.meaning,
        "properties": {key.name: key_schema(key) for key in section.keys},
        "additionalProperties": False,
    }


def procedure_schema() -> dict[str, Any]:
    """Return the JSON Schema (2020-12) of a procedure file."""
    definitions = {name: section_schema(section) for name, section in SECTIONS.items()}
    definitions[STEP.name] = section_schema(STEP)
    properties: dict[str, Any] = {
        "source": {**SLUG, "description": FILE_KEYS["source"]},
        "procedure": {"$ref": f"#/$defs/{PROCEDURE.name}", "description": FILE_KEYS["procedure"]},
    }
    for name, section in SECTIONS.items():
        properties[name] = {
            "type": "array",
            "items": {"$ref": f"#/$defs/{name}"},
            "description": section.meaning,
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://w3id.org/nephrokb/procedure.schema.json",
        "title": "nephrokb procedure file",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "$defs": definitions,
    }


def schema_text() -> str:
    """Return the schema as the package ships it."""
    return json.dumps(procedure_schema(), indent=2, ensure_ascii=False) + "\n"


def shipped_schema_path() -> str:
    """Return the path of the schema file shipped with the package."""
    return str(files("nephrokb.authoring") / SCHEMA_FILE)
