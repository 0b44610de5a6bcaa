"""Downloads of every list and query result, and the "cite this" block (issue 18 item 6).

Each list page and saved query downloads as CSV, JSON and XLSX with the rows of its JSON twin;
formula-like cells are neutralised in CSV and XLSX alike (a contributed person whose name is a
formula); a confidential contribution is in no download; the cite block names the version,
date and IRI.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from starlette.testclient import TestClient

from hrgraph.cli import main
from hrgraph.project import Project
from hrgraph.query import QueryResult
from hrgraph.web import WebSettings, create_app, downloads

ID = "https://w3id.org/hrgraph/id/"
TOPIC = "https://w3id.org/hrgraph/vocab/topic/death-penalty"
DOCUMENT = ID + "document/concerted-position-2016"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: The list pages and the parameters they are downloaded with.
LISTS = [
    ("/demands", {}),
    ("/demands", {"topic": TOPIC}),
    ("/demands", {"document": DOCUMENT, "year": "2016"}),
    ("/search", {"q": "Viasna"}),
    ("/search", {"q": "death penalty"}),
]
#: The browsing lists of issue 18 item 3, downloaded when the app has them.
BROWSE_LISTS = ["/documents", "/people", "/organisations", "/mechanisms", "/topics"]

FORMULA = '=HYPERLINK("https://example.org/x","Formulaperson")'
FORMULA_PERSON = ID + "person/formula-name-test"
PREFIXES = """\
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix hrg: <https://w3id.org/hrgraph/ontology#> .
@prefix person: <https://w3id.org/hrgraph/id/person/> .
@prefix demand: <https://w3id.org/hrgraph/id/demand/> .
"""
#: A public contribution: a person whose name a spreadsheet would run as a formula.
ESCAPED = FORMULA.replace('"', '\\"')
PUBLIC = PREFIXES + f"""
person:formula-name-test a foaf:Person ;
    skos:prefLabel "{ESCAPED}"@en ;
    skos:definition "A person whose name is a spreadsheet formula (download test)."@en .
"""
#: A confidential contribution: a person, and a public demand said to concern him.
SECRET = PREFIXES + """
person:canarydl-secret-person a foaf:Person ;
    skos:prefLabel "Canarydl Secretperson"@en ;
    skos:prefLabel "Канарэйкадл Сакрэт"@be ;
    skos:definition "A fictional person at risk, contributed confidentially (download test)."@en .

demand:concerted-position-2016-c1-1-1 hrg:concernsPerson person:canarydl-secret-person .
"""
SECRETS = ("canarydl", "канарэйкадл", "secretperson")


@pytest.fixture(scope="module")
def client(built_project: Project) -> TestClient:
    return TestClient(create_app(built_project))


@pytest.fixture(scope="module")
def contributed(built_project: Project, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the built project with the formula person merged publicly and the canary
    person merged with ``--confidential``."""
    target = tmp_path_factory.mktemp("downloads") / "project"
    shutil.copytree(built_project.root, target, symlinks=True)
    project = Project.open(target, store=target / "store")
    for name, text, extra in (("public.ttl", PUBLIC, []),
                              ("secret.ttl", SECRET, ["--confidential"])):
        path = target.parent / name
        path.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(main, ["--project", str(target), "--store",
                                           str(project.store_path), "--quiet", "add", *extra,
                                           "--contributor", "Download Test",
                                           "--message", "download test", str(path)])
        assert result.exit_code == 0, result.output
    return project


@pytest.fixture(scope="module")
def contributed_client(contributed: Project) -> Iterator[TestClient]:
    yield TestClient(create_app(contributed))


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_rows(content: bytes) -> tuple[list[dict[str, str]], Any]:
    """The data sheet's rows as CSV gives them (every cell as text), and the workbook."""
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    values = [["" if c is None else str(c) for c in row]
              for row in sheet.iter_rows(values_only=True)]
    header, *body = values
    return [dict(zip(header, row, strict=True)) for row in body], book


def get_all(client: TestClient, path: str, params: dict[str, str]) -> dict[str, Any]:
    twin = client.get(path + ".json", params=params)
    assert twin.status_code == 200, twin.text
    found = {"twin": twin.json()}
    for fmt in ("csv", "xlsx"):
        by_suffix = client.get(f"{path}.{fmt}", params=params)
        by_param = client.get(path, params={**params, "format": fmt})
        for response in (by_suffix, by_param):
            assert response.status_code == 200, response.text
            disposition = response.headers["content-disposition"]
            assert disposition.startswith("attachment; filename=\"hrgraph-")
            assert disposition.endswith(f'.{fmt}"')
        assert by_suffix.content == by_param.content or fmt == "xlsx"
        found[fmt] = by_suffix
    return found


