"""The web app over HTTP (starlette's TestClient; SPARQL clients against a running server).

Covers the SPARQL protocol (every result and graph format, refusals, limits), linked-data pages
(content negotiation, 303s, 404s, path traversal), the saved-query API and its OpenAPI
description, the pages and their JSON twins, uploads, escaping of hostile labels, CORS.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from hrgraph.project import Project
from hrgraph.query import list_queries
from hrgraph.web import WebSettings, create_app
from web_support import HOSTILE_ALT, HOSTILE_NAME, HOSTILE_PERSON, hostile_project, running_server

ID = "https://w3id.org/hrgraph/id/"
ALESIN = "/id/person/aliaksandr-alesin"
VIASNA = "/id/organisation/viasna"
DEMAND = "/id/demand/concerted-position-2016-c2-3-b1-1"
SELECT = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
          f"SELECT ?name WHERE {{ <{ID}organisation/viasna> skos:prefLabel ?name }} ORDER BY ?name")
CONSTRUCT = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
             f"CONSTRUCT {{ ?s skos:prefLabel ?n }} WHERE {{ BIND(<{ID}organisation/viasna> AS ?s)"
             " ?s skos:prefLabel ?n }")
VIASNA_NAMES = {"Human Rights Center “Viasna”", "Праваабарончы цэнтр «Вясна»",
                "Правозащитный центр «Весна»"}


@pytest.fixture(scope="module")
def client(built_project: Project) -> TestClient:
    return TestClient(create_app(built_project))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return hostile_project(tmp_path_factory.mktemp("hostile") / "project")


# --------------------------------------------------------------------------- SPARQL protocol


@pytest.mark.parametrize("how", ["get", "post-form", "post-direct"])
def test_sparql_select_by_get_and_both_posts(client: TestClient, how: str) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    if how == "get":
        response = client.get("/sparql", params={"query": SELECT}, headers=accept)
    elif how == "post-form":
        response = client.post("/sparql", data={"query": SELECT}, headers=accept)
    else:
        response = client.post("/sparql", content=SELECT.encode(),
                               headers={**accept, "Content-Type": "application/sparql-query"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/sparql-results+json"
    names = {b["name"]["value"] for b in response.json()["results"]["bindings"]}
    assert names == VIASNA_NAMES


@pytest.mark.parametrize(("accept", "fmt", "media"), [
    ("application/sparql-results+json", "json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "xml", "application/sparql-results+xml"),
    ("text/csv", "csv", "text/csv"),
    ("text/tab-separated-values", "tsv", "text/tab-separated-values"),
])
def test_sparql_result_formats_by_accept_and_by_format(client: TestClient, accept: str, fmt: str,
                                                       media: str) -> None:
    by_accept = client.get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
    by_param = client.get("/sparql", params={"query": SELECT, "format": fmt})
    for response in (by_accept, by_param):
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == media
        assert response.headers["vary"] == "Accept"
        if fmt == "csv":  # pyoxigraph does not read CSV results (the format is lossy)
            rows = list(csv.reader(io.StringIO(response.text)))
            assert {r[0] for r in rows[1:]} == VIASNA_NAMES
            continue
        parsed = ox.parse_query_results(response.content,
                                        format=getattr(ox.QueryResultsFormat, fmt.upper()))
        assert {s["name"].value for s in parsed} == VIASNA_NAMES


def test_sparql_csv_is_plain_sparql_csv(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": SELECT, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["name"] and {r[0] for r in rows[1:]} == VIASNA_NAMES


def test_sparql_ask(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert response.json() == {"head": {}, "boolean": True}
    xml = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "xml"})
    assert "<boolean>true</boolean>" in xml.text


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_sparql_construct_formats(client: TestClient, accept: str, fmt: ox.RdfFormat) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    triples = list(ox.parse(response.content, format=fmt))
    assert {t.object.value for t in triples} == VIASNA_NAMES


def test_sparql_describe_defaults_to_turtle(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": f"DESCRIBE <{ID}organisation/viasna>"})
    assert response.headers["content-type"].startswith("text/turtle")
    assert "Вясна" in response.text


@pytest.mark.parametrize("request_kind", ["form-update", "sparql-update-body", "update-as-query"])
def test_sparql_updates_are_refused(client: TestClient, request_kind: str) -> None:
    update = f"INSERT DATA {{ <{ID}x> <{ID}p> 'x' }}"
    if request_kind == "form-update":
        response = client.post("/sparql", data={"update": update})
    elif request_kind == "sparql-update-body":
        response = client.post("/sparql", content=update.encode(),
                               headers={"Content-Type": "application/sparql-update"})
    else:
        response = client.get("/sparql", params={"query": update})
    assert response.status_code == 403
    assert "read-only" in response.text or "update" in response.text
    check = client.get("/sparql", params={"query": f"ASK {{ <{ID}x> ?p ?o }}"})
    assert check.json()["boolean"] is False


def test_sparql_service_is_refused(client: TestClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 403
    assert "SERVICE" in response.text


def test_sparql_malformed_query_is_400_with_the_place(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?y "})
    assert response.status_code == 400
    assert "does not parse" in response.text and "line 1" in response.text


def test_sparql_malformed_graph_iris_and_unknown_bodies_are_400(client: TestClient) -> None:
    """The dataset parameters are taken (tests/test_query_dataset.py), their IRIs checked."""
    response = client.get("/sparql", params={"query": SELECT, "default-graph-uri": "viasna"})
    assert response.status_code == 400 and "not an absolute IRI" in response.text
    response = client.get("/sparql", params={"query": SELECT, "named-graph-uri": "a b"})
    assert response.status_code == 400
    response = client.post("/sparql", content=b"x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 400


def test_sparql_unacceptable_format_is_406(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_sparql_result_limit_cuts_and_says_so(built_project: Project) -> None:
    client = TestClient(create_app(built_project, WebSettings(result_limit=3)))
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert len(response.json()["results"]["bindings"]) == 3
    assert response.headers["x-hrgraph-truncated"] == "true"


def test_sparql_time_limit_stops_a_slow_query(built_project: Project) -> None:
    client = TestClient(create_app(built_project, WebSettings(query_timeout=0.5)))
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    response = client.get("/sparql", params={"query": slow})
    assert response.status_code == 503
    assert "longer than 0.5 seconds" in response.text


def test_sparql_service_description(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(t.object.value == sd + "Service" for t in triples)
    assert any(t.predicate.value == sd + "resultFormat" for t in triples)
    assert any(t.object.value == sd + "UnionDefaultGraph" for t in triples)
    browser = client.get("/sparql", headers={"Accept": "text/html"}, follow_redirects=False)
    assert browser.status_code == 303 and browser.headers["location"] == "/query"


# --------------------------------------------------------------------------- linked data


@pytest.mark.parametrize(("accept", "extension", "media"), [
    ("text/html,application/xhtml+xml,*/*;q=0.8", "html", "text/html"),
    ("text/turtle", "ttl", "text/turtle"),
    ("application/ld+json", "jsonld", "application/ld+json"),
    ("application/n-triples", "nt", "application/n-triples"),
    ("application/rdf+xml", "rdf", "application/rdf+xml"),
    ("application/json", "json", "application/json"),
])
def test_entity_iri_answers_303_to_the_typed_document(client: TestClient, accept: str,
                                                      extension: str, media: str) -> None:
    response = client.get(ALESIN, headers={"Accept": accept}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{ALESIN}.{extension}"
    assert response.headers["vary"] == "Accept"
    typed = client.get(response.headers["location"])
    assert typed.status_code == 200
    assert typed.headers["content-type"].split(";")[0] == media


@pytest.mark.parametrize(("extension", "fmt"), [
    ("ttl", ox.RdfFormat.TURTLE), ("jsonld", ox.RdfFormat.JSON_LD), ("nt", ox.RdfFormat.N_TRIPLES),
])
def test_entity_rdf_by_extension(client: TestClient, extension: str, fmt: ox.RdfFormat) -> None:
    response = client.get(f"{ALESIN}.{extension}")
    triples = list(ox.parse(response.content, format=fmt))
    names = {(t.object.value, t.object.language) for t in triples
             if t.predicate.value.endswith("prefLabel")}
    assert ("Аляксандр Алесін", "be") in names and ("Aliaksandr Alesin", "en") in names
    assert all(t.subject.value == ID + "person/aliaksandr-alesin" for t in triples)
    assert f'<{ID}person/aliaksandr-alesin>; rel="describes"' in response.headers["link"]


def test_demand_rdf_includes_its_quote_and_selectors(client: TestClient) -> None:
    response = client.get(f"{DEMAND}.nt")
    triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    exact = {t.object.value for t in triples if t.predicate.value.endswith("#exact")}
    assert "Aliaksandr Alesin" in exact  # the refinement selector's words


@pytest.mark.parametrize("path", ["/id/person/nobody", "/id/person/nobody.ttl",
                                  "/id/person/nobody.html", "/id/", "/id/person/"])
def test_unknown_entities_are_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", [
    "/id/..%2F..%2Fpyproject.toml", "/id/person/..%2F..%2F..%2Fetc%2Fpasswd",
    "/id/%2E%2E/%2E%2E/etc/passwd", "/static/..%2F..%2Fapp.py", "/static/%2E%2E/app.py",
    "/static/..%2Fweb%2Fapp.py", "/api/queries/..%2F..%2Fpyproject",
])
def test_path_traversal_is_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "import" not in response.text and "root:" not in response.text


def test_demand_page_shows_quote_in_context_and_everything_around_it(client: TestClient) -> None:
    html = client.get(f"{DEMAND}.html").text
    assert ('<mark class="quote">Close the politically motivated criminal cases against '
            'journalist </mark><mark class="quote target">Aliaksandr Alesin</mark>') in html
    assert "as well as to review IN A PUBLIC TRIAL" in html  # the context after the quote
    for expected in ("European Union", "Belarusian authorities",  # addressee, asked to act
                     'href="/id/organisation/viasna"',  # a signatory of the document
                     'href="/id/person/aliaksandr-alesin"',  # about whom
                     "partly met", "KGB suspended the case",  # status history
                     "from 2016-01-20, still so when last seen",  # its period, open
                     "(evidence of 2016-01-20)",  # and the date of its evidence
                     'href="http://m.21.by/politics/2016/01/25/1158149.html"',  # evidence
                     'href="/id/demand/open-letter-2015-12-09-r1-1"'):  # reiterates
        assert expected in html, expected


def test_person_page_shows_every_name_with_its_language_and_roles(client: TestClient) -> None:
    html = client.get(f"{ALESIN}.html").text
    assert '<td lang="be">Аляксандр Алесін</td>' in html
    assert '<td lang="ru">Александр Алесин</td>' in html
    assert "Belarusian" in html and "Russian" in html
    assert "journalist" in html
    assert f'href="{DEMAND}"' in html


def test_organisation_page_shows_names_and_documents(client: TestClient) -> None:
    model = client.get(f"{VIASNA}.json").json()
    assert {(n["text"], n["lang"]) for n in model["names"]} >= {
        ("Праваабарончы цэнтр «Вясна»", "be"), ("Правозащитный центр «Весна»", "ru")}
    assert ID + "document/concerted-position-2016" in {
        d["iri"] for d in model["agent"]["signed"]}


# --------------------------------------------------------------------------- saved-query API


def test_api_lists_the_saved_queries_from_their_headers(client: TestClient,
                                                       built_project: Project) -> None:
    listed = client.get("/api/queries").json()["queries"]
    assert {q["name"] for q in listed} == {q.name for q in list_queries(built_project)}
    find = next(q for q in listed if q["name"] == "find-by-name")
    assert find["params"][0] == {"name": "name", "type": "string", "required": True,
                                 "multiple": False, "default": None, "example": "Алесін",
                                 "description": "The name or part of a name, in any script."}


def test_api_runs_a_query_with_a_parameter(client: TestClient) -> None:
    response = client.get("/api/queries/find-by-name", params={"name": "Алесін"})
    assert response.status_code == 200
    rows = response.json()["results"]["bindings"]
    assert {r["entity"]["value"] for r in rows} == {ID + "person/aliaksandr-alesin"}


def test_api_csv_by_suffix_and_by_accept(client: TestClient) -> None:
    by_suffix = client.get("/api/queries/find-by-name.csv", params={"name": "Alesin"})
    by_accept = client.get("/api/queries/find-by-name", params={"name": "Alesin"},
                           headers={"Accept": "text/csv"})
    for response in (by_suffix, by_accept):
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert {r["entity"] for r in rows} == {ID + "person/aliaksandr-alesin"}
    assert by_suffix.text == by_accept.text


@pytest.mark.parametrize(("path", "params", "message"), [
    ("/api/queries/find-by-name", {}, "needs a value for parameter 'name'"),
    ("/api/queries/find-by-name", {"name": "x", "colour": "red"}, "has no parameter 'colour'"),
    ("/api/queries/demands-by-actor", {"actor": "not an iri"}, "parameter 'actor'"),
    ("/api/queries/status-changes-between", {"from": "2016-02-30"}, "YYYY-MM-DD"),
])
def test_api_bad_parameters_are_400_with_a_clear_message(client: TestClient, path: str,
                                                         params: dict, message: str) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 400, response.text
    assert message in response.json()["error"]


def test_api_unknown_query_is_404(client: TestClient) -> None:
    assert client.get("/api/queries/no-such-query").status_code == 404


def test_openapi_is_generated_from_the_headers(client: TestClient, built_project: Project) -> None:
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    for query in list_queries(built_project):
        operation = document["paths"][f"/api/queries/{query.name}"]["get"]
        assert operation["summary"] == query.summary
        assert [p["name"] for p in operation["parameters"]] == list(query.params)
    actor = document["paths"]["/api/queries/demands-by-actor"]["get"]["parameters"][0]
    assert actor["schema"] == {"type": "string", "format": "iri"}
    assert actor["example"].startswith(ID)
    assert "400" in document["paths"]["/api/queries/find-by-name"]["get"]["responses"]


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize("path", ["/search?q=Вясна", "/demands", "/dashboard", "/network",
                                  "/query?saved=signatories", "/validate"])
def test_every_page_has_a_json_twin(client: TestClient, path: str) -> None:
    page, _, query = path.partition("?")
    html = client.get(path)
    twin = client.get(f"{page}.json" + (f"?{query}" if query else ""))
    assert html.headers["content-type"].startswith("text/html")
    assert twin.headers["content-type"] == "application/json"
    assert twin.json()
    assert '<main id="main"' in html.text and 'role="banner"' in html.text


def test_search_finds_names_in_any_script(client: TestClient) -> None:
    for text in ("Вясна", "viasna", "ВЯСНА"):
        model = client.get("/search.json", params={"q": text}).json()
        assert ID + "organisation/viasna" in {r["iri"] for r in model["results"]}, text
    html = client.get("/search", params={"q": "Вясна"}).text
    assert '<span lang="be">Праваабарончы цэнтр «<mark>Вясна</mark>»</span>' in html


def test_demands_filters_narrow_the_list_and_count(client: TestClient) -> None:
    everything = client.get("/demands.json").json()
    assert everything["count"] == everything["total"] > 28
    topic = next(f for f in everything["facets"]["topic"] if f["count"] < everything["total"])
    narrowed = client.get("/demands.json", params={"topic": topic["value"]}).json()
    assert narrowed["count"] == topic["count"] == len(narrowed["demands"])
    both = client.get("/demands.json", params={"topic": topic["value"], "year": "2016"}).json()
    assert both["count"] <= narrowed["count"]
    html = client.get("/demands", params={"topic": topic["value"]}).text
    assert html.count('class="demand-row"') == narrowed["count"]


def test_dashboard_draws_the_count_queries_as_svg(client: TestClient) -> None:
    model = client.get("/dashboard.json").json()
    assert [c["query"] for c in model["charts"]] == [
        "count-demands-by-topic", "count-demands-by-status", "count-demands-by-addressee",
        "count-demands-by-year"]
    status = {b["label"]: b["value"] for b in model["charts"][1]["bars"]}
    assert status["partly met"] >= 1
    html = client.get("/dashboard").text
    assert html.count("<svg") == 4 and 'class="bar"' in html


def test_every_bar_leads_to_a_list_of_exactly_its_count(client: TestClient) -> None:
    """One rule counts: each bar's value is the total of the list it links to (JSON twins)."""
    bars = [b for chart in client.get("/dashboard.json").json()["charts"] for b in chart["bars"]]
    assert len(bars) > 20
    for bar in bars:
        listed = client.get("/demands.json", params={bar["filter"]: bar["filter_value"]}).json()
        assert listed["count"] == len(listed["demands"]) == bar["value"], bar


