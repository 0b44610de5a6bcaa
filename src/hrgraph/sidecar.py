"""SQLite files derived from a store generation and kept in its directory (the search index,
the demand summaries).

    build / add / remove → a new store generation → its side files → readers

A side file is written whole into a temporary file beside the final one and renamed into place
(:func:`writing`), so a reader sees the old file or the new one, never half of one; it is then
never changed, and readers open it read-only and ``immutable`` (:func:`connect`). Each records a
fingerprint of its store (:func:`fingerprint`) and a schema version in a ``meta`` table, so a
reader can tell one of another store or version (:func:`unusable`) and build it again. Side
files swap in with their store and are deleted with their generation (RocksDB leaves files it
does not know alone).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Generic, TypeVar

import pyoxigraph as ox

from hrgraph import store as stores
from hrgraph.errors import StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")


def fingerprint(store: ox.Store, directory: str | os.PathLike) -> str:
    """What a side file records of its store: the named graphs and the build manifest (every
    build, add and remove changes one or the other). Costs milliseconds, not a scan."""
    digest = hashlib.sha256()
    for graph in sorted(str(g) for g in store.named_graphs()):
        digest.update(graph.encode() + b"\n")
    manifest = Path(directory) / stores.MANIFEST
    with contextlib.suppress(OSError):
        digest.update(manifest.read_bytes())
    return digest.hexdigest()


@contextlib.contextmanager
def writing(final: Path, schema: str, *, what: str, start: Path | None = None
            ) -> Iterator[sqlite3.Connection]:
    """A connection to a new file beside ``final`` (a copy of ``start``, or empty with the SQL
    ``schema``), in one transaction, renamed onto ``final`` when the block ends without error.

    Raises:
        StoreError: the file cannot be written (``what`` names it in the message).
    """
    temp = final.parent / f".{final.name}.{os.getpid()}-{threading.get_ident()}"
    try:
        temp.unlink(missing_ok=True)
        if start is not None:
            shutil.copyfile(start, temp)
        db = sqlite3.connect(temp, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot write {what} in {final.parent}: {exc}") from None
    try:
        db.execute("PRAGMA journal_mode = OFF")  # a new file: the rename is the commit
        if start is None:
            db.executescript(schema)
        db.execute("BEGIN")
        yield db
        db.execute("COMMIT")
        db.close()
        os.replace(temp, final)
    except BaseException as exc:
        db.close()
        temp.unlink(missing_ok=True)
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise StoreError(f"cannot write {what} in {final.parent}: {exc}") from None
        raise


def write_meta(db: sqlite3.Connection, store: ox.Store, directory: str | os.PathLike,
               schema_version: int) -> None:
    """Record the schema version and the store's fingerprint in the file's ``meta`` table."""
    db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
        ("schema", str(schema_version)), ("fingerprint", fingerprint(store, directory))])


def connect(path: Path) -> sqlite3.Connection:
    """A read-only connection (a published side file never changes: ``immutable``)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                           check_same_thread=False)


def schema_of(path: Path) -> int | None:
    """The schema version a side file records, or None (missing, unreadable, no version)."""
    try:
        with contextlib.closing(connect(path)) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except sqlite3.Error:
        return None
    return int(row[0]) if row and row[0].isdigit() else None


def identity(path: Path) -> tuple | None:
    """The file's identity (path, inode, mtime, size): a key for files kept open."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)


def unusable(path: Path, store: ox.Store, directory: Path, schema_version: int) -> str | None:
    """Why the side file at ``path`` cannot be used for ``store`` (None when it can)."""
    if not path.is_file():
        return "missing"
    try:
        with contextlib.closing(connect(path)) as db:
            meta = dict(db.execute("SELECT key, value FROM meta"))
    except sqlite3.Error as exc:
        return f"unreadable ({exc})"
    if meta.get("schema") != str(schema_version):
        return f"of another version ({meta.get('schema')})"
    if meta.get("fingerprint") != fingerprint(store, directory):
        return "of another store"
    return None


class Kept(Generic[T]):
    """Side files opened and checked once, remembered by file identity (a server checks each
    generation's file once), rebuilt in place when missing, of another version or of another
    store."""

    def __init__(self, what: str, schema_version: int) -> None:
        self.what, self.schema_version = what, schema_version
        self._items: dict[tuple, T] = {}
        self._lock = threading.Lock()

    def forget(self, path: Path) -> None:
        """Drop what was remembered of the file at ``path`` (it was just written again)."""
        with self._lock:
            for key in [k for k in self._items if k[0] == str(path)]:
                del self._items[key]

    def open(self, path: Path, directory: Path, store: ox.Store | None,
             build: Callable[[ox.Store], object], load: Callable[[Path], T]) -> T:
        """The opened file at ``path`` of the generation in ``directory``: ``load(path)``,
        after ``build(store)`` when it cannot be used as it is.

        Raises:
            StoreError: there is no store, or the file had to be built and cannot be written.
        """
        key = identity(path)
        with self._lock:
            if key is not None and key in self._items:
                return self._items[key]
        if store is None:
            store = stores.open_store_at(directory, read_only=True)
        why = unusable(path, store, directory, self.schema_version)
        if why:
            log.warning("building %s of %s again: %s", self.what, directory, why)
            try:
                build(store)
            except StoreError as exc:
                raise StoreError(f"{self.what} is {why} and cannot be built: {exc}; "
                                 "run `hrgraph build`") from None
            key = identity(path)
        item = load(path)
        with self._lock:
            if len(self._items) > 8:  # old generations' files
                self._items.clear()
            self._items[key] = item
        return item
