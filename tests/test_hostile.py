"""Hostile input against every entry point: no fetch, no leak, no crash.

Each test feeds the exact hostile input and checks that it is refused AND that nothing was fetched
(a listener on 127.0.0.1 gets no request or connection) or read (an audit hook records every file
this process opens; a sentinel file's secret never shows). Positive controls prove that the
listener and the audit hook do see a fetch or a read when one is allowed. docs/security.md maps
each threat to its defence and to the test here that proves it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CONTEXT, REPO, copy_project
from hrgraph import guard
from hrgraph import query as queries
from hrgraph.build import build
from hrgraph.cli import main
from hrgraph.errors import InputError, QueryTimeout, UsageError
from hrgraph.load import parse_file
from hrgraph.project import Project
from hrgraph.query import run_query, run_saved

NAME = CONTEXT["@context"]["name"]
SECRET = "TOP-SECRET-7f3a9c"
ID = "https://w3id.org/hrgraph/id/"
VIASNA = ID + "organisation/viasna"
VIASNA_EN = "Human Rights Center “Viasna”"
INJECTION = 'Alice" . OPTIONAL { ?x ?p ?o } ?s <http://example.org/name> "Alice'

OPENED: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)  # records every file this process opens (before any hook refuses it)


def opened(path: Path) -> bool:
    """Whether this process tried to open ``path`` since the last ``OPENED.clear()``."""
    return any(Path(p).name == path.name and Path(p).resolve() == path.resolve() for p in OPENED)


@pytest.fixture
def sentinel(tmp_path: Path) -> Path:
    """A JSON-LD context document holding a secret: if read, its "name" term would make triples."""
    path = tmp_path / "secret-context.jsonld"
    path.write_text(json.dumps({"@context": {"name": NAME}, "secret": SECRET}), encoding="utf-8")
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


# --------------------------------------------------------------------------- JSON-LD contexts

def doc(context: object) -> dict:
    return {"@context": context, "@id": "http://example.org/a", "name": "Viasna"}


#: Where a JSON-LD document can name a context to load; ``ref`` is the URL or path.
CONTEXT_PLACES = {
    "context": lambda ref: doc(ref),
    "array": lambda ref: doc([{"ex": "http://example.org/"}, ref]),
    "property-scoped": lambda ref: doc({"knows": {"@id": "http://example.org/k", "@context": ref}}),
    "type-scoped": lambda ref: doc({"Person": {"@id": "http://example.org/P", "@context": ref}}),
    "import": lambda ref: doc({"@import": ref}),
    "nested-node": lambda ref: {"@id": "http://example.org/a",
                                "http://example.org/p": {"@context": ref, "@id": "http://x/b"}},
}
#: How the context is named: ``listener`` URL, or the sentinel as file: URL / bare / absolute path.
REFERENCES = ["remote", "file-url", "bare-path", "absolute-path"]


def reference(kind: str, url: str, secret: Path, folder: Path) -> str:
    return {"remote": url, "file-url": secret.as_uri(),
            "bare-path": os.path.relpath(secret, folder), "absolute-path": str(secret)}[kind]


def hostile_jsonld(folder: Path, place: str, kind: str, url: str, secret: Path) -> Path:
    path = folder / "hostile.jsonld"
    path.write_text(json.dumps(CONTEXT_PLACES[place](reference(kind, url, secret, folder))))
    return path


def assert_nothing_fetched_or_read(requests: list[str], secret: Path) -> None:
    time.sleep(0.05)
    assert requests == []
    assert not opened(secret), "the sentinel context was opened"


@pytest.mark.parametrize("kind", REFERENCES)
@pytest.mark.parametrize("place", CONTEXT_PLACES)
def test_jsonld_context_refused_by_parse_file(mini_project, listener, tmp_path, place, kind):
    url, requests = listener
    secret = mini_project.data_dir / "secret-context.jsonld"
    secret.write_text(json.dumps({"@context": {"name": NAME}}))
    path = hostile_jsonld(mini_project.data_dir, place, kind, url, secret)
    OPENED.clear()
    with pytest.raises(InputError, match="refused to load the JSON-LD context") as info:
        parse_file(mini_project, path)
    assert "--allow-remote" in str(info.value)
    assert_nothing_fetched_or_read(requests, secret)


@pytest.mark.parametrize("kind", REFERENCES)
@pytest.mark.parametrize("place", CONTEXT_PLACES)
def test_jsonld_context_refused_by_cli_validate(mini_project, listener, tmp_path, sentinel, place,
                                                kind):
    url, requests = listener
    path = hostile_jsonld(tmp_path, place, kind, url, sentinel)  # next to the sentinel
    OPENED.clear()
    code, out, err = invoke("--project", str(mini_project.root), "validate", str(path))
    assert code == 2, err
    assert "refused to load the JSON-LD context" in err and "Traceback" not in err
    assert SECRET not in out + err
    assert_nothing_fetched_or_read(requests, sentinel)


@pytest.mark.parametrize("kind", REFERENCES)
@pytest.mark.parametrize("place", ["context", "import", "type-scoped"])
def test_jsonld_context_refused_by_cli_build(mini_project, listener, sentinel, place, kind):
    url, requests = listener
    secret = sentinel  # outside the project's folders (build would load it from data/)
    hostile_jsonld(mini_project.data_dir, place, kind, url, secret)
    OPENED.clear()
    code, out, err = invoke("--project", str(mini_project.root), "--store",
                            str(mini_project.store_path), "build")
    assert code == 2, err
    assert "hostile.jsonld" in err and "refused to load the JSON-LD context" in err
    assert SECRET not in out + err
    assert_nothing_fetched_or_read(requests, secret)
    assert not mini_project.store_path.exists()  # nothing swapped in


def test_jsonld_remote_context_in_the_real_project_build(project, listener):
    url, requests = listener
    (project.data_dir / "hostile.jsonld").write_text(json.dumps(doc({"@import": url})))
    code, _, err = invoke("--project", str(project.root), "--store", str(project.store_path),
                          "--quiet", "build")
    assert code == 2 and "data/hostile.jsonld" in err
    assert requests == []


def test_allow_remote_does_fetch_and_read(mini_project, listener, sentinel, tmp_path):
    # Positive controls: the listener and the audit hook see a fetch and a read when allowed.
    url, requests = listener
    remote = hostile_jsonld(tmp_path, "array", "remote", url, sentinel)
    code, _, err = invoke("--project", str(mini_project.root), "--allow-remote", "validate",
                          str(remote))
    assert code in (0, 1), err
    assert requests == ["/context.jsonld"]
    local = hostile_jsonld(tmp_path, "import", "file-url", url, sentinel)
    OPENED.clear()
    quads = parse_file(mini_project, local, allow_remote=True)
    assert [q.predicate.value for q in quads] == [NAME]
    assert opened(sentinel)


def test_secret_context_never_shows_in_messages(mini_project, tmp_path):
    # Even when reading is allowed, a file that is no context never has its content quoted.
    secret = tmp_path / "id_rsa"
    secret.write_text(f"-----BEGIN KEY----- {SECRET} -----END KEY-----\n")
    path = hostile_jsonld(tmp_path, "context", "file-url", "", secret)
    for flags in ([], ["--allow-remote"]):
        code, out, err = invoke("--project", str(mini_project.root), *flags, "validate", str(path))
        assert code == 2, err
        assert SECRET not in out + err and "BEGIN KEY" not in out + err


# --------------------------------------------------------------------------- nesting

def nested_objects(depth: int) -> str:
    return '{"@id": "http://example.org/a", "http://example.org/p": ' * depth + '"x"' + "}" * depth


@pytest.mark.parametrize("text", [nested_objects(10_000),
                                  '{"http://example.org/p": ' + "[" * 10_000 + "]" * 10_000 + "}",
                                  nested_objects(150)])
def test_deep_jsonld_is_refused_and_the_process_lives(mini_project, tmp_path, text):
    path = tmp_path / "deep.jsonld"
    path.write_text(text)
    with pytest.raises(InputError, match="nested more than 100 levels"):
        parse_file(mini_project, path)
    code, _, err = invoke("--project", str(mini_project.root), "validate", str(path))
    assert code == 2 and "nested more than 100 levels" in err and "Traceback" not in err


def test_deep_jsonld_in_a_child_process_exits_2(mini_project, tmp_path):
    # Unguarded, pyoxigraph's JSON-LD parser overflows its stack on this and kills the process.
    path = tmp_path / "deep.jsonld"
    path.write_text(nested_objects(10_000))
    done = subprocess.run([sys.executable, "-m", "hrgraph", "--project", str(mini_project.root),
                           "validate", str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "nested more than" in done.stderr


def test_moderate_jsonld_nesting_still_loads(mini_project, tmp_path):
    path = tmp_path / "ok.jsonld"
    path.write_text(nested_objects(40))
    assert len(parse_file(mini_project, path)) == 40


def test_deep_rdfxml_is_refused_quickly(mini_project, tmp_path):
    # Unguarded, pyoxigraph needs about 50 s for these 1.5 MB (time quadratic in the depth).
    depth = 30_000
    path = tmp_path / "deep.rdf"
    path.write_text('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                    'xmlns:e="http://e/">' + '<rdf:Description rdf:about="http://e/a"><e:p>' * depth
                    + "x" + "</e:p></rdf:Description>" * depth + "</rdf:RDF>")
    started = time.monotonic()
    code, _, err = invoke("--project", str(mini_project.root), "validate", str(path))
    assert code == 2 and "XML nested more than 100 levels" in err
    assert time.monotonic() - started < 10


# --------------------------------------------------------------------------- RDF/XML entities

RDF_BODY = """<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:owl="http://www.w3.org/2002/07/owl#" xmlns:ex="http://example.org/">
  <owl:Class rdf:about="&ex;Thing"><ex:note>&ex;</ex:note></owl:Class>
