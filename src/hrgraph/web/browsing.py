"""Models of the browsing lists (``/documents``, ``/people``, ``/organisations``,
``/mechanisms``, ``/topics``), of the home page, and of a document's structure.

Each list is one SPARQL query over the public graphs (:func:`hrgraph.query.run_query` on the
view's store): one grouped subquery per column, joined on the entity, sorted and cut to the page
in the query itself (``ORDER BY`` … ``LIMIT`` … ``OFFSET``), so a page costs the same whether the
list has ten entries or a hundred thousand. Only the rows of the page are then named in Python
(:meth:`View.link`, bounded by :data:`MAX_PER_PAGE`).

Demands are counted by the rule of the demands list (:mod:`hrgraph.web.listings`): the **leaf
demands** (those with no part that is a demand), each once; a topic counts those of its narrower
topics too (the reasoner's closure of ``hrg:topic``). So a document's count is the length of
``/demands?document=…``, an addressee's of ``/demands?addressee=…`` and a topic's of
``/demands?topic=…`` (a test holds them equal).
"""

from __future__ import annotations

import math
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from hrgraph.errors import UsageError
from hrgraph.query import run_query
from hrgraph.web.entities import DCTERMS, FOAF, ORG, RDFS, SKOS, View

#: Rows of a page unless ``per_page`` says otherwise, and the most it may say.
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200

#: A leaf demand bound to ``?{var}``: the rule of the demands list (listings._demand_query and
#: the saved count-demands-by-* queries).
LEAF = ("?{var} a hrg:Demand . "
        "FILTER NOT EXISTS {{ ?part_of_{var} hrg:partOf ?{var} ; a hrg:Demand }}")


#: Between the values GROUP_CONCAT joins (a symbol no name uses; SPARQL's guard refuses
#: escapes of control characters).
SEPARATOR = "\u241e"


def leaf(var: str) -> str:
    """The leaf-demand pattern for the variable ``var``."""
    return LEAF.format(var=var)


# --------------------------------------------------------------------------- list definitions


@dataclass(frozen=True)
class Column:
    """A column of a list: a value per entity, computed in SPARQL.

    ``pattern`` binds ``?value`` for ``?item`` (inside an ``OPTIONAL``, so an entity without any
    gets 0 or nothing); ``aggregate`` is ``count`` (distinct values), ``min`` (the least, for
    dates), or ``kinds`` (the labels of its most specific classes under ``pattern``'s class).
    ``filter`` names the filter of ``/demands`` a count links to (the list of exactly its count).
    """

    name: str
    title: str
    pattern: str = ""
    aggregate: str = "count"
    filter: str | None = None
    description: str = ""

    @property
    def numeric(self) -> bool:
        """Whether the column holds counts (sorted largest first when first chosen)."""
        return self.aggregate == "count"


@dataclass(frozen=True)
class Listing:
    """One of the browsing lists: which entities (``selector`` binds ``?item``), its columns
    and its default order."""

    name: str
    title: str
    selector: str
    columns: tuple[Column, ...]
    default_sort: str
    description: str = ""
    #: Extra facts shown per row, read in Python for the rows of the page only.
    extras: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column | None:
        """The column called ``name``."""
        return next((c for c in self.columns if c.name == name), None)


LABEL = Column("label", "Name", aggregate="label")


def _kind(base: str) -> Column:
    # The classes of the entity under ``base``, most specific only (a State is not also shown
    # as a state authority).
    return Column("kind", "Kind", aggregate="kinds", pattern=f"""
      ?item a ?kind_class . ?kind_class rdfs:subClassOf+ {base} .
      FILTER NOT EXISTS {{ ?item a ?narrower_class . ?narrower_class rdfs:subClassOf+ ?kind_class
                           FILTER (?narrower_class != ?kind_class) }}
      ?kind_class rdfs:label|skos:prefLabel ?value FILTER (langMatches(lang(?value), "en"))""")


