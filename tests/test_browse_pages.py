"""The browsing pages (issue 18 item 3): the lists of documents, people, organisations,
mechanisms and topics with their counts, sorting and paging; the home page; a document's page
as its text, part by part, with each demand's latest status.

The counts of the first rows are written out (read off the test corpus) and each count of every
row is recomputed here from the store's triples by the demands list's rule (leaf demands: those
without a part that is a demand), not by the SPARQL the pages run.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from hrgraph import store as stores
from hrgraph.contribute import list_contributions
from hrgraph.project import Project
from hrgraph.web import create_app

HRG = "https://w3id.org/hrgraph/ontology#"
ID = "https://w3id.org/hrgraph/id/"
VOCAB = "https://w3id.org/hrgraph/vocab/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
STATEMENT_2016 = ID + "document/concerted-position-2016"
LISTS = ("documents", "people", "organisations", "mechanisms", "topics")


@pytest.fixture(scope="module")
def client(built_project: Project) -> TestClient:
    return TestClient(create_app(built_project))


class Triples:
    """The public triples of the built store, to recount what the pages count."""

    def __init__(self, project: Project) -> None:
        store = stores.open_store(project, read_only=True)
        private = project.private_base
        self.by_object: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.by_subject: dict[tuple[str, str], set[str]] = defaultdict(set)
        for quad in store.quads_for_pattern(None, None, None):
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(private):
                continue
            if isinstance(quad.object, ox.NamedNode):
                self.by_object[quad.predicate.value, quad.object.value].add(quad.subject.value)
            self.by_subject[quad.subject.value, quad.predicate.value].add(quad.object.value)
        demands = self.subjects(RDF_TYPE, HRG + "Demand")
        wholes = {w for d in demands for w in self.objects(d, HRG + "partOf")}
        self.leaves = demands - wholes

    def subjects(self, predicate: str, obj: str) -> set[str]:
        return self.by_object.get((predicate, obj), set())

    def objects(self, subject: str, predicate: str) -> set[str]:
        return self.by_subject.get((subject, predicate), set())

    def leaves_with(self, predicates: tuple[str, ...], obj: str) -> int:
        return len({d for p in predicates for d in self.subjects(HRG + p, obj)} & self.leaves)


@pytest.fixture(scope="module")
def data(built_project: Project) -> Triples:
    return Triples(built_project)


def every_row(client: TestClient, name: str, **params: str) -> Iterator[dict]:
    """Every row of a list, page after page (following its own next links)."""
    page = client.get(f"/{name}.json", params={"per_page": "200", **params}).json()
    while True:
        yield from page["rows"]
        if not page["next"]:
            return
        following = client.get(page["next"].replace(f"/{name}", f"/{name}.json", 1))
        assert following.status_code == 200
        page = following.json()


def first_rows(client: TestClient, name: str, columns: tuple[str, ...], n: int,
               **params: str) -> list[tuple]:
    rows = client.get(f"/{name}.json", params={"per_page": str(n), **params}).json()["rows"]
    return [(row["iri"].removeprefix(ID).removeprefix(VOCAB),
             *(row[c] for c in columns)) for row in rows]


# --------------------------------------------------------------------------- the lists


def test_documents_newest_first_with_signatories_and_demands(client: TestClient) -> None:
    assert first_rows(client, "documents", ("date_as_given", "kind", "signatories", "demands"),
                      6) == [
        ("document/hrc-belarus-mandate-2021-03-24", "2021-03-24", ["joint statement"], 0, 5),
        ("document/rabkova-release-2020", "2020-09-22", ["joint statement"], 1, 1),
        ("document/rabkova-2020-09-21-en", "2020-09-21", ["article"], 0, 0),
        ("document/hrhf-un-investigative-mechanism-2020", "2020-09-18", ["article"], 0, 0),
        # dated by month as the statement is (sorted by its first day)
        ("document/concerted-position-2016", "2016-02", ["joint statement"], 8, 26),
        ("document/open-letter-2015-12-09", "2015-12-09", ["open letter"], 0, 19)]


def test_every_document_count_is_the_data_and_the_demands_list(client: TestClient,
                                                               data: Triples) -> None:
    rows = list(every_row(client, "documents"))
    assert len(rows) == 10
    for row in rows:
        assert row["signatories"] == len(data.objects(row["iri"], HRG + "signatory")), row
        assert row["demands"] == data.leaves_with(("madeIn",), row["iri"]), row
        if not row["demands"]:
            assert row["demands_href"] is None
            continue
        listed = client.get(row["demands_href"].replace("/demands", "/demands.json", 1)).json()
        assert listed["count"] == row["demands"], row
    undated = [r for r in rows if r["date"] is None]
    assert undated and rows[-len(undated):] == undated  # undated documents come last


def test_people_by_name_with_demands_and_documents(client: TestClient, data: Triples) -> None:
    assert first_rows(client, "people", ("demands", "documents", "signed"), 4) == [
        ("person/alena-tankachova", 2, 2, 0), ("person/ales-bialiatski", 0, 1, 0),
        ("person/ales-mikhalevich", 2, 2, 0), ("person/aliaksandr-alesin", 2, 2, 0)]
    rows = list(every_row(client, "people"))
    assert len(rows) == len(data.subjects(RDF_TYPE, "http://xmlns.com/foaf/0.1/Person")) == 11
    for row in rows:
        assert row["demands"] == data.leaves_with(
            ("concerns", "addressee", "actorAskedToAct"), row["iri"]), row
        # the person's page says the same: documents that mention them or make demands about them
        page = client.get(row["href"] + ".json").json()["agent"]
        assert row["documents"] == len(page["mentioned_in"]), row


def test_organisations_most_named_first(client: TestClient, data: Triples) -> None:
    assert first_rows(client, "organisations", ("kind", "demands", "addressed", "signed",
                                                 "documents"), 4) == [
        ("organisation/belarusian-authorities", ["state authority"], 45, 22, 0, 2),
        ("organisation/european-union", ["intergovernmental organisation"], 25, 24, 0, 0),
        ("organisation/office-of-the-high-commissioner", [], 4, 0, 0, 1),
        ("organisation/viasna", ["human-rights organisation"], 2, 0, 1, 3)]
    rows = list(every_row(client, "organisations"))
    assert len(rows) == len(data.subjects(RDF_TYPE, "http://www.w3.org/ns/org#Organization"))
    assert len(rows) > 200  # more than one page of the largest size: paging was followed
    for row in rows:
        assert row["demands"] == data.leaves_with(
            ("concerns", "addressee", "actorAskedToAct"), row["iri"]), row
        assert row["addressed"] == data.leaves_with(("addressee",), row["iri"]), row
        assert row["signed"] == len(data.subjects(HRG + "signatory", row["iri"])), row
    for row in rows[:2]:  # an addressee's count is the length of the list it links to
        listed = client.get(row["addressed_href"].replace("/demands", "/demands.json", 1))
        assert listed.json()["count"] == row["addressed"]


def test_mechanisms_with_the_demands_about_them(client: TestClient, data: Triples) -> None:
    rows = {r["iri"].removeprefix(ID): r for r in every_row(client, "mechanisms")}
    assert len(rows) == 8
    mandate = rows["mechanism/ohchr-belarus-accountability-mandate-2021"]
    assert (mandate["demands"], mandate["kind"]) == (5, ["mandate"])
    assert {o["label"] for o in mandate["operated_by"]} >= {"United Nations Human Rights Council"}
    assert rows["mechanism/universal-periodic-review"]["documents"] == 2
    for iri, row in rows.items():
        assert row["demands"] == data.leaves_with(("concernsMechanism",), ID + iri), row
        assert row["documents"] == len(data.subjects(HRG + "mentions", ID + iri)), row


def test_topics_count_the_demands_of_narrower_topics(client: TestClient, data: Triples) -> None:
    rows = {r["iri"].removeprefix(VOCAB): r for r in every_row(client, "topics")}
    broad = rows["topic/civil-and-political-rights"]
    assert (broad["demands"], broad["stated"]) == (42, 0)  # none states the broad topic
    assert (rows["topic/death-penalty"]["demands"], rows["topic/death-penalty"]["stated"]) == (2, 2)
    assert [b["iri"] for b in rows["topic/death-penalty"]["broader"]] == [broad["iri"]]
    bars = {b["filter_value"]: b["value"]
            for b in client.get("/dashboard.json").json()["charts"][0]["bars"]}
    for iri, row in rows.items():
        assert row["demands"] == data.leaves_with(("topic",), VOCAB + iri), row
        assert row["demands"] == bars.get(row["iri"], 0), row  # the dashboard's bar
        listed = client.get("/demands.json", params={"topic": row["iri"]}).json()
        assert listed["count"] == row["demands"], row
        assert (row["demands_href"] is None) == (row["demands"] == 0)
        assert row["stated"] <= row["demands"]


# --------------------------------------------------------------------------- sorting, paging


def sort_key(column: str, value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


@pytest.mark.parametrize("name", LISTS)
def test_every_column_sorts_both_ways(client: TestClient, name: str) -> None:
    columns = client.get(f"/{name}.json").json()["columns"]
    for column in columns:
        for sort in (column["name"], "-" + column["name"]):
            model = client.get(f"/{name}.json", params={"sort": sort, "per_page": "200"}).json()
            assert model["sort"] == sort
            key = "label" if column["name"] == "label" else column["name"]
            values = [r[key] for r in model["rows"]]
            if column["name"] == "kind":
                values = [min(v, default=None) for v in values]
            present = [sort_key(key, v) for v in values if v is not None]
            assert present == sorted(present, reverse=sort.startswith("-")), (name, sort)
            # entities without the value (no date) come last, whichever the direction
            missing = [v is None for v in values]
            assert missing == sorted(missing), (name, sort)
            heading = next(c for c in model["columns"] if c["name"] == column["name"])
            assert heading["sorted"] == ("descending" if sort.startswith("-") else "ascending")


def test_the_heading_of_the_sorted_column_turns_the_order_round(client: TestClient) -> None:
    columns = {c["name"]: c for c in client.get("/documents.json").json()["columns"]}
    assert columns["date"]["sorted"] == "descending"
    assert columns["date"]["sort_href"] == "/documents?sort=date"
    assert columns["demands"]["sort_href"] == "/documents?sort=-demands"  # counts: most first
    assert columns["label"]["sort_href"] == "/documents?sort=label"
    top = client.get("/documents.json", params={"sort": "-demands"}).json()["rows"][0]
    assert (top["iri"], top["demands"]) == (STATEMENT_2016, 26)


@pytest.mark.parametrize("name", LISTS)
def test_page_two_continues_page_one(client: TestClient, name: str) -> None:
    whole = client.get(f"/{name}.json", params={"per_page": "200"}).json()
    size = 4
    first = client.get(f"/{name}.json", params={"per_page": str(size)}).json()
    assert first["page"] == 1 and first["previous"] is None
    assert first["next"] == f"/{name}?page=2&per_page={size}"
    second = client.get(f"/{name}.json", params={"per_page": str(size), "page": "2"}).json()
    assert second["previous"] == f"/{name}?per_page={size}"
    assert [r["iri"] for r in first["rows"] + second["rows"]] == [
        r["iri"] for r in whole["rows"][:2 * size]]
    assert (first["first"], first["last"], second["first"], second["last"]) == (1, 4, 5, 8)
    assert first["total"] == whole["total"] and first["pages"] == -(-whole["total"] // size)
    last = client.get(f"/{name}.json", params={"per_page": str(size),
                                               "page": str(first["pages"])}).json()
    assert last["next"] is None and last["last"] == whole["total"]
    assert last["rows"] and len(last["rows"]) <= size


@pytest.mark.parametrize(("params", "message"), [
    ({"page": "0"}, "page must be a whole number from 1"),
    ({"page": "x"}, "page must be a whole number from 1"),
    ({"page": "-1"}, "page must be a whole number from 1"),
    ({"page": "99"}, "past the last page"),
    ({"per_page": "0"}, "per_page must be a whole number from 1 to 200"),
    ({"per_page": "201"}, "per_page must be a whole number from 1 to 200"),
    ({"per_page": "1e3"}, "per_page must be a whole number from 1 to 200"),
    ({"sort": "bogus"}, "sort by one of label, date, kind, signatories, demands"),
    ({"sort": "--date"}, "is not a column"),
    ({"sort": "item"}, "is not a column"),
])
def test_bad_paging_and_sorting_are_refused(client: TestClient, params: dict,
                                            message: str) -> None:
    for path in ("/documents", "/documents.json"):
        response = client.get(path, params=params, headers={"Accept": "text/html"})
        assert response.status_code == 400, (path, params)
        assert message in response.text, (path, response.text)


# --------------------------------------------------------------------------- HTML


@pytest.mark.parametrize("name", LISTS)
def test_list_pages_work_without_javascript(client: TestClient, name: str) -> None:
    page = client.get(f"/{name}", params={"per_page": "3"})
    assert page.status_code == 200
    html = page.text
    assert "<script" not in html  # sorting and paging are plain links and a form
    model = client.get(f"/{name}.json", params={"per_page": "3"}).json()
    for row in model["rows"]:
        assert f'href="{row["href"]}"' in html
    for column in model["columns"]:
        assert f'href="{column["sort_href"]}"'.replace("&", "&amp;") in html
    assert f'href="{model["next"]}"'.replace("&", "&amp;") in html and 'rel="next"' in html
    assert f'of {model["total"]}, page 1 of {model["pages"]}' in html


# --------------------------------------------------------------------------- home page


def test_the_home_page_counts_are_the_lists_totals(client: TestClient) -> None:
    counts = client.get("/index.json").json()["counts"]
    for name in ("documents", "people", "organisations", "mechanisms", "topics"):
        assert counts[name] == client.get(f"/{name}.json").json()["total"], name
    assert counts["demands"] == client.get("/demands.json").json()["total"] == 55
    assert (counts["documents"], counts["people"], counts["mechanisms"]) == (10, 11, 8)
    assert counts["assessments"] == 55
    html = client.get("/").text
    for name, number in counts.items():
        assert f'<strong class="count-{name}">{number}</strong>' in html, name
    for path in ("/documents", "/people", "/organisations", "/mechanisms", "/topics",
                 "/demands", "/search", "/dashboard", "/query", "/network", "/ontology",
                 "/vocab/topic", "/vocab/status"):
        assert f'href="{path}"' in html, path


def test_the_home_page_shows_the_newest_contributions(client: TestClient,
                                                      built_project: Project) -> None:
    latest = client.get("/index.json").json()["latest"]
    merged = list_contributions(built_project, include_private=False)
    assert [c["id"] for c in latest] == [c.id for c in reversed(merged)][:5]
    assert [c["id"] for c in latest] == ["20261201T232216Z-c9d9f155",
                                         "20261201T232208Z-e0d14339"]
    mandate = latest[1]
    assert mandate["demands"] == 5 and mandate["created"] == "2026-12-01T23:22:08Z"
    assert [d["href"] for d in mandate["documents"]] == [
        "/id/document/hrc-belarus-mandate-2021-03-24"]
    assert 'href="/id/document/hrc-belarus-mandate-2021-03-24"' in client.get("/").text


# --------------------------------------------------------------------------- document page


def flatten(nodes: list[dict], depth: int = 0) -> Iterator[tuple[int, dict]]:
    for node in nodes:
        yield depth, node
        yield from flatten(node["children"], depth + 1)


def test_the_2016_statement_page_is_its_text_part_by_part(client: TestClient) -> None:
    document = client.get("/id/document/concerted-position-2016.json").json()["document"]
    top = [(n["kind"], n["notation"], n["iri"].removeprefix(ID)) for n in document["structure"]]
    assert top == [("position", None, "position/concerted-position-2016-opening-1"),
                   ("position", None, "position/concerted-position-2016-opening-2"),
                   ("point", "1", "point/concerted-position-2016-c1"),
                   ("point", "2", "point/concerted-position-2016-c2"),
                   ("point", "3", "point/concerted-position-2016-c3"),
                   ("position", None, "position/concerted-position-2016-closing")]
    call_2 = document["structure"][3]
    assert [n["iri"].removeprefix(ID + "demand/") for n in call_2["children"]] == [
        "concerted-position-2016-c2-1", "concerted-position-2016-c2-2",
        "concerted-position-2016-c2-3"]
    roadmap = call_2["children"][2]
    assert not roadmap["leaf"]
    # two demands of the roadmap's sentence, then its seven bullets, numbered by place in list
    assert [(n["kind"], n["notation"], n["positional"]) for n in roadmap["children"]] == [
        ("demand", None, False), ("demand", None, False),
        *[("point", str(i), True) for i in range(1, 8)]]
    bullet_1 = roadmap["children"][2]
    assert [n["iri"].removeprefix(ID + "demand/concerted-position-2016-c2-3-b1-")
            for n in bullet_1["children"]] == [str(i) for i in range(1, 8)]
    assert bullet_1["children"][0]["status"]["label"] == "partly met"  # Alesin's case


def test_the_statuses_are_the_saved_query_latest_status(client: TestClient) -> None:
    document = client.get("/id/document/concerted-position-2016.json").json()["document"]
    saved = client.get("/api/queries/latest-status",
                       params={"document": STATEMENT_2016}).json()
    latest = {row["demand"]["value"]: row["status"]["value"]
              for row in saved["results"]["bindings"]}
    demands = [n for _, n in flatten(document["structure"]) if n["kind"] == "demand"]
    assert len(demands) == 28 and sum(n["leaf"] for n in demands) == 26 == document[
        "leaf_demands"]
    assert latest
    for node in demands:
        shown = node["status"]["label"] if node["status"] else None
        assert shown == latest.get(node["iri"]), node["iri"]
    assert sum(1 for n in demands if n["leaf"] and n["status"] is None) == 0
    summary = {s["status"]["label"]: s["count"] for s in document["statuses"]}
    assert summary == {"not met": 15, "unknown": 4, "partly met": 3, "reversed": 2, "met": 1,
                       "superseded": 1}
    for label, count in summary.items():  # each links to the demands list of exactly that
        listed = client.get("/demands.json", params={"document": STATEMENT_2016,
                                                     "status": label}).json()
        assert listed["count"] == count, label


def test_the_document_page_prints_the_parts_in_text_order(client: TestClient) -> None:
    html = client.get("/id/document/concerted-position-2016").text
    section = html[html.index('id="document-structure"'):]
    section = section[:section.index("</section>")]
    order = re.findall(r'href="/id/(?:point|demand|position)/concerted-position-2016-([^"]+)"',
                       section)
    assert order[:6] == ["opening-1", "opening-2", "c1", "c1-1", "c1-1-1", "c2"]
    assert order.index("c2-3") < order.index("c2-3-1") < order.index("c2-3-b1") < order.index(
        "c2-3-b1-1") < order.index("c2-3-b7") < order.index("c3") < order.index("closing")
    assert len(order) == 41  # 3 positions, 10 points, 28 demands, each once
    notations = re.findall(r'<span class="notation[^"]*"[^>]*>([^<]+)</span>', section)
    assert notations == ["1.", "2.", *[f"({i})" for i in range(1, 8)], "3."]
    assert "partly met</a>" in section and "not assessed" not in section
    assert "<script" not in section


def test_a_name_from_rdfs_label_sorts_by_its_text_not_after_preferred_labels(
        built_copy: Project) -> None:
    """Regression: the sort key ranked the kind of name first (an English preferred label
    before an rdfs:label), so a person named only by rdfs:label "Aaron" came after "Zharomski"."""
    store = stores.open_store(built_copy, read_only=False)
    person = ox.NamedNode(ID + "person/aaron-test")
    graph = ox.NamedNode(built_copy.graph_base + "data/actors/people")
    for p, o in ((RDF_TYPE, ox.NamedNode("http://xmlns.com/foaf/0.1/Person")),
                 ("http://www.w3.org/2000/01/rdf-schema#label", ox.Literal("Aaron Test"))):
        store.add(ox.Quad(person, ox.NamedNode(p), o, graph))
    store.flush()
    del store
    client = TestClient(create_app(built_copy))
    rows = client.get("/people.json", params={"sort": "label"}).json()["rows"]
    assert [r["label"] for r in rows][:2] == ["Aaron Test", "Alena Tankachova"]
    last = client.get("/people.json", params={"sort": "-label"}).json()["rows"][-1]
    assert last["iri"] == person.value