</rdf:RDF>
"""


def rdfxml(folder: Path, doctype: str, body: str = RDF_BODY) -> Path:
    path = folder / "doc.rdf"
    path.write_text('<?xml version="1.0"?>\n' + doctype + "\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(("doctype", "message"), [
    ('<!DOCTYPE rdf:RDF SYSTEM "file:///etc/hostname">', "external DTD"),
    ('<!DOCTYPE rdf:RDF SYSTEM "{url}">', "external DTD"),
    ('<!DOCTYPE rdf:RDF PUBLIC "-//W3C//DTD X//EN" "{url}">', "external DTD"),
    ('<!DOCTYPE rdf:RDF [ <!ENTITY ex SYSTEM "file:///etc/hostname"> ]>', "not a plain internal"),
    ('<!DOCTYPE rdf:RDF [ <!ENTITY ex SYSTEM "{url}"> ]>', "not a plain internal"),
    ('<!DOCTYPE rdf:RDF [ <!ENTITY % pe SYSTEM "{url}"> %pe; <!ENTITY ex "http://e/"> ]>',
     "parameter entity"),
    ('<!DOCTYPE rdf:RDF [ <!ENTITY % pe "<!ENTITY ex \'http://e/\'>"> %pe; ]>',
     "parameter entity"),
])
def test_rdfxml_external_entities_are_refused_unread(mini_project, tmp_path, tcp, doctype, message):
    path = rdfxml(tmp_path, doctype.replace("{url}", tcp.url))
    OPENED.clear()
    code, out, err = invoke("--project", str(mini_project.root), "validate", str(path))
    assert code == 2 and message in err, err
    assert not opened(Path("/etc/hostname"))
    assert tcp.settled() == 0
    if Path("/etc/hostname").is_file():
        content = Path("/etc/hostname").read_text().strip()
        assert not content or content not in out + err.replace(str(path), "")


def billion_laughs(levels: int = 9) -> str:
    entities = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels + 1)]
    return ("<!DOCTYPE rdf:RDF [\n<!ENTITY ex \"http://example.org/\">\n" + "\n".join(entities)
            + "\n]>")


def test_billion_laughs_is_refused_and_the_process_survives(mini_project, tmp_path):
    path = rdfxml(tmp_path, billion_laughs(), RDF_BODY.replace("<ex:note>&ex;", "<ex:note>&l9;"))
    done = subprocess.run([sys.executable, "-m", "hrgraph", "--project", str(mini_project.root),
                           "validate", str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, (done.returncode, done.stderr)  # not -6 / -9: not killed
    assert "refused: entities nested more than 2 levels deep" in done.stderr


def test_ontology_editor_entities_still_load(mini_project, tmp_path):
    path = rdfxml(tmp_path, '<!DOCTYPE rdf:RDF [\n  <!ENTITY owl "http://www.w3.org/2002/07/owl#">\n'
                            '  <!ENTITY ex "http://example.org/">\n'
                            '  <!ENTITY xsd "http://www.w3.org/2001/XMLSchema#">\n]>')
    quads = parse_file(mini_project, path)
    assert {q.subject.value for q in quads} == {"http://example.org/Thing"}
    code, _, err = invoke("--project", str(mini_project.root), "validate", str(path))
    assert code in (0, 1), err


# --------------------------------------------------------------------------- SPARQL SERVICE

SERVICE_QUERIES = {
    "plain": "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } }",
    "variable": "SELECT * WHERE { BIND(<{url}> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "sub-query": "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{url}> { ?s ?p ?o } } } }",
    "optional": "SELECT * WHERE { ?a ?b ?c OPTIONAL { SERVICE <{url}> { ?a ?p ?o } } } LIMIT 1",
    "filter-exists": "ASK { ?s ?p ?o FILTER EXISTS { SERVICE <{url}> { ?s ?p ?o } } }",
}


@pytest.mark.parametrize("where", SERVICE_QUERIES)
def test_service_in_a_query_file_is_refused(built_project, tcp, tmp_path, where):
    path = tmp_path / "my.rq"
    path.write_text(SERVICE_QUERIES[where].replace("{url}", tcp.url))
    code, _, err = invoke("--project", str(built_project.root), "--store",
                          str(built_project.store_path), "query", str(path))
    assert code == 2 and "SERVICE" in err, err
    with pytest.raises(InputError, match="SERVICE"):
        run_query(built_project, path.read_text())
    assert tcp.settled() == 0


def test_service_is_sent_with_allow_service(built_project, tcp, tmp_path):
    # Positive control: the listener sees pyoxigraph's request when SERVICE is allowed.
    path = tmp_path / "my.rq"
    path.write_text(SERVICE_QUERIES["plain"].replace("{url}", tcp.url))
    code, _, err = invoke("--project", str(built_project.root), "--store",
                          str(built_project.store_path), "query", str(path), "--allow-service",
                          "--timeout", "20")
    assert tcp.settled() >= 1, (code, err)


def saved_query(tmp_path: Path, name: str, kind: str, body: str) -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text(f"#+ summary: test\n#+ params:\n#+   value:\n#+     type: {kind}\n"
                    "#+     required: true\n"
                    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" + body)
    return path


def test_iri_parameter_never_becomes_service(built_project, tcp, tmp_path):
    path = saved_query(tmp_path, "by-iri", "iri",
                       "SELECT ?label WHERE { ?value skos:prefLabel ?label }")
    assert len(run_saved(built_project, str(path), {"value": VIASNA})) == 3
    assert len(run_saved(built_project, str(path), {"value": tcp.url})) == 0
    service = saved_query(tmp_path, "by-service", "iri",
                          "SELECT * WHERE { SERVICE ?value { ?s ?p ?o } }")
    with pytest.raises(InputError, match="SERVICE"):
        run_saved(built_project, str(service), {"value": tcp.url})
    code, _, err = invoke("--project", str(built_project.root), "--store",
                          str(built_project.store_path), "query", str(service), "--param",
                          f"value={tcp.url}")
    assert code == 2 and "SERVICE" in err
    assert tcp.settled() == 0


def test_string_parameter_with_service_text_is_inert(built_project, tcp, tmp_path):
    path = saved_query(tmp_path, "by-name", "string",
                       "SELECT ?s WHERE { ?s skos:prefLabel ?l FILTER(STR(?l) = ?value) }")
    hostile = f'x" }} SERVICE <{tcp.url}> {{ ?s ?p ?o }} #'
    assert len(run_saved(built_project, str(path), {"value": hostile})) == 0
    assert len(run_saved(built_project, str(path), {"value": VIASNA_EN})) == 1
    assert tcp.settled() == 0


@pytest.mark.parametrize("sparql", [
    "LOAD <{url}>",
    "LOAD SILENT <{url}> INTO GRAPH <https://w3id.org/hrgraph/graph/data/x>",
    "LOAD <file:///etc/hostname>",
])
def test_load_is_refused(built_project, tcp, tmp_path, sparql):
    path = tmp_path / "load.rq"
    path.write_text(sparql.replace("{url}", tcp.url))
    OPENED.clear()
    code, _, err = invoke("--project", str(built_project.root), "--store",
                          str(built_project.store_path), "query", str(path))
    assert code == 2 and "update (LOAD)" in err, err
    assert tcp.settled() == 0 and not opened(Path("/etc/hostname"))


def test_from_and_from_named_never_fetch(built_project, tcp):
    graph = "https://w3id.org/hrgraph/graph/data/actors/organisations"
    for sparql in [f"SELECT (COUNT(*) AS ?n) FROM <{tcp.url}> WHERE {{ ?s ?p ?o }}",
                   f"SELECT (COUNT(*) AS ?n) FROM NAMED <{tcp.url}> "
                   "WHERE { GRAPH ?g { ?s ?p ?o } }",
                   f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{tcp.url}> {{ ?s ?p ?o }} }}"]:
        run_query(built_project, sparql)
    # Naming the project's own graphs keeps working.
    own = run_query(built_project, f"SELECT ?s FROM <{graph}> WHERE {{ <{VIASNA}> ?p ?o }}")
    assert len(own) > 0
    named = run_query(built_project, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{graph}> "
                                     "WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert int(named.rows[0]["n"].value) > 0
    assert tcp.settled() == 0


def test_service_in_contributed_shapes_is_refused(mini_project, tcp):
    (mini_project.shapes_dir / "contributed.ttl").write_text(f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix hrg: <https://w3id.org/hrgraph/ontology#> .
<https://w3id.org/hrgraph/shapes/Evil> a sh:NodeShape ; sh:targetClass hrg:Demand ;
    sh:sparql [ sh:message "x" ;
                sh:select "SELECT $this WHERE {{ SERVICE <{tcp.url}> {{ $this ?p ?o }} }}" ] .
""")
    code, _, err = invoke("--project", str(mini_project.root), "--store",
                          str(mini_project.store_path), "build")
    assert code == 2 and "SHACL-SPARQL" in err and "SERVICE" in err, err
    assert tcp.settled() == 0


