"""The page record and the markup every page shares: links to nodes, navigation, footnotes.

Each piece of markup made here escapes every value it contains before it is marked safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from nephrokb.knowledge.model import SourceLine
from nephrokb.namespaces import compact
from nephrokb.site.knowledge import VOCABULARY_PAGE, Anchor
from nephrokb.site.vocabulary import Vocabulary, local_name


class Links:
    """Makes links to knowledge nodes, vocabulary terms and outside IRIs, from any page."""

    def __init__(self, anchors: dict[str, Anchor], vocabulary: Vocabulary):
        self.anchors = anchors
        self.vocabulary = vocabulary.terms
        self.openings: dict[str, str] = {}  # IRI -> its escaped `<a href="...">`, or ""

    def href(self, iri: str) -> str | None:
        """Return where the site links for `iri`: its anchor, its vocabulary entry, or itself."""
        if iri in self.anchors:
            return self.anchors[iri].href
        if iri in self.vocabulary:
            return f"{VOCABULARY_PAGE}#{quote(local_name(iri), safe='')}"
        if iri.startswith(("http://", "https://")):
            return iri
        return None

    def node(self, iri: str, label: str | None = None) -> Markup:
        """Return a link to a node, showing its label (or `label`)."""
        text = label or (self.anchors[iri].label if iri in self.anchors else compact(iri))
        return self.anchor(iri, text)

    def term(self, iri: str) -> Markup:
        """Return a link to a term, showing its compact name (nkb:Step) or else its IRI."""
        name = compact(iri)
        return self.anchor(iri, iri if name.startswith("<") else name)

    def anchor(self, iri: str, text: str) -> Markup:
        """Return `<a href>text</a>` for `iri`, or the bare text when there is nowhere to go."""
        opening = self.openings.get(iri)
        if opening is None:
            href = self.href(iri)
            opening = self.openings[iri] = "" if href is None else f'<a href="{escape(href)}">'
        if not opening:
            return escape(text)
        # escape() in an f-string is Markup.format's escaping without its Formatter.
        return Markup(f"{opening}{escape(text)}</a>")


class Navigation:
    """The site's list of links, rendered once; each page only marks its own link current.

    Every page lists every procedure, so rendering the list per page would cost pages times
    procedures template steps.
    """

    def __init__(self, entries: Sequence[tuple[str, str]]):
        item = Markup('<li><a href="{}">{}</a></li>\n')
        self.items = Markup("").join(item.format(href, label) for href, label in entries)

    def for_page(self, page_name: str) -> Markup:
        """Return the list items with `aria-current` on the links to `page_name`."""
        link = Markup('<li><a href="{}">').format(page_name)
        current = Markup('<li><a href="{}" aria-current="page">').format(page_name)
        return Markup(self.items.replace(link, current))


@dataclass
class Footnotes:
    """Numbers a page's source lines in order of first mention, for footnote markers."""

    notes: list[SourceLine] = field(default_factory=list)

    def mark(self, sources: Sequence[SourceLine]) -> Markup:
        """Return the footnote markers of `sources`, each titled with the verbatim line."""
        markers = []
        for line in sources:
            if line not in self.notes:
                self.notes.append(line)
            number = self.notes.index(line) + 1
            markers.append(
                Markup(
                    f'<sup class="note-ref"><a href="#_note-{number}" '
                    f'title="Source line {escape(line.number)}: {escape(line.text)}">'
                    f'<span class="visually-hidden">source note </span>[{number}]</a></sup>'
                )
            )
        return Markup("").join(markers)


@dataclass(frozen=True)
class Page:
    """One HTML file: its name, its template, its title and what the template needs."""

    name: str
    template: str
    title: str
    context: dict[str, Any]
