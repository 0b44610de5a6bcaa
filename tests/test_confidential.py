"""Confidential means confidential on every path, by construction (issue 14, item 4).

Two kinds of confidential data are planted in a copy of the built real project, each with unique
canary names:

* a data file (``data/actors/canary-confidential.ttl``) marking a person ``hrg:confidential
  true``, with what hangs off her (a blank node, an IRI below hers, a role claim, a demand about
  her alone with its quote and selector, a refinement selector whose words are her name) and
  links to her from public resources;
* a contribution merged with ``hrgraph add --confidential`` (no mark in the file) introducing a
  person, linking a public demand to him, with a contributor name and a message; a public data
  file refers to his IRI before he is added.

``build`` (incrementally) and ``add`` put every triple of or about them, and what it entails,
into private graphs; then no output of any reader holds a canary: export in every format and
graph, release, push to a real Oxigraph server, ad hoc and saved queries on the command line,
stats, the query docs, and the web app (SPARQL, saved-query API, entity pages, search, lists,
dashboard, network). The positive controls show the canaries where the organisation asks for
them (``--include-confidential``), so the tests can fail.
"""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from conftest import copy_project, running_oxigraph
from hrgraph import contribute, privacy, querydocs, rebuild
from hrgraph import export as exports
from hrgraph import store as stores
from hrgraph.build import build
from hrgraph.cli import main
from hrgraph.project import Project
from hrgraph.query import list_queries

ID = "https://w3id.org/hrgraph/id/"
GRAPH = "https://w3id.org/hrgraph/graph/"
DATA_PERSON = ID + "person/canary-data-person"
CONTRIB_PERSON = ID + "person/canary-contrib-person"
ONLY_DEMAND = ID + "demand/canary-data-only-demand"
PUBLIC_DEMAND = ID + "demand/concerted-position-2016-c1-1"
DATA_FILE = Path("data/actors/canary-confidential.ttl")

PREFIXES = """\
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix hrg: <https://w3id.org/hrgraph/ontology#> .
@prefix person: <https://w3id.org/hrgraph/id/person/> .
@prefix organisation: <https://w3id.org/hrgraph/id/organisation/> .
@prefix demand: <https://w3id.org/hrgraph/id/demand/> .
@prefix document: <https://w3id.org/hrgraph/id/document/> .
@prefix quote: <https://w3id.org/hrgraph/id/quote/> .
@prefix roleclaim: <https://w3id.org/hrgraph/id/role-claim/> .
@prefix role: <https://w3id.org/hrgraph/vocab/role/> .
@prefix action: <https://w3id.org/hrgraph/vocab/action-type/> .
@prefix topic: <https://w3id.org/hrgraph/vocab/topic/> .
@prefix publication: <https://w3id.org/hrgraph/id/publication/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

#: The data-file kind: a marked person and everything of or about her.
CONFIDENTIAL_FILE = PREFIXES + """
person:canary-data-person a foaf:Person ;
    hrg:confidential true ;
    skos:prefLabel "Ulyana Canarydata-Zorkaya"@en ;
    skos:prefLabel "Ульяна Канарейка-Зоркая"@ru ;
    skos:altLabel "U. Canarydata"@en ;
    skos:definition "A fictional person at risk, for the canary tests."@en ;
    dcterms:source <https://spring96.org/en/news/82549> ;
    dcterms:relation [ dcterms:title "Canarydata note in a blank node" ] .

<https://w3id.org/hrgraph/id/person/canary-data-person/photo>
    dcterms:title "Canarydata photo, named below her IRI"@en .

roleclaim:canary-data-person-journalist a hrg:RoleClaim ;
    hrg:holder person:canary-data-person ;
    hrg:role role:journalist ;
    hrg:attestedIn document:concerted-position-2016 ;
    hrg:asOf "2016-02"^^xsd:gYearMonth ;
    skos:note "Canarydata role claim"@en .

