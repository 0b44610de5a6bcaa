"""Remote stores: push the graph to a SPARQL server, and run saved queries against an endpoint.

    store → N-Triples lines per graph (asserted + inferred, public graphs only) → batches
          → remote store → verify triple counts

Confidential data is kept in private graphs (:func:`hrgraph.privacy.split`), which
:func:`hrgraph.export.select_graphs` never selects for a push: nothing private is ever sent.

Pushing (:func:`push`) uses the SPARQL 1.1 Graph Store Protocol (``POST URL?graph=G`` with
N-Triples) by default, or SPARQL 1.1 Update (``INSERT DATA``) with ``update_endpoint=True``.
Each named graph goes to the graph of the same name (or everything to ``graph``). Batches that
fail with a transient error (no connection, a time-out, HTTP 408, 429, 500, 502, 503, 504) are
retried a bounded number of times with a growing pause; others (401, 403, 404, 400) fail at once.
Triples with blank nodes are sent in one batch per graph: a blank node label means the same node
only within one request.

With ``replace=True`` every graph is first written to a temporary graph, and only when all are
complete one SPARQL Update request ``MOVE``\\ s them onto their targets (Oxigraph runs an update
request in one transaction), so a failure never leaves a half-written target graph; the temporary
graphs are dropped on failure. ``MOVE`` needs the update endpoint: by default the sibling of the
Graph Store URL (Oxigraph's ``/store`` → ``/update``, Fuseki's ``/data`` → ``/update``).

After pushing, the triples in each target graph are counted through the query endpoint (the
sibling ``/query``, or a ``GET`` of the graph by the Graph Store Protocol): a replaced graph must
hold exactly what was sent, an added-to graph at least that.

Credentials come only from the environment: ``HRGRAPH_PUSH_TOKEN`` (sent as a bearer token) or
``HRGRAPH_PUSH_USER`` and ``HRGRAPH_PUSH_PASSWORD`` (HTTP basic). Never from the command line,
where other users of the machine could read them.

Remote queries (:func:`run_remote`) pass the same guard as local ones (updates and ``SERVICE``
refused) and bind parameters as terms: the validated terms are written into a ``VALUES`` block
(:func:`hrgraph.query._insert_values`), which is safe because every term was printed by pyoxigraph.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import tempfile
import time
import urllib.error
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from hrgraph import export as exports
from hrgraph import guard, similar
from hrgraph import progress as progress_bars
from hrgraph.errors import InputError, StoreError, UsageError
from hrgraph.project import Project

#: Triples per request.
DEFAULT_BATCH_SIZE = 2000
#: Seconds a request may take.
DEFAULT_TIMEOUT = 30.0
#: Triples a second a server is granted for the final ``MOVE`` of a replace, beyond the usual
#: time-out: an Oxigraph server moved about 10,000 a second (200,000 in 20 s at 100k), and at
#: 1M on two busy cores more than 2M triples outlasted 10,000 a second; a time-out too long
#: costs only when a server hangs.
MOVE_RATE = 2_000
#: Attempts per request for transient errors (the first included).
DEFAULT_ATTEMPTS = 3
#: Seconds to wait before the second attempt; doubled before each further one.
DEFAULT_BACKOFF = 0.5

TRANSIENT_STATUS = {408, 429, 500, 502, 503, 504}

Progress = Callable[[str], None]


# --------------------------------------------------------------------------- credentials


@dataclass(frozen=True)
class Credentials:
    """What the environment gives to authenticate (nothing, basic auth, or a token)."""

    user: str | None = None
    password: str | None = None
    token: str | None = None
    #: How a user and password are sent: ``basic`` or ``digest`` (as the server asks:
    #: :func:`hrgraph.backend.auth_scheme`).
    scheme: str = "basic"

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> Credentials:
        """From ``HRGRAPH_PUSH_TOKEN``, or ``HRGRAPH_PUSH_USER`` and ``HRGRAPH_PUSH_PASSWORD``.

        Raises:
            UsageError: a user without a password or the other way round.
        """
        env = os.environ if env is None else env
        token = env.get("HRGRAPH_PUSH_TOKEN") or None
        user = env.get("HRGRAPH_PUSH_USER") or None
        password = env.get("HRGRAPH_PUSH_PASSWORD") or None
        if bool(user) != bool(password):
            raise UsageError("set both HRGRAPH_PUSH_USER and HRGRAPH_PUSH_PASSWORD, or neither")
        return cls(user, password, token)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def httpx_auth(self) -> Any:
        import httpx

        if not self.user or self.token:
            return None
        if self.scheme == "digest":
            return httpx.DigestAuth(self.user, self.password)
        return httpx.BasicAuth(self.user, self.password)

    def apply_to(self, wrapper: Any) -> None:
        """Set these credentials on a SPARQLWrapper."""
        if self.token:
            wrapper.addCustomHttpHeader("Authorization", f"Bearer {self.token}")
        elif self.user:
            wrapper.setHTTPAuth("DIGEST" if self.scheme == "digest" else "BASIC")
            wrapper.setCredentials(self.user, self.password)


AUTH_HINT = ("set HRGRAPH_PUSH_USER and HRGRAPH_PUSH_PASSWORD, or HRGRAPH_PUSH_TOKEN, "
             "in the environment")


# --------------------------------------------------------------------------- endpoints


def sibling(url: str, service: str) -> str | None:
    """The URL of another service of the same server: ``…/store`` → ``…/query`` (Oxigraph),
    ``…/data`` or ``…/update`` → ``…/query`` (Fuseki); None when the URL follows neither."""
    base, _, last = url.rstrip("/").rpartition("/")
    if base and last in {"store", "data", "update", "query", "sparql"}:
        return f"{base}/{service}"
    return None


class _Retrying:
    """Runs one request with bounded retries of transient failures; turns failures into
    StoreError messages that say what to do."""

    def __init__(self, url: str, *, attempts: int, backoff: float, timeout: float) -> None:
        self.url = url
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.timeout = timeout

    def run(self, action: Callable[[], Any], what: str) -> Any:
        pause = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                return action()
            except _Transient as exc:
                if attempt == self.attempts:
                    tried = f" (tried {self.attempts} times)" if self.attempts > 1 else ""
                    raise StoreError(f"{what} failed: {exc}{tried}") from None
                time.sleep(pause)
                pause *= 2
        raise AssertionError("unreachable")  # pragma: no cover


class _Transient(Exception):
    """A failure worth another try."""


def _check_response(response: Any, url: str) -> Any:
    status = response.status_code
    if status < 300:
        return response
    reason = f"{status} {response.reason_phrase}".strip()
    body = guard.shorten(response.text or "", 160)
    detail = f": {body}" if body else ""
    if status in (401, 403):
        raise StoreError(f"the server at {url} refused access ({reason}): {AUTH_HINT}")
    if status in TRANSIENT_STATUS:
        raise _Transient(f"the server at {url} answered {reason}{detail}")
    raise StoreError(f"the server at {url} answered {reason}{detail}")


def _http(client: Any, method: str, url: str, **kwargs: Any) -> Any:
    import httpx

    try:
        return _check_response(client.request(method, url, **kwargs), url)
    except httpx.TimeoutException:
        waited = kwargs.get("timeout") or client.timeout.read
        raise _Transient(f"no answer from {url} within {waited:g} s") from None
    except httpx.TransportError as exc:
        raise _Transient(f"cannot reach {url}: {exc or type(exc).__name__}") from None


class _Remote:
    """One server: where to write (Graph Store Protocol or Update), update and query."""

    def __init__(self, url: str, *, update_endpoint: bool, update_url: str | None,
                 query_url: str | None, credentials: Credentials, timeout: float, attempts: int,
                 backoff: float) -> None:
        import httpx

        self.url = url
        self.update_endpoint = update_endpoint
        self.update_url = url if update_endpoint else (update_url or sibling(url, "update"))
        self.query_url = query_url or sibling(url, "query")
        self.credentials = credentials
        self.retry = _Retrying(url, attempts=attempts, backoff=backoff, timeout=timeout)
        self.client = httpx.Client(timeout=timeout, auth=credentials.httpx_auth(),
                                   headers=credentials.headers())

    def close(self) -> None:
        self.client.close()

    def add(self, graph: str, lines: list[bytes]) -> None:
        """Add N-Triples ``lines`` (each ending in a newline) to ``graph``."""
        body = b"".join(lines)
        if self.update_endpoint:
            self.update(f"INSERT DATA {{ GRAPH {ox.NamedNode(graph)} {{\n{body.decode()}}} }}",
                        what=f"writing {len(lines)} triples")
            return
        self.retry.run(lambda: _http(self.client, "POST", self.url, params={"graph": graph},
                                     content=body,
                                     headers={"Content-Type": "application/n-triples"}),
                       what=f"writing {len(lines)} triples to {self.url}")

    def update(self, sparql: str, *, what: str, timeout: float | None = None,
               once: bool = False) -> None:
        """Run a SPARQL Update request (``timeout``: seconds it may take, if not the usual).

        ``once``: never send it again, for a request that must not run twice. A ``MOVE`` whose
        answer was lost (a time-out) may have been done; sent again, its source no longer
        exists and ``MOVE SILENT`` then leaves the target empty (what a push at a million
        triples did when the first ``MOVE`` outlasted its time-out).
        """
        if not self.update_url:
            raise UsageError(f"cannot tell the update endpoint of {self.url}: pass --update-url")
        url = self.update_url
        extra = {"timeout": timeout} if timeout else {}

        def send() -> Any:
            return _http(self.client, "POST", url, content=sparql.encode(),
                         headers={"Content-Type": "application/sparql-update"}, **extra)

        if not once:
            self.retry.run(send, what=what)
            return
        try:
            send()
        except _Transient as exc:
            raise StoreError(f"{what} failed: {exc}; the server may have done it all the same: "
                             "check the graphs there, or push again") from None

    def count(self, graph: str) -> int:
        target = ox.NamedNode(graph)
        if self.query_url:
            url = self.query_url
            sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {target} {{ ?s ?p ?o }} }}"
            response = self.retry.run(lambda: _http(
                self.client, "POST", url, content=sparql.encode(),
                headers={"Content-Type": "application/sparql-query",
                         "Accept": "application/sparql-results+json"}),
                what=f"counting the triples of {graph}")
            try:
                return int(response.json()["results"]["bindings"][0]["n"]["value"])
            except (ValueError, KeyError, IndexError) as exc:
                raise StoreError(f"{url} gave an unreadable count: {exc}") from None
        if self.update_endpoint:
            raise UsageError(f"cannot tell the query endpoint of {self.url}: pass --query-url")
        response = self.retry.run(lambda: _http(
            self.client, "GET", self.url, params={"graph": graph},
            headers={"Accept": "application/n-triples"}), what=f"reading {graph}")
        return len(list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)))


# --------------------------------------------------------------------------- push


@dataclass
class PushSummary:
    """What :func:`push` sent and what the server holds afterwards."""

    url: str
    graphs: dict[str, int]  # target graph -> triples sent
    remote: dict[str, int]  # target graph -> triples the server holds
    batches: int
    seconds: float
    replaced: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    def to_text(self) -> str:
        verb = "replaced" if self.replaced else "added to"
        return (f"pushed {self.triples} triples in {self.batches} batches to {self.url} "
                f"({verb} {len(self.graphs)} graphs; the server holds "
                f"{sum(self.remote.values())} triples in them) in {self.seconds:.2f} s")


def batches(lines: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    """N-Triples ``lines`` in batches of ``size``; every line that may hold a blank node (it
    holds ``_:``, perhaps only inside a literal) in one last batch, since a blank node label
    means the same node only within one request."""
    batch: list[bytes] = []
    with_blank: list[bytes] = []
    for line in lines:
        if b"_:" in line:
            with_blank.append(line)
            continue
        batch.append(line)
        if len(batch) >= max(1, size):
            yield batch
            batch = []
    if batch:
        yield batch
    if with_blank:
        yield with_blank


def push(project: Project, store: ox.Store, url: str, *, graph: str | None = None,
         replace: bool = False, update_endpoint: bool = False, update_url: str | None = None,
         query_url: str | None = None, include_inferred: bool = True,
         batch_size: int = DEFAULT_BATCH_SIZE, timeout: float = DEFAULT_TIMEOUT,
         attempts: int = DEFAULT_ATTEMPTS, backoff: float = DEFAULT_BACKOFF,
         credentials: Credentials | None = None, progress: Progress | None = None
         ) -> PushSummary:
    """Send the store's graphs (asserted and, by default, inferred) to a remote store.

    Args:
        url: the Graph Store Protocol endpoint (e.g. ``http://host:7878/store``), or with
            ``update_endpoint`` the SPARQL Update endpoint.
        graph: put every triple into this graph instead of the graph of its file.
        replace: replace the target graphs atomically instead of adding to them.

    Raises:
        UsageError: a bad URL or graph IRI, or no update endpoint for ``replace``.
        StoreError: the server cannot be reached, refuses, fails, or holds a wrong count after.
    """
    started = time.perf_counter()
    say = progress or (lambda message: None)
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"{url!r} is not an http(s) URL of a SPARQL server")
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError:
            raise UsageError(f"--graph {graph!r} is not an IRI") from None
    credentials = credentials or Credentials.from_environment()
    # the suggestions graph too, so that the saved queries answer there as here
    names = ("data", "ontology", "shapes", *(
        ("suggestions",) if store.contains_named_graph(ox.NamedNode(similar.graph_iri(project)))
        else ()))
    selected = exports.select_graphs(project, store, names, include_inferred=include_inferred)
    remote = _Remote(url, update_endpoint=update_endpoint, update_url=update_url,
                     query_url=query_url, credentials=credentials, timeout=timeout,
                     attempts=attempts, backoff=backoff)
    if replace and not remote.update_url:
        raise UsageError(f"--replace needs the SPARQL Update endpoint of {url} to move the "
                         "finished graphs into place: pass --update-url")
    run = uuid.uuid4().hex[:12]
    done = count = 0
    # Each target graph's distinct triples go through a file of N-Triples lines, sent in
    # batches of lines: memory holds one batch, whatever the size of the graph.
    with tempfile.TemporaryDirectory(prefix="hrgraph-push-") as folder:
        files = _target_files(store, selected, graph, Path(folder))
        sent = {g: exports.count_lines(path) for g, path in files.items()}
        temporary = {g: f"{project.graph_base}push-{run}/{i}" for i, g in enumerate(sent)}
        total = sum(sent.values())
        try:
            with progress_bars.bar(total=total, desc="pushing", unit="triple") as shown:
                for target, path in files.items():
                    destination = temporary[target] if replace else target
                    with path.open("rb") as lines:
                        for batch in batches(lines, batch_size):
                            remote.add(destination, batch)
                            done += len(batch)
                            count += 1
                            shown.update(len(batch))
                            say(f"pushed {done}/{total} triples ({count} batches)")
            if replace:
                say("moving the new graphs into place")
                moves = " ;\n".join(f"MOVE SILENT GRAPH {ox.NamedNode(temporary[g])} TO "
                                    f"GRAPH {ox.NamedNode(g)}" for g in sent)
                # a MOVE copies every triple: its time grows with the graphs
                remote.update(moves, what="moving the new graphs into place",
                              timeout=timeout + total / MOVE_RATE, once=True)
        except BaseException:
            if replace:
                _drop_quietly(remote, temporary.values())
            remote.close()
            raise
    try:
        say("verifying")
        held = {g: remote.count(g) for g in sent}
    finally:
        remote.close()
    wrong = [g for g, n in held.items() if (n != sent[g] if replace else n < sent[g])]
    if wrong:
        g = wrong[0]
        raise StoreError(f"after the push the server holds {held[g]} triples in {g}, "
                         f"but {sent[g]} were sent")
    return PushSummary(url, sent, held, count, time.perf_counter() - started, replaced=replace)


def _target_files(store: ox.Store, graphs: list[str], graph: str | None,
                  folder: Path) -> dict[str, Path]:
    """A file of N-Triples lines per target graph, by target (sorted): each selected graph
    dumped as it is, or with ``graph`` all of them into one, each distinct triple once."""
    try:
        if graph is not None:
            path = folder / "all.nt"
            with path.open("wb") as out:
                exports.write_sorted(store, graphs, out, quads=False)
            return {graph: path}
        files = {}
        for i, name in enumerate(sorted(graphs)):
            files[name] = folder / f"{i}.nt"
            store.dump(files[name], format=ox.RdfFormat.N_TRIPLES,
                       from_graph=ox.NamedNode(name))
        return files
    except OSError as exc:
        raise StoreError(f"cannot prepare the push: {exc.strerror or exc}") from None


def _drop_quietly(remote: _Remote, graphs: Any) -> None:
    """Best effort: remove temporary graphs after a failed replace."""
    with contextlib.suppress(Exception):  # the original error matters more
        remote.update(" ;\n".join(f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in graphs),
                      what="dropping the temporary graphs")


# --------------------------------------------------------------------------- remote queries


def run_remote(project: Project, name_or_path: Any, params: Mapping[str, Any] | None,
               endpoint: str, *, timeout: float = DEFAULT_TIMEOUT, limit: int | None = None,
               allow_service: bool = False, credentials: Credentials | None = None,
               dataset: Sequence[str] | None = None) -> Any:
    """Run a saved query (or ``.rq`` file) against a SPARQL 1.1 query endpoint.

    Parameters are checked against the header like :func:`hrgraph.query.run_saved` and bound by a
    ``VALUES`` block of the validated terms; an IRI parameter takes an IRI or a prefixed name.
    ``dataset``, when given, names the graphs whose union is the query's default graph (the
    protocol's ``default-graph-uri``): the server's other graphs are left out of it.

    Raises:
        UsageError, InputError: as for local queries.
        StoreError: the endpoint cannot be reached, refuses, fails or times out.
    """
    from hrgraph import query as queries

    saved = name_or_path if isinstance(name_or_path, queries.SavedQuery) else \
        queries.find_query(project, name_or_path)
    # Prefixed names as the tables print them; names of entities are looked up in the local
    # store only (run_saved), never by asking the endpoint.
    params, _ = queries.resolve_iri_values(project, saved, params, look_up=False)
    single, multi = queries.bind_params(saved, params)
    sparql, form = guard.checked(saved.text, allow_service=allow_service)
    values = {name: [term] for name, term in single.items()}
    values.update(multi)
    if values:
        sparql = guard.checked(queries._insert_values(sparql, values), allow_service).text
    raw = _remote_query(sparql, form, endpoint, timeout=timeout, limit=limit,
                        credentials=credentials or Credentials.from_environment(),
                        dataset=dataset)
    return queries.QueryResult.from_raw(raw, limit=limit, prefix_map=queries.prefixes(project))


def _remote_query(sparql: str, form: str, endpoint: str, *, timeout: float, limit: int | None,
                  credentials: Credentials, dataset: Sequence[str] | None = None) -> Any:
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException, Unauthorized

    from hrgraph._query_worker import RawResult

    if not endpoint.startswith(("http://", "https://")):
        raise UsageError(f"{endpoint!r} is not an http(s) URL of a SPARQL endpoint")
    wrapper = SPARQLWrapper(endpoint)
    wrapper.setMethod(POST)
    wrapper.setTimeout(max(1, round(timeout)))
    wrapper.setQuery(sparql)
    for graph in dataset or ():
        wrapper.addDefaultGraph(graph)
    # SPARQLWrapper guesses the form with a regular expression that reads comments too (a header
    # saying "addressees" makes it an ADD update); the guard parsed the query and knows.
    wrapper.queryType = form
    wrapper.setReturnFormat(TURTLE if form in ("CONSTRUCT", "DESCRIBE") else JSON)
    credentials.apply_to(wrapper)
    try:
        response = wrapper.query()
        data = response.response.read()
    except Unauthorized:
        raise StoreError(f"the endpoint {endpoint} refused access (401): {AUTH_HINT}") from None
    except SPARQLWrapperException as exc:
        if isinstance(exc.__context__, urllib.error.HTTPError):
            exc.__context__.close()  # SPARQLWrapper leaves the response open
        # Only the kind of failure: the server's own text could be anything it was sent.
        raise StoreError(f"the endpoint {endpoint} failed ({type(exc).__name__})") from None
    except TimeoutError:
        raise StoreError(f"no answer from {endpoint} within {timeout:g} s") from None
    except urllib.error.HTTPError as exc:
        exc.close()
        raise StoreError(f"the endpoint {endpoint} answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise StoreError(f"cannot reach {endpoint}: {reason}") from None
    except http.client.HTTPException as exc:  # e.g. more headers than the client reads
        raise StoreError(f"{endpoint} sent an unreadable HTTP answer: {exc}") from None
    if form in ("CONSTRUCT", "DESCRIBE"):
        try:
            triples = list(ox.parse(data, format=ox.RdfFormat.TURTLE))
        except SyntaxError as exc:
            raise StoreError(f"{endpoint} sent unreadable Turtle: {exc}") from None
        cut = limit is not None and len(triples) > limit
        return RawResult("graph", triples=triples[:limit] if cut else triples, truncated=cut)
    import json

    try:
        document = json.loads(data)
    except ValueError as exc:
        raise StoreError(f"{endpoint} sent unreadable JSON: {exc}") from None
    if form == "ASK":
        return RawResult("ask", boolean=bool(document.get("boolean")))
    variables = list(document.get("head", {}).get("vars", []))
    try:
        rows = [tuple(_term(b.get(v)) for v in variables)
                for b in document.get("results", {}).get("bindings", [])]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoreError(f"{endpoint} sent a term that is not RDF: {exc}") from None
    cut = limit is not None and len(rows) > limit
    return RawResult("select", variables, rows[:limit] if cut else rows, truncated=cut)


def _blank_node(label: str) -> ox.BlankNode:
    """The blank node a server labels ``label``: the label itself when it is one RDF allows,
    else one made from its hash, so that one label is one node (Virtuoso labels its blank
    nodes ``nodeID://b10018``)."""
    try:
        return ox.BlankNode(label)
    except ValueError:
        import hashlib

        return ox.BlankNode("b" + hashlib.sha256(label.encode()).hexdigest()[:32])


def _term(value: dict[str, str] | None) -> Any:
    """A pyoxigraph term from a SPARQL JSON results binding."""
    if value is None:
        return None
    kind = value.get("type")
    if kind == "uri":
        return ox.NamedNode(value["value"])
    if kind == "bnode":
        return _blank_node(value["value"])
    if kind in ("literal", "typed-literal"):
        if value.get("xml:lang"):
            return ox.Literal(value["value"], language=value["xml:lang"])
        if value.get("datatype"):
            return ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"]))
        return ox.Literal(value["value"])
    raise InputError(f"unknown term type in the endpoint's answer: {kind!r}")
