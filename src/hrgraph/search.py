"""Full-text search over the public graph: an SQLite FTS5 index kept beside each store generation.

    build / add / remove → a new store generation → its index, ``hrgraph-search.sqlite`` in the
    generation's directory (:data:`INDEX_FILE`) → :func:`search` → the ``/search`` page

What is indexed, one row per entity (an IRI under the id base with something to find it by):

* ``name``: ``skos:prefLabel``, ``altLabel``, ``hiddenLabel``, ``rdfs:label``, ``foaf:name``, in
  every language; ``title``: ``dcterms:title``; ``quote``: a demand's ``hrg:quote`` and the
  ``oa:exact`` of its quote's selectors; ``note``: ``skos:note``, ``editorialNote``,
  ``definition``, ``scopeNote``, ``dcterms:description``;
* ``context``: the labels (every language) of a demand's topics, action types and themes, the
  implied broader topics included (the inferred graph holds ``hrg:topic`` closed under
  ``skos:broader``): "death penalty" finds "Introduce a moratorium on executions";
* each of these again in Latin letters (``<field>_latin``, by :func:`hrgraph.names.normalise`:
  unidecode plus the Łacinka table), so "Viasna" finds «Вясна» and "Алесин" finds «Алесін».

Only public graphs are read, by the rule every reader follows (:mod:`hrgraph.privacy`): a graph
under the private base is never read, and every triple of or about a confidential resource is in
one. Shapes and the suggestions graph are left out too.

The engine is SQLite's FTS5 (``unicode61`` tokenizer: case folded, Latin diacritics removed),
ranked by BM25 with names weighted most. FTS5 has no fuzzy matching, so each word of a query is
first looked up in the index's own term list (an ``fts5vocab`` table): a word of three letters or
more matches as a prefix ("Ales" finds Alesin) when some term starts with it, else it is replaced
by the terms within a small edit distance (``rapidfuzz`` optimal string alignment: one edit for
4–7 letters, two from 8; "Viasan" finds "viasna"). Words are tokenized by SQLite itself (a
temporary FTS5 table), so the query and the index always split and fold text alike.

Very short queries: one letter is refused with a message (it would match nearly everything); two
letters match names only, as the start of a word ("EU", "ОН").

Lifecycle: ``hrgraph build`` writes the index of the new store before the swap
(:func:`build_index`); ``add`` and ``remove`` copy the previous generation's index and update the
entities their change touched (:func:`update_index`), in the same new generation
(:func:`hrgraph.store.rewrite`), so the index always swaps in with its store and old ones are
deleted with their generation. An index records a fingerprint of its store (graph names and the
build manifest); a reader that finds the index missing, of another version or of another store
builds it again in place (:func:`open_index`), or reports that it cannot.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import logging
import os
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rapidfuzz import process
from rapidfuzz.distance import OSA

from hrgraph import sidecar
from hrgraph import store as stores
from hrgraph.errors import UsageError
from hrgraph.names import normalise
from hrgraph.project import Project

log = logging.getLogger(__name__)

#: The index's file in a store generation's directory (RocksDB leaves files it does not know).
INDEX_FILE = "hrgraph-search.sqlite"
#: Bumped when what the index holds changes: an index of another version is built again.
SCHEMA_VERSION = 1
TOKENIZER = "unicode61 remove_diacritics 2"

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
OA = "http://www.w3.org/ns/oa#"
ELI = "http://data.europa.eu/eli/ontology#"

#: Text properties by the field they fill, in the order a field's lines are kept.
TEXT_PROPERTIES = {
    "name": (SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel", RDFS + "label",
             FOAF + "name"),
    "title": (DCTERMS + "title", ELI + "title"),
    "quote": ("quote",),  # local names: in the project's ontology
    "note": (SKOS + "note", SKOS + "editorialNote", SKOS + "definition", SKOS + "scopeNote",
             DCTERMS + "description"),
}
#: Links from a demand to concepts whose labels are indexed with it (``context``), and how the
#: result names each.
CONTEXT_LINKS = {"topic": "topic", "actionType": "action type",
                 "suggestedActionType": "suggested action type", "uhriTheme": "theme"}
FIELDS = ("name", "title", "context", "quote", "note")
COLUMNS = (*FIELDS, *(f + "_latin" for f in FIELDS))
#: BM25 weights of the columns (a name counts most, a note least).
WEIGHTS = {"name": 10.0, "title": 6.0, "context": 3.0, "quote": 2.0, "note": 1.0}
#: Types whose instances are parts of others (a quote's text is the demand's): not entries.
PART_TYPES = (OA + "TextQuoteSelector", OA + "SpecificResource")

#: Queries shorter than this (letters and digits) are refused with a message.
MIN_QUERY = 2
#: Queries of at most this many letters and digits match the start of a word of a name only.
SHORT_QUERY = 2
#: Results on one page, and the most terms one mistyped word may stand for.
PAGE_SIZE = 50
MAX_EXPANSIONS = 20
#: Characters of a long line (a quote, a note) shown around its first match.
SNIPPET_CHARS = 160

_OPEN, _CLOSE = "\x02", "\x03"  # highlight marks: control characters, removed from indexed text
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WORD = re.compile(r"[^\W_]+")
_YEAR = re.compile(r"^\d{4}")


# --------------------------------------------------------------------------- reading the graph


@dataclass
class Entry:
    """One entity as the index holds it."""

    iri: str
    label: str = ""
    types: list[str] = field(default_factory=list)  # asserted types: shown and filtered by
    all_types: set[str] = field(default_factory=set)  # asserted and inferred
    document: str | None = None
    year: str | None = None
    topics: set[str] = field(default_factory=set)
    #: Lines of each field: ``[text, language, via]`` (via: the property or link it came from).
    lines: dict[str, list[list[str]]] = field(default_factory=lambda: {f: [] for f in FIELDS})

    def add(self, name: str, text: str, lang: str, via: str) -> None:
        text = " ".join(_CONTROL.sub(" ", text).split())
        key = _line_key(text)
        if text and all(_line_key(line[0]) != key for line in self.lines[name]):
            self.lines[name].append([text, lang, via])


def _line_key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def public_graphs(project: Project, store: ox.Store) -> list[ox.NamedNode]:
    """The graphs search reads: every named graph but the private ones (the rule of every
    reader, :mod:`hrgraph.privacy`), the shapes and the suggestions."""
    left_out = (project.graph_base + "shapes/", project.graph_base + "suggestions/")
    return sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode)
                   and not project.is_private(g.value) and not g.value.startswith(left_out)),
                  key=lambda g: g.value)


def read_entries(project: Project, store: ox.Store,
                 subjects: Iterable[ox.NamedNode] | None = None) -> dict[str, Entry]:
    """The entries of ``subjects`` (default: every entity) as the public graphs describe them;
    an entity with nothing to find it by has none.

    Read by index lookups (``quads_for_pattern``: each subject's triples, and their quotes',
    concepts' and documents'), never by a scan of the store.
    """
    graphs = set(public_graphs(project, store))
    data = {g for g in graphs if g.value.startswith(project.graph_base + "data/")}
    hrg = project.ontology_ns
    fields: dict[ox.NamedNode, str] = {}
    for name, props in TEXT_PROPERTIES.items():
        for p in props:
            fields[ox.NamedNode(p if ":" in p else hrg + p)] = name
    links = {ox.NamedNode(hrg + k): v for k, v in CONTEXT_LINKS.items()}
    rdf_type, made_in = ox.NamedNode(RDF_TYPE), ox.NamedNode(hrg + "madeIn")
    quoted, selector = ox.NamedNode(hrg + "quotedFrom"), ox.NamedNode(OA + "hasSelector")
    exact = ox.NamedNode(OA + "exact")
    dated = (ox.NamedNode(hrg + "earliestDate"), ox.NamedNode(DCTERMS + "date"))
    concept_labels = tuple(ox.NamedNode(SKOS + p) for p in ("prefLabel", "altLabel",
                                                             "hiddenLabel"))
    base = project.id_base

    relevant = [*fields, rdf_type, *links, quoted, made_in, *dated, selector, exact]
    if subjects is None:
        # everything: one lookup per property read (the predicate index), kept by subject
        by_subject: dict[ox.Term, list[ox.Quad]] = defaultdict(list)
        for p in relevant:
            for quad in store.quads_for_pattern(None, p, None):
                if quad.graph_name in graphs:
                    by_subject[quad.subject].append(quad)

        def public(node: ox.Term, p: ox.NamedNode | None = None) -> list[ox.Quad]:
            quads = by_subject.get(node, [])
            return quads if p is None else [q for q in quads if q.predicate == p]

        subjects = [n for n, quads in by_subject.items() if isinstance(n, ox.NamedNode)
                    and any(q.predicate in fields or q.predicate == quoted for q in quads)]
    else:
        def public(node: ox.Term, p: ox.NamedNode | None = None) -> list[ox.Quad]:
            return [q for q in store.quads_for_pattern(node, p, None) if q.graph_name in graphs]

    concepts: dict[ox.Term, list[ox.Literal]] = {}
    years: dict[ox.Term, str | None] = {}

    def year_of(node: ox.Term) -> str | None:
        if node not in years:
            found = [m.group() for q in (x for p in dated for x in public(node, p))
                     if (m := _YEAR.match(q.object.value))]
            years[node] = min(found) if found else None
        return years[node]

    entries: dict[str, Entry] = {}
    part_types = {ox.NamedNode(t) for t in PART_TYPES}
    document_class = ox.NamedNode(hrg + "Document")
    for node in sorted({s for s in subjects if s.value.startswith(base)},
                       key=lambda s: s.value):
        entry = Entry(node.value)
        asserted: set[str] = set()
        documents: list[str] = []
        for quad in public(node):
            p, o = quad.predicate, quad.object
            if p in fields and isinstance(o, ox.Literal):
                entry.add(fields[p], o.value, o.language or "", _local(p.value))
            elif p == rdf_type and isinstance(o, ox.NamedNode):
                entry.all_types.add(o.value)
                if quad.graph_name in data:
                    asserted.add(o.value)
            elif p in links:
                if p.value == hrg + "topic" and isinstance(o, ox.NamedNode):
                    entry.topics.add(o.value)
                if o not in concepts:
                    concepts[o] = [q.object for lp in concept_labels for q in public(o, lp)
                                   if isinstance(q.object, ox.Literal)]
                for label in concepts[o]:
                    entry.add("context", label.value, label.language or "", links[p])
            elif p == quoted:
                for sel in public(o, selector):
                    for text in public(sel.object, exact):
                        if isinstance(text.object, ox.Literal):
                            entry.add("quote", text.object.value, text.object.language or "",
                                      "quote")
            elif p == made_in and isinstance(o, ox.NamedNode):
                documents.append(o.value)
        if entry.all_types & {t.value for t in part_types} or not any(entry.lines.values()):
            continue  # quotes and selectors (their text is their demand's), or nothing to find
        entry.types = sorted(asserted or entry.all_types)
        entry.document = node.value if document_class.value in entry.all_types else (
            min(documents) if documents else None)
        entry.year = year_of(node) or (year_of(ox.NamedNode(entry.document))
                                       if entry.document else None)
        entry.label = _label(entry)
        entries[node.value] = entry
    return entries


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def _label(entry: Entry) -> str:
    """English preferred name, else any preferred name, else a title, else any name, else the
    IRI's last part."""
    names = [line for line in entry.lines["name"] if line[2] == "prefLabel"]
    for lines in (names, entry.lines["title"], entry.lines["name"]):
        for text, lang, _ in lines:
            if lang.startswith("en"):
                return text
        if lines:
            return lines[0][0]
    return _local(entry.iri)


