"""Which SPARQL checks are local (hrgraph.check_reach), and that a local check run on the part of
the store near some resources gives exactly its rows about them over the whole store."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from hrgraph import check_reach
from hrgraph import store as stores
from hrgraph.build import build
from hrgraph.project import Project
from hrgraph.query import list_checks
from hrgraph.validate import _name, run_checks

P = "<https://example.org/p>"
Q = "<https://example.org/q>"

REACH = {
    # local: every pattern starts at the focus or at a variable reached from it
    "SELECT ?focus WHERE { ?focus a ?c }": 1,
    "SELECT DISTINCT ?focus WHERE { ?focus ?p ?x . ?x ?q ?y }": 2,
    f"SELECT ?demand ?x WHERE {{ ?demand {P} ?x }}": 1,  # the first column is the focus
    f"SELECT ?focus WHERE {{ ?focus {P} ?x . ?x {Q} ?y . ?y {P} ?z . ?z {Q} ?w }}": 4,
    f"SELECT ?focus WHERE {{ ?focus a {P} OPTIONAL {{ ?focus {P} ?x . ?x {Q} ?y }} "
    "FILTER (!BOUND(?y)) }": 2,
    f"SELECT ?focus WHERE {{ {{ ?focus {P} ?x }} UNION {{ ?focus {Q} [ {P} ?z ] }} }}": 2,
    f"SELECT ?focus WHERE {{ ?focus a {P} MINUS {{ ?focus {P} ?x }} }}": 1,
    f"SELECT ?focus WHERE {{ ?focus {P} ?x FILTER NOT EXISTS {{ ?x {Q} ?y }} }}": 2,
    f"SELECT ?focus WHERE {{ ?focus {P}|{Q} ?x }}": 1,
    f"SELECT ?focus WHERE {{ VALUES ?c {{ {P} }} ?focus a ?c }}": 1,
    f"SELECT ?focus (COUNT(?x) AS ?n) WHERE {{ ?focus {P} ?x }} GROUP BY ?focus "
    "HAVING (COUNT(?x) > 1)": 1,
    # not local
    f"SELECT ?focus WHERE {{ ?x {P} ?focus }}": None,  # backwards
    f"SELECT ?focus WHERE {{ ?focus {P} ?x . ?y {P} ?x FILTER (?y != ?focus) }}": None,
    f"SELECT ?focus WHERE {{ ?focus a {P} FILTER EXISTS {{ ?y {P} ?focus }} }}": None,
    f"SELECT ?focus WHERE {{ ?focus a {P} MINUS {{ ?y {P} ?focus }} }}": None,
    f"SELECT ?focus WHERE {{ ?focus {P}/{Q} ?x }}": None,
    f"SELECT ?focus WHERE {{ ?focus ^{P} ?x }}": None,
    f"SELECT ?focus WHERE {{ ?focus {P}* ?x }}": None,
    f"SELECT ?focus WHERE {{ GRAPH ?g {{ ?focus {P} ?x }} }}": None,
    f"SELECT ?focus WHERE {{ ?focus {P} ?x FILTER NOT EXISTS {{ GRAPH ?g {{ ?x {Q} ?y }} }} }}":
        None,
    f"SELECT ?focus WHERE {{ ?focus {P} ?x {{ SELECT ?x WHERE {{ ?x {Q} ?y }} }} }}": None,
    f"SELECT ?focus FROM <https://example.org/g> WHERE {{ ?focus {P} ?x }}": None,
    f"SELECT ?focus WHERE {{ ?focus {P} ?x . {Q} {P} ?x }}": None,  # a constant subject
    f"SELECT ?focus WHERE {{ ?x {P} ?y BIND (?x AS ?focus) }}": None,
    f"SELECT (?x AS ?focus) WHERE {{ ?x {P} ?y }}": None,
    f"SELECT ?focus WHERE {{ ?focus {P} ?x }} LIMIT 3": None,  # rows chosen among all
    f"SELECT (SAMPLE(?focus) AS ?f) WHERE {{ ?focus {P} ?x }}": None,
    f"SELECT ?focus (COUNT(?x) AS ?n) WHERE {{ ?focus {P} ?x ; {Q} ?y }} GROUP BY ?focus ?y":
        None,
    f"ASK {{ ?focus {P} ?x }}": None,
}


@pytest.mark.parametrize(("sparql", "steps"), REACH.items())
def test_reach(sparql: str, steps: int | None) -> None:
    assert check_reach.reach(sparql) == steps


def test_the_shipped_checks_are_all_local(built_project: Project) -> None:
    """Each check of queries/checks/ is judged local (so a rebuild runs it near the change):
    a new check that is not still works, over the whole graph."""
    reaches = {c.name: check_reach.reach(c.text) for c in list_checks(built_project)}
    assert reaches and all(reaches.values()), reaches


#: A resource for each check to report (the focus nodes listed after).
PROBLEMS = """\
@prefix hrg: <https://w3id.org/hrgraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix person: <https://w3id.org/hrgraph/id/person/> .
@prefix demand: <https://w3id.org/hrgraph/id/demand/> .
@prefix assessment: <https://w3id.org/hrgraph/id/assessment/> .
person:reach-a a foaf:Person ; skos:prefLabel " Untrimmed"@en .
person:reach-b a foaf:Person ; skos:prefLabel "Без имени"@ru .
demand:reach-d a hrg:Demand ; hrg:concernsPerson person:reach-c ;
    skos:prefLabel "A demand with no quote"@en .
assessment:reach-e a hrg:Assessment ; hrg:evidence <https://example.org/evidence> .
<https://example.org/outside> a hrg:Document .
"""


def test_a_local_check_near_some_resources_gives_its_rows_about_them(
        built_copy: Project) -> None:
    (built_copy.root / "data/reach-problems.ttl").write_text(PROBLEMS, encoding="utf-8")
    build(built_copy, full=True)
    store = stores.open_store(built_copy, read_only=True)
    graphs = check_reach.public_graphs(store, built_copy.is_private)
    ids = "https://w3id.org/hrgraph/id/"
    nodes = {ox.NamedNode(ids + n) for n in ("person/reach-a", "person/reach-b",
                                             "demand/reach-d", "assessment/reach-e",
                                             "document/concerted-position-2016")}
    nodes.add(ox.NamedNode("https://example.org/outside"))
    names = {_name(n) for n in nodes}
    for check in list_checks(built_copy):
        steps = check_reach.reach(check.text)
        whole = [r for r in run_checks(built_copy, store, only={check.name})
                 if r.focus_node in names]
        assert whole, f"{check.name} finds nothing: the test data no longer tests it"
        part = check_reach.near_store(store, graphs, nodes, steps)
        assert run_checks(built_copy, part, focus=names, only={check.name}) == whole
        assert len(part) < len(store) / 10  # near, not everything


def test_upstream_finds_what_reaches_a_changed_subject(built_project: Project) -> None:
    """A demand's target is one link from the demand: the demand is upstream of the target."""
    store = stores.open_store(built_project, read_only=True)
    graphs = check_reach.public_graphs(store, built_project.is_private)
    concerns = ox.NamedNode("https://w3id.org/hrgraph/ontology#concerns")
    quad = next(iter(store.quads_for_pattern(None, concerns, None)))
    assert check_reach.upstream(store, graphs, {quad.object}, 0) == {quad.object}
    assert quad.subject in check_reach.upstream(store, graphs, {quad.object}, 1)
