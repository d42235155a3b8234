"""Authoring without Turtle: procedure files in YAML and workbooks (xlsx), compiled to RDF.

`fields` is the one registry of what an editor may write (sections, keys, the predicate
each key stands for); `yaml_format` and `workbook` read and write the two forms, `compile`
turns either into a graph whose every triple remembers where it was typed, `decompile`
turns a graph back into the same structure, `importing` writes canonical Turtle to kb/,
`scaffold` writes a skeleton and appends entries to one.
"""

# Suffixes of the files loading reads by compiling them (kept here: importing this is cheap).
AUTHORING_SUFFIXES = (".yaml", ".yml", ".xlsx")
