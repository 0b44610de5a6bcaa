"""Counts of what a store holds: instances per class (asserted and inferred types) and triples
per named graph, of its public graphs only: private graphs (confidential data, under
``<graph base>private/``) are neither counted nor named, so the counts say nothing about them."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from hrgraph import store as stores
from hrgraph.project import Project


@dataclass
class Stats:
    """Instances per class and triples per named graph, largest first."""

    classes: list[tuple[str, int]]
    graphs: list[tuple[str, int]]

    def to_text(self, project: Project | None = None) -> str:
        """Two aligned tables; IRIs under the project's namespaces are shortened."""
        def short(iri: str) -> str:
            if project is None:
                return iri
            for prefix, base in (("hrg:", project.ontology_ns), ("hrv:", project.vocab_base),
                                 ("hrid:", project.id_base), ("", project.graph_base)):
                if iri.startswith(base):
                    return prefix + iri[len(base):]
            return iri

        out = ["instances per class:"]
        out += [f"{n:>8}  {short(c)}" for c, n in self.classes]
        out += ["", "triples per graph:"]
        out += [f"{n:>8}  {short(g)}" for g, n in self.graphs]
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
    graphs, largest first."""
    graphs = [ox.DefaultGraph(), *(ox.NamedNode(g) for g in public_graph_counts(store, project))]
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
