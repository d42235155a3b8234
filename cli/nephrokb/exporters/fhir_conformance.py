"""Check FHIR resources offline as a FHIR validator would, against the R5 core package.

The package is `hl7.fhir.r5.core` 5.0.0 from the npm registry, unpacked into a folder (its
`package/` folder, or a folder holding it), read by nephrokb.exporters.fhir_package; nothing
is fetched. For every element of every resource, read with the package's StructureDefinition
snapshots:

- cardinality: the element's min and max, and a JSON array exactly where max is not 1;
- elements the definition does not have;
- `required` bindings: a code, Coding or CodeableConcept must be in the value set, expanded
  from the package: `compose.include` of whole code systems, of concept lists and of other
  value sets. A value set this cannot expand (filters, a code system outside the package or
  one whose content is not complete) is listed as skipped with the reason;
- the FHIRPath invariants of severity `error` (`constraint.expression`), with fhirpathpy and
  its R5 model, plus `hasValue()`, which FHIR adds to FHIRPath and fhirpathpy 2.2 lacks
  (`has_value`; ele-1, on every element, needs it). An invariant fhirpathpy cannot
  evaluate (a function it does not implement) is listed as skipped with the reason, never
  counted as passed.

Each failure names the resource (`PlanDefinition/percutaneous-nephrostomy`), the element
path (`PlanDefinition.action[2].priority`) and, through `origins` (resource reference and
element path -> IRI, from the exporter), the knowledge-base node it came from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nephrokb.errors import InputError
from nephrokb.exporters.fhir import bundle_json, fhir_bundle
from nephrokb.exporters.fhir_conformance_results import (
    CheckedExport,
    Conformance,
    Failure,
    Skipped,
    locate_failures,
)
from nephrokb.exporters.fhir_package import CorePackage, Structure
from nephrokb.rdf.loading import load_dataset
from nephrokb.resources import knowledge_paths

# The FHIR types whose JSON value is a boolean or a number rather than a string.
JSON_BOOLEAN = {"boolean"}
JSON_NUMBER = {"decimal", "integer", "integer64", "positiveInt", "unsignedInt"}


class Checker:
    """Walks resources against a CorePackage, collecting failures and skipped rules."""

    def __init__(self, package: CorePackage, origins: Mapping[tuple[str, str], str]) -> None:
        try:
            from fhirpathpy.models import models
        except ImportError:
            raise InputError(
                "checking FHIR needs fhirpathpy: pip install 'nephrokb[fhir]'"
            ) from None

        self.package = package
        self.origins = origins
        self.model = models["r5"]
        self.compiled: dict[str, Any] = {}
        self.failures: list[Failure] = []
        self.skipped: set[Skipped] = set()

    def resource(self, resource: dict[str, Any]) -> None:
        """Check one resource, and the resources it holds (a Bundle's entries)."""
        kind = resource.get("resourceType")
        reference = f"{kind}/{resource.get('id')}"
        path = self.package.folder / f"StructureDefinition-{kind}.json"
        structure = (
            self.package.structure(kind) if isinstance(kind, str) and path.is_file() else None
        )
        if structure is None or structure.kind != "resource":
            self.fail(reference, str(kind), "resourceType", f"{kind!r} is not an R5 resource type")
            return
        root = structure.elements[kind]
        context = {"resource": resource, "rootResource": resource}
        self.invariants(root, resource, kind, reference, kind, context)
        self.node(resource, structure, kind, reference, kind, context)

    def node(
        self,
        value: dict[str, Any],
        structure: Structure,
        element_path: str,
        reference: str,
        shown: str,
        context: dict[str, Any],
    ) -> None:
        """Check the children of one complex value defined at `element_path`."""
        known = {"resourceType"} if element_path == structure.name else set()
        for element in structure.children.get(element_path, []):
            name = element["path"].rsplit(".", 1)[1]
            keys = element_keys(name, element, value)
            known.update(keys)
            known.update("_" + key for key in keys)
            count = 0
            for key in keys:
                given = value.get(key, value.get("_" + key))
                items = given if isinstance(given, list) else [given]
                if given == []:
                    self.fail(
                        reference,
                        f"{shown}.{key}",
                        "cardinality",
                        "is an empty array, which FHIR JSON does not allow",
                    )
                if (element["max"] == "1") == isinstance(given, list):
                    shape = "an array" if isinstance(given, list) else "a single value"
                    self.fail(
                        reference,
                        f"{shown}.{key}",
                        "cardinality",
                        f"is {shape}, but max is {element['max']}",
                    )
                count += len(items)
                for index, item in enumerate(items):
                    path = (
                        f"{shown}.{key}[{index}]" if isinstance(given, list) else f"{shown}.{key}"
                    )
                    if key in value:
                        self.item(
                            item,
                            element,
                            choice_type(name, key, element),
                            structure,
                            reference,
                            path,
                            context,
                        )
            if count < element["min"]:
                self.fail(
                    reference,
                    f"{shown}.{name}",
                    "cardinality",
                    f"min is {element['min']}, found {count}",
                )
            if element["max"] not in ("*", "1") and count > int(element["max"]):
                self.fail(
                    reference,
                    f"{shown}.{name}",
                    "cardinality",
                    f"max is {element['max']}, found {count}",
                )
        for key in sorted(set(value) - known):
            self.fail(
                reference,
                f"{shown}.{key}",
                "unknown-element",
                f"{element_path} has no element {key!r}",
            )

    def item(
        self,
        item: Any,
        element: dict[str, Any],
        type_code: str,
        structure: Structure,
        reference: str,
        path: str,
        context: dict[str, Any],
    ) -> None:
        """Check one value of an element: its binding, invariants and own children."""
        if type_code == "Resource" and isinstance(item, dict):
            self.resource(item)
            return
        self.binding(item, element, type_code, reference, path)
        if "contentReference" in element:
            target = element["contentReference"].split("#", 1)[1]
            self.invariants(element, item, target, reference, path, context)
            self.invariants(structure.elements[target], item, target, reference, path, context)
            self.node(item, structure, target, reference, path, context)
            return
        if element["path"] in structure.children:  # a backbone element, typed by its path
            self.invariants(element, item, element["path"], reference, path, context)
            self.node(item, structure, element["path"], reference, path, context)
            return
        self.invariants(element, item, type_code, reference, path, context)
        if is_primitive(type_code):
            self.primitive(item, type_code, reference, path)
        elif not isinstance(item, dict):
            self.fail(reference, path, "type", f"a {type_code} must be a JSON object")
        else:
            type_structure = self.package.structure(type_code)
            self.node(item, type_structure, type_code, reference, path, context)

    def primitive(self, item: Any, type_code: str, reference: str, path: str) -> None:
        """Check that a primitive value has the JSON type FHIR gives it."""
        if type_code in JSON_BOOLEAN:
            wanted: tuple[type, ...] = (bool,)
        elif type_code in JSON_NUMBER:
            wanted = (int, float)
        else:
            wanted = (str,)
        if not isinstance(item, wanted) or (bool not in wanted and isinstance(item, bool)):
            self.fail(reference, path, "type", f"a {type_code} cannot be {json.dumps(item)}")

    def binding(
        self, item: Any, element: dict[str, Any], type_code: str, reference: str, path: str
    ) -> None:
        """Check a value against the element's required binding, if it has one."""
        binding = element.get("binding", {})
        if binding.get("strength") != "required" or "valueSet" not in binding:
            return
        if type_code == "code" and isinstance(item, str):
            given = [(None, item)]
        elif type_code == "Coding" and isinstance(item, dict):
            given = [(item.get("system"), item.get("code"))]
        elif type_code == "CodeableConcept" and isinstance(item, dict):
            given = [
                (coding.get("system"), coding.get("code")) for coding in item.get("coding", [])
            ]
        else:
            return
        url = binding["valueSet"].split("|")[0]
        codes = self.package.expand(url)
        if isinstance(codes, str):
            self.skipped.add(Skipped(f"binding {url}", f"cannot expand it: {codes}"))
            return
        if given and not any(in_value_set(codes, system, code) for system, code in given):
            shown = ", ".join(
                code if system is None else f"{system}#{code}" for system, code in given
            )
            self.fail(reference, path, "binding", f"{shown} is not in the required value set {url}")

    def invariants(
        self,
        element: dict[str, Any],
        item: Any,
        base: str,
        reference: str,
        path: str,
        context: dict[str, Any],
    ) -> None:
        """Evaluate the element's error-severity FHIRPath invariants on one value.

        `base` is the value's type (or backbone element path), which fhirpathpy needs to
        resolve choice elements such as an Extension's `value`.
        """
        for constraint in element.get("constraint", []):
            if constraint.get("severity") != "error" or "expression" not in constraint:
                continue
            key, expression = constraint["key"], constraint["expression"]
            try:
                result = self.evaluate(base, expression, item, context)
            except Exception as error:  # fhirpathpy raises bare Exceptions for what it lacks
                self.skipped.add(
                    Skipped(key, f"fhirpathpy cannot evaluate {expression!r}: {error}")
                )
                continue
            if result != [True]:
                self.fail(reference, path, key, f"{constraint['human']} ({expression})")

    def evaluate(self, base: str, expression: str, item: Any, context: dict[str, Any]) -> list:
        from fhirpathpy import compile as compile_fhirpath
        from fhirpathpy.engine.nodes import ResourceNode

        if expression not in self.compiled:
            self.compiled[expression] = compile_fhirpath(
                expression,
                self.model,
                # trace() (dom-3 uses it) would otherwise print to standard output.
                {"userInvocationTable": FHIR_FUNCTIONS, "traceFn": ignore_trace},
            )
        # A resource carries its type (resourceType); any other value gets it from `base`.
        typed = item if isinstance(item, dict) and "resourceType" in item else None
        node = typed or ResourceNode.create_node(item, base)
        return self.compiled[expression](node, context)

    def fail(self, reference: str, path: str, rule: str, message: str) -> None:
        self.failures.append(Failure(reference, path, rule, message, self.origin(reference, path)))

    def origin(self, reference: str, path: str) -> str | None:
        """Return the node of the longest element path in `origins` that holds `path`."""
        best = None
        for (origin_reference, prefix), node in self.origins.items():
            if origin_reference != reference:
                continue
            if (
                path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")
            ) and (best is None or len(prefix) > len(best[0])):
                best = (prefix, node)
        return best[1] if best else None


def has_value(inputs: list) -> bool:
    """FHIR's hasValue(): the input is one primitive that has a value (not only extensions)."""
    return len(inputs) == 1 and inputs[0] is not None and not isinstance(inputs[0], dict | list)


def ignore_trace(label: str, value: object) -> None:
    """Drop what FHIRPath's trace() reports: a library never prints."""


# The functions FHIR adds to FHIRPath that fhirpathpy lacks, in its userInvocationTable form.
FHIR_FUNCTIONS = {"hasValue": {"fn": has_value, "arity": {0: []}}}


def element_keys(name: str, element: dict[str, Any], value: dict[str, Any]) -> list[str]:
    """Return the JSON keys of `value` that hold the element (several for a choice type)."""
    if not name.endswith("[x]"):
        return [name] if name in value or "_" + name in value else []
    stem = name[:-3]
    names = {
        stem + type_name(t["code"])[:1].upper() + type_name(t["code"])[1:] for t in element["type"]
    }
    return sorted(key.lstrip("_") for key in value if key.lstrip("_") in names)


def choice_type(name: str, key: str, element: dict[str, Any]) -> str:
    """Return the type code of the element's value held under `key`."""
    for candidate in element.get("type", []):
        code = type_name(candidate["code"])
        if not name.endswith("[x]") or key == name[:-3] + code[:1].upper() + code[1:]:
            return code
    return "Element"


def type_name(code: str) -> str:
    """Return a type code without the FHIRPath system prefix of id/extension.url elements."""
    return code.rsplit(".", 1)[1].lower() if code.startswith("http://hl7.org/fhirpath/") else code


def is_primitive(type_code: str) -> bool:
    """True for FHIR's primitive types, whose names start with a lower-case letter."""
    return type_code[:1].islower()


def in_value_set(codes: Mapping[str, set[str]], system: str | None, code: str | None) -> bool:
    """True when the code (of that system, or of any when the value is a bare code) is in."""
    if system is None:
        return any(code in system_codes for system_codes in codes.values())
    return code in codes.get(system, set())


def check_knowledge(
    data: Sequence[str | Path], include: Sequence[str], package_folder: str | Path
) -> CheckedExport:
    """Export `data` (default: the bundled kb/) plus bundled `include` folders, and check it."""
    package = CorePackage(package_folder)
    return check_export(knowledge_paths(data, include), package)


def check_export(paths: Sequence[str | Path], package: CorePackage) -> CheckedExport:
    """Export the knowledge under `paths` as FHIR (JSON) and check it, locating each failure."""
    dataset = load_dataset(paths)
    bundle, origins = fhir_bundle(dataset.graph)
    content = bundle_json(bundle)  # before checking: fhirpathpy annotates what it reads
    result = check_resources([bundle], package, origins)
    result.failures = locate_failures(result.failures, dataset)
    return CheckedExport(content, result)


def check_resources(
    resources: list[dict[str, Any]],
    package: CorePackage,
    origins: Mapping[tuple[str, str], str] | None = None,
) -> Conformance:
    """Check resources against the core package; `origins` maps (resource, path) to a node."""
    checker = Checker(package, origins or {})
    for resource in resources:
        checker.resource(resource)
    return Conformance(sorted(set(checker.failures)), sorted(checker.skipped))
