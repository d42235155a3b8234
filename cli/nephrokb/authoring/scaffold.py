"""Write a procedure file skeleton, and append a step, indication or benefit to one.

The skeleton lists every key of the registry (nephrokb.authoring.fields) with a comment
saying what it means: required keys empty, to fill in, optional ones commented out.
Appending edits the text (comments and layout stay as the editor left them), at the place
PyYAML's composer reports for the list in question.
"""

from __future__ import annotations

import re

import yaml

from nephrokb.authoring.fields import (
    BENEFIT,
    DEFAULT_SOURCE,
    FILE_KEYS,
    INDICATION,
    PROCEDURE,
    SLUG_PATTERN,
    STEP,
    Section,
)
from nephrokb.errors import InputError

INDENT = "  "


def check_slug(slug: str) -> None:
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise InputError(
            f"'{slug}' is not a slug: use lowercase letters and digits joined by hyphens"
        )


def entity_lines(section: Section, slug: str, indent: str, skip: tuple[str, ...] = ()) -> list[str]:
    """Return an entity skeleton as a YAML list item: keys with comments, at `indent`."""
    lines = []
    first = True
    for key in section.keys:
        if key.name in skip or key.kind == "steps":
            continue
        prefix = indent + ("- " if first else "  ")
        comment_indent = indent if first else indent + "  "
        value = slug if key.name == "slug" else ""
        lines.append(f"{comment_indent}# {key.meaning}")
        if key.required or key.name == "slug":
            lines.append(f"{prefix}{key.name}: {value}".rstrip())
            first = False
        else:
            lines.append(f"{comment_indent}# {key.name}:")
    return lines


def procedure_skeleton(slug: str) -> str:
    """Return the YAML skeleton of a new procedure file: every required key, explained."""
    check_slug(slug)
    lines = [
        "# A nephrokb procedure file. Fill in every empty value, then:",
        f"#   nephrokb validate {slug}.yaml     (errors point at lines of this file)",
        f"#   nephrokb import {slug}.yaml       (writes kb/{slug}.ttl)",
        "# Shared things (conditions, devices, sites...) are named by slug; `nephrokb query",
        "# devices` and `nephrokb query conditions` list them. Step numbers come from the order",
        "# of the steps. See docs/authoring.md.",
        "",
        f"# {FILE_KEYS['source']}",
        f"source: {DEFAULT_SOURCE}",
        "",
        f"# {PROCEDURE.meaning}",
        "procedure:",
    ]
    for key in PROCEDURE.keys:
        lines.append(f"{INDENT}# {key.meaning}")
        if key.name == "slug":
            lines.append(f"{INDENT}slug: {slug}")
        elif key.kind == "steps":
            lines.append(f"{INDENT}steps:")
            lines.extend(entity_lines(STEP, f"{slug}-first-step", INDENT * 2))
        elif key.required or key.name in ("indications", "benefits"):
            lines.append(f"{INDENT}{key.name}:")
        else:
            lines.append(f"{INDENT}# {key.name}:")
    lines += [
        "",
        "# Source lines quoted by `lines` above that kb/source.ttl does not hold yet, verbatim:",
        "# excerpts:",
        f"#{INDENT}- line: 40",
        f"#{INDENT}  text: the text of source line 40, exactly as in the source",
    ]
    return "\n".join(lines) + "\n"


def append_entry(text: str, path: str, kind: str, slug: str) -> str:
    """Return `text` with a new step, indication or benefit skeleton appended."""
    check_slug(slug)
    root = compose(text, path)
    procedure = member(root, "procedure")
    if procedure is None or not isinstance(procedure, yaml.MappingNode):
        raise InputError("has no 'procedure' to add to", path=path)
    lines = text.splitlines()
    if kind == "step":
        steps = member(procedure, "steps")
        if not isinstance(steps, yaml.SequenceNode) or steps.flow_style or not steps.value:
            raise InputError("its procedure has no list of steps to add to", path=path)
        indent = " " * (steps.value[0].start_mark.column - 2)
        at = end_line(steps, lines)
        return join(lines[:at] + entity_lines(STEP, slug, indent) + lines[at:])
    section = {"indication": INDICATION, "benefit": BENEFIT}[kind]
    entries = member(root, section.name)
    new_entity = entity_lines(section, slug, INDENT)
    if isinstance(entries, yaml.SequenceNode) and entries.value and not entries.flow_style:
        at = end_line(entries, lines)
        indent = " " * (entries.value[0].start_mark.column - 2)
        lines = lines[:at] + entity_lines(section, slug, indent) + lines[at:]
    elif entries is None:
        lines = [*lines, "", f"{section.name}:", *new_entity]
    else:
        raise InputError(f"its '{section.name}' is not a list to add to", path=path)
    return join(add_to_procedure_list(lines, compose(join(lines), path), section.name, slug, path))


def add_to_procedure_list(lines: list[str], root, name: str, slug: str, path: str) -> list[str]:
    """Name the new entry in the procedure's own list of slugs (`indications`, `benefits`)."""
    procedure = member(root, "procedure")
    listed = member(procedure, name)
    key_line = next((key.start_mark for key, _ in procedure.value if key.value == name), None)
    if listed is None and key_line is None:
        indent = " " * procedure.value[0][0].start_mark.column
        at = end_line(procedure, lines)
        return [*lines[:at], f"{indent}{name}:", f"{indent}{INDENT}- {slug}", *lines[at:]]
    if isinstance(listed, yaml.SequenceNode) and listed.value and not listed.flow_style:
        indent = " " * listed.value[0].start_mark.column
        at = end_line(listed, lines)
        return [*lines[:at], f"{indent[:-2]}- {slug}", *lines[at:]]
    if listed is None or (isinstance(listed, yaml.ScalarNode) and listed.value == ""):
        indent = " " * key_line.column
        line = key_line.line
        lines[line] = f"{indent}{name}:"
        return [*lines[: line + 1], f"{indent}{INDENT}- {slug}", *lines[line + 1 :]]
    if isinstance(listed, yaml.SequenceNode) and listed.flow_style and not listed.value:
        line = listed.start_mark.line
        lines[line] = lines[line].replace("[]", f"[{slug}]", 1)
        return lines
    raise InputError(f"its procedure's '{name}' is not a list of slugs", path=path)


def compose(text: str, path: str):
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise InputError(f"YAML syntax error: {error}", path=path) from None
    if not isinstance(root, yaml.MappingNode):
        raise InputError("is not a procedure file (a mapping of sections)", path=path)
    return root


def member(node, name: str):
    """Return the value node of key `name` in a mapping node (None when absent)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for key, value in node.value if key.value == name), None)


def end_line(node, lines: list[str]) -> int:
    """Return the index of the line after a block node's last line.

    Blank lines, and comments indented less than the node (they introduce what follows),
    stay after the insertion point.
    """
    column = node.start_mark.column
    at = min(node.end_mark.line, len(lines))
    while at > 0:
        previous = lines[at - 1]
        stripped = previous.strip()
        if stripped and not (
            stripped.startswith("#") and len(previous) - len(previous.lstrip()) < column
        ):
            break
        at -= 1
    return at


def join(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"