def _labels_of(project: Project, store: ox.Store, iris: Iterable[str]) -> dict[str, str]:
    """Names of types, topics and documents for the filters: the English label, else any."""
    graphs = set(public_graphs(project, store))
    props = [ox.NamedNode(p) for p in (SKOS + "prefLabel", RDFS + "label", DCTERMS + "title")]
    found = {}
    for iri in sorted(set(iris)):
        best = None
        for p in props:
            for q in store.quads_for_pattern(ox.NamedNode(iri), p, None):
                if q.graph_name in graphs and isinstance(q.object, ox.Literal):
                    key = (not (q.object.language or "").startswith("en"), q.object.value)
                    best = key if best is None or key < best else best
            if best is not None:
                break
        found[iri] = best[1] if best else _local(iri)
    return found


# --------------------------------------------------------------------------- writing the index


def index_path(directory: str | os.PathLike) -> Path:
    """Where the index of the store generation in ``directory`` is."""
    return Path(directory) / INDEX_FILE


fingerprint = sidecar.fingerprint


_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE entries (id INTEGER PRIMARY KEY, iri TEXT UNIQUE NOT NULL, label TEXT NOT NULL,
                      types TEXT NOT NULL, document TEXT, year TEXT, lines TEXT NOT NULL);
CREATE INDEX entries_document ON entries(document);
CREATE INDEX entries_year ON entries(year);
CREATE TABLE entry_types (entry INTEGER NOT NULL, type TEXT NOT NULL);
CREATE INDEX entry_types_type ON entry_types(type, entry);
CREATE INDEX entry_types_entry ON entry_types(entry);
CREATE TABLE entry_topics (entry INTEGER NOT NULL, topic TEXT NOT NULL);
CREATE INDEX entry_topics_topic ON entry_topics(topic, entry);
CREATE INDEX entry_topics_entry ON entry_topics(entry);
CREATE TABLE labels (iri TEXT PRIMARY KEY, label TEXT NOT NULL);
CREATE VIRTUAL TABLE fts USING fts5({", ".join(COLUMNS)}, tokenize='{TOKENIZER}');
CREATE VIRTUAL TABLE fts_terms USING fts5vocab(fts, 'row');
"""


def _write_entries(db: sqlite3.Connection, entries: Iterable[Entry]) -> set[str]:
    """Insert entries (none of them in the index yet); returns the IRIs they need labels of."""
    wanted: set[str] = set()
    for entry in entries:
        cursor = db.execute(
            "INSERT INTO entries (iri, label, types, document, year, lines) VALUES (?,?,?,?,?,?)",
            (entry.iri, entry.label, json.dumps(entry.types), entry.document, entry.year,
             json.dumps(entry.lines, ensure_ascii=False)))
        rowid = cursor.lastrowid
        # the types shown are the types filtered by: a filter's count is its result's length
        db.executemany("INSERT INTO entry_types VALUES (?, ?)",
                       [(rowid, t) for t in entry.types])
        db.executemany("INSERT INTO entry_topics VALUES (?, ?)",
                       [(rowid, t) for t in sorted(entry.topics)])
        texts = ["\n".join(line[0] for line in entry.lines[f]) for f in FIELDS]
        latin = ["\n".join("" if line[0].isascii() else normalise(line[0])
                           for line in entry.lines[f]) for f in FIELDS]
        db.execute(f"INSERT INTO fts (rowid, {', '.join(COLUMNS)}) VALUES "
                   f"(?{', ?' * len(COLUMNS)})", (rowid, *texts, *latin))
        wanted |= {*entry.types, *entry.topics}
        if entry.document:
            wanted.add(entry.document)
    return wanted


def _write_labels(db: sqlite3.Connection, labels: Mapping[str, str]) -> None:
    db.executemany("INSERT OR REPLACE INTO labels VALUES (?, ?)", sorted(labels.items()))


@dataclass
class IndexStats:
    """What :func:`build_index` or :func:`update_index` did."""

    path: Path
    entries: int
    changed: int
    full: bool


def build_index(project: Project, store: ox.Store | None = None,
                directory: str | os.PathLike | None = None) -> IndexStats:
    """Write the search index of ``store`` into ``directory`` (replacing one there).

    Without ``store`` and ``directory``: the current store generation's index, built from that
    store. ``build`` gives both: the new store, before it is published.

    Raises:
        StoreError: there is no store, or the index cannot be written.
    """
    if directory is None:
        directory = Path(stores.current_generation(project.store_path))
    if store is None:
        store = stores.open_store_at(Path(directory), read_only=True)
    entries = read_entries(project, store)
    with _writing(Path(directory)) as db:
        wanted = _write_entries(db, entries.values())
        _write_labels(db, _labels_of(project, store, wanted))
        _write_meta(db, store, directory)
    return IndexStats(index_path(directory), len(entries), len(entries), True)


def _write_meta(db: sqlite3.Connection, store: ox.Store, directory: str | os.PathLike) -> None:
    db.execute("INSERT OR REPLACE INTO fts (fts, rank) VALUES ('rank', ?)",
               (f"bm25({', '.join(str(WEIGHTS[c.removesuffix('_latin')]) for c in COLUMNS)})",))
    sidecar.write_meta(db, store, directory, SCHEMA_VERSION)


@contextlib.contextmanager
def _writing(directory: Path, start: Path | None = None):
    """A connection to a new index file beside the final one, renamed into place when the block
    ends without error (:func:`hrgraph.sidecar.writing`)."""
    final = index_path(directory)
    with sidecar.writing(final, _SCHEMA, what="the search index", start=start) as db:
        yield db
    _forget(final)


def update_index(project: Project, store: ox.Store, directory: str | os.PathLike,
                 changes: Iterable[ox.Quad | ox.Triple] | None,
                 previous: str | os.PathLike | None) -> IndexStats:
    """Write the index of ``store`` (in ``directory``) from the previous generation's index
    (in ``previous``) and the triples added to or removed from it (``changes``, as
    :func:`hrgraph.similar.update` takes them): the entries of their subjects, and of what takes
    text from those (a demand from its quote, topics, action types, document), are read again;
    not those of their objects (a demand sharing a topic with a new one keeps its entry).
    Without a usable previous index (missing, of another version) or without ``changes``, the
    whole index is built.
    """
    directory = Path(directory)
    old = index_path(previous) if previous is not None else None
    if changes is None or old is None or not old.is_file() or _schema_of(old) != SCHEMA_VERSION:
        log.info("building the search index whole: no usable index in %s", previous)
        return build_index(project, store, directory)
    # An entry is read from its subject's own triples and those of its quotes, concepts and
    # documents: a changed triple changes the entry of its subject and of what takes text from
    # that subject, never the entry of its object.
    touched = {q.subject for q in changes if isinstance(q.subject, (ox.NamedNode, ox.BlankNode))}
    graphs = set(public_graphs(project, store))
    hrg = project.ontology_ns
    back = [ox.NamedNode(hrg + p) for p in (*CONTEXT_LINKS, "quotedFrom", "madeIn")]
    selector = ox.NamedNode(OA + "hasSelector")
    quoted = ox.NamedNode(hrg + "quotedFrom")

    def pointing(node: Any, props: list[ox.NamedNode]) -> set:
        return {q.subject for p in props for q in store.quads_for_pattern(None, p, node)
                if q.graph_name in graphs}

    # what takes text from a touched resource: a demand from its quote (two steps from a
    # selector), topic, action type, theme or document
    owners = set(touched)
    for node in touched:
        owners |= pointing(node, back)
        for quote in pointing(node, [selector]):
            owners |= pointing(quote, [quoted])
    subjects = [n for n in owners if isinstance(n, ox.NamedNode)
                and n.value.startswith(project.id_base)]
    entries = read_entries(project, store, subjects)
    with _writing(directory, start=old) as db:
        gone = [(n.value,) for n in subjects]
        for table in ("entry_types", "entry_topics"):
            db.executemany(f"DELETE FROM {table} WHERE entry IN "
                           "(SELECT id FROM entries WHERE iri = ?)", gone)
        db.executemany("DELETE FROM fts WHERE rowid IN (SELECT id FROM entries WHERE iri = ?)",
                       gone)
        db.executemany("DELETE FROM entries WHERE iri = ?", gone)
        wanted = _write_entries(db, entries.values())
        # labels of what the change named (a renamed document or topic) are read again too
        wanted |= {n.value for n in touched if isinstance(n, ox.NamedNode)
                   and db.execute("SELECT 1 FROM labels WHERE iri = ?", (n.value,)).fetchone()}
        _write_labels(db, _labels_of(project, store, wanted))
        _write_meta(db, store, directory)
        count = db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
    return IndexStats(index_path(directory), count, len(subjects), False)


# --------------------------------------------------------------------------- opening the index


_schema_of = sidecar.schema_of
_connect = sidecar.connect


@dataclass
class SearchIndex:
    """An opened index: where it is, and its term list (read once, for the fuzzy expansion)."""

    path: Path
    terms: list[str] = field(default_factory=list, repr=False)
    _by_length: dict[int, list[str]] = field(default_factory=dict, repr=False)

    def connect(self) -> sqlite3.Connection:
        """A new read-only connection (one per search: cheap, and safe across threads)."""
        return _connect(self.path)

    def load_terms(self) -> None:
        with contextlib.closing(self.connect()) as db:
            self.terms = sorted(row[0] for row in db.execute("SELECT term FROM fts_terms"))
        by_length: dict[int, list[str]] = defaultdict(list)
        for term in self.terms:
            by_length[len(term)].append(term)
        self._by_length = dict(by_length)

    def has_term(self, term: str) -> bool:
        at = bisect.bisect_left(self.terms, term)
        return at < len(self.terms) and self.terms[at] == term

    def has_prefix(self, prefix: str) -> bool:
        at = bisect.bisect_left(self.terms, prefix)
        return at < len(self.terms) and self.terms[at].startswith(prefix)

    def near(self, word: str) -> list[str]:
        """Terms within the edit distance allowed for ``word``'s length, closest first."""
        allowed = 0 if len(word) < 4 else 1 if len(word) < 8 else 2
        if not allowed:
            return []
        candidates = [t for n in range(len(word) - allowed, len(word) + allowed + 1)
                      for t in self._by_length.get(n, ())]
        found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=allowed,
                                limit=MAX_EXPANSIONS)
        return [term for term, _, _ in sorted(found, key=lambda x: (x[1], x[0]))]