demand:canary-data-only-demand a hrg:Demand ;
    skos:prefLabel "Close the criminal case against Ulyana Canarydata-Zorkaya"@en ;
    hrg:madeIn document:concerted-position-2016 ;
    hrg:actionType action:close-criminal-case ;
    hrg:addressee organisation:european-union ;
    hrg:actorAskedToAct organisation:belarusian-authorities ;
    hrg:topic topic:politically-motivated-prosecution ;
    hrg:concernsPerson person:canary-data-person ;
    hrg:quote "Close the criminal case against Ulyana Canarydata-Zorkaya"@en ;
    hrg:quotedFrom quote:canary-data-only-demand .

quote:canary-data-only-demand a oa:SpecificResource ;
    oa:hasSource publication:concerted-position-2016-hrhf ;
    oa:hasSelector quote:canary-data-only-demand-selector .

quote:canary-data-only-demand-selector a oa:TextQuoteSelector ;
    oa:exact "Close the criminal case against Ulyana Canarydata-Zorkaya" .

# Public resources pointing at her: these triples are about her.
demand:concerted-position-2016-c1-1 hrg:concernsPerson person:canary-data-person .
"""

#: Added to the public data/actors/organisations.ttl: the IRI of the person the confidential
#: contribution introduces later (his name is in the IRI).
PUBLIC_REFERENCE = """
<https://w3id.org/hrgraph/id/organisation/viasna>
    <http://xmlns.com/foaf/0.1/knows> <https://w3id.org/hrgraph/id/person/canary-contrib-person> .
"""

#: The contribution kind: merged with `add --confidential`, no mark in the file.
CONFIDENTIAL_CONTRIBUTION = PREFIXES + """
person:canary-contrib-person a foaf:Person ;
    skos:prefLabel "Hleb Canarycontrib-Tsikhi"@en ;
    skos:prefLabel "Глеб Канарэйка-Ціхі"@be ;
    skos:altLabel "H. Canarycontrib"@en ;
    skos:definition "A fictional person at risk, contributed confidentially (canary test)."@en .

demand:concerted-position-2016-c1-1-1 hrg:concernsPerson person:canary-contrib-person .
"""

#: Canary fragments: the Latin names and IRIs, the Cyrillic names, and those as JSON escapes.
SECRETS = ("canary", "анар", "\\u0430\\u043d\\u0430\\u0440")


def leaks(output: str | bytes) -> list[str]:
    """The canary fragments in ``output`` (empty: nothing confidential)."""
    text = output.decode("utf-8", "replace") if isinstance(output, bytes) else output
    folded = text.casefold()
    return [s for s in SECRETS if s in folded]


def shows_both(output: str | bytes) -> bool:
    """Both kinds of canary are in ``output`` (the positive controls)."""
    text = (output.decode("utf-8", "replace") if isinstance(output, bytes) else output)
    return "Canarydata-Zorkaya" in text and "Canarycontrib-Tsikhi" in text


def invoke(project: Project, *args: str):
    return CliRunner().invoke(main, ["--project", str(project.root), "--store",
                                     str(project.store_path), "--quiet", *args])


def copy_of(project: Project, target: Path) -> Project:
    shutil.copytree(project.root, target, symlinks=True)
    return Project.open(target, store=target / "store")


# --------------------------------------------------------------------------- the project


@pytest.fixture(scope="module")
def secret(built_project: Project, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The built real project with both kinds of confidential data: the data file built
    incrementally, then the contribution merged with `hrgraph add --confidential`."""
    project = copy_of(built_project, tmp_path_factory.mktemp("confidential") / "project")
    (project.root / DATA_FILE).write_text(CONFIDENTIAL_FILE, encoding="utf-8")
    with (project.data_dir / "actors" / "organisations.ttl").open("a", encoding="utf-8") as f:
        f.write(PUBLIC_REFERENCE)
    said: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rebuild, "MAX_CHANGED_SHARE", 1.0)
        build(project, progress=said.append)
    assert any(s.startswith("rebuilding 2 changed files") for s in said), said
    contribution = project.root.parent / "canary-contribution.ttl"
    contribution.write_text(CONFIDENTIAL_CONTRIBUTION, encoding="utf-8")
    result = invoke(project, "add", "--confidential", "--contributor", "Canarycontrib Witness",
                    "--message", "canarycontrib: from a source at risk", str(contribution))
    assert result.exit_code == 0, result.output
    return project


