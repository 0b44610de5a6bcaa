"""Demand summaries: one row per public leaf demand, in an SQLite file kept beside each store
generation, for the demands list, its filters and the dashboard.

    build / add / remove → a new store generation → its summary, ``hrgraph-summary.sqlite``
    (:data:`SUMMARY_FILE`) → :class:`Summary` → ``/demands``, ``/dashboard``, the network

The rule counted is the one of the saved count queries (``count-demands-by-*``), and a test holds
them equal: the demands counted are the **leaf demands** (a ``hrg:Demand`` no demand is
``hrg:partOf``) that are ``hrg:madeIn`` a document; each has the document (the least IRI if it has
several), the year of the document's ``hrg:earliestDate`` (``unknown`` without one), its topics
(asserted, and the broader ones the reasoner's closure implies: ``implied``), its addressees and
its **latest status**: the English label of the status of the assessment whose period starts
latest (the greatest ``hrg:earliestDate``, then the greatest IRI), ``not assessed`` without one.

Why a file of its own and not a query per page: at a million triples the SPARQL model of every
demand with its latest status takes over 10 s (measured, docs/performance.md), and a filter's
counts need all of it; read from its own quads with the store's indexes (a scan of seven
properties) it takes about a second, once per store generation, and each page is then a few
indexed SQL statements. It is computed whole for every generation — ``add`` and ``remove``
already copy the store, which costs more — so it can never lag behind its store.

Only public graphs are read (the rule of every reader, :mod:`hrgraph.privacy`); shapes and the
suggestions graph hold no demands.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from hrgraph import sidecar
from hrgraph import store as stores
from hrgraph.labels import SKOS, preferred_label
from hrgraph.project import Project
from hrgraph.query import prefixes, shorten

log = logging.getLogger(__name__)

#: The summary's file in a store generation's directory.
SUMMARY_FILE = "hrgraph-summary.sqlite"
#: Bumped when what the summary holds changes: a summary of another version is built again.
SCHEMA_VERSION = 1
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
#: A demand's status when it has no assessment, and its year when its document has no date.
NOT_ASSESSED, UNKNOWN_YEAR = "not assessed", "unknown"
#: The facets of a demand, in the order the filters show them.
FACETS = ("topic", "addressee", "status", "document", "year")

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE demands (iri TEXT PRIMARY KEY, label TEXT NOT NULL, document TEXT NOT NULL,
                      year TEXT, status TEXT, sort TEXT NOT NULL);
CREATE INDEX demands_sort ON demands(sort, iri);
CREATE TABLE facets (demand TEXT NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL,
                     implied INTEGER NOT NULL DEFAULT 0,
                     PRIMARY KEY (facet, value, demand)) WITHOUT ROWID;
CREATE INDEX facets_demand ON facets(demand, facet);
CREATE TABLE labels (iri TEXT PRIMARY KEY, label TEXT NOT NULL);
"""


@dataclass
class DemandRow:
    """One leaf demand as the lists show it."""

    iri: str
    document: str
    year: str | None
    status: str | None
    topics: dict[str, bool]  # topic IRI → implied
    addressees: list[str]

    def facets(self) -> Iterable[tuple[str, str, bool]]:
        """``(facet, value, implied)`` of each value the demand has."""
        for topic, implied in sorted(self.topics.items()):
            yield "topic", topic, implied
        for addressee in self.addressees:
            yield "addressee", addressee, False
        yield "status", self.status or NOT_ASSESSED, False
        yield "document", self.document, False
        yield "year", self.year or UNKNOWN_YEAR, False


def _english(literal: ox.Literal) -> bool:
    """``langMatches(lang(?x), "en")``."""
    language = (literal.language or "").lower()
    return language == "en" or language.startswith("en-")


