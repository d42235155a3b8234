"""Reading knowledge: sources and safety checks, parsing, loading, terms, stores, revisions."""
