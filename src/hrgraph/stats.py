"""Counts of what a store holds: instances per class (asserted and inferred types) and triples
per named graph, of its public graphs only: private graphs (confidential data, under
``<graph base>private/``) are neither counted nor named, so the counts say nothing about them.
The shapes graphs count as triples but not as instances: a shape is a rule about the data, not
a thing of it."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from hrgraph import store as stores
from hrgraph.project import Project
from hrgraph.query import COMMON_PREFIXES, prefixes, shorten


@dataclass
class Stats:
    """Instances per class and triples per named graph, largest first."""

    classes: list[tuple[str, int]]
    graphs: list[tuple[str, int]]

    def to_text(self, project: Project | None = None) -> str:
        """Two aligned tables: classes as prefixed names (``hrg:Demand``, ``foaf:Person``, as
        query results print them; ``<IRI>`` where no prefix fits), graphs by their name below
        the project's graph base (``data/actors/people``)."""
        prefix_map = prefixes(project) if project is not None else COMMON_PREFIXES

        def graph_name(iri: str) -> str:
            if project is not None and iri.startswith(project.graph_base):
                return iri[len(project.graph_base):]
            return f"<{iri}>"

        out = ["instances per class:"]
        out += [f"{n:>8}  {shorten(c, prefix_map)}" for c, n in self.classes]
        out += ["", "triples per graph:"]
        out += [f"{n:>8}  {graph_name(g)}" for g, n in self.graphs]
        out.append(f"{sum(n for _, n in self.graphs):>8}  (total)")
        return "\n".join(out)

    def to_json(self) -> dict:
        """The counts as plain JSON-able data."""
        return {"classes": dict(self.classes), "graphs": dict(self.graphs)}


def public_graph_counts(store: ox.Store, project: Project) -> dict[str, int]:
    """Triples per public named graph (those not under the project's private base)."""
    return {g: n for g, n in stores.graph_counts(store).items() if not project.is_private(g)}


def class_counts(store: ox.Store, project: Project) -> list[tuple[str, int]]:
    """Distinct instances of each class (by asserted or inferred ``rdf:type``) in the public
    graphs but the shapes', largest first."""
    shapes = project.graph_base + "shapes/"
    graphs = [ox.DefaultGraph(), *(ox.NamedNode(g) for g in public_graph_counts(store, project)
                                   if not g.startswith(shapes))]
    rows = store.query("SELECT ?class (COUNT(DISTINCT ?x) AS ?n) "
                       "WHERE { ?x a ?class FILTER isIRI(?class) } GROUP BY ?class",
                       default_graph=graphs)
    counts = [(row["class"].value, int(row["n"].value)) for row in rows]
    return sorted(counts, key=lambda item: (-item[1], item[0]))


def stats(store: ox.Store, project: Project) -> Stats:
    """Instances per class and triples per named graph of the public graphs of ``store``."""
    graphs = sorted(public_graph_counts(store, project).items(),
                    key=lambda item: (-item[1], item[0]))
    return Stats(classes=class_counts(store, project), graphs=graphs)
