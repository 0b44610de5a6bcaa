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

Which triples are confidential, and moving them into private graphs before reasoning, is
:mod:`hrgraph.privacy`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

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


AXIOM_PREDICATES = frozenset({SUBCLASS, SUBPROPERTY, INVERSE})


def states_axioms(predicates: Iterable[ox.NamedNode]) -> bool:
    """Whether any of these predicates states an axiom (then what follows from a change can no
    longer be worked out from the change alone)."""
    return any(p.value in AXIOM_PREDICATES for p in predicates)


@dataclass
class Axioms:
    """The schema the three rules apply: each class's direct superclasses, each property's
    direct superproperties and inverses (either way round)."""

    superclasses: dict = field(default_factory=lambda: defaultdict(set))
    superproperties: dict = field(default_factory=lambda: defaultdict(set))
    inverses: dict = field(default_factory=lambda: defaultdict(set))

    def add(self, s: ox.Term, p: ox.NamedNode, o: ox.Term) -> None:
        """Take in one triple; anything but an axiom is ignored."""
        if isinstance(o, ox.Literal) or isinstance(s, ox.Literal):
            return
        if p.value == SUBCLASS:
            self.superclasses[s].add(o)
        elif p.value == SUBPROPERTY:
            self.superproperties[s].add(o)
        elif p.value == INVERSE:
            self.inverses[s].add(o)
            self.inverses[o].add(s)

    @classmethod
    def in_store(cls, store: ox.Store, graphs: Iterable[str]) -> Axioms:
        """The axioms stated in some named graphs of a store (read by predicate: a few
        thousand triples, whatever the size of the store)."""
        axioms = cls()
        names = {ox.NamedNode(g) for g in graphs}
        for predicate in sorted(AXIOM_PREDICATES):
            for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None):
                if q.graph_name in names:
                    axioms.add(q.subject, q.predicate, q.object)
        return axioms

    def consequences(self, triple: tuple) -> list[tuple]:
        """What one triple entails in one step."""
        s, p, o = triple
        derived = [(s, q, o) for q in self.superproperties.get(p, ())]
        if not isinstance(o, ox.Literal):
            derived += [(o, q, s) for q in self.inverses.get(p, ()) if isinstance(q, ox.NamedNode)]
        if p.value == TYPE:
            derived += [(s, p, d) for d in self.superclasses.get(o, ())]
        return derived

    def closure(self, triples: Iterable[tuple]) -> set[tuple]:
        """``triples`` and everything they entail. Each rule has one premise besides the
        axioms, so the closure of a union is the union of the closures: what a new file entails
        follows from its own triples and the axioms alone."""
        seen = set(triples)
        work = list(seen)
        while work:
            for derived in self.consequences(work.pop()):
                if derived not in seen:
                    seen.add(derived)
                    work.append(derived)
        return seen

    @cached_property
    def _downwards(self) -> tuple[dict, dict]:
        """Direct subproperties and subclasses (read once the axioms are complete)."""
        subproperties: dict = defaultdict(set)
        for p, supers in self.superproperties.items():
            for q in supers:
                subproperties[q].add(p)
        subclasses: dict = defaultdict(set)
        for c, supers in self.superclasses.items():
            for d in supers:
                subclasses[d].add(c)
        return subproperties, subclasses

    def premises(self, triple: tuple) -> set[tuple]:
        """Every triple that entails ``triple`` (itself included): the closure run backwards,
        to tell whether an inferred triple still follows once a graph is gone."""
        subproperties, subclasses = self._downwards
        seen = {triple}
        work = [triple]
        while work:
            s, p, o = work.pop()
            before = [(s, q, o) for q in subproperties.get(p, ())]
            if not isinstance(s, ox.Literal):
                before += [(o, q, s) for q in self.inverses.get(p, ())
                           if isinstance(q, ox.NamedNode)]
            if p.value == TYPE:
                before += [(s, p, c) for c in subclasses.get(o, ())]
            for t in before:
                if t not in seen and not isinstance(t[0], ox.Literal):
                    seen.add(t)
                    work.append(t)
        return seen


def update(store: ox.Store, axioms: Axioms, graphs: set[ox.NamedNode], inferred: ox.NamedNode,
           removed: Iterable[tuple], added: Iterable[tuple]) -> tuple[set[tuple], set[tuple]]:
    """What must leave and what must enter the ``inferred`` graph after ``removed`` triples
    left the reasoning ``graphs`` and ``added`` ones entered (the store holds the new state;
    the axioms are unchanged), as ``(gone, new)``.

    The inferred graph is every reported triple that follows from an asserted one and is not
    asserted itself. A triple can only change on either count when it was removed or added, or
    follows from one that was (the closures of ``removed`` and ``added``); only those are looked
    at, each with a few index lookups, so the cost follows the size of the change.
    """
    def asserted(t: tuple) -> bool:
        return any(q.graph_name in graphs for q in store.quads_for_pattern(*t))

    def is_inferred(t: tuple) -> bool:
        return any(True for _ in store.quads_for_pattern(*t, inferred))

    def follows(t: tuple) -> bool:
        return any(asserted(premise) for premise in axioms.premises(t))

    removed, added = set(removed), set(added)
    gone, new = set(), set()
    for t in axioms.closure(removed) | added:
        if is_inferred(t) and (asserted(t) or not follows(t)):
            gone.add(t)
    for t in axioms.closure(added) | removed:
        if is_entailment(t) and not is_inferred(t) and not asserted(t) and follows(t):
            new.add(t)
    return gone, new