class _Quads:
    """The public quads of a store, read by property: by one scan of the property's index for
    the whole store (``only`` None), or by a look-up per resource (a few demands, after a
    change). Either way the same rows follow from them."""

    def __init__(self, project: Project, store: ox.Store, whole: bool) -> None:
        self.store, self.whole = store, whole
        self.private = project.private_base

    def _public(self, quads: Iterable[ox.Quad]) -> Iterable[ox.Quad]:
        for quad in quads:
            graph = quad.graph_name
            if not (isinstance(graph, ox.NamedNode) and graph.value.startswith(self.private)):
                yield quad

    def of(self, p: str, subjects: set[str]) -> dict[str, list[ox.Quad]]:
        """The quads ``s p ?o`` of each of ``subjects``."""
        found: dict[str, list[ox.Quad]] = defaultdict(list)
        prop = ox.NamedNode(p)
        if self.whole:
            for quad in self._public(self.store.quads_for_pattern(None, prop, None)):
                if isinstance(quad.subject, ox.NamedNode) and quad.subject.value in subjects:
                    found[quad.subject.value].append(quad)
        else:
            for subject in subjects:
                found[subject] = list(self._public(self.store.quads_for_pattern(
                    ox.NamedNode(subject), prop, None)))
        return found

    def pointing(self, p: str, objects: set[str]) -> dict[str, set[str]]:
        """The subjects (IRIs) of ``?s p o`` for each of ``objects``."""
        found: dict[str, set[str]] = defaultdict(set)
        prop = ox.NamedNode(p)
        if self.whole:
            quads = self.store.quads_for_pattern(None, prop, None)
        else:
            quads = (q for o in objects for q in self.store.quads_for_pattern(
                None, prop, ox.NamedNode(o)))
        for quad in self._public(quads):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode) \
                    and quad.object.value in objects:
                found[quad.object.value].add(quad.subject.value)
        return found

    def typed(self, cls: str, candidates: set[str] | None) -> set[str]:
        """Which ``candidates`` (every resource, if None) have ``rdf:type cls``."""
        if candidates is None or self.whole:
            found = {q.subject.value for q in self._public(self.store.quads_for_pattern(
                None, RDF_TYPE, ox.NamedNode(cls))) if isinstance(q.subject, ox.NamedNode)}
            return found if candidates is None else found & candidates
        return {c for c in candidates if any(self._public(self.store.quads_for_pattern(
            ox.NamedNode(c), RDF_TYPE, ox.NamedNode(cls))))}


def _iris(quads: Iterable[ox.Quad]) -> list[str]:
    return sorted({q.object.value for q in quads if isinstance(q.object, ox.NamedNode)})


def read_demands(project: Project, store: ox.Store,
                 only: Iterable[str] | None = None) -> dict[str, DemandRow]:
    """The public leaf demands of ``store`` by IRI, by the rule in the module's docstring: all
    of them, or those among ``only``.

    Each property is read with the store's own indexes (``quads_for_pattern``), in public
    graphs only: one scan each for the whole store, a look-up per resource for ``only``."""
    hrg = project.ontology_ns
    read = _Quads(project, store, whole=only is None)
    demands = read.typed(hrg + "Demand", None if only is None else set(only))
    parts = read.pointing(hrg + "partOf", demands)
    all_parts = set().union(*parts.values()) if parts else set()
    part_demands = demands & all_parts if only is None else read.typed(hrg + "Demand",
                                                                       all_parts)
    leaves = {d for d in demands if not parts.get(d, set()) & part_demands}
    made_in = {d: _iris(q) for d, q in read.of(hrg + "madeIn", leaves).items()}
    leaves = {d for d in leaves if made_in.get(d)}
    documents = {docs[0] for d, docs in made_in.items() if d in leaves}
    starts = read.of(hrg + "earliestDate", documents)
    addressees = read.of(hrg + "addressee", leaves)
    inferred = ox.NamedNode(project.inferred_graph)
    topics: dict[str, dict[str, bool]] = defaultdict(dict)
    for demand, quads in read.of(hrg + "topic", leaves).items():
        for quad in quads:
            if isinstance(quad.object, ox.NamedNode):
                mine = topics[demand]
                mine[quad.object.value] = mine.get(quad.object.value, False) or \
                    quad.graph_name == inferred
    status = _latest_statuses(read, hrg, leaves)
    rows = {}
    for iri in leaves:
        document = made_in[iri][0]
        rows[iri] = DemandRow(iri, document, _year(q.object for q in starts.get(document, ())),
                              status.get(iri), topics.get(iri, {}),
                              _iris(addressees.get(iri, ())))
    return rows