_kept: sidecar.Kept[SearchIndex] = sidecar.Kept("the search index", SCHEMA_VERSION)
_forget = _kept.forget


def _loaded(path: Path) -> SearchIndex:
    index = SearchIndex(path)
    index.load_terms()
    return index


def open_index(project: Project, directory: str | os.PathLike | None = None,
               store: ox.Store | None = None) -> SearchIndex:
    """The index of the store generation in ``directory`` (default: the current one), checked
    against its store; built again there when it is missing, of another version or of another
    store. Checked indexes are kept open (by file identity, :class:`hrgraph.sidecar.Kept`), so
    a server checks each once.

    Raises:
        StoreError: there is no store, or the index had to be built and cannot be written.
    """
    directory = Path(directory or stores.current_generation(project.store_path))
    return _kept.open(index_path(directory), directory, store,
                      lambda opened: build_index(project, opened, directory), _loaded)


_identity = sidecar.identity


def _unusable(path: Path, store: ox.Store, directory: Path) -> str | None:
    """Why the index at ``path`` cannot be used for ``store`` (None when it can)."""
    return sidecar.unusable(path, store, directory, SCHEMA_VERSION)


# --------------------------------------------------------------------------- searching


#: The filters :func:`search` takes.
FILTERS = ("type", "document", "year", "topic")


