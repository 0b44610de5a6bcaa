"""query: saved queries, typed parameters bound as terms, time and row limits, result formats."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from hrgraph import load
from hrgraph.errors import InputError, QueryTimeout, StoreError, UsageError
from hrgraph.project import Project
from hrgraph.query import (
    Param,
    QueryResult,
    bind_params,
    find_query,
    list_queries,
    parse_header,
    parse_value,
    run_query,
    run_saved,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PERSON = "https://w3id.org/hrgraph/id/person/"
XSD = "http://www.w3.org/2001/XMLSchema#"

INJECTIONS = [
    '" } ; DROP ALL #',
    'Alice" . OPTIONAL { ?x ?p ?o } ?s <http://example.org/name> "Alice',
    "Alice' } UNION { ?person ?p ?o } #",
    "Alice\n} UNION { ?person ?p ?o }",
]


def fill_store(project: Project) -> None:
    """Load the project's files into its on-disk store (each file in its graph) and close it."""
    store = ox.Store(str(project.store_path))
    for source in project.source_files():
        store.extend(load.parse_file(project, source.path))
    store.flush()
    del store


@pytest.fixture(scope="module")
def qproject(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """tests/fixtures/query_basic with a filled store (shared: do not change it)."""
    root = tmp_path_factory.mktemp("query") / "p"
    shutil.copytree(FIXTURES / "query_basic", root)
    project = Project.open(root, store=root / "store")
    fill_store(project)
    return project


def names(result: QueryResult, column: str = "person") -> list[str]:
    return [t.value for t in result.column(column)]


# --------------------------------------------------------------------------- headers


def test_list_queries_reads_headers(qproject):
    queries = {q.name: q for q in list_queries(qproject)}
    assert "people" in queries and "checks/person-without-label" in queries
    people = queries["people"]
    assert people.summary == "People and their names, optionally only some of them"
    assert people.tags == ["people"]
    assert people.columns == ["person", "name"]
    param = people.params["person"]
    assert (param.type, param.required, param.default, param.multiple) == ("iri", False, None,
                                                                           True)
    assert param.example == PERSON + "alice"
    described = queries["person-by-name"]
    assert described.description == "Looks up people by the plain name in hrg:name."
    assert queries["checks/person-without-label"].severity == "Warning"
    assert people.text.startswith("#+ summary:")


def test_header_errors_name_the_file(tmp_path):
    assert parse_header("\n\nSELECT * {}") == {}
    with pytest.raises(InputError, match="YAML"):
        parse_header("#+ summary: [unclosed\nSELECT * {}", path="x.rq")
    bad = tmp_path / "queries"
    bad.mkdir()
    (bad / "q.rq").write_text("#+ params:\n#+   x: {type: colour}\nSELECT * {}\n")
    with pytest.raises(InputError, match="unknown type 'colour'") as info:
        list_queries(Project.open(tmp_path))
    assert info.value.path.endswith("q.rq")
    (bad / "q.rq").write_text("#+ params:\n#+   'x y': {type: string}\nSELECT * {}\n")
    with pytest.raises(InputError, match="not a SPARQL variable name"):
        list_queries(Project.open(tmp_path))


def test_find_query_by_name_or_path(qproject):
    assert find_query(qproject, "people").name == "people"
    assert find_query(qproject, "checks/person-without-label").severity == "Warning"
    path = qproject.queries_dir / "people.rq"
    assert find_query(qproject, str(path)).name == "people"
    with pytest.raises(UsageError, match="no saved query called 'nope'"):
        find_query(qproject, "nope")


# --------------------------------------------------------------------------- parameter types


@pytest.mark.parametrize(("kind", "raw", "expected"), [
    ("iri", PERSON + "alice", ox.NamedNode(PERSON + "alice")),
    ("string", "Alice", ox.Literal("Alice")),
    ("langstring", "Аліса@be", ox.Literal("Аліса", language="be")),
    ("langstring", "a@b@en-GB", ox.Literal("a@b", language="en-gb")),
    ("date", "1980-05-01", ox.Literal("1980-05-01", datatype=ox.NamedNode(XSD + "date"))),
    ("integer", "44", ox.Literal("44", datatype=ox.NamedNode(XSD + "integer"))),
    ("integer", 44, ox.Literal("44", datatype=ox.NamedNode(XSD + "integer"))),
    ("decimal", "2.5", ox.Literal("2.5", datatype=ox.NamedNode(XSD + "decimal"))),
    ("boolean", "true", ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))),
    ("boolean", False, ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean"))),
    ("gYearMonth", "2001-09", ox.Literal("2001-09", datatype=ox.NamedNode(XSD + "gYearMonth"))),
    ("gYear", "1996", ox.Literal("1996", datatype=ox.NamedNode(XSD + "gYear"))),
])
def test_good_values_become_terms(kind, raw, expected):
    assert parse_value(Param("p", kind), raw) == expected


