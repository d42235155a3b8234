"""nephrokb.knowledge.mappings: mapping records, agreement with SKOS triples, CURIEs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import URIRef

from conftest import turtle_prefixes
from nephrokb.errors import InputError
from nephrokb.knowledge.mappings import curie_converter, mappings_of, read_mappings
from nephrokb.knowledge.stats import compute_stats
from nephrokb.namespaces import KB, PREFIXES
from nephrokb.rdf.loading import load_graph
from nephrokb.terminologies import TERMINOLOGIES

SKOS = PREFIXES["skos"]

HEADER = turtle_prefixes("kb", "nkb", "owl", "semapv", "skos", "sssom", "xsd", "SCTID", "rdfs")

RECORD = """\
kb:thing rdfs:label "Thing"@en .
kb:mapping-thing a nkb:Mapping ;
    owl:annotatedSource kb:thing ;
    owl:annotatedProperty skos:exactMatch ;
    owl:annotatedTarget SCTID:313270001 ;
    sssom:mapping_justification semapv:ManualMappingCuration ;
    sssom:author_id kb:curators ;
    sssom:mapping_date "2026-01-02"^^xsd:date ;
    sssom:confidence "0.5"^^xsd:double ;
    sssom:see_also <https://example.org/b>, <https://example.org/a> ;
    sssom:comment \"\"\"two
  lines\"\"\" .
