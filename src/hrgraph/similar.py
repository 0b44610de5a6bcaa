"""Similar demands across documents: suggestions precomputed into a named graph of their own.

Two demands of different documents are *related* when

* they share an action type: the curated ``hrg:actionType``, or, for a demand without one, its
  ``hrg:suggestedActionType`` (what the UPR import reads from a recommendation's verb); the
  action types' hierarchy is not followed (same concept only);
* and one's topic or theme (``hrg:topic``, ``hrg:uhriTheme``) is the other's or wider than it,
  following ``skos:broader`` between concepts and the curated mapping links of the vocabularies
  (``skos:broadMatch`` and ``skos:narrowMatch`` one way, ``skos:closeMatch`` and
  ``skos:exactMatch`` both ways), transitively. So a UHRI theme "Right to life" (``uhri2:D21
  skos:narrowMatch topic:death-penalty``) relates a recommendation to an NGO's death-penalty
  demand; two demands whose topics only share a wider topic (death penalty and fair trial, both
  civil and political rights) are not related.

**Bounded at scale.** Related demands share an action type and a concept, and a few dozen of
those cover a whole graph: at 10M generated triples each of 190,000 demands is related to some
11,000 others, 2·10^9 quote comparisons. So above ``[suggestions] compare_all_up_to`` demands in
the public graphs (default :data:`DEFAULT_COMPARE_ALL_UP_TO`), two related demands are compared
only when they also share a target (``hrg:concerns``: the same person, organisation or
provision), found from an index by target; demands without targets then get no suggestions.
The rule is a property of the pair either way, so an ``add`` still recomputes only what it can
change; the graph records which rule computed it, and crossing the threshold computes it whole.

Related demands are ranked by the similarity of their quotes (``rapidfuzz.fuzz.token_set_ratio``
of the quotes after ``rapidfuzz.utils.default_process``: case, punctuation and word order
ignored; the best pair when a demand has quotes in several languages), then by the number of
targets (``hrg:concerns``) they share, then by IRI. Each demand keeps its ``top_k`` best at or
above ``min_score`` (``hrgraph.toml`` ``[suggestions]``, defaults :data:`DEFAULT_TOP_K`,
:data:`DEFAULT_MIN_SCORE`). The lists are **directed**: B in A's list says "for A, B is among the
most similar", and A need not be in B's (scores are symmetric, ranks are not).

Each entry is an ``hrg:Suggestion`` in the graph ``<graph base>suggestions/similar``::

    <id base>suggestion/similar/<hash of the pair> a hrg:Suggestion ;
        hrg:suggestionFor <A> ; hrg:similarTo <B> ;
        hrg:score 0.912 ; hrg:rank 1 ; hrg:suggestionMethod hrg:quoteSimilarity .

They are suggestions for an editor, never curated links: this module writes nothing but that
graph (``hrg:reiterates`` and the editorial claims stay the editors' own). Only public graphs are
read (data, ontology and the public inferred graph), so a confidential demand never has
suggestions and is never suggested: its triples are all in private graphs (:mod:`hrgraph.privacy`).

``build`` computes the graph whole (:func:`rebuild_graph`: the demands are read once and indexed
by (action type, concept)); an incremental build, ``add`` and ``remove`` recompute only what the
changed demands can change (:func:`update`, from the store's own indexes), which gives the same
graph (``tests/test_similar.py`` compares them).
"""

from __future__ import annotations

import hashlib
import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from hrgraph.errors import InputError
from hrgraph.project import Project

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
DCTERMS_DESCRIPTION = "http://purl.org/dc/terms/description"
#: Bumped when what :func:`compute` gives changes: a graph of another method is computed again.
METHOD_VERSION = 1

