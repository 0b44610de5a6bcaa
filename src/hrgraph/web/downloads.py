"""Downloads of every list and query result (CSV, JSON, XLSX), and the "cite this" block.

    page model or QueryResult → :class:`Table` → :func:`to_csv` / :func:`to_xlsx`
                              → JSON: the page's own JSON twin, or SPARQL JSON for a query

One serializer per format, shared by the pages and the saved-query API (``/api/queries/NAME.csv``
and ``.xlsx`` go through here too). Any list model gets downloads by :func:`download`: give it
rows of dicts (as the pages' models hold them, ``{"iri", "label", "href"}`` links and all) or a
:class:`~hrgraph.query.QueryResult`. A page rendered by :meth:`WebState.render
<hrgraph.web.app.WebState.render>` is downloadable as it is: ``/demands.csv?topic=…``,
``/demands.xlsx``, ``/demands?format=csv`` give the rows of the model that ``/demands.json`` gives
(:func:`rows_of` finds them), so a download holds exactly what the page shows, built from the
same public model (no private graph is read: the confidentiality rule holds by construction).

A cell a spreadsheet program would run as a formula (``= + - @``, tab, CR first) gets a leading
apostrophe (:func:`hrgraph.spreadsheet.escape_cell`) in CSV and XLSX alike; numbers stay numbers.

The citation (:func:`citation`) names the dataset, its version (``[release] version`` of
hrgraph.toml when the served data is a release, else a build id: a digest of the public input
files the store was built from, so identical data has the same id), the date (``[release]
date``, else the day the store was built), the page's IRI and the licence (CC BY 4.0).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import math
import re
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hrgraph import describe
from hrgraph import store as stores
from hrgraph.query import QueryResult
from hrgraph.spreadsheet import escape_cell

#: The download formats: media type of each (JSON is the page's twin or SPARQL JSON).
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: The formats a path may end with to ask for a download (``.json`` is the page's twin).
SUFFIXES = ("csv", "xlsx")
#: How multiple values of one cell are joined (a demand's topics).
JOIN = "; "
#: Keys of a page model's rows that are for the page only (local paths, form state; and any
#: ``…_href``).
SKIPPED = frozenset({"href", "local", "segments", "selected", "width"})
#: Where :func:`rows_of` looks first for a model's list, in this order.
ROW_KEYS = ("rows", "items", "results", "demands")
#: The licence of the data.
LICENCE = ("CC BY 4.0", describe.CC_BY_4)
#: The most characters an XLSX cell holds (Excel's limit); longer text is cut with "…".
XLSX_CELL_CHARS = 32_767

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                               "positiveInteger", "nonPositiveInteger", "negativeInteger",
                               "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
_DECIMALS = {XSD + "decimal", XSD + "double", XSD + "float"}

Cell = str | int | float | Decimal | None


@dataclass
class Table:
    """A list as a download holds it: column names and rows of plain cells."""

    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


# --------------------------------------------------------------------------- to a table


def table_of_result(result: QueryResult) -> Table:
    """A query's answer as a table: full IRIs, literals' lexical forms, blank nodes as
    ``_:id``, numbers (xsd:integer, decimal, double) as numbers; ASK as one ``boolean`` cell."""
    if result.kind == "ask":
        return Table(["boolean"], [["true" if result.boolean else "false"]])
    return Table(list(result.variables),
                 [[_term_cell(row.get(v)) for v in result.variables] for row in result.rows])


def _term_cell(term: Any) -> Cell:
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGERS:
                return int(term.value)
            if datatype == XSD + "decimal":
                return Decimal(term.value)
            if datatype in _DECIMALS and math.isfinite(float(term.value)):  # NaN, INF: text
                return float(term.value)
        except (ValueError, ArithmeticError):  # ill-typed ("abc"^^xsd:integer): text
            pass
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def table_of_rows(rows: Iterable[Mapping[str, Any]],
                  columns: Sequence[str] | None = None) -> Table:
    """Rows of a page model as a table. Each key gives a column, each link (``{"iri",
    "label"}``) two (``KEY`` with the IRI, ``KEY label``), a list of links or texts one cell
    each joined by ``"; "``; a literal (``{"text"}``) its text; keys for the page only
    (:data:`SKIPPED`: local paths, highlighting) none. Columns are in the order they first
    appear (``columns`` chooses and orders them)."""
    flat = [dict(_flatten(row)) for row in rows]
    found: list[str] = []
    for row in flat:
        for name in row:
            if name in found:
                continue
            base = name.removesuffix(" label")
            # "KEY label" next to KEY even when KEY was empty in the rows before
            found.insert(found.index(base) + 1 if base != name and base in found
                         else len(found), name)
    chosen = list(columns) if columns is not None else found
    return Table(chosen, [[row.get(c) for c in chosen] for row in flat])


def _flatten(row: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Cell]]:
    for key, value in row.items():
        if key in SKIPPED or key.endswith("_href"):  # the page's own links
            continue
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            if "iri" in value:
                yield name, value["iri"]
                if "label" in value:
                    yield f"{name} label", _plain(value["label"])
            elif "text" in value:
                yield name, _plain(value["text"])
            elif "label" in value:
                yield name, _plain(value["label"])
            elif not prefix:  # one level of nesting, then stop
                yield from _flatten(value, f"{name} ")
        elif isinstance(value, (list, tuple)):
            if value and all(isinstance(v, Mapping) and "iri" in v for v in value):
                yield name, JOIN.join(str(v["iri"]) for v in value)
                if any("label" in v for v in value):
                    yield f"{name} label", JOIN.join(str(v.get("label", "")) for v in value)
            else:
                texts = [_text_of(v) for v in value]
                yield name, JOIN.join(t for t in texts if t) or None
        else:
            yield name, _plain(value)


def _text_of(value: Any) -> str:
    if isinstance(value, Mapping):
        for key in ("text", "label", "iri", "value"):
            if value.get(key) is not None:
                return str(value[key])
        return ""
    return "" if value is None else str(value)


def _plain(value: Any) -> Cell:
    if isinstance(value, bool):  # before int: True is an int
        return "true" if value else "false"
    if value is None or isinstance(value, (str, int, float, Decimal)):
        return value
    return str(value)


def table_of(data: QueryResult | Iterable[Mapping[str, Any]],
             columns: Sequence[str] | None = None) -> Table:
    """A table of a query result (:func:`table_of_result`) or of rows of dicts
    (:func:`table_of_rows`)."""
    if isinstance(data, QueryResult):
        return table_of_result(data)
    return table_of_rows(data, columns)


def rows_key(model: Mapping[str, Any]) -> str | None:
    """The key of the list a page model shows: one of :data:`ROW_KEYS` holding a list of
    dicts, else the key of its only list of entities (dicts with an ``iri``); ``None`` when it
    has no list."""
    for key in ROW_KEYS:
        value = model.get(key)
        if isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
            return key
    keys = [k for k, v in model.items() if isinstance(v, list) and v
            and all(isinstance(x, Mapping) and "iri" in x for x in v)]
    return keys[0] if len(keys) == 1 else None


def rows_of(model: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    """The list a page model shows (:func:`rows_key`), or ``None``."""
    key = rows_key(model)
    return model[key] if key is not None else None


async def every_page(first: Mapping[str, Any],
                     page: Callable[[int], Awaitable[Mapping[str, Any]]]) -> dict[str, Any]:
    """A paged list's model with the rows of all its pages: ``first`` (page 1, telling how
    many ``pages`` there are) and then ``page(2)``, ``page(3)`` … — so a download holds the
    whole list while each page stays bounded."""
    key = rows_key(first)
    model = dict(first)
    if key is None:
        return model
    rows = list(first[key])
    for number in range(2, int(first.get("pages") or 1) + 1):
        rows += (await page(number))[key]
    model[key] = rows
    return model


# --------------------------------------------------------------------------- serializers


def _cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    return escape_cell(value)


def to_csv(table: Table) -> str:
    """CSV (RFC 4180, ``\\n`` line ends), a header row first; formula-like text escaped."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([escape_cell(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([_cell_text(v) for v in row])
    return out.getvalue()