"""

TRIPLE = "kb:thing skos:exactMatch SCTID:313270001 .\n"


def graph_of(tmp_path, turtle: str):
    path = tmp_path / "mappings.ttl"
    path.write_text(HEADER + turtle, encoding="utf-8")
    return load_graph([path])


def test_bundled_records_match_the_skos_triples_and_stats(bundled_graph):
    mappings = read_mappings(bundled_graph)
    assert len(mappings) == 86
    per_terminology = Counter(mapping.terminology.name for mapping in mappings)
    stats = compute_stats(bundled_graph).mappings
    assert {name: count for name, count in stats.items() if count} == dict(per_terminology)


def test_bundled_records_are_sorted_and_complete(bundled_graph):
    mappings = read_mappings(bundled_graph)
    keys = [(m.subject, m.predicate, m.object, m.iri) for m in mappings]
    assert keys == sorted(keys)
    for mapping in mappings:
        assert mapping.justification == PREFIXES["semapv"] + "ManualMappingCuration"
        assert mapping.authors == (KB + "nephrokb-curators",)
        assert mapping.date in {"2026-11-27", "2026-12-04"}
        assert 0 < mapping.confidence <= 1
        assert mapping.see_also


def test_a_bundled_record_reads_every_slot(bundled_graph):
    by_iri = {mapping.iri: mapping for mapping in read_mappings(bundled_graph)}
    mapping = by_iri[KB + "mapping-percutaneous-nephrostomy-sctid-313270001"]
    assert mapping.subject == KB + "percutaneous-nephrostomy"
    assert mapping.subject_label == "Percutaneous nephrostomy"
    assert mapping.predicate == SKOS + "exactMatch"
    assert mapping.object == "http://snomed.info/id/313270001"
    assert mapping.object_label is None
    assert mapping.confidence == 0.95
    assert mapping.terminology is TERMINOLOGIES["SCTID"]


def test_snomed_and_umls_targets_carry_no_label(bundled_graph):
    licensed = {TERMINOLOGIES["SCTID"], TERMINOLOGIES["UMLS"]}
    for mapping in read_mappings(bundled_graph):
        if mapping.terminology in licensed:
            assert mapping.object_label is None, mapping.iri


def test_a_record_is_read_with_sorted_values_and_collapsed_text(tmp_path):
    (mapping,) = read_mappings(graph_of(tmp_path, RECORD + TRIPLE))
    assert mapping.see_also == ("https://example.org/a", "https://example.org/b")
    assert mapping.comment == "two lines"
    assert mapping.date == "2026-01-02"
    assert mapping.confidence == 0.5
    assert mapping.authors == (KB + "curators",)


def test_a_triple_without_record_is_refused(tmp_path):
    graph = graph_of(tmp_path, TRIPLE + "kb:other skos:broadMatch SCTID:428817001 .\n")
    with pytest.raises(InputError) as raised:
        read_mappings(graph)
    assert str(raised.value) == (
        "kb:other skos:broadMatch SCTID:428817001 has no nkb:Mapping record with its "
        "justification (run 'nephrokb validate')"
    )


def test_a_nodes_mappings_are_its_share_of_all_records(bundled_graph):
    mappings = read_mappings(bundled_graph)
    subjects = sorted({mapping.subject for mapping in mappings})
    assert len(subjects) > 10
    for subject in subjects:
        expected = tuple(mapping for mapping in mappings if mapping.subject == subject)
        assert mappings_of(bundled_graph, URIRef(subject)) == expected


def test_a_nodes_mappings_are_refused_only_for_its_own_unrecorded_triple(tmp_path):
    graph = graph_of(tmp_path, RECORD + TRIPLE + "kb:other skos:broadMatch SCTID:428817001 .\n")
    (mapping,) = mappings_of(graph, URIRef(KB + "thing"))
    assert mapping.iri == KB + "mapping-thing"
    with pytest.raises(InputError) as raised:
        mappings_of(graph, URIRef(KB + "other"))
    assert str(raised.value) == (
        "kb:other skos:broadMatch SCTID:428817001 has no nkb:Mapping record with its "
        "justification (run 'nephrokb validate')"
    )


def test_a_record_without_its_triple_is_refused(tmp_path):
    with pytest.raises(InputError) as raised:
        read_mappings(graph_of(tmp_path, RECORD))
    assert str(raised.value).startswith(
        "kb:mapping-thing records kb:thing skos:exactMatch SCTID:313270001, which the knowledge"
    )


@pytest.mark.parametrize(
    ("removed", "slot"),
    [
        ("    sssom:mapping_justification semapv:ManualMappingCuration ;\n", "sssom:"),
        ("    owl:annotatedTarget SCTID:313270001 ;\n", "owl:annotatedTarget"),
    ],
)
def test_a_record_missing_a_required_slot_is_refused(tmp_path, removed, slot):
    with pytest.raises(InputError, match=f"needs exactly one IRI as {slot}"):
        read_mappings(graph_of(tmp_path, RECORD.replace(removed, "") + TRIPLE))


def test_a_record_with_a_non_mapping_predicate_is_refused(tmp_path):
    turtle = RECORD.replace(
        "owl:annotatedProperty skos:exactMatch", "owl:annotatedProperty owl:sameAs"
    )
    with pytest.raises(InputError, match="maps with owl:sameAs"):
        read_mappings(graph_of(tmp_path, turtle + "kb:thing owl:sameAs SCTID:313270001 .\n"))


def test_a_non_numeric_confidence_is_refused(tmp_path):
    turtle = RECORD.replace('"0.5"^^xsd:double', '"high"')
    with pytest.raises(InputError, match="which is not a number"):
        read_mappings(graph_of(tmp_path, turtle + TRIPLE))


def test_converter_knows_nephrokb_prefixes_and_terminologies():
    converter = curie_converter()
    assert converter.compress("http://snomed.info/id/313270001") == "SCTID:313270001"
    assert converter.compress(KB + "percutaneous-nephrostomy") == "kb:percutaneous-nephrostomy"
    for terminology in TERMINOLOGIES.values():
        assert converter.expand(f"{terminology.prefix}:X") == terminology.namespace + "X"


def test_converter_adds_prefixes_a_file_binds_without_overriding_ours(tmp_path):
    path = tmp_path / "other.ttl"
    path.write_text(
        "@prefix MONDO: <http://purl.obolibrary.org/obo/MONDO_> .\n"
        "@prefix SCTID: <http://example.org/not-snomed/> .\n"
        "MONDO:0005240 MONDO:p MONDO:o .\n",
        encoding="utf-8",
    )
    converter = curie_converter(load_graph([path]))
    assert converter.expand("MONDO:0005240") == "http://purl.obolibrary.org/obo/MONDO_0005240"
    assert converter.expand("SCTID:1") == "http://snomed.info/id/1"


def test_readme_coverage_table_counts_the_bundled_mappings(bundled_graph):
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Terminology mappings", 1)[1].split("\n## ", 1)[0]
    mappings = read_mappings(bundled_graph)
    columns = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
    for terminology in TERMINOLOGIES.values():
        mine = [m for m in mappings if m.terminology == terminology]
        per_predicate = Counter(m.predicate.removeprefix(SKOS) for m in mine)
        cells = [len({m.subject for m in mine}), len(mine)] + [per_predicate[c] for c in columns]
        row = f"| {terminology.name} | " + " | ".join(map(str, cells)) + " |"
        assert row in section.splitlines(), row
    subjects = len({m.subject for m in mappings})
    assert f"{subjects} local concepts" in section
    assert f"{len(mappings)} mappings" in section
