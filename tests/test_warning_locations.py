"""Warnings and violations about a contributed Turtle file name the file and the line where the
resource is defined, in ``hrgraph add`` (dry run or not) as in ``hrgraph validate FILE``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hrgraph import contribute
from hrgraph.cli import main
from hrgraph.names import NameMatch
from hrgraph.project import Project
from hrgraph.validate import validate_files

# The person has no English name, no definition and no source: three warnings of the
# recommended shapes, all about the resource defined on line 7.
UNDESCRIBED = """\
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix person: <https://w3id.org/hrgraph/id/person/> .

# a person with only a Belarusian name

person:test-located-warning a foaf:Person ;
    skos:prefLabel "Тэст Лакацыя"@be .
"""

# Line 5 defines a resource outside the project's namespace: a violation of the safety checks.
OUTSIDE = """\
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .


<https://example.org/not-ours> a foaf:Person ;
    skos:prefLabel "Outside Namespace"@en .
"""


@pytest.fixture(scope="module")
def built_project(built_project: Project, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the session's built project: dry runs still use its .hrgraph/tmp."""
    target = tmp_path_factory.mktemp("locations") / "project"
    shutil.copytree(built_project.root, target, symlinks=True)
    return Project.open(target, store=target / "store")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_add_locates_warnings_on_a_turtle_file_by_line(built_project: Project,
                                                       tmp_path: Path) -> None:
    source = write(tmp_path, "undescribed.ttl", UNDESCRIBED)
    result = contribute.add_contribution(built_project, source, dry_run=True)
    warnings = [r for r in result.report.results if r.severity == "Warning"]
    assert len(warnings) >= 3
    assert {(r.file, r.line) for r in warnings} == {(str(source), 7)}
    assert f"hrid:person/test-located-warning  ({source}:7)" in result.to_text(built_project)


def test_add_locates_violations_on_a_turtle_file_by_line(built_project: Project,
                                                         tmp_path: Path) -> None:
    source = write(tmp_path, "outside.ttl", OUTSIDE)
    result = contribute.add_contribution(built_project, source, dry_run=True)
    assert not result.conforms
    outside = [r for r in result.report.results
               if r.focus_node == "https://example.org/not-ours"]
    assert outside and {(r.file, r.line) for r in outside} == {(str(source), 5)}


def test_validate_file_locates_the_same_warnings(built_project: Project,
                                                 tmp_path: Path) -> None:
    source = write(tmp_path, "undescribed.ttl", UNDESCRIBED)
    report = validate_files(built_project, [source])
    warnings = [r for r in report.results if r.severity == "Warning"]
    assert warnings and {r.line for r in warnings} == {7}
    added = contribute.add_contribution(built_project, source, dry_run=True).report
    assert sorted((r.message, r.line) for r in added.results if r.severity == "Warning") == (
        sorted((r.message, r.line) for r in warnings))


def test_the_cli_prints_file_and_line_for_add_dry_run(cli, built_project: Project,
                                                      tmp_path: Path) -> None:
    source = write(tmp_path, "undescribed.ttl", UNDESCRIBED)
    result = cli.invoke(main, ["--project", str(built_project.root), "--store",
                               str(built_project.store_path), "add", "--dry-run", str(source)])
    assert result.exit_code == 0, result.output
    assert f"{source}:7" in result.output


def test_a_possible_duplicate_warning_names_where_the_new_entity_is_defined(
        built_project: Project) -> None:
    """A possible (not likely) duplicate stays a warning; it says where the new one is."""
    new = "https://w3id.org/hrgraph/id/person/test-new"
    match = NameMatch(entity="https://w3id.org/hrgraph/id/person/marfa-rabkova",
                      name="Marfa Rabkova", new_name="M. Rabkova", score=0.7, level="low",
                      new_entity=new)
    result = contribute.AddResult("x", "g", Path("x.ttl"), False, 3,
                                  contribute.ValidationReport(results=[]), [match],
                                  dry_run=True, locations={new: "mine.ttl:12"})
    assert "Warning: mine.ttl:12: 'M. Rabkova' may be" in result.to_text(built_project)
    unlocated = contribute.AddResult("x", "g", Path("x.ttl"), False, 3,
                                     contribute.ValidationReport(results=[]), [match],
                                     dry_run=True)
    assert "Warning: 'M. Rabkova' may be" in unlocated.to_text(built_project)


def test_locations_cover_every_subject_of_the_contribution(built_project: Project,
                                                           tmp_path: Path) -> None:
    source = write(tmp_path, "undescribed.ttl", UNDESCRIBED)
    result = contribute.add_contribution(built_project, source, dry_run=True)
    assert result.locations == {
        "https://w3id.org/hrgraph/id/person/test-located-warning": f"{source}:7"}


# "M. Rabkova" is a possible (low-confidence) match of Marfa Rabkova: a warning, on line 8.
POSSIBLE_DUPLICATE = """\
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix person: <https://w3id.org/hrgraph/id/person/> .

# someone the source names by initial only

person:test-m-rabkova a foaf:Person ;
    skos:prefLabel "M. Rabkova"@en ;
    skos:definition "A person named by initial in a test."@en ;
    dcterms:source <https://spring96.org/en/news/82549> .
"""


def test_add_prints_where_a_possible_duplicate_is_defined(cli, built_project: Project,
                                                          tmp_path: Path) -> None:
    source = write(tmp_path, "m-rabkova.ttl", POSSIBLE_DUPLICATE)
    result = contribute.add_contribution(built_project, source, dry_run=True)
    [match] = result.duplicates
    assert match.entity.endswith("/person/marfa-rabkova")
    assert f"Warning: {source}:8: 'M. Rabkova' may be" in result.to_text(built_project)
    shown = cli.invoke(main, ["--project", str(built_project.root), "--store",
                              str(built_project.store_path), "add", "--dry-run", str(source)])
    assert f"{source}:8: 'M. Rabkova' may be" in shown.output
