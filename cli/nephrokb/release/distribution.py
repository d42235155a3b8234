"""Make a release of a nephrokb checkout: check it, stamp its versions, build dist/VERSION/.

plan_release computes everything in memory and writes nothing: the stamped ontology
(owl:versionInfo, owl:versionIRI https://w3id.org/nephrokb/releases/VERSION/vocab.ttl,
owl:priorVersion the version IRI it had), the release node of the knowledge in kb/release.ttl
(https://w3id.org/nephrokb/id/ with its version, version IRI, prior version, dcterms:issued
and licence), the CHANGELOG.md section from the semantic diff against the previous release
tag (or a revision), and the artefacts of dist/VERSION/. write_release then writes them:
the release folder is built beside dist/VERSION/ and renamed into place, the source files
are replaced atomically. Nothing is tagged or pushed: the plan lists the git commands.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from rdflib import OWL as OWL_NS
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from nephrokb.changes.changelog import ComparedWith, prepend_section, render_section
from nephrokb.changes.compare import diff_graphs
from nephrokb.changes.formats import render_kgcl, render_sssom_delta
from nephrokb.editing.fmt import RELATIVE_BASE, format_files, leading_comments
from nephrokb.errors import InputError
from nephrokb.exporters import EXPORTERS
from nephrokb.exporters.sssom import build_mapping_set, write_sssom_tsv
from nephrokb.namespaces import DCTERMS, KB, OWL, PREFIXES, compact
from nephrokb.output import replace_folder, write_output
from nephrokb.rdf.git_revisions import load_revision, resolve_revision, run_git
from nephrokb.rdf.loading import load_graph
from nephrokb.rdf.parsing import describe_parse_error, error_line
from nephrokb.rdf.sources import read_text
from nephrokb.release.w3id import FHIR_FILE, KNOWLEDGE_FILE, SSSOM_FILE, VOCABULARY_FILE, htaccess
from nephrokb.site import render_site
from nephrokb.site.landing import render_landing_pages
from nephrokb.turtle.canonical import serialize_canonical
from nephrokb.validation.engine import validate

if TYPE_CHECKING:
    from nephrokb.changes.compare import KnowledgeDiff

# Semantic Versioning 2.0.0, the regular expression semver.org recommends.
SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
RELEASES = "https://w3id.org/nephrokb/releases/"
KNOWLEDGE_NODE = KB  # the knowledge as a whole; also the named graph `publish` replaces
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
KNOWLEDGE_TITLE = "nephrokb knowledge base"
ONTOLOGY_FILE = "ontology/nephrokb.ttl"
RELEASE_FILE = "kb/release.ttl"
RELEASE_HEADER = "# The release of the knowledge: written by `nephrokb release`, not by hand."
CHANGELOG_FILE = "CHANGELOG.md"
DIST_FOLDER = "dist"
CHECKSUMS_FILE = "SHA256SUMS"
CHECKED_FOLDERS = ("kb", "ontology", "shapes")


@dataclass(frozen=True)
class Version:
    """A semantic version, ordered by precedence (build metadata ignored)."""

    text: str

    def key(self) -> tuple:
        match = SEMVER.fullmatch(self.text)
        assert match is not None
        major, minor, patch, prerelease, _ = match.groups()
        parts = (
            ()
            if prerelease is None
            else tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in prerelease.split("."))
        )
        # A version without a prerelease ranks above any prerelease of it.
        return (int(major), int(minor), int(patch), prerelease is None, parts)


def parse_version(text: str) -> Version:
    """Return the Version `text` names, or raise InputError when it is not semantic."""
    if not SEMVER.fullmatch(text):
        raise InputError(
            f"{text!r} is not a semantic version: MAJOR.MINOR.PATCH, such as 0.2.0 "
            "(https://semver.org)"
        )
    return Version(text)


@dataclass(frozen=True)
class PreviousRelease:
    """What a release is compared with: a tag vX.Y.Z (its version known) or a revision."""

    name: str
    commit: str
    version: Version | None


@dataclass(frozen=True)
class ReleasePlan:
    """Everything a release writes, by path relative to the checkout, and how to publish it."""

    version: str
    issued: str
    root: Path
    previous: PreviousRelease | None
    diff: KnowledgeDiff | None
    changelog_section: str
    sources: dict[str, bytes]
    artefacts: dict[str, bytes]
    stamps: tuple[str, ...]

    @property
    def dist(self) -> str:
        """The release folder, relative to the checkout."""
        return f"{DIST_FOLDER}/{self.version}"

    def git_commands(self) -> list[str]:
        """The commands that commit, tag and push the release (nephrokb runs none of them)."""
        tag = f"v{self.version}"
        return [
            f"git add {' '.join(sorted(self.sources))}",
            f'git commit -m "Release {self.version}"',
            f'git tag -a {tag} -m "nephrokb {self.version}"',
            f"git push --atomic origin HEAD {tag}",
        ]


def release_tags(root: Path) -> list[tuple[Version, str]]:
    """Return the tags vX.Y.Z reachable from HEAD, with their versions, newest first."""
    names = run_git(["tag", "--list", "v*", "--merged", "HEAD"], root).decode().split()
    tags = [(Version(name[1:]), name) for name in names if SEMVER.fullmatch(name[1:])]
    return sorted(tags, key=lambda tag: tag[0].key(), reverse=True)


def previous_release(root: Path, since: str | None) -> PreviousRelease | None:
    """The release to compare with: `since`, else the newest release tag, else None."""
    if since is not None:
        version = since[1:] if since.startswith("v") and SEMVER.fullmatch(since[1:]) else None
        commit = resolve_revision(root, since)
        return PreviousRelease(since, commit, Version(version) if version else None)
    tags = release_tags(root)
    if not tags:
        return None
    version, name = tags[0]
    return PreviousRelease(name, resolve_revision(root, name), version)


def release_blocker(root: Path) -> str | None:
    """Say in one line why the checkout cannot be released (not canonical, not conforming)."""
    folders = [root / name for name in CHECKED_FOLDERS]
    changed = [result.path for result in format_files(folders, check=True) if result.changed]
    if changed:
        names = ", ".join(str(path.relative_to(root)) for path in changed)
        return f"not in canonical form: {names} (run 'nephrokb fmt')"
    report = validate([root / "kb"], only_shapes=[root / "shapes"])
    if report.failed():
        count = report.count("Violation")
        return (
            f"the knowledge does not conform: {count} violation{'' if count == 1 else 's'} "
            "(run 'nephrokb validate')"
        )
    return None


def plan_release(
    root: Path, version_text: str, *, since: str | None = None, issued: date | None = None
) -> ReleasePlan:
    """Compute a release of the checkout at `root` without writing anything.

    Raises InputError when the version is not semantic or not newer than the previous
    release, or when its tag or release folder already exists.
    """
    version = parse_version(version_text)
    issued_text = (issued or date.today()).isoformat()
    previous = previous_release(root, since)
    if previous and previous.version and previous.version.key() >= version.key():
        raise InputError(f"{version.text} is not newer than the last release {previous.name}")
    if run_git(["tag", "--list", f"v{version.text}"], root).strip():
        raise InputError(f"the tag v{version.text} already exists")
    if (root / DIST_FOLDER / version.text).exists():
        raise InputError(
            "already exists; remove it to build the release again",
            path=str(root / DIST_FOLDER / version.text),
        )

    ontology_path = root / ONTOLOGY_FILE
    ontology_text, ontology = stamp_ontology(ontology_path, version.text)
    knowledge_files = [p for p in sorted((root / "kb").glob("*.ttl")) if p.name != "release.ttl"]
    knowledge = load_graph(knowledge_files)
    release_text, release_graph = release_node(root / RELEASE_FILE, version.text, issued_text)
    diff = knowledge_diff(root, previous, knowledge)
    section = render_section(
        diff,
        version.text,
        issued_text,
        ComparedWith(previous.name, previous.commit) if previous else None,
        ontology,
    )
    changelog_path = root / CHANGELOG_FILE
    changelog = changelog_path.read_text(encoding="utf-8") if changelog_path.exists() else None
    sources = {
        ONTOLOGY_FILE: ontology_text.encode("utf-8"),
        RELEASE_FILE: release_text.encode("utf-8"),
        CHANGELOG_FILE: prepend_section(changelog, section).encode("utf-8"),
    }
    artefacts = build_artefacts(
        version.text, knowledge + release_graph, ontology, ontology_text, diff, section
    )
    stamps = (
        *version_stamps(ONTOLOGY_FILE, ontology),
        *version_stamps(RELEASE_FILE, release_graph),
    )
    return ReleasePlan(
        version=version.text,
        issued=issued_text,
        root=root,
        previous=previous,
        diff=diff,
        changelog_section=section,
        sources=dict(sorted(sources.items())),
        artefacts=artefacts,
        stamps=stamps,
    )


def version_stamps(relative: str, graph: Graph) -> list[str]:
    """Say which version facts a stamped file holds, one line each, for the dry run."""
    facts = (OWL + "versionInfo", OWL + "versionIRI", OWL + "priorVersion", DCTERMS + "issued")
    return [
        f"{relative}: {compact(str(subject))} {compact(predicate)} {value.n3()}"
        for predicate in facts
        for subject, value in sorted(graph.subject_objects(URIRef(predicate)))
    ]


def knowledge_diff(
    root: Path, previous: PreviousRelease | None, knowledge: Graph
) -> KnowledgeDiff | None:
    """The semantic diff of kb/ since the previous release, the release node left out."""
    if previous is None:
        return None
    old = load_revision(root, previous.commit, ["kb"])
    old.remove((URIRef(KNOWLEDGE_NODE), None, None))
    return diff_graphs(old, knowledge)


class StampedTurtle(NamedTuple):
    """A file of a release: its canonical Turtle and its graph."""

    text: str
    graph: Graph


def stamp_ontology(path: Path, version: str) -> StampedTurtle:
    """Return the ontology file stamped with the release version, as canonical Turtle."""
    graph, text = parse_turtle(path)
    ontologies = sorted(graph.subjects(RDF.type, OWL_NS.Ontology))
    if len(ontologies) != 1:
        raise InputError(
            f"holds {len(ontologies)} owl:Ontology nodes; a release needs one", path=str(path)
        )
    ontology = ontologies[0]
    version_iri = URIRef(f"{RELEASES}{version}/{VOCABULARY_FILE}.ttl")
    prior = graph.value(ontology, OWL_NS.versionIRI)
    for predicate in (OWL_NS.versionInfo, OWL_NS.versionIRI, OWL_NS.priorVersion):
        graph.remove((ontology, predicate, None))
    graph.add((ontology, OWL_NS.versionInfo, Literal(version)))
    graph.add((ontology, OWL_NS.versionIRI, version_iri))
    if prior is not None and prior != version_iri:
        graph.add((ontology, OWL_NS.priorVersion, prior))
    return StampedTurtle(canonical_text(graph, text), graph)


def release_node(path: Path, version: str, issued: str) -> StampedTurtle:
    """Return kb/release.ttl for this release: the knowledge node with its release facts."""
    node = URIRef(KNOWLEDGE_NODE)
    prior = None
    if path.exists():
        prior = parse_turtle(path).graph.value(node, OWL_NS.versionIRI)
    version_iri = URIRef(f"{RELEASES}{version}/{KNOWLEDGE_FILE}.ttl")
    dcterms, schema = Namespace(DCTERMS), Namespace(PREFIXES["schema"])
    graph = Graph()
    graph.add((node, RDF.type, schema.Dataset))
    graph.add((node, RDFS.label, Literal(KNOWLEDGE_TITLE, lang="en")))
    graph.add((node, dcterms.title, Literal(KNOWLEDGE_TITLE, lang="en")))
    graph.add((node, dcterms.issued, Literal(issued, datatype=XSD.date)))
    graph.add((node, dcterms.license, URIRef(LICENSE)))
    graph.add((node, OWL_NS.versionInfo, Literal(version)))
    graph.add((node, OWL_NS.versionIRI, version_iri))
    if prior is not None and prior != version_iri:
        graph.add((node, OWL_NS.priorVersion, prior))
    return StampedTurtle(canonical_text(graph, RELEASE_HEADER + "\n"), graph)


class ParsedTurtle(NamedTuple):
    """A Turtle file's graph and its text."""

    graph: Graph
    text: str


