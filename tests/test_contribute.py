"""hrgraph.contribute: validate in context, merge atomically (file and graph, or neither), list,
remove; safety (size, guard, namespace, only-add); confidential contributions stay private."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import CORPUS, REPO
from hrgraph import contribute
from hrgraph import store as stores
from hrgraph.build import build
from hrgraph.cli import main
from hrgraph.corpus import read_manifest
from hrgraph.errors import InputError, StoreError, UsageError
from hrgraph.project import Project
from hrgraph.validate import validate_store

PREFIXES = """\
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix hrg: <https://w3id.org/hrgraph/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix person: <https://w3id.org/hrgraph/id/person/> .
@prefix organisation: <https://w3id.org/hrgraph/id/organisation/> .
@prefix demand: <https://w3id.org/hrgraph/id/demand/> .
@prefix point: <https://w3id.org/hrgraph/id/point/> .
@prefix document: <https://w3id.org/hrgraph/id/document/> .
@prefix action: <https://w3id.org/hrgraph/vocab/action/> .
"""

NEW_PERSON = PREFIXES + """
person:test-contributor-person a foaf:Person ;
    skos:prefLabel "Nasta Testovich"@en ;
    skos:definition "A fictional person for the contribution tests."@en ;
    dcterms:source <https://spring96.org/en/news/82549> .
"""


@pytest.fixture
def built(built_copy: Project) -> Project:
    """A private copy of the built real project (files and store)."""
    return built_copy


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def added(project: Project) -> list[contribute.ContributionInfo]:
    """The contributions merged by the test, confidential ones too: those the corpus does not
    hold."""
    curated = {Path(p).stem for p in read_manifest(CORPUS, REPO)
               if p.startswith("data/contributions/")}
    return [c for c in contribute.list_contributions(project) if c.id not in curated]


def snapshot(project: Project) -> tuple[bytes, dict[str, str]]:
    """The sorted N-Quads dump of the store and the file tree of data/ with checksums."""
    store = stores.open_store(project, read_only=True)
    dump = stores.dump_nquads(store)
    del store
    tree = {p.relative_to(project.data_dir).as_posix():
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(project.data_dir.rglob("*"))}
    return dump, tree


def result_keys(results) -> set[tuple]:
    return {(r.severity, r.focus_node, r.path, r.value, r.message) for r in results}


# --------------------------------------------------------------------------- adding


def test_add_merges_file_and_graph_with_a_prov_record(built: Project, tmp_path: Path) -> None:
    source = write(tmp_path, "nasta.ttl", NEW_PERSON)
    result = contribute.add_contribution(built, source, contributor="Viasna volunteers",
                                         source_url="https://example.org/nasta",
                                         message="a new person")
    assert result.merged and result.conforms
    assert result.path == built.data_dir / "contributions" / f"{result.id}.ttl"
    assert result.graph == built.graph_iri(result.path)
    store = stores.open_store(built, read_only=True)
    graph = ox.NamedNode(result.graph)
    assert len(list(store.quads_for_pattern(None, None, None, graph))) == result.triples
    person = ox.NamedNode("https://w3id.org/hrgraph/id/person/test-contributor-person")
    agent = ox.NamedNode("http://xmlns.com/foaf/0.1/Agent")
    assert list(store.quads_for_pattern(person, None, agent, ox.NamedNode(built.inferred_graph)))
    del store
    [info] = added(built)
    assert (info.id, info.contributor, info.source_url, info.message, info.source_file) == (
        result.id, "Viasna volunteers", "https://example.org/nasta", "a new person", "nasta.ttl")
    assert info.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()


def test_the_merged_store_equals_a_fresh_build(built: Project, tmp_path: Path) -> None:
    """Merging is the same as adding the file to data/ and building again."""
    contribute.add_contribution(built, write(tmp_path, "nasta.ttl", NEW_PERSON))
    merged, _ = snapshot(built)
    build(built)
    rebuilt, _ = snapshot(built)
    assert merged == rebuilt


def test_the_written_turtle_is_deterministic(built: Project, tmp_path: Path) -> None:
    import datetime

    when = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    first = contribute.add_contribution(built, write(tmp_path, "a.ttl", NEW_PERSON), now=when,
                                        dry_run=False)
    text = first.path.read_bytes()
    contribute.remove_contribution(built, first.id)
    second = contribute.add_contribution(built, write(tmp_path, "a.ttl", NEW_PERSON), now=when)
    assert second.path.read_bytes() == text


@pytest.mark.parametrize("suffix, text", [
    (".nt", "<https://w3id.org/hrgraph/id/person/test-nt> "
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<http://xmlns.com/foaf/0.1/Person> .\n"
            "<https://w3id.org/hrgraph/id/person/test-nt> "
            "<http://www.w3.org/2004/02/skos/core#prefLabel> \"Test Entrytriples\"@en .\n"),
    (".jsonld", '{"@id": "https://w3id.org/hrgraph/id/person/test-jsonld", '
                '"@type": "http://xmlns.com/foaf/0.1/Person", '
                '"http://www.w3.org/2004/02/skos/core#prefLabel": '
                '{"@value": "Test Jsonperson", "@language": "en"}}'),
    (".rdf", '<?xml version="1.0"?><rdf:RDF '
             'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
             'xmlns:skos="http://www.w3.org/2004/02/skos/core#">'
             '<rdf:Description rdf:about="https://w3id.org/hrgraph/id/person/test-rdfxml">'
             '<rdf:type rdf:resource="http://xmlns.com/foaf/0.1/Person"/>'
             '<skos:prefLabel xml:lang="en">Test Xmlperson</skos:prefLabel>'
             '</rdf:Description></rdf:RDF>'),
])
def test_other_rdf_formats_are_accepted(built: Project, tmp_path: Path, suffix: str,
                                        text: str) -> None:
    result = contribute.add_contribution(built, write(tmp_path, "c" + suffix, text), dry_run=True)
    assert result.conforms and result.triples > 2


def test_dry_run_writes_nothing(built: Project, tmp_path: Path) -> None:
    before = snapshot(built)
    result = contribute.add_contribution(built, write(tmp_path, "n.ttl", NEW_PERSON),
                                         dry_run=True)
    assert result.conforms and not result.merged
    assert snapshot(built) == before
    assert not list((built.root / ".hrgraph" / "tmp").glob("*"))


IN_CONTEXT_CASES = {
    "demand-and-names": """