def infer(triples: Iterable[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.Term]]
          ) -> set[tuple]:
    """The triples that follow from ``triples`` by the three rules and are not among them.

    ``triples`` are pyoxigraph ``(subject, predicate, object)`` tuples (schema and instances
    together); the result uses the same terms.
    """
    asserted: set[tuple] = set(triples)
    axioms = Axioms()
    for s, p, o in asserted:
        axioms.add(s, p, o)
    return {t for t in axioms.closure(asserted) - asserted if is_entailment(t)}


def is_entailment(triple: tuple) -> bool:
    """Whether an entailed triple (of pyoxigraph or rdflib terms) belongs in the inferred
    graph (see :func:`is_reported`)."""
    s, p, o = triple
    return is_reported(getattr(s, "value", ""), p.value, getattr(o, "value", ""),
                       subject_is_literal=isinstance(s, (ox.Literal, rdflib.Literal)))


def materialise(project: Project, store: ox.Store, graphs: Iterable[str] | None = None) -> int:
    """Compute the entailments of the store's reasoning graphs into the inferred graph.

    The same closure as :func:`infer`, computed by predicate instead of by triple: the axioms
    say, for each property, into which properties (either way round) its triples turn, and for
    each class, which superclasses its instances get; the triples of every other predicate (most
    of the data: names, quotes, dates) are never read. The inferred graph is cleared first.
    ``graphs`` are the reasoning graphs (default :func:`reasoning_graphs`); private graphs are
    never among them. Returns how many triples it now holds.
    """
    names = list(graphs) if graphs is not None else reasoning_graphs(project)
    graphs = {ox.NamedNode(g) for g in names}
    axioms = Axioms.in_store(store, names)
    type_ = ox.NamedNode(TYPE)
    superclasses = _transitive(axioms.superclasses)
    derived: set[tuple] = set()

    def add_types(subject: ox.Term, cls: ox.Term) -> None:
        derived.update((subject, type_, d) for d in superclasses.get(cls, ()))

    for prop, (turns, straight) in _property_turns(axioms).items():
        for quad in store.quads_for_pattern(None, prop, None):
            if quad.graph_name not in graphs:
                continue
            s, o = quad.subject, quad.object
            for target, inverted in (straight if isinstance(o, ox.Literal) else turns):
                triple = (o, target, s) if inverted else (s, target, o)
                derived.add(triple)
                if target == type_:
                    add_types(triple[0], triple[2])
    for cls in superclasses:
        for quad in store.quads_for_pattern(None, type_, cls):
            if quad.graph_name in graphs:
                add_types(quad.subject, cls)

    # Leave out what is asserted: read by predicate, the few the derived triples have
    for prop in {p for _, p, _ in derived}:
        derived.difference_update((q.subject, q.predicate, q.object)
                                  for q in store.quads_for_pattern(None, prop, None)
                                  if q.graph_name in graphs)
    inferred = [t for t in derived if is_entailment(t)]
    target = ox.NamedNode(project.inferred_graph)
    if store.contains_named_graph(target):
        store.remove_graph(target)
    store.bulk_extend(ox.Quad(s, p, o, target) for s, p, o in inferred)
    log.debug("inferred %d triples", len(inferred))
    return len(inferred)


def _transitive(direct: dict) -> dict:
    """Each key's values and their values, and so on (without the key itself)."""
    closed = {}
    for start in direct:
        seen: set = set()
        work = list(direct[start])
        while work:
            item = work.pop()
            if item not in seen and item != start:
                seen.add(item)
                work.extend(direct.get(item, ()))
        closed[start] = seen
    return closed


def _property_turns(axioms: Axioms) -> dict:
    """For each property with a superproperty or an inverse: the ``(property, inverted)`` pairs
    its triples entail (``inverted``: subject and object swap places), all of them and those
    reached without an inversion (all a triple with a literal object entails)."""
    turns = {}
    for prop in {*axioms.superproperties, *axioms.inverses}:
        if not isinstance(prop, ox.NamedNode):
            continue
        found: dict[bool, set] = {}
        for may_invert in (True, False):
            seen = {(prop, False)}
            work = [(prop, False)]
            while work:
                current, inverted = work.pop()
                steps = [(q, inverted) for q in axioms.superproperties.get(current, ())]
                if may_invert:
                    steps += [(q, not inverted) for q in axioms.inverses.get(current, ())]
                for step in steps:
                    if step not in seen and isinstance(step[0], ox.NamedNode):
                        seen.add(step)
                        work.append(step)
            found[may_invert] = seen - {(prop, False)}
        if found[True]:
            turns[prop] = (found[True], found[False])
    return turns


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
