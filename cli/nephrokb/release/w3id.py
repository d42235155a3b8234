"""The w3id.org redirect rules of a release: an Apache .htaccess with content negotiation.

The rules are written for the folder that holds a release (dist/VERSION/) served as
https://w3id.org/nephrokb/; their targets are paths in that folder, wherever it is mounted
(the BASE variable holds its URL path), so Apache redirects within it. Each kind of IRI
answers text/turtle, application/ld+json and application/n-triples with the matching file,
and anything else (a browser's text/html) with the site's page:

- the knowledge, https://w3id.org/nephrokb/id/ and every node id/<slug>: nephrokb.ttl, .jsonld,
  .nt, or site/index.html and the node's landing page site/id/<slug>.html;
- the vocabulary, https://w3id.org/nephrokb/vocab (its terms are vocab#Term): vocab.ttl,
  .jsonld, .nt, or site/vocabulary.html;
- the files of this release, releases/VERSION/<file>, and the mapping set
  mappings/nephrokb.sssom.tsv: the file itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from nephrokb.site.knowledge import INDEX_PAGE, VOCABULARY_PAGE
from nephrokb.site.landing import LANDING_FOLDER

SITE_FOLDER = "site"
KNOWLEDGE_FILE = "nephrokb"
VOCABULARY_FILE = "vocab"
SSSOM_FILE = "nephrokb.sssom.tsv"
FHIR_FILE = "nephrokb.fhir.json"
# Media type -> the suffix of the file that answers it, in the order the rules try them.
RDF_MEDIA_TYPES = {
    "text/turtle": ".ttl",
    "application/ld+json": ".jsonld",
    "application/n-triples": ".nt",
}
SLUG = "[A-Za-z0-9][A-Za-z0-9._-]*"


@dataclass(frozen=True)
class NegotiatedIri:
    """A kind of IRI: its path pattern under https://w3id.org/nephrokb/, the RDF file that
    answers it (without suffix) and the page that answers a browser."""

    pattern: str
    rdf_file: str
    html_page: str
    description: str


NEGOTIATED = (
    NegotiatedIri("^id/$", KNOWLEDGE_FILE, f"{SITE_FOLDER}/{INDEX_PAGE}", "the knowledge base"),
    NegotiatedIri(
        f"^id/({SLUG})$",
        KNOWLEDGE_FILE,
        f"{SITE_FOLDER}/{LANDING_FOLDER}/$1.html",
        "a node of the knowledge",
    ),
    NegotiatedIri(
        "^vocab/?$", VOCABULARY_FILE, f"{SITE_FOLDER}/{VOCABULARY_PAGE}", "the vocabulary"
    ),
)


def htaccess(version: str) -> str:
    """Return the .htaccess that resolves nephrokb's IRIs within the release folder."""
    escaped = version.replace(".", r"\.").replace("+", r"\+")
    lines = [
        f"# w3id.org rules for nephrokb {version}, written by `nephrokb release`.",
        "# Serve the release folder as https://w3id.org/nephrokb/ with mod_rewrite and mod_mime.",
        "Options -MultiViews",
        "DirectoryIndex disabled",
        *(f"AddType {media} {suffix}" for media, suffix in RDF_MEDIA_TYPES.items()),
        "AddType text/tab-separated-values .tsv",
        "AddType application/fhir+json .json",
        "AddType text/html .html",
        "AddCharset utf-8 .ttl .nt .jsonld .tsv .json .html",
        "RewriteEngine on",
        "# BASE: the URL path this folder is served at, so targets work wherever it is mounted.",
        "RewriteCond %{REQUEST_URI}::$1 ^(.*?/)(.*)::\\2$",
        "RewriteRule ^(.*)$ - [E=BASE:%1]",
    ]
    for iri in NEGOTIATED:
        lines += ["", f"# {iri.description}"]
        for media, suffix in RDF_MEDIA_TYPES.items():
            lines += [
                f"RewriteCond %{{HTTP_ACCEPT}} {media.replace('+', '[+]')}",
                f"RewriteRule {iri.pattern} %{{ENV:BASE}}{iri.rdf_file}{suffix} [R=303,L]",
            ]
        lines += [f"RewriteRule {iri.pattern} %{{ENV:BASE}}{iri.html_page} [R=303,L]"]
    lines += [
        "",
        "# the files of this release, and the mapping set",
        f"RewriteRule ^releases/{escaped}/(.+)$ %{{ENV:BASE}}$1 [R=302,L]",
        f"RewriteRule ^mappings/{SSSOM_FILE.replace('.', '[.]')}$ %{{ENV:BASE}}{SSSOM_FILE} "
        "[R=302,L]",
    ]
    return "\n".join(lines) + "\n"
