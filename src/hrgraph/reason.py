"""Materialise the entailments of docs/design.md into the ``inferred`` graph.

Exactly four rules, applied until nothing new follows:

1. ``x rdf:type C`` and ``C rdfs:subClassOf D``   ⇒ ``x rdf:type D``
2. ``s p o``        and ``p rdfs:subPropertyOf q`` ⇒ ``s q o``
3. ``s p o``        and ``p owl:inverseOf q`` (either way round) ⇒ ``o q s``
4. ``s p1 o1``, ``o1 p2 o2`` … ``on-1 pn on`` and ``p owl:propertyChainAxiom (p1 p2 … pn)``
   ⇒ ``s p on`` (OWL 2 RL's prp-spo2; the ontology's ``hrg:topic owl:propertyChainAxiom
   (hrg:topic skos:broader)`` closes each topic under its broader ones)

The axioms are the asserted ``rdfs:subClassOf``, ``rdfs:subPropertyOf``, ``owl:inverseOf`` and
``owl:propertyChainAxiom`` triples of the ontology, vocabulary and data graphs (never the
shapes). A chain's later links (``skos:broader``: the vocabularies' hierarchy) are read with the
axioms as a fixed map, the *link edges* (asserted, or entailed by rules 2 and 3, not by a chain):
so every rule keeps one premise besides the axioms, and what a change entails still follows from
the change alone. A change to a link edge is therefore a change of axioms
(:func:`states_axioms` with the ``links`` of :func:`chain_links`): the closure is computed again
whole, as when a vocabulary file changes (a full build, :mod:`hrgraph.rebuild`).

Schemas are small, so the fast path (:func:`infer`) reads them into Python maps and streams the
instance triples through a work list; owlrl is the reference (:func:`owlrl_reference`), and the
tests check they agree.

Both leave out what is not about the project's own things (see :func:`is_reported`): triples about
RDF, RDFS, OWL and XSD terms, typing with their classes (``rdfs:Resource``, ``owl:Thing`` …),
schema statements (``rdfs:subClassOf`` closure and the like), and literal subjects.

Which triples are confidential, and moving them into private graphs before reasoning, is
:mod:`hrgraph.privacy`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
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
PROPERTY_CHAIN = OWL + "propertyChainAxiom"
FIRST, REST, NIL = RDF + "first", RDF + "rest", RDF + "nil"
#: Predicates that state schema rather than facts; their triples are never reported as inferred.
SCHEMA_PREDICATES = frozenset({
    SUBCLASS, SUBPROPERTY, INVERSE, PROPERTY_CHAIN, RDFS + "domain", RDFS + "range",
    OWL + "equivalentClass",
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


AXIOM_PREDICATES = frozenset({SUBCLASS, SUBPROPERTY, INVERSE, PROPERTY_CHAIN})


def states_axioms(predicates: Iterable[ox.NamedNode], links: Iterable[str] = ()) -> bool:
    """Whether any of these predicates states an axiom (then what follows from a change can no
    longer be worked out from the change alone). ``links`` are the IRIs of the properties whose
    triples are link edges of a property chain (:func:`chain_links`): they count as axioms."""
    axiomatic = AXIOM_PREDICATES | set(links)
    return any(p.value in axiomatic for p in predicates)


def chain_links(store: ox.Store, graphs: Iterable[str]) -> frozenset[str]:
    """The IRIs of the properties whose triples the property chains of some graphs read as link
    edges (their later links, and what turns into them; ``skos:broader`` for the ontology's)."""
    return frozenset(p.value for p in Axioms.in_store(store, graphs).link_sources)


@dataclass
class Axioms:
    """The schema the four rules apply: each class's direct superclasses, each property's
    direct superproperties and inverses (either way round), and the property chains with their
    link edges (see the module docstring; filled by :meth:`read_chains`)."""

    superclasses: dict = field(default_factory=lambda: defaultdict(set))
    superproperties: dict = field(default_factory=lambda: defaultdict(set))
    inverses: dict = field(default_factory=lambda: defaultdict(set))
    #: first link → [(the chain's property, its later links)]
    chains: dict = field(default_factory=lambda: defaultdict(list))
    #: later link → subject → objects, and the same backwards (object → subjects)
    edges: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    back_edges: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    #: the properties whose triples give link edges (the later links and their subproperties …)
    link_sources: set = field(default_factory=set)

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
        """The axioms stated in some named graphs of a store, with the link edges of their
        property chains (read by predicate: a few thousand triples, whatever the size of the
        store)."""
        names = {ox.NamedNode(g) for g in graphs}

        def pairs(predicate: str) -> Iterable[tuple]:
            return ((q.subject, q.object)
                    for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None)
                    if q.graph_name in names)

        return cls.read(pairs)

    @classmethod
    def of_triples(cls, triples: Iterable[tuple]) -> Axioms:
        """The axioms (and link edges) among some ``(s, p, o)`` triples."""
        by_predicate: dict[str, list] = defaultdict(list)
        for s, p, o in triples:
            by_predicate[p.value].append((s, o))
        return cls.read(lambda predicate: by_predicate.get(predicate, ()))

    @classmethod
    def read(cls, pairs: Callable[[str], Iterable[tuple]]) -> Axioms:
        """The axioms given by ``pairs`` (a predicate's IRI → its ``(subject, object)`` pairs)."""
        axioms = cls()
        for predicate in (SUBCLASS, SUBPROPERTY, INVERSE):
            name = ox.NamedNode(predicate)
            for s, o in pairs(predicate):
                axioms.add(s, name, o)
        axioms.read_chains(pairs)
        return axioms

    def read_chains(self, pairs: Callable[[str], Iterable[tuple]]) -> None:
        """Take in the property chains given by ``pairs`` (see :meth:`read`) and their link
        edges: the triples of each later link, and of each property that turns into it by rules
        2 and 3 (read after the other axioms)."""
        declared = list(pairs(PROPERTY_CHAIN))
        if not declared:
            return
        first, rest = dict(pairs(FIRST)), dict(pairs(REST))
        for prop, head in declared:
            links, node, seen = [], head, set()
            while isinstance(node, ox.BlankNode) and node in first and node not in seen:
                seen.add(node)
                links.append(first[node])
                node = rest.get(node)
            if (not isinstance(prop, ox.NamedNode) or not links or node != ox.NamedNode(NIL)
                    or not all(isinstance(link, ox.NamedNode) for link in links)):
                log.warning("ignored a malformed owl:propertyChainAxiom of %s", prop)
                continue
            self.chains[links[0]].append((prop, tuple(links[1:])))
        later = {link for chains in self.chains.values() for _, links in chains for link in links}
        turns = _property_turns(self)
        for link in later:
            sources = {(link, False)} | {(p, inverted) for p, (into, _) in turns.items()
                                         for target, inverted in into if target == link}
            for source, inverted in sources:
                self.link_sources.add(source)
                for s, o in pairs(source.value):
                    if isinstance(o, ox.Literal) or isinstance(s, ox.Literal):
                        continue
                    start, end = (o, s) if inverted else (s, o)
                    self.edges[link][start].add(end)
                    self.back_edges[link][end].add(start)

    @cached_property
    def _chains_by_property(self) -> dict:
        """The chain's property → [(first link, later links)] (read once the axioms are
        complete)."""
        by_property: dict = defaultdict(list)
        for first, chains in self.chains.items():
            for prop, links in chains:
                by_property[prop].append((first, links))
        return by_property

    def _walk(self, start: ox.Term, links: tuple, edges: dict) -> set:
        """Where the link edges of ``links``, followed in order from ``start``, lead."""
        here = {start}
        for link in links:
            step = edges.get(link, {})
            here = {end for node in here for end in step.get(node, ())}
        return here

    def consequences(self, triple: tuple) -> list[tuple]:
        """What one triple entails in one step."""
        s, p, o = triple
        derived = [(s, q, o) for q in self.superproperties.get(p, ())]
        if not isinstance(o, ox.Literal):
            derived += [(o, q, s) for q in self.inverses.get(p, ()) if isinstance(q, ox.NamedNode)]
        if p.value == TYPE:
            derived += [(s, p, d) for d in self.superclasses.get(o, ())]
        for prop, links in self.chains.get(p, ()):
            if not links:
                derived.append((s, prop, o))
            elif not isinstance(o, ox.Literal):
                derived += [(s, prop, end) for end in self._walk(o, links, self.edges)]
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
            for first, links in self._chains_by_property.get(p, ()):
                before += [(s, first, start) for start in
                           self._walk(o, tuple(reversed(links)), self.back_edges)]
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
    """The triples that follow from ``triples`` by the four rules and are not among them.

    ``triples`` are pyoxigraph ``(subject, predicate, object)`` tuples (schema and instances
    together); the result uses the same terms.
    """
    asserted: set[tuple] = set(triples)
    axioms = Axioms.of_triples(asserted)
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
    if axioms.chains:  # rule 4, from every triple of a first link (asserted or derived so far)
        starts = [t for t in derived if t[1] in axioms.chains]
        for first in axioms.chains:
            starts += [(q.subject, q.predicate, q.object)
                       for q in store.quads_for_pattern(None, first, None)
                       if q.graph_name in graphs]
        derived |= axioms.closure(starts)

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
    """The reference closure: owlrl's OWL-RL closure of ``graph``, cut down to the four rules.

    Only the instance triples and the ``rdfs:subClassOf``, ``rdfs:subPropertyOf``,
    ``owl:inverseOf`` and ``owl:propertyChainAxiom`` axioms (with the chains' RDF lists) are
    given to owlrl (other axioms such as ``rdfs:domain`` would add entailments hrgraph
    deliberately does not make). From its output this keeps the new triples that
    :func:`is_reported` accepts, as rdflib ``(s, p, o)`` tuples.
    """
    import owlrl  # slow to import; only the tests need it

    axioms = AXIOM_PREDICATES
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
    """A schema statement other than the four axioms (which owlrl would reason with)."""
    if str(p).startswith((RDFS, OWL)) and str(p) not in (RDFS + "label", RDFS + "comment",
                                                         RDFS + "seeAlso", RDFS + "isDefinedBy"):
        return True
    return p == rdflib.RDF.type and str(o).startswith((RDFS, OWL))
