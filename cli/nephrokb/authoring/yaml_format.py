"""Read a procedure file in YAML keeping the line of every key and value; write one back.

PyYAML's composer gives each node its position, so values are built from the node tree
rather than from `yaml.safe_load`, which forgets where things were.
"""

from __future__ import annotations

from typing import Any

import yaml

from nephrokb.authoring.located import Located, Origin
from nephrokb.errors import InputError

SCHEMA_COMMENT = "# yaml-language-server: $schema={schema}\n"


def read_yaml(text: str, path: str) -> Located:
    """Parse YAML `text` into Located values; a syntax error is an InputError at its line."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise InputError("holds no YAML document", path=path)
        return build(loader, root, path)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = error.problem or error.context or "cannot be read"
        raise InputError(
            f"YAML syntax error: {reason}", path=path, line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as error:
        raise InputError(f"YAML syntax error: {error}", path=path) from None
    finally:
        loader.dispose()


def build(loader: yaml.SafeLoader, node: yaml.Node, path: str) -> Located:
    """Turn a composed node into Located values, refusing a key written twice."""
    origin = Origin(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        members: dict[str, Located] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key_origin = Origin(path, key_node.start_mark.line + 1)
            if not isinstance(key, str):
                raise InputError(f"key {key!r} is not a name", path=path, line=key_origin.line)
            if key in members:
                first = members[key].where.line
                raise InputError(
                    f"key '{key}' is given twice (first at line {first})",
                    path=path,
                    line=key_origin.line,
                )
            member = build(loader, value_node, path)
            member.key_origin = key_origin
            members[key] = member
        return Located(members, origin)
    if isinstance(node, yaml.SequenceNode):
        return Located([build(loader, item, path) for item in node.value], origin)
    return Located(loader.construct_object(node, deep=True), origin)


class Dumper(yaml.SafeDumper):
    """Indents lists under their key, as people write YAML by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def write_yaml(document: dict[str, Any], header: str = "") -> str:
    """Return `document` as block-style YAML, keys in the given order, after `header`."""
    body = yaml.dump(
        document,
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=4096,  # one line per value: wrapped text is hard to edit
        default_flow_style=False,
    )
    return header + body
