"""The demand summaries (hrgraph.summaries): equal to the plain SPARQL model of every demand, on
the corpus and on generated data, after build, add and remove; never stale."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import REPO
from hrgraph import contribute, summaries
from hrgraph import store as stores
from hrgraph.build import build
from hrgraph.project import Project
from hrgraph.query import run_query, run_saved

HRG = "https://w3id.org/hrgraph/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
STATUS = "https://w3id.org/hrgraph/vocab/status/"
DEMAND = "https://w3id.org/hrgraph/id/demand/"

#: The plain way, as the demands list computed it before the summaries: one SPARQL model of
#: every leaf demand, and the saved latest-status query. The reference the summary must equal.
PLAIN_MODEL = f"""
PREFIX hrg: <{HRG}>
SELECT ?demand ?document ?year ?topic ?implied ?addressee WHERE {{
  ?demand a hrg:Demand ; hrg:madeIn ?document .
  FILTER NOT EXISTS {{ ?part hrg:partOf ?demand ; a hrg:Demand }}
  OPTIONAL {{ ?document hrg:earliestDate ?start BIND (YEAR(?start) AS ?year) }}
  OPTIONAL {{ ?demand hrg:topic ?topic
             BIND (EXISTS {{ GRAPH <INFERRED> {{ ?demand hrg:topic ?topic }} }} AS ?implied) }}
  OPTIONAL {{ ?demand hrg:addressee ?addressee }}
}}"""


def plain(project: Project, store: ox.Store) -> dict[str, tuple]:
    """Every leaf demand → (document, year, status, topics with implied, addressees)."""
    rows = run_query(project, PLAIN_MODEL.replace("INFERRED", project.inferred_graph),
                     store=store, limit=None).rows
    status = {r["demand"].value: r["status"].value for r in run_saved(
        project, "latest-status", {}, store=store, limit=None).rows}
    found: dict[str, dict] = {}
    for row in rows:
        item = found.setdefault(row["demand"].value, {
            "documents": set(), "years": {}, "topics": {}, "addressees": set()})
        item["documents"].add(row["document"].value)
        if row["year"] is not None:
            item["years"].setdefault(row["document"].value, set()).add(int(row["year"].value))
        if row["topic"] is not None:
            item["topics"][row["topic"].value] = row["implied"].value == "true"
        if row["addressee"] is not None:
            item["addressees"].add(row["addressee"].value)
    model = {}
    for iri, item in found.items():
        document = min(item["documents"])
        years = item["years"].get(document)
        model[iri] = (document, str(min(years)) if years else None, status.get(iri),
                      sorted(item["topics"].items()), sorted(item["addressees"]))
    return model


def summarised(project: Project, store: ox.Store | None = None) -> dict[str, tuple]:
    """The same from the summary file of the current generation (or read from ``store``)."""
    if store is not None:
        return {r.iri: (r.document, r.year, r.status, sorted(r.topics.items()), r.addressees)
                for r in summaries.read_demands(project, store).values()}
    found = summaries.open_summary(project).select({})
    return {r["iri"]: (r["document"], r["year"], r["status"], sorted(r["topics"]),
                       sorted(r["addressees"])) for r in found["rows"]}


def dump(project: Project) -> list[tuple]:
    """Every row of every table of the current summary but its meta (the fingerprint)."""
    path = summaries.summary_path(stores.current_generation(project.store_path))
    with sqlite3.connect(path) as db:
        return [tuple(r) for table in ("demands", "facets", "labels")
                for r in db.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]


def test_the_summary_equals_the_plain_model_on_the_corpus(built_project: Project) -> None:
    store = stores.open_store(built_project, read_only=True)
    expected = plain(built_project, store)
    counted = run_saved(built_project, "count-demands-by-status", {}, store=store, limit=None)
    assert len(expected) == sum(int(r["demands"].value) for r in counted.rows) == 55
    assert summarised(built_project, store) == expected
    assert summarised(built_project) == expected  # the file build wrote


def test_the_summary_counts_what_the_saved_count_queries_count(built_project: Project) -> None:
    facets = summaries.open_summary(built_project).select({})["facets"]
    for name, facet in (("count-demands-by-status", "status"), ("count-demands-by-topic", "topic"),
                        ("count-demands-by-addressee", "addressee"),
                        ("count-demands-by-year", "year")):
        result = run_saved(built_project, name, {}, limit=None)
        first = result.variables[0]
        counted = {row[first].value: int(row["demands"].value) for row in result.rows}
        assert counted == dict(facets[facet]), name


def test_filters_intersect_and_pages_cut_the_same_order(built_project: Project) -> None:
    summary = summaries.open_summary(built_project)
    everything = summary.select({})
    status = {"status": "not met"}
    both = {"status": "not met", "topic": "https://w3id.org/hrgraph/vocab/topic/death-penalty"}
    rows = {r["iri"]: r for r in everything["rows"]}
    expected = [i for i, r in rows.items() if r["status"] == "not met"]
    assert [r["iri"] for r in summary.select(status)["rows"]] == expected
    narrower = [i for i in expected if "https://w3id.org/hrgraph/vocab/topic/death-penalty"
                in {t for t, _ in rows[i]["topics"]}]
    assert narrower and summary.select(both)["count"] == len(narrower)
    pages = [summary.select(status, first=i, last=i + 7)["rows"] for i in range(0, 400, 7)]
    assert [r["iri"] for page in pages for r in page] == expected
    assert summary.select({"year": "1066"})["count"] == 0


@pytest.fixture
def changed(built_copy: Project) -> Project:
    """A built copy whose store a test changes by hand (``edit``)."""
    return built_copy


def edit(project: Project, added: list[ox.Quad], removed: list[ox.Quad]) -> None:
    """Change the store as add and remove do, and update the summary from the changes."""
    def change(store: ox.Store) -> list[ox.Quad]:
        store.extend(added)
        for quad in removed:
            store.remove(quad)
        return [*added, *removed]

    def beside(store: ox.Store, directory: Path, changes: object) -> None:
        summaries.update_summary(project, store, directory, changes,
                                 stores.current_generation(project.store_path))

    stores.rewrite(project, change, beside=beside)


def check_updated(project: Project) -> None:
    """The updated summary equals a whole one of the same store, and the plain model."""
    updated = dump(project)
    summaries.build_summary(project)
    assert dump(project) == updated
    store = stores.open_store(project, read_only=True)
    assert summarised(project) == plain(project, store)


def N(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def test_an_updated_summary_equals_a_whole_one(changed: Project) -> None:
    project = changed
    graph = N(project.graph_base + "data/test-summary")
    demand = DEMAND + "concerted-position-2016-c2-3-b6-1"
    before = summarised(project)[demand]
    assessment = N("https://w3id.org/hrgraph/id/test/summary-assessment")
    later = [ox.Quad(assessment, N(HRG + "assessedDemand"), N(demand), graph),
             ox.Quad(assessment, N(HRG + "status"), N(STATUS + "met"), graph),
             ox.Quad(assessment, N(HRG + "earliestDate"),
                     ox.Literal("2099-01-01", datatype=N("http://www.w3.org/2001/XMLSchema#date")),
                     graph)]
    edit(project, later, [])  # a later assessment: the latest status changes
    assert summarised(project)[demand][2] == "met" != before[2]
    check_updated(project)
    part = N(DEMAND + "test-summary-part")
    parts = [ox.Quad(part, N("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                     N(HRG + "Demand"), graph),
             ox.Quad(part, N(HRG + "partOf"), N(demand), graph),
             ox.Quad(part, N(HRG + "madeIn"),
                     N("https://w3id.org/hrgraph/id/document/concerted-position-2016"), graph),
             ox.Quad(part, N(SKOS + "prefLabel"), ox.Literal("A part", language="en"), graph)]
    edit(project, parts, [])  # the demand gets a part: it is no leaf any more, its part is one
    assert demand not in summarised(project) and part.value in summarised(project)
    check_updated(project)
    addressee = N("https://w3id.org/hrgraph/id/organisation/viasna")
    store = stores.open_store(project, read_only=True)
    names = [q for q in store.quads_for_pattern(addressee, N(SKOS + "prefLabel"), None)]
    del store
    renamed = [ox.Quad(addressee, N(SKOS + "prefLabel"), ox.Literal("Renamed", language="en"),
                       graph)]
    edit(project, renamed, names)  # a renamed organisation: its name where it is named
    check_updated(project)
    edit(project, [], [*later, *parts, *renamed])
    edit(project, names, [])
    assert summarised(project)[demand] == before
    check_updated(project)


def test_a_broader_topic_or_a_status_label_summarises_everything_again(
        changed: Project) -> None:
    project = changed
    status = N(STATUS + "not-met")
    store = stores.open_store(project, read_only=True)
    [label] = [q for q in store.quads_for_pattern(status, N(SKOS + "prefLabel"), None)
               if q.object.language == "en"]
    del store
    edit(project, [ox.Quad(status, label.predicate, ox.Literal("not fulfilled", language="en"),
                           label.graph_name)], [label])
    statuses = {row[2] for row in summarised(project).values()}
    assert "not fulfilled" in statuses and "not met" not in statuses
    check_updated(project)


def test_add_and_remove_keep_the_summary_equal_to_the_plain_model(built_copy: Project,
                                                                  tmp_path: Path) -> None:
    project = built_copy
    contribution = REPO / "data" / "contributions" / "20261201T232208Z-e0d14339.ttl"
    original = summarised(project)
    contribute.remove_contribution(project, contribution.stem)
    removed = summarised(project)
    assert len(removed) < len(original)
    check_updated(project)
    # the same triples again, less the record of the merge the file carries (a contribution
    # may not describe the project's graphs)
    copy = tmp_path / "again.nt"
    triples = [t for t in ox.parse(path=contribution, format=ox.RdfFormat.TURTLE)
               if not t.subject.value.startswith(project.graph_base)]
    ox.serialize(triples, copy, ox.RdfFormat.N_TRIPLES)
    result = contribute.add_contribution(project, copy)
    assert result.merged, [(r.focus_node, r.message) for r in result.report.results][:3]
    assert summarised(project) == original
    check_updated(project)


def test_a_missing_or_stale_summary_is_built_again(built_copy: Project) -> None:
    project = built_copy
    path = summaries.summary_path(stores.current_generation(project.store_path))
    expected = dump(project)
    path.unlink()
    summaries.open_summary(project)
    assert dump(project) == expected
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = 'other' WHERE key = 'fingerprint'")
    summaries.open_summary(project)
    assert dump(project) == expected


def test_an_incremental_build_updates_the_summary(built_copy: Project) -> None:
    project = built_copy
    path = project.data_dir / "documents" / "test-summary.ttl"
    path.write_text(f"""
@prefix hrg: <{HRG}> . @prefix skos: <{SKOS}> .
<{DEMAND}test-summary-build> a hrg:Demand ; skos:prefLabel "Built"@en ;
    hrg:madeIn <https://w3id.org/hrgraph/id/document/concerted-position-2016> .
""", encoding="utf-8")
    build(project)
    assert DEMAND + "test-summary-build" in summarised(project)
    check_updated(project)
    path.unlink()
    build(project)
    assert DEMAND + "test-summary-build" not in summarised(project)


def test_the_summary_equals_the_plain_model_on_generated_data(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from generate import generate

    generate(20_000, tmp_path / "g")
    project = Project.open(tmp_path / "g")
    build(project)
    store = stores.open_store(project, read_only=True)
    expected = plain(project, store)
    assert len(expected) > 100
    assert summarised(project) == expected
