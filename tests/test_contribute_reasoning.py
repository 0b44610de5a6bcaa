"""What ``add`` and ``remove`` change in the inferred graph, computed from the contribution and
the axioms alone, equals recomputing the closure of the whole graph (the exhaustive reference)."""

from __future__ import annotations

from types import SimpleNamespace

import pyoxigraph as ox
import pytest

from hrgraph import contribute, reason
from hrgraph import store as stores
from hrgraph.project import Project

PREFIXES = """
@prefix hrg: <https://w3id.org/hrgraph/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix document: <https://w3id.org/hrgraph/id/document/> .
@prefix organisation: <https://w3id.org/hrgraph/id/organisation/> .
@prefix demand: <https://w3id.org/hrgraph/id/demand/> .
@prefix legal: <https://w3id.org/hrgraph/id/legal/> .
"""

CONTRIBUTIONS = {
    # new facts whose entailments run through subproperties, inverses and subclasses
    "new": """
        document:test-statement a hrg:JointStatement ;
            hrg:signatory organisation:viasna .
        demand:test-demand a hrg:Demand ;
            hrg:madeIn document:test-statement ;
            hrg:concernsLegalProvision legal:belarus-criminal-code-article-193-1 .
        """,
    # facts the graph already entails (an inverse, a superproperty) next to a new one
    "already-entailed": """
        organisation:viasna hrg:signed document:concerted-position-2016 .
        document:concerted-position-2016 dcterms:creator organisation:viasna ;
            skos:altLabel "test"@en .
        """,
    # an axiom: the fast path must step aside for the exhaustive one
    "axiom": """
        hrg:TestStatement a <http://www.w3.org/2002/07/owl#Class> ;
            <http://www.w3.org/2000/01/rdf-schema#subClassOf> hrg:JointStatement .
        document:test-statement-2 a hrg:TestStatement ; hrg:signatory organisation:viasna .
        """,
}


def _quads(project: Project, name: str) -> list[ox.Quad]:
    graph = ox.NamedNode(contribute._graph_of(project, f"test-{name}", False))
    return [ox.Quad(t.subject, t.predicate, t.object, graph)
            for t in ox.parse(PREFIXES + CONTRIBUTIONS[name], format=ox.RdfFormat.TURTLE)]


@pytest.fixture
def store(built_copy: Project) -> ox.Store:
    """A writable copy of the built real store."""
    target = built_copy.root / "store-copy"
    stores.open_store(built_copy, read_only=True).backup(str(target))
    return stores.open_store_at(target)


@pytest.mark.parametrize("name", sorted(CONTRIBUTIONS))
def test_add_entails_what_the_whole_closure_adds(built_copy: Project, store: ox.Store,
                                                 name: str) -> None:
    quads = _quads(built_copy, name)
    fast = contribute._new_inferences(built_copy, store, quads)
    exhaustive = contribute._new_inferences(built_copy, store, quads, exhaustive=True)
    assert fast == exhaustive
    if name == "new":  # not vacuous: the inverse, the superproperty and the superclass
        inferred = {(q.subject.value, q.predicate.value) for q in fast}
        assert ("https://w3id.org/hrgraph/id/organisation/viasna",
                "https://w3id.org/hrgraph/ontology#signed") in inferred
        assert ("https://w3id.org/hrgraph/id/demand/test-demand",
                "https://w3id.org/hrgraph/ontology#concerns") in inferred
        assert any(q.object.value.endswith("#Document") for q in fast)


@pytest.mark.parametrize("name", sorted(CONTRIBUTIONS))
def test_remove_leaves_what_the_whole_closure_leaves(built_copy: Project, store: ox.Store,
                                                     name: str) -> None:
    """As after a build with the contribution among the data files: its graph is in the store
    and the inferred graph is the closure of everything."""
    quads = _quads(built_copy, name)
    store.extend(quads)
    target = ox.NamedNode(built_copy.inferred_graph)
    store.remove_graph(target)
    store.extend(ox.Quad(s, p, o, target) for s, p, o in reason.infer(
        contribute._reasoning_quads(built_copy, store, private=False)))
    info = SimpleNamespace(graph=quads[0].graph_name.value, confidential=False)
    fast = contribute._inference_change(built_copy, store, info)
    exhaustive = contribute._inference_change(built_copy, store, info, exhaustive=True)
    assert fast == exhaustive
    gone, new = fast
    if name == "new":
        assert gone and not new
    if name == "already-entailed":  # what the contribution asserted is entailed again
        signed = (ox.NamedNode("https://w3id.org/hrgraph/id/organisation/viasna"),
                  ox.NamedNode("https://w3id.org/hrgraph/ontology#signed"),
                  ox.NamedNode("https://w3id.org/hrgraph/id/document/concerted-position-2016"))
        assert signed in new and signed not in gone
        assert not any(True for _ in store.quads_for_pattern(*signed, target))


def test_premises_run_the_closure_backwards() -> None:
    a, b, c = (ox.NamedNode(f"http://example.org/{x}") for x in "abc")
    p, q, r = (ox.NamedNode(f"http://example.org/{x}") for x in "pqr")
    axioms = reason.Axioms()
    axioms.add(p, ox.NamedNode(reason.SUBPROPERTY), q)
    axioms.add(q, ox.NamedNode(reason.INVERSE), r)
    for triple in axioms.closure([(a, p, b)]):
        assert (a, p, b) in axioms.premises(triple)
    assert axioms.premises((b, r, a)) == {(b, r, a), (a, q, b), (a, p, b)}
    assert axioms.premises((c, p, a)) == {(c, p, a)}


def test_fixture_store_is_separate(built_copy: Project, store: ox.Store) -> None:
    before = len(stores.open_store(built_copy, read_only=True))
    store.add(ox.Quad(ox.NamedNode("http://example.org/x"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("x"), ox.NamedNode("http://example.org/g")))
    assert len(stores.open_store(built_copy, read_only=True)) == before
