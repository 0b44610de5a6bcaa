"""What the shape and mutation tests share: the project, and results as (severity, shape, focus).

Validation goes through the product (:mod:`hrgraph.validate`), with its semantics
(docs/design.md): the asserted data together with the ontology and vocabulary files, pySHACL with
``inference="none"`` and ``advanced=True``. The saved checks (``queries/checks``) are left out:
these tests are about the shapes.

Why pySHACL's ``focus_nodes`` option is not used to make this faster: it also filters the value
nodes that nested shapes (sh:or, sh:node, sh:qualifiedValueShape) are checked on, so those pass
silently for every literal and every IRI not in the list (pySHACL 0.40). See
``test_shapes.test_pyshacl_focus_nodes_option_skips_nested_shapes``.
"""

from __future__ import annotations

from typing import NamedTuple

import rdflib
from rdflib.namespace import RDF, SH

from conftest import repo_project as corpus_project
from hrgraph.project import Project
from hrgraph.validate import ValidationReport

HRSH = "https://w3id.org/hrgraph/shapes#"


class Result(NamedTuple):
    """What a shape test asserts about one validation result."""

    severity: str  # "Violation", "Warning" or "Info"
    source: str  # "hrsh:Demand-madeIn"; for a SHACL-SPARQL constraint its own IRI
    focus: str  # full IRI of the focus node

    def __str__(self) -> str:
        return f"{self.severity} {self.source} {self.focus}"


def short(iri: str) -> str:
    """``hrsh:Name`` for an IRI of the shapes namespace, the IRI itself otherwise."""
    return "hrsh:" + iri[len(HRSH):] if iri.startswith(HRSH) else iri


def repo_project() -> Project:
    """The real project, with a store path that is never built: the tests read the files."""
    return corpus_project()


def results(report: ValidationReport) -> set[Result]:
    """The SHACL results of a report.

    The source is ``sh:sourceConstraint`` for a SHACL-SPARQL result (the constraint that failed;
    ``sh:sourceShape`` is only the node shape that holds it), else ``sh:sourceShape``.
    """
    graph = report.graph
    found = set()
    for node in graph.subjects(RDF.type, SH.ValidationResult):
        source = graph.value(node, SH.sourceConstraint) or graph.value(node, SH.sourceShape)
        if source is None:  # a saved check, not a shape
            continue
        severity = str(graph.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]
        found.add(Result(severity, short(str(source)), str(graph.value(node, SH.focusNode))))
    return found


def subjects(graph: rdflib.Graph) -> set[str]:
    """The IRIs a graph says something about."""
    return {str(s) for s in graph.subjects() if isinstance(s, rdflib.URIRef)}
