"""hrgraph.remote, `hrgraph push` and `hrgraph query --endpoint`, against a real Oxigraph server
and against tiny local HTTP servers that refuse, fail or hang."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from conftest import REPO, running_oxigraph
from hrgraph import query as queries
from hrgraph import remote
from hrgraph.cli import main
from hrgraph.project import Project
from hrgraph.store import open_store
from hrgraph.web.serving import free_port

TEST_GRAPH = "https://example.org/graph/push-test"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server (union default graph) on a free port; yields its base URL."""
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph")) as base:
        yield base


@pytest.fixture(scope="module")
def pushed(server: str, built_project: Project) -> remote.PushSummary:
    """The built project pushed into the server, every graph into its own (asserted + inferred)."""
    return remote.push(built_project, open_store(built_project, read_only=True),
                       f"{server}/store", batch_size=1000, replace=True)


def count(server: str, graph: str) -> int:
    sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    answer = httpx.post(f"{server}/query", content=sparql,
                        headers={"Content-Type": "application/sparql-query",
                                 "Accept": "application/sparql-results+json"})
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def graphs_on(server: str) -> set[str]:
    answer = httpx.post(f"{server}/query", content="SELECT DISTINCT ?g { GRAPH ?g {} }",
                        headers={"Content-Type": "application/sparql-query",
                                 "Accept": "application/sparql-results+json"})
    return {b["g"]["value"] for b in answer.json()["results"]["bindings"]}


def invoke(cli, project: Project, *args: str, env: dict | None = None):
    return cli.invoke(main, ["-q", "--project", str(project.root), "--store",
                             str(project.store_path), *args], env=env)


# --------------------------------------------------------------------------- the real server


def test_push_sends_every_graph_and_the_server_holds_the_same_counts(
        pushed: remote.PushSummary, built_project: Project) -> None:
    from hrgraph.store import graph_counts

    local = graph_counts(open_store(built_project, read_only=True))
    assert pushed.graphs == local  # asserted and inferred graphs, nothing confidential here
    assert pushed.remote == pushed.graphs
    assert built_project.inferred_graph in pushed.graphs
    assert pushed.batches > len(pushed.graphs) - 1


SAVED = [q.name for q in queries.list_queries(Project.open(REPO))]


def example_values(saved: queries.SavedQuery) -> dict:
    return {name: p.example for name, p in saved.params.items() if p.example is not None}


def rows(result: queries.QueryResult) -> list[tuple]:
    def term(t: object) -> str | None:
        return None if t is None else "_:" if isinstance(t, ox.BlankNode) else str(t)

    if result.kind == "ask":
        return [(result.boolean,)]
    return sorted(tuple(term(row.get(v)) for v in result.variables) for row in result.rows)


@pytest.mark.parametrize("name", SAVED)
def test_every_saved_query_answers_the_same_on_the_server(name: str, pushed: remote.PushSummary,
                                                          server: str,
                                                          built_project: Project) -> None:
    saved = queries.find_query(built_project, name)
    values = example_values(saved)
    local = queries.run_saved(built_project, saved, values,
                              store=open_store(built_project, read_only=True))
    there = remote.run_remote(built_project, saved, values, f"{server}/query")
    assert there.variables == local.variables
    assert rows(there) == rows(local)


def test_cli_query_endpoint_with_a_parameter(cli, pushed: remote.PushSummary, server: str,
                                             built_project: Project) -> None:
    args = ["query", "demands-by-actor", "--param",
            "actor=https://w3id.org/hrgraph/id/organisation/belarusian-authorities",
            "--format", "csv"]
    there = invoke(cli, built_project, *args, "--endpoint", f"{server}/query")
    here = invoke(cli, built_project, *args)
    assert there.exit_code == 0, there.stderr
    assert sorted(there.stdout.splitlines()) == sorted(here.stdout.splitlines())