def _year(dates: Iterable[Any]) -> str | None:
    """``YEAR(?start)`` of a document's earliest date (the least, if it has several)."""
    years = sorted(int(m[1]) for d in dates if isinstance(d, ox.Literal)
                   and (m := re.match(r"(\d{4})-", d.value)))
    return str(years[0]) if years else None


def _latest_statuses(read: _Quads, hrg: str, demands: set[str]) -> dict[str, str]:
    """Each assessed demand's latest status label (English), as latest-status chooses it."""
    assessments = read.pointing(hrg + "assessedDemand", demands)
    every = set().union(*assessments.values()) if assessments else set()
    starts = read.of(hrg + "earliestDate", every)
    statuses = {a: _iris(q) for a, q in read.of(hrg + "status", every).items()}
    names = read.of(SKOS + "prefLabel", {s for found in statuses.values() for s in found})
    found = {}
    for demand, mine in assessments.items():
        dated = [(q.object.value, a) for a in mine for q in starts.get(a, ())
                 if isinstance(q.object, ox.Literal)]
        if not dated:
            continue
        latest = max(start for start, _ in dated)
        chosen = max(a for start, a in dated if start == latest)
        labels = sorted(q.object.value for status in statuses.get(chosen, ())
                        for q in names.get(status, ())
                        if isinstance(q.object, ox.Literal) and _english(q.object))
        if labels:
            found[demand] = labels[0]
    return found


# --------------------------------------------------------------------------- the file


def summary_path(directory: str | os.PathLike) -> Path:
    """Where the summary of the store generation in ``directory`` is."""
    return Path(directory) / SUMMARY_FILE


def build_summary(project: Project, store: ox.Store | None = None,
                  directory: str | os.PathLike | None = None) -> Path:
    """Write the summary of ``store`` into ``directory`` (replacing one there); returns its path.

    Without them: the current store generation's, from that store. ``build`` gives both: the
    new store, before it is published.

    Raises:
        StoreError: there is no store, or the summary cannot be written.
    """
    if directory is None:
        directory = Path(stores.current_generation(project.store_path))
    if store is None:
        store = stores.open_store_at(Path(directory), read_only=True)
    rows = read_demands(project, store)
    final = summary_path(directory)
    with sidecar.writing(final, _SCHEMA, what="the demand summary") as db:
        _write(project, store, db, rows)
        sidecar.write_meta(db, store, directory, SCHEMA_VERSION)
    _forget(final)
    return final


#: Changes to these make a whole summary again: a topic's ``skos:broader`` changes the implied
#: topics of every demand under it, a status's label every demand's status.
_WIDE = (SKOS + "broader", SKOS + "narrower", SKOS + "prefLabel")


def update_summary(project: Project, store: ox.Store, directory: str | os.PathLike,
                   changes: Iterable[ox.Quad | ox.Triple] | None,
                   previous: str | os.PathLike | None) -> Path:
    """Write the summary of ``store`` (in ``directory``) from the previous generation's (in
    ``previous``) and the triples added to or removed from the store (``changes``): the rows of
    the demands they touch are read again — a changed demand, the demand a changed assessment
    assesses or a changed part is part of, the demands of a changed document — and the names of
    what they name. Without a usable previous summary or without ``changes``, or when a change
    can reach many demands (a concept's broader topic or label), the whole summary is built.
    """
    directory = Path(directory)
    old = summary_path(previous) if previous is not None else None
    changes = None if changes is None else list(changes)
    if changes is None or old is None or sidecar.schema_of(old) != SCHEMA_VERSION or any(
            q.predicate.value in _WIDE and isinstance(q.subject, ox.NamedNode)
            and q.subject.value.startswith(project.vocab_base) for q in changes):
        return build_summary(project, store, directory)
    hrg = project.ontology_ns
    touched = {q.subject.value for q in changes if isinstance(q.subject, ox.NamedNode)}
    touched |= {q.object.value for q in changes if isinstance(q.object, ox.NamedNode)
                and q.predicate.value in (hrg + "assessedDemand", hrg + "partOf")}
    read = _Quads(project, store, whole=False)
    documents = touched  # a changed document's year or name reaches its demands
    touched |= set().union(*read.pointing(hrg + "madeIn", documents).values(), set())
    final = summary_path(directory)
    with sidecar.writing(final, _SCHEMA, what="the demand summary", start=old) as db:
        for batch in _batches(sorted(touched), 500):
            marks = ", ".join("?" * len(batch))
            touched |= {d for (d,) in db.execute(
                f"SELECT iri FROM demands WHERE document IN ({marks})", batch)}
        gone = [(iri,) for iri in sorted(touched)]
        db.executemany("DELETE FROM facets WHERE demand = ?", gone)
        db.executemany("DELETE FROM demands WHERE iri = ?", gone)
        db.executemany("DELETE FROM labels WHERE iri = ?", gone)
        # what the kept rows still name: a renamed addressee of demands not read again
        kept = set()
        for batch in _batches(sorted(touched), 500):
            marks = ", ".join("?" * len(batch))
            kept |= {v for (v,) in db.execute(
                f"SELECT DISTINCT value FROM facets WHERE value IN ({marks})", batch)}
        _write(project, store, db, read_demands(project, store, touched), also=kept)
        sidecar.write_meta(db, store, directory, SCHEMA_VERSION)
    _forget(final)
    return final


