"""A mutation fuzzer for nephrokb's loader, validator and query paths (`python -m fuzz`)."""
