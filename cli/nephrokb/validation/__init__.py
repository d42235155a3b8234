"""Validating knowledge against SHACL shapes: engine, plan, constraint components, results."""