#: Suggestions kept per demand, and the lowest score kept (0 to 1), unless ``hrgraph.toml``
#: ``[suggestions] top_k`` / ``min_score`` say otherwise.
DEFAULT_TOP_K = 5
DEFAULT_MIN_SCORE = 0.6
#: Up to this many public demands every related pair is compared; above it only the related
#: pairs that share a target (``[suggestions] compare_all_up_to``).
DEFAULT_COMPARE_ALL_UP_TO = 5000
#: Links between concepts that make one wider than the other (``narrower → wider``); the
#: ``both`` ones make them equivalent.
UP_LINKS = (SKOS + "broader", SKOS + "broadMatch")
DOWN_LINKS = (SKOS + "narrower", SKOS + "narrowMatch")
BOTH_LINKS = (SKOS + "closeMatch", SKOS + "exactMatch")
CONCEPT_LINKS = frozenset((*UP_LINKS, *DOWN_LINKS, *BOTH_LINKS))


@dataclass(frozen=True)
class Settings:
    """How many suggestions each demand keeps, the lowest score kept, and up to how many
    demands every related pair is compared."""

    top_k: int = DEFAULT_TOP_K
    min_score: float = DEFAULT_MIN_SCORE
    compare_all_up_to: int = DEFAULT_COMPARE_ALL_UP_TO


def settings_of(project: Project) -> Settings:
    """``hrgraph.toml`` ``[suggestions]``: ``top_k`` (a whole number ≥ 0; 0 writes no
    suggestions), ``min_score`` (0 to 1) and ``compare_all_up_to`` (a whole number ≥ 0).

    Raises:
        InputError: a value out of range or of the wrong type, naming it.
    """
    section = project.settings.get("suggestions", {})
    top_k = section.get("top_k", DEFAULT_TOP_K)
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 0:
        raise InputError(f"[suggestions] top_k must be a whole number of 0 or more, not "
                         f"{top_k!r}", path="hrgraph.toml")
    min_score = section.get("min_score", DEFAULT_MIN_SCORE)
    if isinstance(min_score, bool) or not isinstance(min_score, (int, float)) \
            or not 0 <= min_score <= 1:
        raise InputError(f"[suggestions] min_score must be a number from 0 to 1, not "
                         f"{min_score!r}", path="hrgraph.toml")
    limit = section.get("compare_all_up_to", DEFAULT_COMPARE_ALL_UP_TO)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise InputError(f"[suggestions] compare_all_up_to must be a whole number of 0 or more, "
                         f"not {limit!r}", path="hrgraph.toml")
    return Settings(top_k=top_k, min_score=float(min_score), compare_all_up_to=limit)


def graph_iri(project: Project) -> str:
    """The named graph of the similar-demand suggestions."""
    return project.graph_base + "suggestions/similar"


def suggestion_iri(project: Project, demand: str, other: str) -> str:
    """The IRI of the suggestion "for ``demand``, ``other`` is similar": the same pair always
    gives the same IRI, whoever computed it."""
    digest = hashlib.sha256(f"{demand} {other}".encode()).hexdigest()[:20]
    return f"{project.id_base}suggestion/similar/{digest}"


# --------------------------------------------------------------------------- reading demands


@dataclass(frozen=True)
class Demand:
    """What the suggestions read of one demand (IRIs as strings, quotes processed)."""

    iri: str
    documents: frozenset[str]
    actions: frozenset[str]
    concepts: frozenset[str]  # its own topics and themes
    wider: frozenset[str]  # those and every concept wider than or equivalent to them
    quotes: tuple[str, ...]
    targets: frozenset[str]


