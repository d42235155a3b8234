"""`nephrokb export --format fhir`: a FHIR R5 Bundle fhir.resources accepts, with exact counts."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner
from rdflib import URIRef

from conftest import FIXTURES, interop
from nephrokb.cli import main
from nephrokb.exporters.fhir import DEPENDS_ON_STEP_EXTENSION, export_fhir
from nephrokb.exporters.fhir_coding import CODE_SYSTEM_URL
from nephrokb.exporters.fhir_terminology import RELATIONSHIPS
from nephrokb.knowledge.mappings import read_mappings
from nephrokb.knowledge.model import read_procedures
from nephrokb.namespaces import KB, VOCAB
from nephrokb.rdf.loading import load_graph
from nephrokb.resources import bundled_folder
from nephrokb.terminologies import TERMINOLOGIES

MINIMAL = FIXTURES / "clean" / "minimal.ttl"
SNOMED_SYSTEM = TERMINOLOGIES["SCTID"].fhir_system


def export(*args: str) -> dict:
    result = CliRunner().invoke(main, ["export", "--format", "fhir", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout_bytes)


@pytest.fixture(scope="module")
def bundle() -> dict:
    return export()


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def codings(value) -> list[dict]:
    """Return every Coding-like object (a dict with system and code) anywhere in `value`."""
    found = []
    if isinstance(value, dict):
        if "system" in value and "code" in value:
            found.append(value)
        for item in value.values():
            found += codings(item)
    elif isinstance(value, list):
        for item in value:
            found += codings(item)
    return found


def test_fhir_resources_reads_the_bundle_without_errors(bundle):
    parsed = interop("fhir.resources.bundle").Bundle.model_validate(bundle)
    assert [entry.resource.get_resource_type() for entry in parsed.entry] == [
        "CodeSystem",
        "PlanDefinition",
        "PlanDefinition",
        *["ActivityDefinition"] * 15,
        *["Citation"] * 14,
        "ConceptMap",
    ]
    assert parsed.type == "collection"


def test_minimal_fixture_gives_a_valid_bundle_with_an_empty_concept_map():
    document = export("--data", str(MINIMAL))
    interop("fhir.resources.bundle").Bundle.model_validate(document)
    assert len(resources(document, "PlanDefinition")) == 2
    assert "group" not in resources(document, "ConceptMap")[0]  # FHIR JSON has no empty array


def test_full_urls_and_canonical_urls_agree_with_ids(bundle):
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"].endswith(f"/{resource['resourceType']}/{resource['id']}")
        assert resource["url"] == entry["fullUrl"]


def test_one_action_per_step_in_step_order(bundle, bundled_graph):
    plans = {plan["title"]: plan for plan in resources(bundle, "PlanDefinition")}
    procedures = read_procedures(bundled_graph)
    assert sorted(plans) == sorted(procedure.label for procedure in procedures)
    for procedure in procedures:
        actions = plans[procedure.label]["action"]
        assert len(actions) == len(procedure.steps)
        assert [action["prefix"] for action in actions] == [f"{s.number}." for s in procedure.steps]
        assert [action["code"]["coding"][0]["code"] for action in actions] == [
            s.iri.removeprefix(KB) for s in procedure.steps
        ]
    assert {label: len(plan["action"]) for label, plan in plans.items()} == {
        "Percutaneous nephrostomy": 10,
        "Antegrade double-J ureteral stent placement": 6,
    }


def test_every_depends_on_is_a_related_action_or_the_cross_procedure_extension(
    bundle, bundled_graph
):
    depends_on = list(bundled_graph.subject_objects(URIRef(VOCAB + "dependsOn")))
    actions = [a for plan in resources(bundle, "PlanDefinition") for a in plan["action"]]
    related = [r for action in actions for r in action.get("relatedAction", [])]
    extensions = [
        e
        for action in actions
        for e in action.get("extension", [])
        if e["url"] == DEPENDS_ON_STEP_EXTENSION
    ]
    assert len(related) + len(extensions) == len(depends_on) == 18
    assert len(extensions) == 1
    assert extensions[0]["valueCoding"]["code"] == "pcn-dilate-tract"
    assert {r["relationship"] for r in related} == {"after-end"}


def test_the_dependency_graph_of_the_export_is_that_of_the_knowledge(bundle, bundled_graph):
    depends_on = {
        (str(step), str(target))
        for step, target in bundled_graph.subject_objects(URIRef(VOCAB + "dependsOn"))
    }
    exported = set()
    for plan in resources(bundle, "PlanDefinition"):
        for action in plan["action"]:
            step = KB + action["code"]["coding"][0]["code"]
            exported |= {
                (step, KB + related["targetId"])
                for related in action.get("relatedAction", [])
                if related["relationship"] == "after-end"
            }
            exported |= {
                (step, KB + extension["valueCoding"]["code"])
                for extension in action.get("extension", [])
                if extension["url"] == DEPENDS_ON_STEP_EXTENSION
            }
    assert exported == depends_on


def test_steps_using_devices_or_substances_are_activity_definitions(bundle, bundled_graph):
    activities = {a["url"]: a for a in resources(bundle, "ActivityDefinition")}
    uses = {"usesDevice": {}, "usesSubstance": {}}
    for name, found in uses.items():
        for step, target in bundled_graph.subject_objects(URIRef(VOCAB + name)):
            found.setdefault(str(step), set()).add(str(target))
    actions = [a for plan in resources(bundle, "PlanDefinition") for a in plan["action"]]
    defined = {
        KB + a["code"]["coding"][0]["code"]: a for a in actions if "definitionCanonical" in a
    }
    assert set(defined) == set(uses["usesDevice"]) | set(uses["usesSubstance"])
    assert len(defined) == 13
    for step, action in defined.items():
        activity = activities[action["definitionCanonical"]]
        assert (activity["kind"], activity["code"]) == ("ServiceRequest", action["code"])
        devices = {
            KB + p["typeReference"]["identifier"]["value"] for p in activity.get("participant", [])
        }
        assert devices == uses["usesDevice"].get(step, set())
        substances = {
            KB + activities[r["resource"]]["productCodeableConcept"]["coding"][0]["code"]
            for r in activity.get("relatedArtifact", [])
            if r["type"] == "composed-of"
        }
        assert substances == uses["usesSubstance"].get(step, set())
    assert sorted(a["id"] for a in activities.values() if a["kind"] == "MedicationRequest") == [
        "contrast-medium",
        "local-anaesthetic",
    ]


def test_each_plan_is_derived_from_its_source_document(bundle):
    for plan in resources(bundle, "PlanDefinition"):
        derived = [r for r in plan["relatedArtifact"] if r["type"] == "derived-from"]
        assert derived == [
            {
                "type": "derived-from",
                "display": "Source text on percutaneous nephrostomy and antegrade double-J "
                "ureteral stenting",
            }
        ]


def test_related_actions_target_actions_of_the_same_plan(bundle):
    for plan in resources(bundle, "PlanDefinition"):
        ids = {action["id"] for action in plan["action"]}
        assert ids == {action["linkId"] for action in plan["action"]}
        for action in plan["action"]:
            for related in action.get("relatedAction", []):
                assert related["targetId"] in ids


def test_conditional_steps_have_an_applicability_condition(bundle, bundled_graph):
    conditions = {
        str(step).removeprefix(KB): str(text)
        for step, text in bundled_graph.subject_objects(URIRef(VOCAB + "condition"))
    }
    found = {}
    for plan in resources(bundle, "PlanDefinition"):
        for action in plan["action"]:
            for condition in action.get("condition", []):
                assert condition["kind"] == "applicability"
                assert condition["expression"]["language"] == "text/plain"
                found[action["id"]] = condition["expression"]["description"]
    assert found == conditions
    assert len(found) == 2


def test_indications_are_use_contexts_and_reliance_a_related_artifact(bundle, bundled_graph):
    procedures = {p.label: p for p in read_procedures(bundled_graph)}
    for plan in resources(bundle, "PlanDefinition"):
        procedure = procedures[plan["title"]]
        contexts = plan.get("useContext", [])
        assert {c["code"]["code"] for c in contexts} == {"focus"}
        assert [c["valueCodeableConcept"]["coding"][0]["code"] for c in contexts] == [
            indication.iri.removeprefix(KB) for indication in procedure.indications
        ]
        assert len(plan.get("goal", [])) == len(procedure.benefits)
        depends_on = [a for a in plan.get("relatedArtifact", []) if a["type"] == "depends-on"]
        assert [a["resource"].rsplit("/", 1)[1] for a in depends_on] == [
            reference.iri.removeprefix(KB) for reference in procedure.relies_on
        ]


def test_procedures_are_coded_with_our_code_and_snomed_ct_without_display(bundle):
    topics = {
        plan["id"]: plan["topic"][0]["coding"] for plan in resources(bundle, "PlanDefinition")
    }
    assert topics["percutaneous-nephrostomy"][0]["system"] == CODE_SYSTEM_URL
    assert {"system": SNOMED_SYSTEM, "code": "313270001"} in topics["percutaneous-nephrostomy"]
    assert {"system": SNOMED_SYSTEM, "code": "428817001"} in topics[
        "antegrade-ureteral-stent-placement"
    ]


def test_no_snomed_ct_or_umls_coding_carries_a_display(bundle):
    licensed = {SNOMED_SYSTEM, TERMINOLOGIES["UMLS"].fhir_system}
    for plan in resources(bundle, "PlanDefinition"):
        for coding in codings(plan):
            if coding["system"] in licensed:
                assert "display" not in coding
    for group in resources(bundle, "ConceptMap")[0]["group"]:
        if group["target"] in licensed:
            assert all("display" not in t for e in group["element"] for t in e["target"])


def test_code_system_holds_every_code_the_bundle_uses(bundle):
    (code_system,) = resources(bundle, "CodeSystem")
    codes = [concept["code"] for concept in code_system["concept"]]
    assert codes == sorted(set(codes))
    assert code_system["count"] == len(codes) == 92
    used = {c["code"] for c in codings(bundle) if c["system"] == CODE_SYSTEM_URL}
    for group in resources(bundle, "ConceptMap")[0]["group"]:
        used |= {element["code"] for element in group["element"]}
    assert used <= set(codes)


def test_concept_map_has_a_target_per_mapping_grouped_by_fhir_system(bundle, bundled_graph):
    mappings = read_mappings(bundled_graph)
    (concept_map,) = resources(bundle, "ConceptMap")
    groups = concept_map["group"]
    assert [g["target"] for g in groups] == sorted({m.terminology.fhir_system for m in mappings})
    assert {g["source"] for g in groups} == {CODE_SYSTEM_URL}
    targets = [
        (g["target"], element["code"], target["code"], target["relationship"])
        for g in groups
        for element in g["element"]
        for target in element["target"]
    ]
    assert len(targets) == len(mappings) == 86
    assert Counter(targets) == Counter(
        (
            m.terminology.fhir_system,
            m.subject.removeprefix(KB),
            m.object.removeprefix(m.terminology.namespace),
            RELATIONSHIPS[m.predicate],
        )
        for m in mappings
    )
    elements = [(g["target"], e["code"]) for g in groups for e in g["element"]]
    assert (
        len(elements)
        == len(set(elements))
        == len({(m.terminology.fhir_system, m.subject) for m in mappings})
    )


def test_concept_map_targets_carry_justification_and_confidence(bundle):
    (concept_map,) = resources(bundle, "ConceptMap")
    assert concept_map["property"][0]["code"] == "confidence"
    for group in concept_map["group"]:
        for element in group["element"]:
            for target in element["target"]:
                assert target["comment"].startswith("Justification: semapv:ManualMappingCuration.")
                (confidence,) = target["property"]
                assert 0 < confidence["valueDecimal"] <= 1


def test_relationships_follow_the_r5_crosswalk():
    skos = "http://www.w3.org/2004/02/skos/core#"
    expected = {
        skos + "exactMatch": "equivalent",
        skos + "broadMatch": "source-is-narrower-than-target",
        skos + "narrowMatch": "source-is-broader-than-target",
        skos + "closeMatch": "related-to",
        skos + "relatedMatch": "related-to",
    }
    assert expected == RELATIONSHIPS


def test_output_is_deterministic_with_sorted_keys(bundled_graph):
    first = export_fhir(bundled_graph)
    assert first == export_fhir(load_graph([bundled_folder("kb")]))
    document = json.loads(first)
    expected = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert first.decode("utf-8") == expected


def test_a_mapping_to_an_unknown_terminology_is_one_line_exit_2(tmp_path):
    data = tmp_path / "mondo.ttl"
    data.write_text(
        "@prefix kb: <https://w3id.org/nephrokb/id/> .\n"
        "@prefix nkb: <https://w3id.org/nephrokb/vocab#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix sssom: <https://w3id.org/sssom/> .\n"
        "kb:thing skos:exactMatch <http://purl.obolibrary.org/obo/MONDO_1> .\n"
        "kb:m a nkb:Mapping ; owl:annotatedSource kb:thing ;\n"
        "    owl:annotatedProperty skos:exactMatch ;\n"
        "    owl:annotatedTarget <http://purl.obolibrary.org/obo/MONDO_1> ;\n"
        "    sssom:mapping_justification <https://w3id.org/semapv/vocab/ManualMappingCuration> .\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["export", "--format", "fhir", "--data", str(data)])
    assert result.exit_code == 2
    assert result.output.startswith(
        "nephrokb: error: kb:m maps to <http://purl.obolibrary.org/obo/MONDO_1>, which is in "
        "no terminology with a FHIR system"
    )
    assert result.output.count("\n") == 1


def test_bundle_is_r5_and_not_r4b(bundle):
    from pydantic import ValidationError

    bundle_r4b = interop("fhir.resources.R4B.bundle").Bundle

    with pytest.raises(ValidationError, match="relationship"):
        bundle_r4b.model_validate(bundle)


def test_each_cited_work_is_a_citation_the_plan_definitions_reference(bundle):
    citation = interop("fhir.resources.citation").Citation
    citations = resources(bundle, "Citation")
    assert len(citations) == 14
    for resource in citations:
        citation.model_validate(resource)
    urls = {resource["url"] for resource in citations}
    referenced = {
        artifact["resource"]
        for plan in resources(bundle, "PlanDefinition")
        for artifact in plan.get("relatedArtifact", [])
        if artifact["type"] == "citation"
    }
    assert referenced == urls
    (audit,) = [c for c in citations if c["id"] == "evidence-clin-radiol-2008-uk-nephrostomy-audit"]
    assert audit["citedArtifact"] == {
        "identifier": [
            {"system": "https://doi.org", "value": "10.1016/j.crad.2007.10.021"},
            {"system": "https://pubmed.ncbi.nlm.nih.gov", "value": "18625353"},
        ],
        "note": [{"text": "Curated for nephrokb from its abstract."}],
        "publicationForm": [
            {"articleDate": "2008", "publishedIn": {"title": "Clinical Radiology"}}
        ],
        "title": [
            {
                "text": "The UK nephrostomy audit. Can a voluntary registry produce robust"
                " performance data?"
            }
        ],
        "webLocation": [{"url": "https://doi.org/10.1016/j.crad.2007.10.021"}],
    }


def test_stent_plan_definition_cites_only_its_own_literature(bundle):
    plans = resources(bundle, "PlanDefinition")
    (stent,) = [p for p in plans if p["id"] == "antegrade-ureteral-stent-placement"]
    artifacts = [(a["type"], a["display"]) for a in stent["relatedArtifact"]]
    assert artifacts[0] == ("depends-on", "Percutaneous nephrostomy")
    assert artifacts[1][0] == "derived-from"
    assert [kind for kind, _ in artifacts[2:6]] == ["citation"] * 4
    assert [kind for kind, _ in artifacts[6:]] == ["justification"] * 7
    assert ("citation", "Tubeless antegrade ureteric stenting (Ir J Med Sci 2019)") in artifacts


def justifications(plan: dict) -> list[tuple[str, str, str, str]]:
    """(label, finding code, Citation id, display) of a plan's justification artifacts."""
    return [
        (
            artifact["label"],
            artifact["classifier"][0]["coding"][0]["code"],
            artifact["resource"].rsplit("/", 1)[1],
            artifact["display"],
        )
        for artifact in plan["relatedArtifact"]
        if artifact["type"] == "justification"
    ]


