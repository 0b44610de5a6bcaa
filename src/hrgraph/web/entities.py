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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from hrgraph.project import Project
from hrgraph.query import SavedQuery, find_query, prefixes, shorten
from hrgraph.sources import read_source_text

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
        for prop in (SKOS + "prefLabel", RDFS + "label", DCTERMS + "title", FOAF + "name"):
            found = self.value(iri, prop)
            if found:
                return found
        return shorten(iri, self.prefixes)

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
            iri = term.value
            href = self.local_href(iri)
            return {"iri": iri, "label": self.label(iri), "href": href or safe_href(iri),
                    "local": href is not None}
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value
            return {"text": term.value, "lang": term.language or None,
                    "datatype": None if term.language or datatype == XSD + "string"
                    else shorten(datatype, self.prefixes)}
        return {"text": str(term), "lang": None, "datatype": None}

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
    me = view.link(N(iri))
    model: dict[str, Any] = {
        "iri": iri,
        "label": me["label"],
        "href": me["href"],
        "types": view.links(N(t) for t in sorted(types)),
        "names": names(view, iri),
        "definition": view.value(iri, SKOS + "definition"),
        "statements": [{"property": view.link(N(p)), "objects": view.links(values)}
                       for p, values in sorted(statements.items())],
        "kind": "other",
    }
    if hrg + "Demand" in types:
        model["kind"] = "demand"
        model["demand"] = demand_section(view, iri)
    elif types & {FOAF + "Agent", FOAF + "Person", ORG + "Organization", hrg + "Collective"}:
        model["kind"] = "agent"
        model["agent"] = agent_section(view, iri)
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
        "parents": view.links(view.objects(iri, hrg + "partOf")),
        "parts": view.links(view.subjects(hrg + "partOf", iri)),
        "reiterates": view.links(view.objects(iri, hrg + "reiterates")),
        "reiterated_by": view.links(view.subjects(hrg + "reiterates", iri)),
    }


def status_history(view: View, demand: str) -> list[dict[str, Any]]:
    """The assessments of a demand, oldest first, with their evidence and events."""
    hrg = view.hrg
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
            "status": view.links(view.objects(assessment, hrg + "status")),
            "date": view.value(assessment, DCTERMS + "date"),
            "period_start": view.value(assessment, hrg + "periodStart"),
            "period_end": view.value(assessment, hrg + "periodEnd"),
            "earliest": view.value(assessment, hrg + "earliestDate"),
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


def agent_section(view: View, iri: str) -> dict[str, Any]:
    """A person or organisation: roles, and the demands and documents that concern it."""
    hrg = view.hrg
    roles = []
    for claim in view.subjects(hrg + "holder", iri):
        roles.append({"role": view.links(view.objects(claim, hrg + "role")),
                      "in": view.links(view.objects(claim, hrg + "roleIn")),
                      "documents": view.links(view.objects(claim, hrg + "attestedIn")),
                      "quote": view.value(claim, hrg + "quote")})

    def demands(prop: str) -> list[dict[str, Any]]:
        found = []
        for demand in view.subjects(hrg + prop, iri):
            if not view.triples(N(demand), N(RDF + "type"), N(hrg + "Demand")):
                continue
            found.append({**view.link(N(demand)),
                          "documents": view.links(view.objects(demand, hrg + "madeIn"))})
        return sorted(found, key=lambda d: d["label"].lower())

    return {
        "roles": roles,
        "concerned_by": demands("concerns"),
        "addressed_by": demands("addressee"),
        "asked_to_act_by": demands("actorAskedToAct"),
        "signed": view.links(view.subjects(hrg + "signatory", iri)),
        "mentioned_in": view.links(view.subjects(hrg + "mentions", iri)),
        "members": view.links(view.subjects(ORG + "memberOf", iri)),
    }


def document_section(view: View, iri: str) -> dict[str, Any]:
    """A document: its date, signatories, publications and demands."""
    hrg = view.hrg
    demands = [d for d in view.subjects(hrg + "madeIn", iri)
               if view.triples(N(d), N(RDF + "type"), N(hrg + "Demand"))]
    return {
        "date": view.value(iri, DCTERMS + "date"),
        "signatories": view.links(view.objects(iri, hrg + "signatory")),
        "publications": view.links(view.objects(iri, hrg + "hasPublication")),
        "demands": view.links(demands),
    }
