"""Convert RDF terms and quads between pyoxigraph (the store) and rdflib (pySHACL, owlrl).

Language tags come out lower case either way, as docs/design.md asks; rdflib keeps them as
written in a file, so :func:`lowercase_language_tags` fixes graphs that rdflib parsed itself.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib
from rdflib.term import Node

#: Well-known prefixes, for display (tables, messages) and exports; the project's own
#: ``hrg:``, ``hrid:`` and ``hrv:`` come from the Project.
WELL_KNOWN_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "oa": "http://www.w3.org/ns/oa#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "sh": "http://www.w3.org/ns/shacl#",
    "spdx": "http://spdx.org/rdf/terms#",
}

#: Prefixes of the project's own namespaces, one per path below the id base (``person:`` for
#: ``…/id/person/``), as ``data/`` declares them; written Turtle uses exactly these
#: (:func:`hrgraph.export.turtle_prefixes`), and a test keeps them equal to the data's.
ID_PREFIXES = {
    "agent": "agent/", "assessment": "assessment/", "citation": "citation/", "claim": "claim/",
    "conflict": "conflict/", "demand": "demand/", "document": "document/", "evt": "event/",
    "group": "group/", "legal": "legal/", "mechanism": "mechanism/",
    "organisation": "organisation/", "person": "person/", "place": "place/", "point": "point/",
    "position": "position/", "publication": "publication/", "question": "question/",
    "quote": "quote/",
    "reiteration": "reiteration/", "roleclaim": "role-claim/", "signature": "signature/",
    "state": "state/",
}

#: The same, one per vocabulary below the vocabulary base (``action:`` for ``…/action-type/``).
VOCAB_PREFIXES = {
    "action": "action-type/", "event": "event-type/", "quality": "evidence-quality/",
    "response": "response/", "role": "role/", "status": "status/", "topic": "topic/",
    "uprcat": "upr-info-action-category/", "uprimpl": "upr-info-implementation-level/",
    "uprresp": "upr-info-response/",
    "uhri2": "uhri-theme-2/", "uhri3": "uhri-theme-3/", "uhripersons": "uhri-persons/",
    "sdg": "sdg/",
}

#: Namespaces of other datasets that the data links to, with the prefixes ``data/`` uses.
LINKED_PREFIXES = {
    "lang": "http://id.loc.gov/vocabulary/iso639-1/",
    "wd": "http://www.wikidata.org/entity/",
}

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph) -> Node | None:
    """The rdflib term for a pyoxigraph term (``None`` for the default graph).

    An ``xsd:string`` literal becomes a plain literal, as rdflib's own parsers make it, so that
    terms from either library compare equal (``sh:in``, ``sh:hasValue``, set operations).
    """
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language.lower())
        if term.datatype.value == _XSD_STRING:
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"cannot convert {term!r} to rdflib")


def from_rdflib(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term."""
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language.lower())
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to pyoxigraph")


def to_rdflib_graph(quads: Iterable[ox.Quad], graph: rdflib.Graph | None = None) -> rdflib.Graph:
    """The triples of ``quads`` (graph names dropped) in an rdflib Graph (a new one by default)."""
    graph = graph if graph is not None else rdflib.Graph()
    for q in quads:
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graph


def to_rdflib_dataset(quads: Iterable[ox.Quad]) -> rdflib.Dataset:
    """``quads`` in an rdflib Dataset, each in its named graph."""
    dataset = rdflib.Dataset()
    for q in quads:
        dataset.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object),
                     to_rdflib(q.graph_name) or rdflib.graph.DATASET_DEFAULT_GRAPH_ID))
    return dataset


def lowercase_language_tags(graph: rdflib.Graph) -> rdflib.Graph:
    """Rewrite, in place, every literal whose language tag has capitals; returns ``graph``."""
    changed = [(s, p, o) for s, p, o in graph
               if isinstance(o, rdflib.Literal) and o.language and o.language != o.language.lower()]
    for s, p, o in changed:
        graph.remove((s, p, o))
        graph.add((s, p, rdflib.Literal(str(o), lang=o.language.lower())))
    return graph
