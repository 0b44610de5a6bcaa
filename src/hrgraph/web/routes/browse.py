"""Pages for people: home, search, demands, the SPARQL query page, the network, the dashboard.

Each page has a ``.json`` twin (``/demands.json?topic=…``) computed by the same function.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hrgraph import search as searching
from hrgraph.errors import HrgraphError, UsageError
from hrgraph.query import run_query, run_saved
from hrgraph.web import browsing, downloads, listings, querypage
from hrgraph.web.app import QUERY_CSP, page_routes, state_of, status_for, wants_json
from hrgraph.web.network import network as network_model

#: The query the /query page shows when nothing else is asked for.
DEFAULT_QUERY = "signatories"


async def home(request: Request) -> Response:
    """The start page: how much is here (each count the total of its list), the newest
    contributions, and where to go (:func:`hrgraph.web.browsing.home`)."""
    state = state_of(request)
    queries = sum(1 for q in state.saved_queries() if not q.startswith("checks/"))
    model = await state.cached(("home", queries),
                               lambda store: browsing.home(state.view(store), queries))
    return state.render(request, "home.html", model)


def _browse_list(name: str) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint of the list ``name`` of :data:`hrgraph.web.browsing.LISTINGS`."""

    async def endpoint(request: Request) -> Response:
        state = state_of(request)
        params = {key: request.query_params.get(key, "") for key in ("sort", "page", "per_page")}
        # A download without a page number holds the whole list, read a largest page at a time.
        whole = downloads.requested_format(request) is not None and not params["page"]
        if whole:
            params["per_page"] = str(browsing.MAX_PER_PAGE)

        def page(number: int | None = None) -> Awaitable[dict[str, Any]]:
            chosen = {**params, "page": str(number)} if number else params
            return state.cached(("list", name, *sorted(chosen.items())),
                                lambda store: browsing.browse_list(state.view(store), name,
                                                                   chosen))

        model = await page()
        if whole:
            model = await downloads.every_page(model, page)
        return state.render(request, "list.html", model)

    endpoint.__doc__ = (f"``/{name}``: {browsing.LISTINGS[name].description} Sorted by "
                        "``sort`` (a column, ``-`` first for descending), paged by ``page`` "
                        "and ``per_page``.")
    return endpoint


async def search(request: Request) -> Response:
    """``/search?q=``: full-text search of names, quotes, notes, titles and the topics of
    demands, in any script, tolerant of typos, with filters (:mod:`hrgraph.search`)."""
    state = state_of(request)
    params = request.query_params
    text = params.get("q", "")
    filters = {name: params.get(name, "") for name in searching.FILTERS}
    page = _page_number(params.get("page", "1"))
    # The index beside the store generation being read: that generation names the answer.
    generation, store = state.store.snapshot()
    directory = generation[0] if generation else None

    def page_of(number: int) -> Awaitable[dict[str, Any]]:
        def model_of(_store: ox.Store) -> dict[str, Any]:
            index = searching.open_index(state.project, directory, store)
            found = searching.search(state.project, text, filters, page=number, index=index)
            return _with_page_links(found.to_model())

        return state.cached(("search", generation, text, *sorted(filters.items()), number),
                            model_of)

    model = await page_of(page)
    if downloads.requested_format(request) is not None and "page" not in params:
        model = await downloads.every_page(model, page_of)  # a download holds every result
    return state.render(request, "search.html", model)


def _page_number(value: str) -> int:
    if not value.strip().isdigit() or int(value) < 1:
        raise UsageError(f"page must be a whole number from 1, not {value!r}")
    return int(value)


def _with_page_links(model: dict[str, Any]) -> dict[str, Any]:
    """The model with the addresses of the previous and next pages (same query and filters)."""
    query = {"q": model["q"], **model["filters"]}
    for name, page in (("previous", model["page"] - 1), ("next", model["page"] + 1)):
        model[name] = ("/search?" + urllib.parse.urlencode({**query, "page": page})
                       if 1 <= page <= model["pages"] else None)
    return model


async def demands(request: Request) -> Response:
    """``/demands``: every demand, filtered by topic, addressee, status, document, year."""
    state = state_of(request)
    filters = {name: request.query_params.get(name, "") for name in listings.FILTERS}
    page, per_page = request.query_params.get("page"), request.query_params.get("per_page")
    # every matching demand for the JSON twin and the downloads; the page's alone for HTML
    every = wants_json(request) or downloads.requested_format(request) is not None
    model = await state.cached(("demands", *sorted(filters.items()), page, per_page, every),
                               lambda store: listings.demands_list(state.view(store), filters,
                                                                   page, per_page, every=every))
    return state.render(request, "demands.html", model)


