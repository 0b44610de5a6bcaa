"""The name a page shows for a resource, by one rule for every reader (the web's pages, the
demand summaries of :mod:`hrgraph.summaries`).

The first of ``skos:prefLabel``, ``rdfs:label``, ``dcterms:title``, ``foaf:name`` that the
resource has in a visible graph; of that property's values, the first English one, else the
first; an empty name is skipped (in the store's order, which is the same for the same content).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"

#: The properties that name a resource, most preferred first.
LABEL_PROPERTIES = tuple(ox.NamedNode(p) for p in (
    SKOS + "prefLabel", RDFS + "label", DCTERMS + "title", FOAF + "name"))


def _choose(values: Iterable[ox.Term]) -> str | None:
    """Of one property's values (distinct, in store order): the first English one, else the
    first; an empty name is no name."""
    values = list(values)
    english = (v.value for v in values if isinstance(v, ox.Literal)
               and v.language and v.language.startswith("en"))
    chosen = next(english, None) or (values[0].value if values else None)
    return chosen or None


def preferred_label(store: ox.Store, iri: str, visible: Callable[[ox.Quad], bool]) -> str | None:
    """The name of ``iri`` by the rule above, from the quads ``visible`` lets through; None when
    it has none."""
    node = ox.NamedNode(iri)
    for prop in LABEL_PROPERTIES:
        values: dict[ox.Term, None] = {}
        for quad in store.quads_for_pattern(node, prop, None):
            if visible(quad):
                values.setdefault(quad.object, None)
        chosen = _choose(values)
        if chosen:
            return chosen
    return None
