"""The web application: :func:`create_app` builds a Starlette app over one project.

All web state lives on the app (``app.state.web``, a :class:`WebState`), never in module globals:
two apps over two projects can run in one process (the tests do).

Queries and the store:

* The app opens the project's store read-only (pyoxigraph ``Store.read_only``, no lock taken) and
  reopens it when ``hrgraph build`` swaps a new store in (:class:`StoreHolder`).
* Ad hoc SPARQL (``/sparql``, the ``/query`` page) runs through :func:`hrgraph.query.run_query`,
  whose worker process is killed at the time limit: a visitor's query can take at most
  ``query_timeout`` seconds, and at most ``query_workers`` run at once (:class:`QuerySlots`).
  A query waits for a slot in the event loop, holding no thread, so waiting queries never keep
  the threads that serve pages; at most ``query_queue`` wait, and one client (peer address,
  :func:`client_address`) may run at most ``query_workers - 1`` of them (one slot stays for
  everyone else) and have at most a quarter of the queue. A query that finds the queue full, or
  waits ``query_timeout`` seconds without a slot, is answered 429 with ``Retry-After``.
* Saved queries (the API, search, dashboard) and the pages' own lookups run in a thread on the
  read-only store (the queries are reviewed files with typed parameters, so they are bounded by
  the data); the request still gives up after ``query_timeout`` seconds. Their answers are kept
  until the store changes (:meth:`WebState.cached`).

Every HTML page has a ``.json`` twin computed by the same function (datasette's habit).
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import ipaddress
import json
import os
import threading
import urllib.parse
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from hrgraph import __version__
from hrgraph.errors import HrgraphError, InputError, QueryTimeout, StoreError, UsageError
from hrgraph.project import Project
from hrgraph.query import SavedQuery, list_queries
from hrgraph.store import current_generation, open_store_at
from hrgraph.web import downloads, negotiation
from hrgraph.web.entities import View
from hrgraph.web.limits import QUEUE_FULL, FailureLimiter, QuerySlots, busy, client_address

#: Answers of saved queries and page models kept per app (see :meth:`WebState.cached`).
RESULTS_KEPT = 512

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

#: Language tags shown next to names, in words.
LANGUAGE_NAMES = {
    "en": "English", "be": "Belarusian", "ru": "Russian", "be-latn": "Belarusian, Latin script",
    "be-tarask": "Belarusian, classical spelling", "pl": "Polish", "uk": "Ukrainian",
    "de": "German", "fr": "French", "lt": "Lithuanian", "be-latn-t-be-m0-bgn":
        "Belarusian, BGN/PCGN romanisation",
}


@dataclass(frozen=True)
class WebSettings:
    """What ``hrgraph serve`` (or a caller of :func:`create_app`) may change."""

    #: Refuse every upload (the /validate form only explains how to validate locally).
    read_only: bool = False
    #: Origins allowed by CORS; empty means CORS is off (no header is sent).
    cors_origins: tuple[str, ...] = ()
    #: Seconds a query may run.
    query_timeout: float = 10.0
    #: Rows (or triples) a query may return.
    result_limit: int = 10_000
    #: Ad hoc queries (each a worker process) running at once; more wait for a free slot.
    query_workers: int = 4
    #: Ad hoc queries that may wait for a slot (in the event loop, holding no thread); one more
    #: is answered 429 with ``Retry-After`` at once.
    query_queue: int = 16
    #: Bytes an uploaded file may have.
    upload_limit: int = 1_000_000
    #: The token that ``POST /contribute`` needs to merge an upload (``HRGRAPH_MERGE_TOKEN``
    #: for ``hrgraph serve``); ``None`` turns merging from the web off.
    merge_token: str | None = field(default=None, repr=False)
    #: Wrong or missing merge tokens one client address may send per minute; then 429.
    merge_failures_per_minute: int = 5
    #: Addresses (or networks, ``10.0.0.0/8``) of reverse proxies: only from these is the
    #: ``X-Forwarded-For`` header believed (:func:`client_address`). Empty: never.
    trusted_proxies: tuple[str, ...] = ()
    #: The site's public address (``https://hrgraph.example.org/``), used where the server names
    #: itself (the SPARQL service description); never taken from a request's ``Host`` header.
    public_base_url: str | None = None

    def __post_init__(self) -> None:
        for name in ("query_workers", "query_queue", "merge_failures_per_minute"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UsageError(f"the web setting {name} must be a whole number from 1, not "
                                 f"{value!r}")
        if isinstance(self.trusted_proxies, str):
            raise UsageError("trusted_proxies must be a tuple of addresses, not one string")
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise UsageError(f"trusted_proxies: {proxy!r} is not an IP address or "
                                 "network") from None
        if self.public_base_url is not None and not _is_base_url(self.public_base_url):
            raise UsageError("public_base_url must be an http(s) address like "
                             f"https://hrgraph.example.org/, not {self.public_base_url!r}")


def _is_base_url(url: object) -> bool:
    """Whether ``url`` is an http(s) address without query or fragment that makes valid IRIs."""
    if not isinstance(url, str):
        return False
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
            or parts.fragment or "#" in url or "?" in url:
        return False
    try:
        ox.NamedNode(url.rstrip("/") + "/sparql")
    except ValueError:
        return False
    return True


#: Settings that ``hrgraph.toml`` may give in its ``[web]`` section (they have no option of
#: ``hrgraph serve``); a value the caller of :func:`create_app` set explicitly wins.
TOML_SETTINGS = ("query_queue", "merge_failures_per_minute", "trusted_proxies",
                 "public_base_url")


def settings_with_project(settings: WebSettings, project: Project) -> WebSettings:
    """``settings`` completed from ``hrgraph.toml`` ``[web]``: each of :data:`TOML_SETTINGS`
    that ``settings`` leaves at its default takes the file's value.

    Raises:
        UsageError: a value of the wrong kind.
    """
    section = project.settings.get("web", {})
    if not isinstance(section, dict):
        raise UsageError("hrgraph.toml: [web] must be a table")
    defaults = WebSettings()
    changes: dict[str, Any] = {}
    for name in TOML_SETTINGS:
        if name in section and getattr(settings, name) == getattr(defaults, name):
            value = section[name]
            if name == "trusted_proxies":
                value = (value,) if isinstance(value, str) else value
                if not isinstance(value, list | tuple) or not all(
                        isinstance(v, str) for v in value):
                    raise UsageError("hrgraph.toml: [web] trusted_proxies must be a list of "
                                     "addresses")
                value = tuple(value)
            changes[name] = value
    return dataclasses.replace(settings, **changes) if changes else settings


# --------------------------------------------------------------------------- who is asking

#: The ASGI scope of the request being served (set by :class:`RequestContext`).
_SCOPE: contextvars.ContextVar[dict | None] = contextvars.ContextVar("hrgraph_scope",
                                                                    default=None)


#: Paths whose requests (with a query) run an ad hoc query through :meth:`WebState.in_worker`.
QUERY_PATHS = ("/sparql", "/query")


class RequestContext:
    """ASGI middleware that makes the request's scope known to code that is not given the
    request (:meth:`WebState.in_worker` learns who is asking from it).

    It also answers 429 at once, before the request is read or its query checked, when a query
    request could only be refused by :meth:`QuerySlots.acquire` (the queue, or the client's share
    of it, is full): a client that ignores ``Retry-After`` then costs the server little.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope.get("path") in QUERY_PATHS and (
                scope.get("method") == "POST" or b"query=" in scope.get("query_string", b"")):
            state = scope["app"].state.web
            if state.query_slots.would_refuse(state.client(scope)):
                refused = busy(state.settings.query_timeout, QUEUE_FULL)
                response = error_response(Request(scope), 429, refused.detail)
                response.headers.update(refused.headers or {})
                await response(scope, receive, send)
                return
        token = _SCOPE.set(scope)
        try:
            await self.app(scope, receive, send)
        finally:
            _SCOPE.reset(token)


