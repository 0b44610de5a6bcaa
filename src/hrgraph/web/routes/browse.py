"""Pages for people: home, search, demands, the SPARQL query page, the network, the dashboard.

Each page has a ``.json`` twin (``/demands.json?topic=…``) computed by the same function.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hrgraph.errors import HrgraphError
from hrgraph.query import QueryResult, run_query, shorten
from hrgraph.web import listings
from hrgraph.web.app import page_routes, state_of, status_for
from hrgraph.web.entities import safe_href
from hrgraph.web.network import network as network_model

#: The query the /query page shows when nothing else is asked for.
DEFAULT_QUERY = "signatories"


async def home(request: Request) -> Response:
    """The start page: what is here and where to go."""
    state = state_of(request)
    model = await state.cached(("home",), lambda store: {
        "demands": len(listings.all_demands(state.view(store))),
        "queries": len(state.saved_queries()),
    })
    return state.render(request, "home.html", model)


async def search(request: Request) -> Response:
    """``/search?q=``: entities by any of their names, in any script."""
    state = state_of(request)
    text = request.query_params.get("q", "")
    model = await state.cached(("search", text),
                               lambda store: listings.search(state.view(store), text))
    return state.render(request, "search.html", model)


async def demands(request: Request) -> Response:
    """``/demands``: every demand, filtered by topic, addressee, status, document, year."""
    state = state_of(request)
    filters = {name: request.query_params.get(name, "") for name in listings.FILTERS}
    model = await state.cached(("demands", *sorted(filters.items())),
                               lambda store: listings.demands_list(state.view(store), filters))
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
    """``/query``: a SPARQL editor prefilled from the saved queries; runs the query on submit
    (the same worker, limits and refusals as ``/sparql``)."""
    state = state_of(request)
    params = request.query_params
    saved = [{"name": q.name, "summary": q.summary} for q in state.saved_queries().values()
             if not q.name.startswith("checks/")]
    selected = params.get("saved") or (None if params.get("query") else DEFAULT_QUERY)
    text = params.get("query")
    model: dict[str, Any] = {"saved": saved, "selected": selected, "query": text,
                             "result": None, "error": None}
    status = 200
    if text is None and selected:
        try:
            model["query"] = state.saved_query(selected).text
        except HrgraphError as exc:
            model["error"], status = str(exc), status_for(exc)
    elif text is not None:
        settings = state.settings
        try:
            result = await state.in_worker(run_query, state.project, text,
                                           timeout=settings.query_timeout,
                                           limit=settings.result_limit)
            model["result"] = _result_model(state.project.id_base, result)
        except HrgraphError as exc:
            model["error"], status = str(exc), status_for(exc)
    return state.render(request, "query.html", model, status_code=status)


def _result_model(id_base: str, result: QueryResult) -> dict[str, Any]:
    def cell(term: Any) -> dict[str, Any] | None:
        if term is None:
            return None
        if isinstance(term, ox.NamedNode):
            local = term.value.startswith(id_base) and len(term.value) > len(id_base)
            return {"text": shorten(term.value, result.prefixes), "iri": term.value,
                    "href": "/id/" + term.value[len(id_base):] if local
                    else safe_href(term.value)}
        if isinstance(term, ox.Literal):
            return {"text": term.value, "lang": term.language or None}
        return {"text": str(term)}

    return {"kind": result.kind, "variables": result.variables, "boolean": result.boolean,
            "rows": [[cell(row.get(v)) for v in result.variables] for row in result.rows],
            "count": len(result.rows), "truncated": result.truncated, "note": result.note}


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
    ]