@dataclass
class Results:
    """What :func:`search` found: the page of results, their count, the filters' values with
    counts, and what the query was read as."""

    query: str
    filters: dict[str, str]
    results: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0
    page: int = 1
    pages: int = 0
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    message: str | None = None
    #: Mistyped words and the indexed terms they were read as.
    corrections: dict[str, list[str]] = field(default_factory=dict)
    short: bool = False
    #: Short words of the query that match no indexed term and were left out.
    ignored: list[str] = field(default_factory=list)

    def to_model(self) -> dict[str, Any]:
        """Plain data for a page and its JSON twin."""
        return {"q": self.query, "filters": self.filters, "results": self.results,
                "count": self.count, "page": self.page, "pages": self.pages,
                "facets": self.facets, "message": self.message,
                "corrections": self.corrections, "short": self.short,
                "ignored": self.ignored}


def _tokenize(db: sqlite3.Connection, texts: list[str]) -> list[list[str]]:
    """Each text split and folded by the index's own tokenizer (a temporary FTS5 table)."""
    db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.words USING fts5(x, "
               f"tokenize='{TOKENIZER}')")
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.word_terms USING "
               "fts5vocab(temp, words, 'instance')")
    db.execute("DELETE FROM temp.words")
    db.executemany("INSERT INTO temp.words (rowid, x) VALUES (?, ?)",
                   [(i + 1, t) for i, t in enumerate(texts)])
    found: list[list[str]] = [[] for _ in texts]
    for doc, term in db.execute("SELECT doc, term FROM temp.word_terms ORDER BY doc, offset"):
        found[doc - 1].append(term)
    return found


