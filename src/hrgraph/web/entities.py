"""What the linked-data pages show about one entity, read from the store.

:func:`describe` gives the triples of an entity's RDF representation; :func:`entity_page` the
model of its HTML page (and of the ``.json`` twin): names with their languages, every statement,
and, for a demand, its quote highlighted in the source text, who made it, to whom, who is to act,
about whom, its status history and related demands; for a person or organisation, its roles and
the demands and documents that concern it.

Private graphs (under ``<graph base>private/``) are never read: ``build`` and ``add`` keep every
triple of or about a confidential resource there (:func:`hrgraph.privacy.split`), so that one
exclusion by graph name hides them. It is needed here because the pages read the store directly
(``quads_for_pattern``), not through :func:`hrgraph.query.run_query`, which leaves them out by
itself.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from hrgraph.labels import preferred_label
from hrgraph.project import Project
from hrgraph.query import SavedQuery, find_query, prefixes, run_query, run_saved, shorten
from hrgraph.sources import read_source_text
from hrgraph.summaries import Summary, build_summary, open_summary, summary_path

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
OA = "http://www.w3.org/ns/oa#"
SCHEMA = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Characters of source text shown on each side of a quote, at most.
CONTEXT_CHARS = 500

#: Target properties of a demand and how the page names them.
TARGETS = [("concernsPerson", "person"), ("concernsOrganisation", "organisation"),
           ("concernsGroup", "group"), ("concernsLegalProvision", "legal provision"),
           ("concernsMechanism", "mechanism"), ("concernsPlace", "place")]


def N(iri: str) -> ox.NamedNode:
    """A named node."""
    return ox.NamedNode(iri)


def safe_href(iri: str) -> str | None:
    """``iri`` if a browser may follow it as a link (http or https), else ``None``: an IRI such
    as ``javascript:…`` is shown as text, never as a link."""
    return iri if iri.lower().startswith(("https://", "http://")) else None


@dataclass
class View:
    """The store as the public sees it: quads of private graphs left out."""

    store: ox.Store
    project: Project
    #: Saved queries by name, if the caller has them read already (else read when needed).
    queries: Mapping[str, SavedQuery] | None = None
    #: The store generation's directory, where its side files are (None: a store of no
    #: generation).
    directory: Path | None = None
    _own_summary: tempfile.TemporaryDirectory | None = field(default=None, init=False,
                                                              repr=False)

    def saved(self, name: str) -> SavedQuery:
        """A saved query by name."""
        if self.queries is not None and name in self.queries:
            return self.queries[name]
        return find_query(self.project, name)

    def __post_init__(self) -> None:
        self.private_base = self.project.private_base
        self.prefixes = prefixes(self.project)
        self.hrg = self.project.ontology_ns

    def visible(self, quad: ox.Quad) -> bool:
        """Whether a quad is public: not in a private graph."""
        graph = quad.graph_name
        return not (isinstance(graph, ox.NamedNode) and graph.value.startswith(self.private_base))

    def triples(self, s: Any = None, p: Any = None, o: Any = None) -> list[ox.Triple]:
        """Public triples matching a pattern, each once (a triple may be in several graphs)."""
        seen: dict[ox.Triple, None] = {}
        for quad in self.store.quads_for_pattern(s, p, o):
            if self.visible(quad):
                seen.setdefault(quad.triple, None)
        return list(seen)

    def objects(self, s: str, p: str) -> list[Any]:
        """Objects of ``s p ?o``."""
        return [t.object for t in self.triples(N(s), N(p), None)]

    def subjects(self, p: str, o: str) -> list[str]:
        """IRIs of subjects of ``?s p o``, sorted."""
        return sorted({t.subject.value for t in self.triples(None, N(p), N(o))
                       if isinstance(t.subject, ox.NamedNode)})

    def value(self, s: str, p: str) -> str | None:
        """One literal or IRI value of ``s p ?o`` (English literal preferred)."""
        values = self.objects(s, p)
        for v in values:
            if isinstance(v, ox.Literal) and v.language and v.language.startswith("en"):
                return v.value
        return values[0].value if values else None

    def exists(self, iri: str) -> bool:
        """Whether the public graph says anything about ``iri``."""
        return bool(self.triples(N(iri), None, None))

    def label(self, iri: str) -> str:
        """A name for people: English preferred label, else any, else title or rdfs:label, else
        the IRI shortened."""
        return preferred_label(self.store, iri, self.visible) or shorten(iri, self.prefixes)

    def local_href(self, iri: str) -> str | None:
        """The site's own address for an IRI of the project (``/id/…``, ``/vocab/…``,
        ``/ontology#term``), or ``None``: the pages' links stay on the site."""
        project = self.project
        for base, path in ((project.id_base, "/id/"), (project.vocab_base, "/vocab/")):
            if iri.startswith(base) and len(iri) > len(base):
                return path + iri[len(base):]
        namespace = project.ontology_ns
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return "/ontology#" + iri[len(namespace):]
        if iri == namespace.rstrip("#/"):
            return "/ontology"
        return None

    def link(self, term: Any) -> dict[str, Any]:
        """A term as the pages show it: IRIs as ``{iri, label, href}``, literals as
        ``{text, lang, datatype}``."""
        if isinstance(term, ox.NamedNode):
            return self.named_link(term.value, self.label(term.value))
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value
            return {"text": term.value, "lang": term.language or None,
                    "datatype": None if term.language or datatype == XSD + "string"
                    else shorten(datatype, self.prefixes)}
        return {"text": str(term), "lang": None, "datatype": None}

    def named_link(self, iri: str, label: str) -> dict[str, Any]:
        """An IRI as the pages show it, with the name already known (see :meth:`link`)."""
        href = self.local_href(iri)
        return {"iri": iri, "label": label, "href": href or safe_href(iri),
                "local": href is not None}

    def summary(self) -> Summary:
        """The demand summary of this store (:mod:`hrgraph.summaries`): the one beside its
        store generation when :attr:`directory` names it, else one made for this view (a store
        of no generation: a copy, a test)."""
        if self.directory is not None:
            return open_summary(self.project, self.directory, self.store)
        if self._own_summary is None:
            self._own_summary = tempfile.TemporaryDirectory(prefix="hrgraph-summary-")
            build_summary(self.project, self.store, self._own_summary.name)
        return Summary(summary_path(self._own_summary.name))

    def links(self, terms: Iterable[Any]) -> list[dict[str, Any]]:
        """Several terms as links, sorted by label."""
        found = [self.link(t if not isinstance(t, str) else N(t)) for t in terms]
        return sorted(found, key=lambda x: (x.get("label") or x.get("text") or "").lower())


