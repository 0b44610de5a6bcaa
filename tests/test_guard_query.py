"""guard.check_query: only read-only queries that stay inside the store."""

from __future__ import annotations

import shutil
import socket
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from hrgraph.errors import InputError
from hrgraph.guard import check_query
from hrgraph.project import Project
from hrgraph.query import run_query, run_saved

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    shutil.copytree(FIXTURES / "query_basic", tmp_path / "p")
    project = Project.open(tmp_path / "p", store=tmp_path / "p" / "store")
    store = ox.Store(str(project.store_path))
    store.add(ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("x"), ox.NamedNode("https://w3id.org/hrgraph/graph/data/x")))
    store.flush()
    del store
    return project


@pytest.mark.parametrize("sparql", [
    "SELECT * WHERE { ?s ?p ?o }",
    "PREFIX ex: <http://example.org/> SELECT ?s FROM <http://example.org/g> WHERE { ?s ex:p ?o }",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT WHERE { ?s ?p ?o }",
    "DESCRIBE <http://example.org/a>",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(STR(?o) = \"SERVICE <http://x> { }\") } # SERVICE",
])
def test_plain_queries_pass(sparql):
    check_query(sparql)


SERVICE_QUERIES = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(<http://127.0.0.1:{port}/sparql> AS ?svc) SERVICE ?svc { ?s ?p ?o } }",
    "SELECT * WHERE { ?a ?b ?c OPTIONAL { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }",
    "SELECT * WHERE { { ?a ?b ?c } UNION { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }",
    "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }",
    "ASK { GRAPH ?g { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "select * where { service <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
]


@pytest.mark.parametrize("template", SERVICE_QUERIES)
def test_service_is_refused_and_nothing_is_sent(project, tcp, template):
    sparql = template.replace("{port}", str(tcp.port))
    with pytest.raises(InputError, match="SERVICE"):
        check_query(sparql)
    with pytest.raises(InputError, match="SERVICE"):
        run_query(project, sparql, timeout=10)
    assert tcp.count == 0


def test_service_in_a_saved_query_is_refused(project, tcp):
    path = project.queries_dir / "remote.rq"
    path.write_text("#+ summary: remote\n"
                    f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{tcp.port}/> "
                    "{ ?s ?p ?o } }\n")
    with pytest.raises(InputError, match="SERVICE"):
        run_saved(project, "remote", {})
    assert tcp.count == 0


def test_listener_does_see_a_real_connection(tcp):
    # The listener works: otherwise "received nothing" above would prove nothing.
    with socket.create_connection(("127.0.0.1", tcp.port)):
        pass
    for _ in range(50):
        if tcp.count:
            break
        threading.Event().wait(0.05)
    assert tcp.count == 1


@pytest.mark.parametrize(("sparql", "operation"), [
    ("LOAD <http://127.0.0.1:9/data.ttl>", "LOAD"),
    ("LOAD <file:///etc/passwd> INTO GRAPH <http://example.org/g>", "LOAD"),
    ("INSERT DATA { <http://example.org/a> <http://example.org/p> 1 }", "INSERT DATA"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
    ("INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", "INSERT/DELETE"),
    ("DROP ALL", "DROP"),
    ("CLEAR DEFAULT", "CLEAR"),
    ("CREATE GRAPH <http://example.org/g>", "CREATE"),
    ("PREFIX ex: <http://example.org/> DROP GRAPH ex:g ; LOAD <http://x/>", "DROP"),
])
def test_updates_are_refused(project, sparql, operation):
    with pytest.raises(InputError, match=f"refused: this is a SPARQL update \\(.*{operation}"):
        check_query(sparql)
    with pytest.raises(InputError, match="update"):
        run_query(project, sparql)
    # and the store is untouched
    result = run_query(project, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert result.rows[0]["n"].value == "1"


def test_syntax_errors_give_line_and_column():
    with pytest.raises(InputError, match="does not parse") as info:
        check_query("SELECT ?x\nWHERE { ?x ?y }")
    assert info.value.line == 2
    assert info.value.column is not None


def test_undeclared_prefix_and_empty_query_are_refused():
    with pytest.raises(InputError, match="Unknown namespace prefix"):
        check_query("SELECT ?x WHERE { ?x ex:p ?o }")
    with pytest.raises(InputError, match="empty"):
        check_query("  \n")


def test_service_allowed_only_on_request():
    assert check_query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
                       allow_service=True) == "SELECT"


def test_query_forms():
    assert check_query("ASK {}") == "ASK"
    assert check_query("CONSTRUCT WHERE { ?s ?p ?o }") == "CONSTRUCT"
    assert check_query("DESCRIBE <http://example.org/a>") == "DESCRIBE"


def test_the_verdict_is_remembered_per_text_and_per_allow_service() -> None:
    """The guard remembers what it accepted (an rdflib parse per run cost 50-150 ms, on every
    remote query twice), never a refusal, and a text let through with allow_service is still
    refused without it."""
    from hrgraph import guard

    federated = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    assert guard.checked(federated, allow_service=True).form == "SELECT"
    with pytest.raises(InputError):
        guard.checked(federated)
    with pytest.raises(InputError):  # a refusal is not remembered as anything else
        guard.checked(federated)
    plain = "SELECT ?s WHERE { ?s ?p ?o } # remembered"
    guard.checked(plain)
    hits = guard._check_query.cache_info().hits
    assert guard.checked(plain).text == guard.query_text(plain)
    assert guard._check_query.cache_info().hits == hits + 1