def assert_same_rows(twin_rows: list[dict[str, Any]], csv_text: str, xlsx: bytes) -> None:
    rows = csv_rows(csv_text)
    assert [r["iri"] for r in rows] == [r["iri"] for r in twin_rows]
    assert [r["label"] for r in rows] == [r["label"] for r in twin_rows]
    in_sheet, _ = xlsx_rows(xlsx)
    assert in_sheet == rows


# --------------------------------------------------------------------------- lists


@pytest.mark.parametrize(("path", "params"), LISTS)
def test_each_list_downloads_as_csv_xlsx_and_json_with_the_rows_of_its_twin(
        client: TestClient, path: str, params: dict[str, str]) -> None:
    found = get_all(client, path, params)
    twin_rows = downloads.rows_of(found["twin"])
    assert twin_rows, (path, params)  # a list that shows something
    assert found["csv"].headers["content-type"] == "text/csv; charset=utf-8"
    assert found["xlsx"].headers["content-type"] == XLSX
    assert_same_rows(twin_rows, found["csv"].text, found["xlsx"].content)
    as_json = client.get(path, params={**params, "format": "json"})
    assert as_json.status_code == 200 and as_json.json() == found["twin"]
    assert as_json.headers["content-disposition"].endswith('.json"')


def test_a_search_downloads_every_result_or_the_page_asked_for(client: TestClient) -> None:
    first = client.get("/search.json", params={"q": "Belarus"}).json()
    assert first["pages"] > 1, "a search with several pages of results"
    every = []
    for page in range(1, first["pages"] + 1):
        every += client.get("/search.json", params={"q": "Belarus", "page": page}).json()[
            "results"]
    assert len(every) == first["count"]
    whole = csv_rows(client.get("/search.csv", params={"q": "Belarus"}).text)
    assert [r["iri"] for r in whole] == [r["iri"] for r in every]
    second = csv_rows(client.get("/search.csv", params={"q": "Belarus", "page": 2}).text)
    assert [r["iri"] for r in second] == [
        r["iri"] for r in client.get("/search.json", params={"q": "Belarus", "page": 2}
                                     ).json()["results"]]


def test_the_demands_csv_holds_each_demands_columns(client: TestClient) -> None:
    twin = client.get("/demands.json", params={"topic": TOPIC}).json()
    rows = csv_rows(client.get("/demands.csv", params={"topic": TOPIC}).text)
    assert len(rows) == twin["count"] > 0
    for row, demand in zip(rows, twin["demands"], strict=True):
        assert row["document"] == demand["document"]["iri"]
        assert row["document label"] == demand["document"]["label"]
        assert row["status"] == (demand["status"] or "")
        assert TOPIC in row["topics"].split("; ")
        assert row["topics label"].split("; ") == [t["label"] for t in demand["topics"]]


def test_the_demands_download_holds_every_demand_not_one_page(client: TestClient) -> None:
    twin = client.get("/demands.json", params={"per_page": 10, "page": 2}).json()
    assert twin["pages"] > 1
    rows = csv_rows(client.get("/demands.csv", params={"per_page": 10, "page": 2}).text)
    assert len(rows) == twin["count"] == len(twin["demands"])
    page = client.get("/demands", params={"per_page": 10, "page": 2}).text
    assert 'href="/demands.csv"' in page  # the links name the whole list, not the page


def test_a_download_is_named_after_the_page_and_its_filters(client: TestClient) -> None:
    response = client.get("/demands.csv", params={"topic": TOPIC})
    assert response.headers["content-disposition"] == (
        'attachment; filename="hrgraph-demands-topic-death-penalty.csv"')


def test_an_unknown_format_is_400_and_a_page_without_a_list_404(client: TestClient) -> None:
    bad = client.get("/demands", params={"format": "pdf"})
    assert bad.status_code == 400 and "csv, json, xlsx" in bad.text
    assert client.get("/dashboard.csv").status_code == 404
    # an unknown filter value is refused in a download as on the page
    assert client.get("/demands.csv", params={"topic": "bogus"}).status_code == 400


