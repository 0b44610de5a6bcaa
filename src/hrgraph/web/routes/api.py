"""The saved-query API, generated from the queries' headers (there is no other registry).

* ``GET /api/queries``: the saved queries, their parameters and columns (JSON).
* ``GET /api/queries/{name}?param=value``: run one; SPARQL JSON results, or CSV or XLSX by
  ``Accept`` or the ``.csv`` / ``.xlsx`` suffix (``/api/queries/signatories.csv``), written by
  :mod:`hrgraph.web.downloads` like every list of the pages. A parameter
  with ``multiple: true`` is repeated (``?actor=…&actor=…``). An unknown query is 404; an unknown,
  missing or malformed parameter is 400 with a message naming it.
* ``GET /api/openapi.json``: an OpenAPI 3.1 description of all of it.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hrgraph import __version__
from hrgraph.errors import UsageError
from hrgraph.query import SavedQuery, run_saved
from hrgraph.web import downloads, negotiation
from hrgraph.web.app import state_of

#: A saved query's name: a file stem in queries/ or queries/checks/ (never a path elsewhere).
_NAME = re.compile(r"(checks/)?[A-Za-z0-9_\-]+")

#: JSON Schema of each parameter type.
SCHEMAS: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "iri"},
    "string": {"type": "string"},
    "langstring": {"type": "string", "pattern": "^.*@[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"},
    "date": {"type": "string", "format": "date"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "boolean": {"type": "boolean"},
    "gYearMonth": {"type": "string", "pattern": "^-?[0-9]{4,}-(0[1-9]|1[0-2])$"},
    "gYear": {"type": "string", "pattern": "^-?[0-9]{4,}$"},
}


def _plain(value: Any) -> Any:
    """A header value as JSON has it (YAML reads 2016-02-01 as a date)."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def describe_query(query: SavedQuery) -> dict[str, Any]:
    """What ``/api/queries`` says about one saved query."""
    return {
        "name": query.name,
        "summary": query.summary,
        "description": query.description,
        "tags": query.tags,
        "columns": query.columns,
        "url": f"/api/queries/{query.name}",
        "params": [{"name": p.name, "type": p.type, "required": p.required,
                    "multiple": p.multiple, "default": _plain(p.default),
                    "example": _plain(p.example),
                    "description": p.description} for p in query.params.values()],
    }


async def queries(request: Request) -> Response:
    """``/api/queries``: every saved query."""
    state = state_of(request)
    return JSONResponse({"queries": [describe_query(q)
                                     for q in state.saved_queries().values()]})


async def run(request: Request) -> Response:
    """``/api/queries/{name}``: run one saved query with the parameters of the query string."""
    state = state_of(request)
    name = request.path_params["name"]
    fmt = next((f for f in downloads.FORMATS if name.endswith("." + f)), None)
    name = name.removesuffix(f".{fmt}") if fmt else name
    if not _NAME.fullmatch(name):
        raise HTTPException(404, f"no saved query called {name!r}")
    try:
        saved = state.saved_query(name)
    except UsageError as exc:
        raise HTTPException(404, str(exc)) from None
    values: dict[str, Any] = {}
    for key in request.query_params:
        items = request.query_params.getlist(key)
        declared = saved.params.get(key)
        values[key] = items if declared is not None and declared.multiple else (
            items[0] if len(items) == 1 else items)
    if fmt is None:
        chosen = negotiation.choose(request.headers.get("accept"),
                                    ["application/sparql-results+json", "application/json",
                                     "text/csv", downloads.FORMATS["xlsx"]])
        fmt = {"text/csv": "csv", downloads.FORMATS["xlsx"]: "xlsx"}.get(chosen or "", "json")
    settings = state.settings
    key = ("api", saved.name, *sorted((k, tuple(v) if isinstance(v, list) else v)
                                      for k, v in values.items()))
    result = await state.cached(key, lambda store: run_saved(state.project, saved, values,
                                                            store=store,
                                                            limit=settings.result_limit))
    headers = {"Vary": "Accept"}
    if result.truncated:
        headers["X-Hrgraph-Truncated"] = "true"
    if fmt in ("csv", "xlsx"):  # the pages' serializers (formula-like cells escaped)
        return downloads.download(request, result, fmt, name=f"query-{saved.name}",
                                  headers=headers)
    return Response(result.to_json(), media_type="application/sparql-results+json",
                    headers=headers)


def openapi_document(saved: list[SavedQuery]) -> dict[str, Any]:
    """An OpenAPI 3.1 description of the API, one path per saved query."""
    results = {
        "application/sparql-results+json": {"schema": {"$ref": "#/components/schemas/Results"}},
        "text/csv": {"schema": {"type": "string"}},
        downloads.FORMATS["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
    }
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    paths: dict[str, Any] = {
        "/api/queries": {"get": {
            "operationId": "listQueries", "summary": "The saved queries and their parameters",
            "responses": {"200": {"description": "The saved queries",
                                  "content": {"application/json": {"schema": {
                                      "type": "object"}}}}}}},
    }
    for query in saved:
        parameters = []
        for p in query.params.values():
            schema = dict(SCHEMAS[p.type])
            if p.default is not None:
                schema["default"] = _plain(p.default)
            if p.multiple:
                schema = {"type": "array", "items": schema}
            parameter: dict[str, Any] = {"name": p.name, "in": "query", "required": p.required,
                                         "description": p.description or p.type,
                                         "schema": schema}
            if p.multiple:
                parameter.update(style="form", explode=True)
            if p.example is not None:
                example = _plain(p.example)
                parameter["example"] = [example] if p.multiple else example
            parameters.append(parameter)
        paths[f"/api/queries/{query.name}"] = {"get": {
            "operationId": "run_" + query.name.replace("/", "_").replace("-", "_"),
            "summary": query.summary,
            "description": query.description
            + (f"\n\nColumns: {', '.join(query.columns)}." if query.columns else ""),
            "tags": query.tags,
            "parameters": parameters,
            "responses": {
                "200": {"description": "The result (SPARQL JSON, or CSV or XLSX by Accept, "
                                       ".csv or .xlsx)",
                        "content": results},
                "400": {"description": "A parameter is unknown, missing or malformed",
                        "content": error},
                "503": {"description": "The query ran too long, or the store is unavailable",
                        "content": error},
            },
        }}
    return {
        "openapi": "3.1.0",
        "info": {"title": "hrgraph saved queries", "version": __version__,
                 "description": "Saved SPARQL queries over the hrgraph knowledge graph of "
                                "human-rights demands, generated from the headers of "
                                "queries/*.rq. Parameters are bound as typed RDF terms."},
        "paths": paths,
        "components": {"schemas": {
            "Results": {"type": "object", "description": "SPARQL 1.1 Query Results JSON",
                        "properties": {"head": {"type": "object"},
                                       "results": {"type": "object"},
                                       "boolean": {"type": "boolean"}}},
            "Error": {"type": "object", "required": ["error", "status"],
                      "properties": {"error": {"type": "string"},
                                     "status": {"type": "integer"}}},
        }},
    }


async def openapi(request: Request) -> Response:
    """``/api/openapi.json``."""
    state = state_of(request)
    return JSONResponse(openapi_document(list(state.saved_queries().values())))


def routes() -> list[Route]:
    """The API routes."""
    return [
        Route("/api/queries", queries, name="api-queries"),
        Route("/api/openapi.json", openapi, name="api-openapi"),
        Route("/api/queries/{name:path}", run, name="api-query"),
    ]
