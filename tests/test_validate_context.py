"""Validation in context reads a store generation's unchanging graphs once: the same report as
reading them afresh, and never a report of an older generation."""

from __future__ import annotations

from pathlib import Path

from hrgraph import store as stores
from hrgraph.build import build
from hrgraph.project import Project
from hrgraph.validate import validate_files

DEMAND = """
@prefix hrg: <https://w3id.org/hrgraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/hrgraph/id/demand/test-context-demand> a hrg:Demand ;
    skos:prefLabel "Abolish the death penalty"@en ;
    hrg:topic <https://w3id.org/hrgraph/vocab/topic/death-penalty> ;
    hrg:madeIn <https://w3id.org/hrgraph/id/document/concerted-position-2016> .
"""


def report(project: Project, path: Path, *, cached: bool) -> list[tuple]:
    generation = Path(stores.current_generation(project.store_path))
    store = stores.open_store_at(generation, read_only=True)
    found = validate_files(project, [path], store=store,
                           generation=generation if cached else None)
    return [(r.severity, r.focus_node, r.path, r.message) for r in found.results]


def test_a_new_generation_is_read_afresh(built_copy: Project, tmp_path: Path) -> None:
    project = built_copy
    path = tmp_path / "demand.ttl"
    path.write_text(DEMAND, encoding="utf-8")
    before = report(project, path, cached=True)
    assert report(project, path, cached=True) == before == report(project, path, cached=False)
    assert before == [(r.severity, r.focus_node, r.path, r.message)
                      for r in validate_files(project, [path]).results]
    # take the topic out of its vocabulary: the next generation's report says so
    topics = project.ontology_dir / "vocabularies" / "topics.ttl"
    text = topics.read_text(encoding="utf-8")
    start = text.index("\ntopic:death-penalty")
    end = text.index(" .\n", start) + 3
    topics.write_text(text[:start] + "\n" + text[end:], encoding="utf-8")
    build(project)
    after = report(project, path, cached=True)
    assert after != before
    assert after == report(project, path, cached=False)
    assert any("topic" in (r[2] or "") for r in after if r not in before), after
