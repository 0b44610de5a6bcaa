"""The quality checks of queries/checks/: silent on the real data, and each finds exactly the defect
planted for it in a copy of the project; `hrgraph validate` reports their rows like SHACL results.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, copy_project
from hrgraph.cli import main
from hrgraph.project import Project
from hrgraph.query import list_queries, run_saved
from hrgraph.store import open_store

ID = "https://w3id.org/hrgraph/id/"

#: One file of defects, each made to trip exactly one check.
PLANTED = """\
@prefix hrg:    <https://w3id.org/hrgraph/ontology#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix foaf:   <http://xmlns.com/foaf/0.1/> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix status: <https://w3id.org/hrgraph/vocab/status/> .
@prefix id:     <https://w3id.org/hrgraph/id/> .

# demand-without-quote
<https://w3id.org/hrgraph/id/demand/planted-no-quote> a hrg:Demand ;
    skos:prefLabel "A planted demand without a quote"@en .

# iri-outside-namespace
<http://example.org/planted-provision> a hrg:LegalProvision ;
    skos:prefLabel "A planted provision outside the namespace"@en .

# person-without-english-name
<https://w3id.org/hrgraph/id/person/planted-no-english> a foaf:Person ;
    skos:prefLabel "Падстаўны Чалавек"@be .

# target-without-label (the target is untyped, so no other check sees it)
<https://w3id.org/hrgraph/id/demand/planted-nameless-target> a hrg:Demand ;
    hrg:quote "Release the planted person"@en ;
    skos:prefLabel "A planted demand on a nameless person"@en ;
    hrg:concernsPerson <https://w3id.org/hrgraph/id/person/planted-nameless> .

# untrimmed-label
<https://w3id.org/hrgraph/id/organisation/planted-untrimmed> a org:Organization ;
    skos:prefLabel "Planted Untrimmed"@en ;
    skos:altLabel "Planted Untrimmed "@en .

# assessment-without-evidence: a URL not described as a web source (an assessment with no
# evidence at all is the shape hrsh:Assessment-evidenceNeeded's, not this check's)
<https://w3id.org/hrgraph/id/assessment/planted-no-evidence> a hrg:Assessment ;
    hrg:assessedDemand <https://w3id.org/hrgraph/id/demand/concerted-position-2016-c2-2> ;
    hrg:status status:not-met .
<https://w3id.org/hrgraph/id/assessment/planted-undescribed-evidence> a hrg:Assessment ;
    hrg:assessedDemand <https://w3id.org/hrgraph/id/demand/concerted-position-2016-c2-2> ;
    hrg:status status:not-met ;
    hrg:evidence <https://example.org/undescribed-page> .
"""

#: check → the (focus, value) rows it must return on the planted file ("" when no value column).
EXPECTED = {
    "checks/demand-without-quote": {(ID + "demand/planted-no-quote", "")},
    "checks/iri-outside-namespace": {("http://example.org/planted-provision", "")},
    "checks/person-without-english-name": {(ID + "person/planted-no-english", "")},
    "checks/target-without-label": {(ID + "demand/planted-nameless-target",
                                     ID + "person/planted-nameless")},
    "checks/untrimmed-label": {(ID + "organisation/planted-untrimmed", "Planted Untrimmed ")},
    "checks/assessment-without-evidence": {
        (ID + "assessment/planted-undescribed-evidence", "https://example.org/undescribed-page")},
}

CHECKS = sorted(q.name for q in list_queries(Project.open(REPO)) if q.name.startswith("checks/"))


def found(project: Project, store, name: str) -> set[tuple[str, str]]:
    result = run_saved(project, name, {}, store=store)
    return {(row["focus"].value, row["value"].value if row.get("value") is not None else "")
            for row in result.rows}


@pytest.fixture(scope="module")
def built_store(built_project):
    return open_store(built_project, read_only=True)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the project with the planted defects, built once for this module."""
    from hrgraph.build import build

    project = copy_project(REPO, tmp_path_factory.mktemp("planted") / "project")
    (project.data_dir / "planted-defects.ttl").write_text(PLANTED, encoding="utf-8")
    build(project)
    return project


@pytest.fixture(scope="module")
def planted_store(planted):
    return open_store(planted, read_only=True)


def test_every_check_has_a_planted_defect() -> None:
    assert sorted(EXPECTED) == CHECKS


@pytest.mark.parametrize("name", CHECKS)
def test_check_is_silent_on_the_real_data(built_project, built_store, name: str) -> None:
    assert found(built_project, built_store, name) == set()


@pytest.mark.parametrize("name", CHECKS)
def test_check_finds_exactly_its_planted_defect(planted, planted_store, name: str) -> None:
    assert found(planted, planted_store, name) == EXPECTED[name]


def run(project: Project, *args: str):
    return CliRunner().invoke(main, ["--project", str(project.root), "--store",
                                     str(project.store_path), *args])


def test_validate_reports_check_rows_like_shacl_results_and_fails_on_violations(planted) -> None:
    result = run(planted, "validate", "--format", "json")
    assert result.exit_code == 1, result.stderr
    import json

    report = json.loads(result.stdout)
    from_checks = {(r["constraint_component"], r["focus_node"], r["severity"])
                   for r in report["results"]
                   if (r["constraint_component"] or "").startswith("SPARQL check ")}
    severity = {q.name: q.severity for q in list_queries(planted)}
    assert from_checks == {(f"SPARQL check {name}", focus, severity[name])
                           for name, rows in EXPECTED.items() for focus, _ in rows}
    text = run(planted, "validate").stdout
    assert "hrid:demand/planted-no-quote  (data/planted-defects.ttl:9)" in text
    assert "  Violation: This demand has no quote: add hrg:quote" in text


def test_validate_exits_0_when_only_warning_checks_fire(built_project, tmp_path: Path) -> None:
    warnings_only = tmp_path / "warnings.ttl"
    warnings_only.write_text(
        PLANTED.split("# demand-without-quote")[0]
        + PLANTED.split("# person-without-english-name")[1].split("# target-without-label")[0]
        + "# untrimmed" + PLANTED.split("# untrimmed-label")[1].split("# assessment")[0],
        encoding="utf-8")
    result = run(built_project, "validate", str(warnings_only))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert ("  Warning: No English name (skos:prefLabel with @en): add the name as it is "
            "written in English sources.") in result.stdout
    assert ('  Warning: This name starts or ends with white space: trim it. '
            '[value "Planted Untrimmed "@en]') in result.stdout
    assert "0 violations" in result.stdout