@pytest.fixture(scope="module")
def store(secret: Project) -> ox.Store:
    return stores.open_store(secret, read_only=True)


def test_both_kinds_live_in_private_graphs_only(secret: Project, store: ox.Store) -> None:
    public, _ = privacy.asserted_graphs(secret, store)
    by_graph: dict[str, list[str]] = {}
    for quad in store:
        if leaks(str(quad)):
            by_graph.setdefault(quad.graph_name.value, []).append(str(quad))
    assert by_graph, "the canaries are in the store"
    assert all(secret.is_private(g) for g in by_graph), sorted(by_graph)
    names = {g.removeprefix(GRAPH) for g in by_graph}
    assert {"private/data/actors/canary-confidential", "private/inferred",
            "private/data/actors/organisations"} <= names  # the link to the contributed IRI
    assert any(n.startswith("private/contributions/") for n in names)
    # what "about" covers: the blank node, the IRI below, the role claim, the demand about her
    # alone with its quote and selector, the words naming her, the links from public resources
    twin = ox.NamedNode(GRAPH + "private/data/actors/canary-confidential")
    subjects = {str(q.subject) for q in store.quads_for_pattern(None, None, None, twin)}
    for iri in (DATA_PERSON + "/photo", ID + "role-claim/canary-data-person-journalist",
                ONLY_DEMAND, ID + "quote/canary-data-only-demand",
                ID + "quote/canary-data-only-demand-selector", PUBLIC_DEMAND):
        assert f"<{iri}>" in subjects, iri
    assert any(s.startswith("_:") for s in subjects)
    # the public demand itself stays public, without the link
    assert any(q.graph_name in public for q in store.quads_for_pattern(
        ox.NamedNode(PUBLIC_DEMAND), None, None))


def test_public_graphs_are_those_of_the_project_without_the_secrets(
        secret: Project, store: ox.Store, built_project: Project) -> None:
    """Byte for byte, in every format, with the inferred graph: nothing of either kind (nor
    anything inferred from it) is left in what is public."""
    plain = stores.open_store(built_project, read_only=True)
    for fmt in exports.FORMATS:
        mine = exports.export(secret, store, fmt, include_inferred=True).data
        assert mine == exports.export(built_project, plain, fmt, include_inferred=True).data, fmt


# --------------------------------------------------------------------------- export, release


def test_cli_export_in_every_format_and_graph_shows_no_canary(secret: Project,
                                                              store: ox.Store) -> None:
    for fmt in exports.FORMATS:
        for extra in ([], ["--include-inferred"],
                      ["--graph", "data", "--graph", "ontology", "--graph", "shapes",
                       "--include-inferred"], ["--graph", GRAPH, "--include-inferred"],
                      ["--named-graphs", "--include-inferred"] if fmt == "jsonld" else []):
            result = invoke(secret, "export", "--format", fmt, *extra)
            assert result.exit_code == 0, result.output
            assert not leaks(result.stdout), (fmt, extra)
    public = [g for g in stores.graph_counts(store) if not secret.is_private(g)]
    assert secret.inferred_graph in public and len(public) > 20
    for graph in public:
        result = invoke(secret, "export", "--format", "nq", "--graph", graph,
                        "--include-inferred")
        assert result.exit_code == 0, result.output
        assert result.stdout and not leaks(result.stdout), graph


@pytest.mark.parametrize("name", [
    "private", "private/", GRAPH + "private", GRAPH + "private/inferred", "private/inferred",
    GRAPH + "private/data/actors/canary-confidential", "private/contributions",
])
def test_export_of_a_private_graph_is_refused_without_the_flag(secret: Project,
                                                               name: str) -> None:
    result = invoke(secret, "export", "--graph", name, "--include-inferred")
    assert result.exit_code == 2, result.output
    assert "--include-confidential" in result.stderr
    assert not leaks(result.stdout)


