"""The unpacked FHIR R5 core package: its StructureDefinition snapshots, value-set expansions."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from nephrokb.errors import InputError

# The environment variable that names the unpacked package folder (set by .ci/run).
PACKAGE_VARIABLE = "NEPHROKB_FHIR_PACKAGE"
PACKAGE_NAME = "hl7.fhir.r5.core"
PACKAGE_VERSION = "5.0.0"

COMPLETE_CONTENT = "complete"


class CorePackage:
    """The StructureDefinitions, ValueSets and CodeSystems of an unpacked FHIR package."""

    def __init__(self, folder: str | Path) -> None:
        folder = Path(folder)
        self.folder = folder / "package" if (folder / "package").is_dir() else folder
        manifest = self.folder / "package.json"
        wanted = f"{PACKAGE_NAME} {PACKAGE_VERSION}"
        if not manifest.is_file():
            raise InputError(
                f"{folder} holds no FHIR package (no package/package.json); unpack {wanted} "
                f"there (npm pack {PACKAGE_NAME}@{PACKAGE_VERSION})"
            )
        self.manifest = json.loads(manifest.read_text(encoding="utf-8"))
        found = f"{self.manifest.get('name')} {self.manifest.get('version')}"
        if found != wanted:
            raise InputError(f"{folder} holds the FHIR package {found}, not {wanted}")
        self.structures: dict[str, Structure] = {}
        self.expansions: dict[str, dict[str, set[str]] | str] = {}

    def structure(self, type_name: str) -> Structure:
        """Return the StructureDefinition of a type or resource, by its name."""
        if type_name not in self.structures:
            path = self.folder / f"StructureDefinition-{type_name}.json"
            self.structures[type_name] = Structure(json.loads(path.read_text(encoding="utf-8")))
        return self.structures[type_name]

    @cached_property
    def terminology(self) -> dict[str, dict[str, Any]]:
        """Return the package's ValueSets and CodeSystems by canonical URL."""
        found = {}
        for pattern in ("CodeSystem-*.json", "ValueSet-*.json"):
            for path in self.folder.glob(pattern):
                resource = json.loads(path.read_text(encoding="utf-8"))
                found[resource["url"]] = resource
        return found

    def expand(self, url: str) -> dict[str, set[str]] | str:
        """Return a value set's codes by system, or the reason it cannot be expanded."""
        url = url.split("|")[0]
        if url not in self.expansions:
            self.expansions[url] = self.expand_value_set(url)
        return self.expansions[url]

    def expand_value_set(self, url: str) -> dict[str, set[str]] | str:
        value_set = self.terminology.get(url)
        if value_set is None or value_set.get("resourceType") != "ValueSet":
            return f"the value set {url} is not in the package"
        compose = value_set.get("compose", {})
        if compose.get("exclude"):
            return f"the value set {url} excludes codes"
        codes: dict[str, set[str]] = {}
        for include in compose.get("include", []):
            part = self.expand_include(include)
            if isinstance(part, str):
                return part
            for system, system_codes in part.items():
                codes.setdefault(system, set()).update(system_codes)
        return codes

    def expand_include(self, include: Mapping[str, Any]) -> dict[str, set[str]] | str:
        if include.get("filter"):
            return f"it includes {include.get('system')} by filter"
        codes: dict[str, set[str]] = {}
        for url in include.get("valueSet", []):
            part = self.expand(url)
            if isinstance(part, str):
                return part
            codes.update(part)
        system = include.get("system")
        if system is None:
            return codes
        if include.get("concept"):
            codes[system] = {concept["code"] for concept in include["concept"]}
            return codes
        code_system = self.terminology.get(system.split("|")[0])
        if code_system is None or code_system.get("resourceType") != "CodeSystem":
            return f"the code system {system} is not in the package"
        if code_system.get("content") != COMPLETE_CONTENT:
            return f"the package holds the code system {system} as {code_system.get('content')}"
        codes[system] = set(concept_codes(code_system.get("concept", [])))
        return codes


def concept_codes(concepts: list[dict[str, Any]]) -> Iterator[str]:
    """Yield the codes of a CodeSystem's concepts, nested ones included."""
    for concept in concepts:
        yield concept["code"]
        yield from concept_codes(concept.get("concept", []))


class Structure:
    """A StructureDefinition's snapshot, its elements by path and children by parent path."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.name = definition["type"]
        self.kind = definition["kind"]  # resource, complex-type, primitive-type, logical
        elements = [e for e in definition["snapshot"]["element"] if "sliceName" not in e]
        self.elements = {element["path"]: element for element in elements}
        self.children: dict[str, list[dict[str, Any]]] = {}
        for element in elements:
            if "." in element["path"]:
                parent = element["path"].rsplit(".", 1)[0]
                self.children.setdefault(parent, []).append(element)
