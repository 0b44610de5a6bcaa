"""Topics and UHRI themes are closed under ``skos:broader`` (the ontology's property chains):
``?d hrg:topic T`` gives what ``?d hrg:topic/skos:broader* T`` gave over the asserted triples,
for every topic of the real data; never across the ``skos:*Match`` links; the asserted topics
stay apart from the implied ones; ``add`` entails what a build entails."""

from __future__ import annotations

from types import SimpleNamespace

import pyoxigraph as ox
import pytest

from hrgraph import contribute, reason, terms
from hrgraph import store as stores
from hrgraph.project import Project
from hrgraph.query import run_query

HRG = "https://w3id.org/hrgraph/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
TOPIC = "https://w3id.org/hrgraph/vocab/topic/"
#: The closed properties and the schemes of their concepts.
CLOSED = {"topic": ("topic",), "uhriTheme": ("uhri-theme-2", "uhri-theme-3")}


def _graphs(project: Project) -> str:
    """The asserted public graphs, as a SPARQL list."""
    return ", ".join(f"<{g}>" for g in reason.reasoning_graphs(project))


def _pairs(project: Project, store: ox.Store, sparql: str) -> set[tuple[str, str]]:
    rows = run_query(project, sparql, store=store, limit=None).rows
    return {(row["d"].value, row["t"].value) for row in rows}


def closed(project: Project, store: ox.Store, prop: str) -> set[tuple[str, str]]:
    """Every ``(resource, concept)`` pair ``?d hrg:<prop> ?t`` gives, for every concept."""
    return _pairs(project, store, f"SELECT ?d ?t WHERE {{ ?d <{HRG}{prop}> ?t }}")


def by_path(project: Project, store: ox.Store, prop: str) -> set[tuple[str, str]]:
    """The same pairs from the asserted triples alone through ``skos:broader*`` (what the
    queries had to write before the closure was materialised)."""
    return _pairs(project, store, f"""
        SELECT ?d ?t WHERE {{
          GRAPH ?g {{ ?d <{HRG}{prop}> ?asserted }} FILTER (?g IN ({_graphs(project)}))
          ?asserted <{SKOS}broader>* ?t
        }}""")


@pytest.mark.parametrize("prop", sorted(CLOSED))
def test_the_closure_equals_the_broader_star_query_for_every_concept(
        built_project: Project, prop: str) -> None:
    store = stores.open_store(built_project, read_only=True)
    expected = by_path(built_project, store, prop)
    assert closed(built_project, store, prop) == expected
    schemes = {row["s"].value.rsplit("/", 1)[1] for row in run_query(
        built_project, f"SELECT DISTINCT ?s WHERE {{ ?d <{HRG}{prop}> ?t . "
        f"?t <{SKOS}inScheme> ?s }}", store=store).rows}
    assert schemes <= set(CLOSED[prop])  # within its own schemes
    if prop == "topic":  # the corpus has no themes yet: see the next test
        assert schemes and len(expected) > len(by_path_asserted(built_project, store, prop))


def by_path_asserted(project: Project, store: ox.Store, prop: str) -> set[tuple[str, str]]:
    """The pairs the files state."""
    return _pairs(project, store, f"""
        SELECT ?d ?t WHERE {{
          GRAPH ?g {{ ?d <{HRG}{prop}> ?t }} FILTER (?g IN ({_graphs(project)})) }}""")


THEMED = """
@prefix hrg: <https://w3id.org/hrgraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix uhri3: <https://w3id.org/hrgraph/vocab/uhri-theme-3/> .
@prefix document: <https://w3id.org/hrgraph/id/document/> .
<https://w3id.org/hrgraph/id/demand/test-themed> a hrg:Demand ;
    hrg:madeIn document:concerted-position-2016 ;
    hrg:uhriTheme uhri3:domestic-violence, uhri3:arbitrary-arrest-and-detention .
"""


