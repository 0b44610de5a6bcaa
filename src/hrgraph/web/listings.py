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
from collections import Counter
from collections.abc import Mapping
from typing import Any

from hrgraph.errors import InputError
from hrgraph.query import run_query, run_saved
from hrgraph.web.entities import SKOS, View

#: The saved queries the dashboard draws, with the filter of /demands each bar links to.
DASHBOARD = [("count-demands-by-topic", "topic"), ("count-demands-by-status", "status"),
             ("count-demands-by-addressee", "addressee"), ("count-demands-by-year", "year")]

#: The filters of /demands, in the order the form shows them.
FILTERS = ("topic", "addressee", "status", "document", "year")


def _demand_query(view: View) -> str:
    return f"""
PREFIX hrg: <{view.hrg}>
PREFIX skos: <{SKOS}>
SELECT ?demand ?document ?year ?topic ?implied ?addressee WHERE {{
  ?demand a hrg:Demand ; hrg:madeIn ?document .
  FILTER NOT EXISTS {{ ?part hrg:partOf ?demand ; a hrg:Demand }}
  OPTIONAL {{ ?document hrg:earliestDate ?start BIND (YEAR(?start) AS ?year) }}
  OPTIONAL {{ ?demand hrg:topic ?topic
             BIND (EXISTS {{ GRAPH <{view.project.inferred_graph}> {{ ?demand hrg:topic ?topic }} }}
                   AS ?implied) }}
  OPTIONAL {{ ?demand hrg:addressee ?addressee }}
}}"""


def all_demands(view: View) -> list[dict[str, Any]]:
    """Every public leaf demand (one with no parts) with its document, year, topics, addressees
    and latest status. Topics are those the data states and the broader ones they imply
    (``"implied": true``)."""
    result = run_query(view.project, _demand_query(view), store=view.store, limit=None)
    status = {}
    latest = run_saved(view.project, view.saved("latest-status"), {}, store=view.store,
                       limit=None)
    for row in latest.rows:
        status[row["demand"].value] = row["status"].value
    demands: dict[str, dict[str, Any]] = {}
    for row in result.rows:  # public demands only: run_query reads no private graph
        iri = row["demand"].value
        item = demands.get(iri)
        if item is None:
            item = demands[iri] = {**view.link(row["demand"]), "document": view.link(
                row["document"]), "year": row["year"].value if row["year"] else None,
                "topics": [], "addressees": [], "status": status.get(iri)}
        for key, column in (("topics", "topic"), ("addressees", "addressee")):
            term = row[column]
            if term is not None and all(x["iri"] != term.value for x in item[key]):
                item[key].append(view.link(term))
                if key == "topics":
                    item[key][-1]["implied"] = row["implied"].value == "true"
    return sorted(demands.values(), key=lambda d: (d["document"]["label"], d["iri"]))


def _matches(demand: Mapping[str, Any], name: str, value: str) -> bool:
    if name == "topic":
        return any(t["iri"] == value for t in demand["topics"])
    if name == "addressee":
        return any(a["iri"] == value for a in demand["addressees"])
    if name == "document":
        return demand["document"]["iri"] == value
    if name == "status":
        return (demand["status"] or NOT_ASSESSED) == value
    if name == "year":
        return (demand["year"] or "unknown") == value
    return False


#: The statuses a demand can have in the lists: the status vocabulary's labels, and this.
NOT_ASSESSED = "not assessed"


def check_filters(view: View, everything: list[dict[str, Any]],
                  chosen: Mapping[str, str]) -> None:
    """Refuse a filter value that names nothing the filter can match (an
    :class:`~hrgraph.errors.InputError`, 400 on the web), naming the values it accepts: a topic
    of the topic vocabulary (broader ones include their narrower), a status label or "not
    assessed", a year (four digits) or "unknown", an addressee or document of some demand."""
    for name, value in chosen.items():
        if name == "year":
            if re.fullmatch(r"\d{4}|unknown", value):
                continue
            allowed = sorted({v for d in everything for v, _ in _values(d, "year")})
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
            present = {v for d in everything for v, _ in _values(d, name)}
            if value in present:
                continue
            allowed = sorted(present)
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
                 per_page: str | int | None = None) -> dict[str, Any]:
    """The demands that pass every filter given, and for each filter the values left with their
    counts (among the demands shown). An unknown filter value is an
    :class:`~hrgraph.errors.InputError` naming the accepted ones (:func:`check_filters`). The
    model holds every matching demand (the JSON twin and the downloads give them all); the
    page shows the rows ``first:last`` of ``page`` (:func:`page_bounds`)."""
    chosen = {k: v for k, v in filters.items() if k in FILTERS and v}
    everything = all_demands(view)
    check_filters(view, everything, chosen)
    shown = [d for d in everything if all(_matches(d, k, v) for k, v in chosen.items())]
    facets: dict[str, list[dict[str, Any]]] = {}
    for name in FILTERS:
        counts: Counter = Counter()
        labels: dict[str, str] = {}
        for demand in shown:
            for value, label in _values(demand, name):
                counts[value] += 1
                labels[value] = label
        facets[name] = [{"value": v, "label": labels[v], "count": c,
                         "selected": chosen.get(name) == v}
                        for v, c in sorted(counts.items(), key=lambda x: (-x[1], labels[x[0]]))]
        if name in chosen and chosen[name] not in counts:
            facets[name].insert(0, {"value": chosen[name], "label": chosen[name], "count": 0,
                                    "selected": True})
    return {"filters": chosen, "total": len(everything), "count": len(shown), "facets": facets,
            "demands": shown, **page_bounds(len(shown), page, per_page)}


def _values(demand: Mapping[str, Any], name: str) -> list[tuple[str, str]]:
    if name == "topic":
        return [(t["iri"], t["label"]) for t in demand["topics"]]
    if name == "addressee":
        return [(a["iri"], a["label"]) for a in demand["addressees"]]
    if name == "document":
        return [(demand["document"]["iri"], demand["document"]["label"])]
    if name == "status":
        status = demand["status"] or NOT_ASSESSED
        return [(status, status)]
    if name == "year":
        year = demand["year"] or "unknown"
        return [(year, year)]
    return []


def dashboard(view: View) -> dict[str, Any]:
    """Bar charts of demands by topic, status, addressee and year: the facets of the unfiltered
    demands list, each bar linking to the list filtered by it (so it shows exactly its count),
    with the saved query that counts the same in SPARQL."""
    facets = demands_list(view, {})["facets"]
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