def _phrase(tokens: list[str], prefix: bool = False) -> str:
    text = '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'
    return text + "*" if prefix else text


def _expression(index: SearchIndex, db: sqlite3.Connection, query: str,
                results: Results, *, loose: bool = False) -> str | None:
    """The FTS5 query for ``query`` (None when a word can match nothing). ``loose``: each word
    also stands for the terms near it, found or not ("Centre" for "Center")."""
    words = _WORD.findall(query)
    variants = []
    for word in words:
        variants += [word, normalise(word)]
    tokens = _tokenize(db, variants)
    parts = []
    if results.short:  # two letters: the start of a word of a name
        alternatives = {_phrase(t, prefix=True) for t in tokens if t}
        return "{name name_latin} : (" + " OR ".join(sorted(alternatives)) + ")"
    for n, word in enumerate(words):
        own, latin = tokens[2 * n], tokens[2 * n + 1]
        candidates = [t for t in (own, latin) if t]
        if len(word) == 1:  # an initial ("A. Bialiatski") or an article: it narrows nothing
            results.ignored.append(word)
            continue
        alternatives: list[str] = []
        for t in candidates:
            if len(t) > 1:  # a word the tokenizer splits (rare): as a phrase
                alternatives.append(_phrase(t))
            elif len(t[0]) < 3:  # a short word of a longer query: only as it is
                if index.has_term(t[0]):
                    alternatives.append(_phrase(t))
            elif index.has_prefix(t[0]):
                alternatives.append(_phrase(t, prefix=True))
        if not alternatives and all(len(t) == 1 and len(t[0]) < 3 for t in candidates):
            results.ignored.append(word)  # a two-letter word found nowhere: no harm left out
            continue
        if not alternatives or loose:
            near: list[str] = []
            for t in candidates:
                if len(t) == 1:
                    near += [n for n in index.near(t[0]) if n not in near and n != t[0]]
            if near:
                results.corrections[word] = near[:MAX_EXPANSIONS]
                alternatives += [_phrase([n]) for n in near[:MAX_EXPANSIONS]]
        if not alternatives:
            results.message = f"No indexed word is like “{word}”."
            return None
        parts.append("(" + " OR ".join(dict.fromkeys(alternatives)) + ")")
    if not parts:
        results.message = "Every word of the query is too short and found nowhere."
    return " AND ".join(parts) if parts else None