def test_themes_close_under_their_own_hierarchy(built_copy: Project) -> None:
    """The theme lists have no hierarchy yet: given one (a broader link in the vocabulary), a
    demand's theme implies the broader theme, under hrg:uhriTheme and never as a topic."""
    from hrgraph.build import build

    vocab = built_copy.root / "ontology/vocabularies/uhri-theme-3.ttl"
    vocab.write_text(vocab.read_text(encoding="utf-8") + (
        "\nuhri3:domestic-violence skos:broader uhri3:violence-against-women .\n"),
        encoding="utf-8")
    (built_copy.root / "data/test-themed.ttl").write_text(THEMED, encoding="utf-8")
    said: list[str] = []
    build(built_copy, progress=said.append)
    assert any(line.startswith("building everything") for line in said)  # a vocabulary changed
    store = stores.open_store(built_copy, read_only=True)
    demand = "https://w3id.org/hrgraph/id/demand/test-themed"
    themes = {t for d, t in closed(built_copy, store, "uhriTheme") if d == demand}
    uhri3 = "https://w3id.org/hrgraph/vocab/uhri-theme-3/"
    assert themes == {uhri3 + "domestic-violence", uhri3 + "violence-against-women",
                      uhri3 + "arbitrary-arrest-and-detention"}
    assert closed(built_copy, store, "uhriTheme") == by_path(built_copy, store, "uhriTheme")
    # arbitrary arrest has a skos:broadMatch to topic:civil-and-political-rights: not followed
    assert not {t for d, t in closed(built_copy, store, "topic") if d == demand}


def test_freedom_of_association_gains_its_narrower_topics(built_project: Project) -> None:
    """The issue's own question, and more demands than those that state the topic."""
    store = stores.open_store(built_project, read_only=True)
    sparql = f"SELECT ?d WHERE {{ ?d <{HRG}topic> <{TOPIC}freedom-of-association> }}"
    found = {row["d"].value for row in run_query(built_project, sparql, store=store).rows}
    stated = {row["d"].value for row in run_query(built_project, f"""
        SELECT ?d WHERE {{ GRAPH ?g {{ ?d <{HRG}topic> <{TOPIC}freedom-of-association> }}
                           FILTER (?g IN ({_graphs(built_project)})) }}""", store=store).rows}
    path = {d for d, t in by_path(built_project, store, "topic")
            if t == TOPIC + "freedom-of-association"}
    assert found == path
    assert stated < found


def test_implied_topics_are_in_the_inferred_graph_only(built_project: Project) -> None:
    """How a reader tells them apart (docs/design.md): asserted in the file's graph, implied in
    the inferred graph, never both."""
    store = stores.open_store(built_project, read_only=True)
    inferred = ox.NamedNode(built_project.inferred_graph)
    topic = ox.NamedNode(HRG + "topic")
    implied = {(q.subject, q.object) for q in store.quads_for_pattern(None, topic, None, inferred)}
    graphs = {ox.NamedNode(g) for g in reason.reasoning_graphs(built_project)}
    asserted = {(q.subject, q.object) for q in store.quads_for_pattern(None, topic, None)
                if q.graph_name in graphs}
    assert implied and not implied & asserted
    assert {(ox.NamedNode(d), ox.NamedNode(t))
            for d, t in by_path(built_project, store, "topic")} == implied | asserted


def test_match_links_are_never_followed(built_project: Project) -> None:
    """Nothing is implied but along skos:broader (the topics' skos:closeMatch and exactMatch
    links to Wikidata are not followed; the themes' links to topics: the next test)."""
    store = stores.open_store(built_project, read_only=True)
    leaks = run_query(built_project, f"""
        SELECT ?d ?t WHERE {{
          GRAPH <{built_project.inferred_graph}> {{ ?d <{HRG}topic>|<{HRG}uhriTheme> ?t }}
          FILTER NOT EXISTS {{
            GRAPH ?g {{ ?d <{HRG}topic>|<{HRG}uhriTheme> ?a }}
            FILTER (?g IN ({_graphs(built_project)}))
            ?a <{SKOS}broader>+ ?t }}
        }}""", store=store).rows
    assert leaks == []
    matches = run_query(built_project, f"""
        ASK {{ ?d <{HRG}topic>/<{SKOS}broader>* ?topic .
               ?topic <{SKOS}closeMatch>|<{SKOS}exactMatch> ?other }}""", store=store)
    assert matches.boolean  # the check above had match links to follow


def test_owlrl_agrees_on_the_topic_chain(built_project: Project) -> None:
    """owlrl's prp-spo2 over the topic triples, the hierarchy and the two chains gives the fast
    reasoner's implied topics and themes."""
    store = stores.open_store(built_project, read_only=True)
    names = {ox.NamedNode(g) for g in reason.reasoning_graphs(built_project)}
    props = {ox.NamedNode(HRG + p) for p in CLOSED} | {ox.NamedNode(SKOS + "broader")}
    props_and_lists = props | {ox.NamedNode(p) for p in (reason.PROPERTY_CHAIN, reason.FIRST,
                                                           reason.REST)}
    quads = [q for p in props_and_lists for q in store.quads_for_pattern(None, p, None)
             if q.graph_name in names]
    reference = reason.owlrl_reference(terms.to_rdflib_graph(quads))
    inferred = ox.NamedNode(built_project.inferred_graph)
    fast = {(q.subject, q.predicate, q.object) for p in props
            for q in store.quads_for_pattern(None, p, None, inferred)}
    assert reference and {tuple(terms.to_rdflib(t) for t in triple) for triple in fast} == {
        t for t in reference if str(t[1]) in {p.value for p in props}}


