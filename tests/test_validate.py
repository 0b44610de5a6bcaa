"""validate: SHACL and saved checks over the store or over new files, with file and line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from hrgraph import load
from hrgraph.errors import InputError
from hrgraph.project import Project
from hrgraph.validate import (
    ValidationReport,
    ValidationResult,
    run_checks,
    validate_files,
    validate_store,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PERSON = "https://w3id.org/hrgraph/id/person/"
ORG = "https://w3id.org/hrgraph/id/organisation/"


def fill_store(project: Project) -> ox.Store:
    """The project's files, each in its named graph, in an on-disk store (no reasoning)."""
    store = ox.Store(str(project.store_path))
    for source in project.source_files():
        store.extend(load.parse_file(project, source.path))
    store.flush()
    return store


@pytest.fixture
def vproject(tmp_path: Path) -> Project:
    """A private copy of tests/fixtures/validate_basic."""
    shutil.copytree(FIXTURES / "validate_basic", tmp_path / "p")
    return Project.open(tmp_path / "p", store=tmp_path / "p" / "store")


def add_file(project: Project, name: str, target: str = "data/people") -> Path:
    """Copy an input of tests/fixtures/validate_inputs into the project."""
    path = project.root / target / name
    shutil.copy(FIXTURES / "validate_inputs" / name, path)
    return path


def by_focus(report: ValidationReport, iri: str) -> list[ValidationResult]:
    return [r for r in report.results if r.focus_node == iri]


def test_valid_project_has_only_the_expected_warning(vproject):
    report = validate_store(vproject, fill_store(vproject))
    # "BHC" is upper case only: a warning from the SHACL-SPARQL constraint (advanced).
    assert [(r.severity, r.focus_node) for r in report.results] == [("Warning", ORG + "bhc")]
    assert report.conforms
    assert report.exit_code == 0
    assert report.violations == 0 and report.warnings == 1


def test_invalid_example_names_file_line_property_and_message(vproject):
    add_file(vproject, "bad-person.ttl")
    report = validate_store(vproject, fill_store(vproject))
    assert not report.conforms
    assert report.exit_code == 1
    results = by_focus(report, PERSON + "nobody")
    found = {(r.severity, r.path, r.constraint_component.rsplit("#")[-1]) for r in results}
    assert found == {
        ("Violation", "http://www.w3.org/2000/01/rdf-schema#label", "MinCountConstraintComponent"),
        ("Violation", "https://w3id.org/hrgraph/ontology#memberOf",
         "ClassConstraintComponent"),
        ("Warning", "http://www.w3.org/2000/01/rdf-schema#comment",
         "MinCountConstraintComponent"),
    }
    assert {(r.file, r.line) for r in results} == {("data/people/bad-person.ttl", 7)}
    member = next(r for r in results if r.path.endswith("memberOf"))
    assert member.value == f"<{PERSON}ales-bialiatski>"
    assert member.message == "A person can only be a member of an organisation."

    text = report.to_text()
    assert "person:nobody" not in text  # display prefixes are hrg:/hrid:/hrv:…
    assert "hrid:person/nobody  (data/people/bad-person.ttl:7)" in text
    assert "Violation: A person must have a name (rdfs:label). [property rdfs:label]" in text
    assert ("Violation: A person can only be a member of an organisation. "
            "[property hrg:memberOf, value hrid:person/ales-bialiatski]") in text
    assert text.rstrip().endswith("2 violations, 2 warnings in 2 resources.")


def test_sh_class_sees_subclasses_and_skos_concepts_without_inference(vproject):
    # good.ttl: memberOf a hrg:HumanRightsOrganisation (a subclass), topic a skos:Concept.
    report = validate_store(vproject, fill_store(vproject))
    assert by_focus(report, PERSON + "ales-bialiatski") == []


def test_inferred_graph_is_not_validated(vproject):
    add_file(vproject, "bad-person.ttl")
    store = fill_store(vproject)
    # An "inferred" triple that would make sh:class pass must not be seen.
    store.add(ox.Quad(ox.NamedNode(PERSON + "ales-bialiatski"),
                      ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode("https://w3id.org/hrgraph/ontology#Organisation"),
                      ox.NamedNode(vproject.inferred_graph)))
    report = validate_store(vproject, store)
    assert any(r.path and r.path.endswith("memberOf") for r in by_focus(report, PERSON + "nobody"))


