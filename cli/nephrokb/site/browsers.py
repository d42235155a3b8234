"""Links from a terminology code to the public browser where people can look it up.

The site only links to these pages (a plain <a href>); nothing is fetched when it is built
or viewed. Some browsers need an account (UMLS) or a licence acceptance (SNOMED CT).
"""

from __future__ import annotations

from urllib.parse import quote

from nephrokb.namespaces import PREFIXES
from nephrokb.terminologies import terminology_of

# Terminology prefix -> URL pattern; {code} is the code, {iri} the whole IRI, both quoted.
BROWSER_URLS: dict[str, str] = {
    "SCTID": (
        "https://browser.ihtsdotools.org/?perspective=full&conceptId1={code}"
        "&edition=MAIN&release=&languages=en"
    ),
    "MESH": "https://meshb.nlm.nih.gov/record/ui?ui={code}",
    "ICD10CM": "https://bioportal.bioontology.org/ontologies/ICD10CM?p=classes&conceptid={iri}",
    "ICD10PCS": "https://bioportal.bioontology.org/ontologies/ICD10PCS?p=classes&conceptid={iri}",
    # A UMLS concept IRI is its page in the UTS browser.
    "UMLS": PREFIXES["UMLS"] + "{code}",
}


def browser_url(iri: str) -> str | None:
    """Return the browser page of a terminology concept, or None for an unknown terminology."""
    terminology = terminology_of(iri)
    if terminology is None or terminology.prefix not in BROWSER_URLS:
        return None
    code = iri[len(terminology.namespace) :]
    return BROWSER_URLS[terminology.prefix].format(
        code=quote(code, safe=""), iri=quote(iri, safe="")
    )
