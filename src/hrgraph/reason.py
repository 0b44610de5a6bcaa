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

Confidentiality is worked out here too (:func:`confidential`, :func:`split`): which resources are
confidential, and moving every triple of or about them into private graphs, so that what is
inferred from them can be kept apart (the private inferred graph, ``hrgraph.contribute``).
"""

from __future__ import annotations

import bisect
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


# --------------------------------------------------------------------------- confidentiality
#
# What is confidential, and where its triples go (docs/security.md, "Confidential data"):
#
# * marked: a resource with ``hrg:confidential true`` (any literal reading "true" or "1") in
#   any data, ontology or private graph; a marked graph IRI (a data file that marks itself) is
#   private whole, as is every confidential contribution (``<graph base>private/contributions/``);
# * introduced: what a private-whole graph describes and no other graph does (a new person in
#   a confidential contribution, even unmarked: the readable IRI alone would name them);
# * parts: what hangs off a confidential resource: blank nodes, its quote, selectors,
#   publications, parts, citations and assessments (:data:`PART_PROPERTIES`), and every IRI
#   below its own (``<demand>/quote``);
# * records about it: a resource whose point is a confidential one: a role claim of a
#   confidential holder, a signature, an assessment, a reiteration, a citation, an editorial
#   claim, a demand made in a confidential document or part of a confidential demand
#   (:data:`DEPENDENT_PROPERTIES`), and any blank node that points at one;
# * only about it: a demand (or event) every target of which (``hrg:concerns`` and its
#   subproperties, ``hrg:involves``) is confidential: "release X" names X;
# * its name: a text quote selector whose ``oa:exact`` is a name of a confidential resource
#   (the words of a quote that name a confidential target).
#
# A triple is private when its subject, predicate or object is confidential or its graph is
# private whole. :func:`split` moves private triples of a public graph G into its twin
# ``<graph base>private/<G below the graph base>`` (and back when they are no longer private).

#: Properties from a resource to parts that exist only for it: a confidential resource's parts
#: are confidential. Local names in the project's ontology, or full IRIs.
PART_PROPERTIES = ("quotedFrom", "hasPublication", "hasPart", "hasCitation", "hasAssessment",
                   "http://www.w3.org/ns/oa#hasSelector", "http://www.w3.org/ns/oa#refinedBy")
#: Properties from a record to what it is about: a record about a confidential resource is
#: confidential.
DEPENDENT_PROPERTIES = ("holder", "signer", "assessedDemand", "laterDemand", "earlierDemand",
                        "about", "publicationOf", "citedIn", "citedDocument", "madeIn", "partOf",
                        "attestedIn")
#: Properties naming what a demand or event is about (with their subproperties): a resource all
#: of whose targets are confidential is confidential.
TARGET_PROPERTIES = ("concerns", "involves")
#: Properties holding a resource's names.
NAME_PROPERTIES = ("http://www.w3.org/2004/02/skos/core#prefLabel",
                   "http://www.w3.org/2004/02/skos/core#altLabel", RDFS + "label",
                   "http://xmlns.com/foaf/0.1/name")
OA_EXACT = "http://www.w3.org/ns/oa#exact"


@dataclass
class Confidential:
    """The confidential resources of a store and the graphs that are private whole."""

    resources: set = field(default_factory=set)  # ox.NamedNode and ox.BlankNode
    hidden: set = field(default_factory=set)  # graph IRIs (str): every triple private

    def __bool__(self) -> bool:
        return bool(self.resources or self.hidden)

    def mentions(self, quad: ox.Quad | ox.Triple) -> bool:
        """Whether the triple names a confidential resource."""
        return (quad.subject in self.resources or quad.object in self.resources
                or quad.predicate in self.resources)


def normalised_name(text: str) -> str:
    """A name as names are compared: case folded, white space collapsed."""
    return " ".join(text.split()).casefold()


def is_true(term: ox.Term) -> bool:
    """Whether a ``hrg:confidential`` value means true: any literal reading ``true`` or ``1``
    (whatever its datatype: a mistyped mark fails closed)."""
    return isinstance(term, ox.Literal) and term.value.strip().lower() in ("true", "1")


def _iri(project: Project, name: str) -> ox.NamedNode:
    return ox.NamedNode(name if ":" in name else project.ontology_ns + name)


def asserted_graphs(project: Project, store: ox.Store) -> tuple[set, set]:
    """The store's graphs of asserted triples, as ``(public, private)`` sets of named nodes:
    public data, ontology and vocabulary graphs, and every private graph but the inferred one
    (shapes and inferred graphs are in neither)."""
    public: set[ox.NamedNode] = set()
    private: set[ox.NamedNode] = set()
    prefixes = (project.graph_base + "data/", project.graph_base + "ontology/")
    for graph in store.named_graphs():
        if not isinstance(graph, ox.NamedNode):
            continue
        if project.is_private(graph.value):
            if graph.value != project.private_inferred_graph:
                private.add(graph)
        elif graph.value.startswith(prefixes):
            public.add(graph)
    return public, private


def has_private(project: Project, store: ox.Store) -> bool:
    """Whether the store holds any private graph (then something is confidential)."""
    return any(isinstance(g, ox.NamedNode) and project.is_private(g.value)
               for g in store.named_graphs())


def confidential(project: Project, store: ox.Store) -> Confidential:
    """The confidential resources and private-whole graphs of ``store`` (see the comment
    above :data:`PART_PROPERTIES`), read from every asserted graph, public or private.

    The cost follows the amount of confidential data: index lookups from each confidential
    resource, one scan of the selectors' texts, and one scan of the IRIs for those below a
    confidential one; nothing when nothing is marked and there is no private graph.
    """
    public, private = asserted_graphs(project, store)
    asserted = public | private
    found = Confidential()
    found.hidden = {g.value for g in private if project.public_graph(g.value) is None}
    flag = ox.NamedNode(project.ontology_ns + "confidential")
    for quad in store.quads_for_pattern(None, flag, None):
        if quad.graph_name in asserted and is_true(quad.object):
            found.resources.add(quad.subject)
            if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(
                    project.graph_base) and not project.is_private(quad.subject.value):
                found.hidden.add(quad.subject.value)
    if not found:
        return found

    def origin(graph: ox.NamedNode) -> str:
        return project.public_graph(graph.value) or graph.value

    # what the private-whole graphs describe and no other graph does
    for hidden in sorted(found.hidden):
        names = {ox.NamedNode(hidden), ox.NamedNode(project.private_graph(hidden))}
        for graph in names & asserted:
            for quad in store.quads_for_pattern(None, None, None, graph):
                subject = quad.subject
                if subject in found.resources or isinstance(subject, ox.Literal):
                    continue
                if not any(q.graph_name in asserted and origin(q.graph_name) not in found.hidden
                           for q in store.quads_for_pattern(subject, None, None)):
                    found.resources.add(subject)

    axioms = Axioms.in_store(store, [g.value for g in asserted])
    below_of = _subproperties(axioms)
    parts = {_iri(project, p) for p in PART_PROPERTIES}
    dependent = {_iri(project, p) for p in DEPENDENT_PROPERTIES}
    targets = {q for p in TARGET_PROPERTIES for q in below_of(_iri(project, p))}
    names = {ox.NamedNode(p) for p in NAME_PROPERTIES}
    selectors: dict[str, set] | None = None
    pending: set = set()  # resources with a target, to check when more become confidential
    below = _Below(store, asserted)
    work = set(found.resources)
    while work:
        new: set = set()
        for node in work:
            for quad in store.quads_for_pattern(node, None, None):
                if quad.graph_name not in asserted:
                    continue
                o = quad.object
                if isinstance(o, ox.BlankNode) or (quad.predicate in parts
                                                   and isinstance(o, ox.NamedNode)):
                    new.add(o)
                elif quad.predicate in names and isinstance(o, ox.Literal):
                    if selectors is None:
                        selectors = _selectors_by_text(store, asserted)
                    new |= selectors.get(normalised_name(o.value), set())
            for quad in store.quads_for_pattern(None, None, node):
                if quad.graph_name not in asserted:
                    continue
                if quad.predicate in dependent or isinstance(quad.subject, ox.BlankNode):
                    new.add(quad.subject)
                elif quad.predicate in targets:
                    pending.add(quad.subject)
            if isinstance(node, ox.NamedNode):
                below.ask(node.value + "/")
        known = found.resources | new
        for candidate in list(pending):
            aims = {q.object for p in targets for q in store.quads_for_pattern(candidate, p, None)
                    if q.graph_name in asserted}
            if candidate in known or (aims and aims <= known):
                new.add(candidate)
                pending.discard(candidate)
        work = new - found.resources
        if not work:  # look below the IRIs only once the links are followed: fewer scans
            work = below.found() - found.resources
        found.resources |= work
    return found


def _subproperties(axioms: Axioms) -> Callable[[ox.NamedNode], set]:
    """A function giving a property and its subproperties (transitively)."""
    down: dict = defaultdict(set)
    for p, supers in axioms.superproperties.items():
        for q in supers:
            down[q].add(p)

    def below(prop: ox.NamedNode) -> set:
        seen = {prop}
        work = [prop]
        while work:
            for p in down.get(work.pop(), ()):
                if p not in seen and isinstance(p, ox.NamedNode):
                    seen.add(p)
                    work.append(p)
        return seen
    return below


def _selectors_by_text(store: ox.Store, graphs: set) -> dict[str, set]:
    """Resources by the normalised text of their ``oa:exact``."""
    found: dict[str, set] = defaultdict(set)
    for quad in store.quads_for_pattern(None, ox.NamedNode(OA_EXACT), None):
        if quad.graph_name in graphs and isinstance(quad.object, ox.Literal):
            found[normalised_name(quad.object.value)].add(quad.subject)
    return found


#: Regular expression characters escaped in an IRI prefix (the others cannot occur in an IRI or
#: mean nothing outside a character class).
_REGEX_SPECIAL = set("\\.+*?()|[]{}^$")


class _Below:
    """Finds the IRIs (subjects or objects in ``graphs``) below given prefixes, in as few scans
    as it can: prefixes are collected (:meth:`ask`) and looked up together (:meth:`found`), each
    once. Up to :data:`REGEX_PREFIXES` at a time by a scan with a regular expression (about
    4 s per million triples); more by a sorted list of every IRI, read once (about 4 s)."""

    REGEX_PREFIXES = 200

    def __init__(self, store: ox.Store, graphs: set) -> None:
        self.store = store
        self.graphs = list(graphs)
        self.asked: set[str] = set()
        self.done: set[str] = set()
        self.iris: list[str] | None = None

    def ask(self, prefix: str) -> None:
        self.asked.add(prefix)

    def found(self) -> set:
        prefixes: list[str] = []
        for prefix in sorted(self.asked - self.done):  # one below another finds nothing more
            if not (prefixes and prefix.startswith(prefixes[-1])) and not any(
                    prefix.startswith(done) for done in self.done):
                prefixes.append(prefix)
        self.done |= self.asked
        if not prefixes:
            return set()
        if self.iris is None and len(prefixes) <= self.REGEX_PREFIXES:
            pattern = "^(?:" + "|".join("".join("\\" + c if c in _REGEX_SPECIAL else c
                                                for c in p) for p in prefixes) + ")"
            test = f"isIRI(?x) && REGEX(STR(?x), {ox.Literal(pattern)})"
            found = set()
            for where in ("?x ?p ?o", "?s ?p ?x"):  # two scans: faster than one UNION
                sparql = f"SELECT DISTINCT ?x WHERE {{ {where} FILTER({test}) }}"
                found.update(row["x"] for row in self.store.query(
                    sparql, default_graph=self.graphs))
            return found
        if self.iris is None:
            rows = self.store.query("SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION "
                                    "{ ?s ?p ?x FILTER(isIRI(?x)) } FILTER(isIRI(?x)) }",
                                    default_graph=self.graphs)
            self.iris = sorted(row["x"].value for row in rows)
        found = set()
        for prefix in prefixes:
            at = bisect.bisect_left(self.iris, prefix)
            while at < len(self.iris) and self.iris[at].startswith(prefix):
                found.add(ox.NamedNode(self.iris[at]))
                at += 1
        return found


@dataclass
class Moved:
    """What :func:`split` moved: quads out of public graphs (as they were there) and into them
    (as they are there now)."""

    to_private: list = field(default_factory=list)
    to_public: list = field(default_factory=list)
    found: Confidential = field(default_factory=Confidential)

    def __bool__(self) -> bool:
        return bool(self.to_private or self.to_public)

    def graphs(self, project: Project) -> set[str]:
        """The graphs whose content changed."""
        names = {q.graph_name.value for q in [*self.to_private, *self.to_public]}
        return names | {project.private_graph(g) for g in names}


def split(project: Project, store: ox.Store, found: Confidential | None = None) -> Moved:
    """Put every private triple (see :func:`confidential`) of a public graph into the graph's
    private twin, and every triple of a twin that is no longer private back; returns what moved.

    Idempotent: run by ``build`` (full and incremental), ``add`` and ``remove`` after they change
    the asserted graphs and before they reason, so that everything inferred from a private
    triple is inferred from the private graphs alone.
    """
    found = confidential(project, store) if found is None else found
    public, private = asserted_graphs(project, store)
    out: dict[ox.Quad, None] = {}
    for node in found.resources:
        for pattern in ((node, None, None), (None, None, node)) + (
                ((None, node, None),) if isinstance(node, ox.NamedNode) else ()):
            for quad in store.quads_for_pattern(*pattern):
                if quad.graph_name in public:
                    out[quad] = None
    for graph in sorted(found.hidden):
        name = ox.NamedNode(graph)
        if name in public:
            out.update(dict.fromkeys(store.quads_for_pattern(None, None, None, name)))
    back = []
    for graph in private:
        origin = project.public_graph(graph.value)
        if origin is None or origin in found.hidden:
            continue
        target = ox.NamedNode(origin)
        back += [ox.Quad(q.subject, q.predicate, q.object, target)
                 for q in store.quads_for_pattern(None, None, None, graph)
                 if not found.mentions(q)]
    moved = Moved(list(out), back, found)
    for quad in moved.to_private:
        store.remove(quad)
    store.extend(ox.Quad(q.subject, q.predicate, q.object,
                         ox.NamedNode(project.private_graph(q.graph_name.value)))
                 for q in moved.to_private)
    for quad in moved.to_public:
        store.remove(ox.Quad(quad.subject, quad.predicate, quad.object,
                             ox.NamedNode(project.private_graph(quad.graph_name.value))))
    store.extend(moved.to_public)
    for graph in moved.graphs(project):  # a graph left empty goes (as a build never makes it)
        name = ox.NamedNode(graph)
        if not any(True for _ in store.quads_for_pattern(None, None, None, name)):
            store.remove_graph(name)
    return moved


def public_reasoning_graphs(project: Project, store: ox.Store) -> list[str]:
    """The public graphs reasoning reads, by the store's graph names (ontology, vocabularies,
    data: the same as :func:`reasoning_graphs` for a built store)."""
    public, _ = asserted_graphs(project, store)
    return sorted(g.value for g in public)


class AxiomsChanged(Exception):
    """Raised by :func:`replace_graphs` when a change states or drops axioms of public graphs."""


@dataclass
class Replaced:
    """What :func:`replace_graphs` changed in the public graphs, and which graphs it touched."""

    removed: list
    added: list
    touched: set
    moved: Moved


def replace_graphs(project: Project, store: ox.Store, changes: dict[str, list],
                   *, recompute_on_axioms: bool = False) -> Replaced:
    """Replace named graphs (graph IRI → its new quads, empty to remove it; each graph's private
    twin goes too), split confidential triples off again (:func:`split`) and bring both inferred
    graphs up to date. The public inferred graph is updated from the change (:func:`update`);
    when the change states or drops axioms, it is computed again if ``recompute_on_axioms``,
    else :class:`AxiomsChanged` is raised (the store is then half changed: discard it). The
    private inferred graph is computed again (:func:`hrgraph.contribute.materialise_private`).
    """
    from hrgraph.contribute import materialise_private  # contribute imports this module

    before: dict[str, set] = {}
    axioms_changed = False
    for graph, quads in changes.items():
        name = ox.NamedNode(graph)
        old = set(store.quads_for_pattern(None, None, None, name))
        twin = ox.NamedNode(project.private_graph(graph))
        old_private = (set(store.quads_for_pattern(None, None, None, twin)) if twin != name
                       else set())
        axioms_changed |= states_axioms(q.predicate for q in [*old, *old_private, *quads])
        before[graph] = set() if project.is_private(graph) else old
        store.remove_graph(name)
        if twin != name and store.contains_named_graph(twin):
            store.remove_graph(twin)
        if quads:
            store.extend(quads)
    moved = split(project, store)
    axioms_changed |= states_axioms(q.predicate for q in [*moved.to_private, *moved.to_public])
    removed: list[ox.Quad] = []
    added: list[ox.Quad] = []
    for graph, old in before.items():
        now = set() if project.is_private(graph) else set(
            store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        removed += old - now
        added += now - old
    removed += [q for q in moved.to_private if q.graph_name.value not in before]
    added += [q for q in moved.to_public if q.graph_name.value not in before]
    inferred = ox.NamedNode(project.inferred_graph)
    names = public_reasoning_graphs(project, store)
    if axioms_changed:
        if not recompute_on_axioms:
            raise AxiomsChanged("a change states or drops axioms")
        materialise(project, store, names)
    else:
        graphs = {ox.NamedNode(g) for g in names}
        axioms = Axioms.in_store(store, names)
        gone, new = update(store, axioms, graphs, inferred,
                           [(q.subject, q.predicate, q.object) for q in removed],
                           [(q.subject, q.predicate, q.object) for q in added])
        for s, p, o in gone:
            store.remove(ox.Quad(s, p, o, inferred))
        store.extend(ox.Quad(s, p, o, inferred) for s, p, o in new)
    materialise_private(project, store)
    touched = set(changes) | {project.private_graph(g) for g in changes} | moved.graphs(project)
    touched |= {project.inferred_graph, project.private_inferred_graph}
    return Replaced(removed, added, touched, moved)