class StoreHolder:
    """The project's store, opened read-only, reopened after ``hrgraph build``, ``add`` or
    ``remove`` published a new one.

    The store path is a link to the current generation (:mod:`hrgraph.store`): a changed target
    (or, for a plain store directory, a changed inode) means a new store. Requests in flight keep
    the handle they got, on their unchanging generation, until they finish.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._store: ox.Store | None = None
        self._inode: tuple[str, int | None] | None = None
        self._recent: list[tuple[ox.Store, tuple[str, int | None] | None]] = []
        self.get()  # fail now (StoreError) when there is no store

    def generation(self) -> tuple[str, int | None] | None:
        """Changes whenever a new store is swapped in (the generation and its inode)."""
        return self.snapshot()[0]

    def get(self) -> ox.Store:
        """The current store.

        Raises:
            StoreError: there is no store (run ``hrgraph build``) or it cannot be read.
        """
        return self.snapshot()[1]

    def snapshot(self) -> tuple[tuple[str, int | None] | None, ox.Store]:
        """The current generation and its store, taken together (a swap between two separate
        calls would pair an answer from one store with the name of the other).

        Raises:
            StoreError: there is no store (run ``hrgraph build``) or it cannot be read.
        """
        real = current_generation(self.path)
        try:
            generation: tuple[str, int | None] | None = (real, os.stat(real).st_ino)
        except OSError:
            generation = None
        with self._lock:
            if self._store is None or generation != self._inode:
                self._store = open_store_at(Path(real), read_only=True)
                self._inode = generation
                self._recent = [*self._recent[-3:], (self._store, generation)]
            return self._inode, self._store

    def directory_of(self, store: ox.Store) -> Path | None:
        """The generation directory of ``store``, one of the last handles :meth:`snapshot` gave
        (None for another store, or a plain store directory)."""
        with self._lock:
            for known, generation in reversed(self._recent):
                if known is store:
                    return Path(generation[0]) if generation else None
        return None


@dataclass
class WebState:
    """Everything the request handlers share, kept on ``app.state.web``."""

    project: Project
    settings: WebSettings
    store: StoreHolder
    templates: Jinja2Templates
    query_slots: QuerySlots = field(init=False)
    merge_failures: FailureLimiter = field(init=False)
    results: OrderedDict = field(init=False, repr=False)
    results_lock: threading.Lock = field(init=False, repr=False)
    #: The store generation and its version for the "cite this" block (downloads.citation).
    citation_version: tuple | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.query_slots = QuerySlots(self.settings.query_workers, self.settings.query_queue)
        self.merge_failures = FailureLimiter(self.settings.merge_failures_per_minute)
        self.results = OrderedDict()
        self.results_lock = threading.Lock()
        self._saved: tuple[tuple, dict[str, SavedQuery]] | None = None

    def saved_queries(self) -> dict[str, SavedQuery]:
        """The saved queries by name, read again only when a file in ``queries/`` changed
        (reading every header costs tens of milliseconds; a ``stat`` of each file does not)."""
        directory = self.project.queries_dir
        files = sorted([*directory.glob("*.rq"), *directory.glob("checks/*.rq")])
        signature = tuple((str(f), f.stat().st_mtime_ns) for f in files)
        with self.results_lock:
            if self._saved is not None and self._saved[0] == signature:
                return self._saved[1]
        found = {q.name: q for q in list_queries(self.project)}
        with self.results_lock:
            self._saved = (signature, found)
        return found

    def saved_query(self, name: str) -> SavedQuery:
        """One saved query by name.

        Raises:
            UsageError: there is no such query.
        """
        queries = self.saved_queries()
        if name not in queries:
            raise UsageError(f"no saved query called {name!r} (known: {', '.join(queries)})")
        return queries[name]

    def view(self, store: ox.Store) -> View:
        """The public view of ``store``, with the saved queries already read."""
        return View(store, self.project, self.saved_queries(),
                    directory=self.store.directory_of(store))

    async def cached(self, key: tuple, function: Callable[[ox.Store], Any]) -> Any:
        """``function(store)`` in a thread (see :meth:`in_thread`), remembered under ``key``
        until the store changes.

        Saved queries and page models are functions of the store alone, and the store is
        read-only, so an answer stays right until ``hrgraph build`` swaps a new store in (which
        changes :meth:`StoreHolder.generation`). Worth it because checking a query with rdflib's
        parser costs far more than running it (measured: 230 ms against 6 ms for find-by-name).
        At most ``RESULTS_KEPT`` answers are kept, least recently used dropped first; errors are
        never kept.
        """
        # The store the answer is computed from is the one its key names.
        generation, store = self.store.snapshot()
        key = (generation, *key)
        with self.results_lock:
            if key in self.results:
                self.results.move_to_end(key)
                return self.results[key]
        value = await self.in_thread(function, store)
        with self.results_lock:
            self.results[key] = value
            while len(self.results) > RESULTS_KEPT:
                self.results.popitem(last=False)
        return value

    # -- running blocking work off the event loop

    async def in_thread(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``function`` in a worker thread; give up after the query time limit.

        Raises:
            QueryTimeout: it took longer than ``settings.query_timeout``.
        """
        timeout = self.settings.query_timeout
        try:
            return await asyncio.wait_for(run_in_threadpool(function, *args, **kwargs), timeout)
        except asyncio.TimeoutError:
            raise QueryTimeout(f"the request took longer than {timeout:g} seconds and was "
                               "given up; narrow it down") from None

    def client(self, scope: dict | None = None) -> str:
        """The address of the client being served (:func:`client_address`)."""
        scope = scope if scope is not None else _SCOPE.get()
        return client_address(scope, self.settings) if scope is not None else "unknown"

    async def in_worker(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``function`` (which starts a query worker process) in a thread once a query slot
        is free; the wait for the slot happens here, in the event loop (:class:`QuerySlots`).

        Raises:
            HTTPException: 429 with ``Retry-After`` when too many queries wait, or no slot came
                free within the query time limit.
        """
        client = self.client()
        await self.query_slots.acquire(client, self.settings.query_timeout)
        try:
            return await run_in_threadpool(function, *args, **kwargs)
        finally:
            self.query_slots.release(client)

    # -- answers

    def iri_path(self, iri: str) -> str | None:
        """The local path of the page about ``iri`` (``/id/...``), or ``None`` if it is not ours."""
        base = self.project.id_base
        if iri.startswith(base) and len(iri) > len(base):
            return "/id/" + iri[len(base):]
        return None

    def render(self, request: Request, template: str, model: dict[str, Any],
               status_code: int = 200) -> Response:
        """The page for ``model``: HTML, the model itself as JSON for the ``.json`` twin, or a
        download of its list (``.csv``, ``.xlsx``, ``?format=``: :mod:`hrgraph.web.downloads`)."""
        fmt = downloads.requested_format(request)
        if fmt is not None and status_code == 200:
            return downloads.page_download(request, template, model, fmt)
        if wants_json(request):
            return JSONResponse(model, status_code=status_code,
                                headers={"Link": f'<{request.url.path.removesuffix(".json")}>; '
                                                 'rel="alternate"; type="text/html"'})
        return self.templates.TemplateResponse(request, template, {"model": model},
                                               status_code=status_code)


def wants_json(request: Request) -> bool:
    """Whether the request asks for a page's JSON twin (``.json`` path or JSON first by Accept)."""
    if request.url.path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return negotiation.choose(accept, ["text/html", "application/json"]) == "application/json" \
        and "text/html" not in accept


def state_of(request: Request) -> WebState:
    """The :class:`WebState` of the app serving ``request``."""
    return request.app.state.web


def page_routes(path: str, endpoint: Callable, *, name: str,
                methods: list[str] | None = None, **kwargs: Any) -> list[Route]:
    """A page at ``path``, its JSON twin at ``path.json`` and downloads of its list at
    ``path.csv`` and ``path.xlsx``, served by the same endpoint."""
    methods = methods or ["GET"]
    return [Route(path, endpoint, name=name, methods=methods, **kwargs),
            *(Route(f"{path}.{suffix}", endpoint, name=f"{name}-{suffix}", methods=methods,
                    **kwargs) for suffix in ("json", "csv", "xlsx"))]


# --------------------------------------------------------------------------- errors

#: HTTP status for each kind of hrgraph error.
def status_for(exc: HrgraphError) -> int:
    """400 for bad input, 403 for refused queries (updates, SERVICE), 503 for the store or a
    time-out."""
    if isinstance(exc, QueryTimeout):
        return 503
    if isinstance(exc, StoreError):
        return 503
    if isinstance(exc, InputError) and exc.message.startswith("refused"):
        return 403
    return 400


def error_response(request: Request, status: int, message: str) -> Response:
    """An error in the form the client reads: JSON, plain text (SPARQL protocol) or a page."""
    path = request.url.path
    if path.startswith("/api/") or wants_json(request):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    if path == "/sparql" or "text/html" not in request.headers.get("accept", ""):
        return PlainTextResponse(message + "\n", status_code=status)
    state = state_of(request)
    return state.templates.TemplateResponse(
        request, "error.html", {"model": {"status": status, "message": message}},
        status_code=status)


async def _hrgraph_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HrgraphError)
    return error_response(request, status_for(exc), str(exc))


