"""hrgraph.reason: the fast materialisation equals owlrl's closure cut down to the four rules."""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import rdflib

from hrgraph import reason, terms
from hrgraph.build import build
from hrgraph.project import Project
from hrgraph.store import open_store

EX = "http://example.org/"

HAND_MADE = f"""
@prefix ex: <{EX}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .

# class chain of three, and a second parent
ex:A rdfs:subClassOf ex:B . ex:B rdfs:subClassOf ex:C . ex:C rdfs:subClassOf ex:D .
ex:A rdfs:subClassOf ex:E .
ex:C rdfs:subClassOf owl:Thing .
# a cycle is harmless
ex:X rdfs:subClassOf ex:Y . ex:Y rdfs:subClassOf ex:X .
# property chain, an inverse (declared one way), and a sub-property of the inverse
ex:p rdfs:subPropertyOf ex:q . ex:q rdfs:subPropertyOf ex:r .
ex:r owl:inverseOf ex:rInv .
ex:rInv rdfs:subPropertyOf ex:related .
# a property whose sub-property's triples carry a type (p2 ⊑ rdf:type is not used; kept simple)
ex:label rdfs:subPropertyOf rdfs:label .
# axioms hrgraph must ignore
ex:q rdfs:domain ex:Domain . ex:q rdfs:range ex:Range .
ex:sym a owl:SymmetricProperty . ex:trans a owl:TransitiveProperty .

ex:a a ex:A ; ex:p ex:b ; ex:label "a label"@en ; ex:sym ex:c ; ex:trans ex:d .
ex:d ex:trans ex:e .
ex:b ex:rInv ex:f .
ex:x a ex:X .
ex:lit ex:r "a literal has no inverse" .

# property chains (OWL 2 RL prp-spo2): one closing a property under a hierarchy, as hrg:topic is
# closed under skos:broader, reached through a sub-property and passing its triples up to a
# super-property; one of two other properties; a hierarchy with a cycle
ex:topic owl:propertyChainAxiom ( ex:topic ex:broader ) ; rdfs:subPropertyOf ex:subject .
ex:narrowTopic rdfs:subPropertyOf ex:topic .
ex:leaf ex:broader ex:mid . ex:mid ex:broader ex:root . ex:other ex:closeMatch ex:leaf .
ex:g ex:topic ex:leaf . ex:h ex:narrowTopic ex:mid . ex:i ex:topic ex:other .
ex:worksIn owl:propertyChainAxiom ( ex:memberOf ex:basedIn ) .
ex:m ex:memberOf ex:org . ex:org ex:basedIn ex:city . ex:n ex:memberOf ex:nowhere .
ex:c1 ex:broader ex:c2 . ex:c2 ex:broader ex:c1 . ex:k ex:topic ex:c1 .
"""


def hand_made() -> list[tuple]:
    quads = ox.parse(input=HAND_MADE, format=ox.RdfFormat.TURTLE)
    return [(q.subject, q.predicate, q.object) for q in quads]


def as_rdflib(triples: set[tuple]) -> set[tuple]:
    return {tuple(terms.to_rdflib(t) for t in triple) for triple in triples}


def short(triples: set[tuple]) -> set[str]:
    names = {EX: "", "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
             "http://www.w3.org/2000/01/rdf-schema#": "rdfs:"}

    def name(term) -> str:
        text = str(term)
        for base, prefix in names.items():
            if text.startswith(base):
                return prefix + text[len(base):]
        return text

    return {" ".join(name(t) for t in triple) for triple in triples}


def test_hand_made_graph_gives_exactly_the_expected_triples() -> None:
    inferred = short(as_rdflib(reason.infer(hand_made())))
    assert inferred == {
        "a rdf:type B", "a rdf:type C", "a rdf:type D", "a rdf:type E",
        "x rdf:type Y",
        "a q b", "a r b", "b rInv a", "b related a",
        "f r b", "b related f",  # from b rInv f

        "a rdfs:label a label",
        # the chains: the whole hierarchy above, never across ex:closeMatch
        "g topic mid", "g topic root", "g subject leaf", "g subject mid", "g subject root",
        "h topic mid", "h topic root", "h subject mid", "h subject root",
        "i subject other",
        "m worksIn city",
        "k topic c2", "k subject c1", "k subject c2",
    }


def test_hand_made_graph_matches_owlrl() -> None:
    triples = hand_made()
    graph = terms.to_rdflib_graph(ox.Quad(s, p, o) for s, p, o in triples)
    assert as_rdflib(reason.infer(triples)) == reason.owlrl_reference(graph)


def test_no_domain_or_range_typing() -> None:
    inferred = short(as_rdflib(reason.infer(hand_made())))
    assert not [t for t in inferred if t.endswith(("Domain", "Range"))]


def test_real_project_matches_owlrl(built_project: Project) -> None:
    store = open_store(built_project, read_only=True)
    quads = [q for g in reason.reasoning_graphs(built_project)
             for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))]
    inferred = {(q.subject, q.predicate, q.object) for q in
                store.quads_for_pattern(None, None, None,
                                        ox.NamedNode(built_project.inferred_graph))}
    reference = reason.owlrl_reference(terms.to_rdflib_graph(quads))
    assert as_rdflib(inferred) == reference


def test_mini_project_infers_agents_and_inverses(mini_project: Project) -> None:
    build(mini_project)
    store = open_store(mini_project, read_only=True)
    hrid = "https://w3id.org/hrgraph/id/"

    def inferred(pattern: str) -> bool:
        return bool(store.query(f"ASK {{ GRAPH <{mini_project.inferred_graph}> {{ {pattern} }} }}"))

    assert inferred(f"<{hrid}org/viasna> a <http://xmlns.com/foaf/0.1/Agent>")
    supports = "<https://w3id.org/hrgraph/ontology#supports>"
    assert inferred(f"<{hrid}person/aliaksandr-alesin> {supports} "
                    f"<{hrid}document/concerted-position-2016>")


def test_shapes_are_not_reasoned_over(mini_project: Project) -> None:
    shapes = mini_project.shapes_dir / "core.ttl"
    shapes.write_text(shapes.read_text() + (
        "\n<http://example.org/in-shapes> a hrg:HumanRightsOrganisation .\n"))
    build(mini_project)
    store = open_store(mini_project, read_only=True)
    subjects = {q.subject.value for q in store.quads_for_pattern(
        None, None, None, ox.NamedNode(mini_project.inferred_graph))}
    assert "http://example.org/in-shapes" not in subjects


def test_rdflib_literals_come_out_lower_case() -> None:
    graph = rdflib.Graph().parse(data='<http://x/s> <http://x/p> "x"@EN-GB .', format="turtle")
    terms.lowercase_language_tags(graph)
    assert {o.language for o in graph.objects()} == {"en-gb"}


def test_generated_10k_graph_matches_owlrl(tmp_path) -> None:
    """The fast path against owlrl on ten thousand generated triples in the project's model."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import generate

    generate.generate(10_000, tmp_path / "p", seed_data=False)
    project = Project.open(tmp_path / "p")
    summary = build(project)
    assert summary.inferred > 1000
    store = open_store(project, read_only=True)
    quads = [q for g in reason.reasoning_graphs(project)
             for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))]
    inferred = {(q.subject, q.predicate, q.object) for q in
                store.quads_for_pattern(None, None, None, ox.NamedNode(project.inferred_graph))}
    assert as_rdflib(inferred) == reason.owlrl_reference(terms.to_rdflib_graph(quads))
    assert inferred == reason.infer((q.subject, q.predicate, q.object) for q in quads)