# --------------------------------------------------------------------------- injection

@pytest.fixture
def query_project(built_project, tmp_path) -> Project:
    """The built store, with a project copy that has one more saved query (string parameter)."""
    project = copy_project(REPO, tmp_path / "q")
    project = Project.open(project.root, store=built_project.store_path)
    saved_query(project.queries_dir, "org-by-name", "string",
                "SELECT ?s WHERE { ?s skos:prefLabel ?l FILTER(STR(?l) = ?value) }")
    return project


def test_injection_is_inert_on_every_path(query_project):
    root, store = str(query_project.root), str(query_project.store_path)
    harmless = run_saved(query_project, "org-by-name", {"value": "Nobody at all"})
    hostile = run_saved(query_project, "org-by-name", {"value": INJECTION})
    assert harmless.rows == hostile.rows == []
    assert [r["s"].value for r in run_saved(query_project, "org-by-name",
                                            {"value": VIASNA_EN}).rows] == [VIASNA]
    assert query_project.query("org-by-name", value=INJECTION).rows == []
    code, out, err = invoke("--project", root, "--store", store, "query", "org-by-name",
                            "--param", f"value={INJECTION}", "--format", "csv")
    assert code == 0, err
    assert out == "s\n"  # the header only: no extra rows


@pytest.mark.parametrize("value", [VIASNA + "> } UNION { ?s ?p ?o } #", "http://x/a> <http://x/b"])
def test_iri_parameter_with_a_closing_bracket_is_a_usage_error(query_project, value):
    code, _, err = invoke("--project", str(query_project.root), "--store",
                          str(query_project.store_path), "query", "demands-by-actor", "--param",
                          f"actor={value}")
    assert code == 2 and "parameter 'actor'" in err
    with pytest.raises(UsageError):
        query_project.query("demands-by-actor", actor=value)


