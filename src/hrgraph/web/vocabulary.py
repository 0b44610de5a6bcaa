"""Models of the pages for the vocabularies and the ontology: a page for every SKOS concept and
scheme under ``/vocab/…`` and one ``/ontology`` page with an anchor per term. Demands are
counted by the rule of every list (leaf demands: :func:`hrgraph.web.entities.is_leaf_demand`).

A concept's page gives its names in every language, definition, scheme, broader and narrower
concepts (as the vocabulary states them, not the reasoner's closure), its matches in other
vocabularies (Wikidata, UPR Info …) and what uses it, with counts: the demands of a topic (those
that state it, and those that only inherit it from a narrower topic), of an action type, of a
status (through the assessments that give it). A scheme's page is its concepts as a tree, each
with the number of demands that use it.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from hrgraph.web.entities import DCTERMS, RDF, RDFS, SKOS, N, View, entity_page, is_leaf_demand

OWL = "http://www.w3.org/2002/07/owl#"
MATCHES = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")


def _stated(view: View, s: Any, p: Any, o: Any) -> list[ox.Triple]:
    """Public triples matching a pattern that some graph other than the inferred one holds."""
    inferred = N(view.project.inferred_graph)
    found: dict[ox.Triple, bool] = {}
    for quad in view.store.quads_for_pattern(s, p, o):
        if view.visible(quad):
            found[quad.triple] = found.get(quad.triple, False) or quad.graph_name != inferred
    return [t for t, stated in found.items() if stated]


def _by_label(view: View, iris: set[str] | list[str]) -> list[dict[str, Any]]:
    return sorted((view.link(N(i)) for i in iris), key=lambda x: x["label"].lower())


def demands_using(view: View, concept: str) -> dict[str, Any]:
    """The demands that use ``concept``: by which property, and for a topic whether the demand
    states it or only inherits it from a narrower topic; a status counts the demands of the
    assessments that give it."""
    hrg = view.hrg
    stated = {t.subject.value for t in _stated(view, None, None, N(concept))}
    demands: dict[str, dict[str, Any]] = {}
    uses: dict[str, int] = {}
    for t in view.triples(None, None, N(concept)):
        if not isinstance(t.subject, ox.NamedNode) or t.predicate.value == SKOS + "inScheme":
            continue
        subject = t.subject.value
        if t.predicate.value == hrg + "status":  # an assessment: count its demand
            targets = [d.value for d in view.objects(subject, hrg + "assessedDemand")]
        elif N(hrg + "Demand") in view.objects(subject, RDF + "type"):
            targets = [subject]
        else:
            uses[t.predicate.value] = uses.get(t.predicate.value, 0) + 1
            continue
        # the unit of every count: demands with no parts (the rule of /demands)
        targets = [d for d in targets if is_leaf_demand(view, d)]
        uses[t.predicate.value] = uses.get(t.predicate.value, 0) + len(targets)
        for demand in targets:
            item = demands.setdefault(demand, {**view.link(N(demand)), "implied": True})
            item["implied"] = item["implied"] and subject not in stated
    listed = sorted(demands.values(), key=lambda d: d["label"].lower())
    return {"demands": listed, "count": len(listed),
            "implied_count": sum(1 for d in listed if d["implied"]),
            "uses": [{"property": view.link(N(p)), "count": n} for p, n in sorted(uses.items())]}


def concept_section(view: View, iri: str) -> dict[str, Any]:
    """Scheme, broader, narrower and matching concepts, and the demands that use it."""
    broader = {t.object.value for t in _stated(view, N(iri), N(SKOS + "broader"), None)
               if isinstance(t.object, ox.NamedNode)}
    narrower = {t.subject.value for t in _stated(view, None, N(SKOS + "broader"), N(iri))
                if isinstance(t.subject, ox.NamedNode)}
    matches = [{"property": view.link(N(SKOS + m)),
                "objects": view.links(view.objects(iri, SKOS + m))} for m in MATCHES]
    return {"schemes": view.links(view.objects(iri, SKOS + "inScheme")),
            "broader": _by_label(view, broader), "narrower": _by_label(view, narrower),
            "matches": [m for m in matches if m["objects"]],
            "notation": view.value(iri, SKOS + "notation"),
            "scope_note": view.value(iri, SKOS + "scopeNote"),
            **demands_using(view, iri)}


def scheme_section(view: View, iri: str) -> dict[str, Any]:
    """The scheme's concepts as a tree (top concepts first), each with its number of demands."""
    members = set(view.subjects(SKOS + "inScheme", iri))
    children: dict[str | None, list[str]] = {}
    for concept in members:
        parents = [t.object.value for t in _stated(view, N(concept), N(SKOS + "broader"), None)
                   if t.object.value in members]
        for parent in parents or [None]:
            children.setdefault(parent, []).append(concept)

    def tree(parent: str | None, path: frozenset[str]) -> list[dict[str, Any]]:
        nodes = []
        for concept in children.get(parent, []):
            if concept in path:  # a cycle in skos:broader: show it once
                continue
            nodes.append({**view.link(N(concept)), "count": demands_using(view, concept)["count"],
                          "children": tree(concept, path | {concept})})
        return sorted(nodes, key=lambda n: n["label"].lower())

    return {"concepts": tree(None, frozenset()), "size": len(members),
            "license": view.links(view.objects(iri, DCTERMS + "license"))}


def vocab_page(view: View, iri: str) -> dict[str, Any] | None:
    """The page model of a concept or scheme (or anything else under /vocab/): the entity page
    and its concept or scheme section."""
    model = entity_page(view, iri)
    if model is None:
        return None
    types = {t["iri"] for t in model["types"]}
    if SKOS + "ConceptScheme" in types:
        model["kind"] = "scheme"
        model["scheme"] = scheme_section(view, iri)
    elif SKOS + "Concept" in types:
        model["kind"] = "concept"
        model["concept"] = concept_section(view, iri)
    return model


def ontology_page(view: View) -> dict[str, Any]:
    """Every term the ontology defines (``rdfs:isDefinedBy`` the ontology), classes first, each
    with its anchor (the part of its hash IRI after ``#``), label, definition and axioms."""
    namespace = view.project.ontology_ns
    ontology = namespace.rstrip("#/")
    terms = []
    for iri in view.subjects(RDFS + "isDefinedBy", ontology):
        if not iri.startswith(namespace):
            continue
        types = {t.value for t in view.objects(iri, RDF + "type") if isinstance(t, ox.NamedNode)}
        kind = "class" if OWL + "Class" in types else "property"
        axioms = [{"property": view.link(N(p)), "objects": view.links(
            t.object for t in _stated(view, N(iri), N(p), None))}
            for p in (RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain",
                      RDFS + "range", OWL + "inverseOf")]
        terms.append({"iri": iri, "anchor": iri[len(namespace):], "kind": kind,
                      "label": view.label(iri), "definition": view.value(iri,
                                                                         SKOS + "definition"),
                      "scope_note": view.value(iri, SKOS + "scopeNote"),
                      "axioms": [a for a in axioms if a["objects"]]})
    terms.sort(key=lambda t: (t["kind"] != "class", t["anchor"].lower()))
    return {"iri": ontology, "label": view.label(ontology),
            "definition": view.value(ontology, DCTERMS + "description"),
            "terms": terms, "classes": sum(1 for t in terms if t["kind"] == "class"),
            "properties": sum(1 for t in terms if t["kind"] == "property")}