demand:test-contribution-1 a hrg:Demand ;
    skos:prefLabel "Release everyone"@en ;
    hrg:actionType action:repeal ;
    hrg:addressee organisation:belarusian-authorities ;
    hrg:concernsPerson person:ales-bialiatski .
person:ales-bialiatski skos:altLabel "Ales Bialatski"@en .
person:test-unsourced a foaf:Person ; skos:prefLabel "Test Unsourced"@en .
""",
    # A problem that shows on resources the contribution only refers to: a second English name
    # for an existing organisation, and a point that closes a part-of cycle through stored data.
    "existing-resources": """
organisation:viasna skos:prefLabel "Viasna Human Rights Centre"@en .
point:concerted-position-2016-c1 hrg:partOf demand:concerted-position-2016-c1-1-1 .
""",
}


@pytest.mark.parametrize("case", sorted(IN_CONTEXT_CASES))
def test_validation_in_context_equals_validating_the_full_union(built: Project, tmp_path: Path,
                                                                case: str) -> None:
    """What ``add`` reports (validating only the part of the graph within the shapes' reach of
    the contribution) is exactly what validating the whole graph with the contribution finds
    beyond validating it without, on the real data."""
    text = PREFIXES + IN_CONTEXT_CASES[case]
    source = write(tmp_path, "demand.ttl", text)
    result = contribute.add_contribution(built, source, dry_run=True)
    assert not result.conforms

    store = stores.open_store(built, read_only=True)
    baseline = validate_store(built, store)
    union = ox.Store()
    union.extend(store)
    del store
    graph = ox.NamedNode(built.graph_base + "data/contributions/test")
    union.extend(ox.Quad(t.subject, t.predicate, t.object, graph)
                 for t in ox.parse(path=str(source), format=ox.RdfFormat.TURTLE))
    full = validate_store(built, union)
    new_in_union = result_keys(full.results) - result_keys(baseline.results)
    from_add = result_keys(r for r in result.report.results
                           if r.constraint_component != "hrgraph contribution check")
    assert from_add == new_in_union
    assert any(r[0] == "Violation" for r in from_add)


# --------------------------------------------------------------------------- both or neither


@pytest.mark.parametrize("point", ["after-write", "after-load"])
def test_an_injected_failure_leaves_data_and_store_as_before(built: Project, tmp_path: Path,
                                                             monkeypatch, point: str) -> None:
    before = snapshot(built)
    monkeypatch.setenv(contribute.FAIL_AT_ENV, point)
    with pytest.raises(StoreError, match="injected failure"):
        contribute.add_contribution(built, write(tmp_path, "n.ttl", NEW_PERSON))
    assert snapshot(built) == before
    assert not list((built.root / ".hrgraph" / "pending").glob("*"))


def _run_cli(project: Project, *args: str, env: dict[str, str] | None = None
             ) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hrgraph", "--project", str(project.root), "--store",
         str(project.store_path), *args],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)


def test_a_process_killed_before_the_store_transaction_changes_nothing(built: Project,
                                                                       tmp_path: Path) -> None:
    before = snapshot(built)
    source = write(tmp_path, "n.ttl", NEW_PERSON)
    killed = _run_cli(built, "add", str(source),
                      env={contribute.FAIL_AT_ENV: "after-write", contribute.FAIL_MODE_ENV: "kill"})
    assert killed.returncode == 137
    assert snapshot(built) == before
    listed = _run_cli(built, "contributions")  # cleans up what the killed process left
    assert listed.returncode == 0 and added(built) == []
    assert snapshot(built) == before
    assert not list((built.root / ".hrgraph" / "tmp").glob("*"))


def test_a_process_killed_after_the_store_transaction_is_finished_later(built: Project,
                                                                        tmp_path: Path) -> None:
    source = write(tmp_path, "n.ttl", NEW_PERSON)
    killed = _run_cli(built, "add", str(source),
                      env={contribute.FAIL_AT_ENV: "after-load", contribute.FAIL_MODE_ENV: "kill"})
    assert killed.returncode == 137
    assert added(built) == []
    listed = _run_cli(built, "contributions")
    assert listed.returncode == 0, listed.stderr
    [info] = added(built)
    assert info.id in listed.stdout
    merged, _ = snapshot(built)
    build(built)
    assert snapshot(built)[0] == merged


# --------------------------------------------------------------------------- removing


def test_remove_takes_out_file_graph_and_inferences(built: Project, tmp_path: Path) -> None:
    before = snapshot(built)
    result = contribute.add_contribution(built, write(tmp_path, "n.ttl", NEW_PERSON))
    assert snapshot(built) != before
    contribute.remove_contribution(built, result.id)
    dump, tree = snapshot(built)
    assert dump == before[0]
    assert ({k: v for k, v in tree.items() if k != "contributions"}
            == {k: v for k, v in before[1].items() if k != "contributions"})


def test_remove_refuses_when_a_later_contribution_uses_what_it_introduced(
        built: Project, tmp_path: Path) -> None:
    import datetime

    t0 = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    first = contribute.add_contribution(built, write(tmp_path, "a.ttl", NEW_PERSON), now=t0)
    later = PREFIXES + """