def to_xlsx(table: Table, *, sheet: str = "data", about: Mapping[str, str] | None = None
            ) -> bytes:
    """An XLSX workbook: the table on sheet ``sheet`` (header row first, numbers as numbers,
    text escaped as in CSV, so no cell is a formula), and ``about`` (the citation) as
    name/value rows on a second sheet."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value: Cell) -> Any:
        if value is None or isinstance(value, (int, float, Decimal)):
            return value
        text = ILLEGAL_CHARACTERS_RE.sub("", escape_cell(value))  # control characters
        return text if len(text) <= XLSX_CELL_CHARS else text[:XLSX_CELL_CHARS - 1] + "…"

    book = Workbook(write_only=True)
    data = book.create_sheet(_sheet_title(sheet))
    data.append([cell(c) for c in table.columns])
    for row in table.rows:
        data.append([cell(v) for v in row])
    if about:
        info = book.create_sheet("about")
        for name, value in about.items():
            info.append([cell(name), cell(value)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "-", text)[:31] or "data"


# --------------------------------------------------------------------------- responses


def requested_format(request: Request) -> str | None:
    """The download format a request asks for: by the path's suffix (``/demands.csv``), or by
    ``?format=`` (csv, json or xlsx); ``None`` for the page itself.

    Raises:
        HTTPException: 400 for a ``format`` that is not one of :data:`FORMATS`.
    """
    path = request.url.path
    for suffix in SUFFIXES:
        if path.endswith("." + suffix):
            return suffix
    chosen = request.query_params.get("format")
    if chosen is None or chosen == "":
        return None
    if chosen not in FORMATS:
        raise HTTPException(400, f"format={chosen!r} is not a download format; it accepts "
                                 + ", ".join(FORMATS))
    return chosen


def page_path(request: Request) -> str:
    """The path of the page a download or twin is of (``/demands.csv`` → ``/demands``)."""
    path = request.url.path
    for suffix in (*SUFFIXES, "json"):
        path = path.removesuffix("." + suffix)
    return path or "/"


def filename(name: str, params: Iterable[tuple[str, str]] = (), fmt: str = "csv") -> str:
    """A file name for a download: ``hrgraph-NAME[-PARAM-VALUE…].FMT``, ASCII letters, digits
    and ``-`` only; an IRI value by its last segment (``topic=…/death-penalty`` →
    ``topic-death-penalty``)."""
    parts = ["hrgraph", name]
    for key, value in params:
        if key == "format" or (key == "page" and value == "1"):
            continue
        parts += [key, re.split(r"[/#]", value.rstrip("/#"))[-1]]
    stem = "-".join(_slug(p) for p in parts if _slug(p))
    return f"{stem[:120].rstrip('-')}.{fmt}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _disposition(name: str, inline: bool = False) -> dict[str, str]:
    return {"Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"'}


def download(request: Request, data: QueryResult | Iterable[Mapping[str, Any]], fmt: str, *,
             name: str, json_model: Any = None, columns: Sequence[str] | None = None,
             headers: Mapping[str, str] | None = None,
             params: Iterable[tuple[str, str]] | None = None) -> Response:
    """The response for a download of ``data`` (a query result or rows of dicts) in ``fmt``,
    named after ``name`` and ``params`` (default: the request's parameters), with the citation
    on the XLSX's second sheet. JSON is ``json_model`` (a page's model, its twin) or, for a
    query result, SPARQL 1.1 Query Results JSON."""
    if fmt not in FORMATS:
        raise HTTPException(400, f"{fmt!r} is not a download format; it accepts "
                                 + ", ".join(FORMATS))
    file = filename(name, request.query_params.multi_items() if params is None else params, fmt)
    extra = {**(headers or {}), **_disposition(file)}
    if fmt == "json":
        if json_model is None and isinstance(data, QueryResult):
            return Response(data.to_json(), media_type="application/sparql-results+json",
                            headers=extra)
        return JSONResponse(json_model if json_model is not None else list(data),
                            headers=extra)
    table = table_of(data, columns)
    if fmt == "csv":
        return Response(to_csv(table), media_type=FORMATS["csv"], headers=extra)
    about = citation(request)
    return Response(to_xlsx(table, sheet=name, about={
        "title": about["title"], "version": about["version"], "date": about["date"],
        "address": about["iri"], "licence": f"{about['licence']} ({about['licence_url']})",
        "cite as": about["text"]}), media_type=FORMATS["xlsx"], headers=extra)


def page_download(request: Request, template: str, model: Mapping[str, Any],
                  fmt: str) -> Response:
    """A page's model as a download (:func:`rows_of` finds its list); 404 for a page without
    one. ``fmt="json"`` gives the model itself, as the ``.json`` twin does."""
    name = page_path(request).strip("/").replace("/", "-") or template.removesuffix(".html")
    if fmt == "json":
        return download(request, [], fmt, name=name, json_model=model)
    rows = rows_of(model)
    if rows is None:
        raise HTTPException(404, f"{page_path(request)} shows no list to download; its JSON "
                                 "twin is at .json")
    return download(request, rows, fmt, name=name)


def entity_lists(model: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    """The lists of entities an entity page shows, by their key in the page model's section
    of its kind (a concept's ``demands``, an organisation's ``signed_demands``, a document's
    ``signatories`` …): those that are lists of dicts with an ``iri``, non-empty."""
    section = model.get(str(model.get("kind")))
    if not isinstance(section, Mapping):
        return {}
    return {key: value for key, value in section.items() if isinstance(value, list) and value
            and all(isinstance(v, Mapping) and "iri" in v for v in value)}


def entity_download(request: Request, model: Mapping[str, Any], fmt: str,
                    stem: str) -> Response:
    """One list of an entity's page as a download: ``?list=KEY`` (:func:`entity_lists`),
    by default its ``demands`` or else its first list; 400 naming the lists for another key,
    404 for a page without one. ``stem`` (``vocab/topic/death-penalty``) names the file."""
    found = entity_lists(model)
    chosen = request.query_params.get("list") or ("demands" if "demands" in found
                                                  else next(iter(found), ""))
    if not found:
        raise HTTPException(404, f"{model.get('label', stem)}'s page shows no list to download")
    if chosen not in found:
        raise HTTPException(400, f"list={chosen!r} is not a list of this page; it has "
                                 + ", ".join(found))
    name = stem.replace("/", "-") + "-" + chosen.replace("_", "-")
    return download(request, found[chosen], fmt, name=name, params=[],
                    json_model=found[chosen] if fmt == "json" else None)


def entity_links(request: Request, model: Mapping[str, Any]) -> list[dict[str, Any]]:
    """For the macro ``entity_downloads``: each list of an entity's page
    (:func:`entity_lists`) with its size and its CSV, XLSX and JSON addresses."""
    path = page_path(request).removesuffix(".html")
    return [{"name": key.replace("_", " "), "count": len(rows), "links": [
        {"format": fmt.upper(), "type": FORMATS[fmt].split(";")[0],
         "href": f"{path}.{fmt}?list={key}" if fmt in SUFFIXES
         else f"{path}.html?list={key}&format=json"} for fmt in (*SUFFIXES, "json")]}
        for key, rows in entity_lists(model).items()]


def links(request: Request, drop: Iterable[str] = ()) -> list[dict[str, str]]:
    """The download links of the page being shown, with its query string less ``drop``
    (``page`` and ``per_page`` for the whole of a paged list): CSV and XLSX by suffix, JSON by
    ``?format=json`` (the twin's model, of the whole list too), for the macro ``downloads``."""
    path = page_path(request)
    left_out = {"format", *drop}
    query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in request.query_params.multi_items()
                     if k not in left_out)
    found = [{"format": fmt.upper(), "href": f"{path}.{fmt}" + (f"?{query}" if query else ""),
              "type": FORMATS[fmt].split(";")[0]} for fmt in SUFFIXES]
    found.append({"format": "JSON", "href": f"{path}?{query + '&' if query else ''}format=json",
                  "type": FORMATS["json"]})
    return found


