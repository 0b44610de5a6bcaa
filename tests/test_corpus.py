"""The test corpus (tests/corpus.txt): what it holds, how a manifest is read, and that a named
corpus leaves merged contributions out."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS, REPO, copy_project, repo_project
from hrgraph.cli import main
from hrgraph.corpus import read_manifest
from hrgraph.errors import UsageError
from hrgraph.project import RDF_SUFFIXES, Project


def test_the_corpus_lists_every_curated_data_file() -> None:
    # A curated file that is not in the corpus would go untested; merged contributions
    # (data/contributions/) join it only when a maintainer adds them with their answers.
    curated = {p.relative_to(REPO).as_posix() for p in (REPO / "data").rglob("*")
               if p.suffix in RDF_SUFFIXES and not p.is_relative_to(REPO / "data" / "sources")
               and not p.is_relative_to(REPO / "data" / "contributions")}
    corpus = read_manifest(CORPUS, REPO)
    assert curated <= corpus
    assert {p for p in corpus if p.startswith("data/contributions/")} == corpus - curated


def test_a_corpus_project_loads_only_the_manifest_data(tmp_path: Path) -> None:
    project = copy_project(REPO, tmp_path / "p")
    (project.data_dir / "contributions").mkdir(exist_ok=True)
    extra = project.data_dir / "contributions" / "20260101T000000Z-00000000.ttl"
    extra.write_text("", encoding="utf-8")
    private = project.root / ".hrgraph" / "private" / "contributions"
    private.mkdir(parents=True)
    (private / "20260101T000000Z-11111111.ttl").write_text("", encoding="utf-8")
    manifest = tmp_path / "corpus.txt"
    manifest.write_text("# two files\ndata/actors/people.ttl\n\ndata/legal/provisions.ttl  # law\n",
                        encoding="utf-8")
    named = Project.open(project.root, store=tmp_path / "s", corpus=manifest)
    assert [f.path.relative_to(project.root).as_posix() for f in named.files_of_kind("data")] == [
        "data/actors/people.ttl", "data/legal/provisions.ttl"]
    assert named.files_of_kind("ontology") == Project.open(project.root).files_of_kind("ontology")
    from hrgraph.contribute import list_contributions, private_files

    assert private_files(named) == [] and list_contributions(named) == []
    whole = Project.open(project.root, store=tmp_path / "s")
    assert extra in [f.path for f in whole.files_of_kind("data")]
    assert len(private_files(whole)) == 1


@pytest.mark.parametrize(("line", "problem"), [
    ("/etc/passwd", "is not a path under data/"),
    ("data/../ontology/hrgraph.ttl", "is not a path under data/"),
    ("ontology/hrgraph.ttl", "is not a path under data/"),
    ("data/sources/README.md", "is not an RDF data file"),
    ("data/actors/nobody.ttl", "does not exist"),
    ("data/actors/people.ttl\ndata/actors/people.ttl", "is listed twice"),
])
def test_a_bad_manifest_line_is_named(tmp_path: Path, line: str, problem: str) -> None:
    manifest = tmp_path / "corpus.txt"
    manifest.write_text("# header\n" + line + "\n", encoding="utf-8")
    with pytest.raises(UsageError, match=problem) as error:
        read_manifest(manifest, REPO)
    assert f"corpus.txt, line {line.count(chr(10)) + 2}" in str(error.value)


def test_cli_corpus_option(cli, tmp_path: Path) -> None:
    manifest = tmp_path / "corpus.txt"
    manifest.write_text("data/actors/people.ttl\n", encoding="utf-8")
    project = copy_project(REPO, tmp_path / "p")
    result = cli.invoke(main, ["--project", str(project.root), "--corpus", str(manifest),
                               "--store", str(tmp_path / "store"), "stats", "--json"])
    assert result.exit_code == 3, result.output  # nothing built yet: a store error, not a crash
    result = cli.invoke(main, ["--project", str(project.root), "--corpus", str(tmp_path / "no"),
                               "stats"])
    assert result.exit_code == 2
    assert "cannot read the corpus manifest" in result.stderr


def test_repo_project_is_the_corpus() -> None:
    assert {f.path.relative_to(REPO).as_posix() for f in repo_project().files_of_kind("data")} \
        == read_manifest(CORPUS, REPO)


@pytest.mark.parametrize("corpus", [True, False])
def test_files_of_graphs_are_the_files_of_kind_holding_those_graphs(tmp_path: Path,
                                                                    corpus: bool) -> None:
    """Found from graph IRIs (the validation report's file names) as by listing every file."""
    project = repo_project() if corpus else Project.open(REPO)
    kinds = ("data", "ontology", "vocabulary")
    every = project.files_of_kind(*kinds)
    graphs = [f.graph for f in every[::3]] + [project.graph_base + "shapes/core",
                                              project.graph_base + "data/nothing-here",
                                              project.graph_base + "data/../ontology/hrgraph",
                                              "https://example.org/data/actors/people"]
    assert project.files_of_graphs(graphs, *kinds) == [f for f in every if f.graph in graphs]
    assert project.files_of_graphs([f.graph for f in every], *kinds) == every
    # a file outside the corpus holds no graph of it
    outside = [f for f in Project.open(REPO).files_of_kind("data") if not project.in_corpus(f.path)]
    if corpus and outside:
        assert project.files_of_graphs([outside[0].graph], "data") == []
