"""The queries page: each bundled query with its SPARQL text and its results on the knowledge."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from nephrokb.query.results import URI, cell_rows, table_cell
from nephrokb.site.knowledge import QUERIES_PAGE
from nephrokb.site.page_model import Links, Page

if TYPE_CHECKING:
    from nephrokb.query.queries import QueryOutcome
    from nephrokb.query.results import Cell


def queries_page(results: Sequence[tuple[Any, QueryOutcome]], links: Links) -> Page:
    """Each bundled query with its SPARQL text and its results on the knowledge."""
    queries = []
    for query, outcome in results:
        rows = list(cell_rows(outcome)) if outcome.kind == "select" else []
        table = result_rows(rows, links)
        queries.append({"query": query, "outcome": outcome, "count": len(rows), "rows": table})
    return Page(QUERIES_PAGE, "queries.html.j2", "Bundled queries", {"queries": queries})


def result_rows(rows: Sequence[Sequence[Cell | None]], links: Links) -> Markup:
    """Return the table rows of a query's results: a link for each IRI, text for the rest.

    Written here rather than in the template: a results table can have tens of thousands
    of cells, and a template step per cell is most of the site's rendering time.
    """

    cells: dict[Cell | None, str] = {}  # the same terms recur down a column

    def cell(term: Cell | None) -> str:
        html = cells.get(term)
        if html is None:
            text = table_cell(term)
            if term is not None and term.kind == URI and term.value:
                html = cells[term] = f"<td>{links.anchor(term.value, text)}</td>"
            else:
                html = cells[term] = f"<td>{escape(text)}</td>"
        return html

    return Markup("".join(f"<tr>{''.join(cell(term) for term in row)}</tr>\n" for row in rows))