# --------------------------------------------------------------------------- RDF description


def describe(view: View, iri: str) -> list[ox.Triple]:
    """The triples of ``iri``'s RDF representation: what it says, and its quote (the
    ``oa:SpecificResource`` and its selectors, which have no page of their own)."""
    triples = view.triples(N(iri), None, None)
    hrg = view.hrg
    pending = [t.object for t in triples if t.predicate.value == hrg + "quotedFrom"]
    seen: set[Any] = set()
    while pending:
        node = pending.pop()
        if node in seen or not isinstance(node, (ox.NamedNode, ox.BlankNode)):
            continue
        seen.add(node)
        more = view.triples(node, None, None)
        triples += more
        pending += [t.object for t in more
                    if t.predicate.value in {OA + "hasSelector", OA + "refinedBy"}]
    return triples


# --------------------------------------------------------------------------- page models


def names(view: View, iri: str) -> list[dict[str, Any]]:
    """Every name of ``iri`` with its language: preferred names first, then other spellings."""
    found = []
    for prop, kind in ((SKOS + "prefLabel", "preferred"), (SKOS + "altLabel", "alternative"),
                       (FOAF + "name", "alternative"), (RDFS + "label", "alternative")):
        for term in view.objects(iri, prop):
            if isinstance(term, ox.Literal):
                found.append({"text": term.value, "lang": term.language or None, "kind": kind})
    unique: dict[tuple, dict[str, Any]] = {}
    for name in found:
        unique.setdefault((name["text"], name["lang"]), name)
    return sorted(unique.values(), key=lambda n: (n["kind"] != "preferred", n["lang"] != "en",
                                                  n["lang"] or "", n["text"]))


