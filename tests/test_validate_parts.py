"""Validation a part at a time (hrgraph.validate.validate_in_parts) gives the results of
validating the whole graph at once (validate_store), whatever the size of the parts: on the real
corpus with planted problems of every reach (a focus node's own triple, two steps away, a
resource with no triples of its own that is a ``sh:targetObjectsOf`` focus, a shape comparing
siblings, a SPARQL check)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from hrgraph import store as stores
from hrgraph.build import build
from hrgraph.project import Project
from hrgraph.validate import (
    VALIDATED_KINDS,
    _graph_kind,
    _part_context,
    validate_in_parts,
    validate_store,
)

STATEMENT = Path("data/documents/concerted-position-2016.ttl")

PLANTED = """
@prefix hrg: <https://w3id.org/hrgraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix demand: <https://w3id.org/hrgraph/id/demand/> .
@prefix person: <https://w3id.org/hrgraph/id/person/> .

# a person pointed at and never described: a sh:targetObjectsOf focus only
person:marfa-rabkova hrg:possiblySameAs person:nobody-described-here .
"""


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Project:
    from conftest import REPO, copy_project

    project = copy_project(REPO, tmp_path_factory.mktemp("parts") / "project")
    statement = project.root / STATEMENT
    text = statement.read_text(encoding="utf-8")
    # a demand without its document (its own triple), a quote that no longer matches its
    # selector (two steps away)
    text = text.replace("    hrg:madeIn document:concerted-position-2016 ;\n", "", 1)
    quote = "To continue ensuring international scrutiny over the human rights situation in Belarus"
    assert quote in text
    text = text.replace(f'hrg:quote "{quote}"@en', f'hrg:quote "{quote} (edited)"@en')
    statement.write_text(text, encoding="utf-8")
    (project.data_dir / "planted.ttl").write_text(PLANTED, encoding="utf-8")
    build(project, full=True)
    return project


def results(report) -> list[tuple]:
    return sorted((tuple(str(v) for v in vars(r).values()) for r in report.results), key=repr)


@pytest.mark.parametrize("part_triples", [1, 2000, 10**8])
def test_every_part_size_gives_the_whole_graph_s_results(planted: Project,
                                                          part_triples: int) -> None:
    store = stores.open_store(planted, read_only=True)
    whole = validate_store(planted, store)
    assert whole.violations >= 2 and whole.warnings > 0  # the planted problems are found
    calls: list[tuple[int, int]] = []
    parts = validate_in_parts(planted, store, part_triples=part_triples,
                              progress=lambda done, total: calls.append((done, total)))
    assert results(parts) == results(whole)
    assert calls and calls[-1][0] == calls[-1][1]


def test_a_part_size_below_one_is_refused(planted: Project) -> None:
    with pytest.raises(ValueError):
        validate_in_parts(planted, stores.open_store(planted, read_only=True), part_triples=0)


def test_a_build_validating_by_parts_reports_as_one_validating_the_whole(
        planted: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    import hrgraph.build

    whole = build(planted, full=True)
    monkeypatch.setattr(hrgraph.build, "PARTS_ABOVE", 0)  # every build goes by parts
    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        return validate_in_parts(*args, **kwargs)

    monkeypatch.setattr(hrgraph.build, "validate_in_parts", counted)
    parts = build(planted, full=True)
    assert len(calls) == 1
    assert results(parts.report) == results(whole.report)
    assert (parts.violations, parts.warnings, parts.graphs) == (
        whole.violations, whole.warnings, whole.graphs)
    assert whole.violations >= 2


def _validated(project: Project, store) -> list[ox.NamedNode]:
    """The validated graphs in order, as validate_in_parts takes them."""
    return sorted((g for g in store.named_graphs() if _graph_kind(project, g.value)
                   in VALIDATED_KINDS), key=lambda g: g.value)


def test_a_part_s_context_leaves_out_other_files_instances_of_a_class_described_nowhere(
        planted: Project) -> None:
    """A class no validated graph describes (``oa:TextQuoteSelector``) is pointed at by every
    selector of the graph: the context of one file must not bring the others' in (at 1M it
    brought 90,000 type triples into every part, and the parts grew with the graph)."""
    store = stores.open_store(planted, read_only=True)
    validated = _validated(planted, store)
    letter = next(g for g in validated if g.value.endswith("open-letter-2015-12-09"))
    selector = "http://www.w3.org/ns/oa#TextQuoteSelector"
    typed = {q.subject for q in store.quads_for_pattern(None, None, None, letter)
             if q.object.value == selector}
    assert typed  # the letter's own selectors, and every other file's, are of that class
    context = list(_part_context(planted, store, [letter], validated))
    in_context = {q.subject for q in context if q.object.value == selector}
    assert typed <= in_context
    others = {q.subject for q in store.quads_for_pattern(None, None, ox.NamedNode(selector))}
    assert others - typed  # there are other files' selectors to leave out ...
    # ... and only those the letter's resources reach come in (a quote it cites, two steps)
    reached = {q.object for q in context} | {q.subject for q in context
                                             if q.subject not in in_context}
    assert in_context - typed <= reached
    assert len(in_context) < len(others)


def test_the_ontology_s_context_leaves_out_the_instances_of_a_range_described_nowhere(
        planted: Project) -> None:
    """``hrg:quotedFrom rdfs:range oa:SpecificResource``: the ontology points at a class no
    validated graph describes; the part holding the ontology must not bring in the type triple
    of every quote of the graph (at 10M, 469,724 of them came into one part)."""
    store = stores.open_store(planted, read_only=True)
    validated = _validated(planted, store)
    ontology = [g for g in validated if _graph_kind(planted, g.value) == "ontology"]
    quote = ox.NamedNode("http://www.w3.org/ns/oa#SpecificResource")
    assert any(store.quads_for_pattern(None, None, quote, ontology[0]))
    assert any(store.quads_for_pattern(None, None, quote))
    context = _part_context(planted, store, ontology, validated)
    assert not [q for q in context if q.object == quote
                and q.predicate.value.endswith("#type")]
