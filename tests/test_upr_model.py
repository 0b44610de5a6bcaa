"""The UPR model (docs/upr.md): the end-to-end example of the docs validates and quotes the real
Word file; the UHRI, groups-of-persons and SDG vocabularies hold everything the two real lists
use; the states of the lists resolve to registry states."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SKOS

from conftest import REPO
from hrgraph.states import resolve_state
from hrgraph.upr_docx import UprList, read_upr
from hrgraph.validate import validate_files
from shacl_support import repo_project, results

HRG = rdflib.Namespace("https://w3id.org/hrgraph/ontology#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
HRV = "https://w3id.org/hrgraph/vocab/"
DOC = REPO / "docs" / "upr.md"
SECOND = REPO / "data" / "sources" / "upr" / "UPR20__Slovenia_ThematicListRecommendations_E.docx"
THIRD = REPO / "data" / "sources" / "upr" / "UPR34_Slovenia_Thematic_list_of_Recommendations.docx"
EXAMPLE_DEMAND = rdflib.URIRef("https://w3id.org/hrgraph/id/demand/upr-slovenia-cycle-2-115.3")


def example_turtle() -> str:
    blocks = re.findall(r"```turtle\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "docs/upr.md shows one recommendation end to end"
    return blocks[0]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("upr-doc") / "upr-example.ttl"
    path.write_text(example_turtle(), encoding="utf-8")
    return path


@cache
def upr_list(path: Path) -> UprList:
    return read_upr(path)


@cache
def vocabulary() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted((REPO / "ontology" / "vocabularies").glob("*.ttl")):
        graph.parse(path)
    return graph


def test_the_docs_example_validates_in_the_project(example: Path) -> None:
    report = validate_files(repo_project(), [example])
    found = results(report)
    # nothing, not even a warning: its group of persons (children) is what it concerns, and a
    # UPR report is not asked for signatories (docs/upr.md, "What the recommended shapes ask")
    assert found == set()


def test_the_docs_example_is_the_real_row(example: Path) -> None:
    graph = rdflib.Graph().parse(example)
    row = next(r for r in upr_list(SECOND).recommendations if r.number == "115.3")
    selector = graph.value(graph.value(EXAMPLE_DEMAND, HRG.quotedFrom), OA.hasSelector)
    exact, prefix, suffix = (str(graph.value(selector, p)) for p in (OA.exact, OA.prefix,
                                                                      OA.suffix))
    assert str(graph.value(EXAMPLE_DEMAND, HRG.quote)) == exact == row.wordings[0].text
    assert f"{prefix}{exact}{suffix}" in f"{row.number} {row.text}"
    assert str(graph.value(EXAMPLE_DEMAND, SKOS.notation)) == row.number
    makers = {str(s) for s in graph.objects(EXAMPLE_DEMAND, HRG.recommendedBy)}
    assert makers == {resolve_state(name, REPO) for name in row.states}
    response = graph.value(None, HRG.positionOn, EXAMPLE_DEMAND)
    assert str(graph.value(response, HRG.positionValue)).endswith("/" + row.position_kind)
    citation = graph.value(response, HRG.positionSource)
    assert row.source is not None
    assert str(graph.value(citation, HRG.citedAs)) == row.source.text
    themes = {(t.code, t.label) for t in row.themes}
    assert {(str(vocabulary().value(t, SKOS.notation)), str(vocabulary().value(t, SKOS.prefLabel)))
            for t in graph.objects(EXAMPLE_DEMAND, HRG.uhriTheme)} == themes
    persons = {str(vocabulary().value(p, SKOS.prefLabel))
               for p in graph.objects(EXAMPLE_DEMAND, HRG.affectedPersons)}
    assert persons == {p.lower() for p in row.affected_persons}


def _labels(scheme: str) -> dict[str, rdflib.URIRef]:
    graph = vocabulary()
    found: dict[str, rdflib.URIRef] = {}
    for concept in graph.subjects(SKOS.inScheme, rdflib.URIRef(HRV + scheme)):
        for predicate in (SKOS.prefLabel, SKOS.altLabel):
            for label in graph.objects(concept, predicate):
                found[str(label).casefold()] = concept
    return found


def test_every_theme_of_the_2nd_cycle_list_is_in_its_scheme() -> None:
    graph = vocabulary()
    codes = {str(graph.value(c, SKOS.notation)): str(graph.value(c, SKOS.prefLabel))
             for c in graph.subjects(SKOS.inScheme, rdflib.URIRef(HRV + "uhri-theme-2"))}
    listed = upr_list(SECOND)
    themes = {t for r in listed.recommendations for t in r.themes} | set(listed.groups)
    assert themes and all(t.code for t in themes)
    assert {t.code: t.label.strip() for t in themes} == codes  # exactly those, labels as written


def test_every_theme_of_the_3rd_cycle_list_is_in_its_scheme() -> None:
    listed = upr_list(THIRD)
    themes = {t for r in listed.recommendations for t in r.themes} | set(listed.groups)
    assert themes and not any(t.code for t in themes)
    labels = _labels("uhri-theme-3")
    assert {t.label.strip().casefold() for t in themes} <= set(labels)
    assert len({labels[t.label.strip().casefold()] for t in themes}) == len(
        set(vocabulary().subjects(SKOS.inScheme, rdflib.URIRef(HRV + "uhri-theme-3"))))


def test_every_group_of_persons_is_one_concept_whatever_its_case() -> None:
    labels = _labels("uhri-persons")
    for path in (SECOND, THIRD):
        for row in upr_list(path).recommendations:
            for group in row.affected_persons:
                if group.casefold() == "general":
                    assert group.casefold() not in labels  # not a group
                else:
                    assert group.casefold() in labels, (path.name, row.number, group)
    assert labels["children"] == labels["Children".casefold()]


def test_every_sdg_of_the_3rd_cycle_list_is_its_goal() -> None:
    graph = vocabulary()
    sdgs = {s for r in upr_list(THIRD).recommendations for s in r.sdgs}
    assert sdgs
    for sdg in sdgs:
        concept = rdflib.URIRef(f"{HRV}sdg/{sdg.goal}")
        assert str(graph.value(concept, SKOS.notation)) == str(sdg.goal)
        if sdg.label:
            assert str(graph.value(concept, SKOS.prefLabel)).upper() == sdg.label.upper()
    assert len(set(graph.subjects(SKOS.inScheme, rdflib.URIRef(HRV + "sdg")))) == 17


def test_every_recommending_state_of_both_lists_is_in_the_registry() -> None:
    for path in (SECOND, THIRD):
        names = {s for r in upr_list(path).recommendations for s in r.states}
        assert names
        for name in names:
            assert resolve_state(name, REPO)


def test_the_uhri_schemes_invent_no_hierarchy_and_their_matches_exist() -> None:
    graph = vocabulary()
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    for scheme in ("uhri-theme-2", "uhri-theme-3", "uhri-persons", "sdg"):
        members = set(graph.subjects(SKOS.inScheme, rdflib.URIRef(HRV + scheme)))
        assert members
        for concept in members:
            assert (concept, SKOS.broader, None) not in graph, concept
            assert (concept, SKOS.topConceptOf, rdflib.URIRef(HRV + scheme)) in graph
            for match in (SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch):
                for target in graph.objects(concept, match):
                    assert target in concepts, (concept, target)
    # curated across versions and to the project's topics
    uhri2 = rdflib.Namespace(HRV + "uhri-theme-2/")
    assert (uhri2.A41, SKOS.closeMatch,
            rdflib.URIRef(HRV + "uhri-theme-3/constitutional-and-legislative-framework")) in graph
    assert (uhri2.D43, SKOS.closeMatch,
            rdflib.URIRef(HRV + "topic/freedom-of-expression-and-media")) in graph
