"""A Mermaid class diagram of the ontology's main classes and properties, generated from the
ontology itself so that the picture in the README never drifts from the model."""

from __future__ import annotations

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH

from hrgraph.project import Project

#: Namespaces shown as prefixes in the diagram.
PREFIXES = {
    "https://w3id.org/hrgraph/ontology#": "hrg",
    "http://xmlns.com/foaf/0.1/": "foaf",
    "http://www.w3.org/ns/org#": "org",
    "http://www.w3.org/ns/prov#": "prov",
    "http://www.w3.org/ns/oa#": "oa",
    "http://www.w3.org/2004/02/skos/core#": "skos",
    "http://data.europa.eu/eli/ontology#": "eli",
    "https://schema.org/": "schema",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf",
    "http://www.w3.org/2001/XMLSchema#": "xsd",
}

#: Superclasses too general to draw (every entity is a prov:Entity).
HIDDEN_SUPERCLASSES = {"prov_Entity", "foaf_Document", "schema_Country"}


def _name(term: rdflib.term.Node) -> str:
    text = str(term)
    for ns, prefix in PREFIXES.items():
        if text.startswith(ns):
            return f"{prefix}_{text[len(ns):]}"
    return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def class_diagram(project: Project) -> str:
    """Mermaid ``classDiagram`` text: hrgraph's classes and their superclasses; links from the
    object properties declared with a domain and a range, and from the must-hold shapes (a
    property shape's ``sh:class`` on a node shape's ``sh:targetClass``); datatype properties with
    a domain and a range as attributes."""
    graph = rdflib.Graph()
    for source in project.files_of_kind("ontology", "shapes"):
        graph.parse(source.path)
    own = sorted(c for c in graph.subjects(RDF.type, OWL.Class)
                 if str(c).startswith(project.ontology_ns))
    lines = ["classDiagram", "  direction LR"]
    for cls in own:
        attributes = sorted(
            f"    {_name(p).removeprefix('hrg_')} {_name(graph.value(p, RDFS.range))}"
            for p in graph.subjects(RDFS.domain, cls)
            if (p, RDF.type, OWL.DatatypeProperty) in graph and graph.value(p, RDFS.range))
        lines.append(f"  class {_name(cls)} {{" if attributes else f"  class {_name(cls)}")
        if attributes:
            lines += [*attributes, "  }"]
    edges = set()
    for cls in own:
        for sup in graph.objects(cls, RDFS.subClassOf):
            if _name(sup) not in HIDDEN_SUPERCLASSES:
                edges.add(f"  {_name(sup)} <|-- {_name(cls)}")
    for prop in graph.subjects(RDF.type, OWL.ObjectProperty):
        domain, range_ = graph.value(prop, RDFS.domain), graph.value(prop, RDFS.range)
        if domain is None or range_ is None or not str(prop).startswith(project.ontology_ns):
            continue
        edges.add(f"  {_name(domain)} --> {_name(range_)} : {_name(prop).removeprefix('hrg_')}")
    for shape in graph.subjects(SH.severity, SH.Violation):
        target = graph.value(shape, SH.targetClass)
        if target not in own:
            continue
        for prop_shape in graph.objects(shape, SH.property):
            path, range_ = graph.value(prop_shape, SH.path), graph.value(prop_shape, SH["class"])
            if isinstance(path, rdflib.URIRef) and range_ is not None:
                label = _name(path).removeprefix("hrg_")
                edges.add(f"  {_name(target)} --> {_name(range_)} : {label}")
    return "\n".join(lines + sorted(edges)) + "\n"