def test_export_with_include_confidential_shows_the_canaries(secret: Project) -> None:
    """The positive control: the organisation's own backup holds both kinds."""
    for fmt in ("nq", "jsonld"):
        result = invoke(secret, "export", "--format", fmt, "--include-inferred",
                        "--include-confidential")
        assert result.exit_code == 0 and shows_both(result.stdout), fmt
    private = invoke(secret, "export", "--format", "trig", "--graph", "private",
                     "--include-confidential")
    assert private.exit_code == 0 and shows_both(private.stdout)
    assert "canary-contrib-person" in invoke(secret, "export", "--graph", "private/inferred",
                                             "--include-inferred",
                                             "--include-confidential").stdout


def test_release_shows_no_canary(secret: Project, tmp_path: Path) -> None:
    result = invoke(secret, "release", "9.9.9", "-o", str(tmp_path / "9.9.9"),
                    "--date", "2026-12-01")
    assert result.exit_code == 0, result.output
    files = [p for p in (tmp_path / "9.9.9").rglob("*") if p.is_file()]
    assert len(files) > 8
    for path in files:
        assert not leaks(path.read_bytes()), path


# --------------------------------------------------------------------------- push


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server on 127.0.0.1 of its own; yields its base URL."""
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph-confidential")) as base:
        yield base


def test_push_to_oxigraph_sends_no_canary(secret: Project, oxigraph: str) -> None:
    result = invoke(secret, "push", f"{oxigraph}/store", "--replace")
    assert result.exit_code == 0, result.output
    everything = httpx.post(f"{oxigraph}/query", headers={
        "Content-Type": "application/sparql-query", "Accept": "text/csv"},
        content="SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", timeout=30)
    assert everything.is_success and everything.text.count("\n") > 3000
    assert not leaks(everything.text)
    graphs = httpx.post(f"{oxigraph}/query", headers={
        "Content-Type": "application/sparql-query", "Accept": "text/csv"},
        content="SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", timeout=30).text
    assert "/private/" not in graphs


def test_a_build_on_a_server_sends_no_canary(secret: Project, tmp_path: Path) -> None:
    """With HRGRAPH_ENDPOINT the build publishes the public graphs only; the confidential
    entries stay in the local store."""
    project = copy_of(secret, tmp_path / "project")
    with running_oxigraph(tmp_path / "server") as base:
        result = CliRunner().invoke(main, ["--project", str(project.root), "--store",
                                           str(project.store_path), "--quiet", "build"],
                                    env={"HRGRAPH_ENDPOINT": base})
        assert result.exit_code == 0, result.output
        assert "pushed" in result.output
        everything = httpx.post(f"{base}/query", headers={
            "Content-Type": "application/sparql-query", "Accept": "text/csv"},
            content="SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", timeout=30)
        assert everything.is_success and everything.text.count("\n") > 3000
        assert not leaks(everything.text) and "/private/" not in everything.text
    assert shows_both(stores.dump_nquads(stores.open_store(project, read_only=True)))


# --------------------------------------------------------------------------- queries


def ad_hoc_queries() -> list[str]:
    private = [GRAPH + "private/data/actors/canary-confidential", GRAPH + "private/inferred",
               GRAPH + "private/data/actors/organisations"]
    queries = ["SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
               "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
               f"DESCRIBE <{DATA_PERSON}> <{CONTRIB_PERSON}> <{ONLY_DEMAND}>",
               f"SELECT * WHERE {{ <{PUBLIC_DEMAND}> ?p ?o }}"]
    for graph in private:
        queries += [f"SELECT * FROM <{graph}> WHERE {{ ?s ?p ?o }}",
                    f"SELECT * FROM NAMED <{graph}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                    f"SELECT * WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"]
    return queries


def test_cli_ad_hoc_queries_show_no_canary(secret: Project, tmp_path: Path) -> None:
    for number, sparql in enumerate(ad_hoc_queries()):
        path = tmp_path / f"q{number}.rq"
        path.write_text(sparql, encoding="utf-8")
        result = invoke(secret, "query", str(path), "--format", "csv", "--limit", "100000")
        assert result.exit_code == 0, (sparql, result.output)
        assert not leaks(result.stdout), sparql


def test_cli_query_with_include_confidential_shows_the_canaries(secret: Project,
                                                               tmp_path: Path) -> None:
    """The positive control: the organisation's own checks see both kinds."""
    path = tmp_path / "all.rq"
    path.write_text("SELECT * WHERE { ?s ?p ?o }", encoding="utf-8")
    result = invoke(secret, "query", str(path), "--format", "csv", "--limit", "100000",
                    "--include-confidential")
    assert result.exit_code == 0 and shows_both(result.stdout)
    found = invoke(secret, "query", "find-by-name", "--param", "name=Canary",
                   "--include-confidential")
    assert shows_both(found.stdout)