class _Terms:
    """The predicate nodes, and which graphs count (public asserted and inferred)."""

    def __init__(self, project: Project, store: ox.Store) -> None:
        ns = project.ontology_ns
        self.type = ox.NamedNode(RDF_TYPE)
        self.demand = ox.NamedNode(ns + "Demand")
        self.made_in = ox.NamedNode(ns + "madeIn")
        self.action = ox.NamedNode(ns + "actionType")
        self.suggested = ox.NamedNode(ns + "suggestedActionType")
        self.topic = ox.NamedNode(ns + "topic")
        self.theme = ox.NamedNode(ns + "uhriTheme")
        self.quote = ox.NamedNode(ns + "quote")
        self.concerns = ox.NamedNode(ns + "concerns")
        prefixes = (project.graph_base + "data/", project.graph_base + "ontology/")
        self.public = {g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and (
            g.value.startswith(prefixes) or g.value == project.inferred_graph)}
        # A demand's own topics and themes are the stated ones: hrg:topic and hrg:uhriTheme are
        # closed under skos:broader in the inferred graph, and the wider ones are Concepts' job.
        self.stated = self.public - {ox.NamedNode(project.inferred_graph)}
        self.vocab_base = project.vocab_base

    def more_demands_than(self, store: ox.Store, limit: int) -> bool:
        """Whether more than ``limit`` demands are typed in the public graphs (what
        ``compare_all_up_to`` counts); stops counting there (counting all took 0.55 s of a
        rebuild at 1M)."""
        seen: set[ox.Term] = set()
        for quad in store.quads_for_pattern(None, self.type, self.demand):
            if quad.graph_name in self.public:
                seen.add(quad.subject)
                if len(seen) > limit:
                    return True
        return False


def _objects(store: ox.Store, terms: _Terms, subject: ox.NamedNode,
             predicate: ox.NamedNode) -> list[ox.Term]:
    graphs = terms.stated if predicate in (terms.topic, terms.theme) else terms.public
    return [q.object for q in store.quads_for_pattern(subject, predicate, None)
            if q.graph_name in graphs]


class Concepts:
    """The concept graph of the vocabularies: which concepts are wider than which."""

    def __init__(self, up: dict[str, set[str]]) -> None:
        self.up = up
        self.down: dict[str, set[str]] = defaultdict(set)
        for narrow, wides in up.items():
            for wide in wides:
                self.down[wide].add(narrow)
        self._wider: dict[str, frozenset[str]] = {}
        self._narrower: dict[str, frozenset[str]] = {}

    @classmethod
    def in_store(cls, project: Project, store: ox.Store, terms: _Terms | None = None
                 ) -> Concepts:
        """The links between concepts under the vocabulary base, from the public graphs."""
        terms = terms or _Terms(project, store)
        up: dict[str, set[str]] = defaultdict(set)
        for link in CONCEPT_LINKS:
            for q in store.quads_for_pattern(None, ox.NamedNode(link), None):
                s, o = q.subject, q.object
                if q.graph_name not in terms.public or not isinstance(s, ox.NamedNode) \
                        or not isinstance(o, ox.NamedNode) or not s.value.startswith(
                            terms.vocab_base) or not o.value.startswith(terms.vocab_base):
                    continue
                if link in UP_LINKS or link in BOTH_LINKS:
                    up[s.value].add(o.value)
                if link in DOWN_LINKS or link in BOTH_LINKS:
                    up[o.value].add(s.value)
        return cls(dict(up))

    @staticmethod
    def _closure(start: str, step: dict[str, set[str]]) -> frozenset[str]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in step.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return frozenset(seen)

    def wider(self, concept: str) -> frozenset[str]:
        """The concept, and every concept wider than or equivalent to it."""
        if concept not in self._wider:
            self._wider[concept] = self._closure(concept, self.up)
        return self._wider[concept]

    def narrower(self, concept: str) -> frozenset[str]:
        """The concept, and every concept narrower than or equivalent to it."""
        if concept not in self._narrower:
            self._narrower[concept] = self._closure(concept, self.down)
        return self._narrower[concept]


def _make(iri: str, documents: Iterable[str], curated: Iterable[str], suggested: Iterable[str],
          concepts: Iterable[str], quotes: Iterable[str], targets: Iterable[str],
          graph: Concepts) -> Demand | None:
    """A demand, or None when it cannot be related: no document, action type, concept or
    quote (a curated action type replaces the suggested ones)."""
    documents, concepts = frozenset(documents), frozenset(concepts)
    actions = frozenset(curated) or frozenset(suggested)
    processed = tuple(sorted({p for q in quotes if (p := default_process(q))}))
    if not (documents and actions and concepts and processed):
        return None
    wider = frozenset(w for c in concepts for w in graph.wider(c))
    return Demand(iri, documents, actions, concepts, wider, processed, frozenset(targets))


