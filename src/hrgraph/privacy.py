"""Confidential data, by construction: which resources are confidential, and moving every
triple of or about them (and what it entails) into private graphs, so that every reader of the
store leaves them out by graph name alone (docs/security.md, "Confidential data").

:func:`confidential` finds them, :func:`split` moves their triples into each graph's private twin,
:func:`replace_graphs` keeps that so when an incremental build, ``add`` or ``remove`` changes
graphs. Reasoning itself is :mod:`hrgraph.reason`.
"""

from __future__ import annotations

import bisect
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from hrgraph import reason
from hrgraph.project import Project

log = logging.getLogger(__name__)

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
                   "http://www.w3.org/2004/02/skos/core#altLabel", reason.RDFS + "label",
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

    axioms = reason.Axioms.in_store(store, [g.value for g in asserted])
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


def _subproperties(axioms: reason.Axioms) -> Callable[[ox.NamedNode], set]:
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
    #: The quads that left or entered the public inferred graph; ``None`` when it was computed
    #: again whole (a change of axioms).
    inferred: list | None = None


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

    # graph → its quads before, those that left it, those that entered the store with it
    before: dict[str, tuple[set, set, set]] = {}
    axioms_changed = False
    # the link edges of property chains (skos:broader) are axioms too (hrgraph.reason)
    links = reason.chain_links(store, public_reasoning_graphs(project, store))
    for graph, quads in changes.items():
        name = ox.NamedNode(graph)
        old = set(store.quads_for_pattern(None, None, None, name))
        twin = ox.NamedNode(project.private_graph(graph))
        old_private = (set(store.quads_for_pattern(None, None, None, twin)) if twin != name
                       else set())
        # only the difference: a changed file of 100k triples differs in a few (measured at
        # 1M: removing and adding the whole graph took 4 s of a 17 s rebuild)
        new = set(quads)
        gone, came = old - new, new - old
        # what both versions state is no change of axioms (reading every predicate of both
        # took 0.16 s of a rebuild at 1M)
        axioms_changed |= reason.states_axioms(
            (q.predicate for q in [*gone, *came, *old_private]), links)
        before[graph] = (set(), set(), set()) if project.is_private(graph) else (old, gone, came)
        if quads:
            for quad in gone:
                store.remove(quad)
            store.extend(came)
        else:  # a removed file: its graph goes, not only its triples
            store.remove_graph(name)
        if twin != name and store.contains_named_graph(twin):
            store.remove_graph(twin)
    moved = split(project, store)
    axioms_changed |= reason.states_axioms(
        (q.predicate for q in [*moved.to_private, *moved.to_public]), links)
    removed: list[ox.Quad] = []
    added: list[ox.Quad] = []
    for graph, (old, gone, came) in before.items():
        # The graph now is N - P | U: its new quads N, less what split moved out (P), plus what
        # it moved back (U), worked out from the difference, not from the new quads (reading
        # 100k quads again from the store took 0.8 s at 1M, passing over them 0.3 s).
        name = ox.NamedNode(graph)
        out = {q for q in moved.to_private if q.graph_name == name}
        back = {q for q in moved.to_public if q.graph_name == name}
        removed += (gone | (old & out)) - back
        added += ({q for q in came if q.graph_name == name} - out) | (back - old)
    removed += [q for q in moved.to_private if q.graph_name.value not in before]
    added += [q for q in moved.to_public if q.graph_name.value not in before]
    inferred = ox.NamedNode(project.inferred_graph)
    names = public_reasoning_graphs(project, store)
    inferred_changes: list | None = None
    if axioms_changed:
        if not recompute_on_axioms:
            raise AxiomsChanged("a change states or drops axioms")
        reason.materialise(project, store, names)
    else:
        graphs = {ox.NamedNode(g) for g in names}
        axioms = reason.Axioms.in_store(store, names)
        gone, new = reason.update(store, axioms, graphs, inferred,
                           [(q.subject, q.predicate, q.object) for q in removed],
                           [(q.subject, q.predicate, q.object) for q in added])
        inferred_changes = [ox.Quad(s, p, o, inferred) for s, p, o in [*gone, *new]]
        for s, p, o in gone:
            store.remove(ox.Quad(s, p, o, inferred))
        store.extend(ox.Quad(s, p, o, inferred) for s, p, o in new)
    materialise_private(project, store)
    touched = set(changes) | {project.private_graph(g) for g in changes} | moved.graphs(project)
    touched |= {project.inferred_graph, project.private_inferred_graph}
    return Replaced(removed, added, touched, moved, inferred_changes)
