"""What a FHIR conformance check found: failures traced to the knowledge, and skipped rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, NamedTuple

from nephrokb.namespaces import compact
from nephrokb.validation.locations import Locations

if TYPE_CHECKING:
    from nephrokb.rdf.loading import Dataset


@dataclass(frozen=True, order=True)
class Failure:
    """One way a resource breaks the core specification."""

    resource: str
    path: str
    rule: str
    message: str
    node: str | None = None
    source: str | None = None  # file:line where the knowledge describes `node`

    def __str__(self) -> str:

        origin = ""
        if self.node:
            where = f" at {self.source}" if self.source else ""
            origin = f" (from {compact(self.node)}{where})"
        return f"{self.resource} {self.path}: {self.rule}: {self.message}{origin}"


@dataclass(frozen=True, order=True)
class Skipped:
    """A rule the checker could not apply, and why."""

    rule: str
    reason: str

    def __str__(self) -> str:
        return f"skipped {self.rule}: {self.reason}"


@dataclass
class Conformance:
    """The failures found and the rules skipped, each sorted."""

    failures: list[Failure] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


class CheckedExport(NamedTuple):
    """The FHIR export (JSON) and what checking it found."""

    content: bytes
    conformance: Conformance


def locate_failures(failures: Sequence[Failure], dataset: Dataset) -> list[Failure]:
    """Give each failure the file:line where the knowledge describes its node."""
    locations = Locations(dataset.sources, dataset.subjects)
    return [replace(failure, source=source_of(locations, failure.node)) for failure in failures]


def source_of(locations: Locations, node: str | None) -> str | None:
    """Return `file:line` of the first file describing `node`, if any does."""
    if node is None:
        return None
    for path, lines in locations.describing(node):
        if node in lines.subjects:
            return f"{path}:{lines.subjects[node]}"
    return None