def entity_page(view: View, iri: str) -> dict[str, Any] | None:
    """The model of the page about ``iri``, or ``None`` when the public graph has nothing on it."""
    triples = view.triples(N(iri), None, None)
    if not triples:
        return None
    hrg = view.hrg
    types = {t.object.value for t in triples
             if t.predicate.value == RDF + "type" and isinstance(t.object, ox.NamedNode)}
    statements: dict[str, list[Any]] = {}
    for t in triples:
        statements.setdefault(t.predicate.value, []).append(t.object)
    implied = inferred_only(view, iri)
    me = view.link(N(iri))
    model: dict[str, Any] = {
        "iri": iri,
        "label": me["label"],
        "href": me["href"],
        "types": view.links(N(t) for t in sorted(types)),
        "names": names(view, iri),
        "definition": view.value(iri, SKOS + "definition"),
        "statements": [{"property": view.link(N(p)), "objects": view.links(values),
                        "inferred": all((p, v) in implied for v in values)}
                       for p, values in sorted(statements.items())],
        "identifiers": identifiers(view, iri),
        "sources": sources(view, iri),
        "kind": "other",
    }
    if hrg + "Demand" in types:
        model["kind"] = "demand"
        model["demand"] = demand_section(view, iri)
    elif types & {FOAF + "Agent", FOAF + "Person", ORG + "Organization", hrg + "Collective"}:
        model["kind"] = "agent"
        model["agent"] = agent_section(view, iri)
    elif hrg + "InternationalMechanism" in types:
        model["kind"] = "mechanism"
        model["mechanism"] = mechanism_section(view, iri)
    elif hrg + "Document" in types:
        model["kind"] = "document"
        model["document"] = document_section(view, iri)
    return model


def stated_and_implied(view: View, iri: str, prop: str, key: str) -> dict[str, list]:
    """The values of a property closed under skos:broader (``hrg:topic``): those the data
    states (``key``) and those only the inferred graph holds (``implied_<key>``), apart."""
    inferred = N(view.project.inferred_graph)
    stated, implied = [], []
    for value in view.objects(iri, view.hrg + prop):
        graphs = {q.graph_name for q in view.store.quads_for_pattern(N(iri), N(view.hrg + prop),
                                                                     value) if view.visible(q)}
        (implied if graphs == {inferred} else stated).append(value)
    return {key: view.links(stated), "implied_" + key: view.links(implied)}


def demand_section(view: View, iri: str) -> dict[str, Any]:
    """A demand: its quote in context, who made it, to whom, who is to act, about whom, its
    status history and related demands."""
    hrg = view.hrg
    documents = view.objects(iri, hrg + "madeIn")
    signatories = [s for d in documents for s in view.objects(d.value, hrg + "signatory")]
    targets = []
    for prop, kind in TARGETS:
        targets += [{**view.link(t), "kind": kind} for t in view.objects(iri, hrg + prop)]
    quote_resources = view.objects(iri, hrg + "quotedFrom")
    return {
        "quote": view.value(iri, hrg + "quote"),
        "excerpt": excerpt(view, quote_resources[0]) if quote_resources else None,
        "documents": [{**view.link(d), "date": view.value(d.value, DCTERMS + "date")}
                      for d in documents],
        "signatories": view.links(set(signatories)),
        "addressees": view.links(view.objects(iri, hrg + "addressee")),
        "actors": view.links(view.objects(iri, hrg + "actorAskedToAct")),
        "targets": targets,
        "action_types": view.links(view.objects(iri, hrg + "actionType")),
        **stated_and_implied(view, iri, "topic", "topics"),
        "history": status_history(view, iri),
        "status": latest_status(view, iri),
        "timeline": timeline(status_history(view, iri)),
        "parents": view.links(view.objects(iri, hrg + "partOf")),
        "parts": view.links(view.subjects(hrg + "partOf", iri)),
        "reiterates": view.links(view.objects(iri, hrg + "reiterates")),
        "reiterated_by": view.links(view.subjects(hrg + "reiterates", iri)),
    }