@pytest.mark.parametrize(("kind", "raw"), [
    ("iri", "alice"),  # not absolute
    ("iri", "http://example.org/a b"),
    ("iri", "http://example.org/a>"),
    ("iri", "http://example.org/a> . ?s ?p ?o . <x:y"),
    ("iri", 'http://example.org/"'),
    ("iri", "http://example.org/{x}"),
    ("iri", "http://example.org/a|b"),
    ("iri", "http://example.org/a^b"),
    ("iri", "http://example.org/a`b"),
    ("iri", "http://example.org/a\\b"),
    ("string", 42),
    ("langstring", "no tag"),
    ("langstring", "text@not a tag"),
    ("date", "1980-5-1"),
    ("date", "1980-02-30"),
    ("date", "yesterday"),
    ("integer", "4.5"),
    ("integer", "1; DROP ALL"),
    ("integer", True),
    ("decimal", "1e5"),
    ("boolean", "yes"),
    ("gYearMonth", "2001-13"),
    ("gYear", "96"),
])
def test_malformed_values_are_usage_errors_naming_the_parameter(kind, raw):
    with pytest.raises(UsageError, match="parameter 'p'"):
        parse_value(Param("p", kind), raw)


def test_each_type_selects_the_right_rows(qproject):
    assert names(run_saved(qproject, "person-by-name", {"name": "Alice"})) == [PERSON + "alice"]
    assert names(run_saved(qproject, "by-label", {"label": "Аліса@be"})) == [PERSON + "alice"]
    assert names(run_saved(qproject, "by-label", {"label": "Аліса@en"})) == []
    assert names(run_saved(qproject, "born-on", {"day": "1975-12-31"})) == [PERSON + "bob"]
    assert names(run_saved(qproject, "by-age", {"age": "49"})) == [PERSON + "bob"]
    assert names(run_saved(qproject, "by-age", {"min": 45})) == [PERSON + "bob"]
    assert names(run_saved(qproject, "by-age", {})) == [PERSON + "alice", PERSON + "bob"]
    assert names(run_saved(qproject, "typed", {"joined": "2001-09"})) == [PERSON + "alice"]
    assert names(run_saved(qproject, "typed", {"since": "1996"})) == [PERSON + "alice"]
    assert names(run_saved(qproject, "typed", {"score": "2.5"})) == [PERSON + "alice"]
    assert names(run_saved(qproject, "typed", {"active": "true"})) == [PERSON + "alice"]
    assert names(run_saved(qproject, "typed", {"active": "false"})) == []
    assert names(run_saved(qproject, "typed", {"joined": "2001-10"})) == []
    assert names(run_saved(qproject, "typed", {"score": "2.50"})) == [PERSON + "alice"]  # value


def test_multiple_values_are_bound_by_values(qproject):
    everyone = run_saved(qproject, "people")
    assert names(everyone) == [PERSON + "alice", PERSON + "bob", PERSON + "carol"]
    some = run_saved(qproject, "people", {"person": [PERSON + "carol", PERSON + "alice"]})
    assert names(some) == [PERSON + "alice", PERSON + "carol"]
    one = run_saved(qproject, "people", {"person": PERSON + "bob"})
    assert names(one) == [PERSON + "bob"]
    graph = run_saved(qproject, "names-construct", {"person": [PERSON + "bob"]})
    assert graph.kind == "graph"
    assert [str(t) for t in graph.triples] == [
        f'<{PERSON}bob> <http://www.w3.org/2000/01/rdf-schema#label> "Bob"']


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_strings_are_inert(qproject, value):
    assert names(run_saved(qproject, "person-by-name", {"name": value})) == []
    assert names(run_saved(qproject, "by-label", {"label": value + "@en"})) == []


