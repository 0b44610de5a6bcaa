"""The model of the ``/query`` page: the saved query's parameter form, its results sorted and
paged, the download links and the editor's settings (:mod:`hrgraph.web.routes.browse` serves it).

Without JavaScript the page is a pair of plain forms: the saved query's parameters (generated from
its header) run it through :func:`hrgraph.query.run_saved` — the code the API runs — and the
editor's text runs as ad hoc SPARQL; the results come back as an HTML table, sorted and paged by
links. With JavaScript, ``static/query.js`` puts YASGUI (Yasqe, Yasr) over the same forms and
sends the same values to ``/api/queries/NAME`` or ``/sparql``.
"""

from __future__ import annotations

import math
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox
from starlette.datastructures import QueryParams

from hrgraph.export import turtle_prefixes
from hrgraph.project import Project
from hrgraph.query import QueryResult, SavedQuery, prefixes, shorten
from hrgraph.web.entities import View, safe_href
from hrgraph.web.routes.api import describe_query

#: Rows on one page of results without JavaScript (Yasr pages the same rows itself).
PAGE_SIZE = 100

#: Query-string names the page itself uses; a saved query's parameter cannot be called so.
RESERVED = frozenset({"saved", "query", "run", "sort", "desc", "page"})

#: The form input for each parameter type (``hrgraph.query.PARAM_TYPES``).
_INPUTS = {"date": "date", "integer": "number", "decimal": "number", "boolean": "select"}

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_CLASS_TYPES = ("http://www.w3.org/2002/07/owl#Class",
                "http://www.w3.org/2000/01/rdf-schema#Class")
_PROPERTY_TYPES = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#Property",
                   "http://www.w3.org/2002/07/owl#ObjectProperty",
                   "http://www.w3.org/2002/07/owl#DatatypeProperty",
                   "http://www.w3.org/2002/07/owl#AnnotationProperty")


# --------------------------------------------------------------------------- the parameter form


def submitted_values(saved: SavedQuery, params: QueryParams) -> dict[str, Any]:
    """The values the query string gives for ``saved``'s parameters, as the API takes them.

    Empty fields are left out, so that a parameter's default applies; a ``multiple`` parameter
    takes every value given, and each line of a value (the form's textarea has one per line).
    Names the header does not declare are ignored (they are the page's own, :data:`RESERVED`).
    """
    values: dict[str, Any] = {}
    for param in saved.params.values():
        given = [v.strip() for v in params.getlist(param.name)]
        if param.multiple:
            given = [line.strip() for v in given for line in v.splitlines()]
        given = [v for v in given if v]
        if given:
            values[param.name] = given if param.multiple else given[0]
    return values


def result_key(saved: SavedQuery, values: Mapping[str, Any]) -> tuple:
    """The key under which :meth:`WebState.cached` keeps the answer, the one the API uses
    (``routes.api.run``): the page and ``/api/queries/NAME`` share one answer."""
    return ("api", saved.name, *sorted((k, tuple(v) if isinstance(v, list) else v)
                                       for k, v in values.items()))


def param_fields(saved: SavedQuery, values: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The form fields for ``saved``'s parameters, from its header: name, type, whether
    required, default, example, description, the input to draw, and the value to show (the
    value given, else the default)."""
    fields = []
    for described in describe_query(saved)["params"]:
        name = described["name"]
        given = (values or {}).get(name)
        shown = given if given is not None else described["default"]
        if isinstance(shown, list):
            shown = "\n".join(str(v) for v in shown)
        fields.append({
            **described,
            "id": "param-" + re.sub(r"[^A-Za-z0-9_-]", "-", name),
            "input": "textarea" if described["multiple"] else _INPUTS.get(described["type"],
                                                                          "text"),
            "step": "1" if described["type"] == "integer" else "any",
            "value": "" if shown is None else str(shown).lower()
            if isinstance(shown, bool) else str(shown),
            # Required with no default: the browser asks for it before sending the form.
            "needed": described["required"] and described["default"] is None,
        })
    return fields


# --------------------------------------------------------------------------- results


def result_model(id_base: str, result: QueryResult) -> dict[str, Any]:
    """``result`` as the page draws it: each cell's text, its link (local pages for the
    project's IRIs, http(s) IRIs as they are, never ``javascript:``) and language."""
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
            "count": len(result.rows), "truncated": result.truncated, "note": result.note,
            "warnings": list(result.warnings)}


def _sort_key(cell: dict[str, Any] | None) -> tuple:
    """Unbound last; numbers by value before text; text without regard to case."""
    if cell is None:
        return (2, 0.0, "")
    text = cell["text"]
    try:
        number = float(text)
    except ValueError:
        return (1, 0.0, text.casefold())
    return (0, number, "") if math.isfinite(number) else (1, 0.0, text.casefold())


