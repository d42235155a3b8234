"""nephrokb.namespaces: every namespace IRI is written once, there, and imported elsewhere."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import nephrokb
from nephrokb import namespaces
from nephrokb.namespaces import MAPPING_PREDICATES, PREFIXES, compact

PACKAGE = Path(nephrokb.__file__).parent
# The namespaces that namespaces.py declares (the output prefixes and the citation
# vocabularies); a module that needs one of their IRIs builds it from these names.
DECLARED = sorted({*PREFIXES.values(), namespaces.FABIO, namespaces.PRISM}, key=len)
MODULES = sorted(path for path in PACKAGE.rglob("*.py") if path != PACKAGE / "namespaces.py")


def docstrings(tree: ast.AST) -> set[int]:
    """Return the ids of the docstring nodes of a module and its classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def restated_namespaces(source: str) -> list[str]:
    """Return `line N: IRI` for each string literal in code that spells out a declared namespace.

    Docstrings and comments may name IRIs (they explain, and nothing reads them); string
    literals, including the text parts of f-strings, may not.
    """
    tree = ast.parse(source)
    skipped = docstrings(tree)
    found = []
    for node in ast.walk(tree):
        literal = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if literal and id(node) not in skipped:
            for namespace in DECLARED:
                if namespace in node.value:
                    found.append(f"line {node.lineno}: {namespace}")
    return sorted(set(found))


# Declared terms by value: `SKOS + "exactMatch"` outside namespaces.py should be SKOS_EXACT_MATCH.
TERMS = {
    value: name
    for name, value in vars(namespaces).items()
    if name.isupper() and isinstance(value, str) and value not in DECLARED
}
NAMESPACE_NAMES = {
    name: value
    for name, value in vars(namespaces).items()
    if name.isupper() and isinstance(value, str) and value in DECLARED
}


def rebuilt_terms(source: str) -> list[str]:
    """Return `line N: NAME` for each `NAMESPACE + "local"` that spells out a declared term."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Add)
            and isinstance(node.left, ast.Name)
            and node.left.id in NAMESPACE_NAMES
            and isinstance(node.right, ast.Constant)
            and isinstance(node.right.value, str)
        ):
            term = TERMS.get(NAMESPACE_NAMES[node.left.id] + node.right.value)
            if term:
                found.append(f"line {node.lineno}: {term}")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_modules_import_namespaces_instead_of_restating_them(path: Path) -> None:
    assert restated_namespaces(path.read_text()) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_modules_import_declared_terms_instead_of_rebuilding_them(path: Path) -> None:
    assert rebuilt_terms(path.read_text()) == []


def test_a_rebuilt_term_is_found_and_other_terms_of_its_namespace_are_not() -> None:
    source = 'A = RDFS + "label"\nB = RDFS + "seeAlso"\nC = SKOS + "exactMatch"\nD = KB + "x"\n'
    assert rebuilt_terms(source) == ["line 1: RDFS_LABEL", "line 3: SKOS_EXACT_MATCH"]


def test_a_restated_namespace_is_found_in_code_and_f_strings_not_in_docstrings() -> None:
    source = '''
"""Reads http://www.w3.org/2004/02/skos/core#exactMatch (a docstring may say so)."""
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
QUERY = f"""ASK {{ ?s <http://www.w3.org/ns/shacl#path> ?{"o"} }}"""
SNOMED_CODE = "http://snomed.info/id/" + "22298006"


def describe():
    """Names https://w3id.org/nephrokb/vocab#Step, explaining."""
    return "https://w3id.org/nephrokb/vocab#Step"
'''
    assert restated_namespaces(source) == [
        "line 10: https://w3id.org/nephrokb/vocab#",
        "line 3: http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "line 4: http://www.w3.org/ns/shacl#",
        "line 5: http://snomed.info/id/",
    ]


def test_the_mapping_predicates_are_the_five_skos_mapping_relations_in_report_order() -> None:
    assert [compact(predicate) for predicate in MAPPING_PREDICATES] == [
        "skos:exactMatch",
        "skos:closeMatch",
        "skos:broadMatch",
        "skos:narrowMatch",
        "skos:relatedMatch",
    ]


def test_compact_names_an_iri_by_its_prefix_or_keeps_it_whole() -> None:
    assert compact(namespaces.RDF_TYPE) == "rdf:type"
    assert compact(namespaces.KNOWLEDGE_GRAPH + "demo") == "kb:demo"
    assert compact("http://example.org/x") == "<http://example.org/x>"
