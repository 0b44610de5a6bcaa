"""Counts of what a store holds: instances per class (asserted and inferred types) and triples
per named graph."""

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


def class_counts(store: ox.Store) -> list[tuple[str, int]]:
    """Distinct instances of each class (by asserted or inferred ``rdf:type``), largest first."""
    rows = stores.query(store, "SELECT ?class (COUNT(DISTINCT ?x) AS ?n) "
                               "WHERE { ?x a ?class FILTER isIRI(?class) } GROUP BY ?class")
    counts = [(row["class"].value, int(row["n"].value)) for row in rows]
    return sorted(counts, key=lambda item: (-item[1], item[0]))


def stats(store: ox.Store) -> Stats:
    """Instances per class and triples per named graph of ``store``."""
    graphs = sorted(stores.graph_counts(store).items(), key=lambda item: (-item[1], item[0]))
    return Stats(classes=class_counts(store), graphs=graphs)
