"""An incremental build (only changed data files) gives the store and the report of a full build.

Each test changes the real project's files in some way, builds (incrementally), records the store
and the report, builds again with ``full=True`` and compares.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.compare import isomorphic

from hrgraph import rebuild
from hrgraph import store as stores
from hrgraph.build import build
from hrgraph.project import Project
from hrgraph.terms import to_rdflib_graph
from hrgraph.validate import validate_store

STATEMENT = Path("data/documents/concerted-position-2016.ttl")


@pytest.fixture
def project(built_copy: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A copy of the built real project whose next build may be incremental (the real data is
    small, so any change is a large share of it: allow that)."""
    monkeypatch.setattr(rebuild, "MAX_CHANGED_SHARE", 1.0)
    build(built_copy, full=True)  # leaves a manifest
    return built_copy


def state(project: Project) -> tuple[dict, list]:
    """The store's graphs (quads without blank nodes as a set, others as an rdflib graph to
    compare up to blank node names) and the validation results with blank nodes unnamed."""
    store = stores.open_store(project, read_only=True)
    graphs = {}
    for graph in store.named_graphs():
        quads = list(store.quads_for_pattern(None, None, None, graph))
        if any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object)):
            graphs[graph.value] = to_rdflib_graph(quads)
        else:
            graphs[graph.value] = {(q.subject, q.predicate, q.object) for q in quads}
    # repr sorts results whose cells may be None (an Info result has no value)
    results = sorted((tuple(re.sub(r"_:\S+", "_:", str(v)) if isinstance(v, str) else v
                            for v in vars(r).values())
                      for r in validate_store(project, store).results), key=repr)
    return graphs, results


def reported(project: Project) -> list:
    """The results the last build reported (kept in its manifest), blank nodes unnamed."""
    return sorted(re.sub(r"_:\S+", "_:", repr(sorted(r.items())))
                  for r in stores.read_manifest(project.store_path)["results"])


def built_both_ways(project: Project) -> tuple:
    """Build incrementally, then fully; both states and the incremental build's progress. The
    two builds' reports are the same, result for result."""
    said: list[str] = []
    incremental = build(project, progress=said.append)
    after_incremental = state(project)
    incremental_report = reported(project)
    full = build(project, full=True)
    after_full = state(project)
    assert incremental_report == reported(project)
    assert (incremental.violations, incremental.warnings, incremental.inferred) == (
        full.violations, full.warnings, full.inferred)
    assert incremental.graphs == full.graphs
    assert (incremental.demands, incremental.actors, incremental.documents) == (
        full.demands, full.actors, full.documents)
    return after_incremental, after_full, said, incremental


def assert_same(a: tuple, b: tuple) -> None:
    graphs_a, results_a = a
    graphs_b, results_b = b
    assert set(graphs_a) == set(graphs_b)
    for name, content in graphs_a.items():
        other = graphs_b[name]
        if isinstance(content, set) and isinstance(other, set):
            assert content == other, name
        else:
            assert not isinstance(content, set) and not isinstance(other, set), name
            assert isomorphic(content, other), name
    assert results_a == results_b


def edit(project: Project, path: Path, old: str, new: str) -> None:
    file = project.root / path
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unchanged_project_rebuilds_to_the_same(project: Project) -> None:
    a, b, said, _ = built_both_ways(project)
    assert_same(a, b)
    assert not any(line.startswith("building everything") for line in said)


def test_a_changed_label(project: Project) -> None:
    edit(project, STATEMENT, '"No systemic improvement', '"No systemic improvement at all')
    a, b, said, summary = built_both_ways(project)
    assert_same(a, b)
    assert said[0].startswith("rebuilding 1 changed file")
    assert summary.violations == 0


def test_a_violation_appears_and_goes_again(project: Project) -> None:
    edit(project, STATEMENT, "    hrg:madeIn document:concerted-position-2016 ;\n", "")
    a, b, said, summary = built_both_ways(project)
    assert_same(a, b)
    assert summary.violations == 1 and said[0].startswith("rebuilding")
    edit(project, STATEMENT, '    skos:prefLabel "No systemic',
         '    hrg:madeIn document:concerted-position-2016 ;\n    skos:prefLabel "No systemic')
    a, b, said, summary = built_both_ways(project)
    assert_same(a, b)
    assert summary.violations == 0 and said[0].startswith("rebuilding")


def test_a_quote_that_no_longer_matches_its_selector(project: Project) -> None:
    quote = "To continue ensuring international scrutiny over the human rights situation in Belarus"
    edit(project, STATEMENT, f'hrg:quote "{quote}"@en', f'hrg:quote "{quote} (edited)"@en')
    a, b, _, summary = built_both_ways(project)
    assert_same(a, b)
    assert summary.violations == 1


def test_a_date_two_steps_from_the_resources_that_check_it(project: Project) -> None:
    """A document's dates are read by shapes on the reiterations of its demands."""
    path = Path("data/documents/open-letter-2015-12-09.ttl")
    text = (project.root / path).read_text(encoding="utf-8")
    date = re.search(r'hrg:latestDate "(\d{4}-\d\d-\d\d)"', text).group(1)
    edit(project, path, f'hrg:latestDate "{date}"', 'hrg:latestDate "2030-01-01"')
    a, b, _, _ = built_both_ways(project)
    assert_same(a, b)


def test_a_removed_file_and_a_new_one(project: Project) -> None:
    (project.root / "data/links/external-identifiers.ttl").unlink()
    (project.root / "data/extra.ttl").write_text(
        "@prefix hrg: <https://w3id.org/hrgraph/ontology#> .\n"
        "@prefix organisation: <https://w3id.org/hrgraph/id/organisation/> .\n"
        "@prefix document: <https://w3id.org/hrgraph/id/document/> .\n"
        "organisation:viasna hrg:signed document:concerted-position-2016 .\n",
        encoding="utf-8")
    a, b, said, _ = built_both_ways(project)
    assert_same(a, b)
    assert said[0].startswith("rebuilding 2 changed files")