def search(project: Project, query: str, filters: Mapping[str, str] | None = None, *,
           page: int = 1, page_size: int = PAGE_SIZE, index: SearchIndex | None = None
           ) -> Results:
    """Entities matching ``query`` (every word, in any field, any script; see the module doc),
    best first, each with its matching lines highlighted; narrowed by ``filters`` (``type``,
    ``document``, ``topic``: IRIs, broader topics including narrower ones; ``year``: four
    digits).

    Raises:
        UsageError: a filter that is unknown or has a malformed or unknown value.
        StoreError: no store, or its index is unusable and cannot be built again.
    """
    filters = {k: v.strip() for k, v in (filters or {}).items() if v and v.strip()}
    for name in filters:
        if name not in FILTERS:
            raise UsageError(f"unknown search filter {name!r} (known: {', '.join(FILTERS)})")
    if "year" in filters and not re.fullmatch(r"\d{4}", filters["year"]):
        raise UsageError(f"the year filter takes four digits, not {filters['year']!r}")
    if page < 1:
        raise UsageError(f"the page number must be 1 or more, not {page}")
    text = " ".join(query.split())
    results = Results(text, dict(filters), page=page)
    letters = "".join(_WORD.findall(text))
    if not text:
        return results
    if len(letters) < MIN_QUERY:
        results.message = (f"“{text}” is too short to search for: type at least {MIN_QUERY} "
                           "letters (two letters find names that have a word starting with them).")
        return results
    results.short = len(letters) <= SHORT_QUERY
    index = index or open_index(project)
    with contextlib.closing(index.connect()) as db:
        known = dict(db.execute("SELECT iri, label FROM labels"))
        for name in ("type", "document", "topic"):
            if name in filters and filters[name] not in known:
                raise UsageError(f"no {name} {filters[name]!r} in the search index")
        expression = _expression(index, db, text, results)
        if expression is None:
            return results
        where, params = ["fts MATCH ?"], [expression]
        if "year" in filters:
            where.append("e.year = ?")
            params.append(filters["year"])
        if "document" in filters:
            where.append("e.document = ?")
            params.append(filters["document"])
        for name, table, column in (("type", "entry_types", "type"),
                                    ("topic", "entry_topics", "topic")):
            if name in filters:
                where.append(f"e.id IN (SELECT entry FROM {table} WHERE {column} = ?)")
                params.append(filters[name])
        matched = (f"SELECT e.id FROM fts JOIN entries e ON e.id = fts.rowid "
                   f"WHERE {' AND '.join(where)}")
        try:
            results.count = db.execute(f"SELECT COUNT(*) FROM ({matched})", params).fetchone()[0]
            if not results.count and not results.short and len(_WORD.findall(text)) > 1:
                # every word found, but not together: read each as its near terms too
                loose = _expression(index, db, text, results, loose=True)
                if loose is not None and loose != expression:
                    params[0] = loose
                    results.count = db.execute(f"SELECT COUNT(*) FROM ({matched})",
                                               params).fetchone()[0]
            marks = ", ".join(f"highlight(fts, {i}, ?, ?)" for i in range(len(COLUMNS)))
            rows = db.execute(
                f"SELECT e.iri, e.label, e.types, e.document, e.year, e.lines, fts.rank, {marks} "
                f"FROM fts JOIN entries e ON e.id = fts.rowid WHERE {' AND '.join(where)} "
                f"ORDER BY fts.rank, e.label LIMIT ? OFFSET ?",
                [_OPEN, _CLOSE] * len(COLUMNS) + params + [page_size, (page - 1) * page_size]
            ).fetchall()
            results.facets = _facets(db, matched, params, known, filters)
        except sqlite3.OperationalError as exc:  # an expression FTS5 refuses: never expected
            raise UsageError(f"the search for {text!r} could not be run: {exc}") from None
    results.pages = -(-results.count // page_size)
    results.results = [_result(project, row, known) for row in rows]
    return results


def _facets(db: sqlite3.Connection, matched: str, params: list, known: Mapping[str, str],
            filters: Mapping[str, str]) -> dict[str, list[dict[str, Any]]]:
    """For each filter, the values among the matches with their counts."""
    queries = {
        "type": f"SELECT t.type, COUNT(*) FROM entry_types t WHERE t.entry IN ({matched}) "
                f"GROUP BY t.type",
        "document": f"SELECT e.document, COUNT(*) FROM entries e WHERE e.id IN ({matched}) "
                    f"AND e.document IS NOT NULL GROUP BY e.document",
        "year": f"SELECT e.year, COUNT(*) FROM entries e WHERE e.id IN ({matched}) "
                f"AND e.year IS NOT NULL GROUP BY e.year",
        "topic": f"SELECT t.topic, COUNT(*) FROM entry_topics t WHERE t.entry IN ({matched}) "
                 f"GROUP BY t.topic",
    }
    facets = {}
    for name, sql in queries.items():
        values = [{"value": v, "label": known.get(v, v), "count": c,
                   "selected": filters.get(name) == v} for v, c in db.execute(sql, params)]
        facets[name] = sorted(values, key=lambda x: (-x["count"], x["label"].casefold()))
    return facets


def segments(marked: str) -> list[dict[str, Any]]:
    """Text with highlight marks as ``[{text, mark}]`` pieces (for a template to escape)."""
    pieces, mark, at = [], False, 0
    for found in re.finditer(f"[{_OPEN}{_CLOSE}]", marked):
        if found.start() > at:
            pieces.append({"text": marked[at:found.start()], "mark": mark})
        mark, at = found.group() == _OPEN, found.end()
    if at < len(marked):
        pieces.append({"text": marked[at:], "mark": mark})
    return pieces


def _split_lines(marked: str) -> list[list[dict[str, Any]]]:
    """A column's highlighted text cut into its lines (a mark may span a line break)."""
    lines: list[list[dict[str, Any]]] = [[]]
    for piece in segments(marked):
        parts = piece["text"].split("\n")
        for n, part in enumerate(parts):
            if n:
                lines.append([])
            if part:
                lines[-1].append({"text": part, "mark": piece["mark"]})
    return lines


def _trim(pieces: list[dict[str, Any]], width: int = SNIPPET_CHARS) -> list[dict[str, Any]]:
    """A long line cut to about ``width`` characters around its first mark."""
    total = sum(len(p["text"]) for p in pieces)
    if total <= width:
        return pieces
    start = 0
    for piece in pieces:
        if piece["mark"]:
            break
        start += len(piece["text"])
    begin = max(0, start - width // 3)
    end = begin + width
    out, at = [], 0
    for piece in pieces:
        text = piece["text"]
        lo, hi = max(begin - at, 0), min(end - at, len(text))
        if lo < hi:
            out.append({"text": text[lo:hi], "mark": piece["mark"]})
        at += len(text)
    if begin > 0:
        out.insert(0, {"text": "…", "mark": False})
    if end < total:
        out.append({"text": "…", "mark": False})
    return out


def _mark_words(text: str, latin_marked: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``text`` with the words marked whose transliteration was marked in its Latin line."""
    hits = {w for p in latin_marked if p["mark"] for w in p["text"].split()}
    pieces: list[dict[str, Any]] = []
    at = 0
    for word in re.finditer(r"\w+", text):
        if set(normalise(word.group()).split()) & hits:
            if word.start() > at:
                pieces.append({"text": text[at:word.start()], "mark": False})
            pieces.append({"text": word.group(), "mark": True})
            at = word.end()
    if at < len(text):
        pieces.append({"text": text[at:], "mark": False})
    return pieces


def _result(project: Project, row: tuple, known: Mapping[str, str]) -> dict[str, Any]:
    iri, label, types, document, year, lines_json, rank, *marked = row
    lines = json.loads(lines_json)
    matches = []
    for n, name in enumerate(FIELDS):
        own = _split_lines(marked[n])
        latin = _split_lines(marked[n + len(FIELDS)])
        for i, (text, lang, via) in enumerate(lines[name]):
            pieces = own[i] if i < len(own) else []
            transliterated = None
            if not any(p["mark"] for p in pieces):
                latin_line = latin[i] if i < len(latin) else []
                if not any(p["mark"] for p in latin_line):
                    continue
                pieces = _mark_words(text, latin_line)
                transliterated = "".join(p["text"] for p in latin_line)
            if name in ("quote", "note"):
                pieces = _trim(pieces)
            matches.append({"field": name, "via": via, "lang": lang or None, "text": text,
                            "segments": pieces, "transliterated": transliterated})
    local = iri.startswith(project.id_base) and len(iri) > len(project.id_base)
    return {"iri": iri, "label": label, "href": "/id/" + iri[len(project.id_base):]
            if local else None,
            "types": [{"iri": t, "label": known.get(t, _local(t))} for t in json.loads(types)],
            "document": {"iri": document, "label": known.get(document, _local(document)),
                         "href": "/id/" + document[len(project.id_base):]
                         if document.startswith(project.id_base) else None}
            if document and document != iri else None,
            "year": year, "score": round(-rank, 3), "matches": matches}