@pytest.mark.parametrize("path", BROWSE_LISTS)
def test_each_browsing_list_downloads_whole(client: TestClient, path: str) -> None:
    """A paged list downloads whole: the rows of all pages of its twin, in order."""
    found = get_all(client, path, {})
    assert found["twin"]["pages"] >= 1
    rows: list[dict[str, Any]] = []
    for page in range(1, found["twin"]["pages"] + 1):
        rows += client.get(path + ".json", params={"page": page}).json()["rows"]
    assert len(rows) == found["twin"]["total"] > 0
    assert_same_rows(rows, found["csv"].text, found["xlsx"].content)
    whole = client.get(path, params={"format": "json"}).json()
    assert [r["iri"] for r in whole["rows"]] == [r["iri"] for r in rows]
    second = client.get(path + ".csv", params={"page": 2, "per_page": 3})
    assert [r["iri"] for r in csv_rows(second.text)] == [
        r["iri"] for r in client.get(path + ".json", params={"page": 2, "per_page": 3}
                                     ).json()["rows"]]


@pytest.mark.parametrize(("page", "key"), [
    ("/vocab/topic/death-penalty", "demands"),
    ("/id/document/concerted-position-2016", "demands"),
    ("/id/document/concerted-position-2016", "signatories"),
    ("/id/organisation/viasna", "signed_demands"),
])
def test_an_entity_pages_lists_download(client: TestClient, page: str, key: str) -> None:
    twin = client.get(page + ".json").json()
    rows = twin[twin["kind"]][key]
    assert rows
    params = {"list": key}
    as_csv = client.get(page + ".csv", params=params)
    as_xlsx = client.get(page + ".xlsx", params=params)
    assert as_csv.status_code == as_xlsx.status_code == 200, as_csv.text
    assert_same_rows(rows, as_csv.text, as_xlsx.content)
    stem = page.strip("/").replace("/", "-")
    assert as_csv.headers["content-disposition"] == (
        f'attachment; filename="hrgraph-{stem}-{key.replace("_", "-")}.csv"')
    as_json = client.get(page + ".html", params={**params, "format": "json"})
    assert as_json.json() == rows
    html = client.get(page + ".html").text
    assert f'href="{page}.csv?list={key}"' in html and f'href="{page}.xlsx?list={key}"' in html


def test_an_entity_list_that_is_not_there_is_400_naming_the_lists(client: TestClient) -> None:
    response = client.get("/vocab/topic/death-penalty.csv", params={"list": "nothing"})
    assert response.status_code == 400 and "demands" in response.text
    default = client.get("/vocab/topic/death-penalty.csv")
    assert default.text == client.get("/vocab/topic/death-penalty.csv",
                                      params={"list": "demands"}).text


def test_each_list_page_links_its_downloads(client: TestClient) -> None:
    page = client.get("/demands", params={"topic": TOPIC}).text
    quoted = TOPIC.replace(":", "%3A").replace("/", "%2F")
    for fmt in ("csv", "xlsx"):
        assert f'href="/demands.{fmt}?topic={quoted}"' in page
    assert f'href="/demands?topic={quoted}&amp;format=json"' in page
    search = client.get("/search", params={"q": "Viasna"}).text
    assert 'href="/search.csv?q=Viasna"' in search and 'href="/search.xlsx?q=Viasna"' in search


# --------------------------------------------------------------------------- query results


def test_a_saved_query_downloads_as_csv_xlsx_and_json_with_the_same_rows(
        client: TestClient) -> None:
    as_json = client.get("/api/queries/signatories.json")
    assert as_json.status_code == 200
    variables = as_json.json()["head"]["vars"]
    bindings = as_json.json()["results"]["bindings"]
    assert bindings
    expected = [{v: b[v]["value"] if v in b else "" for v in variables} for b in bindings]
    as_csv = client.get("/api/queries/signatories.csv")
    as_xlsx = client.get("/api/queries/signatories.xlsx")
    assert as_xlsx.headers["content-type"] == XLSX
    assert as_csv.headers["content-disposition"] == (
        'attachment; filename="hrgraph-query-signatories.csv"')
    assert csv_rows(as_csv.text) == expected
    assert xlsx_rows(as_xlsx.content)[0] == expected
    by_accept = client.get("/api/queries/signatories", headers={"Accept": XLSX})
    assert by_accept.headers["content-type"] == XLSX


def test_numbers_stay_numbers_in_the_xlsx(client: TestClient) -> None:
    response = client.get("/api/queries/count-demands-by-year.xlsx")
    _, book = xlsx_rows(response.content)
    sheet = book.worksheets[0]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    column = next(i for i, name in enumerate(header) if name.startswith("count")
                  or name in {"demands", "n"})
    counts = [row[column].value for row in sheet.iter_rows(min_row=2)]
    assert counts and all(isinstance(c, int) for c in counts)