def parse_turtle(path: Path) -> ParsedTurtle:
    """Parse a Turtle file as fmt does; return the graph and the file's text."""
    text = read_text(path)
    graph = Graph(bind_namespaces="none")
    try:
        graph.parse(data=text, format="turtle", publicID=RELATIVE_BASE)
    except Exception as error:  # any parser failure: the file cannot be stamped
        raise InputError(
            describe_parse_error(error), path=str(path), line=error_line(error, text)
        ) from None
    return ParsedTurtle(graph, text)


def canonical_text(graph: Graph, text: str) -> str:
    """Serialize `graph` canonically, keeping the comment block that opens `text`."""
    prefixes = {**{p: str(ns) for p, ns in graph.namespaces()}, **PREFIXES}
    return serialize_canonical(graph, prefixes, header=leading_comments(text), base=RELATIVE_BASE)


def build_artefacts(
    version: str,
    knowledge: Graph,
    ontology: Graph,
    ontology_text: str,
    diff: KnowledgeDiff | None,
    section: str,
) -> dict[str, bytes]:
    """Return every file of dist/VERSION/ by relative path, SHA256SUMS last."""
    mapping_set = build_mapping_set(knowledge)
    mapping_set.metadata["mapping_set_version"] = version
    files = {
        f"{KNOWLEDGE_FILE}.ttl": EXPORTERS["turtle"](knowledge),
        f"{KNOWLEDGE_FILE}.nt": EXPORTERS["nt"](knowledge),
        f"{KNOWLEDGE_FILE}.jsonld": EXPORTERS["jsonld"](knowledge),
        f"{VOCABULARY_FILE}.ttl": ontology_text.encode("utf-8"),
        f"{VOCABULARY_FILE}.nt": EXPORTERS["nt"](ontology),
        f"{VOCABULARY_FILE}.jsonld": EXPORTERS["jsonld"](ontology),
        SSSOM_FILE: write_sssom_tsv(mapping_set),
        FHIR_FILE: EXPORTERS["fhir"](knowledge),
        "CHANGES.md": section.encode("utf-8"),
        ".htaccess": htaccess(version).encode("utf-8"),
    }
    if diff is not None:
        files["changes.kgcl"] = render_kgcl(diff).encode("utf-8")
        files["changes.sssom.tsv"] = render_sssom_delta(
            diff, mapping_set_id=f"{RELEASES}{version}/changes.sssom.tsv", version=version
        ).encode("utf-8")
    site = {**render_site(knowledge, ontology), **render_landing_pages(knowledge, ontology)}
    for relative, content in site.items():
        files[f"site/{relative}"] = content
    files = dict(sorted(files.items()))
    files[CHECKSUMS_FILE] = checksums(files)
    return files


def checksums(files: dict[str, bytes]) -> bytes:
    """Return a SHA256SUMS file that `sha256sum -c` checks, one line per file, sorted."""
    lines = [f"{hashlib.sha256(content).hexdigest()}  {name}\n" for name, content in files.items()]
    return "".join(sorted(lines, key=lambda line: line[66:])).encode("utf-8")


def write_release(plan: ReleasePlan) -> None:
    """Write dist/VERSION/ (built beside it, then renamed into place) and the source files,
    each replaced atomically (nephrokb.output)."""
    replace_folder(plan.root / plan.dist, plan.artefacts)
    for relative, content in plan.sources.items():
        write_output(plan.root / relative, content)