def sort_and_page(model: dict[str, Any], params: QueryParams, link: dict[str, str],
                  ) -> dict[str, Any]:
    """``model`` (of :func:`result_model`) sorted by the ``sort`` column (``desc=1``: downwards)
    and cut to page ``page`` of :data:`PAGE_SIZE` rows, with the links that change either.

    ``link`` holds the query-string items that reproduce the result (``saved``, ``run`` and the
    parameters, or ``query``); the sort and page links add theirs to it.
    """
    variables = model["variables"]
    sort = params.get("sort")
    descending = params.get("desc") == "1"
    rows = model["rows"]
    if sort in variables:
        index = variables.index(sort)
        rows = sorted(rows, key=lambda row: _sort_key(row[index]), reverse=descending)
    else:
        sort = None
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    try:
        page = min(max(1, int(params.get("page", "1"))), pages)
    except ValueError:
        page = 1
    start = (page - 1) * PAGE_SIZE

    def href(**changes: Any) -> str:
        items = {**link, **({"sort": sort, "desc": "1" if descending else None} if sort
                             else {}), **changes}
        return "/query?" + urllib.parse.urlencode(
            [(k, v) for k, v in _items(items) if v not in (None, "")])

    columns = []
    for name in variables:
        down = name == sort and not descending
        columns.append({"name": name,
                        "sorted": ("descending" if descending else "ascending")
                        if name == sort else None,
                        "href": href(sort=name, desc="1" if down else None, page=None)})
    return {**model, "rows": rows[start:start + PAGE_SIZE], "columns": columns,
            "paging": {"page": page, "pages": pages, "first": start + 1 if rows else 0,
                       "last": min(start + PAGE_SIZE, len(rows)),
                       "previous": href(page=page - 1) if page > 1 else None,
                       "next": href(page=page + 1) if page < pages else None}}


def _items(items: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Query-string pairs, a list value as repeated pairs."""
    pairs: list[tuple[str, Any]] = []
    for key, value in items.items():
        pairs += [(key, v) for v in value] if isinstance(value, list) else [(key, value)]
    return pairs


def saved_link(saved: SavedQuery, values: Mapping[str, Any]) -> dict[str, Any]:
    """The query-string items that run ``saved`` with ``values`` on this page."""
    return {"saved": saved.name, "run": "1", **values}


def saved_downloads(saved: SavedQuery, values: Mapping[str, Any]) -> list[dict[str, str]]:
    """Links to the API's CSV, XLSX and JSON of ``saved`` run with ``values``."""
    query = urllib.parse.urlencode(_items(dict(values)))
    suffix = "?" + query if query else ""
    return [{"label": "CSV", "href": f"/api/queries/{saved.name}.csv{suffix}"},
            {"label": "XLSX", "href": f"/api/queries/{saved.name}.xlsx{suffix}"},
            {"label": "JSON (SPARQL results)", "href": f"/api/queries/{saved.name}.json{suffix}"}]


def query_downloads(text: str, kind: str) -> list[dict[str, str]]:
    """Links to ``/sparql``'s answer to ``text`` in the formats a result of ``kind`` has, and
    for a table its XLSX (``/query.xlsx``, written by :mod:`hrgraph.web.downloads`)."""
    formats = ([("Turtle", "ttl"), ("JSON-LD", "jsonld"), ("N-Triples", "nt")]
               if kind == "graph" else [("CSV", "csv"), ("JSON (SPARQL results)", "json")])
    links = [{"label": label, "href": "/sparql?" + urllib.parse.urlencode(
        {"query": text, "format": short})} for label, short in formats]
    if kind != "graph":
        links.insert(1, {"label": "XLSX", "href": "/query.xlsx?" + urllib.parse.urlencode(
            {"query": text})})
    return links


# --------------------------------------------------------------------------- the editor


def editor_config(project: Project, view: View) -> dict[str, Any]:
    """What ``static/query.js`` gives YASGUI: the project's prefixes (for the editor's prefix
    completion and for shortening IRIs in the results), the classes and properties of the
    public graphs (for the editor's local completion: nothing is looked up elsewhere), the
    addresses it sends queries to (all on this site) and the id base whose IRIs have pages here.
    """
    known = {**prefixes(project), **turtle_prefixes(project)}
    classes = sorted({iri for kind in _CLASS_TYPES for iri in view.subjects(_RDF_TYPE, kind)})
    properties = sorted({iri for kind in _PROPERTY_TYPES
                         for iri in view.subjects(_RDF_TYPE, kind)})
    return {"prefixes": dict(sorted(known.items())), "classes": classes,
            "properties": properties, "endpoint": "/sparql", "api": "/api/queries/",
            "page": "/query", "idBase": project.id_base, "pageSize": PAGE_SIZE}