def test_the_demands_list_pages_its_rows(client: TestClient) -> None:
    everything = client.get("/demands.json").json()
    assert everything["page"] == 1 and everything["pages"] == 1  # 55 rows, 100 a page
    second = client.get("/demands", params={"per_page": "20", "page": "2"}).text
    rows = second.count('class="demand-row"')
    assert rows == 20 and 'rel="prev"' in second and 'rel="next"' in second
    last = client.get("/demands.json", params={"per_page": "20", "page": "3"}).json()
    assert (last["first"], last["last"]) == (40, everything["count"])
    assert len(last["demands"]) == everything["count"]  # the twin and downloads hold all rows
    for bad in ({"page": "0"}, {"page": "4", "per_page": "20"}, {"per_page": "501"},
                {"per_page": "x"}):
        response = client.get("/demands.json", params=bad)
        assert response.status_code == 400 and "whole number" in response.json()["error"]


def test_the_saved_count_queries_give_the_dashboard_counts(client: TestClient,
                                                           built_project) -> None:
    """The count queries of the CLI and the API state the dashboard's rule in SPARQL."""
    from hrgraph.query import run_saved

    for chart in client.get("/dashboard.json").json()["charts"]:
        result = run_saved(built_project, chart["query"], {}, limit=None)
        first = result.variables[0]
        counted = {row[first].value: int(row["demands"].value) for row in result.rows}
        assert counted == {b["filter_value"]: b["value"] for b in chart["bars"]}, chart["query"]


