"""Turtle as text: the canonical serialisation, locating nodes in source files, comments."""
