"""Where the store is: the embedded pyoxigraph store (the default), or a SPARQL server.

A server is chosen by the environment or by ``hrgraph.toml``, in this order:

1. ``hrgraph query --endpoint URL`` runs that one query elsewhere, whatever else is set;
2. ``HRGRAPH_ENDPOINT`` (with ``HRGRAPH_ENDPOINT_KIND``, and ``HRGRAPH_ENDPOINT_UPDATE`` /
   ``HRGRAPH_ENDPOINT_STORE`` to override the addresses) selects the store of every command;
3. ``[store]`` of ``hrgraph.toml``::

       [store]
       endpoint = "http://127.0.0.1:7878"
       kind = "oxigraph"          # oxigraph | virtuoso | generic
       # update = "…", store = "…"   (the addresses derived from the kind, overridden)

4. otherwise the embedded store (``--store``, ``$HRGRAPH_STORE`` or ``.hrgraph/store``).

``release --endpoint`` only writes an address into the dataset description; it selects nothing.

Each kind names its three services, derived from the server's base address:

============  ===================  =====================  ===========================
kind          SPARQL query         SPARQL update          Graph Store Protocol
============  ===================  =====================  ===========================
oxigraph      ``BASE/query``       ``BASE/update``        ``BASE/store``
virtuoso      ``BASE/sparql``      ``BASE/sparql-auth``   ``BASE/sparql-graph-crud-auth``
generic       the endpoint given   ``update`` (required   ``store`` (required to write)
                                   to write)
============  ===================  =====================  ===========================

(Virtuoso's unauthenticated ``/sparql`` answers updates only when the ``SPARQL`` user has been
granted ``SPARQL_UPDATE``; its ``-auth`` services ask for a user by HTTP Digest.) Credentials come
from the environment only: ``HRGRAPH_ENDPOINT_TOKEN`` (a bearer token), or
``HRGRAPH_ENDPOINT_USER`` and ``HRGRAPH_ENDPOINT_PASSWORD``, sent by Basic or Digest
authentication as the server's challenge asks (:func:`auth_scheme`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from hrgraph.errors import StoreError, UsageError
from hrgraph.project import Project
from hrgraph.remote import Credentials, PushSummary

if TYPE_CHECKING:
    from hrgraph.query import QueryResult
    from hrgraph.stats import Stats

#: The kinds of server, and the paths of their query, update and Graph Store services.
KINDS: dict[str, tuple[str, str | None, str | None]] = {
    "oxigraph": ("/query", "/update", "/store"),
    "virtuoso": ("/sparql", "/sparql-auth", "/sparql-graph-crud-auth"),
    "generic": ("", None, None),
}
#: The last part of a service address, taken off to find the server's base address.
_SERVICE_PATHS = ("/query", "/update", "/store", "/sparql", "/sparql-auth",
                  "/sparql-graph-crud", "/sparql-graph-crud-auth")


@dataclass(frozen=True)
class Endpoint:
    """A SPARQL server used as the store: its kind and its three services."""

    kind: str
    query: str
    update: str | None
    store: str | None
    #: Where the choice came from, for messages: ``HRGRAPH_ENDPOINT`` or ``hrgraph.toml``.
    source: str
    credentials: Credentials = field(default_factory=Credentials)

    def require_update(self) -> str:
        """The update address, or a usage error saying how to give one."""
        if self.update is None:
            raise UsageError(f"the {self.kind} endpoint {self.query} has no SPARQL update "
                             f"address: set HRGRAPH_ENDPOINT_UPDATE or [store] update")
        return self.update

    def require_store(self) -> str:
        """The Graph Store Protocol address, or a usage error saying how to give one."""
        if self.store is None:
            raise UsageError(f"the {self.kind} endpoint {self.query} has no Graph Store "
                             f"address: set HRGRAPH_ENDPOINT_STORE or [store] store")
        return self.store


def endpoint_for(url: str, kind: str = "oxigraph", *, update: str | None = None,
                 store: str | None = None, source: str = "HRGRAPH_ENDPOINT",
                 credentials: Credentials | None = None) -> Endpoint:
    """The endpoint of a server of ``kind`` at ``url`` (its base address, or the address of
    one of its services), with the addresses given overriding those derived.

    Raises:
        UsageError: an unknown kind, or an address that is not http(s).
    """
    if kind not in KINDS:
        raise UsageError(f"{source}: the kind of server {kind!r} is not one of "
                         + ", ".join(KINDS))
    for address in (url, update, store):
        if address is not None and not address.startswith(("http://", "https://")):
            raise UsageError(f"{source}: {address!r} is not an http(s) address of a SPARQL "
                             "server")
    query_path, update_path, store_path = KINDS[kind]
    if kind == "generic":
        query = url
    else:
        base = url.rstrip("/")
        for path in sorted(_SERVICE_PATHS, key=len, reverse=True):
            if base.endswith(path):
                base = base[:-len(path)]
                break
        query = base + query_path
        update = update or base + update_path
        store = store or base + store_path
    return Endpoint(kind, query, update, store, source, credentials or Credentials())


def credentials_from(env: Mapping[str, str]) -> Credentials:
    """``HRGRAPH_ENDPOINT_TOKEN``, or ``HRGRAPH_ENDPOINT_USER`` and ``…_PASSWORD``.

    Raises:
        UsageError: a user without a password or the other way round.
    """
    token = env.get("HRGRAPH_ENDPOINT_TOKEN") or None
    user = env.get("HRGRAPH_ENDPOINT_USER") or None
    password = env.get("HRGRAPH_ENDPOINT_PASSWORD") or None
    if bool(user) != bool(password):
        raise UsageError("set both HRGRAPH_ENDPOINT_USER and HRGRAPH_ENDPOINT_PASSWORD, or "
                         "neither")
    return Credentials(user, password, token)


def configured(project: Project, env: Mapping[str, str] | None = None) -> Endpoint | None:
    """The server the project's commands use as their store, or None for the embedded store
    (the precedence is in the module's docstring).

    Raises:
        UsageError: the setting is malformed.
    """
    env = os.environ if env is None else env
    credentials = credentials_from(env)
    if env.get("HRGRAPH_ENDPOINT"):
        return endpoint_for(env["HRGRAPH_ENDPOINT"], env.get("HRGRAPH_ENDPOINT_KIND")
                            or "oxigraph", update=env.get("HRGRAPH_ENDPOINT_UPDATE") or None,
                            store=env.get("HRGRAPH_ENDPOINT_STORE") or None,
                            credentials=credentials)
    section = project.settings.get("store", {})
    if not isinstance(section, dict):
        raise UsageError("hrgraph.toml: [store] must be a table")
    unknown = set(section) - {"endpoint", "kind", "update", "store"}
    if unknown:
        raise UsageError(f"hrgraph.toml: [store] has unknown keys: {', '.join(sorted(unknown))}"
                         " (it takes endpoint, kind, update, store)")
    if not section.get("endpoint"):
        return None
    values = {k: section.get(k) for k in ("endpoint", "kind", "update", "store")}
    for key, value in values.items():
        if value is not None and not isinstance(value, str):
            raise UsageError(f"hrgraph.toml: [store] {key} must be a string")
    return endpoint_for(values["endpoint"], values["kind"] or "oxigraph",
                        update=values["update"], store=values["store"], source="hrgraph.toml",
                        credentials=credentials)


def auth_scheme(endpoint: Endpoint, *, timeout: float = 10.0) -> Endpoint:
    """The endpoint with the authentication scheme its server asks for (``Digest`` or
    ``Basic``, read from the challenge of an unauthenticated request to its update service),
    when it has a user and password; unchanged otherwise.

    Raises:
        StoreError: the server cannot be reached.
    """
    credentials = endpoint.credentials
    if not credentials.user or credentials.token:
        return endpoint
    import httpx

    probe = endpoint.update or endpoint.query
    try:
        response = httpx.get(probe, timeout=timeout)
    except httpx.HTTPError as exc:
        raise StoreError(f"cannot reach the SPARQL server at {probe}: {exc}") from None
    challenge = response.headers.get("www-authenticate", "").strip().lower()
    scheme = "digest" if challenge.startswith("digest") else "basic"
    return replace(endpoint, credentials=replace(credentials, scheme=scheme))


# --------------------------------------------------------------------------- commands on a server


def select(endpoint: Endpoint, sparql: str, *, timeout: float = 60.0) -> QueryResult:
    """Run a SELECT of hrgraph's own (checked by the guard like any query) on the server."""
    from hrgraph import guard
    from hrgraph.query import QueryResult
    from hrgraph.remote import _remote_query

    checked = guard.checked(sparql)
    raw = _remote_query(checked.text, checked.form, endpoint.query, timeout=timeout, limit=None,
                        credentials=endpoint.credentials)
    return QueryResult.from_raw(raw, limit=None)


def our_graphs(project: Project, endpoint: Endpoint) -> dict[str, int]:
    """Triples per public graph of the project on the server: graphs under the project's graph
    base only (a server's own graphs, such as Virtuoso's system graphs, are not ours), never a
    private one (none is ever sent; one found is left alone and not counted)."""
    rows = select(endpoint, f"""
SELECT ?g (COUNT(*) AS ?n) WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER (STRSTARTS(STR(?g), "{project.graph_base}"))
}} GROUP BY ?g""").rows
    counts = {row["g"].value: int(row["n"].value) for row in rows}
    own = (publication_graph(project), project.graph_base + "publish-")
    return {g: n for g, n in sorted(counts.items())
            if not project.is_private(g) and not g.startswith(own)}


SPDX = "http://spdx.org/rdf/terms#"
XSD_HEX = "http://www.w3.org/2001/XMLSchema#hexBinary"


def publication_graph(project: Project) -> str:
    """The graph in which the server keeps the SHA-256 of each published graph (SPDX
    checksums, as a release's description gives its files'): the next publication sends only
    the graphs whose content changed."""
    return project.graph_base + "publication"


def published_digests(project: Project, endpoint: Endpoint) -> dict[str, str]:
    """The SHA-256 the server's publication record gives each graph (empty when none)."""
    rows = select(endpoint, f"""
SELECT ?g ?digest WHERE {{
  GRAPH <{publication_graph(project)}> {{
    ?g <{SPDX}checksum> ?c . ?c <{SPDX}checksumValue> ?digest }}
}}""").rows
    return {row["g"].value: row["digest"].value for row in rows}


def union_group(project: Project) -> str:
    """The Virtuoso graph group whose members are the project's published graphs: a query's
    default graph on Virtuoso (:func:`query_dataset`)."""
    return project.graph_base + "public"


def query_dataset(project: Project, endpoint: Endpoint) -> list[str] | None:
    """The graphs whose union is a query's default graph on the server, named with each request
    (the protocol's ``default-graph-uri``); None when the server's default graph already is.

    * An Oxigraph server run with ``--union-default-graph`` (and holding nothing else) needs
      no name.
    * Virtuoso's default graph is the union of every graph it has, its own system graphs
      (``virtrdf:``, ``ldp:`` …) among them; :func:`publish` keeps a graph group
      (:func:`union_group`) of the published graphs, and that one name stands for them all,
      however many there are (Virtuoso echoes each name given as a response header, so
      naming thousands of graphs one by one would not do).
    * Any other server gets the published graphs of the publication record, one by one.
    """
    if endpoint.kind == "oxigraph":
        return None
    if endpoint.kind == "virtuoso":
        return [union_group(project)]
    return sorted(published_digests(project, endpoint)) or [project.graph_base + "nothing-yet"]


def _virtuoso_group(project: Project, endpoint: Endpoint, *, add: Iterable[str] = (),
                    remove: Iterable[str] = (), timeout: float = 60.0) -> None:
    """Create the graph group of :func:`union_group` (when it is not there) and add and remove
    members, by Virtuoso's ``DB.DBA.RDF_GRAPH_GROUP_*`` procedures called from SPARQL
    (``sql:``), which its authenticated service runs for a user allowed to (``dba``)."""
    import httpx

    group = ox.Literal(union_group(project))
    calls = [f"sql:RDF_GRAPH_GROUP_CREATE({group}, 1)"]
    calls += [f"sql:RDF_GRAPH_GROUP_INS({group}, {ox.Literal(g)})" for g in add]
    calls += [f"sql:RDF_GRAPH_GROUP_DEL({group}, {ox.Literal(g)})" for g in remove]
    url = endpoint.require_update()
    credentials = endpoint.credentials
    with httpx.Client(timeout=timeout, auth=credentials.httpx_auth(),
                      headers=credentials.headers()) as client:
        for start in range(0, len(calls), 200):
            chunk = calls[start:start + 200]
            sparql = "SELECT " + " ".join(f"({c} AS ?c{i})" for i, c in enumerate(chunk)) + " {}"
            try:
                response = client.post(url, data={"query": sparql},
                                       headers={"Accept": "application/sparql-results+json"})
            except httpx.HTTPError as exc:
                raise StoreError(f"naming the graph group {group.value}: cannot reach {url}: "
                                 f"{exc}") from None
            _sent(response, url, f"naming the graph group {group.value}")


def remote_stats(project: Project, endpoint: Endpoint) -> Stats:
    """:func:`hrgraph.stats.stats` of the project's graphs on the server."""
    from hrgraph.stats import Stats

    graphs = our_graphs(project, endpoint)
    shapes = project.graph_base + "shapes/"
    rows = select(endpoint, f"""
SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE {{
  GRAPH ?g {{ ?x a ?class }}
  FILTER (isIRI(?class) && STRSTARTS(STR(?g), "{project.graph_base}")
          && !STRSTARTS(STR(?g), "{shapes}") && !STRSTARTS(STR(?g), "{project.private_base}"))
}} GROUP BY ?class""").rows
    classes = sorted(((r["class"].value, int(r["n"].value)) for r in rows),
                     key=lambda item: (-item[1], item[0]))
    return Stats(classes=classes, graphs=sorted(graphs.items(),
                                                key=lambda item: (-item[1], item[0])))


def published_graphs(project: Project, store: ox.Store) -> list[str]:
    """The graphs a server gets: the asserted public graphs (data, ontology, vocabularies,
    shapes), the inferred one and the similar-demand suggestions, so that every saved query
    answers there as here; never a private graph."""
    from hrgraph import export, similar

    names = ["data", "ontology", "shapes"]
    if store.contains_named_graph(ox.NamedNode(similar.graph_iri(project))):
        names.append("suggestions")
    return export.select_graphs(project, store, names, include_inferred=True)


def publish(project: Project, store: ox.Store, endpoint: Endpoint, *,
            progress: Callable[[str], None] | None = None,
            timeout: float = 600.0) -> PushSummary:
    """Make the server's graphs of the project those of a built ``store``, as one change.

    Each published graph (:func:`published_graphs`) is dumped by the store itself (N-Triples,
    into a temporary file); those whose SHA-256 differs from the server's publication record
    (:func:`publication_graph`) are sent whole, each by one Graph Store Protocol ``POST`` into a
    temporary graph, so a blank node is one node within its graph, and the others are left
    alone (an add sends its contribution's graph and the derived ones). Then one SPARQL Update
    request moves
    (``MOVE``) every temporary graph onto its target and drops (``DROP``) the project's graphs
    the store no longer has (a removed file's, a removed contribution's). The Oxigraph server runs
    an update request in one transaction, so readers see the old graphs or the new ones, never
    half of them. Afterwards the server's count of every graph is checked against the store's.

    Raises:
        StoreError: the server refuses, fails or cannot be reached: the temporary graphs are
            dropped and the graphs in place are as they were.
    """
    import hashlib
    import tempfile
    import time
    import uuid

    import httpx

    from hrgraph import store as stores

    say = progress or (lambda message: None)
    started = time.perf_counter()
    graphs = published_graphs(project, store)
    counts = stores.graph_counts(store)
    before = our_graphs(project, endpoint)
    known = published_digests(project, endpoint)
    run = uuid.uuid4().hex[:12]
    temporary = {g: f"{project.graph_base}publish-{run}/{i}" for i, g in enumerate(graphs)}
    target = endpoint.require_store()
    credentials = endpoint.credentials
    client = httpx.Client(timeout=timeout, auth=credentials.httpx_auth(),
                          headers=credentials.headers())
    digests: dict[str, str] = {}
    changed: list[str] = []
    try:
        if credentials.scheme == "digest":
            # A file body cannot be sent twice, as answering Digest's challenge would need: one
            # small request first, after which the client signs every request from the start.
            client.get(target, params={"graph": publication_graph(project)})
        with tempfile.TemporaryDirectory(prefix="hrgraph-publish-") as folder:
            for number, graph in enumerate(graphs, start=1):
                file = Path(folder) / "graph.nt"
                with file.open("wb") as out:
                    store.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
                digest = hashlib.sha256()
                with file.open("rb") as data:
                    for chunk in iter(lambda: data.read(1 << 20), b""):
                        digest.update(chunk)
                digests[graph] = digest.hexdigest()
                if known.get(graph) == digests[graph] and graph in before:
                    continue  # the server has it as it is: left alone
                changed.append(graph)
                say(f"sending graph {number}/{len(graphs)} ({counts.get(graph, 0):,} triples)")
                with file.open("rb") as body:
                    _sent(client.post(target, params={"graph": temporary[graph]}, content=body,
                                      headers={"Content-Type": "application/n-triples"}),
                          target, f"sending {graph}")
        stale = sorted(set(before) - set(graphs))
        say(f"moving {len(changed)} graphs into place"
            + (f", dropping {len(stale)}" if stale else ""))
        record = ox.NamedNode(publication_graph(project))
        entries = "".join(
            f"{ox.NamedNode(g)} <{SPDX}checksum> {ox.NamedNode(g + '/checksum')} . "
            f"{ox.NamedNode(g + '/checksum')} <{SPDX}checksumValue> "
            f"{ox.Literal(d, datatype=ox.NamedNode(XSD_HEX))} .\n" for g, d in digests.items())
        if endpoint.kind == "virtuoso":  # members first: a graph moved in is read at once
            _virtuoso_group(project, endpoint, add=graphs, timeout=timeout)
        update(endpoint, " ;\n".join(
            [f"MOVE SILENT GRAPH {ox.NamedNode(temporary[g])} TO GRAPH {ox.NamedNode(g)}"
             for g in changed] + [f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in stale]
            + [f"DROP SILENT GRAPH {record}",
               f"INSERT DATA {{ GRAPH {record} {{\n{entries}}} }}"]),
            what="moving the new graphs into place", timeout=timeout)
    except httpx.HTTPError as exc:
        _drop(endpoint, temporary.values())
        raise StoreError(f"publishing to {target}: {exc}") from None
    except BaseException:
        _drop(endpoint, temporary.values())
        raise
    finally:
        client.close()
    if endpoint.kind == "virtuoso" and stale:
        # The graphs are gone already; a member left behind is an empty graph, read as none.
        with contextlib.suppress(StoreError):
            _virtuoso_group(project, endpoint, remove=stale, timeout=timeout)
    held = our_graphs(project, endpoint)
    sent = {g: counts.get(g, 0) for g in graphs}
    wrong = [g for g in graphs if held.get(g, 0) != sent[g]]
    if wrong:
        raise StoreError(f"after publishing, the server holds {held.get(wrong[0], 0)} triples "
                         f"in {wrong[0]}, but the store has {sent[wrong[0]]}")
    summary = PushSummary(target, {g: sent[g] for g in changed},
                          {g: held.get(g, 0) for g in changed}, len(changed),
                          time.perf_counter() - started, replaced=True)
    summary.notes.append(f"{len(graphs) - len(changed)} graphs unchanged, not sent")
    if stale:
        summary.notes.append(f"dropped {len(stale)} graphs the store no longer has")
    return summary


def _drop(endpoint: Endpoint, graphs: Iterable[str]) -> None:
    """Drop the temporary graphs of a publication that failed (as far as the server lets)."""
    with contextlib.suppress(StoreError, UsageError):
        update(endpoint, " ;\n".join(f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in graphs),
               what="dropping the temporary graphs")


def _sent(response: Any, url: str, what: str) -> None:
    if not response.is_success:
        raise StoreError(f"{what}: {url} answered {response.status_code} "
                         f"{response.reason_phrase}")


def update(endpoint: Endpoint, sparql: str, *, what: str, timeout: float = 60.0) -> None:
    """Send one SPARQL Update request of hrgraph's own to the server.

    Raises:
        StoreError: the server refuses, fails or cannot be reached.
    """
    import httpx

    url = endpoint.require_update()
    credentials = endpoint.credentials
    try:
        response = httpx.post(url, content=sparql.encode(), timeout=timeout,
                              auth=credentials.httpx_auth(), headers={
                                  **credentials.headers(),
                                  "Content-Type": "application/sparql-update"})
    except httpx.HTTPError as exc:
        raise StoreError(f"{what}: cannot reach {url}: {exc}") from None
    if not response.is_success:
        raise StoreError(f"{what}: {url} answered {response.status_code} "
                         f"{response.reason_phrase}")