# --------------------------------------------------------------------------- resource limits

def test_file_over_the_configured_limit_is_refused_unread(mini_project, tmp_path):
    (mini_project.root / "hrgraph.toml").write_text("[load]\nmax_bytes = 1000\n")
    path = mini_project.data_dir / "big.ttl"
    path.write_text("<http://e/a> <http://e/p> " + '"' + "x" * 2000 + '" .\n')
    OPENED.clear()
    code, _, err = invoke("--project", str(mini_project.root), "validate", str(path))
    assert code == 2 and "more than the limit of 1,000" in err
    assert not opened(path)
    code, _, err = invoke("--project", str(mini_project.root), "--store",
                          str(mini_project.store_path), "build")
    assert code == 2 and "data/big.ttl" in err


def test_file_over_the_default_limit_is_refused_unread(mini_project, tmp_path):
    path = tmp_path / "huge.ttl"
    with path.open("wb") as f:  # sparse: 101 MB on paper, nothing on disk
        f.truncate(101 * 1024 * 1024)
    OPENED.clear()
    code, _, err = invoke("--project", str(mini_project.root), "validate", str(path))
    assert code == 2 and "more than the limit of 104,857,600" in err
    assert not opened(path)


def test_contribution_over_its_limit_is_refused(built_project, tmp_path):
    path = tmp_path / "big.ttl"
    path.write_text("<http://e/a> <http://e/p> " + '"' + "x" * 5000 + '" .\n')
    code, _, err = invoke("--project", str(built_project.root), "--store",
                          str(built_project.store_path), "add", "--dry-run", "--max-bytes", "1000",
                          str(path))
    assert code == 2 and "more than the limit" in err


SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")


def test_query_time_limit_on_the_cli(built_project, tmp_path):
    path = tmp_path / "slow.rq"
    path.write_text(SLOW)
    started = time.monotonic()
    code, _, err = invoke("--project", str(built_project.root), "--store",
                          str(built_project.store_path), "query", str(path), "--timeout", "1")
    assert code == 3 and "longer than 1 seconds" in err
    assert time.monotonic() - started < 15


def test_query_time_and_row_limits_in_the_python_api(query_project, monkeypatch):
    (query_project.queries_dir / "slow.rq").write_text("#+ summary: slow\n" + SLOW)
    (query_project.queries_dir / "everything.rq").write_text(
        "#+ summary: all\nSELECT * WHERE { ?s ?p ?o }")
    monkeypatch.setattr(queries, "DEFAULT_TIMEOUT", 1.0)
    monkeypatch.setattr(queries, "DEFAULT_LIMIT", 7)
    with pytest.raises(QueryTimeout):
        query_project.query("slow")
    rows = query_project.query("everything")
    assert len(rows) == 7 and rows.result.truncated
    with pytest.raises(QueryTimeout):
        run_query(query_project, SLOW, timeout=1)


def test_row_limit_on_the_cli(built_project, tmp_path):
    path = tmp_path / "all.rq"
    path.write_text("SELECT * WHERE { ?s ?p ?o }")
    code, out, err = invoke("--project", str(built_project.root), "--store",
                            str(built_project.store_path), "query", str(path), "--limit", "5",
                            "--format", "csv")
    assert code == 0 and len(out.splitlines()) == 6
    assert "Only the first 5 rows" in err


