"""History data: events, assessments, source conflicts, web sources and external links.

What is checked, beyond the shapes:

* each file validates in the context of the project with no ``sh:Violation``;
* every evidence URL is a declared web source, and every URL these files use is declared in
  ``data/sources-web.ttl`` and occurs verbatim in the project's notes (``data/sources/*.md``);
* mirrors and aggregators that the notes name are classed as weak evidence;
* dates: the ``xsd:date`` bounds agree with the native date (an assessment's bounds are exactly
  its date or period; an event's may be narrower than a month or a year when the sources say so,
  never wider);
* the assessments follow the demand-status table of the notes (which demand, which status, in
  which order), and nothing the notes mark as unverified is asserted;
* external identifiers come from the identifier column of the notes, as SKOS mappings only.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, SKOS, XSD

from conftest import REPO, repo_project
from hrgraph.validate import validate_files

DATA = REPO / "data"
SOURCES_WEB = DATA / "sources-web.ttl"
EVENTS = DATA / "history" / "events.ttl"
ASSESSMENTS = DATA / "history" / "assessments.ttl"
ASSESSMENTS_2015 = DATA / "history" / "assessments-2015.ttl"
CONFLICTS = DATA / "history" / "conflicts.ttl"
LINKS = DATA / "links" / "external-identifiers.ttl"
CITATIONS = DATA / "history" / "citations.ttl"
OWN_FILES = [SOURCES_WEB, EVENTS, ASSESSMENTS, ASSESSMENTS_2015, CONFLICTS, LINKS, CITATIONS]
NOTES = [DATA / "sources" / "background-facts.md", DATA / "sources" / "external-identifiers.md"]

HRG = rdflib.Namespace("https://w3id.org/hrgraph/ontology#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
STATUS = "https://w3id.org/hrgraph/vocab/status/"
QUALITY = "https://w3id.org/hrgraph/vocab/evidence-quality/"
EVENT_TYPE = "https://w3id.org/hrgraph/vocab/event-type/"
DEMAND = "https://w3id.org/hrgraph/id/demand/concerted-position-2016-"
GRAPH = "https://w3id.org/hrgraph/graph/"
GITHUB_FILE = re.compile(r"^https://github\.com/([^/]+/[^/]+)/blob/([0-9a-f]{40})/(.+)$")


def read(path: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(path)


def graph_iri(path: Path) -> rdflib.URIRef:
    return rdflib.URIRef(GRAPH + path.relative_to(REPO).with_suffix("").as_posix())


@pytest.fixture(scope="module")
def own() -> dict[Path, rdflib.Graph]:
    return {path: read(path) for path in OWN_FILES}


@pytest.fixture(scope="module")
def notes() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in NOTES)


@pytest.fixture(scope="module")
def all_data() -> rdflib.Graph:
    graph = rdflib.Graph()
    for source in repo_project().files_of_kind("data"):
        graph.parse(source.path)
    return graph


def web_sources(graph: rdflib.Graph) -> set[str]:
    return {str(s) for s in graph.subjects(RDF.type, HRG.WebSource)}


@pytest.fixture(scope="module")
def every_data_file() -> rdflib.Graph:
    """All of data/, contributions outside the test corpus too: sources-web.ttl rates the
    pages that any of them names as a source."""
    graph = rdflib.Graph()
    for path in sorted(DATA.rglob("*.ttl")):
        graph.parse(path)
    return graph


def name_and_date_sources(graph: rdflib.Graph) -> set[str]:
    """The pages that people's, organisations' and groups' names and documents' dates come
    from (dcterms:source), which shape NameAndDateSources requires to be rated web sources."""
    kinds = {rdflib.URIRef("http://xmlns.com/foaf/0.1/Person"),
             rdflib.URIRef("http://www.w3.org/ns/org#Organization"), HRG.Collective, HRG.Document}
    return {str(o) for s, o in graph.subject_objects(DCT.source)
            if kinds & set(graph.objects(s, RDF.type))}


# ------------------------------------------------------------------------------ files and shapes


@pytest.mark.parametrize("path", OWN_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_file_parses_in_pyoxigraph(path: Path) -> None:
    assert list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


@pytest.mark.parametrize("path", OWN_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_file_validates_without_violations(path: Path, tmp_path: Path) -> None:
    # The real project read from its files (a store that is never built: nothing is locked).
    project = repo_project(tmp_path / "never-built")
    report = validate_files(project, [path])
    assert report.violations == 0, report.to_text()


@pytest.mark.parametrize("path", OWN_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_file_describes_itself(path: Path, own) -> None:
    graph = own[path]
    meta = graph_iri(path)
    assert (meta, RDF.type, PROV.Entity) in graph
    for prop in (DCT.title, DCT.description, DCT.license, PROV.wasAttributedTo):
        assert graph.value(meta, prop) is not None, prop
    assert list(graph.objects(meta, PROV.wasDerivedFrom))


def test_notes_are_listed_in_the_sources_readme() -> None:
    readme = (DATA / "sources" / "README.md").read_text(encoding="utf-8")
    for path in NOTES:
        assert path.is_file()
        assert f"`{path.name}`" in readme


def test_every_stored_text_is_listed_with_its_source_in_a_readme(all_data) -> None:
    # every text the corpus quotes is named in the README of its folder, with its source
    copies = {REPO / str(o) for o in all_data.objects(None, HRG.textCopy)}
    assert copies
    for text in sorted(copies):
        readme = (text.parent / "README.md").read_text(encoding="utf-8")
        rows = [line for line in readme.splitlines() if f"`{text.name}`" in line]
        assert rows, f"{text.relative_to(DATA)} is not listed in {text.parent.name}/README.md"
        assert any("http" in row or "header" in row for row in rows), text.name


# ------------------------------------------------------------------------------ web sources


def test_every_evidence_url_in_the_data_is_a_declared_web_source(all_data) -> None:
    declared = web_sources(all_data)
    used = {str(o) for o in all_data.objects(None, HRG.evidence)}
    assert used - declared == set()


def test_every_url_used_here_is_declared_in_sources_web(own, every_data_file) -> None:
    declared = web_sources(own[SOURCES_WEB])
    used: set[str] = set()
    for path in (EVENTS, ASSESSMENTS, CONFLICTS, CITATIONS):
        used |= {str(o) for o in own[path].objects(None, HRG.evidence)}
        used |= {str(o) for o in own[path].objects(graph_iri(path), PROV.wasDerivedFrom)}
    used |= {str(o) for o in own[LINKS].objects(graph_iri(LINKS), PROV.wasDerivedFrom)
             if not GITHUB_FILE.match(str(o))}
    assert used - declared == set()
    used |= name_and_date_sources(every_data_file)  # some are rated where they are used
    assert declared - used == set(), "declared web sources that nothing uses"


def test_every_web_source_occurs_verbatim_in_the_notes(own, notes, every_data_file) -> None:
    """… or is the page a contribution publishes its document at (a publication's schema:url),
    which the editors rate when a contribution names it as a source."""
    published = {str(o) for o in every_data_file.objects(
        None, rdflib.URIRef("https://schema.org/url"))}
    missing = sorted(url for url in web_sources(own[SOURCES_WEB])
                     if url not in notes and url not in published)
    assert missing == []


def test_every_source_of_a_name_or_date_is_a_rated_web_source(every_data_file) -> None:
    rated = {s for s in web_sources(every_data_file)
             if every_data_file.value(rdflib.URIRef(s), HRG.evidenceQuality) is not None}
    assert sorted(name_and_date_sources(every_data_file) - rated) == []


def test_github_provenance_names_a_repository_file_and_commit_of_the_notes(own, notes) -> None:
    github = [str(o) for o in own[LINKS].objects(graph_iri(LINKS), PROV.wasDerivedFrom)
              if GITHUB_FILE.match(str(o))]
    assert github
    for url in github:
        repo, commit, path = GITHUB_FILE.match(url).groups()
        assert repo in notes and commit in notes and path in notes, url


def test_web_sources_have_one_quality_and_a_publisher(own) -> None:
    graph = own[SOURCES_WEB]
    for source in graph.subjects(RDF.type, HRG.WebSource):
        qualities = list(graph.objects(source, HRG.evidenceQuality))
        assert len(qualities) == 1 and str(qualities[0]).startswith(QUALITY), source
        assert graph.value(source, DCT.publisher) is not None, source


MIRRORS = {"khdbz39sm.shop", "mb6k2s.c97.org"}
AGGREGATORS = {"mstagmanager.com", "like123.com", "thegoaspotlight.com", "wikimili.com",
               "liquisearch.com", "de.zxc.wiki", "wikiclassic.com", "btw.co",
               "ukrainianlaw.blogspot.com"}


def _host(url: str) -> str:
    host = url.split("/")[2].rstrip(".")
    return host[4:] if host.startswith("www.") else host


def test_mirrors_and_aggregators_are_weak_evidence(all_data) -> None:
    for source in all_data.subjects(RDF.type, HRG.WebSource):
        quality = str(all_data.value(source, HRG.evidenceQuality))
        host = _host(str(source))
        if host in MIRRORS:
            assert quality == QUALITY + "mirror", source
        elif host in AGGREGATORS:
            assert quality == QUALITY + "aggregator", source


def test_no_owl_same_as_in_the_data(all_data) -> None:
    assert not list(all_data.triples((None, OWL.sameAs, None)))


# ------------------------------------------------------------------------------ dates


def _span(literal: rdflib.Literal) -> tuple[date, date]:
    """The first and last day a date, month or year stands for."""
    text = str(literal)
    if literal.datatype == XSD.date:
        day = date.fromisoformat(text)
        return day, day
    if literal.datatype == XSD.gYearMonth:
        year, month = map(int, text.split("-"))
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    if literal.datatype == XSD.gYear:
        return date(int(text), 1, 1), date(int(text), 12, 31)
    raise AssertionError(f"not a date, month or year: {literal!r}")


def _native(graph: rdflib.Graph, node: rdflib.term.Node) -> tuple[date, date]:
    when = graph.value(node, DCT.date)
    if when is not None:
        return _span(when)
    start, end = graph.value(node, HRG.periodStart), graph.value(node, HRG.periodEnd)
    assert start is not None and end is not None, node
    assert _span(start)[0] <= _span(end)[1], node
    return _span(start)[0], _span(end)[1]


def _bounds(graph: rdflib.Graph, node: rdflib.term.Node) -> tuple[date, date]:
    low, high = graph.value(node, HRG.earliestDate), graph.value(node, HRG.latestDate)
    assert low.datatype == XSD.date and high.datatype == XSD.date, node
    return date.fromisoformat(str(low)), date.fromisoformat(str(high))


def _day(graph: rdflib.Graph, node: rdflib.term.Node, prop: rdflib.URIRef) -> date | None:
    value = graph.value(node, prop)
    if value is None:
        return None
    assert value.datatype == XSD.date, (node, prop)
    return date.fromisoformat(str(value))


@pytest.mark.parametrize("path", [ASSESSMENTS, ASSESSMENTS_2015], ids=lambda p: p.name)
def test_each_status_period_has_the_bounds_of_its_ends(own, path: Path) -> None:
    """Each end's bounds are the span of its native value; an open period ends, at the
    earliest, on the first day of its evidence and has no latest end. A bound is wider only where
    the sources disagree on a date, and the note says so ("bounded by")."""
    graph = own[path]
    assessments = list(graph.subjects(RDF.type, HRG.Assessment))
    assert assessments
    for node in assessments:
        start, end = graph.value(node, HRG.periodStart), graph.value(node, HRG.periodEnd)
        evidence = graph.value(node, DCT.date)
        assert start is not None and evidence is not None, node
        low = _day(graph, node, HRG.earliestDate)
        start_high = _day(graph, node, HRG.startLatestDate)
        end_low, high = _day(graph, node, HRG.endEarliestDate), _day(graph, node, HRG.latestDate)
        assert low == _span(start)[0] and start_high >= _span(start)[1], node
        if end is None:
            assert high is None and end_low == _span(evidence)[0], node
        else:
            assert end_low == _span(end)[0] and high >= _span(end)[1], node
        if start_high > _span(start)[1] or (end is not None and high > _span(end)[1]):
            assert "bounded by" in str(graph.value(node, SKOS.note)), node


def test_each_event_has_bounds_that_agree_with_its_native_date(own) -> None:
    graph = own[EVENTS]
    events = list(graph.subjects(RDF.type, HRG.Event))
    assert events
    for node in events:
        (start, end), (low, high) = _native(graph, node), _bounds(graph, node)
        assert start <= low <= high <= end, node
        when = graph.value(node, DCT.date)
        if when is not None and when.datatype == XSD.date:
            assert low == high == start, node


@pytest.mark.parametrize("path", [ASSESSMENTS, ASSESSMENTS_2015], ids=lambda p: p.name)
def test_assessment_ids_carry_their_demand_and_date(own, path: Path) -> None:
    """``assessment/<demand>-<the start of the period or the date of the evidence>``."""
    graph = own[path]
    for node in graph.subjects(RDF.type, HRG.Assessment):
        demand = str(graph.value(node, HRG.assessedDemand)).rsplit("/", 1)[1]
        dates = {str(graph.value(node, HRG.periodStart)), str(graph.value(node, DCT.date))}
        assert any(str(node) == f"https://w3id.org/hrgraph/id/assessment/{demand}-{d}"
                   for d in dates), node


# ------------------------------------------------------------------------------ assessments

#: The demand-status table of the notes (section 7) and the facts they source: demand -> statuses
#: in time order. "unknown" is "looked, found no information"; b6-2 (the ban on acting for
#: unregistered organisations) is Article 193.1 and shares its history.
EXPECTED_STATUSES = {
    "c1-1-1": ["met"],
    "c2-1": ["not-met"],
    "c2-2": ["not-met"],
    "c2-3-1": ["not-met"],
    "c2-3-2": ["not-met"],
    "c2-3-b1-1": ["partly-met"],
    "c2-3-b1-2": ["not-met"],
    "c2-3-b1-3": ["not-met"],
    "c2-3-b1-4": ["not-met"],
    "c2-3-b1-5": ["partly-met"],
    "c2-3-b1-6": ["not-met"],
    "c2-3-b1-7": ["unknown"],
    "c2-3-b2-1": ["not-met", "superseded"],
    "c2-3-b2-2": ["unknown"],
    "c2-3-b3-1": ["not-met"],
    "c2-3-b3-2": ["not-met"],
    "c2-3-b4-1": ["not-met"],
    "c2-3-b4-2": ["not-met"],
    "c2-3-b4-3": ["unknown"],
    "c2-3-b4-4": ["not-met"],
    "c2-3-b5-1": ["not-met"],
    "c2-3-b6-1": ["not-met", "partly-met", "reversed"],
    "c2-3-b6-2": ["not-met", "partly-met", "reversed"],
    "c2-3-b7-1": ["not-met"],
    "c3-1": ["partly-met"],
    "c3-2": ["unknown"],
}

#: The open letter's demands and the statement's demands that repeat them (the same facts).
LETTER_TO_STATEMENT = {
    "r1-1": "c2-3-b1-1", "r1-2": "c2-3-b1-2", "r1-3": "c2-3-b1-3", "r1-4": "c2-3-b1-4",
    "r1-6": "c2-3-b1-5", "r1-7": "c2-3-b1-6", "r1-8": "c2-3-b1-7", "r2-1": "c2-3-b2-1",
    "r2-2": "c2-3-b2-2", "r3-1": "c2-3-b3-1", "r3-2": "c2-3-b3-2", "r4-1": "c2-3-b4-1",
    "r4-2": "c2-3-b4-2", "r4-3": "c2-3-b4-3", "r4-4": "c2-3-b4-4", "r5-1": "c2-3-b5-1",
    "l1-1": "c2-3-b6-1", "l1-2": "c2-3-b6-2",
}


def _statuses(graph: rdflib.Graph, prefix: str) -> dict[str, list[str]]:
    found: dict[str, list[tuple[date, str]]] = {}
    for node in graph.subjects(RDF.type, HRG.Assessment):
        demand = str(graph.value(node, HRG.assessedDemand))
        assert demand.startswith(prefix), demand
        status = str(graph.value(node, HRG.status))
        assert status.startswith(STATUS), status
        found.setdefault(demand[len(prefix):], []).append(
            (_day(graph, node, HRG.earliestDate), status[len(STATUS):]))
    return {demand: [s for _, s in sorted(rows)] for demand, rows in found.items()}


def test_assessments_follow_the_status_table(own) -> None:
    assert _statuses(own[ASSESSMENTS], DEMAND) == EXPECTED_STATUSES


def test_the_letter_has_the_history_of_the_demands_that_repeat_it(own) -> None:
    letter = _statuses(own[ASSESSMENTS_2015],
                       "https://w3id.org/hrgraph/id/demand/open-letter-2015-12-09-")
    assert letter == {ours: EXPECTED_STATUSES[theirs]
                      for ours, theirs in LETTER_TO_STATEMENT.items()} | {"r1-5": ["unknown"]}


def test_unverified_rows_are_looked_for_and_found_nothing(own) -> None:
    """'Remove convictions of ex-political prisoners' is unverified in the notes: the editors'
    assessment says they looked and found nothing (status unknown, no evidence)."""
    graph = own[ASSESSMENTS]
    found = list(graph.subjects(HRG.assessedDemand, rdflib.URIRef(DEMAND + "c2-3-b1-7")))
    assert len(found) == 1
    assert graph.value(found[0], HRG.status) == rdflib.URIRef(STATUS + "unknown")
    assert graph.value(found[0], HRG.evidence) is None
    assert str(graph.value(found[0], SKOS.note)).startswith("No information: the editors looked")


def test_assessments_are_attributed_dated_and_linked_to_existing_events(own, all_data) -> None:
    graph = own[ASSESSMENTS]
    events = set(all_data.subjects(RDF.type, HRG.Event))
    demands = set(all_data.subjects(RDF.type, HRG.Demand))
    for node in graph.subjects(RDF.type, HRG.Assessment):
        assert graph.value(node, PROV.wasAttributedTo) is not None, node
        assert graph.value(node, PROV.generatedAtTime) is not None, node
        assert graph.value(node, HRG.assessedDemand) in demands, node
        for event in graph.objects(node, HRG.relatedEvent):
            assert event in events, (node, event)
        notes = [n for n in graph.objects(node, SKOS.note) if n.language == "en"]
        assert len(notes) == 1, node


def test_the_reversal_comes_after_the_partial_repeal(own) -> None:
    graph = own[ASSESSMENTS]
    rows = {str(graph.value(n, HRG.status))[len(STATUS):]: n
            for n in graph.subjects(HRG.assessedDemand, rdflib.URIRef(DEMAND + "c2-3-b6-1"))}
    # the reversal starts after the partial repeal certainly started, and not before it can end
    partly, reversed_ = rows["partly-met"], rows["reversed"]
    assert _day(graph, partly, HRG.startLatestDate) < _day(graph, reversed_, HRG.earliestDate)
    assert _day(graph, partly, HRG.endEarliestDate) <= _day(graph, reversed_, HRG.startLatestDate)


# ------------------------------------------------------------------------------ events


def test_events_have_a_type_from_the_vocabulary_and_evidence(own) -> None:
    graph = own[EVENTS]
    for node in graph.subjects(RDF.type, HRG.Event):
        types = list(graph.objects(node, HRG.eventType))
        assert len(types) == 1 and str(types[0]).startswith(EVENT_TYPE), node
        assert list(graph.objects(node, HRG.evidence)), node
        assert str(node).startswith("https://w3id.org/hrgraph/id/event/"), node


def _events_of_type(graph: rdflib.Graph, kind: str) -> set[rdflib.term.Node]:
    return set(graph.subjects(HRG.eventType, rdflib.URIRef(EVENT_TYPE + kind)))


def test_every_mandate_renewal_of_the_notes_and_no_unverified_one(own) -> None:
    graph = own[EVENTS]
    renewals = {str(graph.value(e, HRG.referenceNumber)): str(graph.value(e, DCT.date))
                for e in _events_of_type(graph, "mandate-renewal")}
    assert renewals == {
        "26/25": "2014-06-27", "29/17": "2015-07-02", "32/26": "2016-07-01",
        "35/27": "2017-06-23", "38/14": "2018-07-06", "41/22": "2019-07-12",
        "44/19": "2020-07-17", "47/19": "2021-07-13", "50/20": "2022-07-08",
        "53/19": "2023-07-13", "55/27": "2024-04-04",
    }


def test_an_event_without_any_date_is_left_out(own) -> None:
    """The appeal of the graffiti artists has no date in the notes: no event for it."""
    graph = own[EVENTS]
    assert not _events_of_type(graph, "appeal-rejected")


def test_reference_numbers_are_as_the_notes_write_them(own, notes) -> None:
    graph = own[EVENTS]
    numbers = {str(n) for n in graph.objects(None, HRG.referenceNumber)}
    assert {"26EC", "144-З"} <= numbers
    for number in numbers:
        assert number in notes, number


# ------------------------------------------------------------------------------ conflicts


def test_each_conflict_of_the_notes_is_recorded(own, all_data) -> None:
    graph = own[CONFLICTS]
    conflicts = set(graph.subjects(RDF.type, HRG.SourceConflict))
    about = {str(graph.value(c, HRG.about)) for c in conflicts}
    assert about == {
        "https://w3id.org/hrgraph/id/organisation/belarusian-human-rights-house",
        "https://w3id.org/hrgraph/id/event/eu-council-conclusions-belarus-2016-02-15",
        "https://w3id.org/hrgraph/id/event/article-193-1-replaced-2018",
        "https://w3id.org/hrgraph/id/event/article-193-1-reinstated-2022-01",
    }
    subjects = set(all_data.subjects())
    for conflict in conflicts:
        assert graph.value(conflict, HRG.about) in subjects, conflict
        assert len(set(graph.objects(conflict, HRG.evidence))) >= 2, conflict
        assert [b for b in graph.objects(conflict, HRG.basis) if b.language == "en"], conflict


# ------------------------------------------------------------------------------ external links


def _identifier_column(notes_text: str) -> set[str]:
    """The IRIs in the 'identifier (full IRI)' column of the identifier notes' tables."""
    found = set()
    for line in notes_text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.match(r"^https?://\S+$", cells[2]):
            found.add(cells[2])
    return found


def test_links_use_only_verified_identifiers_as_skos_mappings() -> None:
    graph = read(LINKS)
    verified = _identifier_column(NOTES[1].read_text(encoding="utf-8"))
    allowed = {SKOS.exactMatch, SKOS.closeMatch, rdflib.URIRef("http://xmlns.com/foaf/0.1/homepage")}
    meta = graph_iri(LINKS)
    for s, p, o in graph:
        if s == meta:
            continue
        assert p in allowed, (s, p)
        assert str(o) in verified, (s, p, o)


def test_close_matches_where_our_entity_differs_in_kind() -> None:
    graph = read(LINKS)
    wd = "http://www.wikidata.org/entity/"
    org = "https://w3id.org/hrgraph/id/organisation/"
    close = {(str(s), str(o)) for s, o in graph.subject_objects(SKOS.closeMatch)}
    assert close == {(org + "united-states", wd + "Q30"),
                     (org + "belarusian-authorities", wd + "Q997640")}
    exact = {(str(s), str(o)) for s, o in graph.subject_objects(SKOS.exactMatch)}
    assert (org + "viasna", "https://viaf.org/viaf/147054672") in exact
    assert ("https://w3id.org/hrgraph/id/place/belarus", wd + "Q184") in exact


def test_homepages_are_added_only_where_none_exists(all_data) -> None:
    homepage = rdflib.URIRef("http://xmlns.com/foaf/0.1/homepage")
    links = read(LINKS)
    for subject in links.subjects(homepage, None):
        assert len(set(all_data.objects(subject, homepage))) == 1, subject