def test_warnings_only_conform(vproject):
    add_file(vproject, "warning-only.ttl")
    report = validate_store(vproject, fill_store(vproject))
    quiet = by_focus(report, PERSON + "quiet")
    assert [r.severity for r in quiet] == ["Warning"]
    assert report.conforms and report.exit_code == 0
    assert report.warnings == 2


def test_checks_are_reported_like_shacl_results(vproject):
    (vproject.data_dir / "people" / "loner.ttl").write_text(
        "@prefix hrg: <https://w3id.org/hrgraph/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
        f"<{PERSON}loner> a hrg:Person ; rdfs:label \"Loner\" ; rdfs:comment \"x\" .\n")
    store = fill_store(vproject)
    report = validate_store(vproject, store)
    loner = by_focus(report, PERSON + "loner")
    assert [(r.severity, r.message, r.file, r.line) for r in loner] == [
        ("Warning", "This person is not a member of any organisation.",
         "data/people/loner.ttl", 4)]
    assert loner[0].constraint_component == "SPARQL check checks/person-without-membership"
    assert run_checks(vproject, store) == [
        ValidationResult("Warning", PERSON + "loner", None, None,
                         "This person is not a member of any organisation.", None,
                         "SPARQL check checks/person-without-membership")]


def test_check_severity_defaults_to_violation(vproject):
    (vproject.queries_dir / "checks" / "no-bhc.rq").write_text(
        "#+ summary: BHC must not exist\n"
        "SELECT ?focus WHERE { ?focus ?p ?o FILTER(?focus = "
        f"<{ORG}bhc>) }}\n")
    report = validate_store(vproject, fill_store(vproject))
    bhc = [r for r in by_focus(report, ORG + "bhc") if r.constraint_component.endswith("no-bhc")]
    assert len(bhc) == 1
    assert bhc[0].severity == "Violation" and bhc[0].message == "BHC must not exist"
    assert (bhc[0].file, bhc[0].line) == ("data/orgs.ttl", 9)
    assert not report.conforms


def test_run_checks_from_a_store_path_uses_a_worker(vproject):
    add_file(vproject, "warning-only.ttl")
    (vproject.data_dir / "people" / "loner.ttl").write_text(
        f"<{PERSON}loner> a <https://w3id.org/hrgraph/ontology#Person> .\n")
    store = fill_store(vproject)
    del store
    results = run_checks(vproject, vproject.store_path)
    assert [r.focus_node for r in results] == [PERSON + "loner"]


