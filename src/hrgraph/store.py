"""The persistent pyoxigraph store of a project, on disk at ``project.store_path``.

A published store is never written again (copy-on-write). ``build`` writes a new one next to it
(``<store>.new-<pid>``); ``add`` and ``remove`` copy the current one there (pyoxigraph
``backup()``, hard links) and change the copy (:func:`rewrite`). The finished store is moved into
the generations folder ``.<store>.generations/NNNNNN`` and ``<store>`` — a symbolic link to the
current generation — is replaced by a new link in one ``rename`` (:func:`replace_store`). So an
interrupted build or merge leaves the old store as it was, and a reader (``hrgraph serve``, a
query worker) that opened a generation keeps reading an unchanging directory: pyoxigraph calls a
writer and a reader on the same store undefined behaviour, and RocksDB opens table files lazily
by path, so a store directory must never be renamed, changed or deleted under a reader. Openers
resolve the link first (:func:`open_store_at`). Old generations are deleted once
``KEEP_GENERATIONS`` newer ones exist and the next one was published ``GRACE_SECONDS`` ago.
Writers (build, add, remove) take ``.<store>.lock`` (:func:`writer_lock`) for their whole run,
so two merges never start from the same generation.

Every query runs with the union of all named graphs as its default graph
(``use_default_graph_as_union=True``), see :func:`query`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import itertools
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
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
    real = os.path.realpath(path)  # a generation directory, never the link (see module doc)
    try:
        return ox.Store.read_only(real) if read_only else ox.Store(real)
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
    """Fail now if another process holds the store at ``path`` open for writing (an Oxigraph
    server, a program of the user's).

    Tests RocksDB's lock on ``LOCK`` (a POSIX record lock) without opening the store: opening it
    for writing would rewrite its manifest under the feet of read-only readers.

    Raises:
        StoreError: the store is locked.
    """
    lock = path / "LOCK"
    if not lock.is_file():
        return
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.lockf(fd, fcntl.LOCK_UN)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            raise _store_error(OSError("lock held"), path) from None
        raise
    finally:
        os.close(fd)


#: Old store generations kept after a swap, and how long after the next one was published an
#: old one may be deleted (a reader still on it finishes first: queries stop after seconds).
KEEP_GENERATIONS = 2
GRACE_SECONDS = 300.0
WRITER_WAIT_SECONDS = 300.0


#: A file inside each generation's directory saying what the store was built from (see
#: :mod:`hrgraph.rebuild`). RocksDB leaves files it does not know alone; ``backup()`` does not
#: copy them, so :func:`rewrite` copies it.
MANIFEST = "hrgraph-build.json"


def read_manifest(live: Path) -> dict | None:
    """The build manifest of the current store, or None (no store, an older store, unreadable)."""
    try:
        data = json.loads((Path(current_generation(live)) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_manifest(store_dir: Path, manifest: dict) -> None:
    """Write the build manifest into an unpublished store's directory.

    Raises:
        StoreError: it cannot be written.
    """
    try:
        (store_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False),
                                          encoding="utf-8")
    except OSError as exc:
        raise _store_error(exc, store_dir) from None


def generations_dir(live: Path) -> Path:
    """Where the published stores are (``.<store>.generations/``, next to the link)."""
    return live.with_name(f".{live.name}.generations")


def current_generation(live: Path) -> str:
    """The directory the store link points to now (the store itself for an older layout).
    Changes exactly when a new store is published; costs one ``readlink``."""
    return os.path.realpath(live)


@contextlib.contextmanager
def writer_lock(project: Project, *, wait: bool = True) -> Iterator[None]:
    """Hold the project's writer lock (``.<store>.lock``, ``flock``) for the block: one build,
    add or remove at a time, each starting from the newest generation.

    Raises:
        StoreError: another writer held it for ``WRITER_WAIT_SECONDS``.
    """
    live = project.store_path
    try:
        live.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(live.with_name(f".{live.name}.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _store_error(exc, live) from None
    try:
        deadline = time.monotonic() + WRITER_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait or time.monotonic() > deadline:
                    raise StoreError(f"another hrgraph command has been changing the store "
                                     f"{live} for {WRITER_WAIT_SECONDS:g} s; try again later"
                                     ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the flock


def rewrite(project: Project, change: Callable[[ox.Store], object], *,
            beside: Callable[[ox.Store, Path, object], object] | None = None) -> None:
    """Publish a copy of the current store changed by ``change(store)``
    (:func:`replace_store`); if ``change`` raises, nothing is published. Call it holding
    :func:`writer_lock`.

    ``beside(store, directory, what change returned)``, if given, then writes files derived
    from the changed store into its directory (the search index, :mod:`hrgraph.search`), so
    they are published with it; the current generation is still the old one while it runs.

    The copy is pyoxigraph ``backup()`` of the current generation opened read-only (RocksDB
    hard-links the table files, so it is cheap), so a published store is never opened for
    writing. The copy is closed (its last reference dropped) before it is published, so no
    writer handle outlives it: ``change`` must not keep the store.

    Raises:
        StoreError: there is no store, or it is locked or cannot be written.
    """
    live = project.store_path
    ensure_unlocked(live)
    new_path = new_store_path(project)
    discard(new_path)
    try:
        current = open_store_at(live, read_only=True)
        try:
            current.backup(str(new_path))
            manifest = Path(current_generation(live)) / MANIFEST
            if manifest.is_file():  # the next build compares the files with it
                shutil.copyfile(manifest, new_path / MANIFEST)
        except OSError as exc:
            raise _store_error(exc, new_path) from None
        finally:
            del current
        store = open_store_at(new_path)
        try:
            changed = change(store)
            store.flush()
            if beside is not None:
                beside(store, new_path, changed)
        finally:
            del store
            gc.collect()
        replace_store(project, new_path)
    finally:
        discard(new_path)


def close(store: ox.Store) -> None:
    """Flush and release a store (pyoxigraph closes it when the last reference goes away).

    The caller must drop its own references too; this only makes sure buffers are written.
    """
    store.flush()
    del store
    gc.collect()


_new_stores = itertools.count(1)


def new_store_path(project: Project) -> Path:
    """Where the next store is written before it is published (a new name each time: RocksDB
    remembers in each process which store directories it has locked)."""
    name = f"{project.store_path.name}.new-{os.getpid()}-{next(_new_stores)}"
    return project.store_path.with_name(name)


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
    """Publish the closed store at ``new_path`` as the project's store.

    It is moved into the generations folder as the next generation, and the link ``<store>`` is
    replaced by one to it in a single ``rename``: a reader opening the store sees the old
    generation or the new one, never a missing or half-written store. A store directory of the
    older layout (a plain directory at ``<store>``) is first moved into the generations folder
    (once; a reader opening it at that instant may fail). Then old generations are collected
    (:func:`collect_generations`).

    Raises:
        StoreError: the store is locked by another process or the renames fail.
    """
    live = project.store_path
    ensure_unlocked(live)
    folder = generations_dir(live)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name) for p in folder.iterdir() if p.name.isdigit()]
        number = max(numbers, default=0) + 1
        if live.is_dir() and not live.is_symlink():
            live.rename(folder / f"{number:06d}")
            number += 1
        target = folder / f"{number:06d}"
        new_path.rename(target)
        link = live.with_name(f".{live.name}.link-{os.getpid()}")
        link.unlink(missing_ok=True)
        os.symlink(os.path.relpath(target, live.parent), link)
        os.replace(link, live)
        _sync_dir(live.parent)
    except OSError as exc:
        raise StoreError(f"cannot replace the store {live}: {exc}") from None
    collect_generations(live)


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def collect_generations(live: Path, *, now: float | None = None) -> list[str]:
    """Delete old store generations: those with ``KEEP_GENERATIONS`` newer ones besides the
    current one, whose successor was published more than ``GRACE_SECONDS`` ago. Returns the
    names deleted."""
    folder = generations_dir(live)
    if not folder.is_dir():
        return []
    current = Path(current_generation(live)).name
    ordered = sorted(p for p in folder.iterdir() if p.name.isdigit())
    now = time.time() if now is None else now
    deleted = []
    for index, path in enumerate(ordered[:-(KEEP_GENERATIONS + 1)]):
        if path.name == current:
            continue
        successor = ordered[index + 1]
        try:
            published = successor.stat().st_mtime
        except OSError:
            continue
        if now - published > GRACE_SECONDS:
            shutil.rmtree(path, ignore_errors=True)
            deleted.append(path.name)
    return deleted + collect_abandoned(live)


def collect_abandoned(live: Path) -> list[str]:
    """Delete the unfinished stores (``<store>.new-PID-N``) and links (``.<store>.link-PID``) of
    writers that died (a killed build): those whose process no longer runs. Returns the names.

    Call it holding the writer lock (:func:`replace_store` does): a live writer's own unfinished
    store is never touched, since its process still runs.
    """
    deleted = []
    pattern = re.compile(rf"(?:{re.escape(live.name)}\.new|\.{re.escape(live.name)}\.link)-"
                         r"(?P<pid>\d+)(?:-\d+)?")
    for path in live.parent.iterdir() if live.parent.is_dir() else []:
        match = pattern.fullmatch(path.name)
        if match is None or _running(int(match.group("pid"))):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        deleted.append(path.name)
    return deleted


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it runs
        return True
    return True


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


def graph_names(store: ox.Store) -> list[str]:
    """The IRIs of the named graphs that hold a triple, sorted: what :func:`graph_counts` lists,
    without counting (a look into each graph, not a scan of the store)."""
    return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)
                  and next(iter(store.quads_for_pattern(None, None, None, g)), None) is not None)


def graph_counts(store: ox.Store) -> dict[str, int]:
    """How many triples each named graph holds, by graph IRI, sorted by IRI."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    counts = {row["g"].value: int(row["n"].value) for row in rows}
    return dict(sorted(counts.items()))