#: Demands that name an agent: about it (hrg:concerns and its sub-properties), addressed to
#: it, or asking it to act. (A VALUES block, not the path concerns|addressee|…: Oxigraph runs
#: the path ten times slower here.)
NAMING = ("VALUES ?naming { hrg:concerns hrg:addressee hrg:actorAskedToAct } "
          "?value ?naming ?item . ")
#: Documents that mention an agent, or make a demand about it (the rule of its page).
MENTIONING = """{ ?value hrg:mentions ?item } UNION
      { ?about hrg:concerns ?item ; a hrg:Demand ; hrg:madeIn ?value }"""

LISTINGS: dict[str, Listing] = {
    "documents": Listing(
        "documents", "Documents", "?item a hrg:Document .",
        (LABEL, Column("date", "Date", "?item hrg:earliestDate ?value", "min"),
         _kind("hrg:Document"),
         Column("signatories", "Signatories", "?item hrg:signatory ?value"),
         Column("demands", "Demands", f"?value hrg:madeIn ?item . {leaf('value')}",
                filter="document")),
        "-date", "Statements, letters and articles, with the demands they make.",
        extras=("date_as_given",)),
    "people": Listing(
        "people", "People", "?item a foaf:Person .",
        (LABEL, Column("demands", "Demands naming them", NAMING + leaf("value")),
         Column("documents", "Documents mentioning them", MENTIONING),
         Column("signed", "Documents signed", "?value hrg:signatory ?item")),
        "label", "People named in demands or documents."),
    "organisations": Listing(
        "organisations", "Organisations", "?item a org:Organization .",
        (LABEL, _kind("org:Organization"),
         Column("demands", "Demands naming them", NAMING + leaf("value")),
         Column("addressed", "Demands addressed to them",
                f"?value hrg:addressee ?item . {leaf('value')}", filter="addressee"),
         Column("signed", "Documents signed", "?value hrg:signatory ?item"),
         Column("documents", "Documents mentioning them", MENTIONING)),
        "-demands", "Organisations, states and international bodies."),
    "mechanisms": Listing(
        "mechanisms", "Mechanisms", "?item a hrg:InternationalMechanism .",
        (LABEL, _kind("hrg:InternationalMechanism"),
         Column("established", "Established", "?item hrg:establishedOn ?value", "min"),
         Column("demands", "Demands about them",
                f"?value hrg:concernsMechanism ?item . {leaf('value')}"),
         Column("documents", "Documents mentioning them", "?value hrg:mentions ?item")),
        "label", "International mechanisms: mandates, dialogues, policy instruments.",
        extras=("operated_by",)),
    "topics": Listing(
        "topics", "Topics", "?item skos:inScheme <{vocab}topic> .",
        (LABEL, Column("demands", "Demands (narrower topics included)",
                       f"?value hrg:topic ?item . {leaf('value')}", filter="topic"),
         Column("stated", "Demands stating it",
                "GRAPH ?stated_in { ?value hrg:topic ?item } "
                "FILTER (?stated_in != <{inferred}>) " + leaf("value"))),
        "label", "The topics of the demands; a topic counts the demands of its narrower "
                 "topics too.",
        extras=("broader",)),
}


def _prefixes(view: View) -> str:
    return f"""PREFIX hrg: <{view.hrg}>
PREFIX skos: <{SKOS}>
PREFIX rdfs: <{RDFS}>
PREFIX foaf: <{FOAF}>
PREFIX org: <{ORG}>
PREFIX dcterms: <{DCTERMS}>
"""


def _fill(view: View, text: str) -> str:
    # Only the project's own bases are put into query text: never a visitor's value.
    return text.replace("{vocab}", view.project.vocab_base).replace(
        "{inferred}", view.project.inferred_graph)


