"""hrgraph.build: one graph per file, inferred triples, a summary; failures leave the store as it
was."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from hrgraph import reason
from hrgraph.build import build
from hrgraph.errors import InputError
from hrgraph.project import Project
from hrgraph.store import dump_nquads, graph_counts, open_store

G = "https://w3id.org/hrgraph/graph/"


def dump(project: Project) -> bytes:
    return dump_nquads(open_store(project, read_only=True))


def leftovers(project: Project) -> list[str]:
    return sorted(p.name for p in project.store_path.parent.iterdir()
                  if p.name.startswith(project.store_path.name + "."))


def test_build_loads_each_file_into_its_graph(mini_project: Project) -> None:
    messages: list[str] = []
    summary = build(mini_project, progress=messages.append)
    assert sorted(summary.graphs) == sorted([
        G + "data/demands", G + "inferred", G + "ontology/mini",
        G + "ontology/vocabularies/topics", G + "shapes/core", G + "suggestions/similar"])
    assert summary.graphs == graph_counts(open_store(mini_project, read_only=True))
    assert (summary.files, summary.demands, summary.actors, summary.documents) == (4, 1, 2, 1)
    assert summary.inferred == summary.graphs[G + "inferred"] == 9
    assert summary.seconds > 0
    assert "demands: 1, actors: 2, documents: 1" in summary.to_text()
    assert messages[0] == "parsing 4 files"
    assert leftovers(mini_project) == []


def test_removing_a_file_removes_exactly_its_triples(mini_project: Project) -> None:
    extra = mini_project.data_dir / "extra.ttl"
    extra.write_text("<http://example.org/s> <http://example.org/p> 1 .\n")
    with_extra = build(mini_project).graphs
    extra.unlink()
    without = build(mini_project).graphs
    assert with_extra.pop(G + "data/extra") == 1
    assert with_extra == without


def test_rebuilding_gives_the_same_store(mini_project: Project) -> None:
    build(mini_project)
    first = dump(mini_project)
    build(mini_project)
    assert dump(mini_project) == first


def test_a_bad_file_leaves_the_store_unchanged(mini_project: Project) -> None:
    build(mini_project)
    before = dump(mini_project)
    (mini_project.data_dir / "broken.ttl").write_text("<http://example.org/s> <http://x/p> .\n")
    with pytest.raises(InputError, match=r"broken\.ttl:1"):
        build(mini_project)
    assert dump(mini_project) == before
    assert leftovers(mini_project) == []


def test_a_failure_after_loading_leaves_the_store_unchanged(mini_project: Project,
                                                            monkeypatch) -> None:
    build(mini_project)
    before = dump(mini_project)

    def crash(project, store):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(reason, "materialise", crash)
    with pytest.raises(RuntimeError, match="interrupted"):
        build(mini_project, full=True)
    assert dump(mini_project) == before
    assert leftovers(mini_project) == []

    def crash_update(*args):  # the same in an incremental build
        raise RuntimeError("interrupted")

    monkeypatch.setattr(reason, "update", crash_update)
    with pytest.raises(RuntimeError, match="interrupted"):
        build(mini_project)
    assert dump(mini_project) == before
    assert leftovers(mini_project) == []


def test_a_project_without_files(tmp_path) -> None:
    with pytest.raises(InputError, match="no RDF files"):
        build(Project.open(tmp_path, store=tmp_path / "store"))


def test_context_documents_are_not_loaded(mini_project: Project) -> None:
    (mini_project.ontology_dir / "context.jsonld").write_text('{"@context": {"x": "http://x/"}}')
    assert build(mini_project).files == 4


def test_the_real_project_builds(built_project: Project) -> None:
    store = open_store(built_project, read_only=True)
    counts = graph_counts(store)
    assert G + "ontology/hrgraph" in counts
    assert counts.get(built_project.inferred_graph, 0) > 0
    for source in built_project.source_files():
        assert counts.get(source.graph, 0) > 0 or source.path.suffix == ".jsonld", source.path
    # nothing outside the files' graphs, the inferred graph and the suggestions (hrgraph.similar)
    allowed = {s.graph for s in built_project.source_files()} | {
        built_project.inferred_graph, G + "suggestions/similar"}
    assert set(counts) <= allowed
    assert not list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert set(reason.reasoning_graphs(built_project)) <= set(counts)