TOPICAL = """
@prefix hrg: <https://w3id.org/hrgraph/ontology#> .
@prefix topic: <https://w3id.org/hrgraph/vocab/topic/> .
@prefix document: <https://w3id.org/hrgraph/id/document/> .
<https://w3id.org/hrgraph/id/demand/test-topical> a hrg:Demand ;
    hrg:madeIn document:concerted-position-2016 ;
    hrg:topic topic:unregistered-organisations-law .
"""


def _contribution(project: Project, text: str) -> list[ox.Quad]:
    graph = ox.NamedNode(contribute._graph_of(project, "test-topical", False))
    return [ox.Quad(t.subject, t.predicate, t.object, graph)
            for t in ox.parse(text, format=ox.RdfFormat.TURTLE)]


@pytest.fixture
def store(built_copy: Project) -> ox.Store:
    """A writable copy of the built real store."""
    target = built_copy.root / "store-copy"
    stores.open_store(built_copy, read_only=True).backup(str(target))
    return stores.open_store_at(target)


def test_add_implies_the_broader_topics_a_build_implies(built_copy: Project,
                                                        store: ox.Store) -> None:
    quads = _contribution(built_copy, TOPICAL)
    fast = contribute._new_inferences(built_copy, store, quads)
    assert fast == contribute._new_inferences(built_copy, store, quads, exhaustive=True)
    topics = {q.object.value for q in fast if q.predicate.value == HRG + "topic"}
    assert topics == {TOPIC + "freedom-of-association", TOPIC + "civil-and-political-rights",
                      TOPIC + "legislative-reform"}
    # and remove takes them out again, as recomputing everything would
    store.extend([*quads, *fast])
    info = SimpleNamespace(graph=quads[0].graph_name.value, confidential=False)
    gone, new = contribute._inference_change(built_copy, store, info)
    assert (gone, new) == contribute._inference_change(built_copy, store, info, exhaustive=True)
    assert {(q.subject, q.predicate, q.object) for q in fast} <= gone and not new


def test_a_contributed_broader_link_is_an_axiom(built_copy: Project, store: ox.Store) -> None:
    """skos:broader is a link edge of the chain: a contribution stating one goes the exhaustive
    way, and what it implies for the demands already in the graph is found."""
    text = TOPICAL + ("<https://w3id.org/hrgraph/vocab/topic/test-narrower> "
                      "<http://www.w3.org/2004/02/skos/core#broader> "
                      "<https://w3id.org/hrgraph/vocab/topic/unregistered-organisations-law> .\n"
                      "<https://w3id.org/hrgraph/id/demand/test-topical> "
                      "hrg:topic topic:test-narrower .\n")
    quads = _contribution(built_copy, text)
    links = reason.chain_links(store, reason.reasoning_graphs(built_copy))
    assert SKOS + "broader" in links
    assert reason.states_axioms((q.predicate for q in quads), links)
    fast = contribute._new_inferences(built_copy, store, quads)
    assert fast == contribute._new_inferences(built_copy, store, quads, exhaustive=True)
    assert {q.object.value for q in fast if q.predicate.value == HRG + "topic"} == {
        TOPIC + "freedom-of-association", TOPIC + "civil-and-political-rights",
        TOPIC + "legislative-reform"}


def test_premises_follow_the_chain_backwards() -> None:
    """What ``remove`` asks: which asserted triples an implied topic follows from."""
    ex = "http://example.org/"
    d, leaf, mid, root = (ox.NamedNode(ex + x) for x in ("d", "leaf", "mid", "root"))
    topic, broader = ox.NamedNode(HRG + "topic"), ox.NamedNode(SKOS + "broader")
    text = (f"<{HRG}topic> <{reason.PROPERTY_CHAIN}> ( <{HRG}topic> <{SKOS}broader> ) .\n"
            f"<{ex}leaf> <{SKOS}broader> <{ex}mid> . <{ex}mid> <{SKOS}broader> <{ex}root> .\n")
    axioms = reason.Axioms.of_triples((t.subject, t.predicate, t.object)
                                      for t in ox.parse(text, format=ox.RdfFormat.TURTLE))
    assert axioms.closure([(d, topic, leaf)]) == {(d, topic, c) for c in (leaf, mid, root)}
    assert axioms.premises((d, topic, root)) == {(d, topic, c) for c in (leaf, mid, root)}
    assert axioms.premises((d, topic, leaf)) == {(d, topic, leaf)}
    assert (d, broader, root) not in axioms.closure([(d, broader, mid)])  # broader: not closed


