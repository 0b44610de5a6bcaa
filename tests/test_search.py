"""Full-text search (hrgraph.search, issue 18 item 5): the index beside each store generation,
what it finds (topics of demands, typos, any script), short queries, filters, highlighting
without injection, confidentiality, and the index following build, add and remove."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from hrgraph import contribute, search
from hrgraph import store as stores
from hrgraph.build import build
from hrgraph.errors import UsageError
from hrgraph.project import Project
from hrgraph.web import create_app

ID = "https://w3id.org/hrgraph/id/"
DEATH_PENALTY_DEMANDS = {ID + "demand/concerted-position-2016-c2-3-b5-1",
                         ID + "demand/open-letter-2015-12-09-r5-1"}
VIASNA = ID + "organisation/viasna"
BIALIATSKI = ID + "person/ales-bialiatski"

PREFIXES = """\
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix hrg: <https://w3id.org/hrgraph/ontology#> .
@prefix person: <https://w3id.org/hrgraph/id/person/> .
@prefix demand: <https://w3id.org/hrgraph/id/demand/> .
"""

#: A person named in Cyrillic only, with a note that is markup.
CYRILLIC_PERSON = PREFIXES + """
person:test-search-zhuraulioua a foaf:Person ;
    skos:prefLabel "Тэрэза Жураўлёва"@be ;
    skos:note "Named <script>alert('snippet')</script> in a test of search."@en ;
    dcterms:source <https://spring96.org/en/news/82549> .
"""
CYRILLIC_IRI = ID + "person/test-search-zhuraulioua"

#: Confidential people: one added with --confidential, one marked in a data file.
SECRET_CONTRIBUTION = PREFIXES + """
person:test-search-canary a foaf:Person ;
    skos:prefLabel "Zmitser Kanarejkin-Sekretny"@en ;
    skos:prefLabel "Зміцер Канарэйкін"@be ;
    skos:note "Quillfeather lives at a secret address."@en ;
    dcterms:source <https://spring96.org/en/news/82549> .
demand:concerted-position-2016-c1-1 hrg:concernsPerson person:test-search-canary .
"""
SECRET_DATA_FILE = PREFIXES + """
person:test-search-marked a foaf:Person ;
    hrg:confidential true ;
    skos:prefLabel "Ulyana Wrennsworth"@en ;
    skos:altLabel "Ульяна Вреннсворт"@ru ;
    dcterms:source <https://spring96.org/en/news/82549> .
"""
CANARIES = ("Kanarejkin", "Канарэйкін", "Sekretny", "Quillfeather", "Wrennsworth",
            "Вреннсворт")


@pytest.fixture(scope="module")
def client(built_project: Project) -> TestClient:
    return TestClient(create_app(built_project))


def found(client: TestClient, q: str, **filters: str) -> dict:
    response = client.get("/search.json", params={"q": q, **filters})
    assert response.status_code == 200, response.text
    return response.json()


def iris(model: dict) -> set[str]:
    return {r["iri"] for r in model["results"]}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- what it finds


@pytest.mark.parametrize("q", ["moratorium", "death penalty", "Death Penalty"])
def test_topic_and_action_words_find_both_death_penalty_demands(client: TestClient,
                                                                q: str) -> None:
    model = found(client, q)
    assert iris(model) >= DEATH_PENALTY_DEMANDS, q
    demand = next(r for r in model["results"] if r["iri"] in DEATH_PENALTY_DEMANDS)
    assert demand["types"][0]["label"] == "demand" and demand["year"] in {"2015", "2016"}
    marked = [s["text"].casefold() for m in demand["matches"] for s in m["segments"]
              if s["mark"]]
    assert set(q.casefold().split()) <= set(marked)


def test_death_penalty_matches_the_demands_through_their_topic(client: TestClient) -> None:
    """The 2015 demand says nothing of "death penalty": its topic's label does."""
    model = found(client, "death penalty")
    demand = next(r for r in model["results"] if r["iri"].endswith("open-letter-2015-12-09-r5-1"))
    assert {(m["field"], m["via"]) for m in demand["matches"]} == {("context", "topic")}
    html = client.get("/search", params={"q": "death penalty"}).text
    assert "<mark>death</mark> <mark>penalty</mark>" in html.casefold()
    assert 'href="/id/demand/open-letter-2015-12-09-r5-1"' in html


def test_a_typo_finds_viasna(client: TestClient) -> None:
    model = found(client, "Viasan")
    assert VIASNA in iris(model)
    assert model["corrections"] == {"Viasan": ["viasna"]}
    assert found(client, "Human Rihgts Centre Viasan")["results"][0]["iri"] == VIASNA
    assert not found(client, "Qwxzvbn")["results"]  # nothing like it: nothing found


