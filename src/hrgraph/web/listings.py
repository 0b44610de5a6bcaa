"""Models of the browsing pages: the demands list with filters and the dashboard (search is
:mod:`hrgraph.search`, the network :mod:`hrgraph.web.network`).

Each function returns plain data (dicts, lists, strings, numbers) that the HTML template renders
and that the page's ``.json`` twin returns as it is. Queries run through
:func:`hrgraph.query.run_saved` / :func:`hrgraph.query.run_query` on the app's read-only store.

One rule counts demands everywhere: the demands counted are the **leaf demands** (those with no
parts), each counted once per value it has; a topic counts the demands of its narrower topics too
(the reasoner's topic closure), a status is the demand's latest, "not assessed" when it has none.
The dashboard's bars are the facets of the unfiltered demands list (:func:`demands_list`), so a bar
and the list it links to agree by construction; the saved count queries (:data:`DASHBOARD`) state
the same rule in SPARQL, and a test holds them equal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hrgraph.errors import InputError
from hrgraph.query import run_query
from hrgraph.summaries import FACETS, NOT_ASSESSED
from hrgraph.web.entities import SKOS, View

#: The saved queries the dashboard draws, with the filter of /demands each bar links to.
DASHBOARD = [("count-demands-by-topic", "topic"), ("count-demands-by-status", "status"),
             ("count-demands-by-addressee", "addressee"), ("count-demands-by-year", "year")]

#: The filters of /demands, in the order the form shows them: the facets of the summary.
FILTERS = FACETS


def from_summary(view: View, row: Mapping[str, Any], labels: Mapping[str, str]
                 ) -> dict[str, Any]:
    """A row of the demand summary (:meth:`hrgraph.summaries.Summary.select`, with its labels)
    as the pages show a demand."""
    def link(iri: str) -> dict[str, Any]:
        return view.named_link(iri, labels.get(iri, iri))

    return {**view.named_link(row["iri"], row["label"]), "document": link(row["document"]),
            "year": row["year"], "status": row["status"],
            "topics": [{**link(t), "implied": implied} for t, implied in row["topics"]],
            "addressees": [link(a) for a in row["addressees"]]}


def all_demands(view: View) -> list[dict[str, Any]]:
    """Every public leaf demand (one with no parts) with its document, year, topics, addressees
    and latest status, by document name then IRI (from the store's demand summary,
    :mod:`hrgraph.summaries`). Topics are those the data states and the broader ones they imply
    (``"implied": true``)."""
    found = view.summary().select({})
    return [from_summary(view, row, found["labels"]) for row in found["rows"]]




def check_filters(view: View, chosen: Mapping[str, str]) -> None:
    """Refuse a filter value that names nothing the filter can match (an
    :class:`~hrgraph.errors.InputError`, 400 on the web), naming the values it accepts: a topic
    of the topic vocabulary (broader ones include their narrower), a status label or "not
    assessed", a year (four digits) or "unknown", an addressee or document of some demand."""
    for name, value in chosen.items():
        if name == "year":
            if re.fullmatch(r"\d{4}|unknown", value):
                continue
            allowed = view.summary().values("year")
        elif name == "topic":
            topics = _scheme_concepts(view, "topic")
            if value in topics:
                continue
            allowed = sorted(topics)
        elif name == "status":
            statuses = set(_scheme_labels(view, "status")) | {NOT_ASSESSED}
            if value in statuses:
                continue
            allowed = sorted(statuses)
        else:
            present = view.summary().values(name)
            if value in present:
                continue
            allowed = present
        raise InputError(f"{name}={value!r} is not a value of this filter; it accepts "
                         + ("a year (four digits) or " if name == "year" else "")
                         + ", ".join(allowed))


def _scheme_concepts(view: View, scheme: str) -> set[str]:
    found = run_query(view.project, f"""
PREFIX skos: <{SKOS}>
SELECT DISTINCT ?concept WHERE {{ ?concept skos:inScheme <{view.project.vocab_base}{scheme}> }}""",
                      store=view.store, limit=None)
    return {row["concept"].value for row in found.rows}