def saved_runs(project: Project) -> list[tuple[str, list[str]]]:
    """Every saved query with its examples, with canary names for text parameters, and with a
    confidential IRI for IRI parameters."""
    runs = []
    for saved in list_queries(project):
        required = [f"{n}={p.example}" for n, p in saved.params.items()
                    if p.required and p.example is not None]
        runs.append((saved.name, required))
        for name, param in saved.params.items():
            others = [r for r in required if not r.startswith(name + "=")]
            if param.type == "string":
                runs += [(saved.name, [*others, f"{name}={text}"])
                         for text in ("Canary", "Канар", "Ulyana", "Hleb")]
            elif param.type == "iri":
                iri = ONLY_DEMAND if name == "demand" else DATA_PERSON
                runs += [(saved.name, [*others, f"{name}={iri}"]),
                         (saved.name, [*others, f"{name}={CONTRIB_PERSON}"])]
    return runs


def test_cli_saved_queries_show_no_canary(secret: Project) -> None:
    runs = saved_runs(secret)
    assert len(runs) > 60
    for name, params in runs:
        args = [a for p in params for a in ("--param", p)]
        result = invoke(secret, "query", name, *args, "--format", "json", "--limit", "100000")
        assert result.exit_code == 0, (name, params, result.output)
        assert not leaks(result.stdout), (name, params)


def test_stats_show_no_canary_and_count_nothing_confidential(secret: Project,
                                                             built_project: Project) -> None:
    for args in ([], ["--json"]):
        mine, plain = invoke(secret, "stats", *args), invoke(built_project, "stats", *args)
        assert mine.exit_code == 0 and not leaks(mine.stdout)
        assert "private" not in mine.stdout
        assert mine.stdout == plain.stdout  # the counts of a project without the secrets


def test_query_docs_show_no_canary(secret: Project) -> None:
    assert not leaks(querydocs.render(secret))


# --------------------------------------------------------------------------- the web app


@pytest.fixture(scope="module")
def web(secret: Project) -> Iterator[str]:
    from web_support import running_server

    with running_server(secret) as url:
        yield url


def test_web_sparql_shows_no_canary(web: str) -> None:
    for sparql in ad_hoc_queries():
        for method in ("GET", "POST"):
            if method == "GET":
                response = httpx.get(f"{web}/sparql", params={"query": sparql}, timeout=30,
                                     headers={"Accept": "application/sparql-results+json, "
                                                        "text/turtle"})
            else:
                response = httpx.post(f"{web}/sparql", content=sparql, timeout=30, headers={
                    "Content-Type": "application/sparql-query",
                    "Accept": "text/csv, application/n-triples"})
            assert response.status_code == 200, (sparql, response.text)
            assert not leaks(response.content), (method, sparql)
    description = httpx.get(f"{web}/sparql", headers={"Accept": "text/turtle"}, timeout=30)
    assert description.status_code == 200 and "/private/" not in description.text
    assert not leaks(description.text)