def status_history(view: View, demand: str) -> list[dict[str, Any]]:
    """The assessments of a demand, oldest first, with their evidence and events; an assessment
    whose period starts before the document that makes the demand says so (``before_demand``:
    the status held already, e.g. a case suspended weeks before the statement asked to close
    it)."""
    hrg = view.hrg
    made = min((view.value(d.value, hrg + "earliestDate") or "9999"
                for d in view.objects(demand, hrg + "madeIn")), default=None)
    history = []
    for assessment in view.subjects(hrg + "assessedDemand", demand):
        evidence = []
        for source in view.objects(assessment, hrg + "evidence"):
            quality = view.objects(source.value, hrg + "evidenceQuality")
            evidence.append({**view.link(source),
                             "title": view.value(source.value, DCTERMS + "title"),
                             "quality": view.label(quality[0].value) if quality else None})
        history.append({
            "iri": assessment,
            "before_demand": bool(made and (view.value(assessment, hrg + "earliestDate")
                                            or "9999") < made),
            "status": view.links(view.objects(assessment, hrg + "status")),
            "date": view.value(assessment, DCTERMS + "date"),
            "period_start": view.value(assessment, hrg + "periodStart"),
            "period_end": view.value(assessment, hrg + "periodEnd"),
            "earliest": view.value(assessment, hrg + "earliestDate"),
            "start_latest": view.value(assessment, hrg + "startLatestDate"),
            "end_earliest": view.value(assessment, hrg + "endEarliestDate"),
            "latest": view.value(assessment, hrg + "latestDate"),
            "note": view.value(assessment, SKOS + "note"),
            "evidence": evidence,
            "events": view.links(view.objects(assessment, hrg + "relatedEvent")),
        })
    return sorted(history, key=lambda a: (a["earliest"] or "", a["latest"] or ""))


def excerpt(view: View, resource: Any) -> dict[str, Any] | None:
    """The quoted words in their context in the source text copy, as segments to mark.

    Segments are ``{text, mark}`` with ``mark`` ``None`` (context), ``"quote"`` (the quoted
    words) or ``"target"`` (the words a refinement selector picks out inside the quote).
    ``None`` when the text copy or the quote in it cannot be found.
    """
    hrg = view.hrg
    sources = view.objects(resource.value, OA + "hasSource")
    selectors = view.objects(resource.value, OA + "hasSelector")
    if not sources or not selectors:
        return None
    publication = sources[0].value
    copy = view.value(publication, hrg + "textCopy")
    if not copy:
        return None
    path = (view.project.root / copy).resolve()
    if not path.is_relative_to(view.project.sources_dir.resolve()) or not path.is_file():
        return None
    text = read_source_text(path)
    selector = selectors[0].value
    span = _find(text, *_selector_parts(view, selector))
    if span is None:
        return None
    start, end = span
    marks: list[tuple[int, int]] = []
    for refinement in view.objects(selector, OA + "refinedBy"):
        exact, prefix, suffix = _selector_parts(view, refinement.value)
        inner = _find(text, exact, prefix, suffix, within=(start, end))
        if inner:
            marks.append(inner)
    # The context is the line (a paragraph or a list item in the text copies) around the quote.
    before = text.rfind("\n", max(0, start - CONTEXT_CHARS), start)
    context_start = before + 1 if before >= 0 else max(0, start - CONTEXT_CHARS)
    after = text.find("\n", end, end + CONTEXT_CHARS)
    context_end = after if after >= 0 else min(len(text), end + CONTEXT_CHARS)
    segments = [{"text": text[context_start:start], "mark": None}]
    position = start
    for mark_start, mark_end in sorted(marks):
        segments.append({"text": text[position:mark_start], "mark": "quote"})
        segments.append({"text": text[mark_start:mark_end], "mark": "target"})
        position = mark_end
    segments.append({"text": text[position:end], "mark": "quote"})
    segments.append({"text": text[end:context_end], "mark": None})
    return {
        "segments": [s for s in segments if s["text"]],
        "cut_before": context_start > 0,
        "cut_after": context_end < len(text),
        "file": copy,
        "publication": view.link(N(publication)),
        "url": safe_href(view.value(publication, SCHEMA + "url") or ""),
    }