def test_remote_queries_keep_the_guard(cli, server: str, built_project: Project,
                                       tmp_path: Path) -> None:
    service = tmp_path / "service.rq"
    service.write_text("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    result = invoke(cli, built_project, "query", str(service), "--endpoint", f"{server}/query")
    assert result.exit_code == 2 and "SERVICE" in result.stderr
    injection = invoke(cli, built_project, "query", "demands-by-actor", "--param",
                       "actor=https://x.org/a> } ; DROP ALL ; #", "--endpoint",
                       f"{server}/query")
    assert injection.exit_code == 2


def test_push_by_sparql_update_replaces_one_graph(cli, server: str,
                                                  built_project: Project) -> None:
    result = invoke(cli, built_project, "push", f"{server}/update", "--update-endpoint",
                    "--graph", TEST_GRAPH + "-update", "--replace", "--no-inferred",
                    "--batch-size", "10000")
    assert result.exit_code == 0, result.stderr
    from hrgraph.store import graph_counts

    asserted = sum(n for g, n in graph_counts(open_store(built_project, read_only=True)).items()
                   if g != built_project.inferred_graph)
    assert 0 < count(server, TEST_GRAPH + "-update") <= asserted


class _FailingProxy(http.server.BaseHTTPRequestHandler):
    """Forwards to the real server, but answers 500 to the second write."""

    upstream: str
    writes: list[str]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.writes.append(self.path)
        if len(self.writes) == 2:
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        answer = httpx.post(self.upstream + self.path, content=body,
                            headers={"Content-Type": self.headers["Content-Type"]})
        self.send_response(answer.status_code)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator:
    """Start a handler class on a free local port; yields a function (handler) -> base URL."""
    started = []

    def start(handler: type) -> str:
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        started.append(httpd)
        return f"http://127.0.0.1:{httpd.server_port}"

    yield start
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


def test_a_failed_replace_leaves_the_target_graph_as_it_was(cli, server: str,
                                                            built_project: Project,
                                                            local_server) -> None:
    first = invoke(cli, built_project, "push", f"{server}/store", "--graph", TEST_GRAPH,
                   "--replace", "--no-inferred", "--batch-size", "10000")
    assert first.exit_code == 0, first.stderr
    before = count(server, TEST_GRAPH)
    writes: list[str] = []
    proxy = local_server(type("Proxy", (_FailingProxy,), {"upstream": server, "writes": writes}))
    result = invoke(cli, built_project, "push", f"{proxy}/store", "--graph", TEST_GRAPH,
                    "--replace", "--batch-size", "2000", "--retries", "0",
                    "--update-url", f"{server}/update", "--query-url", f"{server}/query")
    assert result.exit_code == 3
    assert "answered 500" in result.stderr
    assert len(writes) == 2  # failed at the second batch, no more attempts
    assert count(server, TEST_GRAPH) == before  # asserted only; the failed push had inferred too
    temporary = built_project.graph_base + "push-"
    assert not [g for g in graphs_on(server) if g.startswith(temporary)], "temporary graphs left"


# --------------------------------------------------------------------------- failing servers


class _Answer(http.server.BaseHTTPRequestHandler):
    status = 500
    delay = 0.0
    seen: list[dict]

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.seen.append(dict(self.headers))
        time.sleep(self.delay)
        body = b"no"
        try:
            self.send_response(self.status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass

    do_POST = do_GET = _answer

    def log_message(self, *args: object) -> None:
        pass


def handler(status: int, delay: float = 0.0) -> tuple[type, list[dict]]:
    seen: list[dict] = []
    return type("Handler", (_Answer,), {"status": status, "delay": delay, "seen": seen}), seen


def test_push_to_a_closed_port_exits_3(cli, built_project: Project) -> None:
    url = f"http://127.0.0.1:{free_port()}/store"
    result = invoke(cli, built_project, "push", url, "--retries", "1")
    assert result.exit_code == 3
    assert f"cannot reach {url}" in result.stderr and "tried 2 times" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_push_refused_401_exits_3_and_says_which_variables_to_set(cli, built_project: Project,
                                                                  local_server) -> None:
    answer, seen = handler(401)
    url = local_server(answer) + "/store"
    result = invoke(cli, built_project, "push", url, env={"HRGRAPH_PUSH_TOKEN": "s3cret-token"})
    assert result.exit_code == 3
    assert "refused access (401" in result.stderr and "HRGRAPH_PUSH_TOKEN" in result.stderr
    assert len(seen) == 1, "401 is not retried"
    assert seen[0]["Authorization"] == "Bearer s3cret-token"
    assert "s3cret-token" not in result.output + result.stderr


def test_push_with_user_and_password_from_the_environment(cli, built_project: Project,
                                                          local_server) -> None:
    answer, seen = handler(403)
    result = invoke(cli, built_project, "push", local_server(answer) + "/store",
                    env={"HRGRAPH_PUSH_USER": "ann", "HRGRAPH_PUSH_PASSWORD": "pw"})
    assert result.exit_code == 3
    assert seen[0]["Authorization"] == "Basic YW5uOnB3"  # ann:pw


def test_push_failing_500_is_retried_a_bounded_number_of_times(cli, built_project: Project,
                                                               local_server) -> None:
    answer, seen = handler(500)
    result = invoke(cli, built_project, "push", local_server(answer) + "/store", "--retries", "1")
    assert result.exit_code == 3
    assert "answered 500" in result.stderr and "tried 2 times" in result.stderr
    assert len(seen) == 2


def test_push_to_a_server_that_hangs_times_out(cli, built_project: Project,
                                               local_server) -> None:
    answer, _ = handler(200, delay=2.0)
    result = invoke(cli, built_project, "push", local_server(answer) + "/store", "--timeout",
                    "0.3", "--retries", "0")
    assert result.exit_code == 3
    assert "no answer from" in result.stderr and "within 0.3 s" in result.stderr


def test_query_against_a_closed_port_exits_3(cli, built_project: Project) -> None:
    result = invoke(cli, built_project, "query", "signatories", "--endpoint",
                    f"http://127.0.0.1:{free_port()}/query")
    assert result.exit_code == 3 and "cannot reach" in result.stderr


def test_credentials_need_both_user_and_password() -> None:
    with pytest.raises(Exception, match="HRGRAPH_PUSH_PASSWORD"):
        remote.Credentials.from_environment({"HRGRAPH_PUSH_USER": "ann"})
    assert remote.Credentials.from_environment({}).headers() == {}


def test_sibling_endpoints() -> None:
    assert remote.sibling("http://h:7878/store", "update") == "http://h:7878/update"
    assert remote.sibling("http://h/ds/data", "query") == "http://h/ds/query"
    assert remote.sibling("http://h/graphs", "query") is None


def test_batches_keep_blank_nodes_together() -> None:
    lines = [f'<http://e.org/s> <http://e.org/p> "{i}" .\n'.encode() for i in range(5)]
    lines += [b"<http://e.org/s> <http://e.org/p> _:b1 .\n",
              b'_:b1 <http://e.org/p> "x" .\n']
    found = list(remote.batches(lines, 2))
    assert [len(b) for b in found] == [2, 2, 1, 2]
    assert found[-1] == lines[-2:]
    assert [line for batch in found for line in batch] == lines


class _Chatty(http.server.BaseHTTPRequestHandler):
    """An endpoint that fails with a body: what an internal server might say."""

    status = 400

    def do_POST(self) -> None:
        body = b"SECRET-INTERNAL-ANSWER: db password is hunter2"
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("status", [400, 404, 405, 500])
def test_query_endpoint_errors_never_echo_the_servers_answer(built_project: Project,
                                                             status: int) -> None:
    """Regression: an endpoint's error body ("... Response: b'SECRET ...'") was repeated."""
    handler = type("Handler", (_Chatty,), {"status": status})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/sparql"
        with pytest.raises(remote.StoreError) as caught:
            remote.run_remote(built_project, "count-demands-by-status", {}, url)
    finally:
        server.shutdown()
        server.server_close()
    assert "SECRET" not in str(caught.value) and "hunter2" not in str(caught.value)
    assert url in str(caught.value)


def test_blank_nodes_the_server_labels_in_its_own_way_are_read() -> None:
    """Virtuoso labels blank nodes ``nodeID://b10018``, which RDF does not allow as a label:
    one label is still one node, and two labels two nodes (a regression: it raised ValueError)."""
    first, again, other = (remote._term({"type": "bnode", "value": label})
                           for label in ("nodeID://b10018", "nodeID://b10018", "nodeID://b10019"))
    assert isinstance(first, ox.BlankNode) and first == again and first != other
    assert remote._term({"type": "bnode", "value": "b0"}) == ox.BlankNode("b0")


class _SlowMove(http.server.BaseHTTPRequestHandler):
    """Forwards updates to the real server, and answers the first MOVE only after the client
    has stopped waiting: the server has done it, the client does not know."""

    upstream: str
    updates: list[str]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.updates.append(body.decode())
        answer = httpx.post(self.upstream + "/update", content=body,
                            headers={"Content-Type": self.headers["Content-Type"]})
        if body.startswith(b"MOVE") and len(self.updates) == 1:
            time.sleep(3)
        try:
            self.send_response(answer.status_code)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)
        except OSError:
            pass

    def log_message(self, *args: object) -> None:
        pass


def test_a_move_whose_answer_is_lost_is_not_sent_again(cli, server: str,
                                                      built_project: Project, local_server,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A regression: the MOVE of --replace was retried after a time-out, and the second one,
    its source gone, emptied the target graphs (a push at 1M ended holding 0 triples)."""
    monkeypatch.setattr(remote, "MOVE_RATE", 10**9)  # the MOVE gets the 1 s of --timeout
    updates: list[str] = []
    proxy = local_server(type("Proxy", (_SlowMove,), {"upstream": server, "updates": updates}))
    graph = TEST_GRAPH + "-slow-move"
    result = invoke(cli, built_project, "push", f"{server}/store", "--graph", graph,
                    "--replace", "--no-inferred", "--timeout", "1",
                    "--update-url", f"{proxy}/update", "--query-url", f"{server}/query")
    assert result.exit_code == 3, result.stderr
    assert "may have done it all the same" in result.stderr
    assert [u for u in updates if u.startswith("MOVE")] == updates[:1]  # sent once
    assert count(server, graph) > 0  # the first MOVE was done, and not undone by a second