def test_web_saved_query_api_shows_no_canary(web: str, secret: Project) -> None:
    for text in ("Canary", "Canarydata", "Canarycontrib", "Канар", "Ulyana", "Hleb"):
        response = httpx.get(f"{web}/api/queries/find-by-name", params={"name": text},
                             timeout=30)
        assert response.status_code == 200
        assert response.json()["results"]["bindings"] == [], text
    for name, params in saved_runs(secret):
        query = {}
        for item in params:
            key, _, value = item.partition("=")
            query[key] = value
        response = httpx.get(f"{web}/api/queries/{name}", params=query, timeout=30)
        assert response.status_code == 200, (name, params, response.text)
        echoed = response.text
        for value in query.values():
            echoed = echoed.replace(value, "")
        assert not leaks(echoed), (name, params)


def test_web_pages_show_no_canary(web: str) -> None:
    for iri in (DATA_PERSON, CONTRIB_PERSON, ONLY_DEMAND, DATA_PERSON + "/photo",
                ID + "role-claim/canary-data-person-journalist",
                ID + "quote/canary-data-only-demand-selector"):
        stem = iri.removeprefix(ID)
        for suffix in ("", ".html", ".json", ".ttl", ".jsonld", ".rdf", ".nt"):
            response = httpx.get(f"{web}/id/{stem}{suffix}", timeout=30)
            assert response.status_code == 404, (stem, suffix)
            assert "Ulyana" not in response.text and "Hleb" not in response.text
    pages = ["/", "/index.json", "/demands", "/demands.json", "/dashboard", "/dashboard.json",
             "/network", "/network.json", "/query",
             "/query?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"]
    stem = PUBLIC_DEMAND.removeprefix(ID)
    pages += [f"/id/{stem}{suffix}" for suffix in (".html", ".json", ".ttl", ".jsonld", ".rdf",
                                                    ".nt")]
    pages += ["/id/person/aliaksandr-alesin.html", "/id/organisation/viasna.ttl",
              "/id/quote/concerted-position-2016-demand-c1-1-selector.ttl",
              f"/demands?document={ID}document/concerted-position-2016"]
    # the browsing lists, whole (issue 18 item 3), and a document's structure
    pages += [f"/{name}{suffix}?per_page=200" for name in ("documents", "people",
                                                           "organisations", "mechanisms",
                                                           "topics")
              for suffix in ("", ".json")]
    pages += ["/organisations?per_page=200&page=2",
              "/id/document/concerted-position-2016.html", "/index.json"]
    for page in pages:
        response = httpx.get(web + page, timeout=30)
        assert response.status_code == 200, page
        assert not leaks(response.content), page
    for text in ("Canary", "Канар", "Ulyana", "Hleb", "Zorkaya", "Tsikhi"):
        found = httpx.get(f"{web}/search.json", params={"q": text}, timeout=30).json()
        assert found["results"] == [], text
        page = httpx.get(f"{web}/search", params={"q": text}, timeout=30).text
        assert not leaks(page.replace(text, "")), text


def test_the_build_validates_the_public_graphs_and_the_file_validates_itself(
        secret: Project) -> None:
    """The build's report is that of the public graph (what is published is what is checked);
    `hrgraph validate FILE` checks the confidential file itself."""
    report = invoke(secret, "validate")
    assert report.exit_code == 0 and not leaks(report.stdout)
    own = invoke(secret, "validate", str(secret.root / DATA_FILE))
    assert own.exit_code == 0, own.output  # no violation: the data is valid on its own


