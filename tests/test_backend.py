"""A SPARQL server as the store (hrgraph.backend): which server, its addresses and credentials;
build, query, stats, add and remove over a real Oxigraph server and a real Virtuoso on
127.0.0.1 (the same tests on both)."""

from __future__ import annotations

import contextlib
import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from conftest import REPO, VIRTUOSO_USER, copy_project, running_oxigraph, running_virtuoso
from hrgraph import backend
from hrgraph import query as queries
from hrgraph.cli import main
from hrgraph.errors import UsageError
from hrgraph.project import Project
from hrgraph.remote import Credentials, run_remote
from hrgraph.store import open_store

ID = "https://w3id.org/hrgraph/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"


# --------------------------------------------------------------------------- which server


@pytest.mark.parametrize(("url", "kind", "expected"), [
    ("http://127.0.0.1:7878", "oxigraph", ("http://127.0.0.1:7878/query",
                                           "http://127.0.0.1:7878/update",
                                           "http://127.0.0.1:7878/store")),
    ("http://127.0.0.1:7878/query", "oxigraph", ("http://127.0.0.1:7878/query",
                                                 "http://127.0.0.1:7878/update",
                                                 "http://127.0.0.1:7878/store")),
    ("http://h:8890/", "virtuoso", ("http://h:8890/sparql", "http://h:8890/sparql-auth",
                                    "http://h:8890/sparql-graph-crud-auth")),
    ("http://h:8890/sparql", "virtuoso", ("http://h:8890/sparql", "http://h:8890/sparql-auth",
                                          "http://h:8890/sparql-graph-crud-auth")),
    ("https://example.org/ds/sparql", "generic", ("https://example.org/ds/sparql", None, None)),
])
def test_each_kind_names_its_services(url: str, kind: str, expected: tuple) -> None:
    found = backend.endpoint_for(url, kind)
    assert (found.query, found.update, found.store) == expected


def test_addresses_given_override_the_kinds() -> None:
    found = backend.endpoint_for("http://h:8890", "virtuoso", update="http://h:8890/sparql")
    assert found.update == "http://h:8890/sparql"
    assert found.store == "http://h:8890/sparql-graph-crud-auth"
    generic = backend.endpoint_for("https://e.org/q", "generic")
    with pytest.raises(UsageError, match="HRGRAPH_ENDPOINT_UPDATE"):
        generic.require_update()
    with pytest.raises(UsageError, match="HRGRAPH_ENDPOINT_STORE"):
        generic.require_store()


@pytest.mark.parametrize(("url", "kind", "problem"), [
    ("http://h", "fuseki", "not one of oxigraph, virtuoso, generic"),
    ("ftp://h/sparql", "oxigraph", r"not an http\(s\) address"),
    ("h:7878", "oxigraph", r"not an http\(s\) address"),
])
def test_a_bad_setting_is_a_usage_error(url: str, kind: str, problem: str) -> None:
    with pytest.raises(UsageError, match=problem):
        backend.endpoint_for(url, kind)


def test_the_environment_wins_over_hrgraph_toml(tmp_path: Path) -> None:
    (tmp_path / "hrgraph.toml").write_text(
        '[store]\nendpoint = "http://toml:8890"\nkind = "virtuoso"\n', encoding="utf-8")
    project = Project.open(tmp_path)
    assert backend.configured(project, {}) .query == "http://toml:8890/sparql"
    assert backend.configured(project, {}).source == "hrgraph.toml"
    env = {"HRGRAPH_ENDPOINT": "http://env:7878", "HRGRAPH_ENDPOINT_USER": "u",
           "HRGRAPH_ENDPOINT_PASSWORD": "p"}
    chosen = backend.configured(project, env)
    assert (chosen.query, chosen.source) == ("http://env:7878/query", "HRGRAPH_ENDPOINT")
    assert chosen.credentials == Credentials("u", "p", None)
    assert backend.configured(Project.open(tmp_path / "none"), {}) is None  # embedded