@pytest.mark.parametrize("value", [
    "http://example.org/a> } UNION { ?person ?p ?o } #",
    "http://example.org/x> <http://example.org/y",
])
def test_iri_with_closing_bracket_is_refused_single_and_multiple(qproject, value):
    with pytest.raises(UsageError, match="parameter 'person'"):
        run_saved(qproject, "people", {"person": [PERSON + "alice", value]})


def test_injection_in_run_query_params_is_inert(qproject):
    sparql = ("PREFIX hrg: <https://w3id.org/hrgraph/ontology#>\n"
              "SELECT ?person WHERE { ?person hrg:name ?name }")
    assert names(run_query(qproject, sparql, {"name": "Bob"})) == [PERSON + "bob"]
    for value in INJECTIONS:
        assert names(run_query(qproject, sparql, {"name": value})) == []


def test_missing_unknown_and_repeated_parameters(qproject):
    with pytest.raises(UsageError, match="needs a value for parameter 'name' \\(for example Alice"):
        run_saved(qproject, "person-by-name", {})
    with pytest.raises(UsageError, match="no parameter 'nam'"):
        run_saved(qproject, "person-by-name", {"nam": "Alice"})
    with pytest.raises(UsageError, match="takes one value"):
        run_saved(qproject, "person-by-name", {"name": ["Alice", "Bob"]})
    single, multi = bind_params(find_query(qproject, "by-age"), {})
    assert single == {"min": ox.Literal("0", datatype=ox.NamedNode(XSD + "integer"))}
    assert multi == {}


def test_usage_errors_exit_with_2():
    assert UsageError("x").exit_code == 2
    assert QueryTimeout("x").exit_code == 3


# --------------------------------------------------------------------------- running


def test_timeout_stops_a_slow_query(qproject):
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
            "?m ?n2 ?o . ?p ?q ?r . ?s ?t ?u }")
    with pytest.raises(QueryTimeout, match="stopped"):
        run_query(qproject, slow, timeout=1)


def test_row_limit_cuts_and_says_so(qproject):
    result = run_query(qproject, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", limit=5)
    assert len(result) == 5 and result.truncated
    assert "Only the first 5 rows" in result.to_table()
    full = run_query(qproject, "SELECT ?s WHERE { ?s a ?t }", limit=100)
    assert not full.truncated and full.note == ""


def test_missing_store_is_a_store_error(tmp_path):
    project = Project.open(tmp_path, store=tmp_path / "nowhere")
    with pytest.raises(StoreError, match="hrgraph build"):
        run_query(project, "ASK {}")


def test_query_runs_over_the_union_of_graphs(qproject):
    result = run_query(qproject, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert result.rows[0]["n"].value == "24"  # 20 data + 4 ontology triples, all named graphs


def test_malformed_query_is_an_input_error(qproject):
    with pytest.raises(InputError, match="does not parse"):
        run_query(qproject, "SELECT ?x WHERE { ?x ")


def test_in_process_store_runs_without_worker():
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("x"), ox.NamedNode("http://example.org/g")))
    project = Project.open(Path("/nonexistent"), store="/nonexistent/store")
    result = run_query(project, "SELECT ?o WHERE { ?s ?p ?o }", store=store)
    assert result.rows == [{"o": ox.Literal("x")}]


# --------------------------------------------------------------------------- formats


def test_table_shortens_iris_and_shows_literals(qproject):
    result = run_query(qproject, """
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX hrg: <https://w3id.org/hrgraph/ontology#>
        SELECT ?person ?label WHERE { ?person a hrg:Person ; rdfs:label ?label }
        ORDER BY ?person ?label""")
    table = result.to_table()
    lines = table.splitlines()
    assert lines[0].split() == ["person", "label"]
    # English is the display language: shown without its tag; other languages keep theirs.
    assert lines[2].split() == ["hrid:person/alice", "Alice"]
    assert "hrid:person/alice  Аліса@be" in table
    assert lines[-1] == "(4 rows)"


