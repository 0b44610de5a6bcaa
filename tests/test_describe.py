"""hrgraph.describe and `hrgraph release`: the release folder, its VoID/DCAT description,
CITATION.cff and CHANGELOG.md."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

from hrgraph import stats as statistics
from hrgraph.cli import main
from hrgraph.project import Project

DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
SPDX = "http://spdx.org/rdf/terms#"
FORMATS = {".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf"}


def run(cli, project: Project, *args: str):
    return cli.invoke(main, ["-q", "--project", str(project.root), "--store",
                             str(project.store_path), *args])


@pytest.fixture(scope="module")
def releases(built_project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """releases/0.1.0 written by `hrgraph release` (with a SPARQL endpoint named)."""
    from click.testing import CliRunner

    folder = tmp_path_factory.mktemp("releases")
    result = run(CliRunner(), built_project, "release", "0.1.0", "-o", str(folder / "0.1.0"),
                 "--date", "2026-01-15", "--endpoint", "http://localhost:7878/query")
    assert result.exit_code == 0, result.output + result.stderr
    return folder


def description(folder: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(folder / "description.ttl"), format=ox.RdfFormat.TURTLE)
    return store


def values(store: ox.Store, s: ox.NamedNode | None, p: str) -> list:
    return [q.object for q in store.quads_for_pattern(s, ox.NamedNode(p), None)]


def test_the_folder_has_every_format_ontology_shapes_description_and_citation(
        releases: Path) -> None:
    folder = releases / "0.1.0"
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {f"hrgraph-0.1.0{s}" for s in FORMATS} <= names
    assert {"ontology/hrgraph.ttl", "ontology/context.jsonld",
            "ontology/vocabularies/statuses.ttl", "shapes/core.ttl", "shapes/recommended.ttl",
            "description.ttl", "CITATION.cff"} <= names
    assert "CHANGELOG.md" not in names  # no earlier release next to it
    assert not list(releases.glob(".*")), "no partial folder is left behind"


def test_counts_are_those_of_stats_over_the_exported_graphs(releases: Path,
                                                           built_project: Project) -> None:
    exported = ox.Store()
    exported.load(path=str(releases / "0.1.0" / "hrgraph-0.1.0.nq"), format=ox.RdfFormat.N_QUADS)
    expected = statistics.stats(exported, built_project)
    store = description(releases / "0.1.0")
    dataset = ox.NamedNode("https://w3id.org/hrgraph/dataset/0.1.0")

    def number(p: str) -> int:
        return int(values(store, dataset, p)[0].value)

    assert number(VOID + "triples") == sum(n for _, n in expected.graphs)
    assert number(VOID + "classes") == len(expected.classes)
    partitions = {values(store, part, VOID + "class")[0].value:
                  int(values(store, part, VOID + "entities")[0].value)
                  for part in values(store, dataset, VOID + "classPartition")}
    assert partitions == dict(expected.classes)
    assert number(VOID + "entities") > 0 and number(VOID + "properties") > 0
    demands = {q.subject for q in exported.quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("https://w3id.org/hrgraph/ontology#Demand"))}
    examples = values(store, dataset, VOID + "exampleResource")
    assert examples and set(examples) <= demands


def test_the_description_names_licence_version_date_publisher_endpoint(releases: Path) -> None:
    store = description(releases / "0.1.0")
    dataset = ox.NamedNode("https://w3id.org/hrgraph/dataset/0.1.0")
    assert values(store, dataset, DCTERMS + "license") == [
        ox.NamedNode("https://creativecommons.org/licenses/by/4.0/")]
    assert values(store, dataset, DCAT + "version")[0].value == "0.1.0"
    assert str(values(store, dataset, DCTERMS + "issued")[0]) == (
        '"2026-01-15"^^<http://www.w3.org/2001/XMLSchema#date>')
    assert values(store, dataset, DCTERMS + "publisher")
    assert values(store, dataset, DCTERMS + "title")[0].language == "en"
    assert values(store, dataset, VOID + "sparqlEndpoint") == [
        ox.NamedNode("http://localhost:7878/query")]


def test_every_distribution_has_media_type_size_and_checksum_of_its_file(releases: Path) -> None:
    folder = releases / "0.1.0"
    store = description(folder)
    seen = set()
    for node in values(store, None, DCAT + "distribution"):
        if not values(store, node, DCAT + "downloadURL"):
            continue  # the SPARQL endpoint
        name = values(store, node, DCTERMS + "identifier")[0].value
        data = (folder / name).read_bytes()
        assert int(values(store, node, DCAT + "byteSize")[0].value) == len(data)
        checksum = values(store, node, SPDX + "checksum")[0]
        assert values(store, checksum, SPDX + "algorithm") == [
            ox.NamedNode(SPDX + "checksumAlgorithm_sha256")]
        assert values(store, checksum, SPDX + "checksumValue")[0].value == (
            hashlib.sha256(data).hexdigest())
        media = values(store, node, DCAT + "mediaType")[0].value
        assert media.startswith("http://www.iana.org/assignments/media-types/")
        seen.add(Path(name).suffix)
    assert seen == FORMATS


def test_citation_cff_has_what_a_doi_deposit_needs(releases: Path) -> None:
    cff = yaml.safe_load((releases / "0.1.0" / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "dataset"
    assert cff["version"] == "0.1.0" and str(cff["date-released"]) == "2026-01-15"
    assert cff["license"] == "CC-BY-4.0"
    assert cff["title"] and cff["abstract"] and cff["keywords"]
    assert cff["authors"] and all("name" in a for a in cff["authors"])  # an entity


def test_a_release_is_reproducible_and_says_what_changed_since_the_previous(
        cli, built_project: Project, releases: Path, tmp_path: Path) -> None:
    # an earlier release in which one person was missing and Viasna had another name
    earlier = tmp_path / "0.0.9"
    shutil.copytree(releases / "0.1.0", earlier)
    (earlier / "hrgraph-0.1.0.nq").rename(earlier / "hrgraph-0.0.9.nq")
    lines = (earlier / "hrgraph-0.0.9.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(
        "<https://w3id.org/hrgraph/id/person/aliaksandr-alesin> ")]
    (earlier / "hrgraph-0.0.9.nq").write_text("".join(kept), encoding="utf-8")

    again = tmp_path / "0.1.0"
    result = run(cli, built_project, "release", "0.1.0", "-o", str(again), "--date",
                 "2026-01-15", "--endpoint", "http://localhost:7878/query")
    assert result.exit_code == 0, result.stderr
    for name in ("hrgraph-0.1.0.ttl", "hrgraph-0.1.0.jsonld", "description.ttl",
                 "CITATION.cff"):
        assert (again / name).read_bytes() == (releases / "0.1.0" / name).read_bytes(), name
    changes = (again / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changes.startswith("# hrgraph 0.1.0 (2026-01-15)\n\nChanges since 0.0.9:")
    assert ("- Added person “Aliaksandr Alesin” "
            "<https://w3id.org/hrgraph/id/person/aliaksandr-alesin>") in changes


def test_an_existing_folder_or_a_bad_version_is_refused(cli, built_project: Project,
                                                        releases: Path) -> None:
    result = run(cli, built_project, "release", "0.1.0", "-o", str(releases / "0.1.0"))
    assert result.exit_code == 2 and "exists already" in result.stderr
    result = run(cli, built_project, "release", "../x", "-o", str(releases / "x"))
    assert result.exit_code == 2 and "version" in result.stderr
