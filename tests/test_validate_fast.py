"""The fast paths of validation give the same reports as the slow ones.

* pyshacl-turbo (the engine when installed) against pySHACL, on the project's data, on generated
  benchmark data with planted violations, and on every example under tests/shapes.
* ``validate_files`` with only the neighbourhood of the files as context, against the whole graph,
  for every data file of the project and for the benchmark's contribution.
"""

from __future__ import annotations

import sys

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, SH

from conftest import REPO, repo_project
from hrgraph import build as builds
from hrgraph import store as stores
from hrgraph import validate
from hrgraph.project import Project
from hrgraph.validate import validate_files

sys.path.insert(0, str(REPO / "benchmarks"))

from generate import generate

turbo = pytest.importorskip("pyshacl_turbo")


def full_results(report: rdflib.Graph) -> set[tuple]:
    """Every field of every result of a SHACL report graph (blank nodes as None)."""
    found = set()

    def term(node):
        return None if isinstance(node, rdflib.BNode) else node

    for node in report.subjects(RDF.type, SH.ValidationResult):
        fields = (SH.focusNode, SH.resultPath, SH.value, SH.resultSeverity,
                  SH.sourceConstraintComponent, SH.sourceShape, SH.sourceConstraint)
        found.add((*(term(report.value(node, p)) for p in fields),
                   frozenset(report.objects(node, SH.resultMessage))))
    return found


def both_engines(data: rdflib.Graph, shapes: rdflib.Graph, monkeypatch) -> tuple[set, set]:
    monkeypatch.setenv("HRGRAPH_SHACL_ENGINE", "pyshacl")
    slow = full_results(validate._pyshacl(data, shapes, advanced=True))
    monkeypatch.delenv("HRGRAPH_SHACL_ENGINE")
    assert validate.shacl_engine() == "pyshacl-turbo"
    fast = full_results(validate._pyshacl(data, shapes, advanced=True))
    return slow, fast


@pytest.fixture(scope="module")
def project() -> Project:
    return repo_project()


@pytest.fixture(scope="module")
def shapes(project) -> rdflib.Graph:
    return validate._graph_from_files(project, project.files_of_kind("shapes"))


@pytest.fixture(scope="module")
def project_data(project) -> rdflib.Graph:
    return validate._graph_from_files(project, project.files_of_kind("data", "ontology",
                                                                     "vocabulary"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Project:
    """A built 20k-triple benchmark project (with planted violations)."""
    root = tmp_path_factory.mktemp("generated") / "project"
    generate(20_000, root)  # 10k is mostly the seed data: no document, nothing planted
    project = Project.open(root)
    builds.build(project)
    return project


def test_turbo_equals_pyshacl_on_the_project(project_data, shapes, monkeypatch):
    slow, fast = both_engines(project_data, shapes, monkeypatch)
    assert slow  # the project's data has warnings: the comparison is not of two empty sets
    assert fast == slow


def test_turbo_equals_pyshacl_on_generated_data(generated, shapes, monkeypatch):
    data = validate._graph_from_files(generated, generated.files_of_kind(
        "data", "ontology", "vocabulary"))
    slow, fast = both_engines(data, shapes, monkeypatch)
    violations = {r for r in slow if r[3] == SH.Violation}
    assert len(violations) >= 1  # the planted ones
    assert fast == slow


def test_turbo_equals_pyshacl_on_every_shape_example(project_data, shapes, monkeypatch):
    """All examples at once, each in a graph of its own name space: one run per engine.

    Every example is validated together with the project's data (as the shape tests do);
    the results are compared per focus node.
    """
    examples = sorted((REPO / "tests" / "shapes").glob("*/*.ttl"))
    assert len(examples) > 100
    differ = []
    for batch in range(0, len(examples), 40):
        data = rdflib.Graph()
        for triple in project_data:
            data.add(triple)
        for path in examples[batch:batch + 40]:
            data.parse(path, format="turtle")
        slow, fast = both_engines(data, shapes, monkeypatch)
        differ += sorted(map(str, slow ^ fast))
    assert differ == []


def test_turbo_validates_a_store_dump_like_an_rdflib_graph(generated, monkeypatch):
    """validate_store hands pyshacl-turbo N-Triples from the store: same report as pySHACL."""
    store = stores.open_store(generated, read_only=True)
    fast = validate.validate_store(generated, store)
    monkeypatch.setenv("HRGRAPH_SHACL_ENGINE", "pyshacl")
    slow = validate.validate_store(generated, store)
    assert fast.results == slow.results
    assert fast.violations >= 1


def report_key(report) -> list:
    return sorted(((r.severity, r.focus_node, r.path, r.value, r.message, r.source_shape,
                    r.constraint_component, r.file, r.line) for r in report.results), key=repr)


@pytest.mark.parametrize("kind", ["store", "files"])
def test_neighbourhood_context_equals_whole_graph_for_every_data_file(project, kind, tmp_path):
    """Each data file of the project validated as a contribution: the same report either way."""
    store = None
    if kind == "store":
        built = repo_project(tmp_path / "store")
        builds.build(built)
        store = stores.open_store(built, read_only=True)
    checked = 0
    for source in project.files_of_kind("data"):
        fast = validate_files(project, [source.path], store=store)
        whole = validate_files(project, [source.path], store=store, whole_graph=True)
        assert report_key(fast) == report_key(whole), source.path
        checked += 1
    assert checked >= 10


def test_neighbourhood_context_equals_whole_graph_for_the_contribution(generated):
    store = stores.open_store(generated, read_only=True)
    contribution = generated.root / "contribution.ttl"
    fast = validate_files(generated, [contribution], store=store)
    whole = validate_files(generated, [contribution], store=store, whole_graph=True)
    assert report_key(fast) == report_key(whole)


def test_neighbourhood_reaches_two_steps_and_the_whole_part_of_chain(generated, tmp_path):
    """A contribution that breaks a rule two steps away, and one that closes a partOf cycle."""
    store = stores.open_store(generated, read_only=True)
    hrg = generated.ontology_ns
    rows = list(stores.query(store, f"""
        SELECT ?point ?doc WHERE {{ ?d <{hrg}partOf> ?point ; <{hrg}madeIn> ?doc .
                                   ?point <{hrg}partOf> ?doc }} LIMIT 1"""))
    point, doc = rows[0]["point"], rows[0]["doc"]
    # the document becomes part of the point: point -> doc -> point, a cycle through stored data
    cycle = tmp_path / "cycle.ttl"
    cycle.write_text(f"{doc} <{hrg}partOf> {point} .\n{doc} a <{hrg}Point> .\n")
    fast = validate_files(generated, [cycle], store=store)
    whole = validate_files(generated, [cycle], store=store, whole_graph=True)
    assert report_key(fast) == report_key(whole)
    assert any("part of itself" in r.message for r in fast.results)
    assert isinstance(point, ox.NamedNode)
