"""The persistent pyoxigraph store of a project, on disk at ``project.store_path``.

A store is never changed in place by ``build``: a new one is written next to it
(``<store>.new-<pid>``) and swapped in by renaming, so an interrupted build leaves the old store
as it was (see :func:`replace_store`).

Every query runs with the union of all named graphs as its default graph
(``use_default_graph_as_union=True``), see :func:`query`.
"""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from hrgraph.errors import StoreError
from hrgraph.project import Project


def open_store(project: Project, read_only: bool = False) -> ox.Store:
    """Open the project's store.

    Read-only opening needs an existing store (run ``hrgraph build`` first) and takes no lock, so
    it works while an Oxigraph server holds the store open. Read-write opening creates the store
    if needed and fails if another process has it open for writing.

    Raises:
        StoreError: the store is missing (read-only), locked by another process, or unwritable.
    """
    return open_store_at(project.store_path, read_only=read_only)


def open_store_at(path: Path, *, read_only: bool = False) -> ox.Store:
    """Open the store at ``path``; see :func:`open_store`."""
    if read_only and not (path / "CURRENT").is_file():
        raise StoreError(f"no store at {path}: run `hrgraph build` first, or pass --store")
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as exc:
        raise _store_error(exc, path) from None


def _store_error(exc: OSError, path: Path) -> StoreError:
    text = str(exc)
    if "lock" in text.lower():
        return StoreError(f"the store {path} is in use by another process (an Oxigraph server or "
                          "another hrgraph command): stop it and try again, or pass --store")
    if isinstance(exc, (PermissionError, NotADirectoryError, FileExistsError)) or \
            "permission" in text.lower() or "not a directory" in text.lower():
        return StoreError(f"cannot write the store {path}: {exc.strerror or text}; "
                          "choose a writable place with --store")
    return StoreError(f"cannot open the store {path}: {text}")


def ensure_unlocked(path: Path) -> None:
    """Fail now if another process holds the store at ``path`` open for writing.

    Raises:
        StoreError: the store is locked or cannot be opened.
    """
    if not path.exists():
        return
    store = open_store_at(path)
    close(store)


def close(store: ox.Store) -> None:
    """Flush and release a store (pyoxigraph closes it when the last reference goes away).

    The caller must drop its own references too; this only makes sure buffers are written.
    """
    store.flush()
    del store
    gc.collect()


def new_store_path(project: Project) -> Path:
    """Where :func:`hrgraph.build.build` writes the next store before swapping it in."""
    return project.store_path.with_name(f"{project.store_path.name}.new-{os.getpid()}")


def create_store(path: Path) -> ox.Store:
    """A fresh, empty store at ``path`` (anything already there is removed first).

    Raises:
        StoreError: the place is not writable.
    """
    try:
        if path.exists():
            shutil.rmtree(path)
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _store_error(exc, path) from None
    return open_store_at(path)


def replace_store(project: Project, new_path: Path) -> None:
    """Swap the closed store at ``new_path`` in as the project's store.

    The old store is renamed to ``<store>.old`` first, the new one renamed into place, then the
    old one removed; a crash in between leaves either the old store or ``<store>.old`` to restore.

    Raises:
        StoreError: the store is locked by another process or the renames fail.
    """
    live = project.store_path
    old = live.with_name(live.name + ".old")
    ensure_unlocked(live)
    try:
        if old.exists():
            shutil.rmtree(old)
        if live.exists():
            live.rename(old)
        new_path.rename(live)
        if old.exists():
            shutil.rmtree(old)
    except OSError as exc:
        raise StoreError(f"cannot replace the store {live}: {exc}") from None


def discard(path: Path) -> None:
    """Remove an unfinished store directory, if any."""
    shutil.rmtree(path, ignore_errors=True)


def add_quads(store: ox.Store, quads: Iterable[ox.Quad]) -> None:
    """Add quads to a store that nothing else is reading yet (build time).

    ``bulk_extend`` writes index files directly and is not transactional, which is fine for a
    store nobody sees until it is swapped in. Measured on the project's 3,500 quads: 170 ms
    against 300 ms for the transactional ``extend`` (median of 5).
    """
    store.bulk_extend(quads)


def query(store: ox.Store, sparql: str,
          **kwargs) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Run a SPARQL query with the union of all graphs as the default graph."""
    return store.query(sparql, use_default_graph_as_union=True, **kwargs)


def dump_nquads(store: ox.Store) -> bytes:
    """Every quad of the store as N-Quads, lines sorted: equal stores give equal bytes."""
    lines = store.dump(format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
    return b"".join(sorted(lines))


def graph_counts(store: ox.Store) -> dict[str, int]:
    """How many triples each named graph holds, by graph IRI, sorted by IRI."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    counts = {row["g"].value: int(row["n"].value) for row in rows}
    return dict(sorted(counts.items()))