person:test-contributor-person skos:altLabel "N. Testovich"@en .
"""
    second = contribute.add_contribution(built, write(tmp_path, "b.ttl", later),
                                         now=t0.replace(day=2))
    assert second.merged
    with pytest.raises(UsageError, match=second.id):
        contribute.remove_contribution(built, first.id)
    assert first.path.exists()
    contribute.remove_contribution(built, first.id, force=True)
    assert not first.path.exists()
    assert [c.id for c in added(built)] == [second.id]


def test_cli_add_contributions_remove(built: Project, tmp_path: Path, cli) -> None:
    source = write(tmp_path, "n.ttl", NEW_PERSON)
    base_args = ["--project", str(built.root), "--store", str(built.store_path)]
    merged = cli.invoke(main, [*base_args, "add", str(source), "--contributor", "A pseudonym"])
    assert merged.exit_code == 0, merged.output
    [info] = added(built)
    listed = cli.invoke(main, [*base_args, "contributions"])
    assert info.id in listed.output and "A pseudonym" in listed.output
    removed = cli.invoke(main, [*base_args, "remove", info.id])
    assert removed.exit_code == 0
    missing = cli.invoke(main, [*base_args, "remove", info.id])
    assert missing.exit_code == 2


# --------------------------------------------------------------------------- safety


def test_a_file_over_the_size_limit_is_refused(built: Project, tmp_path: Path, cli) -> None:
    source = write(tmp_path, "big.ttl", NEW_PERSON + "# padding\n" * 200)
    with pytest.raises(InputError, match="more than the limit"):
        contribute.add_contribution(built, source, max_bytes=1000)
    (built.root / "hrgraph.toml").write_text("[contributions]\nmax_bytes = 1000\n")
    result = cli.invoke(main, ["--project", str(built.root), "--store", str(built.store_path),
                               "add", str(source)])
    assert result.exit_code == 2 and "more than the limit of 1,000" in result.output


def test_a_jsonld_remote_context_is_refused(built: Project, tmp_path: Path, cli) -> None:
    before = snapshot(built)
    source = write(tmp_path, "remote.jsonld",
                   '{"@context": "https://example.org/context.jsonld", '
                   '"@id": "https://w3id.org/hrgraph/id/person/x", "name": "X"}')
    result = cli.invoke(main, ["--project", str(built.root), "--store", str(built.store_path),
                               "add", str(source)])
    assert result.exit_code == 2 and "refused to load the JSON-LD context" in result.output
    assert snapshot(built) == before


def test_an_xml_external_entity_is_refused(built: Project, tmp_path: Path, cli) -> None:
    before = snapshot(built)
    source = write(tmp_path, "xxe.rdf",
                   '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                   '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>')
    result = cli.invoke(main, ["--project", str(built.root), "--store", str(built.store_path),
                               "add", str(source)])
    assert result.exit_code == 2 and "refused" in result.output
    assert snapshot(built) == before


def test_new_iris_outside_the_namespace_are_violations(built: Project, tmp_path: Path) -> None:
    text = PREFIXES + '<https://example.org/people/x> a foaf:Person ; ' \
                      'skos:prefLabel "Outside Person"@en .\n'
    result = contribute.add_contribution(built, write(tmp_path, "x.ttl", text), dry_run=True)
    assert not result.conforms
    assert any(r.focus_node == "https://example.org/people/x" and "namespace" in r.message
               for r in result.report.results)


def test_a_contribution_may_not_write_into_another_graph(built: Project, tmp_path: Path) -> None:
    trig = ("<https://w3id.org/hrgraph/graph/data/actors/people> {\n"
            "<https://w3id.org/hrgraph/id/person/test-trig> "
            "<http://www.w3.org/2004/02/skos/core#prefLabel> \"Trig Person\"@en .\n}\n")
    result = contribute.add_contribution(built, write(tmp_path, "g.trig", trig))
    store = stores.open_store(built, read_only=True)
    people = ox.NamedNode(built.graph_base + "data/actors/people")
    subject = ox.NamedNode("https://w3id.org/hrgraph/id/person/test-trig")
    assert not list(store.quads_for_pattern(subject, None, None, people))
    assert list(store.quads_for_pattern(subject, None, None, ox.NamedNode(result.graph)))


def test_redeclaring_an_existing_person_is_refused(built: Project, tmp_path: Path) -> None:
    before = snapshot(built)
    text = PREFIXES + """