def test_words_naming_a_confidential_person_are_private(secret: Project,
                                                        tmp_path: Path) -> None:
    """A refinement selector whose words are a confidential name goes private (the name rule);
    the public quote around it stays public, as text is out of scope, and `add` says so."""
    project = copy_of(secret, tmp_path / "project")
    words = PREFIXES + """
demand:concerted-position-2016-c1-1 skos:note "Ulyana  canarydata-ZORKAYA is named here"@en .
quote:concerted-position-2016-demand-c1-1-selector oa:refinedBy quote:test-name-words .
quote:test-name-words a oa:TextQuoteSelector ; oa:exact "ulyana canarydata-zorkaya" .
"""
    dry = contribute.add_contribution(project, write_to(tmp_path / "words.ttl", words),
                                      dry_run=True)
    assert any("demand/concerted-position-2016-c1-1 (skos:note) is public text holding a name "
               "of a confidential resource" in w for w in dry.name_warnings), dry.name_warnings
    assert not leaks("\n".join(dry.name_warnings))  # a public contribution is not told whose
    write_to(project.data_dir / "test-words.ttl", words)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rebuild, "MAX_CHANGED_SHARE", 1.0)
        build(project)
    store = stores.open_store(project, read_only=True)
    node = ox.NamedNode(ID + "quote/test-name-words")
    assert {q.graph_name.value for q in store.quads_for_pattern(node, None, None)} == {
        GRAPH + "private/data/test-words"}
    assert {q.graph_name.value for q in store.quads_for_pattern(None, None, node)} == {
        GRAPH + "private/data/test-words"}
    note = [q for q in store.quads_for_pattern(ox.NamedNode(PUBLIC_DEMAND), None, None)
            if q.predicate.value.endswith("#note")]
    assert [q.graph_name.value for q in note] == [GRAPH + "data/test-words"]  # text: public


