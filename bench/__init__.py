"""Benchmarks for nephrokb: a synthetic knowledge base generator and the issue 7 measurements."""