async def network(request: Request) -> Response:
    """``/network``: organisations, people, documents and demands as a graph, filtered by
    ``type`` (repeated), ``document``, ``topic`` or ``around`` (an entity and its neighbours),
    with the nodes named like ``focus`` marked."""
    state = state_of(request)
    params = request.query_params
    filters: dict[str, Any] = {name: params.get(name, "").strip()
                               for name in ("document", "topic", "around", "focus")}
    filters["type"] = sorted({t for t in params.getlist("type") if t})
    model = await state.cached(
        ("network", tuple(filters["type"]), *sorted((k, v) for k, v in filters.items()
                                                    if k != "type")),
        lambda store: network_model(state.view(store), filters))
    return state.render(request, "network.html", model)


async def dashboard(request: Request) -> Response:
    """``/dashboard``: demands by topic, status, addressee and year."""
    state = state_of(request)
    model = await state.cached(("dashboard",),
                               lambda store: listings.dashboard(state.view(store)))
    return state.render(request, "dashboard.html", model)


async def query_page(request: Request) -> Response:
    """``/query``: a SPARQL editor prefilled from the saved queries.

    ``?saved=NAME`` shows a saved query and a form for its parameters (from its header);
    ``&run=1`` runs it with the values given (empty ones take their defaults) by the code the
    API runs, the query staying chosen. ``?query=…`` runs the editor's text (the same worker,
    limits and refusals as ``/sparql``). Results come sorted (``sort``, ``desc``) and paged
    (``page``) with links to their CSV and JSON. YASGUI (``static/query.js``) enhances both forms
    in the browser; the page itself allows connections to this site only (:data:`QUERY_CSP`).
    """
    state = state_of(request)
    params = request.query_params
    queries = state.saved_queries()
    saved = [{"name": q.name, "summary": q.summary} for q in queries.values()
             if not q.name.startswith("checks/")]
    text = params.get("query")
    selected = params.get("saved") or (None if text is not None else DEFAULT_QUERY)
    model: dict[str, Any] = {"saved": saved, "selected": selected, "query": text,
                             "params": [], "ran": None, "result": None, "error": None,
                             "downloads": []}
    status = 200
    chosen = queries.get(selected) if selected else None
    if selected and chosen is None:
        model["error"], status = (f"no saved query called {selected!r} (known: "
                                  f"{', '.join(q['name'] for q in saved)})"), 404
    result, link = None, {}
    if text is None and chosen is not None:
        model["query"] = chosen.text
        values = querypage.submitted_values(chosen, params)
        model["params"] = querypage.param_fields(chosen, values)
        if params.get("run"):
            model["ran"] = "saved"
            limit = state.settings.result_limit
            try:
                result = await state.cached(
                    querypage.result_key(chosen, values),
                    lambda store: run_saved(state.project, chosen, values, store=store,
                                            limit=limit))
                fmt = downloads.requested_format(request)
                if fmt is not None:
                    return downloads.download(request, result, fmt, name=f"query-{chosen.name}",
                                              params=sorted(values.items()))
                link = querypage.saved_link(chosen, values)
                model["downloads"] = querypage.saved_downloads(chosen, values)
            except HrgraphError as exc:
                model["error"], status = str(exc), status_for(exc)
    elif text is not None:
        model["ran"] = "query"
        if chosen is not None:
            model["params"] = querypage.param_fields(chosen, None)
        settings = state.settings
        try:
            result = await state.in_worker(run_query, state.project, text,
                                           timeout=settings.query_timeout,
                                           limit=settings.result_limit)
            fmt = downloads.requested_format(request)
            if fmt is not None:  # /query.xlsx?query=…: the whole result, as the API writes it
                return downloads.download(request, result, fmt, name="query-result", params=[])
            link = {"query": text, **({"saved": selected} if params.get("saved") else {})}
            model["downloads"] = querypage.query_downloads(text, result.kind)
        except HrgraphError as exc:
            model["error"], status = str(exc), status_for(exc)
            line = re.search(r"\bline (\d+)", str(exc))
            model["error_line"] = int(line.group(1)) if line else None
    if result is not None:
        model["result"] = querypage.sort_and_page(
            querypage.result_model(state.project.id_base, result), params, link)
    model["editor"] = await state.cached(
        ("query-editor",), lambda store: querypage.editor_config(state.project,
                                                                 state.view(store)))
    response = state.render(request, "query.html", model, status_code=status)
    response.headers["content-security-policy"] = QUERY_CSP
    return response


def routes() -> list[Route]:
    """The browsing pages and their JSON twins."""
    return [
        Route("/", home, name="home"),
        Route("/index.json", home, name="home-json"),
        *page_routes("/search", search, name="search"),
        *page_routes("/demands", demands, name="demands"),
        *page_routes("/network", network, name="network"),
        *page_routes("/dashboard", dashboard, name="dashboard"),
        *page_routes("/query", query_page, name="query"),
        *[route for name in browsing.LISTINGS
          for route in page_routes(f"/{name}", _browse_list(name), name=name)],
    ]
