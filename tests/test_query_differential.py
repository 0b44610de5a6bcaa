"""The query guard judges what the engine runs: a differential test with the engine as oracle.

Each query of the corpus is run **unguarded** by pyoxigraph in a child process (its own store, a
loopback listener as the SERVICE target, a time limit), which records whether the engine
contacted the listener. The guard (:func:`hrgraph.guard.checked`) must refuse every query the
engine would have sent, and accept the harmless ones. Then the hostile ones go through every
entry point with the real listener: refused, and no connection.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx2 as httpx
import pytest

from hrgraph import guard
from hrgraph.errors import InputError
from hrgraph.query import run_query, run_saved

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "security"
PORT = "PORT"
SVC = f"SERVICE <http://127.0.0.1:{PORT}/sparql> {{ ?s ?p ?o }}"


def fixture(name: str) -> str:
    # bytes: a bare CR stays as it is (text mode would turn it into LF)
    return (FIXTURES / name).read_bytes().decode("utf-8")


#: Queries built to make two readers of SPARQL disagree on whether there is a SERVICE.
HOSTILE = {
    "u0022 file": fixture("service-bypass-u0022.rq"),
    "cr file": fixture("service-bypass-cr.rq"),
    "plain": f"SELECT * WHERE {{ {SVC} }}",
    "crlf after comment": f"SELECT * WHERE {{ # hidden\r\n{SVC}\r\n}}",
    "nel in comment": f"SELECT * WHERE {{ # hidden\x85{SVC}\n}}",
    "line separator in comment": f"SELECT * WHERE {{ # hidden\u2028{SVC}\n}}",
    "paragraph separator in comment": f"SELECT * WHERE {{ # hidden\u2029{SVC}\n}}",
    "form feed in comment": f"SELECT * WHERE {{ # hidden\x0c{SVC}\n}}",
    "vertical tab in comment": f"SELECT * WHERE {{ # hidden\x0b{SVC}\n}}",
    "nul in comment": f"SELECT * WHERE {{ # hidden\x00{SVC}\n}}",
    "U00000022": f'SELECT * WHERE {{ BIND("\\U00000022" AS ?a) {SVC} # """ AS ?a)\n}}',
    "u greedy 8 digits": f'SELECT * WHERE {{ BIND("\\u00220041" AS ?a) {SVC} # """ AS ?a)\n}}',
    "escaped backslash before u0022":
        f'SELECT * WHERE {{ BIND("\\\\u0022" AS ?a) {SVC} # """ AS ?a)\n}}',
    "three backslashes": f'SELECT * WHERE {{ BIND("\\\\\\u0022" AS ?a) {SVC} # """ AS ?a)\n}}',
    "u0027 single quote": f"SELECT * WHERE {{ BIND('\\u0027' AS ?a) {SVC} # ''' AS ?a)\n}}",
    "u005C backslash": f'SELECT * WHERE {{ BIND("\\u005C" AS ?a) {SVC} # " AS ?a)\n}}',
    "u0023 outside a string": f"SELECT * WHERE {{ ?s ?p ?o \\u0023 {SVC}\n}}",
    "u000A in a comment": f"SELECT * WHERE {{ ?s ?p ?o # x \\u000A {SVC}\n}}",
    "u000D in a comment": f"SELECT * WHERE {{ ?s ?p ?o # x \\u000d {SVC}\n}}",
    "u003E in an IRI": f"SELECT * WHERE {{ BIND(<http://x/\\u003E> AS ?i) {SVC} }}",
    "u0022 in a long string":
        f'SELECT * WHERE {{ BIND("""a\\u0022""" AS ?a) {SVC} # """ AS ?a)\n}}',
    "u007B brace": f"SELECT * WHERE \\u007B {SVC} }}",
    "escaped quote then comment": f'SELECT * WHERE {{ BIND("a\\"#" AS ?a) {SVC} }}',
    "hash inside a string": f'SELECT * WHERE {{ BIND("# not a comment" AS ?a) {SVC} }}',
    "quote inside a comment": f'SELECT * WHERE {{ # "\n{SVC} # "\n}}',
    "long string with escaped quotes":
        f'SELECT * WHERE {{ BIND("""a\\"""" AS ?a) {SVC} # """\n}}',
    "long string holding a comment":
        f'SELECT * WHERE {{ BIND("""x # y""" AS ?a) {SVC} }}',
    "cr inside a long string": f"SELECT * WHERE {{ BIND('''a\rb''' AS ?a) {SVC} }}",
    "lower case": f"select * where {{ {SVC.replace('SERVICE', 'service')} }}",
    "silent": f"SELECT * WHERE {{ {SVC.replace('SERVICE', 'SERVICE SILENT')} }}",
    "byte-order mark": f"\ufeffSELECT * WHERE {{ {SVC} }}",
    "surrogate escapes": f'SELECT * WHERE {{ BIND("\\uD834\\uDD1E" AS ?a) {SVC} }}',
    "local name escape": f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ex:a\\# ?o . {SVC} }}",
    "sub-query": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ {SVC} }} }} }}",
    "exists": f"SELECT * WHERE {{ BIND(1 AS ?x) FILTER EXISTS {{ {SVC} }} }}",
    "ask": f"ASK {{ {SVC} }}",
    "construct": f"CONSTRUCT WHERE {{ {SVC} }}",
}

