"""nephrokb: a validated RDF knowledge base of nephrostomy and antegrade ureteral stenting."""

__version__ = "0.1.0"