_HTTP_MESSAGES = {
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    413: "The upload is too large.",
}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if exc.detail and exc.detail not in {
        "Not Found", "Method Not Allowed", "Content Too Large"} else _HTTP_MESSAGES.get(
        exc.status_code, exc.detail)
    if exc.status_code == 413:
        limit = state_of(request).settings.upload_limit
        message = f"The upload is too large: at most {limit:,} bytes are accepted."
    response = error_response(request, exc.status_code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


# --------------------------------------------------------------------------- security headers

#: The Content-Security-Policy of every page. No inline script anywhere: even a label that
#: escaped escaping could not run.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")

#: The /query page's: the same, and says outright that scripts may connect to this site only
#: (YASGUI's editor could otherwise look prefixes and terms up at prefix.cc or LOV: those
#: completers are off, and this makes sure), and that its forms submit here only.
QUERY_CSP = CSP + "; connect-src 'self'; form-action 'self'"

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CSP.encode()),
]


class SecurityHeaders:
    """ASGI middleware adding the headers above to every response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in _SECURITY_HEADERS if h[0] not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --------------------------------------------------------------------------- the app


def _templates(project: Project) -> Jinja2Templates:
    environment = Environment(loader=FileSystemLoader(TEMPLATES),
                              autoescape=select_autoescape(["html", "xml", "svg"],
                                                           default_for_string=True),
                              trim_blocks=True, lstrip_blocks=True)
    environment.globals.update(version=__version__, language_names=LANGUAGE_NAMES)
    environment.filters["tojson_compact"] = lambda v: json.dumps(v, ensure_ascii=False)
    # the "cite this" block and the download links of any page
    environment.globals.update(citation=downloads.citation, download_links=downloads.links,
                               entity_download_links=downloads.entity_links)
    return Jinja2Templates(env=environment)


def create_app(project: Project, settings: WebSettings | None = None) -> Starlette:
    """The web app over ``project``'s built store.

    Raises:
        StoreError: the project has no built store (run ``hrgraph build``).
    """
    from hrgraph.web.routes import api, browse, contribute, linked_data, sparql

    settings = settings_with_project(settings or WebSettings(), project)
    state = WebState(project=project, settings=settings,
                     store=StoreHolder(project.store_path), templates=_templates(project))
    routes = [
        *browse.routes(),
        *sparql.routes(),
        *linked_data.routes(),
        *api.routes(),
        *contribute.routes(settings),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [Middleware(SecurityHeaders), Middleware(RequestContext)]
    if settings.cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                                     allow_methods=["GET", "POST"],
                                     allow_headers=["Accept", "Content-Type"]))
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={HrgraphError: _hrgraph_error,
                                        HTTPException: _http_error})
    app.state.web = state
    return app