def _label_subquery(selector: str) -> str:
    # The name a page shows (View.label): an English preferred label, else any, else rdfs:label,
    # title or foaf:name; ranked in one pass (a UNION, not one OPTIONAL per property, whose
    # product grows with the square of the names).
    # The rank (one digit) picks the name; the name alone, lower-cased, is the sort key.
    return f"""{{ SELECT ?item (SUBSTR(MIN(?ranked), 2) AS ?label_key) WHERE {{
      {selector}
      OPTIONAL {{
        {{ ?item skos:prefLabel ?name FILTER (langMatches(lang(?name), "en")) BIND (1 AS ?rank) }}
        UNION {{ ?item skos:prefLabel ?name BIND (2 AS ?rank) }}
        UNION {{ ?item rdfs:label ?name BIND (3 AS ?rank) }}
        UNION {{ ?item dcterms:title ?name BIND (4 AS ?rank) }}
        UNION {{ ?item foaf:name ?name BIND (5 AS ?rank) }}
      }}
      BIND (CONCAT(STR(COALESCE(?rank, 9)), LCASE(STR(COALESCE(?name, STR(?item))))) AS ?ranked)
    }} GROUP BY ?item }}"""


def _column_subquery(selector: str, column: Column) -> str:
    if column.aggregate == "count":
        aggregate = f"(COUNT(DISTINCT ?value) AS ?{column.name})"
    elif column.aggregate == "min":
        aggregate = f"(MIN(?value) AS ?{column.name})"
    else:  # kinds: the least for sorting, all of them for showing
        aggregate = (f"(MIN(LCASE(STR(?value))) AS ?{column.name}) "
                     f"(GROUP_CONCAT(DISTINCT STR(?value); separator=\"{SEPARATOR}\") "
                     f"AS ?{column.name}_all)")
    return f"""{{ SELECT ?item {aggregate} WHERE {{
      {selector}
      OPTIONAL {{ {column.pattern} }}
    }} GROUP BY ?item }}"""


def list_query(view: View, listing: Listing, sort: str, limit: int, offset: int) -> str:
    """The SPARQL query of one page of ``listing``, sorted by ``sort`` (a column name, ``-``
    first for descending, already checked), then by name and IRI so that pages never overlap."""
    selector = _fill(view, listing.selector)
    parts = [_label_subquery(selector)]
    parts += [_column_subquery(selector, _fill_column(view, c)) for c in listing.columns
              if c.name != "label"]
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    key = "?label_key" if name == "label" else f"?{name}"
    direction = "DESC" if descending else "ASC"
    # Entities without the value come last whichever the direction.
    order = f"(!BOUND({key})) {direction}({key})" if name != "label" else f"{direction}({key})"
    return _prefixes(view) + f"""SELECT * WHERE {{
  {chr(10).join(parts)}
}}
ORDER BY {order} ?label_key ?item
LIMIT {int(limit)} OFFSET {int(offset)}"""


def _fill_column(view: View, column: Column) -> Column:
    return Column(column.name, column.title, _fill(view, column.pattern), column.aggregate,
                  column.filter)


def list_total(view: View, listing: Listing) -> int:
    """How many entities ``listing`` has."""
    result = run_query(view.project, _prefixes(view) + f"""
SELECT (COUNT(DISTINCT ?item) AS ?n) WHERE {{ {_fill(view, listing.selector)} }}""",
                       store=view.store, limit=None)
    return int(result.rows[0]["n"].value)


# --------------------------------------------------------------------------- paging, sorting


def _whole(name: str, value: str, low: int, high: int | None = None) -> int:
    text = value.strip()
    if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
        bound = f"from {low} to {high}" if high is not None else f"from {low}"
        raise UsageError(f"{name} must be a whole number {bound}, not {value!r}")
    return int(text)