def _scheme_labels(view: View, scheme: str) -> list[str]:
    return [view.label(iri) for iri in _scheme_concepts(view, scheme)]


#: How many demands one page of /demands shows by default, and at most.
PER_PAGE, MAX_PER_PAGE = 100, 500


def page_bounds(count: int, page: str | int | None, per_page: str | int | None
                ) -> dict[str, int]:
    """The rows ``first:last`` of page ``page`` (from 1) of ``count`` rows, ``per_page`` a page
    (:data:`PER_PAGE` by default, at most :data:`MAX_PER_PAGE`); anything else is an
    :class:`~hrgraph.errors.InputError` naming what is allowed."""
    def number(value: str | int | None, default: int, name: str, top: int) -> int:
        if value in (None, ""):
            return default
        text = str(value)
        if not text.isdigit() or not 1 <= int(text) <= top:
            raise InputError(f"{name}={text!r} is not allowed: give a whole number from 1 to "
                             f"{top}")
        return int(text)

    size = number(per_page, PER_PAGE, "per_page", MAX_PER_PAGE)
    pages = max(1, -(-count // size))
    chosen = number(page, 1, "page", pages)
    return {"page": chosen, "per_page": size, "pages": pages, "first": (chosen - 1) * size,
            "last": min(count, chosen * size)}


def demands_list(view: View, filters: Mapping[str, str], page: str | int | None = None,
                 per_page: str | int | None = None, *, every: bool = True) -> dict[str, Any]:
    """The demands that pass every filter given, and for each filter the values left with their
    counts (among the demands shown). An unknown filter value is an
    :class:`~hrgraph.errors.InputError` naming the accepted ones (:func:`check_filters`). The
    page shows the rows ``first:last`` of ``page`` (:func:`page_bounds`): ``shown`` holds them.
    ``demands`` holds every matching demand (the JSON twin and the downloads give them all),
    left out with ``every=False`` (the HTML page: at a million triples, building every demand
    of the model costs more than the page).
    """
    chosen = {k: v for k, v in filters.items() if k in FILTERS and v}
    check_filters(view, chosen)
    summary = view.summary()
    count = summary.count(chosen)
    bounds = page_bounds(count, page, per_page)
    found = summary.select(chosen, **({} if every else {"first": bounds["first"],
                                                        "last": bounds["last"]}))
    labels = found["labels"]
    rows = [from_summary(view, row, labels) for row in found["rows"]]
    shown = rows[bounds["first"]:bounds["last"]] if every else rows
    facets: dict[str, list[dict[str, Any]]] = {}
    for name in FILTERS:
        facets[name] = [{"value": v, "label": labels.get(v, v), "count": c,
                         "selected": chosen.get(name) == v} for v, c in found["facets"][name]]
        if name in chosen and all(f["value"] != chosen[name] for f in facets[name]):
            facets[name].insert(0, {"value": chosen[name], "label": chosen[name], "count": 0,
                                    "selected": True})
    return {"filters": chosen, "total": found["total"], "count": count, "facets": facets,
            "shown": shown, **({"demands": rows} if every else {}), **bounds}


def dashboard(view: View) -> dict[str, Any]:
    """Bar charts of demands by topic, status, addressee and year: the facets of the unfiltered
    demands list, each bar linking to the list filtered by it (so it shows exactly its count),
    with the saved query that counts the same in SPARQL."""
    facets = demands_list(view, {}, every=False)["facets"]
    charts = []
    for name, filter_name in DASHBOARD:
        values = facets[filter_name]
        if filter_name == "year":
            values = sorted(values, key=lambda v: v["value"])
        top = max((v["count"] for v in values), default=0)
        bars = [{"label": v["label"], "value": v["count"], "filter": filter_name,
                 "filter_value": v["value"],
                 "width": round(100 * v["count"] / top, 1) if top else 0} for v in values]
        charts.append({"query": name, "filter": filter_name,
                       "title": name.removeprefix("count-").replace("-", " ").capitalize(),
                       "bars": bars})
    return {"charts": charts}