def test_contraindications_and_complications_justify_the_plan_citing_their_evidence(bundle):
    plans = {plan["id"]: plan for plan in resources(bundle, "PlanDefinition")}
    stent = "Measured in all ureteric stents at one centre, most placed around stone surgery, not"
    stent += " in antegrade stents alone; the abstract gives no numerator."
    population = "529 patients with ureteric stents at one tertiary centre, 58.9% placed in the"
    population += " context of stone surgery"
    review = "evidence-eur-radiol-pcn-and-antegrade-stenting-review"
    assert justifications(plans["antegrade-ureteral-stent-placement"]) == [
        (
            "contraindication",
            "contraindication-severe-infection-or-bleeding-without-drainage",
            review,
            "Relative contraindication: Severe infection or bleeding after nephrostomy without"
            " sufficient drainage. Correct first: Secure sufficient concomitant drainage through"
            " the nephrostomy before inserting the stent.",
        ),
        (
            "complication",
            "complication-any-after-antegrade-stenting",
            review,
            "Complication: Complications of antegrade stenting of any kind",
        ),
        (
            "complication",
            "complication-any-after-antegrade-stenting",
            review,
            "Complication: Complications of antegrade stenting of any kind. Complications of"
            " antegrade double-J stent insertion, 2-4%; population: antegrade double-J stent"
            " insertions in the literature the review covers. The review's complication rate for"
            " percutaneous antegrade double-J stent insertion.",
        ),
        (
            "complication",
            "complication-sepsis-with-indwelling-stent",
            "evidence-curr-urol-2018-ureteric-stent-use",
            "Complication: Sepsis with an indwelling ureteric stent",
        ),
        (
            "complication",
            "complication-sepsis-with-indwelling-stent",
            "evidence-curr-urol-2018-ureteric-stent-use",
            "Complication: Sepsis with an indwelling ureteric stent. Sepsis with indwelling"
            f" ureteric stents, 4.3% (of 529); population: {population}. {stent}",
        ),
        (
            "complication",
            "complication-stent-encrustation",
            "evidence-curr-urol-2018-ureteric-stent-use",
            "Complication: Stent encrustation",
        ),
        (
            "complication",
            "complication-stent-encrustation",
            "evidence-curr-urol-2018-ureteric-stent-use",
            "Complication: Stent encrustation. Encrustation of indwelling ureteric stents, 14.5%"
            f" (of 529); population: {population}. {stent}",
        ),
    ]
    pcn = justifications(plans["percutaneous-nephrostomy"])
    dos_and_donts = "evidence-acad-radiol-1999-pcn-dos-and-donts"
    assert [entry for entry in pcn if entry[0] == "contraindication"] == [
        (
            "contraindication",
            f"contraindication-marked-{name}",
            dos_and_donts,
            f"Relative contraindication: Marked {name}. Correct first: Correct the {name} before"
            " the procedure unless it is among the most emergent.",
        )
        for name in ("coagulopathy", "thrombocytopenia")
    ]
    assert (
        "complication",
        "complication-transient-haematuria",
        "evidence-radiographics-2002-pcn-step-by-step",
        "Complication: Transient haematuria after nephrostomy (virtually every patient)",
    ) in pcn


def test_every_finding_and_rate_of_the_literature_is_justified_by_each_work_it_cites(
    bundle, bundled_graph
):
    plans = {plan["id"]: plan for plan in resources(bundle, "PlanDefinition")}
    citations = {resource["url"] for resource in resources(bundle, "Citation")}
    codes = {concept["code"] for concept in resources(bundle, "CodeSystem")[0]["concept"]}
    for procedure in read_procedures(bundled_graph):
        literature = procedure.literature
        plan = plans[procedure.iri.removeprefix(KB)]
        expected = Counter()
        for label, findings in (
            ("contraindication", literature.contraindications),
            ("complication", literature.complications),
        ):
            for finding in findings:
                code = finding.iri.removeprefix(KB)
                for evidence in (finding.evidence, *(rate.evidence for rate in finding.rates)):
                    expected.update((label, code, c.iri.removeprefix(KB)) for c in evidence)
        assert Counter(entry[:3] for entry in justifications(plan)) == expected
        for artifact in plan["relatedArtifact"]:
            assert artifact.get("resource", "") in citations or artifact["type"] != "justification"
        assert {code for _, code, _, _ in justifications(plan)} <= codes