def read_demand(store: ox.Store, terms: _Terms, graph: Concepts, iri: str) -> Demand | None:
    """One demand from the store's public graphs (None if it is none, or cannot be related)."""
    node = ox.NamedNode(iri)
    if terms.demand not in _objects(store, terms, node, terms.type):
        return None

    def values(predicate: ox.NamedNode, kind: type = ox.NamedNode) -> list[str]:
        return [o.value for o in _objects(store, terms, node, predicate) if isinstance(o, kind)]

    return _make(iri, values(terms.made_in), values(terms.action), values(terms.suggested),
                 values(terms.topic) + values(terms.theme), values(terms.quote, ox.Literal),
                 values(terms.concerns), graph)


def read_demands(store: ox.Store, terms: _Terms, graph: Concepts) -> dict[str, Demand]:
    """Every demand that can be related, read predicate by predicate (for a whole build)."""
    def by_subject(predicate: ox.NamedNode, kind: type = ox.NamedNode) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        graphs = terms.stated if predicate in (terms.topic, terms.theme) else terms.public
        for q in store.quads_for_pattern(None, predicate, None):
            if q.graph_name in graphs and isinstance(q.subject, ox.NamedNode) \
                    and isinstance(q.object, kind):
                found[q.subject.value].append(q.object.value)
        return found

    demands = {q.subject.value for q in store.quads_for_pattern(None, terms.type, terms.demand)
               if q.graph_name in terms.public and isinstance(q.subject, ox.NamedNode)}
    made_in, action = by_subject(terms.made_in), by_subject(terms.action)
    suggested, topic = by_subject(terms.suggested), by_subject(terms.topic)
    theme, quote = by_subject(terms.theme), by_subject(terms.quote, ox.Literal)
    concerns = by_subject(terms.concerns)
    found = {}
    for iri in sorted(demands):
        demand = _make(iri, made_in.get(iri, ()), action.get(iri, ()), suggested.get(iri, ()),
                       topic.get(iri, []) + theme.get(iri, []), quote.get(iri, ()),
                       concerns.get(iri, ()), graph)
        if demand is not None:
            found[iri] = demand
    return found


def related(a: Demand, b: Demand) -> bool:
    """Whether two demands are related (see the module docstring)."""
    # isdisjoint makes no sets: this runs for every pair above the score floor
    return (a.iri != b.iri and a.documents.isdisjoint(b.documents)
            and not a.actions.isdisjoint(b.actions)
            and not (a.concepts.isdisjoint(b.wider) and b.concepts.isdisjoint(a.wider)))


# --------------------------------------------------------------------------- ranking


def score(a: Demand, b: Demand) -> int:
    """Quote similarity in thousandths (0 to 1000): the best pair of quotes."""
    best = max(fuzz.token_set_ratio(x, y, processor=None) for x in a.quotes for y in b.quotes)
    return round(best * 10)


@dataclass(frozen=True, order=True)
class Ranked:
    """One entry of a demand's list, ordered best first."""

    key: tuple  # (-score, -shared targets, IRI)

    @property
    def score(self) -> int:
        return -self.key[0]

    @property
    def other(self) -> str:
        return self.key[2]


def ranked(a: Demand, b: Demand, value: int | None = None) -> Ranked:
    """``b`` as an entry of ``a``'s list."""
    return Ranked(_key(a, b, score(a, b) if value is None else value))


def _key(a: Demand, b: Demand, value: int) -> tuple[int, int, str]:
    return (-value, -len(a.targets & b.targets), b.iri)


