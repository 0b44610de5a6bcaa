"""Materialise the entailments of docs/design.md into the ``inferred`` graph.

Exactly three rules, applied until nothing new follows:

1. ``x rdf:type C`` and ``C rdfs:subClassOf D``   ⇒ ``x rdf:type D``
2. ``s p o``        and ``p rdfs:subPropertyOf q`` ⇒ ``s q o``
3. ``s p o``        and ``p owl:inverseOf q`` (either way round) ⇒ ``o q s``

The axioms are the asserted ``rdfs:subClassOf``, ``rdfs:subPropertyOf`` and ``owl:inverseOf``
triples of the ontology, vocabulary and data graphs (never the shapes). Schemas are small, so the
fast path (:func:`infer`) reads them into Python maps and streams the instance triples through a
work list; owlrl is the reference (:func:`owlrl_reference`), and the tests check they agree.

Both leave out what is not about the project's own things (see :func:`is_reported`): triples about
RDF, RDFS, OWL and XSD terms, typing with their classes (``rdfs:Resource``, ``owl:Thing`` …),
schema statements (``rdfs:subClassOf`` closure and the like), and literal subjects.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox
import rdflib

from hrgraph.project import Project

log = logging.getLogger(__name__)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
BUILT_IN = (RDF, RDFS, OWL, XSD)

TYPE = RDF + "type"
SUBCLASS = RDFS + "subClassOf"
SUBPROPERTY = RDFS + "subPropertyOf"
INVERSE = OWL + "inverseOf"
#: Predicates that state schema rather than facts; their triples are never reported as inferred.
SCHEMA_PREDICATES = frozenset({
    SUBCLASS, SUBPROPERTY, INVERSE, RDFS + "domain", RDFS + "range", OWL + "equivalentClass",
    OWL + "equivalentProperty", OWL + "sameAs", OWL + "differentFrom",
})

Triple = tuple  # (subject, predicate, object) of pyoxigraph or rdflib terms


def reasoning_graphs(project: Project) -> list[str]:
    """The named graphs reasoning reads: ontology, vocabularies and data (not shapes)."""
    return [f.graph for f in project.files_of_kind("ontology", "vocabulary", "data")]


def is_reported(subject: str, predicate: str, obj: str, *,
                subject_is_literal: bool = False) -> bool:
    """Whether an entailed triple (given as IRI strings) belongs in the inferred graph."""
    if subject_is_literal or subject.startswith(BUILT_IN) or predicate in SCHEMA_PREDICATES:
        return False
    return not (predicate == TYPE and obj.startswith(BUILT_IN))


def infer(triples: Iterable[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.Term]]
          ) -> set[tuple]:
    """The triples that follow from ``triples`` by the three rules and are not among them.

    ``triples`` are pyoxigraph ``(subject, predicate, object)`` tuples (schema and instances
    together); the result uses the same terms.
    """
    asserted: set[tuple] = set(triples)
    superclasses: dict = defaultdict(set)
    superproperties: dict = defaultdict(set)
    inverses: dict = defaultdict(set)
    for s, p, o in asserted:
        if isinstance(o, ox.Literal) or isinstance(s, ox.Literal):
            continue
        if p.value == SUBCLASS:
            superclasses[s].add(o)
        elif p.value == SUBPROPERTY:
            superproperties[s].add(o)
        elif p.value == INVERSE:
            inverses[s].add(o)
            inverses[o].add(s)

    type_ = ox.NamedNode(TYPE)
    seen = set(asserted)
    work = list(asserted)
    while work:
        s, p, o = work.pop()
        derived = [(s, q, o) for q in superproperties.get(p, ())]
        if not isinstance(o, ox.Literal):
            derived += [(o, q, s) for q in inverses.get(p, ()) if isinstance(q, ox.NamedNode)]
        if p == type_:
            derived += [(s, p, d) for d in superclasses.get(o, ())]
        for triple in derived:
            if triple not in seen:
                seen.add(triple)
                work.append(triple)
    return {t for t in seen - asserted if _reported(t)}


def _reported(triple: tuple) -> bool:
    s, p, o = triple
    return is_reported(getattr(s, "value", ""), p.value, getattr(o, "value", ""),
                       subject_is_literal=isinstance(s, (ox.Literal, rdflib.Literal)))


def materialise(project: Project, store: ox.Store) -> int:
    """Compute the entailments of the store's reasoning graphs into the inferred graph.

    The inferred graph is cleared first. Returns how many triples it now holds.
    """
    triples: list[tuple] = []
    for graph in reasoning_graphs(project):
        name = ox.NamedNode(graph)
        triples.extend((q.subject, q.predicate, q.object)
                       for q in store.quads_for_pattern(None, None, None, name))
    inferred = infer(triples)
    target = ox.NamedNode(project.inferred_graph)
    if store.contains_named_graph(target):
        store.remove_graph(target)
    store.bulk_extend(ox.Quad(s, p, o, target) for s, p, o in inferred)
    log.debug("inferred %d triples from %d", len(inferred), len(triples))
    return len(inferred)


def owlrl_reference(graph: rdflib.Graph) -> set[tuple]:
    """The reference closure: owlrl's OWL-RL closure of ``graph``, cut down to the three rules.

    Only the instance triples and the ``rdfs:subClassOf``, ``rdfs:subPropertyOf`` and
    ``owl:inverseOf`` axioms are given to owlrl (other axioms such as ``rdfs:domain`` would add
    entailments hrgraph deliberately does not make). From its output this keeps the new triples
    that :func:`is_reported` accepts, as rdflib ``(s, p, o)`` tuples.
    """
    import owlrl  # slow to import; only the tests need it

    axioms = {SUBCLASS, SUBPROPERTY, INVERSE}
    kept = rdflib.Graph()
    for s, p, o in graph:
        if str(p) in axioms or not _is_other_schema(p, o):
            kept.add((s, p, o))
    before = set(kept)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(kept)
    return {(s, p, o) for s, p, o in set(kept) - before
            if is_reported(str(s), str(p), str(o), subject_is_literal=isinstance(s, rdflib.Literal))
            and not (p == rdflib.RDF.type and isinstance(o, rdflib.Literal))}


def _is_other_schema(p: rdflib.term.Node, o: rdflib.term.Node) -> bool:
    """A schema statement other than the three axioms (which owlrl would reason with)."""
    if str(p).startswith((RDFS, OWL)) and str(p) not in (RDFS + "label", RDFS + "comment",
                                                         RDFS + "seeAlso", RDFS + "isDefinedBy"):
        return True
    return p == rdflib.RDF.type and str(o).startswith((RDFS, OWL))
