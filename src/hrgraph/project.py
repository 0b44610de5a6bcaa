"""The Project: one object that knows where everything is.

No other module looks for paths on its own: every library call takes a Project.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

if TYPE_CHECKING:
    from hrgraph.query import Rows

DEFAULT_ID_BASE = "https://w3id.org/hrgraph/id/"
DEFAULT_ONTOLOGY_NS = "https://w3id.org/hrgraph/ontology#"
DEFAULT_VOCAB_BASE = "https://w3id.org/hrgraph/vocab/"
DEFAULT_GRAPH_BASE = "https://w3id.org/hrgraph/graph/"

#: File endings hrgraph loads as RDF, and the pyoxigraph format names they map to.
RDF_SUFFIXES = {
    ".ttl": "turtle",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
    ".xml": "rdfxml",
}


@dataclass(frozen=True)
class SourceFile:
    """One RDF file of the project and the named graph it is loaded into."""

    path: Path
    graph: str
    kind: str  # "ontology", "vocabulary", "shapes" or "data"


@dataclass(frozen=True)
class Project:
    """Where the ontology, shapes, data, queries and store of one hrgraph project are.

    Namespaces can be changed in an optional ``hrgraph.toml`` at the project root::

        [namespaces]
        id = "https://example.org/id/"
    """

    root: Path
    store_path: Path
    id_base: str = DEFAULT_ID_BASE
    ontology_ns: str = DEFAULT_ONTOLOGY_NS
    vocab_base: str = DEFAULT_VOCAB_BASE
    graph_base: str = DEFAULT_GRAPH_BASE
    settings: dict = field(default_factory=dict, compare=False, repr=False)
    #: The data files of a named corpus (paths below the root), or None for every data file.
    corpus: frozenset[str] | None = None

    @classmethod
    def open(cls, root: str | os.PathLike = ".", store: str | os.PathLike | None = None, *,
             corpus: str | os.PathLike | None = None) -> Project:
        """Open the project at ``root``.

        The store is ``store`` if given, else ``$HRGRAPH_STORE``, else ``ROOT/.hrgraph/store``.
        With ``corpus`` (a manifest, see :mod:`hrgraph.corpus`), the project's data files are
        the manifest's only, and no confidential contribution is loaded.
        """
        from hrgraph.corpus import read_manifest

        root = Path(root).resolve()
        settings: dict = {}
        config = root / "hrgraph.toml"
        if config.is_file():
            with config.open("rb") as f:
                settings = tomllib.load(f)
        ns = settings.get("namespaces", {})
        store = Path(store or os.environ.get("HRGRAPH_STORE") or root / ".hrgraph" / "store")
        # The store itself is a link to its current generation (hrgraph.store): keep the link.
        store = store.expanduser().absolute()
        return cls(
            root=root,
            store_path=store.parent.resolve() / store.name,
            id_base=ns.get("id", DEFAULT_ID_BASE),
            ontology_ns=ns.get("ontology", DEFAULT_ONTOLOGY_NS),
            vocab_base=ns.get("vocab", DEFAULT_VOCAB_BASE),
            graph_base=ns.get("graph", DEFAULT_GRAPH_BASE),
            settings=settings,
            corpus=None if corpus is None else read_manifest(corpus, root),
        )

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def is_project(self) -> bool:
        """Whether the root looks like an hrgraph project: it has an ``hrgraph.toml`` or one of
        the folders ``data/``, ``ontology/``, ``shapes/``, ``queries/`` (so that a command run
        elsewhere can say so instead of finding nothing)."""
        return (self.root / "hrgraph.toml").is_file() or any(
            path.is_dir() for path in (self.data_dir, self.ontology_dir, self.shapes_dir,
                                       self.queries_dir))

    @property
    def sources_dir(self) -> Path:
        """Verbatim copies of the source texts that the data quotes."""
        return self.data_dir / "sources"

    @property
    def inferred_graph(self) -> str:
        return self.graph_base + "inferred"

    @property
    def private_base(self) -> str:
        """Every graph under this IRI is private: it holds confidential data (see
        docs/security.md), and no reader shows it unless explicitly asked to."""
        return self.graph_base + "private/"

    @property
    def private_inferred_graph(self) -> str:
        """What confidential triples entail beyond the public inferred graph."""
        return self.private_base + "inferred"

    def is_private(self, graph: str) -> bool:
        """Whether a graph IRI (or the private base itself) names private data."""
        return graph.startswith(self.private_base) or graph == self.private_base.rstrip("/")

    def private_graph(self, graph: str) -> str:
        """The private twin of a public graph (``…/graph/data/x`` → ``…/graph/private/data/x``):
        where ``build`` and ``add`` put its triples of or about confidential resources."""
        if self.is_private(graph):
            return graph
        return self.private_base + graph.removeprefix(self.graph_base)

    def public_graph(self, private: str) -> str | None:
        """The public graph a private twin belongs to; None for the other private graphs (those
        of confidential contributions, the private inferred graph)."""
        rel = private.removeprefix(self.private_base)
        if rel != private and rel.startswith(("data/", "ontology/")):
            return self.graph_base + rel
        return None

    def graph_iri(self, path: str | os.PathLike) -> str:
        """The named graph of a project file: its path below the root, without the extension."""
        rel = Path(path).resolve().relative_to(self.root)
        return self.graph_base + rel.with_suffix("").as_posix()

    def source_files(self) -> list[SourceFile]:
        """Every RDF file of the project, ontology first, in a stable order.

        JSON-LD files that are only a context (``ontology/context.jsonld``) hold no triples and
        are not listed: they are shipped for others, not loaded.
        """

        found: list[SourceFile] = []
        for directory in (self.ontology_dir, self.shapes_dir, self.data_dir):
            if directory.is_dir():
                found += [f for path in sorted(directory.rglob("*"))
                          if (f := self._source(path, directory)) is not None]
        return found

    def _source(self, path: Path, directory: Path) -> SourceFile | None:
        """The source file at ``path`` (below ``directory``), or None when it is not one: not an
        RDF file, a source text, outside the corpus, or a JSON-LD context."""
        from hrgraph.load import check_link, is_context_document  # load imports this module

        if path.suffix not in RDF_SUFFIXES or not path.is_file():
            return None
        if directory == self.data_dir and (
                path.is_relative_to(self.sources_dir) or not self.in_corpus(path)):
            return None
        if is_context_document(path):
            return None
        check_link(self, path)  # a link out of the project: a clear error, no IRI
        return SourceFile(path, self.graph_iri(path), _kind(self, path))

    def files_of_graphs(self, graphs: Iterable[str], *kinds: str) -> list[SourceFile]:
        """The source files (of ``kinds``) whose named graphs are among ``graphs``, in the order
        of :meth:`source_files`: the same files as filtering :meth:`files_of_kind` by graph,
        found from the graph IRIs instead of by listing every file (the data folder may hold
        thousands)."""
        found: list[SourceFile] = []
        order = {d: i for i, d in enumerate((self.ontology_dir, self.shapes_dir, self.data_dir))}
        for graph in set(graphs):
            rel = graph.removeprefix(self.graph_base)
            if rel == graph or not rel or "\\" in rel or any(p in ("", ".", "..")
                                                           for p in rel.split("/")):
                continue
            for suffix in RDF_SUFFIXES:
                path = self.root / (rel + suffix)
                directory = next((d for d in order if path.is_relative_to(d)), None)
                if directory is None or not path.is_file() or self.graph_iri(path) != graph:
                    continue
                source = self._source(path, directory)
                if source is not None and source.kind in kinds:
                    found.append(source)
        return sorted(found, key=lambda f: (order[next(d for d in order
                                                      if f.path.is_relative_to(d))], f.path))

    def in_corpus(self, path: Path) -> bool:
        """Whether a data file belongs to the project's corpus (always, without one)."""
        return self.corpus is None or path.relative_to(self.root).as_posix() in self.corpus

    def files_of_kind(self, *kinds: str) -> list[SourceFile]:
        """The project's RDF files of the given kinds (see :class:`SourceFile`)."""
        return [f for f in self.source_files() if f.kind in kinds]

    def query(self, query_name: str, /, **params: Any) -> Rows:
        """Run a saved query over the built store; rows as dicts of plain Python values.

        Parameters are keyword arguments named as in the query's header; a name that is a
        Python keyword takes a trailing underscore (``from_="2017-01-01"`` for ``from``).
        Values may be strings as on the command line or Python values (``datetime.date``,
        ``int``, ``bool``); a ``multiple`` parameter takes a list. IRIs come back as ``str``,
        numbers as ``int``/``Decimal``, ``xsd:date`` as ``datetime.date``, text as ``str``
        (see :func:`hrgraph.query.to_python`); ``.result`` keeps the RDF terms, and
        ``.to_dataframe()`` gives a pandas DataFrame if pandas is installed::

            Project.open(".").query("demands-by-topic", topic=[TOPIC_A, TOPIC_B]).rows

        Raises:
            UsageError: an unknown query or parameter, a missing or malformed value.
            StoreError: there is no built store (run ``hrgraph build``), or it is unreadable.
        """
        from hrgraph import query as queries
        from hrgraph.query import Rows, find_query, run_saved

        saved = find_query(self, query_name)
        values = {}
        for key, value in params.items():
            if key not in saved.params and key.endswith("_") and key[:-1] in saved.params:
                key = key[:-1]
            values[key] = value
        # The same time and row limits as the command line (read now, so they can be changed).
        return Rows.from_result(run_saved(self, saved, values, timeout=queries.DEFAULT_TIMEOUT,
                                          limit=queries.DEFAULT_LIMIT))


def _kind(project: Project, path: Path) -> str:
    if path.is_relative_to(project.shapes_dir):
        return "shapes"
    if path.is_relative_to(project.ontology_dir / "vocabularies"):
        return "vocabulary"
    if path.is_relative_to(project.ontology_dir):
        return "ontology"
    return "data"