person:ales-bialiatski a org:Organization ;
    skos:prefLabel "Ales Bialiatsky"@en ;
    skos:prefLabel "Алесь Бяляцкі"@be ;
    skos:altLabel "Ales Byalyatsky"@en .
"""
    result = contribute.add_contribution(built, write(tmp_path, "re.ttl", text))
    assert not result.merged and not result.conforms
    problems = {(r.path, r.value) for r in result.report.results
                if r.constraint_component == "hrgraph contribution check"}
    assert problems == {
        ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "<http://www.w3.org/ns/org#Organization>"),
        ("http://www.w3.org/2004/02/skos/core#prefLabel", '"Ales Bialiatsky"@en'),
    }
    assert snapshot(built) == before
    text = result.to_text(built)
    assert "already exists with another type" in text and "preferred name" in text


def test_a_possible_duplicate_is_a_warning_with_the_existing_iri(built: Project,
                                                                 tmp_path: Path) -> None:
    """An initial and a surname only: possible, not likely (a likely duplicate is refused:
    tests/test_duplicates.py)."""
    text = PREFIXES + """
person:test-bialiatski a foaf:Person ; skos:prefLabel "А. Беляцкий"@ru .
"""
    result = contribute.add_contribution(built, write(tmp_path, "dup.ttl", text), dry_run=True)
    assert result.conforms
    [match] = result.duplicates
    assert match.entity == "https://w3id.org/hrgraph/id/person/ales-bialiatski"
    assert "person/ales-bialiatski" in result.to_text(built)


# --------------------------------------------------------------------------- confidential


CANARY = "Zmitser Kanarejkin-Sekretny"
CONFIDENTIAL = PREFIXES + f"""
person:test-canary a foaf:Person ;
    skos:prefLabel "{CANARY}"@en ;
    skos:definition "A fictional person at risk, for the canary test."@en ;
    hrg:confidential true .