def _visible(project: Project):
    private = project.private_base

    def visible(quad: ox.Quad) -> bool:
        graph = quad.graph_name
        return not (isinstance(graph, ox.NamedNode) and graph.value.startswith(private))
    return visible


def _write(project: Project, store: ox.Store, db: sqlite3.Connection,
           rows: Mapping[str, DemandRow], *, also: Iterable[str] = ()) -> None:
    """Insert ``rows`` and the names of the IRIs they hold or ``also`` names (those not named
    yet)."""
    iris = {i for r in rows.values() for i in (r.iri, r.document, *r.topics, *r.addressees)}
    iris |= set(also)
    named = set()
    for batch in _batches(sorted(iris), 500):
        named |= {iri for (iri,) in db.execute(
            f"SELECT iri FROM labels WHERE iri IN ({', '.join('?' * len(batch))})", batch)}
    visible = _visible(project)
    wanted = iris - named
    # a look-up per IRI: faster than scanning the naming properties (measured at 1M: 0.7 s
    # against 1.1 s for 21,613 IRIs)
    names = {i: n for i in wanted if (n := preferred_label(store, i, visible))}
    prefix_map = prefixes(project)
    names.update((i, shorten(i, prefix_map)) for i in wanted - names.keys())
    db.executemany("INSERT INTO labels VALUES (?, ?)", sorted(names.items()))

    def name(iri: str) -> str:
        return names.get(iri) or db.execute("SELECT label FROM labels WHERE iri = ?",
                                            (iri,)).fetchone()[0]

    db.executemany("INSERT INTO demands VALUES (?, ?, ?, ?, ?, ?)", (
        (r.iri, name(r.iri), r.document, r.year, r.status, name(r.document))
        for r in rows.values()))
    db.executemany("INSERT INTO facets VALUES (?, ?, ?, ?)", (
        (r.iri, facet, value, int(implied)) for r in rows.values()
        for facet, value, implied in r.facets()))


# --------------------------------------------------------------------------- reading it