def parse_paging(listing: Listing, params: Mapping[str, str]) -> tuple[str, int, int]:
    """``sort``, ``page`` and ``per_page`` of a list request, checked: a sort that is not a
    column (``-`` first for descending), a page below 1, or a page size outside 1 to
    :data:`MAX_PER_PAGE` is a :class:`~hrgraph.errors.UsageError` (400) naming what is allowed.
    """
    sort = params.get("sort") or listing.default_sort
    if listing.column(sort.removeprefix("-")) is None:
        allowed = ", ".join(c.name for c in listing.columns)
        raise UsageError(f"sort={sort!r} is not a column of this list; sort by one of "
                         f"{allowed} (with - first for descending, as -{listing.columns[-1].name})")
    page = _whole("page", params.get("page") or "1", 1)
    per_page = _whole("per_page", params.get("per_page") or str(DEFAULT_PER_PAGE), 1,
                      MAX_PER_PAGE)
    return sort, page, per_page


def _href(listing: Listing, sort: str, page: int, per_page: int) -> str:
    query: dict[str, Any] = {}
    if sort != listing.default_sort:
        query["sort"] = sort
    if page != 1:
        query["page"] = page
    if per_page != DEFAULT_PER_PAGE:
        query["per_page"] = per_page
    return f"/{listing.name}" + ("?" + urllib.parse.urlencode(query) if query else "")


def browse_list(view: View, name: str, params: Mapping[str, str]) -> dict[str, Any]:
    """The model of one page of the list ``name`` (a key of :data:`LISTINGS`): its columns (each
    with the address that sorts by it), the rows of the page with their counts, the total and
    the addresses of the previous and next pages.

    Raises:
        UsageError: a bad ``sort``, ``page`` or ``per_page`` (:func:`parse_paging`), or a page
            past the last one.
    """
    listing = LISTINGS[name]
    sort, page, per_page = parse_paging(listing, params)
    total = list_total(view, listing)
    pages = max(1, math.ceil(total / per_page))
    if page > pages:
        raise UsageError(f"page {page} is past the last page of this list ({pages}, at "
                         f"{per_page} a page)")
    result = run_query(view.project, list_query(view, listing, sort, per_page,
                                                (page - 1) * per_page),
                       store=view.store, limit=None)
    rows = [_row(view, listing, row) for row in result.rows]
    columns = []
    for column in listing.columns:
        current = sort.removeprefix("-") == column.name
        if current:  # the heading's link turns the order round
            target = column.name if sort.startswith("-") else "-" + column.name
        else:
            target = ("-" if column.numeric else "") + column.name
        columns.append({"name": column.name, "title": column.title, "numeric": column.numeric,
                        "filter": column.filter,
                        "sorted": ("descending" if sort.startswith("-") else "ascending")
                        if current else None,
                        "sort_href": _href(listing, target, 1, per_page)})
    return {"name": name, "title": listing.title, "description": listing.description,
            "columns": columns, "rows": rows, "total": total, "sort": sort, "page": page,
            "per_page": per_page, "pages": pages, "first": (page - 1) * per_page + 1 if rows
            else 0, "last": (page - 1) * per_page + len(rows),
            "previous": _href(listing, sort, page - 1, per_page) if page > 1 else None,
            "next": _href(listing, sort, page + 1, per_page) if page < pages else None,
            "sorts": [c.name for c in listing.columns]}


def _row(view: View, listing: Listing, row: Mapping[str, Any]) -> dict[str, Any]:
    iri = row["item"].value
    item: dict[str, Any] = view.link(row["item"])
    for column in listing.columns:
        if column.name == "label":
            continue
        term = row.get(column.name)
        if column.aggregate == "count":
            item[column.name] = int(term.value) if term is not None else 0
            if column.filter:  # the demands list refuses a value no demand has: no link
                item[column.name + "_href"] = "/demands?" + urllib.parse.urlencode(
                    {column.filter: iri}) if item[column.name] else None
        elif column.aggregate == "kinds":
            every = row.get(column.name + "_all")
            item[column.name] = sorted(every.value.split(SEPARATOR)) if every is not None \
                and every.value else []
        else:
            item[column.name] = term.value if term is not None else None
    for extra in listing.extras:
        if extra == "date_as_given":  # as the document gives it ("2016-02"), not the day
            item["date_as_given"] = view.value(iri, DCTERMS + "date")
        elif extra == "operated_by":
            item["operated_by"] = view.links(view.objects(iri, view.hrg + "operatedBy"))
        elif extra == "broader":
            item["broader"] = view.links(t for t in view.objects(iri, SKOS + "broader")
                                         if isinstance(t, ox.NamedNode))
    return item