demand:concerted-position-2016-c1-1 hrg:concernsPerson person:test-canary .
"""


def test_confidential_contributions_stay_private(built: Project, tmp_path: Path, cli) -> None:
    from hrgraph.query import list_queries, run_query, run_saved

    before_tree = snapshot(built)[1]
    result = contribute.add_contribution(built, write(tmp_path, "secret.ttl", CONFIDENTIAL))
    assert result.merged and result.confidential
    assert result.path.is_relative_to(built.root / ".hrgraph" / "private")
    assert result.graph.startswith(built.graph_base + "private/")
    assert snapshot(built)[1] == before_tree  # nothing under data/
    assert ".hrgraph/" in (REPO / ".gitignore").read_text().splitlines()

    store = stores.open_store(built, read_only=True)
    assert CANARY.encode() in stores.dump_nquads(store)  # it is in the store …
    del store

    def shows_canary(result) -> bool:
        text = result.to_csv()
        return CANARY in text or "test-canary" in text

    # … but no query sees it: ad hoc, over every graph, with FROM, or any saved query
    for sparql in ["SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "SELECT * WHERE { ?s ?p ?o }",
                   f"SELECT * FROM NAMED <{result.graph}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                   f"SELECT * FROM <{result.graph}> WHERE {{ ?s ?p ?o }}"]:
        assert not shows_canary(run_query(built, sparql, limit=None)), sparql
    for saved in list_queries(built):
        params = {name: p.example for name, p in saved.params.items()
                  if p.required and p.example is not None}
        if "name" in saved.params:
            params["name"] = "Kanarejkin"
        if "person" in saved.params:
            params["person"] = "https://w3id.org/hrgraph/id/person/test-canary"
        assert not shows_canary(run_saved(built, saved, params, limit=None)), saved.name
    hidden = cli.invoke(main, ["--project", str(built.root), "--store", str(built.store_path),
                               "query", "find-by-name", "--param", "name=Kanarejkin"])
    assert CANARY not in hidden.output

    try:
        from hrgraph import export
    except ImportError:
        export = None
    if export is not None and hasattr(export, "export"):
        store = stores.open_store(built, read_only=True)
        for fmt in ("nq", "jsonld"):
            data = export.export(built, store, fmt).data
            assert CANARY.encode() not in data and b"test-canary" not in data

    # and it survives a rebuild, still private
    build(built)
    store = stores.open_store(built, read_only=True)
    assert store.contains_named_graph(ox.NamedNode(result.graph))
    del store
    assert not shows_canary(run_query(built, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
                                      limit=None))
    [info] = added(built)
    assert info.confidential


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("name, data, expected", [
    ("mid.ttl", (NEW_PERSON + "person:broken a foaf:Person ; skos:prefLabel \"x\"@en\n"
                 + "person:after a foaf:Person .\n").encode(), "syntax error"),
    ("latin1.ttl", (PREFIXES + 'person:test-latin a foaf:Person ; skos:prefLabel "').encode()
     + "Jos\xe9 M\xfcller".encode("latin-1")
     + b'"@en .\n', "syntax error"),
])
def test_bad_input_leaves_data_and_store_as_before(built: Project, tmp_path: Path, cli,
                                                   name: str, data: bytes, expected: str) -> None:
    before = snapshot(built)
    source = write(tmp_path, name, data)
    result = cli.invoke(main, ["--project", str(built.root), "--store", str(built.store_path),
                               "add", str(source)])
    assert result.exit_code == 2, result.output
    assert expected in result.output and name in result.output
    assert snapshot(built) == before