#: Queries a researcher may write: accepted, and the engine sends nothing either.
HARMLESS = {
    "crlf lines": "SELECT ?s\r\nWHERE { ?s ?p ?o }\r\nLIMIT 1\r\n",
    "bare cr lines": "SELECT ?s\rWHERE { ?s ?p ?o }\rLIMIT 1\r",
    "non-ascii escape": 'SELECT * WHERE { BIND("Bia\\u0142iacki" AS ?n) }',
    "astral escape": 'SELECT * WHERE { BIND("\\U0001F600" AS ?e) }',
    "escape in an IRI": "SELECT * WHERE { BIND(<http://example.org/\\u00E9> AS ?i) }",
    "hash in a string": 'SELECT * WHERE { BIND("# not a comment" AS ?x) }',
    "quotes in a long string": 'SELECT * WHERE { BIND("""a "quoted" word""" AS ?x) }',
    "quote in a comment": 'SELECT * WHERE { ?s ?p ?o } # say "hello"\n',
    "escaped single quote": "SELECT * WHERE { BIND('it\\'s' AS ?x) }",
    "the word service": 'SELECT * WHERE { BIND(CONTAINS("civil service", "service") AS ?x) }',
    "service in a comment": "SELECT * WHERE { ?s ?p ?o } # no SERVICE here\n",
    "IRI with a fragment": "SELECT * WHERE { BIND(<http://example.org/a#b> AS ?x) }",
    "escaped backslash": 'SELECT * WHERE { BIND("C:\\\\users" AS ?x) }',
    "tab separated": "SELECT\t*\tWHERE\t{\t?s\t?p\t?o\t}",
}

ORACLE = textwrap.dedent("""
    import json, socket, sys, threading, time
    import pyoxigraph as ox

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = str(listener.getsockname()[1])
    seen = []

    def accept():  # close every connection at once, so that the engine never waits
        while True:
            connection, _ = listener.accept()
            seen.append(1)
            connection.close()

    threading.Thread(target=accept, daemon=True).start()
    store = ox.Store()
    a = ox.NamedNode("http://example.org/a")
    store.add(ox.Quad(a, a, a))
    verdicts = {}
    for name, text in json.load(sys.stdin).items():
        before = len(seen)
        try:
            answer = store.query(text.replace("PORT", port))
            if not isinstance(answer, ox.QueryBoolean):
                list(answer)
        except Exception:
            pass
        time.sleep(0.1)
        verdicts[name] = len(seen) > before
    json.dump(verdicts, sys.stdout)
""")