def test_csv_keeps_full_iris_and_neutralises_formulas(qproject):
    result = run_query(qproject, """
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX hrg: <https://w3id.org/hrgraph/ontology#>
        SELECT ?person ?comment ?n WHERE { ?person rdfs:comment ?comment BIND(-3 AS ?n) }""")
    rows = list(csv.reader(io.StringIO(result.to_csv())))
    assert rows == [["person", "comment", "n"],
                    [PERSON + "alice", "'=HYPERLINK(\"http://evil.example\")", "-3"]]


def test_json_is_sparql_results_json(qproject):
    result = run_query(qproject, """
        PREFIX hrg: <https://w3id.org/hrgraph/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?person ?label ?age ?missing WHERE {
          ?person rdfs:label ?label ; hrg:age ?age FILTER(lang(?label) = "be") }""")
    data = json.loads(result.to_json())
    assert data["head"]["vars"] == ["person", "label", "age", "missing"]
    assert data["results"]["bindings"] == [{
        "person": {"type": "uri", "value": PERSON + "alice"},
        "label": {"type": "literal", "value": "Аліса", "xml:lang": "be"},
        "age": {"type": "literal", "value": "44", "datatype": XSD + "integer"},
    }]
    # pyoxigraph reads it back as the same solutions
    parsed = ox.parse_query_results(result.to_json(), format=ox.QueryResultsFormat.JSON)
    assert [s["label"] for s in parsed] == [ox.Literal("Аліса", language="be")]


def test_markdown_escapes_pipes(qproject):
    result = run_query(qproject, """
        PREFIX hrg: <https://w3id.org/hrgraph/ontology#>
        SELECT ?name WHERE { ?p hrg:name ?name } ORDER BY ?name""")
    lines = result.to_markdown().splitlines()
    assert lines[:2] == ["| name |", "|---|"]
    assert lines[-1] == "| Carol \\| C. |"


def test_ask_and_construct(qproject):
    yes = run_query(qproject, "ASK { ?s ?p ?o }")
    assert yes.kind == "ask" and yes.boolean is True
    assert yes.to_table() == "yes"
    assert json.loads(yes.to_json()) == {"head": {}, "boolean": True}
    assert yes.to_csv() == "boolean\ntrue\n"
    graph = run_query(qproject, """
        PREFIX hrg: <https://w3id.org/hrgraph/ontology#>
        CONSTRUCT { ?p hrg:called ?n } WHERE { ?p hrg:name ?n FILTER(?n = "Bob") }""")
    assert graph.kind == "graph" and graph.variables == ["subject", "predicate", "object"]
    assert graph.to_ntriples() == (
        f'<{PERSON}bob> <https://w3id.org/hrgraph/ontology#called> "Bob" .\n')
    assert "hrid:person/bob  hrg:called  Bob" in graph.to_table()


def test_a_script_without_main_guard_can_run_queries(qproject, tmp_path):
    # multiprocessing's spawn/forkserver would re-import this script in the worker and fail;
    # the worker is a plain subprocess, so it does not.
    import subprocess
    import sys

    script = tmp_path / "script.py"
    script.write_text(
        "from hrgraph.project import Project\n"
        "from hrgraph.query import run_query\n"
        f"project = Project.open({str(qproject.root)!r}, store={str(qproject.store_path)!r})\n"
        "print(run_query(project, 'ASK { ?s ?p ?o }').boolean)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.stdout.strip() == "True", done.stderr


def test_worker_sees_values_and_substitutions_together(qproject):
    # by-age projects ?age (substituted by pyoxigraph) but not ?min (bound by VALUES).
    result = run_saved(qproject, "by-age", {"age": 44, "min": 40})
    assert names(result) == [PERSON + "alice"]
    assert run_saved(qproject, "by-age", {"age": 44, "min": 45}).rows == []