def _quote(text: str) -> str:
    return urllib.parse.quote(text, safe="")


# --------------------------------------------------------------------------- citation


def dataset_version(project: Any, store_path: Path) -> dict[str, str]:
    """The version and date of the served data: ``[release] version`` and ``date`` of
    hrgraph.toml when set; else ``build`` + the first 12 hex digits of a SHA-256 over the
    public input files' checksums in the store's build manifest (identical data, identical
    id; private files are left out, so a confidential contribution changes nothing here), and
    the day the store was built (UTC)."""
    conf = describe.settings(project)
    manifest_path = Path(stores.current_generation(store_path)) / stores.MANIFEST
    try:
        built = datetime.datetime.fromtimestamp(manifest_path.stat().st_mtime,
                                                datetime.timezone.utc).date().isoformat()
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        built, manifest = "", {}
    files = manifest.get("files", {}) if isinstance(manifest, dict) else {}
    public = sorted((path, info.get("sha256", "")) for path, info in files.items()
                    if isinstance(info, dict) and "/private/" not in str(info.get("graph", "")))
    build = hashlib.sha256(json.dumps(public).encode()).hexdigest()[:12]
    release = conf.get("version")
    if release:
        date = conf.get("date") or built
        return {"version": str(release), "kind": "release", "build": build,
                "date": date.isoformat() if isinstance(date, datetime.date) else str(date),
                "dataset": f"{str(conf['dataset_iri']).rstrip('/')}/{release}"}
    return {"version": f"build {build}", "kind": "build", "build": build, "date": built,
            "dataset": str(conf["dataset_iri"])}