def test_a_changed_ontology_or_axiom_means_a_full_build(project: Project) -> None:
    edit(project, Path("ontology/hrgraph.ttl"), '"signatory"@en', '"signatory (edited)"@en')
    said: list[str] = []
    build(project, progress=said.append)
    assert said[0] == "building everything: ontology/hrgraph.ttl changed (only data files are " \
                      "rebuilt alone)"
    (project.root / "data/axiom.ttl").write_text(
        "<https://example.org/C> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
        "<https://w3id.org/hrgraph/ontology#Document> .\n", encoding="utf-8")
    said.clear()
    build(project, progress=said.append)
    assert "building everything: a changed file states axioms" in said


def test_a_bad_file_leaves_the_store_as_it_was(project: Project) -> None:
    before = stores.current_generation(project.store_path)
    (project.root / "data/broken.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"broken\.ttl"):
        build(project)
    assert stores.current_generation(project.store_path) == before


def test_an_identity_question_losing_its_source(project: Project) -> None:
    """The actors a question is about (hrg:about) are validated again when the question changes:
    their shape reads it (a regression: the incremental build kept their old results)."""
    question = Path("data/contributions/20261201T232216Z-c9d9f155.ttl")
    edit(project, question, "    dcterms:source <https://contao.epde.org/en/news/details/"
         "viasna-activist-marfa-rabkova-is-political-prisoner.html> ;\n    hrg:about",
         "    hrg:about")
    a, b, said, summary = built_both_ways(project)
    assert_same(a, b)
    assert summary.violations == 2 and said[0].startswith("rebuilding")


def check_results(project: Project, check: str) -> set[str]:
    """The focus nodes of the last build's results of one SPARQL check."""
    return {r["focus_node"] for r in stores.read_manifest(project.store_path)["results"]
            if r["constraint_component"] == f"SPARQL check checks/{check}"}


def test_a_check_result_one_link_from_the_change(project: Project) -> None:
    """A SPARQL check judged local runs again only near the change: a demand in one file comes to
    target a person (in a new file) with no name; then the person gets a name, but not in
    English, and the demand one link away from the change loses its result."""
    demand = "https://w3id.org/hrgraph/id/demand/concerted-position-2016-c1-1"
    person = "https://w3id.org/hrgraph/id/person/rebuild-test-nobody"
    extra = project.root / "data/extra.ttl"
    extra.write_text(f"<{demand}> <https://w3id.org/hrgraph/ontology#concernsPerson> <{person}> .\n"
                     f"<{person}> a <http://xmlns.com/foaf/0.1/Person> .\n", encoding="utf-8")
    a, b, said, _ = built_both_ways(project)
    assert_same(a, b)
    assert said[0].startswith("rebuilding 1 changed file")
    assert demand in check_results(project, "target-without-label")
    assert person in check_results(project, "person-without-english-name")
    with extra.open("a", encoding="utf-8") as f:
        f.write(f'<{person}> <http://www.w3.org/2004/02/skos/core#prefLabel> "Никто"@ru .\n')
    a, b, said, _ = built_both_ways(project)
    assert_same(a, b)
    assert said[0].startswith("rebuilding 1 changed file")
    assert demand not in check_results(project, "target-without-label")
    assert person in check_results(project, "person-without-english-name")


def test_a_check_reading_what_the_change_entails(project: Project) -> None:
    """A local check reading only its focus node's own triples, where the change gives the focus
    node a triple by inference alone (``hrg:signed`` is the inverse of ``hrg:signatory``). The
    other checks go: one reading two links would bring the focus node in by the inferred link."""
    for other in (project.root / "queries/checks").glob("*.rq"):
        other.unlink()
    (project.root / "queries/checks/signatory-outside-namespace.rq").write_text(
        "#+ summary: A signatory whose IRI is not the project's.\n"
        "PREFIX hrg: <https://w3id.org/hrgraph/ontology#>\n"
        "SELECT ?focus ?value WHERE { ?focus hrg:signatory ?value "
        'FILTER (!STRSTARTS(STR(?value), "https://w3id.org/hrgraph/id/")) }\n',
        encoding="utf-8")
    build(project)  # a full build: the checks changed
    document = "https://w3id.org/hrgraph/id/document/concerted-position-2016"
    assert document not in check_results(project, "signatory-outside-namespace")
    (project.root / "data/extra.ttl").write_text(
        f"<https://example.org/someone> <https://w3id.org/hrgraph/ontology#signed> <{document}>"
        " .\n",
        encoding="utf-8")
    a, b, said, _ = built_both_ways(project)
    assert_same(a, b)
    assert said[0].startswith("rebuilding 1 changed file")
    assert document in check_results(project, "signatory-outside-namespace")


def test_a_label_gaining_and_losing_white_space(project: Project) -> None:
    edit(project, STATEMENT, '"No systemic improvement', '" No systemic improvement')
    a, b, _, _ = built_both_ways(project)
    assert_same(a, b)
    assert check_results(project, "untrimmed-label")
    edit(project, STATEMENT, '" No systemic improvement', '"No systemic improvement')
    a, b, _, _ = built_both_ways(project)
    assert_same(a, b)
    assert not check_results(project, "untrimmed-label")


def test_a_changed_check_means_a_full_build(project: Project) -> None:
    """Results of a check are kept only while its text is the same."""
    check = project.root / "queries/checks/untrimmed-label.rq"
    check.write_text(check.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    said: list[str] = []
    build(project, progress=said.append)
    assert said[0] == "building everything: the SPARQL checks changed"