def test_a_cyrillic_name_and_its_transliteration_find_the_person(client: TestClient) -> None:
    # "Беляцкий" is the Russian spelling; no name of his is spelt "Beliatskii" in Latin letters,
    # so the Latin query finds him through the transliteration of the Cyrillic name only.
    for q in ("Беляцкий", "Бяляцкі", "Beliatskii", "Bialiatski"):
        assert found(client, q)["results"][0]["iri"] == BIALIATSKI, q
    person = found(client, "Beliatskii")["results"][0]
    [match] = [m for m in person["matches"] if m["transliterated"]]
    assert match["text"] == "Алесь Беляцкий" and match["lang"] == "ru"
    assert [s["text"] for s in match["segments"] if s["mark"]] == ["Беляцкий"]
    html = TestClient(client.app).get("/search", params={"q": "Вясна"}).text
    assert '<span lang="be">Праваабарончы цэнтр «<mark>Вясна</mark>»</span>' in html


def test_a_two_letter_query_matches_the_start_of_words_of_names(client: TestClient) -> None:
    model = found(client, "EU")
    assert model["short"] and ID + "organisation/european-union" in iris(model)
    for result in model["results"]:
        assert result["matches"], result["iri"]
        for match in result["matches"]:
            assert match["field"] == "name", (result["iri"], match)
            words = [s["text"].casefold() for s in match["segments"] if s["mark"]]
            assert words and all(w.startswith("eu") for w in words), match
    # a longer query finds the same word in quotes and topics too
    assert any(m["field"] != "name" for r in found(client, "European")["results"]
               for m in r["matches"])


def test_a_one_letter_query_is_answered_with_a_message(client: TestClient) -> None:
    model = found(client, "a")
    assert model["results"] == [] and "too short" in model["message"]
    page = client.get("/search", params={"q": "Я"})
    assert page.status_code == 200 and "too short to search for" in page.text
    # one letter beside other words is left out, not searched for
    initial = found(client, "A. Bialiatski")
    assert initial["ignored"] == ["A"] and initial["results"][0]["iri"] == BIALIATSKI


def test_filters_narrow_the_results_and_count_what_they_show(client: TestClient) -> None:
    everything = found(client, "moratorium")
    for name in ("type", "document", "year", "topic"):
        for facet in everything["facets"][name]:
            narrowed = found(client, "moratorium", **{name: facet["value"]})
            assert narrowed["count"] == facet["count"], (name, facet)
            assert narrowed["count"] <= everything["count"]
    only_2015 = found(client, "moratorium", year="2015",
                      type="https://w3id.org/hrgraph/ontology#Demand")
    assert iris(only_2015) == {ID + "demand/open-letter-2015-12-09-r5-1"}
    broader = "https://w3id.org/hrgraph/vocab/topic/civil-and-political-rights"
    assert iris(found(client, "moratorium", topic=broader)) >= DEATH_PENALTY_DEMANDS
    for bad in ({"year": "abc"}, {"topic": "https://example.org/bogus"}):
        response = client.get("/search.json", params={"q": "moratorium", **bad})
        assert response.status_code == 400, bad
    assert client.get("/search", params={"q": "x", "page": "0"}).status_code == 400


def test_results_are_paged(client: TestClient) -> None:
    first = client.get("/search.json", params={"q": "Viasna"}).json()
    assert first["count"] > 0
    everything = search.search(client.app.state.web.project, "Viasna", page_size=5)
    pages = [everything.results]
    for page in range(2, everything.pages + 1):
        pages.append(search.search(client.app.state.web.project, "Viasna", page=page,
                                   page_size=5).results)
    listed = [r["iri"] for page in pages for r in page]
    assert len(listed) == len(set(listed)) == everything.count == first["count"]


# --------------------------------------------------------------------------- lifecycle


def index_rows(project: Project) -> list[tuple]:
    """Every entry of the current index with its indexed text, by IRI."""
    path = search.index_path(stores.current_generation(project.store_path))
    with sqlite3.connect(path) as db:
        columns = ", ".join(f"f.{c}" for c in search.COLUMNS)
        return sorted(db.execute(
            f"SELECT e.iri, e.label, e.types, e.document, e.year, e.lines, {columns}, "
            "(SELECT group_concat(topic) FROM (SELECT topic FROM entry_topics t "
            " WHERE t.entry = e.id ORDER BY topic)) FROM entries e JOIN fts f ON f.rowid = e.id"))


def test_build_writes_the_index_beside_the_store(built_project: Project) -> None:
    generation = Path(stores.current_generation(built_project.store_path))
    assert search.index_path(generation).is_file()
    assert search._unusable(search.index_path(generation),
                            stores.open_store(built_project, read_only=True), generation) is None


def test_the_index_follows_add_and_remove(built_copy: Project, tmp_path: Path) -> None:
    project = built_copy
    assert not search.search(project, "Zhurauliova").results
    result = contribute.add_contribution(project, write(tmp_path, "p.ttl", CYRILLIC_PERSON))
    assert result.merged
    for q in ("Жураўлёва", "Zhurauliova", "Zhuraulova", "Тэрэза"):
        assert CYRILLIC_IRI in {r["iri"] for r in search.search(project, q).results}, q
    # the incremental update gives the index a whole build gives
    updated = index_rows(project)
    search.build_index(project)
    assert index_rows(project) == updated
    # the note's markup is text on the page, never markup
    client = TestClient(create_app(project))
    html = client.get("/search", params={"q": "snippet alert"}).text
    assert "&lt;script&gt;<mark>alert</mark>(" in html and "&lt;/script&gt;" in html
    assert "<script>alert" not in html
    contribute.remove_contribution(project, result.id)
    assert not search.search(project, "Zhurauliova").results
    assert client.get("/search.json", params={"q": "Жураўлёва"}).json()["results"] == []