def citation(request: Request, iri: str | None = None) -> dict[str, str]:
    """What the "cite this" block says about the page being shown: the dataset's title,
    version and date (:func:`dataset_version`, kept per store generation), ``iri`` (an
    entity's IRI; else the page's address on the configured public site, or on this server),
    the licence, and the citation as text, BibTeX and CSL-JSON."""
    state = request.app.state.web
    generation = state.store.generation()
    cache = state.citation_version  # read again only when a new store is swapped in
    if cache is None or cache[0] != generation:
        cache = state.citation_version = (
            generation, dataset_version(state.project, state.project.store_path))
    version = cache[1]
    conf = describe.settings(state.project)
    if iri is None:
        iri = _page_address(request, state.settings.public_base_url)
    authors = conf["authors"] if isinstance(conf["authors"], list) else [conf["authors"]]
    title = str(conf["title"])
    text = (f"{', '.join(str(a) for a in authors)} ({version['date'][:4] or 'n.d.'}). {title}, "
            f"version {version['version']} ({version['date'] or 'undated'}). {iri}. "
            f"Licence: {LICENCE[0]}.")
    key = "hrgraph" + re.sub(r"[^0-9A-Za-z]", "", version["version"])
    names = " and ".join("{" + str(a) + "}" for a in authors)  # braced: kept as one name
    bibtex = (f"@misc{{{key},\n  author = {{{names}}},\n"
              f"  title = {{{title}}},\n  version = {{{version['version']}}},\n"
              f"  year = {{{version['date'][:4]}}},\n  date = {{{version['date']}}},\n"
              f"  url = {{{iri}}},\n  note = {{Licence: {LICENCE[0]}}}\n}}")
    csl = {"type": "dataset", "title": title, "version": version["version"],
           "author": [{"literal": str(a)} for a in authors], "URL": iri,
           "issued": {"date-parts": [[int(p) for p in version["date"].split("-") if p.isdigit()]]}
           if version["date"] else None, "license": LICENCE[1]}
    return {"title": title, "version": version["version"], "date": version["date"],
            "dataset": version["dataset"], "iri": iri, "licence": LICENCE[0],
            "licence_url": LICENCE[1], "text": text, "bibtex": bibtex,
            "csl": json.dumps({k: v for k, v in csl.items() if v is not None},
                              ensure_ascii=False, indent=1)}


def _page_address(request: Request, public_base_url: str | None) -> str:
    """The page's address: on the public site when one is configured, else on this server at
    127.0.0.1 and the socket's port (never the request's Host header, which the client
    chooses)."""
    base = public_base_url
    if base is None:
        server = request.scope.get("server")
        port = server[1] if server and isinstance(server[1], int) else None
        base = f"http://127.0.0.1{f':{port}' if port and port != 80 else ''}/"
    path = page_path(request)
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    text = ("?" + "&".join(f"{_quote(k)}={_quote(v)}" for k, v in query)) if query else ""
    return base.rstrip("/") + path + text