# --------------------------------------------------------------------------- the home page

#: How many of the newest contributions the home page shows.
LATEST_CONTRIBUTIONS = 5

PROV = "http://www.w3.org/ns/prov#"


def _count(view: View, pattern: str) -> int:
    result = run_query(view.project, _prefixes(view) + f"""
SELECT (COUNT(DISTINCT ?item) AS ?n) WHERE {{ {pattern} }}""", store=view.store, limit=None)
    return int(result.rows[0]["n"].value)


def latest_contributions(view: View, limit: int = LATEST_CONTRIBUTIONS) -> list[dict[str, Any]]:
    """The newest merged contributions (public ones: run_query reads no private graph), newest
    first: when each was merged, its message, the documents it describes and its leaf demands.
    Read from each contribution's PROV-O record in the store (``prov:generatedAtTime`` of its
    graph, as ``hrgraph contributions`` reads it from the file)."""
    base = view.project.graph_base + "data/contributions/"
    found = run_query(view.project, _prefixes(view) + f"""PREFIX prov: <{PROV}>
SELECT ?graph ?created (SAMPLE(?message) AS ?description)
       (COUNT(DISTINCT ?item) AS ?demands) WHERE {{
  ?graph prov:generatedAtTime ?created .
  FILTER (STRSTARTS(STR(?graph), "{base}"))
  OPTIONAL {{ ?graph dcterms:description ?message }}
  OPTIONAL {{ GRAPH ?graph {{ ?item a ?any_class }} {leaf("item")} }}
}} GROUP BY ?graph ?created ORDER BY DESC(?created) ?graph LIMIT {int(limit)}""",
                      store=view.store, limit=None)
    documents_query = _prefixes(view) + """SELECT DISTINCT ?document WHERE {
  GRAPH ?graph { ?document a ?any_class } ?document a hrg:Document }"""
    latest = []
    for row in found.rows:
        graph = row["graph"]
        documents = run_query(view.project, documents_query, {"graph": graph},
                              store=view.store, limit=None)
        latest.append({"id": graph.value[len(base):], "graph": graph.value,
                       "created": row["created"].value,
                       "description": row["description"].value if row["description"] else None,
                       "demands": int(row["demands"].value),
                       "documents": view.links(r["document"] for r in documents.rows)})
    return latest


def _schemes(view: View) -> list[dict[str, Any]]:
    result = run_query(view.project, _prefixes(view) + """
SELECT ?scheme (COUNT(DISTINCT ?concept) AS ?concepts) WHERE {
  ?scheme a skos:ConceptScheme . OPTIONAL { ?concept skos:inScheme ?scheme }
} GROUP BY ?scheme""", store=view.store, limit=None)
    schemes = [{**view.link(r["scheme"]), "concepts": int(r["concepts"].value)}
               for r in result.rows]
    return sorted(schemes, key=lambda s: s["label"].lower())


def home(view: View, saved_queries: int) -> dict[str, Any]:
    """The home page: how many documents, demands (leaf demands, as the demands list counts
    them), people, organisations, mechanisms and assessments the public graph holds (each list's
    count is its total), the newest contributions, and the vocabularies."""
    counts = {name: list_total(view, LISTINGS[name])
              for name in ("documents", "people", "organisations", "mechanisms")}
    counts["demands"] = _count(view, "?item hrg:madeIn ?document . " + leaf("item"))
    counts["assessments"] = _count(view, "?item a hrg:Assessment .")
    counts["topics"] = list_total(view, LISTINGS["topics"])
    return {"counts": counts, "queries": saved_queries, "latest": latest_contributions(view),
            "schemes": _schemes(view)}