def _selector_parts(view: View, selector: str) -> tuple[str, str, str]:
    return (view.value(selector, OA + "exact") or "", view.value(selector, OA + "prefix") or "",
            view.value(selector, OA + "suffix") or "")


def _find(text: str, exact: str, prefix: str, suffix: str,
          within: tuple[int, int] | None = None) -> tuple[int, int] | None:
    """Where ``exact`` is in ``text``, preferring the place its prefix and suffix match."""
    if not exact:
        return None
    low, high = within or (0, len(text))
    for before, after in ((prefix, suffix), (prefix, ""), ("", suffix), ("", "")):
        index = text.find(before + exact + after, max(0, low - len(before)))
        while index >= 0:
            start = index + len(before)
            if start >= low and start + len(exact) <= high:
                return start, start + len(exact)
            if start > high:
                break
            index = text.find(before + exact + after, index + 1)
    return None


def timeline(history: list[dict[str, Any]], width: int = 600) -> dict[str, Any] | None:
    """The status periods drawn on one time axis: for each, the span it certainly held (from
    its latest possible start to its earliest possible end) and the spans it may have (its
    imprecise ends); an open period runs to the axis's end. ``x`` values are in 0…``width``."""
    periods = [h for h in history if h.get("earliest") and h.get("start_latest")]
    if not periods:
        return None
    days = [_day(h[k]) for h in periods for k in ("earliest", "start_latest", "end_earliest",
                                                   "latest") if h.get(k)]
    first, last = min(days), max(days)
    first, last = datetime.date(first.year, 1, 1), datetime.date(last.year + 1, 1, 1)
    span = (last - first).days

    def x(text: str | None) -> float:
        return round(width * ((_day(text) if text else last) - first).days / span, 1)

    bars = []
    for h in periods:
        open_end = h.get("latest") is None
        bars.append({"status": h["status"][0]["label"] if h["status"] else "",
                     "slug": h["status"][0]["iri"].rsplit("/", 1)[-1] if h["status"] else "",
                     "x0": x(h["earliest"]), "x1": x(h["start_latest"]),
                     # an open period's earliest end (its evidence) may precede its latest start
                     "x2": max(x(h["start_latest"]), x(h["end_earliest"] or h["start_latest"])),
                     "x3": x(None if open_end else h["latest"]), "open": open_end})
    ticks = [{"year": year, "x": x(f"{year}-01-01")} for year in range(first.year, last.year + 1)]
    step = max(1, len(ticks) // 10)
    return {"bars": bars, "ticks": ticks[::step], "width": width}


def _day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text[:10])


def latest_status(view: View, demand: str) -> dict[str, Any] | None:
    """The status of the demand's latest assessment (the period that starts latest, then the
    greatest IRI: the rule of the saved query latest-status), as a link, or ``None``."""
    hrg = view.hrg
    assessments = [(view.value(a, hrg + "earliestDate") or "", a)
                   for a in view.subjects(hrg + "assessedDemand", demand)]
    if not assessments:
        return None
    statuses = view.objects(max(assessments)[1], hrg + "status")
    return view.link(statuses[0]) if statuses else None


