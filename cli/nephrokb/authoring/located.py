"""Values as an editor typed them, each with the place it was typed: a file line or a cell."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """Where a value was typed: a line of a YAML file, or a cell of a workbook."""

    file: str
    line: int | None = None
    cell: str | None = None  # "Steps!C4"

    def __str__(self) -> str:
        if self.cell:
            return f"{self.file}:{self.cell}"
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class Located:
    """A value (scalar, list of Located, or dict of name -> Located) and where it was typed.

    `key_origin` is where the key naming this value was typed, for members of a mapping.
    """

    value: object
    origin: Origin
    key_origin: Origin | None = None

    @property
    def where(self) -> Origin:
        """The place to point at for a problem with this entry: its key, else its value."""
        return self.key_origin or self.origin
