"""The graph holds exactly the demands of the hand-written gold inventory: nothing missing, nothing
extra.

The gold files (tests/gold/*.csv, see tests/gold/README.md) were written by hand from the source
text, independently of data/. Each demand is compared on its point, quote, action type, targets,
addressee, actor and the action of the larger demand it belongs to; the words that name its
target must be the refinement of its quote selector.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF

from conftest import REPO, repo_project

GOLD = Path(__file__).resolve().parent / "gold"
HRG = rdflib.Namespace("https://w3id.org/hrgraph/ontology#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
ID = "https://w3id.org/hrgraph/id/"
TARGETS = [HRG.concerns, HRG.concernsPerson, HRG.concernsOrganisation, HRG.concernsGroup,
           HRG.concernsLegalProvision, HRG.concernsMechanism, HRG.concernsPlace]


@pytest.fixture(scope="module")
def data() -> rdflib.Graph:
    graph = rdflib.Graph()
    for source in repo_project().files_of_kind("data"):
        graph.parse(source.path)
    return graph


def _slug(node: rdflib.term.Node) -> str:
    return str(node).rsplit("/", 1)[-1]


def _ancestors(graph: rdflib.Graph, node: rdflib.term.Node):
    parent = graph.value(node, HRG.partOf)
    while parent is not None:
        yield parent
        parent = graph.value(parent, HRG.partOf)


def _point_name(graph: rdflib.Graph, demand: rdflib.term.Node, document: str) -> str:
    for ancestor in _ancestors(graph, demand):
        if (ancestor, RDF.type, HRG.Point) in graph:
            local = _slug(ancestor).removeprefix(document + "-")
            return local.rsplit("-", 1)[-1] if "-b" in local else local
    return "title"


def _part_of(graph: rdflib.Graph, demand: rdflib.term.Node) -> str:
    for ancestor in _ancestors(graph, demand):
        if (ancestor, RDF.type, HRG.Demand) in graph:
            return _slug(graph.value(ancestor, HRG.actionType))
    return ""


def _iris(values) -> str:
    return " ".join(sorted(str(v) for v in values))


def _graph_rows(graph: rdflib.Graph, document: str) -> list[tuple[tuple, str]]:
    doc = rdflib.URIRef(ID + "document/" + document)
    rows = []
    for demand in graph.subjects(HRG.madeIn, doc):
        if (demand, RDF.type, HRG.Demand) not in graph:
            continue
        targets = {t for p in TARGETS for t in graph.objects(demand, p)}
        key = (
            _point_name(graph, demand, document),
            str(graph.value(demand, HRG.quote)),
            _slug(graph.value(demand, HRG.actionType)),
            _iris(targets),
            _iris(graph.objects(demand, HRG.addressee)),
            _iris(graph.objects(demand, HRG.actorAskedToAct)),
            _part_of(graph, demand),
        )
        selector = graph.value(graph.value(demand, HRG.quotedFrom), OA.hasSelector)
        refinement = graph.value(selector, OA.refinedBy)
        target_text = str(graph.value(refinement, OA.exact)) if refinement is not None else ""
        rows.append((key, target_text))
    return rows


def _gold_rows(name: str) -> list[tuple[tuple, str]]:
    with (GOLD / name).open(encoding="utf-8", newline="") as f:
        return [((r["point"], r["quote"], r["action"], _iris(r["targets"].split()),
                  _iris(r["addressee"].split()), _iris(r["actor"].split()), r["part_of"]),
                 r["target_text"]) for r in csv.DictReader(f)]


@pytest.mark.parametrize(("gold", "document"), [
    ("concerted-position-2016-demands.csv", "concerted-position-2016"),
    ("related-2020-demands.csv", "rabkova-release-2020"),
])
def test_graph_holds_exactly_the_gold_demands(data: rdflib.Graph, gold: str,
                                              document: str) -> None:
    expected = _gold_rows(gold)
    actual = _graph_rows(data, document)
    missing = Counter(k for k, _ in expected) - Counter(k for k, _ in actual)
    extra = Counter(k for k, _ in actual) - Counter(k for k, _ in expected)
    assert (dict(missing), dict(extra)) == ({}, {})
    # The words naming each target are the refinement of the demand's quote selector.
    refinements = {(key, text) for key, text in actual}
    for key, text in expected:
        if text:
            assert (key, text) in refinements, (key, text)


def test_gold_quotes_are_verbatim() -> None:
    source = (REPO / "data" / "sources" / "concerted-position-belarus.txt").read_text("utf-8")
    for name in ("concerted-position-2016-demands.csv", "related-2020-demands.csv"):
        for (point, quote, *_), target_text in _gold_rows(name):
            assert quote in source, (point, quote)
            assert target_text in quote