def best(a: Demand, others: Iterable[Demand], settings: Settings) -> list[Ranked]:
    """The ``top_k`` best of ``others`` related to ``a`` (:func:`related`), at or above the
    minimum score.

    The same scores as :func:`score`, computed by rapidfuzz's own loop over the quotes
    (``process.extract``, best first, with a cut-off); only the best reach Python: once
    ``top_k`` related demands are found, the rest score lower than the last of them (or tie with
    it, and are still ranked). At 10M generated triples a demand is compared with up to 3,000
    others sharing a group of people as a target, almost all above the floor.
    """
    if not settings.top_k:
        return []
    others = list(others)
    choices: list[str] = []
    owner: list[int] = []
    for i, b in enumerate(others):
        choices += b.quotes
        owner += [i] * len(b.quotes)
    floor = round(settings.min_score * 1000)
    cutoff = max(0.0, (floor - 1) / 10)  # below the floor after rounding; checked exactly next
    # one list per quote of ``a``, best first; merged, each demand comes first at its best score
    lists = [((round(ratio * 10), j) for _choice, ratio, j in process.extract(
        x, choices, scorer=fuzz.token_set_ratio, processor=None, limit=None,
        score_cutoff=cutoff)) for x in a.quotes]
    keys: list[tuple[int, int, str]] = []
    seen: set[int] = set()
    last: int | None = None  # the score of the top_k-th related demand found
    for value, j in heapq.merge(*lists, key=lambda entry: -entry[0]):
        if value < floor or (last is not None and value < last):
            break
        if owner[j] in seen:
            continue
        seen.add(owner[j])
        b = others[owner[j]]
        if related(a, b):
            keys.append(_key(a, b, value))
            if last is None and len(keys) == settings.top_k:
                last = value
    return [Ranked(key) for key in heapq.nsmallest(settings.top_k, keys)]


class Index:
    """Demands by (action type, own concept) and by (action type, wider concept), or, when
    ``by_target``, by (target, action type): the related demands of one are found from its
    keys, never by pairing all demands."""

    def __init__(self, demands: dict[str, Demand], by_target: bool = False) -> None:
        self.demands = demands
        self.by_target = by_target
        self.own: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.wide: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.concerning: dict[tuple[str, str], list[str]] = defaultdict(list)
        for iri, d in demands.items():
            if by_target:
                for target in d.targets:
                    for action in d.actions:
                        self.concerning[(target, action)].append(iri)
                continue
            for action in d.actions:
                for concept in d.concepts:
                    self.own[(action, concept)].append(iri)
                for concept in d.wider:
                    self.wide[(action, concept)].append(iri)

    def related(self, a: Demand) -> list[Demand]:
        """The demands to compare with ``a``: related to it (and sharing a target when
        ``by_target``)."""
        return [b for b in self.candidates(a) if related(a, b)]

    def candidates(self, a: Demand) -> list[Demand]:
        """The demands of ``a``'s keys, related to it or not (:func:`best` asks)."""
        found: set[str] = set()
        for action in a.actions:
            if self.by_target:
                for target in a.targets:
                    found.update(self.concerning.get((target, action), ()))
                continue
            for concept in a.wider:  # theirs is ours or narrower
                found.update(self.own.get((action, concept), ()))
            for concept in a.concepts:  # theirs is ours or wider
                found.update(self.wide.get((action, concept), ()))
        return [self.demands[iri] for iri in sorted(found)]


# --------------------------------------------------------------------------- writing


def _quads(project: Project, demand: str, entries: list[Ranked]) -> list[ox.Quad]:
    ns = project.ontology_ns
    graph = ox.NamedNode(graph_iri(project))
    out = []
    for rank, entry in enumerate(entries, start=1):
        s = ox.NamedNode(suggestion_iri(project, demand, entry.other))
        out += [ox.Quad(s, ox.NamedNode(RDF_TYPE), ox.NamedNode(ns + "Suggestion"), graph),
                ox.Quad(s, ox.NamedNode(ns + "suggestionFor"), ox.NamedNode(demand), graph),
                ox.Quad(s, ox.NamedNode(ns + "similarTo"), ox.NamedNode(entry.other), graph),
                ox.Quad(s, ox.NamedNode(ns + "score"), ox.Literal(
                    f"{entry.score / 1000:.3f}", datatype=ox.NamedNode(XSD_DECIMAL)), graph),
                ox.Quad(s, ox.NamedNode(ns + "rank"), ox.Literal(
                    str(rank), datatype=ox.NamedNode(XSD_INTEGER)), graph),
                ox.Quad(s, ox.NamedNode(ns + "suggestionMethod"),
                        ox.NamedNode(ns + "quoteSimilarity"), graph)]
    return out


