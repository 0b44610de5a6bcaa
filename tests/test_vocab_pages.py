"""Pages for the vocabularies and the ontology (issue 18 item 2): every concept and scheme has a
local page under /vocab/, the ontology one page with an anchor per term, the pages' links to the
project's own IRIs stay on the site, and the w3id redirect rules the project ships lead to these
routes."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from conftest import REPO
from hrgraph.project import Project
from hrgraph.web import create_app

VOCAB = "https://w3id.org/hrgraph/vocab/"
ID = "https://w3id.org/hrgraph/id/"
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def client(built_project: Project) -> TestClient:
    return TestClient(create_app(built_project))


def test_a_topic_page_lists_its_demands(client: TestClient) -> None:
    response = client.get("/vocab/topic/death-penalty", headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/vocab/topic/death-penalty.html"
    model = client.get("/vocab/topic/death-penalty.json").json()
    assert model["kind"] == "concept"
    concept = model["concept"]
    # the moratorium demands of the 2016 statement and of the 2015 open letter
    assert [d["iri"] for d in concept["demands"]] == [
        ID + "demand/open-letter-2015-12-09-r5-1", ID + "demand/concerted-position-2016-c2-3-b5-1"]
    assert concept["count"] == 2 and concept["implied_count"] == 0
    assert [b["iri"] for b in concept["broader"]] == [VOCAB + "topic/civil-and-political-rights"]
    assert [o["iri"] for m in concept["matches"] for o in m["objects"]] == [
        "http://www.wikidata.org/entity/Q8454"]
    html = client.get("/vocab/topic/death-penalty.html").text
    assert 'href="/id/demand/concerted-position-2016-c2-3-b5-1"' in html
    assert 'href="/vocab/topic/civil-and-political-rights"' in html
    assert "https://w3id.org/hrgraph/vocab/topic/civil-and-political-rights\"" not in html


def test_a_broad_topic_counts_the_demands_of_its_narrower_ones(client: TestClient) -> None:
    concept = client.get("/vocab/topic/civil-and-political-rights.json").json()["concept"]
    dashboard = client.get("/dashboard.json").json()["charts"][0]["bars"]
    broad = VOCAB + "topic/civil-and-political-rights"
    bar = next(b for b in dashboard if b["filter_value"] == broad)
    assert concept["count"] == bar["value"] > 0
    assert concept["implied_count"] == concept["count"]  # no demand states the broad topic
    assert VOCAB + "topic/death-penalty" in {n["iri"] for n in concept["narrower"]}


def test_a_scheme_page_is_its_concepts_as_a_tree(client: TestClient) -> None:
    model = client.get("/vocab/topic.json").json()
    assert model["kind"] == "scheme"
    tree = model["scheme"]["concepts"]
    top = {n["iri"]: n for n in tree}
    assert VOCAB + "topic/civil-and-political-rights" in top
    children = {c["iri"]: c for c in top[VOCAB + "topic/civil-and-political-rights"]["children"]}
    assert children[VOCAB + "topic/death-penalty"]["count"] == 2
    assert "concept-tree" in client.get("/vocab/topic.html").text


def test_a_status_counts_the_demands_of_its_assessments(client: TestClient) -> None:
    concept = client.get("/vocab/status/reversed.json").json()["concept"]
    # Article 193.1 and the ban on acting for unregistered organisations, 2016 and 2015
    assert concept["count"] == 4


def test_the_ontology_page_has_an_anchor_per_term(client: TestClient) -> None:
    model = client.get("/ontology.json").json()
    anchors = {t["anchor"] for t in model["terms"]}
    assert {"Demand", "Assessment", "periodStart", "startLatestDate", "concernsPerson"} <= anchors
    html = client.get("/ontology").text
    for anchor in ("Demand", "startLatestDate"):
        assert f'id="{anchor}"' in html
    # a demand page links its properties and classes to the anchors, on the site
    demand = client.get("/id/demand/concerted-position-2016-c2-3-b1-1.html").text
    assert 'href="/ontology#Demand"' in demand and 'href="/vocab/status/partly-met"' in demand


def test_unknown_vocabulary_addresses_are_404(client: TestClient) -> None:
    for path in ("/vocab/topic/no-such-topic", "/vocab/../id/person/x", "/vocab/topic/%2e%2e"):
        assert client.get(path, headers=HTML).status_code == 404, path


RULE = re.compile(r"^RewriteRule\s+(\S+)\s+(\S+)\s+\[([^\]]*)\]\s*$")


def rules() -> list[tuple[re.Pattern, str, str]]:
    """The RewriteRules of docs/w3id/.htaccess: (pattern, target, flags)."""
    found = []
    for line in (REPO / "docs" / "w3id" / ".htaccess").read_text(encoding="utf-8").splitlines():
        match = RULE.match(line)
        if match:
            found.append((re.compile(match.group(1)), match.group(2), match.group(3)))
    return found


def redirect(path: str) -> str | None:
    """Where w3id sends ``https://w3id.org/hrgraph/<path>``: the first rule that matches, as
    mod_rewrite does (backreferences $1 …), with SITE as the host."""
    for pattern, target, flags in rules():
        match = pattern.match(path)
        if match:
            assert "R=303" in flags and "L" in flags.split(",")
            return match.expand(re.sub(r"\$(\d)", r"\\\1", target))
    return None


@pytest.mark.parametrize("iri", [
    ID + "person/aliaksandr-alesin", ID + "demand/concerted-position-2016-c2-3-b5-1",
    VOCAB + "topic/death-penalty", VOCAB + "topic", VOCAB + "status/not-met",
    "https://w3id.org/hrgraph/ontology",
])
def test_the_w3id_rules_lead_to_the_local_routes(client: TestClient, iri: str) -> None:
    target = redirect(iri.removeprefix("https://w3id.org/hrgraph/"))
    assert target is not None and target.startswith("https://SITE/"), target
    local = target.removeprefix("https://SITE")
    response = client.get(local, headers=HTML)  # follows the site's own 303
    assert response.status_code == 200, local
    assert response.headers["content-type"].startswith("text/html")


def test_the_w3id_rules_cover_every_base_the_project_mints(built_project: Project) -> None:
    for base in (built_project.id_base, built_project.vocab_base):
        assert base.startswith("https://w3id.org/hrgraph/")
        assert redirect(base.removeprefix("https://w3id.org/hrgraph/") + "x/y") is not None
    assert redirect("graph/data/actors/people") is None  # graph names are not dereferenced