def test_report_formats(vproject):
    add_file(vproject, "bad-person.ttl")
    report = validate_store(vproject, fill_store(vproject))
    data = json.loads(report.to_json())
    assert data["conforms"] is False and data["violations"] == 2 and data["warnings"] == 2
    assert {"severity", "focus_node", "path", "value", "message", "source_shape",
            "constraint_component", "file", "line"} <= set(data["results"][0])
    graph = rdflib.Graph().parse(data=report.to_turtle(), format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert list(graph.objects(None, sh.conforms)) == [rdflib.Literal(False)]
    assert len(list(graph.subjects(rdflib.RDF.type, sh.ValidationResult))) == 4


def test_validate_files_reports_only_on_the_new_files(vproject):
    fill_store(vproject)  # built, then closed: validate_files opens it read-only
    report = validate_files(vproject, [FIXTURES / "validate_inputs" / "bad-person.ttl"])
    assert {r.focus_node for r in report.results} == {PERSON + "nobody"}  # not the BHC warning
    assert report.violations == 2 and report.warnings == 1
    label = next(r for r in report.results if r.path and r.path.endswith("label"))
    assert label.file == str(FIXTURES / "validate_inputs" / "bad-person.ttl")
    assert label.line == 7


def test_validate_files_refers_to_existing_resources(vproject):
    # warning-only.ttl points at organisation:bhc, defined only in the stored data.
    fill_store(vproject)
    report = validate_files(vproject, [FIXTURES / "validate_inputs" / "warning-only.ttl"])
    assert [(r.severity, r.path.rsplit("#")[-1]) for r in report.results] == [
        ("Warning", "comment")]
    assert report.conforms


def test_validate_files_without_a_store_uses_the_project_files(vproject):
    assert not vproject.store_path.exists()
    report = validate_files(vproject, [FIXTURES / "validate_inputs" / "warning-only.ttl"])
    assert report.conforms and report.warnings == 1
    report = validate_files(vproject, [FIXTURES / "validate_inputs" / "bad-person.ttl"])
    assert not report.conforms


def test_validate_files_replaces_the_stored_version_of_a_project_file(vproject):
    path = add_file(vproject, "bad-person.ttl")
    store = fill_store(vproject)
    path.write_text((FIXTURES / "validate_inputs" / "warning-only.ttl").read_text())
    report = validate_files(vproject, [path], store=store)
    assert report.conforms  # the stored, invalid version of the file is not mixed in
    assert {r.focus_node for r in report.results} == {PERSON + "quiet"}


def test_validate_files_runs_checks_on_the_new_files(vproject):
    new = vproject.root / "new.ttl"
    new.write_text(f"<{PERSON}loner> a <https://w3id.org/hrgraph/ontology#Person> ;\n"
                   "  <http://www.w3.org/2000/01/rdf-schema#label> \"L\" ;\n"
                   "  <http://www.w3.org/2000/01/rdf-schema#comment> \"c\" .\n")
    report = validate_files(vproject, [new])
    assert [(r.message, r.file, r.line) for r in report.results] == [
        ("This person is not a member of any organisation.", "new.ttl", 1)]


def test_validate_files_malformed_file_is_an_input_error(vproject, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://example.org/a> <http://example.org/p> .\n")
    with pytest.raises(InputError) as info:
        validate_files(vproject, [bad])
    assert info.value.line == 1


def test_nameless_focus_is_located_at_its_named_parent(vproject):
    (vproject.shapes_dir / "quote.ttl").write_text("""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix hrg: <https://w3id.org/hrgraph/ontology#> .
<https://w3id.org/hrgraph/shapes#QuoteShape> a sh:NodeShape ;
    sh:targetObjectsOf hrg:quote ;
    sh:property [ sh:path hrg:exact ; sh:minCount 1 ; sh:message "A quote needs its text." ] .
""")
    new = vproject.root / "quoted.ttl"
    new.write_text("@prefix hrg: <https://w3id.org/hrgraph/ontology#> .\n\n"
                   f"<{PERSON}q>\n  hrg:quote [ hrg:prefix \"x\" ] .\n")
    report = validate_files(vproject, [new])
    (result,) = report.results
    assert result.focus_node.startswith("_:")
    assert (result.file, result.line) == ("quoted.ttl", 3)
    assert "a nameless resource  (quoted.ttl:3)" in report.to_text()
    assert "_:" not in report.to_text()


def test_no_problems_text():
    assert ValidationReport(results=[]).to_text() == "No problems found."


def test_service_in_a_shacl_sparql_constraint_is_refused(vproject):
    import socket

    from rdflib.plugins.sparql.processor import SPARQLProcessor

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    port = listener.getsockname()[1]
    (vproject.shapes_dir / "remote.ttl").write_text(f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix hrg: <https://w3id.org/hrgraph/ontology#> .
<https://w3id.org/hrgraph/shapes#Remote> a sh:NodeShape ;
    sh:targetClass hrg:Person ;
    sh:sparql [ sh:select \"\"\"SELECT $this WHERE {{
        SERVICE <http://127.0.0.1:{port}/sparql> {{ $this ?p ?o }} }}\"\"\" ] .
""")
    original = SPARQLProcessor.query
    try:
        with pytest.raises(InputError, match="SERVICE"):
            validate_store(vproject, fill_store(vproject))
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    finally:
        listener.close()
    assert SPARQLProcessor.query is original  # the parse cache is removed again