def test_pages_show_stated_topics_apart_from_implied_ones(built_project: Project) -> None:
    """The demand page and the demands list: the stated topic, then the broader ones it
    implies, marked; filtering by a broader topic finds the demands of its narrower ones."""
    from starlette.testclient import TestClient

    from hrgraph.web import create_app

    client = TestClient(create_app(built_project))
    demand = "concerted-position-2016-c2-3-b6-1"  # stated: unregistered-organisation law
    model = client.get(f"/id/demand/{demand}.json").json()["demand"]
    assert [t["iri"] for t in model["topics"]] == [TOPIC + "unregistered-organisations-law"]
    assert {t["iri"] for t in model["implied_topics"]} == {
        TOPIC + "freedom-of-association", TOPIC + "civil-and-political-rights",
        TOPIC + "legislative-reform"}
    page = client.get(f"/id/demand/{demand}").text
    assert 'class="implied"' in page and page.index("unregistered") < page.index("implied by")
    listed = client.get("/demands.json", params={"topic": TOPIC + "freedom-of-association"}
                        ).json()
    store = stores.open_store(built_project, read_only=True)
    path = {d for d, t in by_path(built_project, store, "topic")
            if t == TOPIC + "freedom-of-association"}
    demands = {d["iri"] for d in listed["demands"]}
    everything = {d["iri"] for d in client.get("/demands.json").json()["demands"]}
    assert demands == path & everything
    # no demand states the topic itself (the list used to show none): all 8 imply it
    foa = [t for d in listed["demands"] for t in d["topics"]
           if t["iri"] == TOPIC + "freedom-of-association"]
    assert len(foa) == len(demands) == 8 and all(t["implied"] for t in foa)
    row = next(d for d in listed["demands"] if d["iri"].endswith(demand))
    assert {(t["iri"].rsplit("/", 1)[1], t["implied"]) for t in row["topics"]} == {
        ("unregistered-organisations-law", False), ("freedom-of-association", True),
        ("civil-and-political-rights", True), ("legislative-reform", True)}


def test_an_incremental_build_implies_what_a_full_build_implies(
        built_copy: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """A data file's topic changes: the rebuild (from the change alone) gives the full build's
    inferred graph; a skos:broader link in a data file means the whole closure again."""
    from hrgraph import rebuild
    from hrgraph.build import build

    monkeypatch.setattr(rebuild, "MAX_CHANGED_SHARE", 1.0)  # the real data is small
    build(built_copy, full=True)  # leaves a manifest
    path = built_copy.root / "data/documents/concerted-position-2016.ttl"
    text = path.read_text(encoding="utf-8")
    old = "    hrg:topic topic:civil-and-political-rights .\n"
    assert old in text
    path.write_text(text.replace(old, "    hrg:topic topic:unregistered-organisations-law .\n",
                                 1), encoding="utf-8")

    def inferred() -> set:
        store = stores.open_store(built_copy, read_only=True)
        return {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(
            None, None, None, ox.NamedNode(built_copy.inferred_graph))}

    said: list[str] = []
    build(built_copy, progress=said.append)
    assert said[0].startswith("rebuilding 1 changed file")
    incremental = inferred()
    build(built_copy, full=True)
    assert incremental == inferred()
    position = ox.NamedNode(ID_OPENING)
    assert (position, ox.NamedNode(HRG + "topic"),
            ox.NamedNode(TOPIC + "freedom-of-association")) in incremental

    (built_copy.root / "data/test-broader.ttl").write_text(
        f"<{TOPIC}test-narrower> <{SKOS}broader> <{TOPIC}human-rights-dialogues> .\n"
        f"<{ID_OPENING}> <{HRG}topic> <{TOPIC}test-narrower> .\n", encoding="utf-8")
    said.clear()
    build(built_copy, progress=said.append)
    assert "building everything: a changed file stated axioms" in said
    assert (position, ox.NamedNode(HRG + "topic"),
            ox.NamedNode(TOPIC + "human-rights-dialogues")) in inferred()


ID_OPENING = "https://w3id.org/hrgraph/id/position/concerted-position-2016-opening-1"