def test_the_query_pages_result_downloads_as_the_api_writes_it(client: TestClient) -> None:
    sparql = (f"SELECT ?document ?signatory WHERE {{ <{DOCUMENT}> "
              "<https://w3id.org/hrgraph/ontology#signatory> ?signatory "
              f"BIND (<{DOCUMENT}> AS ?document) }} ORDER BY ?signatory")
    page_csv = client.get("/query.csv", params={"query": sparql})
    assert page_csv.status_code == 200, page_csv.text
    rows = csv_rows(page_csv.text)
    assert rows and {r["document"] for r in rows} == {DOCUMENT}
    page_xlsx = client.get("/query.xlsx", params={"query": sparql})
    assert xlsx_rows(page_xlsx.content)[0] == rows
    page_json = client.get("/query", params={"query": sparql, "format": "json"})
    assert [b["signatory"]["value"] for b in page_json.json()["results"]["bindings"]] == [
        r["signatory"] for r in rows]
    assert page_csv.headers["content-disposition"] == (
        'attachment; filename="hrgraph-query-result.csv"')
    page = client.get("/query", params={"query": sparql}).text
    assert 'href="/query.xlsx?query=' in page


def test_the_query_page_downloads_a_saved_query_run_with_its_form(client: TestClient) -> None:
    params = {"saved": "status-as-of", "run": "1", "date": "2020-01-01"}
    html = client.get("/query", params=params).text
    assert 'href="/api/queries/status-as-of.xlsx?date=2020-01-01"' in html
    api = csv_rows(client.get("/api/queries/status-as-of.csv",
                              params={"date": "2020-01-01"}).text)
    page = client.get("/query.xlsx", params=params)
    assert page.headers["content-disposition"] == (
        'attachment; filename="hrgraph-query-status-as-of-date-2020-01-01.xlsx"')
    assert xlsx_rows(page.content)[0] == api and api


# --------------------------------------------------------------------------- neutralised cells


def test_a_formula_is_neutralised_in_csv_and_xlsx(contributed_client: TestClient) -> None:
    client = contributed_client
    api = {fmt: client.get(f"/api/queries/find-by-name.{fmt}",
                           params={"name": "Formulaperson"}) for fmt in ("csv", "xlsx")}
    search = {fmt: client.get(f"/search.{fmt}", params={"q": "Formulaperson"})
              for fmt in ("csv", "xlsx")}
    for found, column in ((api, "matched_name"), (search, "label")):
        rows = csv_rows(found["csv"].text)
        names = [r[column] for r in rows if FORMULA in r[column]]
        assert names == ["'" + FORMULA], rows  # the positive control: the person is there
        in_sheet, book = xlsx_rows(found["xlsx"].content)
        assert [r[column] for r in in_sheet if FORMULA in r[column]] == names
        cells = [c for row in book.worksheets[0].iter_rows() for c in row
                 if isinstance(c.value, str) and FORMULA in c.value]
        assert cells and all(c.data_type == "s" for c in cells)  # text, never a formula


def test_escaping_of_the_table_serializers() -> None:
    table = downloads.Table(["a", "b"], [["=1+1", 3], ["+x", None], ["-5", -5], ["@me", 1.5],
                                         ["plain", 0]])
    rows = list(csv.reader(io.StringIO(downloads.to_csv(table))))
    assert rows[1:] == [["'=1+1", "3"], ["'+x", ""], ["'-5", "-5"], ["'@me", "1.5"],
                        ["plain", "0"]]
    book = load_workbook(io.BytesIO(downloads.to_xlsx(table)))
    values = [[c.value for c in row] for row in book.worksheets[0].iter_rows(min_row=2)]
    assert values == [["'=1+1", 3], ["'+x", None], ["'-5", -5], ["'@me", 1.5], ["plain", 0]]


def test_a_query_results_cells_keep_their_kind() -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    terms = [ox.NamedNode(ID + "x"), ox.Literal("7", datatype=ox.NamedNode(xsd + "integer")),
             ox.Literal("2.50", datatype=ox.NamedNode(xsd + "decimal")),
             ox.Literal("NaN", datatype=ox.NamedNode(xsd + "double")),
             ox.Literal("abc", datatype=ox.NamedNode(xsd + "integer")),
             ox.Literal("=Вясна", language="be"), ox.BlankNode("b0"), None]
    names = [f"v{i}" for i in range(len(terms))]
    result = QueryResult("select", names, [dict(zip(names, terms, strict=True))])
    table = downloads.table_of_result(result)
    assert table.rows == [[ID + "x", 7, Decimal("2.50"), "NaN", "abc", "=Вясна", "_:b0", None]]
    assert csv_rows(downloads.to_csv(table))[0]["v5"] == "'=Вясна"
    ask = downloads.table_of_result(QueryResult("ask", [], [], boolean=True))
    assert downloads.to_csv(ask) == "boolean\ntrue\n"