def test_broad_topics_filter_with_their_narrower_ones(client: TestClient) -> None:
    # civil and political rights is only implied (every demand states a narrower topic)
    broad = client.get("/demands.json", params={
        "topic": "https://w3id.org/hrgraph/vocab/topic/civil-and-political-rights"}).json()
    narrower = client.get("/demands.json", params={
        "topic": "https://w3id.org/hrgraph/vocab/topic/political-prisoners"}).json()
    assert narrower["count"] > 0 and broad["count"] > narrower["count"]
    assert {d["iri"] for d in narrower["demands"]} <= {d["iri"] for d in broad["demands"]}


@pytest.mark.parametrize(("name", "value", "named"), [
    ("topic", "bogus", "https://w3id.org/hrgraph/vocab/topic/death-penalty"),
    ("year", "abc", "2016"), ("status", "done", "not assessed"),
    ("document", "https://w3id.org/hrgraph/id/document/nothing",
     "https://w3id.org/hrgraph/id/document/concerted-position-2016"),
])
def test_an_unknown_filter_value_is_400_naming_the_allowed_ones(client: TestClient, name: str,
                                                                value: str, named: str) -> None:
    response = client.get("/demands.json", params={name: value})
    assert response.status_code == 400
    assert named in response.json()["error"] and repr(value) in response.json()["error"]
    assert client.get("/demands", params={name: value},
                      headers={"accept": "text/html"}).status_code == 400