@dataclass
class Summary:
    """An opened summary: the rows of one store generation."""

    path: Path

    def connect(self) -> sqlite3.Connection:
        """A new read-only connection (one per page: cheap, and safe across threads)."""
        return sidecar.connect(self.path)

    def select(self, chosen: Mapping[str, str], *, first: int = 0,
               last: int | None = None) -> dict[str, Any]:
        """The demands that have every ``facet: value`` of ``chosen``: ``total`` (all demands),
        ``count`` (those matching), ``rows`` (``first:last`` of them, by document name then
        IRI: ``iri, label, document, year, status, topics [(iri, implied)], addressees``),
        ``facets`` (for each facet, ``(value, count)`` among the matching, most first) and
        ``labels`` (names of the IRIs in rows and facets)."""
        where, params = _matching(chosen)
        with contextlib.closing(self.connect()) as db:
            total = db.execute("SELECT COUNT(*) FROM demands").fetchone()[0]
            count = db.execute(f"SELECT COUNT(*) FROM demands d WHERE {where}",
                               params).fetchone()[0]
            limit = -1 if last is None else max(0, last - first)
            rows = [dict(zip(("iri", "label", "document", "year", "status"), r, strict=True))
                    for r in
                    db.execute(f"SELECT iri, label, document, year, status FROM demands d "
                               f"WHERE {where} ORDER BY sort, iri LIMIT ? OFFSET ?",
                               (*params, limit, first))]
            values: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
            for batch in _batches([r["iri"] for r in rows], 500):
                marks = ", ".join("?" * len(batch))
                for demand, facet, value, implied in db.execute(
                        f"SELECT demand, facet, value, implied FROM facets WHERE demand IN "
                        f"({marks}) AND facet IN ('topic', 'addressee') "
                        "ORDER BY demand, facet, value", batch):
                    values[demand][facet].append((value, bool(implied)))
            for row in rows:
                row["topics"] = values[row["iri"]]["topic"]
                row["addressees"] = [v for v, _ in values[row["iri"]]["addressee"]]
            facets: dict[str, list[tuple[str, int]]] = {f: [] for f in FACETS}
            among = f"WHERE demand IN (SELECT iri FROM demands d WHERE {where})" if chosen else ""
            for facet, value, n in db.execute(
                    f"SELECT facet, value, COUNT(*) FROM facets {among} GROUP BY facet, value",
                    params):
                facets[facet].append((value, n))
            wanted = {r["iri"] for r in rows} | {r["document"] for r in rows} | {
                v for r in rows for v, _ in r["topics"]} | {
                a for r in rows for a in r["addressees"]} | {
                v for f in ("topic", "addressee", "document") for v, _ in facets[f]}
            labels = dict(_labels(db, wanted))
        for facet in facets:
            facets[facet].sort(key=lambda vc: (-vc[1], labels.get(vc[0], vc[0])))
        return {"total": total, "count": count, "rows": rows, "facets": facets,
                "labels": labels}

    def count(self, chosen: Mapping[str, str]) -> int:
        """How many demands have every ``facet: value`` of ``chosen``."""
        where, params = _matching(chosen)
        with contextlib.closing(self.connect()) as db:
            return db.execute(f"SELECT COUNT(*) FROM demands d WHERE {where}",
                              params).fetchone()[0]

    def values(self, facet: str) -> list[str]:
        """Every value some demand has for ``facet``, sorted."""
        with contextlib.closing(self.connect()) as db:
            return [v for (v,) in db.execute(
                "SELECT DISTINCT value FROM facets WHERE facet = ? ORDER BY value", (facet,))]


def _matching(chosen: Mapping[str, str]) -> tuple[str, list[str]]:
    """An SQL condition on ``demands d`` for the demands that have every chosen value."""
    conditions, params = ["1"], []
    for facet, value in sorted(chosen.items()):
        conditions.append("EXISTS (SELECT 1 FROM facets f WHERE f.facet = ? AND f.value = ? "
                          "AND f.demand = d.iri)")
        params += [facet, value]
    return " AND ".join(conditions), params


def _batches(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _labels(db: sqlite3.Connection, iris: Iterable[str]) -> Iterable[tuple[str, str]]:
    for batch in _batches(sorted(iris), 500):
        yield from db.execute(
            f"SELECT iri, label FROM labels WHERE iri IN ({', '.join('?' * len(batch))})",
            batch)


_kept: sidecar.Kept[Summary] = sidecar.Kept("the demand summary", SCHEMA_VERSION)
_forget = _kept.forget


def open_summary(project: Project, directory: str | os.PathLike | None = None,
                 store: ox.Store | None = None) -> Summary:
    """The summary of the store generation in ``directory`` (default: the current one), checked
    against its store; built again there when it is missing, of another version or of another
    store (:class:`hrgraph.sidecar.Kept`).

    Raises:
        StoreError: there is no store, or the summary had to be built and cannot be written.
    """
    directory = Path(directory or stores.current_generation(project.store_path))
    return _kept.open(summary_path(directory), directory, store,
                      lambda opened: build_summary(project, opened, directory), Summary)
