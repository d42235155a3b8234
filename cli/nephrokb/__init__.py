"""nephrokb: a validated RDF knowledge base of nephrostomy and antegrade ureteral stenting.

The library API (docs/api.md), importable from here:

    >>> from nephrokb import load, validate, run_query, export, diff
    >>> validate().failed()
    False

Each name is imported from its module when first used, so that `nephrokb --help` does
not pay for rdflib, pyshacl and pyoxigraph.
"""

import importlib

__version__ = "0.1.0"

# Public name -> (module, name in that module).
PUBLIC_API = {
    "load": ("nephrokb.rdf.loading", "load"),
    "validate": ("nephrokb.validation.engine", "validate"),
    "Report": ("nephrokb.validation.results", "Report"),
    "ValidationResult": ("nephrokb.validation.results", "ValidationResult"),
    "run_query": ("nephrokb.query.queries", "run_query"),
    "export": ("nephrokb.exporters", "export_knowledge"),
    "diff": ("nephrokb.changes.compare", "diff_paths"),
}
__all__ = ["__version__", *PUBLIC_API]


def __getattr__(name: str) -> object:
    """Import a public name from its module on first use (PEP 562)."""
    if name not in PUBLIC_API:
        raise AttributeError(f"module 'nephrokb' has no attribute {name!r}")
    module, attribute = PUBLIC_API[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *PUBLIC_API])