def is_leaf_demand(view: View, iri: str) -> bool:
    """Whether ``iri`` is a demand with no demands as parts: the unit every count of demands
    counts (the rule of the dashboard, /demands and the saved count queries)."""
    hrg = view.hrg
    if not view.triples(N(iri), N(RDF + "type"), N(hrg + "Demand")):
        return False
    return not any(view.triples(N(part), N(RDF + "type"), N(hrg + "Demand"))
                   for part in view.subjects(hrg + "partOf", iri))


def _demands(view: View, iris: list[str] | set[str]) -> list[dict[str, Any]]:
    """Leaf demands (:func:`is_leaf_demand`), each with its documents and latest status."""
    hrg = view.hrg
    found = []
    for demand in iris:
        if not is_leaf_demand(view, demand):
            continue
        found.append({**view.link(N(demand)),
                      "documents": view.links(view.objects(demand, hrg + "madeIn")),
                      "status": latest_status(view, demand)})
    return sorted(found, key=lambda d: d["label"].lower())


def agent_section(view: View, iri: str) -> dict[str, Any]:
    """A person or organisation: its roles and the people who hold roles in it, the documents
    it signed and their demands, the demands about it, addressed to it or asking it to act
    (each with its latest status), the documents that mention it or make demands about it, the
    mechanisms it runs, its members."""
    hrg = view.hrg

    def claim(c: str) -> dict[str, Any]:
        return {"holder": view.links(view.objects(c, hrg + "holder")),
                "role": view.links(view.objects(c, hrg + "role")),
                "in": view.links(view.objects(c, hrg + "roleIn")),
                "documents": view.links(view.objects(c, hrg + "attestedIn")),
                "quote": view.value(c, hrg + "quote")}

    concerned_by = _demands(view, view.subjects(hrg + "concerns", iri))
    signed = []
    for document in view.subjects(hrg + "signatory", iri):
        made = view.subjects(hrg + "madeIn", document)
        signed.append({**view.link(N(document)), "date": view.value(document, DCTERMS + "date"),
                       "demands": len(_demands(view, made))})
    signed_demands = _demands(view, {d for doc in signed
                                     for d in view.subjects(hrg + "madeIn", doc["iri"])})
    mentioned = set(view.subjects(hrg + "mentions", iri))
    mentioned |= {doc["iri"] for d in concerned_by for doc in d["documents"]}
    return {
        "roles": [claim(c) for c in view.subjects(hrg + "holder", iri)],
        "people": [claim(c) for c in view.subjects(hrg + "roleIn", iri)],
        "concerned_by": concerned_by,
        "addressed_by": _demands(view, view.subjects(hrg + "addressee", iri)),
        "asked_to_act_by": _demands(view, view.subjects(hrg + "actorAskedToAct", iri)),
        "signed": sorted(signed, key=lambda d: (d["date"] or "", d["label"])),
        "signed_demands": signed_demands,
        "mentioned_in": view.links(sorted(mentioned)),
        "members": view.links(view.subjects(ORG + "memberOf", iri)),
        "runs": view.links(view.subjects(hrg + "operatedBy", iri)),
    }


def mechanism_section(view: View, iri: str) -> dict[str, Any]:
    """An international mechanism: who runs it, when it was established, the demands about it
    (with their latest status) and the documents that mention it."""
    hrg = view.hrg
    return {"operated_by": view.links(view.objects(iri, hrg + "operatedBy")),
            "established": view.value(iri, hrg + "establishedOn"),
            "concerned_by": _demands(view, view.subjects(hrg + "concernsMechanism", iri)),
            "mentioned_in": view.links(view.subjects(hrg + "mentions", iri))}


#: External identifier schemes by the start of their IRIs, as the identifiers box names them.
IDENTIFIER_SCHEMES = (("http://www.wikidata.org/entity/", "Wikidata"),
                      ("https://viaf.org/viaf/", "VIAF"), ("http://viaf.org/viaf/", "VIAF"),
                      ("https://isni.org/isni/", "ISNI"), ("https://sws.geonames.org/", "GeoNames"),
                      ("http://id.loc.gov/", "Library of Congress"),
                      ("https://id.loc.gov/", "Library of Congress"))