# --------------------------------------------------------------------------- what errors say

def test_syntax_error_quotes_a_short_excerpt_only(mini_project, tmp_path):
    tail = "TAIL-OF-THE-SECRET"
    path = tmp_path / "bad.ttl"
    path.write_text('@prefix ex: <http://example.org/> .\n'
                    f'ex:a ex:p "{SECRET}{"s" * 5000}{tail}" ex:q .\n')
    code, _, err = invoke("--project", str(mini_project.root), "validate", str(path))
    message = err.strip().replace(str(path), "FILE")
    assert code == 2 and ":2:" in err
    assert len(message) <= 200 and tail not in err


def test_error_messages_escape_terminal_controls(mini_project, tmp_path):
    path = tmp_path / "esc.ttl"
    path.write_text("@prefix ex: <http://example.org/> .\n"
                    "ex:a ex:p <http://e/\x1b[31mRED\x1b]0;title\x07\u202e> .\n")
    code, _, err = invoke("--project", str(mini_project.root), "validate", str(path))
    assert code == 2
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err
    assert "\\x1b" in err


# --------------------------------------------------------------------------- output

def test_csv_neutralises_a_planted_formula_label(mini_project, tmp_path):
    formula = '=HYPERLINK("http://x")'
    (mini_project.data_dir / "planted.ttl").write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        f"<{ID}person/planted> skos:prefLabel {json.dumps(formula)}@en , \"+1+2\"@en , \"-3\" .\n")
    build(mini_project)
    path = tmp_path / "labels.rq"
    path.write_text("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                    f"SELECT ?l WHERE {{ <{ID}person/planted> skos:prefLabel ?l }} ORDER BY ?l")
    code, out, err = invoke("--project", str(mini_project.root), "--store",
                            str(mini_project.store_path), "query", str(path), "--format", "csv")
    assert code == 0, err
    cells = out.splitlines()[1:]
    assert "'" + formula.replace('"', '""') in " ".join(cells)
    assert all(not c.lstrip('"').startswith(("=", "+", "@")) for c in cells)
    assert "-3" in cells  # a plain number stays a number


# --------------------------------------------------------------------------- no_network()

def test_no_network_refuses_python_fetches_and_reads(mini_project, listener, sentinel):
    import urllib.request

    url, requests = listener
    with guard.no_network([mini_project.root]):
        with pytest.raises(guard.NetworkRefused):
            urllib.request.urlopen(url, timeout=5)
        with pytest.raises(guard.NetworkRefused):
            sentinel.read_text()
        assert (mini_project.data_dir / "demands.ttl").read_text()  # allowed
    assert requests == []
    assert SECRET in sentinel.read_text()  # outside, nothing is refused
    # parse_file runs pyoxigraph inside it and still works
    assert parse_file(mini_project, mini_project.data_dir / "demands.ttl")


# --------------------------------------------------------------------------- the web server

@pytest.fixture(scope="module")
def client(built_project):
    from starlette.testclient import TestClient

    from hrgraph.web import create_app

    return TestClient(create_app(built_project))


def test_web_sparql_service_is_refused(client, tcp):
    for where in ("plain", "variable", "filter-exists"):
        response = client.get("/sparql", params={"query": SERVICE_QUERIES[where].replace(
            "{url}", tcp.url)})
        assert response.status_code == 403 and "SERVICE" in response.text
    response = client.post("/sparql", data={"update": f"LOAD <{tcp.url}>"})
    assert response.status_code == 403
    assert tcp.settled() == 0


def test_web_upload_with_a_remote_context_is_refused(client, listener, sentinel):
    url, requests = listener
    for ref in (url, sentinel.as_uri()):
        body = json.dumps(doc({"@import": ref}))
        OPENED.clear()
        response = client.post("/validate", files={"file": ("x.jsonld", body)})
        assert response.status_code == 400
        assert "refused to load the JSON-LD context" in response.text
        assert SECRET not in response.text
        assert_nothing_fetched_or_read(requests, sentinel)


def test_web_api_iri_parameter_is_a_term(client, tcp):
    response = client.get("/api/queries/demands-by-actor", params={"actor": tcp.url})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []
    response = client.get("/api/queries/demands-by-actor", params={"actor": VIASNA + "> }"})
    assert response.status_code == 400
    assert tcp.settled() == 0
