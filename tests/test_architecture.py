"""The package's layers (docs/architecture.md): imports point one way and never loop."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import nephrokb

PACKAGE = Path(nephrokb.__file__).parent

# Lowest first. A module may import its own unit and the units of lower layers; the
# foundation modules of layer 0 may also import one another.
LAYERS = (
    (
        "nephrokb.errors",
        "nephrokb.namespaces",
        "nephrokb.terminologies",
        "nephrokb.resources",
        "nephrokb.output",
    ),
    ("nephrokb.turtle",),
    ("nephrokb.authoring",),
    ("nephrokb.rdf",),
    ("nephrokb.validation",),
    ("nephrokb.knowledge",),
    ("nephrokb.query",),
    ("nephrokb.exporters", "nephrokb.reports", "nephrokb.editing"),
    ("nephrokb.changes", "nephrokb.site"),
    ("nephrokb.release",),
    ("nephrokb.cli",),
)
# Imported inside functions on purpose: fhirpathpy is an optional extra; importing
# simple_icd_10_cm parses the whole ICD-10-CM release (1.5 s), so only lookups pay for it;
# importing pyshacl costs as much as validating the bundled knowledge, which the fast
# engine does without it (tests/test_user_shapes.py).
LAZY_IMPORTS = {"fhirpathpy", "pyshacl", "simple_icd_10_cm"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path for path in sorted(PACKAGE.rglob("*.py")) if path.name != "__main__.py"
}


def unit_of(module: str) -> tuple[int, str]:
    """Return the layer and unit (package or foundation module) a module belongs to."""
    for rank, units in enumerate(LAYERS):
        for unit in units:
            if module == unit or module.startswith(unit + "."):
                return rank, unit
    raise AssertionError(f"{module} is in no layer of LAYERS")


def imported_modules(module: str) -> set[str]:
    """Every nephrokb module `module` imports, wherever the import statement stands."""
    tree = ast.parse(MODULES[module].read_text())
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
    return {name for name in found if name in MODULES and name != "nephrokb"}


def test_every_module_is_in_a_layer() -> None:
    for module in MODULES:
        if module != "nephrokb":
            unit_of(module)


@pytest.mark.parametrize("module", sorted(set(MODULES) - {"nephrokb"}))
def test_imports_point_down(module: str) -> None:
    rank, unit = unit_of(module)
    upward = []
    for target in sorted(imported_modules(module)):
        target_rank, target_unit = unit_of(target)
        if target_unit == unit or target_rank < rank or target_rank == rank == 0:
            continue
        upward.append(target)
    assert upward == [], f"{module} (layer {rank}) imports {upward}"


def test_no_import_cycle() -> None:
    graph = {module: imported_modules(module) for module in MODULES}
    cycles = [scc for scc in strongly_connected(graph) if len(scc) > 1]
    assert cycles == []


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the strongly connected components of a directed graph."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_strongly_connected_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert sorted(strongly_connected(graph)) == [["a", "b", "c"], ["d"]]


@pytest.mark.parametrize(
    "module", sorted(m for m in MODULES if m != "nephrokb" and not m.startswith("nephrokb.cli"))
)
def test_library_modules_import_at_the_top(module: str) -> None:
    tree = ast.parse(MODULES[module].read_text())
    inside = []
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    name = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                    if (name or "").split(".")[0] not in LAZY_IMPORTS:
                        inside.append(f"line {node.lineno}: {name}")
    assert inside == []


@pytest.mark.parametrize("package", sorted(m for m in MODULES if MODULES[m].name == "__init__.py"))
def test_every_package_says_what_belongs_there(package: str) -> None:
    assert ast.get_docstring(ast.parse(MODULES[package].read_text()))


def test_the_command_line_loads_the_library_only_when_a_command_runs() -> None:
    heavy = ("rdflib", "pyshacl", "pyoxigraph", "nephrokb.validation")
    code = f"import sys, nephrokb.cli; print([m for m in {heavy!r} if m in sys.modules])"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout == "[]\n"