def write_to(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- keeping it so


def graph_state(project: Project) -> dict[str, set]:
    """Every graph's triples (blank nodes as labels would differ: replaced by their triples'
    shape)."""
    store = stores.open_store(project, read_only=True)
    state: dict[str, set] = {}
    for quad in store:
        terms = tuple("_:" if isinstance(t, ox.BlankNode) else str(t)
                      for t in (quad.subject, quad.predicate, quad.object))
        state.setdefault(quad.graph_name.value, set()).add(terms)
    return state


def test_incremental_build_add_and_remove_equal_a_full_build(secret: Project,
                                                             tmp_path: Path) -> None:
    """The split of an incremental build and of `add` is the full build's; removing the
    confidential contribution gives back to the public what only it made private."""
    project = copy_of(secret, tmp_path / "project")
    incremental = graph_state(project)
    build(project, full=True)
    assert graph_state(project) == incremental
    [info] = [c for c in contribute.list_contributions(project) if c.confidential]
    contribute.remove_contribution(project, info.id)
    removed = graph_state(project)
    knows = (f"<{ID}organisation/viasna>", "<http://xmlns.com/foaf/0.1/knows>",
             f"<{CONTRIB_PERSON}>")
    assert knows in removed[GRAPH + "data/actors/organisations"]  # public again
    build(project, full=True)
    assert graph_state(project) == removed


def test_unmarking_makes_the_data_public_again(secret: Project, tmp_path: Path) -> None:
    project = copy_of(secret, tmp_path / "project")
    path = project.root / DATA_FILE
    path.write_text(path.read_text(encoding="utf-8").replace(
        "hrg:confidential true", "hrg:confidential false"), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rebuild, "MAX_CHANGED_SHARE", 1.0)
        build(project)
    after = graph_state(project)
    assert GRAPH + "private/data/actors/canary-confidential" not in after
    public = after[GRAPH + "data/actors/canary-confidential"]
    assert any("Canarydata-Zorkaya" in t[2] for t in public)
    build(project, full=True)
    assert graph_state(project) == after


def test_a_public_contribution_about_a_confidential_person_is_split(secret: Project,
                                                                   tmp_path: Path) -> None:
    project = copy_of(secret, tmp_path / "project")
    path = tmp_path / "public.ttl"
    path.write_text(PREFIXES + """
person:test-public-witness a foaf:Person ;
    skos:prefLabel "Nasta Publicznaja"@en ;
    skos:definition "A fictional public person."@en ;
    foaf:knows person:canary-data-person .
""", encoding="utf-8")
    result = contribute.add_contribution(project, path)
    assert result.merged and not result.confidential
    store = stores.open_store(project, read_only=True)
    twin = ox.NamedNode(project.private_graph(result.graph))
    assert [q.object.value for q in store.quads_for_pattern(None, None, None, twin)] == [
        DATA_PERSON]
    data = exports.export(project, store, "nq", include_inferred=True).data
    assert b"Nasta Publicznaja" in data and not leaks(data)
    del store
    contribute.remove_contribution(project, result.id)
    assert graph_state(project) == graph_state(secret)


def test_add_warns_of_a_confidential_name_in_public_text(built_copy: Project,
                                                        tmp_path: Path) -> None:
    """A name inside a public quote stays public (out of scope): `add` says where."""
    path = tmp_path / "alesin.ttl"
    path.write_text(PREFIXES + """
person:test-alesin-informant a foaf:Person ;
    skos:prefLabel "Aliaksandr Alesin"@en ;
    skos:definition "A namesake at risk, contributed confidentially."@en .
""", encoding="utf-8")
    result = contribute.add_contribution(built_copy, path, confidential=True, dry_run=True)
    text = result.to_text(built_copy)
    assert "demand/concerted-position-2016-c2-3-b1-1 (hrg:quote) is public text holding a " \
           "name of the confidential" in text, text
    assert "person/test-alesin-informant" in text


def test_a_store_built_before_the_split_is_refused(secret: Project, tmp_path: Path) -> None:
    """A mark left in a public graph (a store of an older hrgraph) stops every export."""
    project = copy_project(secret.root, tmp_path / "old")
    target = tmp_path / "old" / "store"
    stores.open_store(secret, read_only=True).backup(str(target))
    store = ox.Store(str(target))
    store.add(ox.Quad(ox.NamedNode(DATA_PERSON), ox.NamedNode(project.ontology_ns +
                                                             "confidential"),
                      ox.Literal("true", datatype=ox.NamedNode(
                          "http://www.w3.org/2001/XMLSchema#boolean")),
                      ox.NamedNode(GRAPH + "data/actors/people")))
    del store
    gc.collect()
    result = invoke(project, "export", "--format", "nt")
    assert result.exit_code == 3 and "hrgraph build --full" in result.stderr
    assert not leaks(result.stdout)


def test_the_split_is_idempotent(secret: Project, tmp_path: Path) -> None:
    project = copy_of(secret, tmp_path / "project")
    target = tmp_path / "copy"
    stores.open_store(project, read_only=True).backup(str(target))
    store = ox.Store(str(target))
    before = stores.dump_nquads(store)
    assert not privacy.split(project, store)
    assert stores.dump_nquads(store) == before
    found = {r.value for r in privacy.confidential(project, store).resources
             if isinstance(r, ox.NamedNode)}
    assert {DATA_PERSON, CONTRIB_PERSON, ONLY_DEMAND, DATA_PERSON + "/photo"} <= found
    assert PUBLIC_DEMAND not in found


@pytest.mark.parametrize("regex_prefixes", [200, 0])
def test_iris_below_a_confidential_one_are_found_by_either_scan(regex_prefixes: int,
                                                                monkeypatch) -> None:
    """Both ways of looking below IRIs (a regular expression; a sorted list of every IRI) find
    subjects and objects below each prefix, and nothing else; regex characters are literal."""
    monkeypatch.setattr(privacy._Below, "REGEX_PREFIXES", regex_prefixes)
    store = ox.Store()
    graph = ox.NamedNode("http://example.org/g")
    p = ox.NamedNode("http://example.org/p")
    iris = ["http://e.org/a.b", "http://e.org/a.b/quote", "http://e.org/aXb/quote",
            "http://e.org/a.b(1)/q", "http://e.org/a.b/q/selector"]
    store.extend(ox.Quad(ox.NamedNode(i), p, ox.Literal("x"), graph) for i in iris)
    store.add(ox.Quad(ox.NamedNode("http://e.org/s"), p, ox.NamedNode("http://e.org/a.b/o"),
                      graph))
    below = privacy._Below(store, {graph})
    below.ask("http://e.org/a.b/")
    below.ask("http://e.org/a.b/q/")  # below the first: nothing more to find
    below.ask("http://e.org/a.b(1)/")
    assert {n.value for n in below.found()} == {
        "http://e.org/a.b/quote", "http://e.org/a.b(1)/q", "http://e.org/a.b/q/selector",
        "http://e.org/a.b/o"}
    assert below.found() == set()  # each prefix once