def identifiers(view: View, iri: str) -> list[dict[str, Any]]:
    """External identifiers (skos:exactMatch / closeMatch) and the official website, each with
    the name of its scheme and whether it names the same thing or a close one."""
    found = []
    for prop, how in ((SKOS + "exactMatch", "same"), (SKOS + "closeMatch", "close"),
                      (FOAF + "homepage", "website")):
        for term in view.objects(iri, prop):
            if not isinstance(term, ox.NamedNode) or view.local_href(term.value):
                continue
            scheme = next((name for start, name in IDENTIFIER_SCHEMES
                           if term.value.startswith(start)), "website" if how == "website"
                          else "other")
            found.append({**view.link(term), "scheme": scheme, "match": how,
                          "id": term.value.rstrip("/").rsplit("/", 1)[-1]})
    return sorted(found, key=lambda i: (i["scheme"], i["iri"]))


def sources(view: View, iri: str) -> list[dict[str, Any]]:
    """Where the resource's names and dates come from (dcterms:source), as links with their
    evidence quality."""
    found = []
    for term in view.objects(iri, DCTERMS + "source"):
        if isinstance(term, ox.NamedNode):
            quality = view.objects(term.value, view.hrg + "evidenceQuality")
            found.append({**view.link(term), "label": term.value,
                          "quality": view.label(quality[0].value) if quality else None})
    return sorted(found, key=lambda s: s["iri"])


def inferred_only(view: View, iri: str) -> set[tuple[str, Any]]:
    """The (property, value) pairs about ``iri`` that only the reasoner's graph holds (a label
    copied from skos:prefLabel, a super-property of a stated one): marked, not shown as said."""
    inferred = N(view.project.inferred_graph)
    graphs: dict[tuple[str, Any], set] = {}
    for quad in view.store.quads_for_pattern(N(iri), None, None):
        if view.visible(quad):
            graphs.setdefault((quad.predicate.value, quad.object), set()).add(quad.graph_name)
    return {key for key, names in graphs.items() if names == {inferred}}


#: The parts of a document's text, by class, as its page names them; a part of two classes is
#: named by the first (a demand that is also a point keeps its status).
DOCUMENT_PARTS = (("Demand", "demand"), ("Point", "point"), ("Position", "position"))
_PART_RANK = {kind: rank for rank, (_, kind) in enumerate(DOCUMENT_PARTS)}


def _document_parts_query(view: View) -> str:
    values = " ".join(f"<{view.hrg}{name}>" for name, _ in DOCUMENT_PARTS)
    return f"""PREFIX hrg: <{view.hrg}>
PREFIX skos: <{SKOS}>
SELECT ?item ?class ?parent ?order ?notation ?demand_part WHERE {{
  VALUES ?class {{ {values} }}
  ?item hrg:madeIn ?document ; a ?class .
  OPTIONAL {{ ?item hrg:partOf ?parent }}
  OPTIONAL {{ ?item hrg:order ?order }}
  OPTIONAL {{ ?item skos:notation ?notation }}
  BIND (EXISTS {{ ?part hrg:partOf ?item ; a hrg:Demand }} AS ?demand_part)
}}"""


