"""Merging while ``hrgraph serve`` runs, and merging from the web with a token.

A merge never writes into a store that a reader has open: it publishes a new store generation
(copy-on-write, :mod:`hrgraph.store`) and the server reads the new one from its next request.
Tested for real: ``hrgraph serve`` as a subprocess, clients querying it the whole time, and
``hrgraph add`` in another process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from conftest import merged_by_the_test
from hrgraph import store as stores
from hrgraph.project import Project
from hrgraph.web import WebSettings, create_app
from test_contribute import snapshot
from web_support import running_server

CONTRIBUTION = Path(__file__).resolve().parent / "data" / "contribution-demand.ttl"
NEW_DEMAND = "/id/demand/test-merge-while-serving"
COUNT = ("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE "
         "{ ?d a <https://w3id.org/hrgraph/ontology#Demand> }")
TOKEN = "s3cret-merge-token"


@pytest.fixture
def built(built_copy: Project) -> Project:
    """A private copy of the built real project (files and store)."""
    return built_copy



def demand_count(project: Project) -> int:
    store = stores.open_store(project, read_only=True)
    return int(next(iter(stores.query(store, COUNT)))["n"].value)


# --------------------------------------------------------------------------- merging while serving


def test_add_while_serving_every_answer_is_complete_and_the_new_demand_appears(
        built: Project) -> None:
    before = demand_count(built)
    answers: list[tuple[str, int]] = []
    problems: list[str] = []
    stop = threading.Event()

    def sparql_loop(url: str) -> None:  # ad hoc queries: a worker process opens the store
        with httpx.Client(timeout=30) as client:
            while not stop.is_set():
                try:
                    r = client.get(url + "/sparql", params={"query": COUNT},
                                   headers={"Accept": "application/sparql-results+json"})
                    if r.status_code != 200:
                        problems.append(f"/sparql {r.status_code}: {r.text[:200]}")
                        continue
                    n = int(r.json()["results"]["bindings"][0]["n"]["value"])
                    answers.append(("sparql", n))
                except Exception as exc:
                    problems.append(f"/sparql {type(exc).__name__}: {exc}")

    def page_loop(url: str) -> None:  # pages: the server's own read-only handle
        with httpx.Client(timeout=30) as client:
            while not stop.is_set():
                try:
                    r = client.get(url + "/demands.json")
                    if r.status_code != 200:
                        problems.append(f"/demands.json {r.status_code}: {r.text[:200]}")
                        continue
                    model = r.json()
                    demands = model.get("demands", model.get("rows"))
                    answers.append(("page", len(demands)))
                    r = client.get(url + "/id/person/ales-bialiatski.ttl")
                    if r.status_code != 200 or not ox.parse(r.content,
                                                            format=ox.RdfFormat.TURTLE):
                        problems.append(f"person page {r.status_code}")
                except Exception as exc:
                    problems.append(f"/demands.json {type(exc).__name__}: {exc}")

    with running_server(built) as url:
        assert httpx.get(url + NEW_DEMAND + ".html").status_code == 404
        threads = [threading.Thread(target=f, args=(url,)) for f in (sparql_loop, page_loop)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60  # both loops have answered from the old store
        while time.monotonic() < deadline and {kind for kind, _ in answers} != {"sparql", "page"}:
            time.sleep(0.1)
        pages_before = next(n for kind, n in answers if kind == "page")
        added = subprocess.run(
            [sys.executable, "-m", "hrgraph", "--project", str(built.root), "--store",
             str(built.store_path), "add", str(CONTRIBUTION), "--contributor", "test"],
            capture_output=True, text=True, timeout=300)
        assert added.returncode == 0, added.stderr + added.stdout
        # Both kinds of answer must come to see the new store (the pages once cached an answer
        # from the old store under the new store's name, and then never did).
        def both_see_it() -> bool:
            return {(kind, n) for kind, n in answers} >= {("sparql", before + 1),
                                                          ("page", pages_before + 1)}

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not both_see_it():
            time.sleep(0.2)
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(60)
        page = httpx.get(url + NEW_DEMAND, headers={"Accept": "text/html"},
                         follow_redirects=True)
        assert page.status_code == 200
        assert "merged while serving" in page.text
        final = httpx.get(url + "/sparql", params={"query": COUNT},
                          headers={"Accept": "application/sparql-results+json"})
    assert problems == []
    assert final.status_code == 200, final.text
    final = final.json()
    counts = [n for kind, n in answers if kind == "sparql"]
    assert set(counts) <= {before, before + 1} and counts[-1] == before + 1, counts
    assert counts == sorted(counts), "an answer went back to the old store after the new one"
    pages = [n for kind, n in answers if kind == "page"]
    assert len(set(pages)) == 2 and pages == sorted(pages), pages
    assert int(final["results"]["bindings"][0]["n"]["value"]) == before + 1
    assert demand_count(built) == before + 1


def test_the_store_link_points_at_an_unchanging_generation(built: Project, tmp_path: Path) -> None:
    from hrgraph import contribute

    reader = stores.open_store(built, read_only=True)
    first = stores.current_generation(built.store_path)
    merged = contribute.add_contribution(built, CONTRIBUTION)
    second = stores.current_generation(built.store_path)
    assert first != second and built.store_path.is_symlink()
    assert Path(first).is_dir()  # kept for readers still on it
    assert len(reader) + 26 + 0 <= len(stores.open_store(built, read_only=True)) + 0
    assert not any(q.graph_name.value == merged.graph for q in reader)


# --------------------------------------------------------------------------- merging from the web


def post(client: TestClient, token: str | None = None, *, bearer: bool = False,
         path: Path = CONTRIBUTION, accept: str = "application/json") -> httpx.Response:
    data = {"contributor": "web test", "message": "merged from the web"}
    headers = {"Accept": accept}
    if token is not None and bearer:
        headers["Authorization"] = f"Bearer {token}"
    elif token is not None:
        data["token"] = token
    return client.post("/contribute", data=data, headers=headers,
                       files={"file": (path.name, path.read_bytes(), "text/turtle")})


def test_without_a_configured_token_merging_from_the_web_is_off(built: Project) -> None:
    before = snapshot(built)
    client = TestClient(create_app(built))
    assert "turned off" in client.get("/contribute").text
    response = post(client, TOKEN)
    assert response.status_code == 403
    assert "HRGRAPH_MERGE_TOKEN" in response.json()["error"]
    assert snapshot(built) == before


def test_a_read_only_server_merges_nothing_even_with_the_token(built: Project) -> None:
    before = snapshot(built)
    client = TestClient(create_app(built, WebSettings(read_only=True, merge_token=TOKEN)))
    assert post(client, TOKEN).status_code == 403
    assert snapshot(built) == before


@pytest.mark.parametrize("token", [None, "", "wrong-token", TOKEN + "x", TOKEN[:-1]])
def test_a_missing_or_wrong_token_is_401_and_changes_nothing(built: Project,
                                                             token: str | None) -> None:
    before = snapshot(built)
    client = TestClient(create_app(built, WebSettings(merge_token=TOKEN)))
    for bearer in (False, True):
        response = post(client, token, bearer=bearer)
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "merge token" in response.json()["error"]
    assert snapshot(built) == before


@pytest.mark.parametrize("bearer", [False, True])
def test_a_valid_upload_with_the_token_is_merged_and_served_at_once(built: Project,
                                                                   bearer: bool) -> None:
    client = TestClient(create_app(built, WebSettings(merge_token=TOKEN)))
    assert client.get(NEW_DEMAND + ".json").status_code == 404  # the app has the store open
    response = post(client, TOKEN, bearer=bearer)
    assert response.status_code == 200, response.text
    model = response.json()
    assert model["merged"] and model["id"]
    assert re.search(r"Merged \d+ triples as contribution " + model["id"], model["text"])
    assert str(built.root) not in model["text"] and "hrgraph-merge-" not in model["text"]
    files = merged_by_the_test(built)
    assert [f.stem for f in files] == [model["id"]]
    record = files[0].read_text(encoding="utf-8")
    assert "web test" in record and "contribution-demand.ttl" in record
    page = client.get(NEW_DEMAND + ".json")  # same app, no restart
    assert page.status_code == 200
    assert "merged while serving" in page.text


def test_the_merge_page_shows_the_report_in_plain_words(built: Project) -> None:
    client = TestClient(create_app(built, WebSettings(merge_token=TOKEN)))
    form = client.get("/contribute", headers={"Accept": "text/html"})
    assert 'name="token"' in form.text and 'type="password"' in form.text
    response = post(client, TOKEN, accept="text/html")
    assert response.status_code == 200
    assert "merged as contribution" in response.text
    assert "No problems found." in response.text


def test_an_upload_with_a_violation_is_422_and_changes_nothing(built: Project,
                                                               tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(CONTRIBUTION.read_text(encoding="utf-8").replace(
        'hrg:actionType action:maintain-scrutiny ;', ''), encoding="utf-8")
    before = snapshot(built)
    client = TestClient(create_app(built, WebSettings(merge_token=TOKEN)))
    response = post(client, TOKEN, path=bad)
    assert response.status_code == 422
    model = response.json()
    assert not model["merged"] and model["report"]["violations"] >= 1
    assert "Nothing was merged" in model["text"]
    assert snapshot(built) == before


def test_an_unusable_upload_is_400_and_changes_nothing(built: Project, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix x: <http://example.org/> .\nx:a x:b \n", encoding="utf-8")
    before = snapshot(built)
    client = TestClient(create_app(built, WebSettings(merge_token=TOKEN)))
    response = post(client, TOKEN, path=broken)
    assert response.status_code == 400
    assert "broken.ttl" in response.json()["error"]
    assert snapshot(built) == before


def test_serve_reads_the_token_from_the_environment(built: Project) -> None:
    env_token = "from-the-environment"
    old = os.environ.get("HRGRAPH_MERGE_TOKEN")
    os.environ["HRGRAPH_MERGE_TOKEN"] = env_token
    try:
        with running_server(built) as url:
            refused = httpx.post(url + "/contribute", data={"token": "nope"},
                                 files={"file": ("c.ttl", CONTRIBUTION.read_bytes())},
                                 headers={"Accept": "application/json"}, timeout=60)
            assert refused.status_code == 401
            merged = httpx.post(url + "/contribute", data={"token": env_token},
                                files={"file": ("c.ttl", CONTRIBUTION.read_bytes())},
                                headers={"Accept": "application/json"}, timeout=120)
            assert merged.status_code == 200, merged.text
            assert httpx.get(url + NEW_DEMAND + ".json").status_code == 200
    finally:
        if old is None:
            os.environ.pop("HRGRAPH_MERGE_TOKEN", None)
        else:
            os.environ["HRGRAPH_MERGE_TOKEN"] = old