@pytest.mark.parametrize(("toml", "problem"), [
    ('store = "x"\n', "must be a table"),
    ('[store]\nendpoint = "http://h"\nhost = "h"\n', "unknown keys: host"),
    ('[store]\nendpoint = 7878\n', "endpoint must be a string"),
])
def test_a_bad_store_table_is_named(tmp_path: Path, toml: str, problem: str) -> None:
    (tmp_path / "hrgraph.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(UsageError, match=problem):
        backend.configured(Project.open(tmp_path), {})


def test_a_user_needs_a_password() -> None:
    with pytest.raises(UsageError, match="HRGRAPH_ENDPOINT_PASSWORD"):
        backend.credentials_from({"HRGRAPH_ENDPOINT_USER": "u"})
    assert backend.credentials_from({"HRGRAPH_ENDPOINT_TOKEN": "t"}).headers() == {
        "Authorization": "Bearer t"}


@pytest.fixture
def challenging() -> Iterator[list[str]]:
    """A local server answering 401 with the challenge in ``challenge[0]``."""
    challenge = ["Basic realm=x"]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(401)
            self.send_header("WWW-Authenticate", challenge[0])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    challenge.append(f"http://127.0.0.1:{server.server_address[1]}")
    yield challenge
    server.shutdown()
    server.server_close()


def test_credentials_go_by_the_scheme_the_server_asks(challenging: list[str]) -> None:
    import httpx

    server = backend.endpoint_for(challenging[1], "virtuoso",
                                  credentials=Credentials("dba", "secret"))
    assert backend.auth_scheme(server).credentials.scheme == "basic"
    challenging[0] = 'Digest realm="virtuoso", nonce="abc", qop="auth"'
    digest = backend.auth_scheme(server).credentials
    assert digest.scheme == "digest" and isinstance(digest.httpx_auth(), httpx.DigestAuth)
    # a token is sent as it is, without asking
    token = backend.endpoint_for(challenging[1], credentials=Credentials(token="t"))
    assert backend.auth_scheme(token) is token


# --------------------------------------------------------------------------- a real server


@dataclass(frozen=True)
class Server:
    """A real SPARQL server started for one test: its kind, base address and the environment
    that makes it hrgraph's store."""

    kind: str
    base: str
    env: dict[str, str]

    def endpoint(self) -> backend.Endpoint:
        return backend.auth_scheme(backend.configured(Project.open(Path("/nonexistent")),
                                                      self.env))

    def dump(self) -> list[tuple[str, ...]]:
        """Every quad of the server's named graphs, sorted (blank nodes by the server's labels,
        stable within one server)."""
        rows = backend.select(self.endpoint(), "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
                              timeout=120).rows
        return sorted(tuple(str(row[k]) for k in ("g", "s", "p", "o")) for row in rows)


@contextlib.contextmanager
def running_server(kind: str, location: Path) -> Iterator[Server]:
    """An empty Oxigraph server or Virtuoso on 127.0.0.1, as hrgraph's store."""
    if kind == "oxigraph":
        with running_oxigraph(location) as base:
            yield Server(kind, base, {"HRGRAPH_ENDPOINT": base})
        return
    user, password = VIRTUOSO_USER
    with running_virtuoso(location) as base:
        yield Server(kind, base, {"HRGRAPH_ENDPOINT": base, "HRGRAPH_ENDPOINT_KIND": kind,
                                  "HRGRAPH_ENDPOINT_USER": user,
                                  "HRGRAPH_ENDPOINT_PASSWORD": password})


@pytest.fixture(params=["oxigraph", "virtuoso"])
def served(request: pytest.FixtureRequest,
           tmp_path: Path) -> Iterator[tuple[Project, Server]]:
    """A copy of the project with no store built, and an empty server of each kind."""
    project = copy_project(REPO, tmp_path / "project")
    shutil.rmtree(project.store_path, ignore_errors=True)
    with running_server(request.param, tmp_path / request.param) as server:
        yield project, server


def run(project: Project, env: dict[str, str], *args: str):
    return CliRunner().invoke(main, ["--project", str(project.root), "--quiet", *args], env=env)


def test_build_query_and_stats_on_the_server(served: tuple[Project, Server]) -> None:
    project, server = served
    env = server.env
    built = run(project, env, "build")
    assert built.exit_code == 0, built.output
    assert "pushed" in built.output and "replaced" in built.output
    found = run(project, env, "query", "demands-concerning-unregistered-organisations",
                "--format", "csv")
    assert found.exit_code == 0, found.output
    assert "belarus-criminal-code-article-193-1" in found.output
    assert found.output.count("\n") == 5  # the header and the four rows of the local store
    local = run(project, {}, "query", "demands-concerning-unregistered-organisations",
                "--format", "csv")
    assert sorted(found.output.splitlines()) == sorted(local.output.splitlines())
    remote_stats = run(project, env, "stats", "--json")
    local_stats = run(project, {}, "stats", "--json")
    assert remote_stats.exit_code == 0, remote_stats.output
    import json

    remote_counts, local_counts = json.loads(remote_stats.output), json.loads(local_stats.output)
    assert remote_counts["classes"] == local_counts["classes"]
    assert remote_counts["graphs"] == local_counts["graphs"]
    # the example spreadsheet is checked against the graph (issue 20's acceptance)
    dry = run(project, env, "add", "--dry-run", str(project.root / "data/templates/example.xlsx"))
    assert dry.exit_code == 0, dry.output
    assert "nothing was written" in dry.output or "dry run" in dry.output.lower(), dry.output
    # --endpoint wins for its query: HRGRAPH_ENDPOINT names a server that is not there
    dead = {"HRGRAPH_ENDPOINT": "http://127.0.0.1:9"}
    assert run(project, dead, "query", "signatories", "--endpoint",
               server.endpoint().query).exit_code == 0
    failed = run(project, dead, "query", "signatories")
    assert failed.exit_code == 3 and "127.0.0.1:9" in failed.output


def test_a_rebuild_drops_the_graph_of_a_removed_file(served: tuple[Project, Server]) -> None:
    project, server = served
    env = server.env
    assert run(project, env, "build").exit_code == 0
    graph = project.graph_base + "data/links/external-identifiers"
    assert graph in backend.our_graphs(project, server.endpoint())
    (project.data_dir / "links" / "external-identifiers.ttl").unlink()
    rebuilt = run(project, env, "build")
    assert rebuilt.exit_code in (0, 1), rebuilt.output
    assert "dropped 1 graphs" in rebuilt.output
    assert graph not in backend.our_graphs(project, server.endpoint())


NEW_PERSON = """
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/hrgraph/id/person/test-backend-person> a foaf:Person ;
    skos:prefLabel "Backend Testperson"@en ;
    skos:prefLabel "Бэкенд Тэст"@be .
"""


def test_add_and_remove_publish_and_leave_the_server_as_it_was(
        served: tuple[Project, Server], tmp_path: Path) -> None:
    project, server = served
    env = server.env
    assert run(project, env, "build").exit_code == 0
    before = server.dump()
    contribution = tmp_path / "person.ttl"
    contribution.write_text(NEW_PERSON, encoding="utf-8")
    added = run(project, env, "add", str(contribution))
    assert added.exit_code == 0, added.output
    person = "<https://w3id.org/hrgraph/id/person/test-backend-person>"
    assert any(quad[1] == person for quad in server.dump())
    [contribution_id] = [line.split()[-1] for line in run(project, {}, "contributions").output
                         .splitlines() if "person.ttl" in line] or [None]
    assert contribution_id is None or contribution_id  # the listing names it by its file
    listed = run(project, {}, "contributions", "--json")
    import json

    ids = [c["id"] for c in json.loads(listed.output) if c.get("source_file") == "person.ttl"]
    assert len(ids) == 1
    removed = run(project, env, "remove", ids[0])
    assert removed.exit_code == 0, removed.output
    assert server.dump() == before


def test_a_server_that_refuses_leaves_both_sides_as_they_were(
        served: tuple[Project, Server], tmp_path: Path) -> None:
    project, server = served
    assert run(project, server.env, "build").exit_code == 0
    before = server.dump()
    files = sorted(p.relative_to(project.data_dir) for p in project.data_dir.rglob("*"))
    refusing = {**server.env, "HRGRAPH_ENDPOINT_STORE": f"{server.base}/no-such-service"}
    contribution = tmp_path / "person.ttl"
    contribution.write_text(NEW_PERSON, encoding="utf-8")
    added = run(project, refusing, "add", str(contribution))
    assert added.exit_code == 3, added.output
    assert "no-such-service" in added.output and "nothing was merged" in added.output
    assert server.dump() == before
    assert sorted(p.relative_to(project.data_dir) for p in project.data_dir.rglob("*")) == files
    assert "test-backend-person" not in run(project, {}, "query", "find-by-name", "-p",
                                            "name=Backend Testperson").output


def test_two_serve_processes_over_one_server_both_show_a_merge(
        served: tuple[Project, Server], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses
    import time

    import httpx

    from web_support import running_server

    project, server = served
    for name, value in server.env.items():
        monkeypatch.setenv(name, value)
    assert run(project, server.env, "build").exit_code == 0
    mirrors = [dataclasses.replace(project, store_path=tmp_path / f"mirror-{n}") for n in "ab"]

    def found(url: str, text: str) -> set[str]:
        answer = httpx.get(f"{url}/search.json", params={"q": text}, timeout=30)
        assert answer.status_code == 200, answer.text
        return {r["iri"] for r in answer.json()["results"]}

    with running_server(mirrors[0], "--poll", "0.5") as first, \
            running_server(mirrors[1], "--poll", "0.5") as second:
        for url in (first, second):
            assert ID + "organisation/viasna" in found(url, "Вясна")
            page = httpx.get(f"{url}/search", params={"q": "Вясна"}, timeout=30)
            assert page.status_code == 200 and "/id/organisation/viasna" in page.text
        contribution = tmp_path / "person.ttl"
        contribution.write_text(NEW_PERSON, encoding="utf-8")
        assert run(project, server.env, "add", str(contribution)).exit_code == 0
        person = ID + "person/test-backend-person"
        deadline = time.monotonic() + 60
        while not all(person in found(url, "Backend Testperson") for url in (first, second)):
            assert time.monotonic() < deadline, "a serve process did not show the merge"
            time.sleep(0.5)
        # the mirrors are read-only: a merge goes to the working copy
        refused = httpx.post(f"{first}/contribute", timeout=30)
        assert refused.status_code == 403


# --------------------------------------------------------------------------- every saved query

SAVED = [q.name for q in queries.list_queries(Project.open(REPO))]
NUMERIC = {XSD + name for name in ("integer", "int", "long", "short", "byte", "decimal",
                                   "nonNegativeInteger", "positiveInteger", "unsignedInt")}


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def built_on(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, Server]]:
    """The project built on a server of each kind (and in its working copy here)."""
    folder = tmp_path_factory.mktemp(f"built-on-{request.param}")
    project = copy_project(REPO, folder / "project")
    shutil.rmtree(project.store_path, ignore_errors=True)
    with running_server(request.param, folder / request.param) as server:
        built = run(project, server.env, "build")
        assert built.exit_code == 0, built.output
        yield Project.open(project.root), server  # the working copy the CLI built


def value(term: object) -> object:
    """A term as the comparison of two stores reads it: numbers by value whatever their integer
    type (Virtuoso counts in ``xsd:int``, Oxigraph in ``xsd:integer``) and booleans as 1 and 0
    (Virtuoso answers ``true`` with the integer 1), ``xsd:string`` as a simple literal, blank
    nodes all alike."""
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return "_:"
    if isinstance(term, ox.Literal):
        if term.datatype.value == XSD + "boolean":  # Virtuoso has no booleans: true is 1
            return ("number", Decimal(term.value in ("true", "1")))
        if term.datatype.value in NUMERIC:
            return ("number", Decimal(term.value))
        if term.language:
            return ("text", term.value, term.language.lower())
        if term.datatype.value == XSD + "string":
            return ("text", term.value)
    return str(term)


def order_keys(saved: queries.SavedQuery) -> list[str]:
    """The variables the query's last ORDER BY sorts on (test-only reading of the text)."""
    clauses = re.findall(r"ORDER BY([^\n]*)", saved.text)
    return re.findall(r"\?(\w+)", clauses[-1]) if clauses else []


def concatenated(saved: queries.SavedQuery) -> dict[str, str]:
    """The columns the query makes by GROUP_CONCAT, with their separators (test-only reading):
    SPARQL leaves the order of the parts to the engine, so they are compared as a multiset."""
    found = re.findall(r'GROUP_CONCAT\((?:[^()]|\([^()]*\))*?separator\s*=\s*"([^"]*)"\s*\)'
                       r"\s+AS\s+\?(\w+)", saved.text, flags=re.IGNORECASE | re.DOTALL)
    return {column: separator for separator, column in found}


@pytest.mark.parametrize("name", SAVED)
def test_every_saved_query_answers_the_same_on_each_server(
        name: str, built_on: tuple[Project, Server]) -> None:
    """The same multiset of rows as the embedded store, the same order where the query orders
    (ties free), the parts of a GROUP_CONCAT in any order."""
    # What Virtuoso answers otherwise, and how the saved queries are written so that it does
    # not, is in docs/server.md.
    project, server = built_on
    saved = queries.find_query(project, name)
    values = {n: p.example for n, p in saved.params.items() if p.example is not None}
    local = queries.run_saved(project, saved, values,
                              store=open_store(project, read_only=True))
    endpoint = server.endpoint()
    there = run_remote(project, saved, values, endpoint.query, credentials=endpoint.credentials,
                       dataset=backend.query_dataset(project, endpoint))
    assert there.variables == local.variables
    if local.kind == "ask":
        assert there.boolean == local.boolean
        return

    parts = concatenated(saved)

    def cell(row: dict, column: str) -> object:
        term = row.get(column)
        if column in parts:
            # over no values (each an error, such as STR of an unbound variable) SPARQL's
            # aggregate is an error, unbound, as Oxigraph answers; Virtuoso answers ""
            text = term.value if isinstance(term, ox.Literal) else ""
            return ("parts", *sorted(text.split(parts[column]))) if text else None
        return value(term)

    def table(result: queries.QueryResult) -> list[tuple]:
        return [tuple(cell(row, v) for v in result.variables) for row in result.rows]

    assert sorted(table(there), key=repr) == sorted(table(local), key=repr)
    keys = [k for k in order_keys(saved) if k in local.variables]
    assert [[value(row.get(k)) for k in keys] for row in there.rows] == \
        [[value(row.get(k)) for k in keys] for row in local.rows]


# --------------------------------------------------------------------------- Virtuoso's own ways

VIRTRDF = "http://www.openlinksw.com/schemas/virtrdf#"


@pytest.fixture(scope="module")
def on_virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, Server]]:
    folder = tmp_path_factory.mktemp("virtuoso-ways")
    project = copy_project(REPO, folder / "project")
    with running_server("virtuoso", folder / "virtuoso") as server:
        assert run(project, server.env, "build").exit_code == 0
        yield Project.open(project.root), server


