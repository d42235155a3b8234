"""Releases: versioned distributions, changelogs and persistent-IRI redirects."""