def test_an_incremental_build_updates_the_index(built_copy: Project) -> None:
    project = built_copy
    path = project.data_dir / "actors" / "test-search-person.ttl"
    path.write_text(CYRILLIC_PERSON, encoding="utf-8")
    build(project)
    assert CYRILLIC_IRI in {r["iri"] for r in search.search(project, "Zhurauliova").results}
    updated = index_rows(project)
    search.build_index(project)
    assert index_rows(project) == updated
    path.unlink()
    build(project)
    assert not search.search(project, "Zhurauliova").results


def test_a_missing_or_stale_index_is_built_again(built_copy: Project) -> None:
    project = built_copy
    generation = Path(stores.current_generation(project.store_path))
    path = search.index_path(generation)
    expected = iris(search.search(project, "Viasan").to_model())
    path.unlink()
    assert iris(search.search(project, "Viasan").to_model()) == expected
    assert path.is_file()
    with sqlite3.connect(path) as db:  # an index of another store
        db.execute("UPDATE meta SET value = 'other' WHERE key = 'fingerprint'")
    assert search._unusable(path, stores.open_store(project, read_only=True), generation)
    assert iris(search.search(project, "Viasan").to_model()) == expected
    assert search._unusable(path, stores.open_store(project, read_only=True), generation) is None


def test_a_missing_index_that_cannot_be_written_is_reported(
        built_copy: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    generation = Path(stores.current_generation(built_copy.store_path))
    search.index_path(generation).unlink()

    def full_disk(*args: object, **kwargs: object) -> None:
        raise stores.StoreError("cannot write the search index: No space left on device")

    monkeypatch.setattr(search, "build_index", full_disk)
    with pytest.raises(stores.StoreError, match="search index is missing and cannot be built"):
        search.search(built_copy, "Viasna")
    response = TestClient(create_app(built_copy)).get("/search", params={"q": "Viasna"})
    assert response.status_code == 503 and "hrgraph build" in response.text


def test_unknown_filters_are_refused(built_project: Project) -> None:
    with pytest.raises(UsageError, match="unknown search filter"):
        search.search(built_project, "Viasna", {"colour": "red"})


# --------------------------------------------------------------------------- confidentiality


def test_confidential_entries_are_never_indexed(built_copy: Project, tmp_path: Path) -> None:
    project = built_copy
    (project.data_dir / "actors" / "test-search-marked.ttl").write_text(SECRET_DATA_FILE,
                                                                       encoding="utf-8")
    build(project)
    result = contribute.add_contribution(project, write(tmp_path, "s.ttl", SECRET_CONTRIBUTION),
                                         confidential=True)
    assert result.merged and result.confidential
    client = TestClient(create_app(project))

    def nothing_anywhere() -> None:
        for q in (*CANARIES, "Kanarejkyn", "Kanareikin", "Zmitser Sekretny", "Wrensworth",
                  "Ulyana", "secret address"):
            model = client.get("/search.json", params={"q": q}).json()
            assert not any("canary" in r["iri"] or "marked" in r["iri"]
                           for r in model["results"]), q
            page = client.get("/search", params={"q": q}).text
            for word in q.split():  # the page repeats the query's words
                page = page.replace(word, "")
            assert not any(c in page for c in CANARIES), q
        generation = Path(stores.current_generation(project.store_path))
        raw = search.index_path(generation).read_bytes()
        assert not any(c.encode() in raw or c.casefold().encode() in raw for c in CANARIES)
        with sqlite3.connect(search.index_path(generation)) as db:
            terms = {t for (t,) in db.execute("SELECT term FROM fts_terms")}
            iris_ = {i for (i,) in db.execute("SELECT iri FROM entries")}
        assert not {t for t in terms if t.startswith(("kanar", "канар", "wrenn", "вренн",
                                                       "quill", "sekret"))}
        assert not {i for i in iris_ if "test-search-" in i}

    nothing_anywhere()
    search.build_index(project)  # a whole build reads what the update read
    nothing_anywhere()
    # positive control: the same person, contributed publicly, is found
    public = (SECRET_CONTRIBUTION.replace("test-search-canary", "test-search-public")
              .replace("Kanarejkin", "Lastauchkin").replace("Канарэйкін", "Ластаўчкін"))
    assert contribute.add_contribution(project, write(tmp_path, "p.ttl", public)).merged
    for q in ("Lastauchkin", "Ластаўчкін", "Lastauchkyn"):
        assert ID + "person/test-search-public" in {
            r["iri"] for r in search.search(project, q).results}, q