def written(folder: Path, sparql: str) -> Path:
    """A query of one's own, as a file ``hrgraph query`` takes."""
    file = folder / "query.rq"
    file.write_text(sparql, encoding="utf-8")
    return file


def ask(server: Server, folder: Path, sparql: str, dataset: list[str] | None) -> bool:
    return run_remote(Project.open(REPO), written(folder, sparql), None,
                      server.endpoint().query, dataset=dataset).boolean


def test_on_virtuoso_the_default_graph_is_the_group_of_our_graphs(
        on_virtuoso: tuple[Project, Server], tmp_path: Path) -> None:
    project, server = on_virtuoso
    group = backend.union_group(project)
    assert group == "https://w3id.org/hrgraph/graph/public"  # as docs/server.md names it
    assert backend.query_dataset(project, server.endpoint()) == [group]
    system = f"ASK {{ ?s ?p ?o FILTER (STRSTARTS(STR(?s), \"{VIRTRDF}\")) }}"
    assert ask(server, tmp_path, system, None)  # Virtuoso's default graph: its system graphs too
    assert not ask(server, tmp_path, system, [group])
    ours = "ASK { <https://w3id.org/hrgraph/id/organisation/viasna> ?p ?o }"
    assert ask(server, tmp_path, ours, [group])


def test_virtuoso_refuses_service_to_the_queries_hrgraph_sends(
        on_virtuoso: tuple[Project, Server], tmp_path: Path) -> None:
    """The second line behind the guard: queries run as Virtuoso's SPARQL user, who may not
    call SERVICE, so even a query let through with --allow-service goes nowhere."""
    from hrgraph.errors import StoreError

    project, server = on_virtuoso
    federated = written(tmp_path,
                        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    with pytest.raises(StoreError, match="failed"):
        run_remote(project, federated, None, server.endpoint().query, allow_service=True)


def test_virtuoso_commits_each_operation_of_a_request(on_virtuoso: tuple[Project, Server]) -> None:
    """What docs/server.md says of Virtuoso's transactions: an operation that fails leaves the
    ones before it in the same request done (the Oxigraph server undoes them)."""
    from hrgraph.errors import StoreError

    _, server = on_virtuoso
    graph = "https://example.org/graph/virtuoso-transaction-test"
    with pytest.raises(StoreError):
        backend.update(server.endpoint(),
                       f"INSERT DATA {{ GRAPH <{graph}> {{ <https://example.org/a> "
                       f"<https://example.org/b> <https://example.org/c> }} }} ;\n"
                       "LOAD <http://127.0.0.1:9/nothing> INTO GRAPH <https://example.org/x>",
                       what="a request that fails in its second operation")
    rows = backend.select(server.endpoint(),
                          f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows
    assert len(rows) == 1
    backend.update(server.endpoint(), f"DROP SILENT GRAPH <{graph}>", what="cleaning up")
