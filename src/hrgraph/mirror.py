"""A local read-only copy of the project's graphs on a SPARQL server, for ``hrgraph serve``.

    server's publication record → changed? → download every published graph → new local store
    generation with its search index and demand summary → the link swapped → pages read it

With ``HRGRAPH_ENDPOINT`` set, ``serve`` answers from this mirror (``.hrgraph/mirror``, or the
``--store`` given), and a background thread asks the server every few seconds whether its
publication record (:func:`hrgraph.backend.published_digests`: the SHA-256 of every graph) has
changed since the mirror was made; when it has, a new generation is downloaded, indexed and
swapped in as ``build`` swaps a store in, so requests in flight finish on the old one and the
next read the new one without a restart. Several ``serve`` processes over one server (behind a
proxy) each keep their own mirror and so all show a merge a few seconds after it is published.

The derived data (full-text index, demand summaries) is rebuilt locally from the mirror, so it
always matches what the server holds. The server holds public graphs only, so the mirror has no
confidential entry. Downloads are by the Graph Store Protocol (``GET ?graph=``, N-Triples), one
graph at a time through a temporary file, loaded by the store itself (``bulk_load``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox

from hrgraph import search, summaries
from hrgraph import store as stores
from hrgraph.backend import Endpoint, published_digests
from hrgraph.errors import StoreError
from hrgraph.project import Project

log = logging.getLogger(__name__)

#: The mirror's record of what it copied, in its generation's directory.
RECORD = "hrgraph-mirror.json"


def mirror_project(project: Project, store: Path | None = None) -> Project:
    """The project with the mirror as its store (``store``, else ``.hrgraph/mirror``)."""
    return replace(project, store_path=store or project.root / ".hrgraph" / "mirror")


def _key(digests: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(sorted(digests.items())).encode()).hexdigest()


def current_key(mirrored: Project) -> str | None:
    """The publication record the mirror was made from (its digest), or None."""
    try:
        generation = Path(stores.current_generation(mirrored.store_path))
        return json.loads((generation / RECORD).read_text(encoding="utf-8")).get("key")
    except (OSError, ValueError, StoreError):
        return None


def sync(mirrored: Project, endpoint: Endpoint, *, timeout: float = 600.0) -> bool:
    """Bring the mirror up to date with the server; True when a new generation was swapped in.

    Raises:
        StoreError: the server cannot be read, holds no publication of the project (run
            ``hrgraph build`` with ``HRGRAPH_ENDPOINT`` first), or the mirror cannot be written.
    """
    import httpx

    digests = published_digests(mirrored, endpoint)
    if not digests:
        raise StoreError(f"the server {endpoint.query} holds no publication of this project: "
                         "run `hrgraph build` with HRGRAPH_ENDPOINT set first")
    key = _key(digests)
    if key == current_key(mirrored):
        return False
    source = endpoint.require_store()
    credentials = endpoint.credentials
    new_path = stores.new_store_path(mirrored)
    try:
        store = stores.create_store(new_path)
        with httpx.Client(timeout=timeout, auth=credentials.httpx_auth(),
                          headers=credentials.headers()) as client, \
                tempfile.TemporaryDirectory(prefix="hrgraph-mirror-") as folder:
            for graph in sorted(digests):
                file = Path(folder) / "graph.nt"
                with client.stream("GET", source, params={"graph": graph},
                                   headers={"Accept": "application/n-triples"}) as response:
                    if not response.is_success:
                        raise StoreError(f"reading {graph} from {source}: the server answered "
                                         f"{response.status_code} {response.reason_phrase}")
                    with file.open("wb") as out:
                        for chunk in response.iter_bytes():
                            out.write(chunk)
                store.bulk_load(path=str(file), format=ox.RdfFormat.N_TRIPLES,
                                to_graph=ox.NamedNode(graph))
        store.flush()
        stores.write_manifest(new_path, {"mirror": endpoint.query, "key": key,
                                         "graphs": digests})
        (new_path / RECORD).write_text(json.dumps({"key": key, "endpoint": endpoint.query}),
                                       encoding="utf-8")
        search.build_index(mirrored, store, new_path)
        summaries.build_summary(mirrored, store, new_path)
        stores.close(store)
        del store
        stores.replace_store(mirrored, new_path)
    except httpx.HTTPError as exc:
        raise StoreError(f"cannot read the server {source}: {exc}") from None
    finally:
        stores.discard(new_path)
    return True


class Follower:
    """A background thread that calls :func:`sync` every ``interval`` seconds until stopped;
    a failure is logged and tried again at the next turn (the pages keep the last mirror)."""

    def __init__(self, mirrored: Project, endpoint: Endpoint, interval: float = 5.0) -> None:
        self.mirrored, self.endpoint, self.interval = mirrored, endpoint, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hrgraph-mirror", daemon=True)

    def start(self) -> Follower:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(self.interval + 60)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if sync(self.mirrored, self.endpoint):
                    log.info("the mirror of %s is up to date again", self.endpoint.query)
            except StoreError as exc:
                log.warning("cannot bring the mirror up to date: %s", exc)