# --------------------------------------------------------------------------- confidentiality


def leaks(content: str | bytes) -> list[str]:
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    return [s for s in SECRETS if s in text.casefold()]


def xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return "\n".join(str(c) for sheet in book.worksheets
                     for row in sheet.iter_rows(values_only=True) for c in row if c is not None)


def test_a_confidential_contribution_is_in_no_download(contributed: Project,
                                                        contributed_client: TestClient) -> None:
    client = contributed_client
    private = Path(contributed.root / ".hrgraph" / "private")
    assert any("Canarydl" in p.read_text(encoding="utf-8")
               for p in private.rglob("*.ttl")), "the confidential contribution was merged"
    lists = [("/demands", {}), ("/demands", {"document": DOCUMENT}),
             *[("/search", {"q": q}) for q in ("Canarydl", "Secretperson", "Канарэйкадл")],
             *[(p, {}) for p in BROWSE_LISTS],
             *[("/id/document/concerted-position-2016.html", {"list": key})
               for key in ("demands", "signatories")]]
    for path, params in lists:
        for fmt in ("csv", "xlsx", "json"):
            response = client.get(path, params={**params, "format": fmt})
            assert response.status_code == 200, (path, fmt, response.text)
            text = xlsx_text(response.content) if fmt == "xlsx" else response.text
            for value in params.values():
                text = text.replace(value, "")  # the query echoed back is not a leak
            assert not leaks(text), (path, params, fmt)
    for fmt in ("csv", "xlsx", "json"):
        response = client.get(f"/api/queries/find-by-name.{fmt}", params={"name": "Canarydl"})
        text = xlsx_text(response.content) if fmt == "xlsx" else response.text
        assert not leaks(text.replace("Canarydl", "")), fmt
    demand = client.get("/api/queries/signatories.csv")
    assert not leaks(demand.text)


# --------------------------------------------------------------------------- cite this


def test_the_cite_block_names_version_date_and_iri(client: TestClient,
                                                   built_project: Project) -> None:
    version = downloads.dataset_version(built_project, built_project.store_path)
    assert version["version"].startswith("build ") and len(version["build"]) == 12
    assert version["date"][:2] == "20"
    entity = client.get("/id/organisation/viasna").text
    for text in (version["version"], version["date"], ID + "organisation/viasna",
                 "CC BY 4.0", "@misc{"):
        assert text in entity, text
    demands = client.get("/demands", params={"topic": TOPIC}).text
    assert "Cite this" in demands and version["version"] in demands
    assert "/demands?topic=" + TOPIC.replace(":", "%3A").replace("/", "%2F") in demands
    home = client.get("/").text
    assert "https://w3id.org/hrgraph/dataset" in home and version["date"] in home


def test_the_cite_block_names_the_release_when_one_is_configured(
        built_project: Project, tmp_path: Path) -> None:
    target = tmp_path / "project"
    shutil.copytree(built_project.root, target, symlinks=True)
    (target / "hrgraph.toml").write_text('[release]\nversion = "1.2.0"\ndate = 2026-11-30\n',
                                         encoding="utf-8")
    project = Project.open(target, store=target / "store")
    settings = WebSettings(public_base_url="https://hrgraph.example.org/")
    client = TestClient(create_app(project, settings))
    page = client.get("/demands", params={"topic": TOPIC}).text
    assert "1.2.0" in page and "2026-11-30" in page
    assert "https://hrgraph.example.org/demands?topic=" in page
    sheet = load_workbook(io.BytesIO(client.get("/demands.xlsx").content))["about"]
    about = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
    assert about["version"] == "1.2.0" and about["date"] == "2026-11-30"
    assert about["address"] == "https://hrgraph.example.org/demands"
    csl = json.loads(client.get("/").text.split('<pre class="csl">')[1].split("</pre>")[0]
                     .replace("&#34;", '"').replace("&quot;", '"'))
    assert csl["version"] == "1.2.0" and csl["URL"] == "https://w3id.org/hrgraph/dataset/1.2.0"