def document_structure(view: View, iri: str) -> dict[str, Any]:
    """The document's text as its parts: calls and points, positions and demands, each under
    the part it belongs to (hrg:partOf) in text order (hrg:order; parts without one last), with
    its notation as printed (skos:notation: ``positional`` when the text prints a bullet and the
    notation is the place in its list), and for a demand its latest status (the saved query
    latest-status). Also the number of its leaf demands (those without demand parts: the rule
    of the lists) and how many have each latest status. Two queries, whatever its size."""
    hrg = view.hrg
    rows = run_query(view.project, _document_parts_query(view), {"document": N(iri)},
                     store=view.store, limit=None).rows
    kinds = {view.hrg + name: kind for name, kind in DOCUMENT_PARTS}
    nodes: dict[str, dict[str, Any]] = {}
    parents: dict[str, set[str]] = {}
    for row in rows:  # public parts only: run_query reads no private graph
        item = row["item"].value
        node = nodes.get(item)
        kind = kinds[row["class"].value]
        if node is None:
            node = nodes[item] = {"iri": item, "kind": kind, "order": None, "notation": None,
                                  "positional": False, "leaf": True, "children": []}
        elif _PART_RANK[kind] < _PART_RANK[node["kind"]]:
            node["kind"] = kind
        if row["order"] is not None and row["order"].value.isdigit():
            order = int(row["order"].value)
            node["order"] = order if node["order"] is None else min(node["order"], order)
        notation = row["notation"]
        if notation is not None and node["notation"] is None:
            node["notation"] = notation.value
            node["positional"] = notation.datatype.value == hrg + "positionNotation"
        if row["demand_part"] is not None and row["demand_part"].value == "true":
            node["leaf"] = False
        if row["parent"] is not None:
            parents.setdefault(item, set()).add(row["parent"].value)
    statuses = _latest_statuses(view, iri)
    top: list[dict[str, Any]] = []
    for item, node in nodes.items():
        node.update(view.link(N(item)))
        if node["kind"] == "demand":
            node["status"] = statuses.get(item)
        else:
            node["leaf"] = False
        inside = sorted(p for p in parents.get(item, ()) if p in nodes and p != item)
        (nodes[inside[0]]["children"] if inside else top).append(node)

    def in_order(items: list[dict[str, Any]], path: frozenset[str]) -> list[dict[str, Any]]:
        items.sort(key=lambda n: (n["order"] is None, n["order"] or 0, n["iri"]))
        for n in items:  # a cycle of hrg:partOf would never reach the top: shown nowhere
            n["children"] = in_order(n["children"], path | {n["iri"]}) \
                if n["iri"] not in path else []
        return items

    leaves = [n for n in nodes.values() if n["kind"] == "demand" and n["leaf"]]
    counts: dict[str, dict[str, Any]] = {}
    for n in leaves:
        status = n["status"] or {"label": "not assessed", "iri": None, "href": None}
        entry = counts.setdefault(status["label"], {"status": status, "count": 0})
        entry["count"] += 1
    return {"structure": in_order(top, frozenset()), "leaf_demands": len(leaves),
            "statuses": sorted(counts.values(), key=lambda e: (-e["count"],
                                                               e["status"]["label"]))}


def _latest_statuses(view: View, document: str) -> dict[str, dict[str, Any]]:
    """The latest status of each assessed demand of ``document`` (saved query latest-status),
    as a link to the status concept."""
    found = run_saved(view.project, view.saved("latest-status"), {"document": document},
                      store=view.store, limit=None)
    concepts = {view.label(c): c for c in view.subjects(SKOS + "inScheme",
                                                        view.project.vocab_base + "status")}
    statuses = {}
    for row in found.rows:
        label = row["status"].value
        concept = concepts.get(label)
        statuses[row["demand"].value] = view.link(N(concept)) if concept else {
            "label": label, "iri": None, "href": None}
    return statuses


def document_section(view: View, iri: str) -> dict[str, Any]:
    """A document: its date, signatories, publications, demands, and its structure
    (:func:`document_structure`)."""
    hrg = view.hrg
    demands = [d for d in view.subjects(hrg + "madeIn", iri)
               if view.triples(N(d), N(RDF + "type"), N(hrg + "Demand"))]
    return {
        "date": view.value(iri, DCTERMS + "date"),
        "signatories": view.links(view.objects(iri, hrg + "signatory")),
        "publications": view.links(view.objects(iri, hrg + "hasPublication")),
        "demands": view.links(demands),
        **document_structure(view, iri),
    }
