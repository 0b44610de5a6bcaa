"""Entity pages answer first what users ask first (issue 18 item 4), on the test corpus:
organisations' documents signed and their demands, people with roles in them, mechanisms they
run and identifiers; people's roles, demands naming them with their status and the documents
naming them; mechanisms' demands; a demand's status badge and why an assessment can predate it;
inferred statements apart; sources as links with their quality."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from hrgraph.project import Project
from hrgraph.web import create_app

ID = "https://w3id.org/hrgraph/id/"


@pytest.fixture(scope="module")
def client(built_project: Project) -> TestClient:
    return TestClient(create_app(built_project))


def page(client: TestClient, path: str) -> dict:
    response = client.get(f"/id/{path}.json")
    assert response.status_code == 200, path
    return response.json()


def test_an_organisation_shows_the_documents_it_signed_and_their_demands(client) -> None:
    viasna = page(client, "organisation/viasna")["agent"]
    signed = {d["iri"]: d["demands"] for d in viasna["signed"]}
    # the 2016 statement's 26 leaf demands, each with its status
    assert signed == {ID + "document/concerted-position-2016": 26}
    assert len(viasna["signed_demands"]) == sum(signed.values())
    b5 = next(d for d in viasna["signed_demands"]
              if d["iri"] == ID + "demand/concerted-position-2016-c2-3-b5-1")
    assert b5["status"]["label"] == "not met"
    # a role claim names it: Marfa Rabkova, coordinator of its volunteer service
    assert ID + "person/marfa-rabkova" in {h["iri"] for r in viasna["people"] for h in r["holder"]}
    html = client.get("/id/organisation/viasna.html").text
    assert "No roles recorded" not in html and "People with roles in it" in html


def test_an_organisation_shows_its_identifiers_and_the_mechanisms_it_runs(client) -> None:
    viasna = page(client, "organisation/viasna")
    schemes = {i["scheme"] for i in viasna["identifiers"]}
    assert {"VIAF", "ISNI", "Library of Congress"} <= schemes  # no Wikidata item is verified
    council = page(client, "organisation/un-human-rights-council")["agent"]
    assert ID + "mechanism/un-special-rapporteur-belarus" in {m["iri"] for m in council["runs"]}
    html = client.get("/id/organisation/viasna.html").text
    assert 'aria-labelledby="identifiers-heading"' in html


def test_a_person_shows_the_documents_that_name_them_and_the_status(client) -> None:
    alesin = page(client, "person/aliaksandr-alesin")
    agent = alesin["agent"]
    assert {d["iri"] for d in agent["mentioned_in"]} >= {
        ID + "document/concerted-position-2016", ID + "document/open-letter-2015-12-09"}
    assert {(d["iri"], d["status"]["label"]) for d in agent["concerned_by"]} == {
        (ID + "demand/concerted-position-2016-c2-3-b1-1", "partly met"),
        (ID + "demand/open-letter-2015-12-09-r1-1", "partly met")}
    assert agent["roles"]  # journalist, per the statement
    # the sources of the names, as links with their evidence quality
    assert alesin["sources"] and all(s["href"] and s["quality"] for s in alesin["sources"])


def test_a_mechanism_shows_the_demands_about_it(client) -> None:
    mandate = page(client, "mechanism/un-special-rapporteur-belarus")
    assert mandate["kind"] == "mechanism"
    about = {d["iri"] for d in mandate["mechanism"]["concerned_by"]}
    assert ID + "demand/concerted-position-2016-c1-1-1" in about
    assert [o["iri"] for o in mandate["mechanism"]["operated_by"]] == [
        ID + "organisation/un-human-rights-council"]


def test_a_demand_shows_its_status_and_why_an_assessment_predates_it(client) -> None:
    demand = page(client, "demand/concerted-position-2016-c2-3-b1-1")
    assert demand["demand"]["status"]["label"] == "partly met"
    # the KGB suspended the case on 20 January 2016, before the statement of February 2016
    assert [h["before_demand"] for h in demand["demand"]["history"]] == [True]
    html = client.get("/id/demand/concerted-position-2016-c2-3-b1-1.html").text
    assert "Latest status: <strong>" in html
    assert "held already before the document made the demand" in html


def test_inferred_statements_are_shown_apart(client) -> None:
    demand = page(client, "demand/concerted-position-2016-c2-3-b1-1")
    inferred = {s["property"]["iri"] for s in demand["statements"] if s["inferred"]}
    stated = {s["property"]["iri"] for s in demand["statements"] if not s["inferred"]}
    # concerns is implied by concernsPerson; the label is copied from skos:prefLabel
    assert "https://w3id.org/hrgraph/ontology#concerns" in inferred
    assert "https://w3id.org/hrgraph/ontology#concernsPerson" in stated
    html = client.get("/id/demand/concerted-position-2016-c2-3-b1-1.html").text
    stated_part, _, implied_part = html.partition('<details class="inferred">')
    assert 'href="/ontology#concerns"' not in stated_part.split("All statements")[1]
    assert 'href="/ontology#concerns"' in implied_part


def test_a_demand_draws_its_status_timeline(client) -> None:
    # Article 193.1: in force, replaced (2018 or 2019), reinstated in January 2022 (still so)
    demand = page(client, "demand/concerted-position-2016-c2-3-b6-1")["demand"]
    bars = demand["timeline"]["bars"]
    assert [(b["status"], b["open"]) for b in bars] == [
        ("not met", False), ("partly met", False), ("reversed", True)]
    for bar in bars:
        assert 0 <= bar["x0"] <= bar["x1"] <= bar["x2"] <= bar["x3"] <= 600
    # each period starts where the one before may end: 2018 or 2019
    assert bars[1]["x0"] == bars[0]["x2"] and bars[1]["x1"] == bars[0]["x3"]
    assert bars[2]["x3"] == 600  # open: runs to the end of the axis
    html = client.get("/id/demand/concerted-position-2016-c2-3-b6-1.html").text
    assert html.count('class="held"') == 3 and "<figure class=\"timeline\">" in html
    assert page(client, "demand/joint-position-eu-belarus-dialogue-spotlight")["demand"][
        "timeline"] is None  # not assessed: no timeline


def test_pages_count_demands_by_the_rule_of_the_lists(client) -> None:
    """Leaf demands everywhere: an entity's or a concept's count equals the /demands list."""
    eu = page(client, "organisation/european-union")["agent"]
    listed = client.get("/demands.json", params={"addressee": ID + "organisation/european-union"})
    assert len(eu["addressed_by"]) == listed.json()["count"] > 0
    for bar in client.get("/dashboard.json").json()["charts"][0]["bars"]:  # every topic
        concept = client.get(bar["filter_value"].replace("https://w3id.org/hrgraph", "")
                             + ".json").json()["concept"]
        assert concept["count"] == bar["value"], bar["label"]