@pytest.fixture(scope="module")
def engine_contacts() -> dict[str, bool]:
    """For every corpus query: did pyoxigraph, unguarded, contact the SERVICE target?"""
    done = subprocess.run([sys.executable, "-c", ORACLE], input=json.dumps({**HOSTILE, **HARMLESS}),
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def test_the_oracle_sees_a_service_call(engine_contacts):
    # Without this the oracle could be blind, and every verdict below vacuous.
    assert engine_contacts["plain"] and engine_contacts["u0022 file"]
    assert engine_contacts["cr file"]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_guard_refuses_every_query_the_engine_would_send(engine_contacts, name):
    if not engine_contacts[name]:
        # The engine sends nothing for this text; the guard may accept or refuse it.
        return
    with pytest.raises(InputError):
        guard.checked(HOSTILE[name].replace(PORT, "9"))


def test_most_hostile_queries_reach_the_engine(engine_contacts):
    """The corpus is hostile for real: most of its queries would make the engine send."""
    assert sum(engine_contacts[name] for name in HOSTILE) >= 20


@pytest.mark.parametrize("name", sorted(HARMLESS))
def test_harmless_queries_are_accepted(engine_contacts, name):
    assert not engine_contacts[name]
    text = guard.checked(HARMLESS[name]).text
    assert "\r" not in text


def test_the_guard_refuses_every_hostile_query():
    """Stronger than the oracle asks: the guard refuses the whole hostile corpus."""
    accepted = []
    for name, text in HOSTILE.items():
        try:
            guard.checked(text.replace(PORT, "9"))
        except InputError:
            continue
        accepted.append(name)
    assert accepted == []


def test_the_checked_text_is_what_runs():
    text = guard.checked("SELECT ?s\r\nWHERE { ?s ?p ?o } # x\rLIMIT 1").text
    assert text == "SELECT ?s\nWHERE { ?s ?p ?o } # x\nLIMIT 1"


def test_a_refused_escape_names_its_line_and_column():
    with pytest.raises(InputError) as caught:
        guard.checked('SELECT * WHERE {\n  BIND("\\u0022" AS ?a)\n}')
    assert (caught.value.line, caught.value.column) == (2, 9)
    assert "\\u0022" in str(caught.value)


# --------------------------------------------------------------------------- every entry point


ENTRY_CASES = ["u0022 file", "cr file", "u greedy 8 digits", "escaped backslash before u0022",
               "nel in comment"]


@pytest.mark.parametrize("name", ENTRY_CASES)
def test_library_refuses_and_sends_nothing(built_project, tcp, name):
    text = HOSTILE[name].replace(PORT, str(tcp.port))
    with pytest.raises(InputError):
        run_query(built_project, text)
    assert tcp.settled() == 0


@pytest.mark.parametrize("name", ENTRY_CASES)
def test_cli_refuses_with_exit_2_and_sends_nothing(built_project, tcp, tmp_path, name):
    path = tmp_path / "hostile.rq"
    path.write_bytes(HOSTILE[name].replace(PORT, str(tcp.port)).encode("utf-8"))
    done = subprocess.run([sys.executable, "-m", "hrgraph", "--project", str(built_project.root),
                           "--store", str(built_project.store_path), "query", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert tcp.settled() == 0


@pytest.mark.parametrize("name", ENTRY_CASES)
def test_saved_query_file_refused(built_project, tcp, tmp_path, name):
    path = tmp_path / "hostile.rq"
    path.write_bytes(HOSTILE[name].replace(PORT, str(tcp.port)).encode("utf-8"))
    with pytest.raises(InputError):
        run_saved(built_project, str(path))
    assert tcp.settled() == 0


def test_remote_endpoint_refuses_before_sending(built_project, tcp, tmp_path):
    from hrgraph.remote import run_remote

    path = tmp_path / "hostile.rq"
    path.write_bytes(HOSTILE["cr file"].replace(PORT, str(tcp.port)).encode("utf-8"))
    with pytest.raises(InputError):
        run_remote(built_project, str(path), {}, tcp.url)
    assert tcp.settled() == 0


@pytest.fixture(scope="module")
def server(built_project):
    from web_support import running_server

    with running_server(built_project) as url:
        yield url


@pytest.mark.parametrize("name", ENTRY_CASES)
def test_web_sparql_refuses_with_403_and_sends_nothing(server, tcp, name):
    text = HOSTILE[name].replace(PORT, str(tcp.port))
    by_post = httpx.post(server + "/sparql", content=text.encode("utf-8"), timeout=60,
                         headers={"Content-Type": "application/sparql-query"})
    by_form = httpx.post(server + "/sparql", data={"query": text}, timeout=60)
    by_get = httpx.get(server + "/sparql", params={"query": text}, timeout=60)
    assert {by_post.status_code, by_form.status_code, by_get.status_code} <= {400, 403}
    page = httpx.get(server + "/query", params={"query": text}, timeout=60)
    assert page.status_code in (400, 403)
    assert tcp.settled() == 0


# --------------------------------------------------------------------------- SHACL-SPARQL


SHAPE = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix hrg: <https://w3id.org/hrgraph/ontology#> .
<https://w3id.org/hrgraph/shapes/Hidden> a sh:NodeShape ; sh:targetClass hrg:Demand ;
    sh:sparql [ sh:message "x" ; sh:select "{select}" ] .
"""
SHAPE_QUERIES = {
    # Turtle escapes: \\\\u0022 is a backslash-u in the SPARQL text, \\r a carriage return
    "u0022": 'SELECT $this WHERE {{ BIND(\\\\"\\\\u0022\\\\" AS ?a) '
             'SERVICE <{url}> {{ $this ?p ?o }} }} # \\\\"\\\\"\\\\" AS ?a)\\n',
    "cr": "SELECT $this WHERE {{ $this ?p ?o # hidden\\rSERVICE <{url}> {{ $this ?p ?o }} }}",
}


@pytest.mark.parametrize("engine", ["pyshacl", "pyshacl-turbo"])
@pytest.mark.parametrize("trick", sorted(SHAPE_QUERIES))
def test_shapes_cannot_hide_a_service(mini_project, tcp, engine, trick):
    select = SHAPE_QUERIES[trick].format(url=tcp.url).replace('\\\\"', '\\"')
    (mini_project.shapes_dir / "contributed.ttl").write_text(SHAPE.format(select=select),
                                                             encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "hrgraph", "--project", str(mini_project.root),
                           "--store", str(mini_project.store_path), "build"],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HRGRAPH_SHACL_ENGINE": engine})
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "SERVICE" in done.stderr or "SHACL-SPARQL" in done.stderr
    assert tcp.settled() == 0