def compares_by_target(settings: Settings, terms: _Terms, store: ox.Store) -> bool:
    """Whether the store has more public demands than ``compare_all_up_to``: then only related
    demands sharing a target are compared."""
    return terms.more_demands_than(store, settings.compare_all_up_to)


def compute(project: Project, store: ox.Store, *, by_target: bool | None = None
            ) -> list[ox.Quad]:
    """Every suggestion of the store's public demands, as quads of :func:`graph_iri`
    (``by_target``: the rule of comparison, if the caller has it already)."""
    settings = settings_of(project)
    if not settings.top_k:
        return []
    terms = _Terms(project, store)
    concepts = Concepts.in_store(project, store, terms)
    if by_target is None:
        by_target = compares_by_target(settings, terms, store)
    index = Index(read_demands(store, terms, concepts), by_target)
    quads: list[ox.Quad] = []
    for iri, demand in index.demands.items():
        quads += _quads(project, iri, best(demand, index.candidates(demand), settings))
    return quads


def _fingerprint(project: Project, settings: Settings, by_target: bool) -> ox.Quad:
    """The triple recording how the graph was computed: when the method, the settings or the
    rule of comparison change, :func:`update` computes the graph again whole instead of
    patching it."""
    rule = "sharing a target" if by_target else "all related"
    graph = ox.NamedNode(graph_iri(project))
    return ox.Quad(graph, ox.NamedNode(DCTERMS_DESCRIPTION), ox.Literal(
        f"hrgraph.similar method {METHOD_VERSION}: top_k {settings.top_k}, min_score "
        f"{settings.min_score:.3f}, compared: {rule}"), graph)


def rebuild_graph(project: Project, store: ox.Store) -> int:
    """Replace the suggestions graph by a fresh computation; returns its triples."""
    name = ox.NamedNode(graph_iri(project))
    if store.contains_named_graph(name):
        store.remove_graph(name)
    settings = settings_of(project)
    by_target = compares_by_target(settings, _Terms(project, store), store)
    quads = [_fingerprint(project, settings, by_target),
             *compute(project, store, by_target=by_target)]
    store.extend(quads)
    return len(quads)


# --------------------------------------------------------------------------- updating


class _Stored:
    """The suggestions graph as it is: each demand's list, and who lists whom."""

    def __init__(self, project: Project, store: ox.Store) -> None:
        self.store = store
        self.graph = ox.NamedNode(graph_iri(project))
        ns = project.ontology_ns
        self.suggestion_for = ox.NamedNode(ns + "suggestionFor")
        self.similar_to = ox.NamedNode(ns + "similarTo")

    def _in_graph(self, s: ox.Term | None, p: ox.NamedNode, o: ox.Term | None) -> list[ox.Quad]:
        return list(self.store.quads_for_pattern(s, p, o, self.graph))

    def listed(self, demand: str) -> list[str]:
        """The demands in ``demand``'s list."""
        return [q.object.value for s in self._in_graph(None, self.suggestion_for,
                                                       ox.NamedNode(demand))
                for q in self._in_graph(s.subject, self.similar_to, None)]

    def listing(self, demand: str) -> set[str]:
        """The demands whose lists hold ``demand``."""
        return {q.object.value for s in self._in_graph(None, self.similar_to,
                                                       ox.NamedNode(demand))
                for q in self._in_graph(s.subject, self.suggestion_for, None)}

    def drop(self, demand: str) -> None:
        """Remove ``demand``'s list."""
        for s in self._in_graph(None, self.suggestion_for, ox.NamedNode(demand)):
            for q in list(self.store.quads_for_pattern(s.subject, None, None, self.graph)):
                self.store.remove(q)