def test_network_has_organisations_people_documents_and_demands(client: TestClient) -> None:
    model = client.get("/network.json").json()
    assert {"organisation", "person", "document", "demand"} <= set(model["counts"])
    ids = {n["id"] for n in model["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in model["edges"])


def _positions(model: dict) -> dict[str, tuple[float, float]]:
    return {n["id"]: (n["x"], n["y"]) for n in model["nodes"]}


def test_network_layout_is_the_same_on_two_loads(built_project: Project) -> None:
    # Two apps, so that the second answer is computed again, not the first one remembered.
    first = TestClient(create_app(built_project)).get("/network.json").json()
    second = TestClient(create_app(built_project)).get("/network.json").json()
    assert _positions(first) == _positions(second)
    assert len(set(_positions(first).values())) == len(first["nodes"])  # no two on one spot
    assert first["width"] > 0 and first["height"] > 0


def test_network_layout_does_not_depend_on_the_order_of_its_input(client: TestClient) -> None:
    import random

    from hrgraph.web.network import graph, layout, select

    state = client.app.state.web
    full = graph(state.view(state.store.snapshot()[1]))
    nodes, edges = select(full)
    expected = layout(nodes, edges)
    for seed in range(5):
        shuffled_nodes, shuffled_edges = list(nodes), list(edges)
        random.Random(seed).shuffle(shuffled_nodes)
        random.Random(seed).shuffle(shuffled_edges)
        assert layout(shuffled_nodes, shuffled_edges) == expected
    # The layout follows the data: one demand fewer moves the demands after it.
    dropped = next(n["id"] for n in nodes if n["kind"] == "demand")
    fewer = layout([n for n in nodes if n["id"] != dropped],
                   [e for e in edges if dropped not in (e["source"], e["target"])])
    assert fewer["positions"] != {k: v for k, v in expected["positions"].items() if k != dropped}


def test_network_columns_run_from_signatories_to_documents_demands_and_targets(
        client: TestClient) -> None:
    model = client.get("/network.json").json()
    xs: dict[int, set[float]] = {}
    for n in model["nodes"]:
        xs.setdefault(n["column"], set()).add(n["x"])
    assert all(len(v) == 1 for v in xs.values())  # one x per column
    assert [min(xs[c]) for c in sorted(xs)] == sorted(min(v) for v in xs.values())
    kinds = {n["kind"]: n["column"] for n in model["nodes"] if n["kind"] in ("document",
                                                                             "demand")}
    assert kinds == {"document": 1, "demand": 2}
    viasna = next(n for n in model["nodes"] if n["id"] == ID + "organisation/viasna")
    assert viasna["column"] == 0  # it signs documents
    alesin = next(n for n in model["nodes"] if n["id"] == ID + "person/aliaksandr-alesin")
    assert alesin["column"] == 3  # demands concern him
    # A document sits among its demands.
    y = {n["id"]: n["y"] for n in model["nodes"]}
    for doc in (n for n in model["nodes"] if n["kind"] == "document"):
        made = [y[e["target"]] for e in model["edges"] if e["source"] == doc["id"]]
        assert min(made) <= doc["y"] <= max(made), doc["label"]


def test_network_labels_are_short_and_every_demand_has_one(client: TestClient) -> None:
    from hrgraph.web.network import COLUMNS

    model = client.get("/network.json").json()
    for n in model["nodes"]:
        lines = n["text"].split("\n")
        spec = COLUMNS[n["column"]]
        assert 1 <= len(lines) <= spec["lines"] and all(0 < len(line) <= spec["chars"]
                                                        for line in lines), n
    demand = next(n for n in model["nodes"] if n["id"] == ID + DEMAND.removeprefix("/id/"))
    assert demand["text"] == "Close the criminal case against Aliaksandr Alesin"
    long = [n for n in model["nodes"] if n["kind"] == "demand" and len(n["label"]) > 54]
    assert long and all(n["text"].endswith("…") for n in long)
    assert model["font_size"] >= 12


def test_network_filters_by_kind_document_and_topic_as_the_demands_list(
        client: TestClient) -> None:
    model = client.get("/network.json", params=[("type", "person"), ("type", "demand")]).json()
    assert set(model["counts"]) == {"person", "demand"}
    assert {e["label"] for e in model["edges"]} == {"concerns"}
    document = ID + "document/open-letter-2015-12-09"
    topic = "https://w3id.org/hrgraph/vocab/topic/civil-and-political-rights"  # a broad one
    for name, value in (("document", document), ("topic", topic)):
        model = client.get("/network.json", params={name: value}).json()
        listed = client.get("/demands.json", params={name: value}).json()
        demands = {n["id"] for n in model["nodes"] if n["kind"] == "demand"}
        assert demands == {d["iri"] for d in listed["demands"]} and demands, name
        assert model["filters"][name] == value
        everything = client.get("/network.json").json()
        assert len(model["nodes"]) < len(everything["nodes"])
    html = client.get("/network", params={"document": document}).text
    assert f'<option value="{document}" selected>' in html


@pytest.mark.parametrize(("name", "value", "named"), [
    ("type", "place", "organisation"),
    ("document", "https://w3id.org/hrgraph/id/document/bogus", "open-letter-2015-12-09"),
    ("topic", "bogus", "death-penalty"),
    ("around", "https://w3id.org/hrgraph/id/person/nobody", "IRI of an entity"),
])
def test_network_refuses_an_unknown_filter_value(client: TestClient, name: str, value: str,
                                                 named: str) -> None:
    response = client.get("/network.json", params={name: value})
    assert response.status_code == 400
    assert named in response.json()["error"] and repr(value) in response.json()["error"]


def test_a_large_network_is_drawn_in_part_and_says_so(built_project: Project,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Above MAX_DEMANDS the network is read for the filters' demands only (or the first ones),
    and the part drawn equals that part of the whole network."""
    from hrgraph.web import network

    whole = TestClient(create_app(built_project))
    viasna = ID + "organisation/viasna"
    cases = ({"document": ID + "document/open-letter-2015-12-09"},
             {"around": ID + "person/aliaksandr-alesin"}, {"around": viasna},
             {"around": ID + "document/open-letter-2015-12-09"},
             {"around": ID + "demand/concerted-position-2016-c2-3-b1-1"})
    expected = [whole.get("/network.json", params=p).json() for p in cases]
    everything = whole.get("/network.json").json()
    assert everything["partial"] is None
    listed = whole.get("/demands.json").json()["demands"]
    monkeypatch.setattr(network, "MAX_DEMANDS", 20)  # the open letter has 19, the corpus 55
    part = TestClient(create_app(built_project))  # a new app: nothing remembered
    first = part.get("/network.json").json()
    assert first["partial"] == {"shown": 20, "of": len(listed)}
    assert {n["id"] for n in first["nodes"] if n["kind"] == "demand"} == {
        d["iri"] for d in listed[:20]}
    assert "network-partial" in part.get("/network", headers={"accept": "text/html"}).text
    around = part.get("/network.json", params={
        "around": ID + "document/concerted-position-2016"}).json()["partial"]
    assert around == {"shown": 20, "of": 26}  # the 2016 statement's leaf demands
    # the filters' counts are those of every demand, as without the limit
    assert first["options"]["document"] == everything["options"]["document"]
    assert first["options"]["topic"] == everything["options"]["topic"]
    for params, whole_answer in zip(cases, expected, strict=True):
        drawn = part.get("/network.json", params=params).json()
        assert drawn["partial"]["shown"] == drawn["partial"]["of"] <= 20, params
        assert drawn["nodes"] == whole_answer["nodes"], params
        assert drawn["edges"] == whole_answer["edges"], params


def test_network_around_an_entity_is_it_and_its_neighbours(client: TestClient) -> None:
    viasna = ID + "organisation/viasna"
    model = client.get("/network.json", params={"around": viasna}).json()
    ids = {n["id"] for n in model["nodes"]}
    assert viasna in ids and ID + "document/concerted-position-2016" in ids
    assert len(ids) < len(client.get("/network.json").json()["nodes"])
    everything = client.get("/network.json").json()["edges"]
    neighbours = {e["target"] for e in everything if e["source"] == viasna} \
        | {e["source"] for e in everything if e["target"] == viasna}
    assert ids == neighbours | {viasna}
    assert model["around"]["label"] == "Human Rights Center “Viasna”"
    # An entity with no links (an assessment) has an empty network, not an error.
    assessment = ID + "assessment/concerted-position-2016-c2-3-b1-5-2016-03"
    empty = client.get("/network.json", params={"around": assessment})
    assert empty.status_code == 200 and empty.json()["nodes"] == []


def test_network_focus_finds_nodes_by_name_with_and_without_javascript(
        client: TestClient) -> None:
    model = client.get("/network.json", params={"focus": "alesin"}).json()
    found = set(model["focus"]["found"])
    assert ID + "person/aliaksandr-alesin" in found
    assert all("alesin" in n["label"].lower() for n in model["nodes"] if n["id"] in found)
    assert len(found) == 3  # the person and the two demands naming him
    html = client.get("/network", params={"focus": "alesin"}).text
    assert 'Found 3 nodes named like “alesin”' in html
    assert 'href="/id/person/aliaksandr-alesin"' in html.split('id="found"')[1].split(
        "</section>")[0]
    nothing = client.get("/network", params={"focus": "zzzz"}).text
    assert "No node named like “zzzz” here" in nothing


def test_entity_pages_show_their_network_neighbours(client: TestClient) -> None:
    html = client.get(VIASNA, headers={"accept": "text/html"}).text
    assert 'class="neighbours"' in html
    assert ('data-source="/network.json?around=https%3A//w3id.org/hrgraph/id/organisation/'
            'viasna"') in html
    assert 'href="/network?around=https%3A//w3id.org/hrgraph/id/organisation/viasna"' in html
    assert "/static/network.js" in html
    assessment = client.get("/id/assessment/concerted-position-2016-c2-3-b1-5-2016-03",
                            headers={"accept": "text/html"}).text
    assert 'class="neighbours"' not in assessment and "/static/network.js" not in assessment


def test_query_page_runs_a_query_and_refuses_an_update(client: TestClient) -> None:
    html = client.get("/query", params={"query": SELECT}).text
    assert "3 rows" in html and "Праваабарончы цэнтр «Вясна»" in html
    refused = client.get("/query", params={"query": "CLEAR ALL"})
    assert refused.status_code == 403 and "read-only" in refused.text


def test_pages_without_javascript_still_read(client: TestClient) -> None:
    network = client.get("/network").text
    assert "<details" in network and 'href="/id/organisation/viasna"' in network
    links = network.split('<table class="network-links">')[1].split("</table>")[0]
    assert links.count("<tr>") == len(client.get("/network.json").json()["edges"]) + 1
    assert '<details class="network-list" open>' in network  # JavaScript closes it
    query = client.get("/query").text
    assert "<textarea" in query and 'type="submit"' in query


# --------------------------------------------------------------------------- the query page


def _select_options(html: str) -> list[str]:
    """The names of the saved-query options marked selected."""
    return re.findall(r'<option value="([^"]+)" selected>', html)


def test_query_page_draws_a_saved_querys_parameter_form_from_its_header(
        client: TestClient) -> None:
    html = client.get("/query", params={"saved": "status-as-of"}).text
    form = html.split('<form class="params"')[1].split("</form>")[0]
    assert '<input type="hidden" name="saved" value="status-as-of">' in form
    assert '<input type="hidden" name="run" value="1">' in form
    # date: type date, required without a default; its example and description from the header
    date = re.search(r'<input id="param-date" name="date" type="date"[^>]*>', form).group(0)
    assert " required" in date and 'value=""' in date and 'placeholder="2020-01-01"' in date
    assert "The date the status is asked for." in form
    # document: optional, prefilled with its default
    document = re.search(r'<input id="param-document" name="document"[^>]*>', form).group(0)
    assert 'value="https://w3id.org/hrgraph/id/document/concerted-position-2016"' in document
    assert " required" not in document
    assert "iri, optional" in form and "date, required" in form
    # a multiple parameter takes one value per line
    topics = client.get("/query", params={"saved": "demands-by-topic"}).text
    assert re.search(r'<textarea id="param-topic" name="topic"[^>]* required', topics)
    assert "One per line." in topics


def test_query_page_runs_a_saved_query_with_its_defaults_and_keeps_it_chosen(
        client: TestClient) -> None:
    # An empty field is not sent: the default applies, as the API applies it.
    response = client.get("/query", params={"saved": "signatories", "run": "1", "document": ""})
    assert response.status_code == 200
    api = client.get("/api/queries/signatories").json()["results"]["bindings"]
    model = client.get("/query.json", params={"saved": "signatories", "run": "1",
                                              "document": ""}).json()
    assert model["ran"] == "saved" and model["selected"] == "signatories"
    assert model["result"]["count"] == len(api) > 0
    assert _select_options(response.text) == ["signatories"]
    assert f"Result: {len(api)} rows" in response.text
    assert 'value="https://w3id.org/hrgraph/id/document/concerted-position-2016"' in response.text
    # another value gives another answer, still with the query chosen
    other = "https://w3id.org/hrgraph/id/document/open-letter-2015-12-09"
    given = client.get("/query.json", params={"saved": "signatories", "run": "1",
                                              "document": other}).json()
    expected = client.get("/api/queries/signatories", params={"document": other}).json()
    assert given["result"]["count"] == len(expected["results"]["bindings"]) != len(api)
    assert given["selected"] == "signatories"
    assert given["params"][0]["value"] == other


def test_query_page_saved_query_links_to_the_apis_downloads(client: TestClient) -> None:
    html = client.get("/query", params={"saved": "status-as-of", "run": "1",
                                        "date": "2020-01-01"}).text
    assert 'href="/api/queries/status-as-of.csv?date=2020-01-01"' in html
    assert 'href="/api/queries/status-as-of.json?date=2020-01-01"' in html
    rows = list(csv.reader(io.StringIO(client.get("/api/queries/status-as-of.csv",
                                                  params={"date": "2020-01-01"}).text)))
    model = client.get("/query.json", params={"saved": "status-as-of", "run": "1",
                                              "date": "2020-01-01"}).json()
    assert len(rows) - 1 == model["result"]["count"] > 0


def test_query_page_saved_query_with_a_missing_value_says_so_and_stays_chosen(
        client: TestClient) -> None:
    response = client.get("/query", params={"saved": "status-as-of", "run": "1"})
    assert response.status_code == 400
    assert "needs a value for parameter &#39;date&#39;" in response.text
    assert _select_options(response.text) == ["status-as-of"]
    assert 'id="param-date"' in response.text


def test_query_page_sorts_and_pages_the_rows(client: TestClient) -> None:
    query = "SELECT ?s WHERE { ?s a ?type } ORDER BY ?s"
    first = client.get("/query.json", params={"query": query}).json()["result"]
    assert first["count"] > 100 and len(first["rows"]) == 100
    assert first["paging"]["pages"] > 1 and first["paging"]["previous"] is None
    second = client.get(first["paging"]["next"].replace("/query?", "/query.json?")).json()
    assert second["result"]["paging"]["page"] == 2
    assert second["result"]["rows"][0] != first["rows"][0]
    descending = client.get("/query.json", params={"query": query, "sort": "s",
                                                   "desc": "1"}).json()["result"]
    texts = [row[0]["text"] for row in descending["rows"]]
    assert texts == sorted(texts, key=str.casefold, reverse=True)
    assert descending["columns"][0]["sorted"] == "descending"
    html = client.get("/query", params={"query": query}).text
    assert 'rel="next"' in html and 'title="Sort by s"' in html
    assert 'href="/sparql?query=SELECT' in html and "format=csv" in html


def test_query_page_marks_the_line_of_a_syntax_error(client: TestClient) -> None:
    response = client.get("/query", params={"query": "SELECT * WHERE {\n ?s ?p ?o .\n FILTER(\n}"})
    assert response.status_code == 400 and "line 3" in response.text
    assert 'aria-invalid="true"' in response.text
    assert client.get("/query.json", params={"query": "SELECT * WHERE { ?s ?p }"}
                      ).json()["error_line"] == 1


def test_query_page_csp_allows_connections_to_this_site_only(client: TestClient) -> None:
    from hrgraph.web.app import CSP

    policy = client.get("/query").headers["content-security-policy"]
    assert "connect-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-eval" not in policy and "'unsafe-inline'" not in policy.split(
        "script-src")[1].split(";")[0]
    # every other page keeps the policy it had
    for path in ("/", "/demands", "/sparql"):
        assert client.get(path).headers["content-security-policy"] == CSP


def test_query_page_loads_nothing_from_elsewhere(client: TestClient) -> None:
    html = client.get("/query").text
    loaded = re.findall(r'<(?:script|img|iframe)[^>]* src="([^"]*)"', html)
    loaded += re.findall(r'<link[^>]* href="([^"]*)"', html)
    loaded += re.findall(r'<form[^>]* action="([^"]*)"', html)
    assert loaded and all(url.startswith("/") and not url.startswith("//") for url in loaded)
    assert "/static/vendor/yasgui-4.6.2/yasgui.min.js" in loaded
    config = json.loads(html.split('<script type="application/json" id="query-config">')[1]
                        .split("</script>")[0])
    for key in ("endpoint", "api", "page"):
        assert config[key].startswith("/") and not config[key].startswith("//")
    assert config["prefixes"]["hrg"] == "https://w3id.org/hrgraph/ontology#"
    assert "https://w3id.org/hrgraph/ontology#Demand" in config["classes"]
    assert "https://w3id.org/hrgraph/ontology#madeIn" in config["properties"]
    script = client.get("/static/query.js").text
    assert not re.search(r"https?://", script)
    assert "prefixCcApi" not in script and '"prefixes"' not in script.split("autocompleters")[1]
    for vendored in ("yasgui.min.js", "yasgui.min.css", "LICENSE", "THIRD-PARTY-LICENSES.txt"):
        assert client.get(f"/static/vendor/yasgui-4.6.2/{vendored}").status_code == 200


def test_query_page_without_javascript_still_runs_both_forms(client: TestClient) -> None:
    html = client.get("/query").text
    assert '<form class="params" id="params" action="/query" method="get"' in html
    assert '<form class="editor" id="editor" action="/query" method="get"' in html
    assert "<textarea" in html and 'name="query"' in html
    ran = client.get("/query", params={"query": SELECT, "saved": "signatories"}).text
    assert "3 rows" in ran and _select_options(ran) == ["signatories"]


# --------------------------------------------------------------------------- uploads

INVALID = """@prefix hrg: <https://w3id.org/hrgraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/hrgraph/id/demand/web-upload-test> a hrg:Demand ;
    skos:prefLabel "A demand made nowhere"@en .
"""


def test_upload_shows_the_plain_language_report(client: TestClient) -> None:
    response = client.post("/validate", files={"file": ("my-demand.ttl", INVALID)})
    assert response.status_code == 200
    assert "it needs changes" in response.text
    assert "which document it was made in" in response.text  # the shape's message
    assert "my-demand.ttl" in response.text and "/tmp" not in response.text
    model = client.post("/validate.json", files={"file": ("my-demand.ttl", INVALID)}).json()
    assert model["report"]["violations"] >= 1 and not model["report"]["conforms"]


def test_upload_with_a_syntax_error_names_the_line(client: TestClient) -> None:
    response = client.post("/validate", files={"file": ("broken.ttl", "<a> <b> .\n")})
    assert response.status_code == 400
    assert "broken.ttl:1" in response.text


def test_upload_of_a_wrong_kind_of_file_is_400(client: TestClient) -> None:
    response = client.post("/validate", files={"file": ("notes.exe", b"MZ")})
    assert response.status_code == 400 and "ends in .exe" in response.text


def test_oversized_upload_is_refused(built_project: Project) -> None:
    client = TestClient(create_app(built_project, WebSettings(upload_limit=1000)))
    big = INVALID + "#" * 5000 + "\n"
    response = client.post("/validate", files={"file": ("big.ttl", big)})
    assert response.status_code == 413
    assert "at most 1,000 bytes" in response.text


def test_read_only_server_refuses_uploads(built_project: Project) -> None:
    client = TestClient(create_app(built_project, WebSettings(read_only=True)))
    response = client.post("/validate", files={"file": ("my-demand.ttl", INVALID)})
    assert response.status_code == 403
    assert "accepts no uploads" in client.get("/validate").text


# --------------------------------------------------------------------------- safety


def test_hostile_labels_are_shown_not_run(hostile: Project) -> None:
    client = TestClient(create_app(hostile))
    path = "/id/" + HOSTILE_PERSON.removeprefix(ID)
    pages = [client.get(path + ".html").text,
             client.get("/search", params={"q": "script"}).text,
             client.get("/search", params={"q": "Хостыл"}).text,
             client.get("/query", params={"query": f"SELECT * WHERE {{ <{HOSTILE_PERSON}> ?p ?o }}"}
                        ).text]
    for html in pages:
        assert HOSTILE_NAME not in html and HOSTILE_ALT not in html
        assert "<svg onload" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[0]
    assert 'href="javascript:' not in pages[0]
    model = client.get(path + ".json").json()  # the JSON twin keeps the text as it is
    assert model["label"] == HOSTILE_NAME


def test_security_headers_and_no_cors_by_default(client: TestClient) -> None:
    response = client.get("/demands", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in response.headers
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_cors_when_configured(built_project: Project) -> None:
    client = TestClient(create_app(built_project, WebSettings(
        cors_origins=("https://allowed.example",))))
    allowed = client.get("/sparql", params={"query": SELECT},
                         headers={"Origin": "https://allowed.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://allowed.example"
    other = client.get("/sparql", params={"query": SELECT},
                       headers={"Origin": "https://other.example"})
    assert "access-control-allow-origin" not in other.headers


def test_no_store_fails_loudly(tmp_path: Path) -> None:
    from hrgraph.errors import StoreError

    with pytest.raises(StoreError, match="hrgraph build"):
        create_app(Project.open(tmp_path, store=tmp_path / "missing"))


# --------------------------------------------------------------------------- real clients


@pytest.fixture(scope="module")
def server(built_project: Project):
    with running_server(built_project) as url:
        yield url


def test_sparqlwrapper_gets_the_rows(server: str) -> None:
    from SPARQLWrapper import JSON, POST, XML, SPARQLWrapper

    for method, fmt in (("GET", JSON), (POST, JSON), ("GET", XML)):
        client = SPARQLWrapper(server + "/sparql")
        client.setQuery(SELECT)
        client.setMethod(method)
        client.setReturnFormat(fmt)
        result = client.queryAndConvert()
        if fmt == JSON:
            names = {b["name"]["value"] for b in result["results"]["bindings"]}
        else:
            names = {n.firstChild.data for n in result.getElementsByTagName("literal")}
        assert names == VIASNA_NAMES


def test_rdflib_sparqlstore_gets_the_rows(server: str) -> None:
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(store=SPARQLStore(server + "/sparql"))
    names = {str(row[0]) for row in graph.query(SELECT)}
    assert names == VIASNA_NAMES
    viasna = rdflib.URIRef(ID + "organisation/viasna")
    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    assert {str(o) for o in graph.objects(viasna, skos.prefLabel)} == VIASNA_NAMES


def test_rdflib_reads_an_entity_iri_by_content_negotiation(server: str) -> None:
    import rdflib

    graph = rdflib.Graph().parse(server + ALESIN)  # follows the 303 to the Turtle document
    names = {str(o) for o in graph.objects(None, rdflib.URIRef(
        "http://www.w3.org/2004/02/skos/core#prefLabel"))}
    assert "Аляксандр Алесін" in names


def test_served_json_twin_matches_the_page_model(server: str) -> None:
    import httpx2

    body = httpx2.get(server + "/dashboard.json").json()
    assert json.dumps(body)  # plain JSON all the way down
