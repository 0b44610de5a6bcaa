"""How far a SPARQL check looks from its focus node, and the part of a store that covers it.

A check (``queries/checks/*.rq``) runs over the whole graph. After a small change, a rebuild
need not run it again everywhere when the check is **local**: every triple pattern it holds
(in its body, ``OPTIONAL``, ``UNION``, ``MINUS`` and ``FILTER [NOT] EXISTS`` alike) starts at the
focus variable or at a variable a pattern reaches from it, following links forward. Then a
result about a resource can only change when a triple changes whose subject lies within the
check's reach of it, and the check can run on the resources near the change alone, over the
triples they reach (:func:`near_store`), giving the same rows about them as over the whole
graph (``tests/test_check_reach.py`` compares both).

The judgement is made on the query as rdflib parses it (as :mod:`hrgraph.guard` reads it;
pyoxigraph runs it: a misreading would leave a stale result, never reach data a query may not),
and errs one way: anything not plainly local (``GRAPH``, ``SERVICE``, a sub-query, a ``FROM``
clause, ``LIMIT``, a ``GROUP BY`` other than the focus, a property path other than a choice of
IRIs, a pattern whose subject is a constant or not reached from the focus, an ``ASK``) makes the
check run over the whole graph, as before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, URIRef, Variable
from rdflib.paths import AlternativePath
from rdflib.plugins.sparql.parserutils import CompValue

from hrgraph import guard

#: Parts of a parsed query that read graphs other than the default one, rows from elsewhere,
#: or rows chosen among all (``LIMIT``): a check holding one is not judged local.
_NOT_LOCAL = frozenset({"Graph", "GraphGraphPattern", "ServiceGraphPattern", "SubSelect",
                        "SelectQuery", "Project", "Slice"})


@functools.lru_cache(maxsize=256)
def reach(sparql: str) -> int | None:
    """How many links forward from its focus variable a SELECT check reads (1: only the focus
    node's own triples), or ``None`` when it is not local (see the module docstring).

    The focus variable is ``?focus`` when projected, else the first projected one (the rule of
    :func:`hrgraph.validate.run_checks`).
    """
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    with guard.PARSER_LOCK:  # see there: the parser is not thread-safe
        query = translateQuery(parseQuery(sparql))
    root = query.algebra
    if root.name != "SelectQuery" or root.get("datasetClause"):
        return None
    projected = [str(v) for v in root.get("PV") or []]
    if not projected:
        return None
    focus = Variable("focus" if "focus" in projected else projected[0])
    body = root.p
    while body.name in ("Distinct", "Reduced"):
        body = body.p
    if body.name != "Project":
        return None
    found = _Found(focus)
    try:
        _collect(body.p, found)
    except _NotLocal:
        return None
    if found.binds_focus and not found.grouped:  # BIND (… AS ?focus): not a node reached
        return None
    patterns = found.patterns
    distance = {focus: 0}
    grown = True
    while grown:  # to a fixed point: patterns may come in any order
        grown = False
        for subject, _, obj in patterns:
            if subject in distance and _is_variable(obj) and (
                    obj not in distance or distance[obj] > distance[subject] + 1):
                distance[obj] = distance[subject] + 1
                grown = True
    steps = 0
    for subject, predicate, _ in patterns:
        if subject not in distance or not _simple(predicate):
            return None
        steps = max(steps, distance[subject] + 1)
    return steps or None


class _NotLocal(Exception):
    pass


class _Found:
    """What :func:`_collect` finds under a query's projection."""

    def __init__(self, focus: Variable) -> None:
        self.focus = focus
        self.patterns: list[tuple[Any, Any, Any]] = []
        self.grouped = False  # GROUP BY ?focus (then rdflib binds ?focus to a SAMPLE of it)
        self.binds_focus = False


def _is_variable(term: Any) -> bool:
    return isinstance(term, (Variable, BNode))


def _simple(predicate: Any) -> bool:
    """One link forward: an IRI, a variable, a choice of IRIs (``skos:prefLabel|skos:altLabel``)."""
    if isinstance(predicate, (URIRef, Variable)):
        return True
    return isinstance(predicate, AlternativePath) and all(
        isinstance(p, URIRef) for p in predicate.args)


def _collect(node: Any, found: _Found) -> None:
    """The triple patterns anywhere under ``node`` (the algebra, and the parse tree of the
    ``EXISTS`` groups rdflib leaves untranslated), into ``found``.

    Raises:
        _NotLocal: a part that is not local (:data:`_NOT_LOCAL`, a group by anything but the
            focus alone, a constant subject, a path not translated).
    """
    if isinstance(node, CompValue):
        if node.name in _NOT_LOCAL:
            raise _NotLocal
        if node.name == "Group":
            if list(node.get("expr") or []) != [found.focus]:
                raise _NotLocal  # rows counted across resources
            found.grouped = True
        if node.name == "Extend" and node.get("var") == found.focus:
            found.binds_focus = True
        if node.name in ("BGP", "TriplesBlock"):
            for triple in node.get("triples") or []:
                if len(triple) != 3:  # a parse-tree triple with a path still in pieces
                    raise _NotLocal
                subject, predicate, obj = triple
                if not (_is_variable(subject) and isinstance(predicate, (URIRef, Variable,
                                                                         AlternativePath))):
                    raise _NotLocal  # a constant subject, or a path not yet translated
                found.patterns.append((subject, predicate, obj))
        for key, value in node.items():
            if key not in ("triples", "_vars"):
                _collect(value, found)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _collect(item, found)


def public_graphs(store: ox.Store, is_private: Callable[[str], bool]) -> set[ox.NamedNode]:
    """The named graphs of ``store`` a check reads (every one but the private graphs)."""
    return {g for g in store.named_graphs() if isinstance(g, ox.NamedNode)
            and not is_private(g.value)}


def upstream(store: ox.Store, graphs: set[ox.NamedNode], subjects: Iterable[ox.Term],
             steps: int) -> set[ox.Term]:
    """``subjects`` and every resource from which one of them is at most ``steps`` links away
    in ``graphs``: the focus nodes whose results a change of those subjects' triples can
    change, for a check of :func:`reach` ``steps + 1``."""
    found = set(subjects)
    frontier = set(found)
    for _ in range(steps):
        frontier = {q.subject for node in frontier
                    for q in store.quads_for_pattern(None, None, node)
                    if q.graph_name in graphs} - found
        found |= frontier
    return found


def near_quads(store: ox.Store, graphs: set[ox.NamedNode], nodes: Iterable[ox.Term],
               steps: int) -> Iterator[ox.Quad]:
    """The quads of ``graphs`` whose subject is fewer than ``steps`` links forward from one of
    ``nodes``: all that a check of :func:`reach` ``steps`` reads about them."""
    seen: set[ox.Term] = set()
    frontier = set(nodes)
    for step in range(steps):
        seen |= frontier
        following: set[ox.Term] = set()
        for node in frontier:
            for quad in store.quads_for_pattern(node, None, None):
                if quad.graph_name in graphs:
                    yield quad
                    if step + 1 < steps and isinstance(quad.object, (ox.NamedNode, ox.BlankNode)):
                        following.add(quad.object)
        frontier = following - seen


def near_store(store: ox.Store, graphs: set[ox.NamedNode], nodes: Iterable[ox.Term],
               steps: int) -> ox.Store:
    """An in-memory store of :func:`near_quads`, in their graphs."""
    part = ox.Store()
    part.extend(near_quads(store, graphs, nodes, steps))
    return part