def _related_in_store(store: ox.Store, terms: _Terms, concepts: Concepts, a: Demand,
                      cache: dict[str, Demand | None], by_target: bool) -> list[Demand]:
    """The demands to compare with ``a``, found through the store's indexes: those with one of
    its action types and a concept of its own, wider or narrower, or when ``by_target`` those
    sharing a target (the same as :class:`Index`)."""
    def subjects(predicates: Iterable[ox.NamedNode], objects: Iterable[str]) -> set[str]:
        return {q.subject.value for p in predicates for o in objects
                for q in store.quads_for_pattern(None, p, ox.NamedNode(o))
                if q.graph_name in terms.public and isinstance(q.subject, ox.NamedNode)}

    if by_target:
        candidates = subjects((terms.concerns,), a.targets)
    else:
        keys = set(a.wider) | {n for c in a.concepts for n in concepts.narrower(c)}
        candidates = subjects((terms.action, terms.suggested), a.actions) \
            & subjects((terms.topic, terms.theme), keys)
    found = []
    for iri in sorted(candidates):
        if iri not in cache:
            cache[iri] = read_demand(store, terms, concepts, iri)
        b = cache[iri]
        if b is not None and related(a, b):
            found.append(b)
    return found


def update(project: Project, store: ox.Store, changes: Iterable[ox.Quad | ox.Triple]) -> None:
    """Bring the suggestions graph up to date after ``changes`` (the triples added to or removed
    from the public graphs by an ``add``, a ``remove``, an incremental build), with the same
    result as :func:`rebuild_graph`.

    What a demand's list holds depends only on its own triples, the other demand's and the
    concept graph. So: a changed demand's list is computed again, and so is the list of every
    demand that listed it (the changed one may have dropped out); every other demand related to
    a changed one keeps its list, into which the changed one is ranked (its old list was the best
    of everything else, which did not change). A change to the links between concepts recomputes
    everything.
    """
    changes = list(changes)
    terms = _Terms(project, store)
    settings = settings_of(project)
    by_target = compares_by_target(settings, terms, store)
    if any(q.predicate.value in CONCEPT_LINKS for q in changes) or _fingerprint(
            project, settings, by_target) not in store:
        # links between concepts changed (a vocabulary in data), the settings, or the rule
        rebuild_graph(project, store)
        return
    changed = {q.subject.value for q in changes if isinstance(q.subject, ox.NamedNode)}
    if not changed:
        return
    stored = _Stored(project, store)
    concepts = Concepts.in_store(project, store, terms)
    cache: dict[str, Demand | None] = {}

    def demand(iri: str) -> Demand | None:
        if iri not in cache:
            cache[iri] = read_demand(store, terms, concepts, iri)
        return cache[iri]

    again = set(changed)
    for iri in changed:
        again |= stored.listing(iri)
    for iri in sorted(again):
        stored.drop(iri)
        a = demand(iri)
        if a is not None and settings.top_k:
            store.extend(_quads(project, iri, best(a, _related_in_store(
                store, terms, concepts, a, cache, by_target), settings)))
    # the others related to a changed demand: rank the changed ones into their lists
    news: dict[str, list[Demand]] = defaultdict(list)
    for iri in sorted(changed):
        a = demand(iri)
        if a is None or not settings.top_k:
            continue
        for b in _related_in_store(store, terms, concepts, a, cache, by_target):
            if b.iri not in again:
                news[b.iri].append(a)
    for iri, arrivals in sorted(news.items()):
        b = demand(iri)
        if b is None:
            continue
        kept = [d for other in stored.listed(iri) if (d := demand(other)) is not None]
        entries = best(b, [*kept, *arrivals], settings)
        if {e.other for e in entries} != {d.iri for d in kept}:  # kept ones score the same
            stored.drop(iri)
            store.extend(_quads(project, iri, entries))
