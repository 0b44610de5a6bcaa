"""FROM and FROM NAMED name graphs of the store: they restrict a query to those graphs, never
fetch anything, and never reach the private graphs of confidential contributions."""

from __future__ import annotations

from hrgraph.query import run_query

GRAPH = "https://w3id.org/hrgraph/graph/"
PEOPLE = GRAPH + "data/actors/people"


def count(project, sparql: str) -> int:
    return int(run_query(project, sparql).rows[0]["n"].value)


IN_PEOPLE = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{PEOPLE}> {{ ?s ?p ?o }} }}"


def test_without_from_a_query_reads_the_union(built_project) -> None:
    everything = count(built_project, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert everything > count(built_project, IN_PEOPLE) > 0


def test_from_restricts_the_default_graph_to_the_named_graph(built_project) -> None:
    from_people = f"SELECT (COUNT(*) AS ?n) FROM <{PEOPLE}> WHERE {{ ?s ?p ?o }}"
    assert count(built_project, from_people) == count(built_project, IN_PEOPLE)


def test_from_named_limits_graph_variables(built_project) -> None:
    result = run_query(built_project, f"SELECT DISTINCT ?g FROM NAMED <{PEOPLE}> "
                                      "WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert [row["g"].value for row in result.rows] == [PEOPLE]


def test_from_a_private_graph_reads_nothing(built_project) -> None:
    sparql = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}private/anything> WHERE {{ ?s ?p ?o }}"
    assert count(built_project, sparql) == 0
