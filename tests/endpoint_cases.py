"""What the endpoint tests ask of every server, Oxigraph and Virtuoso alike."""

from __future__ import annotations

from nephrokb.query.queries import list_bundled_queries
from nephrokb.query.results import WRITERS

BUNDLED = [bundled.name for bundled in list_bundled_queries()]
SELECT_FORMATS = sorted(WRITERS["select"])
MINIMAL_GRAPH = "http://example.org/minimal"
