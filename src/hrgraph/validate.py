"""Validate the graph with SHACL (pyshacl) and the saved checks in ``queries/checks/``.

What is validated against what:

* **Data graph** = the asserted data graphs (files of kind ``data``) plus the ontology and
  vocabulary graphs, so that ``sh:class`` sees ``rdfs:subClassOf`` and the SKOS concepts. Not the
  ``inferred`` graph, and pyshacl runs with ``inference="none"``: RDFS inference before
  validation would type every value by the ranges the ontology declares, and ``sh:class`` would
  then pass wherever a range is declared, which hides exactly the mistakes it should find.
* **Shapes graph** = the store's graphs of kind ``shapes`` (or the files in ``shapes/`` when the
  store has none). SHACL-SPARQL constraints run when ``advanced=True``.
* **Checks** = ``queries/checks/*.rq``: each returns rows only when something is wrong, with the
  resource in ``?focus`` (or the first column) and a sentence in ``?message``; they are reported
  like SHACL results, with the severity from the query header (``severity:``, default Violation).

Every result names the file and line where its focus node is defined (:mod:`hrgraph.locate`).

Why one module: the whole-graph report, the fast neighbourhood validation and the report's
locations must give the same results (a test compares them), so they share one result model here.
The seam if it grows: the text, JSON and Turtle renderings of a report.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor

from hrgraph import check_reach, guard, load, query
from hrgraph import store as stores
from hrgraph.errors import InputError, StoreError
from hrgraph.locate import Location, subject_index
from hrgraph.project import Project
from hrgraph.terms import WELL_KNOWN_PREFIXES, to_rdflib

__all__ = [
    "ValidationReport",
    "ValidationResult",
    "run_checks",
    "validate_files",
    "validate_store",
]

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
_RDF_LANGSTRING = str(RDF.langString)


@dataclass(frozen=True)
class ValidationResult:
    """One problem found by a shape or a check.

    ``focus_node`` is the IRI of the resource (``_:label`` for a nameless one); ``path`` the
    property (an IRI, or a SPARQL property path with ``<IRI>``s); ``value`` the offending value in
    N-Triples syntax; ``file``/``line`` where the resource is defined (``None`` when unknown).
    """

    severity: str  # "Violation", "Warning" or "Info"
    focus_node: str
    path: str | None
    value: str | None
    message: str
    source_shape: str | None
    constraint_component: str | None
    file: str | None = None
    line: int | None = None

    @property
    def where(self) -> str:
        """``file:line``, or ``""`` when the definition was not found."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@dataclass
class ValidationReport:
    """The outcome of a validation: ``conforms`` is False when there is any ``sh:Violation``."""

    results: list[ValidationResult]
    graph: rdflib.Graph = field(default_factory=rdflib.Graph, repr=False)
    prefixes: dict[str, str] = field(default_factory=lambda: dict(WELL_KNOWN_PREFIXES),
                                     repr=False)

    @property
    def violations(self) -> int:
        """How many results are violations."""
        return sum(r.severity == "Violation" for r in self.results)

    @property
    def warnings(self) -> int:
        """How many results are warnings."""
        return sum(r.severity == "Warning" for r in self.results)

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings and infos do not count)."""
        return self.violations == 0

    @property
    def exit_code(self) -> int:
        """1 when there is a violation, else 0 (see docs/design.md)."""
        return 0 if self.conforms else 1

    def problems(self) -> list[ValidationResult]:
        """The results as people read them: one per problem. SHACL reports one result per
        failed constraint, so a value that fails two constraints of one property shape (its
        class and its node shape, say) gives two results with the same message, property and
        value; only the first of them is kept here."""
        seen: set[tuple] = set()
        kept = []
        for result in sorted(self.results, key=_sort_key):
            key = (result.severity, result.focus_node, result.path, result.value, result.message,
                   result.where)
            if key not in seen:
                seen.add(key)
                kept.append(result)
        return kept

    def to_text(self) -> str:
        """The results for people, grouped by resource, most serious first, each problem once
        (:meth:`problems`)."""
        if not self.results:
            return "No problems found."
        groups: dict[str, list[ValidationResult]] = {}
        for result in self.problems():
            groups.setdefault(result.focus_node, []).append(result)
        lines: list[str] = []
        for focus, results in groups.items():
            where = results[0].where
            lines.append(f"{self._show_node(focus)}" + (f"  ({where})" if where else ""))
            for r in results:
                detail = []
                if r.path:
                    detail.append(f"property {self._show_path(r.path)}")
                if r.value:
                    detail.append(f"value {self._show_value(r.value)}")
                if r.where and r.where != where:  # e.g. another column of a spreadsheet row
                    detail.append(f"at {r.where}")
                suffix = f" [{', '.join(detail)}]" if detail else ""
                lines.append(f"  {r.severity}: {r.message}{suffix}")
            lines.append("")
        lines.append(self.summary())
        return "\n".join(lines)

    def summary(self) -> str:
        """One line: counts of violations and warnings (each problem once, as :meth:`to_text`
        shows them), and how many resources they concern."""
        problems = self.problems()
        count = len({r.focus_node for r in problems})
        violations = sum(r.severity == "Violation" for r in problems)
        warnings = sum(r.severity == "Warning" for r in problems)
        infos = len(problems) - violations - warnings
        text = (f"{violations} violation{'s' if violations != 1 else ''}, "
                f"{warnings} warning{'s' if warnings != 1 else ''}")
        if infos:
            text += f", {infos} info"
        return text + f" in {count} resource{'s' if count != 1 else ''}."

    def to_json(self) -> str:
        """The report as JSON: ``conforms``, counts and every result's fields."""
        return json.dumps({
            "conforms": self.conforms,
            "violations": self.violations,
            "warnings": self.warnings,
            "results": [asdict(r) for r in sorted(self.results, key=_sort_key)],
        }, ensure_ascii=False, indent=1)

    def to_turtle(self) -> str:
        """The SHACL validation report graph (``sh:ValidationReport``) in Turtle."""
        return self.graph.serialize(format="turtle")

    # -- display helpers

    def _show_node(self, node: str) -> str:
        if node.startswith("_:"):
            return "a nameless resource"
        return query.shorten(node, self.prefixes)

    def _show_path(self, path: str) -> str:
        if path.startswith("<") or " " in path or path.startswith(("^", "(")):
            return _shorten_iris_in(path, self.prefixes)
        return query.shorten(path, self.prefixes)

    def _show_value(self, value: str) -> str:
        if value.startswith("<") and value.endswith(">"):
            return query.shorten(value[1:-1], self.prefixes)
        if value.startswith("_:"):
            return "a nameless resource"
        return _shorten_iris_in(value, self.prefixes)


def _sort_key(result: ValidationResult) -> tuple:
    return (result.file or "\uffff", result.line or 0, result.focus_node,
            _SEVERITY_ORDER.get(result.severity, 3), result.path or "", result.message)


def _shorten_iris_in(text: str, prefix_map: dict[str, str]) -> str:
    return re.sub(r"<([^<>\s]+)>", lambda m: query.shorten(m.group(1), prefix_map), text)


# --------------------------------------------------------------------------- graph kinds


#: The kinds of graph validation reads (the shapes are what it reads them with).
VALIDATED_KINDS = frozenset({"data", "ontology", "vocabulary"})


def graph_kind(project: Project, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph
               ) -> str | None:
    """The kind of a graph of the store (:func:`_graph_kind`); None for the default graph."""
    return _graph_kind(project, graph.value) if isinstance(graph, ox.NamedNode) else None


def _graph_kind(project: Project, graph: str) -> str | None:
    """The kind of a named graph of the store, from its name (see docs/design.md)."""
    if graph == project.inferred_graph:
        return "inferred"
    if not graph.startswith(project.graph_base):
        return None
    rel = graph[len(project.graph_base):]
    if rel.startswith("shapes/"):
        return "shapes"
    if rel.startswith("ontology/vocabularies/"):
        return "vocabulary"
    if rel.startswith("ontology/"):
        return "ontology"
    if rel.startswith("data/"):
        return "data"
    return None


# --------------------------------------------------------------------------- term conversion


_SHAPES_KEPT = 8
_shapes_graphs: dict[frozenset[ox.Quad], rdflib.Graph] = {}
_shapes_lock = threading.Lock()


def _shapes_graph(quads: Sequence[ox.Quad]) -> rdflib.Graph:
    """The shapes as an rdflib graph (what pyshacl reads), remembered by content: copying a
    thousand quads into rdflib takes longer than validating a small file with them. (Keyed by
    the set of quads: hashing it takes 0.17 ms for 1,808 quads, their sorted text 1.4 ms.)"""
    key = frozenset(quads)
    with _shapes_lock:
        if key in _shapes_graphs:
            return _shapes_graphs[key]
    graph = rdflib.Graph()
    _add_quads(graph, quads)
    _normalize_sparql(graph)
    with _shapes_lock:
        if len(_shapes_graphs) >= _SHAPES_KEPT:
            _shapes_graphs.pop(next(iter(_shapes_graphs)))
        _shapes_graphs[key] = graph
    return graph


def _add_quads(graph: rdflib.Graph, quads: Iterable[ox.Quad]) -> None:
    # Copying into an in-memory rdflib graph is fine while the data is small (thousands of
    # triples); for large stores validate per file, or switch pyshacl to its SPARQL mode.
    with warnings.catch_warnings():
        # rdflib warns about ill-typed literals ("2016-13-45"^^xsd:date); sh:datatype reports them.
        warnings.simplefilter("ignore")
        for quad in quads:
            if isinstance(quad.subject, ox.Triple) or isinstance(quad.object, ox.Triple):
                continue
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate),
                       to_rdflib(quad.object)))


def _node_text(node: rdflib.term.Node) -> str:
    if isinstance(node, rdflib.BNode):
        return f"_:{node}"
    return str(node)


def _term_text(node: rdflib.term.Node) -> str:
    """An rdflib term in N-Triples syntax."""
    if isinstance(node, rdflib.BNode):
        return f"_:{node}"
    return node.n3()


def _path_text(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    """A SHACL path as a SPARQL property path (a plain IRI stays a bare IRI)."""
    if isinstance(node, rdflib.URIRef):
        return str(node)

    def render(n: rdflib.term.Node) -> str:
        if isinstance(n, rdflib.URIRef):
            return f"<{n}>"
        if (n, RDF.first, None) in graph:
            return "/".join(render(item) for item in rdflib.collection.Collection(graph, n))
        for predicate, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                                    (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
            inner = graph.value(n, predicate)
            if inner is not None:
                return template.format(render(inner))
        alternatives = graph.value(n, SH.alternativePath)
        if alternatives is not None:
            items = rdflib.collection.Collection(graph, alternatives)
            return "(" + "|".join(render(item) for item in items) + ")"
        return "?"

    return render(node)


# --------------------------------------------------------------------------- running pyshacl


_PATCH_LOCK = threading.Lock()


@contextlib.contextmanager
def _prepared_sparql() -> Iterator[None]:
    """Parse each SHACL-SPARQL query once, and refuse SERVICE in shapes.

    pyshacl hands rdflib the text of a SPARQL constraint once per focus node, and rdflib parses it
    every time: on the project's data that was 3.3 of 4.7 seconds of validation (177 parses of
    the same few queries). rdflib evaluates a prepared query as often as needed, so while this
    context is active its SPARQL processor keeps the prepared form of each text. The same place
    refuses a shape whose SPARQL uses SERVICE: rdflib would send that request.
    """
    original = SPARQLProcessor.query
    cache: dict[tuple, Any] = {}

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None,
              DEBUG=False):
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            prepared = cache.get(key)
            if prepared is None:
                parsed = parseQuery(strOrQuery)
                if guard._contains(parsed, guard._SERVICE_NODES):
                    raise InputError("refused: a SHACL-SPARQL constraint in the shapes uses "
                                     "SERVICE, which would send a request to another server")
                prepared = cache[key] = translateQuery(parsed, base, initNs)
            strOrQuery = prepared
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    with _PATCH_LOCK:  # the patch is process-wide: one validation at a time
        SPARQLProcessor.query = query
        try:
            yield
        finally:
            SPARQLProcessor.query = original


def shacl_engine() -> str:
    """Which SHACL engine validation uses: ``"pyshacl-turbo"`` when it is installed, else
    ``"pyshacl"``; ``HRGRAPH_SHACL_ENGINE=pyshacl`` forces pySHACL.

    pyshacl-turbo runs pySHACL's semantics in Rust (its own suite is pySHACL's); on this project's
    data, the generated benchmark data and every example under tests/shapes it gives the same
    results as pySHACL (tests/test_validate.py compares them), 20-80 times faster. It needs
    Python >= 3.11, so pySHACL stays the fallback.
    """
    if os.environ.get("HRGRAPH_SHACL_ENGINE", "").lower() == "pyshacl" or _turbo() is None:
        return "pyshacl"
    return "pyshacl-turbo"


def _turbo() -> Any:
    try:
        import pyshacl_turbo
    except ImportError:
        return None
    return pyshacl_turbo


def _compiled(shapes: rdflib.Graph, advanced: bool) -> Any:
    """pyshacl-turbo's compiled form of a shapes graph, kept on the graph object (shapes graphs
    are not changed once made, see :func:`_shapes_graph`)."""
    with _shapes_lock:
        kept = shapes.__dict__.setdefault("_hrgraph_compiled", {})
        if advanced not in kept:
            kept[advanced] = _turbo().compile_shapes(shapes, advanced=advanced)
        return kept[advanced]


_SPARQL_TEXT = (SH.select, SH.ask, SH.construct, SH.update)


def _normalize_sparql(shapes: rdflib.Graph) -> None:
    """Replace each SHACL-SPARQL text of ``shapes`` by the text that rdflib and pyoxigraph read
    alike (:func:`hrgraph.guard.query_text`), so that the SERVICE check below reads what either
    engine runs; refuse a text on which they could disagree."""
    for predicate in _SPARQL_TEXT:
        for subject, text in list(shapes.subject_objects(predicate)):
            try:
                normal = guard.query_text(str(text))
            except InputError as exc:
                raise InputError(f"in a SHACL-SPARQL constraint of the shapes: {exc.message}"
                                 ) from None
            if normal != str(text):
                shapes.remove((subject, predicate, text))
                shapes.add((subject, predicate, rdflib.Literal(normal)))


def _refuse_service(shapes: rdflib.Graph) -> None:
    """Refuse shapes whose SHACL-SPARQL uses SERVICE (which would send a request elsewhere)."""
    for predicate in _SPARQL_TEXT:
        for text in shapes.objects(None, predicate):
            if "service" not in str(text).lower():
                continue
            prefixes = "".join(
                f"PREFIX {p}: <{ns}>\n" for _, _, decl in shapes.triples((None, SH.declare, None))
                for p, ns in [(shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace))]
                if p is not None and ns is not None)
            try:
                parsed = parseQuery(prefixes + str(text).replace("$this", "?this"))
                uses_service = guard._contains(parsed, guard._SERVICE_NODES)
            except Exception:  # does not parse alone, and says "service": refuse it
                uses_service = True
            if uses_service:
                raise InputError("refused: a SHACL-SPARQL constraint in the shapes uses "
                                 "SERVICE, which would send a request to another server")


def _pyshacl(data: rdflib.Graph | ox.Store, shapes: rdflib.Graph, *, advanced: bool
             ) -> rdflib.Graph:
    """Run SHACL; ``data`` is an rdflib graph, or a store whose default graph is the data
    (pyshacl-turbo reads a store without converting it to rdflib)."""
    engine = shacl_engine()
    try:
        if engine == "pyshacl-turbo":
            _refuse_service(shapes)
            # What pyshacl_turbo.validate does without inference or an ontology graph, with the
            # shapes compiled once per shapes graph (compiling takes ~20 ms per call).
            _conforms, report, _text = _compiled(shapes, advanced).validate(
                data, inference=None, abort_on_first=False, allow_infos=True,
                allow_warnings=True, inplace=isinstance(data, rdflib.Graph),
                _normalize_report_literals=True)
        else:
            if isinstance(data, ox.Store):
                graph = rdflib.Graph()
                _add_quads(graph, data.quads_for_pattern(None, None, None))
                data = graph
            with _prepared_sparql():
                _conforms, report, _text = pyshacl.validate(
                data, shacl_graph=shapes, ont_graph=None, inference="none", advanced=advanced,
                abort_on_first=False, allow_infos=True, allow_warnings=True, inplace=True,
                meta_shacl=False, js=False, debug=False)
    except InputError:
        raise
    except Exception as exc:  # pyshacl reports broken shapes as its own exception types
        raise InputError(f"the shapes cannot be used for validation: {exc}") from None
    if not isinstance(report, rdflib.Graph):  # pyshacl returns a ValidationFailure for some errors
        raise InputError(f"the shapes cannot be used for validation: {report}")
    return report


def _results_from_report(report: rdflib.Graph, keep: set[str] | None
                         ) -> tuple[list[ValidationResult], list[rdflib.term.Node]]:
    """The results of a pyshacl report graph (those whose focus is in ``keep``, if given)."""
    results: list[ValidationResult] = []
    nodes: list[rdflib.term.Node] = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(node, SH.focusNode)
        if focus is None:
            continue
        focus_text = _node_text(focus)
        if keep is not None and focus_text not in keep:
            continue
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        severity = report.value(node, SH.resultSeverity)
        messages = sorted(report.objects(node, SH.resultMessage), key=_message_rank)
        shape = report.value(node, SH.sourceShape)
        component = report.value(node, SH.sourceConstraintComponent)
        results.append(ValidationResult(
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            focus_node=focus_text,
            path=_path_text(report, path) if path is not None else None,
            value=_term_text(value) if value is not None else None,
            message=str(messages[0]) if messages else "This does not meet a shape.",
            source_shape=_node_text(shape) if isinstance(shape, rdflib.URIRef) else None,
            constraint_component=str(component) if component is not None else None,
        ))
        nodes.append(node)
    return results, nodes


def _message_rank(message: rdflib.term.Node) -> tuple[int, str]:
    # Shapes may give sh:message in several languages: English (or untagged) first.
    lang = getattr(message, "language", None)
    return (0 if lang in (None, "en") else 1, str(message))


def _report_graph(report: rdflib.Graph | None, kept: list[rdflib.term.Node],
                  extra: list[ValidationResult], conforms: bool) -> rdflib.Graph:
    """A fresh sh:ValidationReport with the kept pyshacl results and the check results."""
    graph = rdflib.Graph()
    graph.bind("sh", SH)
    root = rdflib.BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, rdflib.Literal(conforms)))
    for node in kept:
        graph.add((root, SH.result, node))
        for triple in report.cbd(node) if report is not None else ():
            graph.add(triple)
    for result in extra:
        node = rdflib.BNode()
        graph.add((root, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.resultSeverity, SH[result.severity]))
        graph.add((node, SH.focusNode, _from_text(result.focus_node)))
        graph.add((node, SH.resultMessage, rdflib.Literal(result.message)))
        graph.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
        if result.path and not result.path.startswith(("<", "^", "(")):
            graph.add((node, SH.resultPath, rdflib.URIRef(result.path)))
        if result.source_shape:
            graph.add((node, SH.sourceShape, rdflib.URIRef(result.source_shape)))
    return graph


def _from_text(text: str) -> rdflib.term.Node:
    return rdflib.BNode(text[2:]) if text.startswith("_:") else rdflib.URIRef(text)


# --------------------------------------------------------------------------- locations


def _display_path(project: Project, path: Path) -> str:
    resolved = path.resolve()
    if resolved.is_relative_to(project.root):
        return resolved.relative_to(project.root).as_posix()
    return str(path)


def _locate(project: Project, results: list[ValidationResult], index: dict[str, Location],
            data: rdflib.Graph | _StoreGraph) -> list[ValidationResult]:
    """Fill in ``file``/``line``; a nameless focus node is placed where the resource that
    refers to it is defined (up to three steps up)."""
    located = []
    for result in results:
        location = index.get(result.focus_node)
        if location is None and result.focus_node.startswith("_:"):
            location = _locate_blank(_from_text(result.focus_node), index, data)
        if location is not None:
            result = replace(result, file=_display_path(project, location.file),
                              line=location.line)
        located.append(result)
    return located


def _files_holding(project: Project, store: ox.Store, results: list[ValidationResult],
                   data: rdflib.Graph | _StoreGraph) -> list[Path]:
    """The source files in which the results' focus nodes (or, for a blank node, the named
    resources :func:`_locate_blank` would place it at) are subjects, in the project's order.

    Scanning only these files gives the same index entries for those nodes as scanning every
    file (a node is a subject in a file exactly when it is a subject in the file's graph), and a
    report with no results scans nothing.
    """
    wanted: set[str] = set()
    for result in results:
        if result.focus_node.startswith("_:"):
            frontier = [_from_text(result.focus_node)]
            for _ in range(3):  # as far up as _locate_blank looks
                parents = [s for n in frontier for s in data.subjects(None, n)]
                wanted.update(str(p) for p in parents if isinstance(p, rdflib.URIRef))
                frontier = [p for p in parents if isinstance(p, rdflib.BNode)]
        elif result.focus_node:
            wanted.add(result.focus_node)
    graphs = set()
    for iri in wanted:
        try:
            subject = ox.NamedNode(iri)
        except ValueError:
            continue
        graphs.update(q.graph_name for q in store.quads_for_pattern(subject, None, None))
    names = {g.value for g in graphs if isinstance(g, ox.NamedNode)}
    return [f.path for f in project.files_of_graphs(names, "data", "ontology", "vocabulary")]


class _StoreGraph:
    """The one query :func:`_locate_blank` asks of the data graph, answered from the store."""

    def __init__(self, store: ox.Store, graphs: list[ox.NamedNode]) -> None:
        self.store, self.graphs = store, set(graphs)

    def subjects(self, predicate: None, node: rdflib.term.Node) -> Iterator[rdflib.term.Node]:
        term = ox.BlankNode(str(node)) if isinstance(node, rdflib.BNode) else ox.NamedNode(
            str(node))
        for quad in self.store.quads_for_pattern(None, None, term):
            if quad.graph_name in self.graphs:
                yield to_rdflib(quad.subject)


def _locate_blank(node: rdflib.term.Node, index: dict[str, Location],
                  data: rdflib.Graph | _StoreGraph) -> Location | None:
    frontier = [node]
    for _ in range(3):
        parents = [s for n in frontier for s in data.subjects(None, n)]
        for parent in parents:
            if isinstance(parent, rdflib.URIRef) and str(parent) in index:
                return index[str(parent)]
        frontier = [p for p in parents if isinstance(p, rdflib.BNode)]
        if not frontier:
            break
    return None


# --------------------------------------------------------------------------- checks


def run_checks(project: Project, store: ox.Store | str | os.PathLike, *,
               focus: set[str] | None = None,
               timeout: float | None = query.DEFAULT_TIMEOUT,
               only: Collection[str] | None = None) -> list[ValidationResult]:
    """Run ``queries/checks/*.rq``; every row they return is a result.

    A check returns rows only when something is wrong: the resource in ``?focus`` (or the first
    column), a sentence for people in ``?message`` (else the header's summary), optionally
    ``?path`` and ``?value``. The severity comes from the header's ``severity:`` (default
    Violation).

    ``store`` is an open store (the checks run in this process, without a time limit) or the
    path of one (each check runs in a worker process, stopped after ``timeout`` seconds).
    ``focus`` keeps only results about those resources, ``only`` runs only the checks of those
    names. Results are not located; validation does.

    Raises:
        InputError: a check is malformed or refused by the guard.
        QueryTimeout, StoreError: see :func:`hrgraph.query.run_query`.
    """
    checks = [q for q in query.list_checks(project) if only is None or q.name in only]
    if not checks:
        return []
    if not isinstance(store, ox.Store):
        project = _with_store(project, Path(store))
    results: list[ValidationResult] = []
    seen: set[ValidationResult] = set()
    for check in checks:
        answer = query.run_saved(project, check, {}, timeout=timeout, limit=None,
                                 store=store if isinstance(store, ox.Store) else None)
        if answer.kind == "ask":
            if answer.boolean:
                results.append(ValidationResult(check.severity, "", None, None,
                                                check.summary or check.name,
                                                None, "SPARQL check " + check.name))
            continue
        variables = answer.variables
        if not variables:
            continue
        focus_var = "focus" if "focus" in variables else variables[0]
        for row in answer.rows:
            node = row.get(focus_var)
            if node is None:
                continue
            focus_text = _name(node)
            if focus is not None and focus_text not in focus:
                continue
            message = row.get("message")
            path = row.get("path")
            value = row.get("value")
            found = ValidationResult(
                severity=check.severity,
                focus_node=focus_text,
                path=path.value if isinstance(path, ox.NamedNode) else None,
                value=str(value) if value is not None else None,
                message=message.value if message is not None else (check.summary or check.name),
                source_shape=None,
                constraint_component=f"SPARQL check {check.name}",
            )
            if found not in seen:  # a check may return the same problem on several rows
                seen.add(found)
                results.append(found)
    return results


def _with_store(project: Project, store_path: Path) -> Project:
    return replace(project, store_path=store_path.resolve())


# --------------------------------------------------------------------------- public entry points


def validate_store(project: Project, store: ox.Store, *, advanced: bool = True,
                   checks: bool = True, snapshot: ox.Store | None = None) -> ValidationReport:
    """Validate the whole graph in ``store`` (see the module docstring for what against what).

    Args:
        project: the project (for file locations, the shapes files and the checks).
        store: the built store.
        advanced: run SHACL-SPARQL constraints and other SHACL-AF features.
        checks: also run ``queries/checks/*.rq``.
        snapshot: the triples of the store's data, ontology and vocabulary graphs in the default
            graph of an in-memory store, if the caller has them (``build`` does), else they are
            copied out of ``store``.

    Raises:
        InputError: the shapes or a check are unusable.
        StoreError: the store cannot be read.
    """
    # pyshacl-turbo reads a pyoxigraph store natively: copying a million triples into an rdflib
    # graph first would take longer than validating them (and N-Triples text is decoded into
    # rdflib by pyshacl-turbo 0.6, so only a store avoids the copy).
    as_text = shacl_engine() == "pyshacl-turbo"
    data: rdflib.Graph | _StoreGraph = rdflib.Graph()
    text: list[bytes] = []
    shape_quads: list[ox.Quad] = []
    try:
        graphs = [g for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
        data_graphs = []
        for graph in graphs:
            kind = _graph_kind(project, graph.value)
            if kind in VALIDATED_KINDS:
                data_graphs.append(graph)
                if not as_text:
                    _add_quads(data, store.quads_for_pattern(None, None, None, graph))
                elif snapshot is None:
                    text.append(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph))
            elif kind == "shapes":
                shape_quads += store.quads_for_pattern(None, None, None, graph)
    except OSError as exc:
        raise StoreError(f"cannot read the store: {exc}") from None
    if as_text:
        data = _StoreGraph(store, data_graphs)
    shapes = _shapes_graph(shape_quads)
    if len(shapes) == 0:
        shapes = _graph_from_files(project, project.files_of_kind("shapes"))

    if as_text and snapshot is None:  # an in-memory store of just these graphs: pyshacl-turbo
        snapshot = ox.Store()         # reads it natively
        snapshot.bulk_load(input=b"".join(text), format=ox.RdfFormat.N_TRIPLES)
        text.clear()
    report = (_pyshacl(snapshot if as_text else data, shapes, advanced=advanced)
              if len(shapes) else None)
    results, kept = _results_from_report(report, None) if report is not None else ([], [])
    extra = run_checks(project, store) if checks else []
    results = results + extra
    index = subject_index(_files_holding(project, store, results, data))
    results = _locate(project, results, index, data)
    conforms = not any(r.severity == "Violation" for r in results)
    return ValidationReport(results=sorted(results, key=_sort_key),
                            graph=_report_graph(report, kept, extra, conforms),
                            prefixes=query.prefixes(project))


def validate_files(project: Project, files: Sequence[str | os.PathLike], *,
                   store: ox.Store | None = None, allow_remote: bool = False,
                   advanced: bool = True, checks: bool = True,
                   whole_graph: bool = False, generation: Path | None = None
                   ) -> ValidationReport:
    """Validate some files in the context of the existing graph, reporting only on them.

    The data graph is the files' triples plus, from the store (or, when no store has been built,
    from the project's files): the ontology and vocabulary graphs and the project's data graphs
    except those of the given files themselves (their stored, older versions would otherwise
    mix in). So the files may refer to people, organisations, documents and concepts that already
    exist. Only results whose focus node is a subject in the given files are reported.

    Of the data graphs only the part the shapes and checks can reach from the files is used
    (:func:`_neighbourhood`): validating a small file against a million-triple graph then takes
    milliseconds, not minutes. ``whole_graph=True`` uses all of them; the tests check that both
    give the same report.

    Args:
        project: the project.
        files: the files to check (inside or outside the project).
        store: an open store for the context; default: the project's store opened read-only if it
            has been built, else the project's files.
        allow_remote: let JSON-LD files name remote contexts.
        advanced, checks: as for :func:`validate_store`.
        whole_graph: use all the data graphs as context, not only the neighbourhood.
        generation: the store generation directory ``store`` was opened from, if known (its
            unchanging graphs are then read once: :func:`context_quads`).

    Raises:
        InputError: a file is unusable (with file, line and column), or the shapes are.
        StoreError: the store cannot be read.
    """
    paths = [Path(f) for f in files]
    if not paths:
        raise InputError("no files to validate")
    own_graphs = {load.graph_for(project, p) for p in paths}
    new_quads: list[ox.Quad] = []
    for path in paths:
        new_quads += load.parse_file(project, path, allow_remote=allow_remote)
    focus = {_name(q.subject) for q in new_quads if not isinstance(q.subject, ox.Triple)}

    if store is None and (project.store_path / "CURRENT").is_file():
        generation = Path(stores.current_generation(project.store_path))
        store = stores.open_store_at(generation, read_only=True)  # read-only takes no lock
    if store is None:  # no store built: the project's files, in a store of their own
        store = ox.Store()
        for source in project.files_of_kind("data", "ontology", "vocabulary"):
            if source.graph not in own_graphs:
                store.extend(load.parse_file(project, source.path))
    turbo = shacl_engine() == "pyshacl-turbo"
    context, shape_quads = context_quads(project, store, new_quads, exclude=own_graphs,
                                         whole_graph=whole_graph, generation=generation,
                                         strip=turbo)

    data: rdflib.Graph | _StoreGraph
    part: ox.Store | None = None
    if turbo:  # it reads a store natively: no copy into rdflib
        part = ox.Store()
        part.extend(context)
        part.extend(_default_graph(new_quads))
        data = _StoreGraph(part, [ox.DefaultGraph()])
    else:
        data = rdflib.Graph()
        _add_quads(data, context)
        _add_quads(data, new_quads)
    shapes = _shapes_graph(shape_quads)
    if len(shapes) == 0:
        shapes = _graph_from_files(project, project.files_of_kind("shapes"))

    report = (_pyshacl(data.store if isinstance(data, _StoreGraph) else data, shapes,
                       advanced=advanced) if len(shapes) else None)
    results, kept = _results_from_report(report, focus) if report is not None else ([], [])
    extra: list[ValidationResult] = []
    if checks:
        # in memory: the checks see exactly the data graph above (the SHACL engine's store
        # when it has one: the checks read the union of its graphs, its default graph here)
        scratch = part
        if scratch is None:
            scratch = ox.Store()
            scratch.extend(context)
            scratch.extend(new_quads)
        extra = run_checks(project, scratch, focus=focus)
    index = subject_index(paths)
    results = _locate(project, results + extra, index, data)
    conforms = not any(r.severity == "Violation" for r in results)
    return ValidationReport(results=sorted(results, key=_sort_key),
                            graph=_report_graph(report, kept, extra, conforms),
                            prefixes=query.prefixes(project))


def context_quads(project: Project, store: ox.Store, new_quads: Sequence[ox.Quad], *,
                  exclude: Iterable[str] = (), whole_graph: bool = False,
                  generation: Path | None = None, strip: bool = False
                  ) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """What validating ``new_quads`` needs from ``store``: the context and the shapes.

    The context is the ontology and vocabulary graphs, and of the data graphs either only the
    part the shapes and checks can reach from the new quads (:func:`_neighbourhood`) or, with
    ``whole_graph``, all of them. Graphs named in ``exclude`` (older versions of the files being
    validated) and graphs of other kinds (the private graphs, the inferred graph) are left out.

    ``generation``, the directory of the store generation ``store`` was opened from, lets the
    ontology, vocabulary and shapes graphs be read once per generation (:func:`_static_graphs`):
    a published generation never changes, and reading them costs more than the rest of a small
    contribution's check (about 40 ms of 70 at a million triples). ``strip`` gives the context
    in the default graph (what the SHACL engine reads), the unchanging part of it copied once.

    Raises:
        StoreError: the store cannot be read.
    """
    excluded = set(exclude)
    context: list[ox.Quad] = []
    shape_quads: list[ox.Quad] = []
    data_graphs: set[ox.NamedNode] = set()
    try:
        static, stripped = _static_graphs(project, store, generation)
        if strip:
            static = stripped
        for graph in store.named_graphs():
            if not isinstance(graph, ox.NamedNode) or graph.value in excluded:
                continue
            kind = _graph_kind(project, graph.value)
            if kind == "data" and not whole_graph:
                data_graphs.add(graph)
            elif kind in {"data", "ontology", "vocabulary"}:
                context += static[graph] if graph in static else store.quads_for_pattern(
                    None, None, None, graph)
            elif kind == "shapes":
                shape_quads += static[graph]
        near = _neighbourhood(store, data_graphs, list(new_quads),
                              ox.NamedNode(project.ontology_ns + "partOf"))
        context += _default_graph(near) if strip else near
        if strip and whole_graph:  # the data graphs read whole above, still in their graphs
            context = _default_graph(context)
    except OSError as exc:
        raise StoreError(f"cannot read the store: {exc}") from None
    return context, shape_quads


def _default_graph(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    return [q if isinstance(q.graph_name, ox.DefaultGraph)
            else ox.Quad(q.subject, q.predicate, q.object) for q in quads]


_STATIC_KINDS = frozenset({"ontology", "vocabulary", "shapes"})
_Static = dict[ox.NamedNode, list[ox.Quad]]
_static_kept: dict[tuple, tuple[_Static, _Static]] = {}
_static_lock = threading.Lock()


def _static_graphs(project: Project, store: ox.Store, generation: Path | None
                   ) -> tuple[_Static, _Static]:
    """The quads of the ontology, vocabulary and shapes graphs of ``store``, by graph, as they
    are and in the default graph;
    remembered for the store generation in ``generation`` (keyed by its directory's identity
    and manifest: a new generation is a new directory), read afresh without one."""
    key = None
    if generation is not None:
        with contextlib.suppress(OSError):
            directory = os.stat(generation)
            manifest = os.stat(Path(generation) / stores.MANIFEST)
            key = (str(Path(generation).resolve()), directory.st_ino, manifest.st_mtime_ns,
                   manifest.st_size)
    if key is not None:
        with _static_lock:
            if key in _static_kept:
                return _static_kept[key]
    found = {graph: list(store.quads_for_pattern(None, None, None, graph))
             for graph in store.named_graphs() if isinstance(graph, ox.NamedNode)
             and _graph_kind(project, graph.value) in _STATIC_KINDS}
    both = (found, {graph: _default_graph(quads) for graph, quads in found.items()})
    if key is not None:
        with _static_lock:
            if len(_static_kept) >= 4:  # old generations
                _static_kept.pop(next(iter(_static_kept)))
            _static_kept[key] = both
    return both


def revalidate(project: Project, store: ox.Store, previous: Sequence[ValidationResult],
               changed: Iterable[ox.Quad], inferred: Iterable[ox.Quad] | None = None,
               files: Collection[str] = ()) -> ValidationReport:
    """Validate ``store`` after some data graphs changed, keeping the earlier results the change
    cannot affect.

    ``previous`` are the results of validating the store before the change (with the same
    shapes and checks), ``changed`` the quads that left or entered it, ``inferred`` those that
    left or entered the inferred graph (``None``: not known), ``files`` the graphs of the changed
    files (a kept result about a resource of one is located again: its line may have moved).
    A shape looks at most :data:`CONTEXT_STEPS` steps forward from its focus node (and along
    ``hrg:partOf`` to the end), so a changed triple can only change the results of its subject,
    of what refers to the subject within that reach, and of its object (a
    ``sh:targetObjectsOf`` target). Those nodes are validated again, with the part of the graph
    they reach (:func:`context_quads`); the other results are kept. A SPARQL check that looks
    only forward from its focus (:mod:`hrgraph.check_reach`) runs again on the resources within
    its reach of a changed subject, the others over the whole graph. ``tests/test_rebuild.py``
    checks the report equals validating everything again, result for result.

    Raises:
        InputError: the shapes or a check are unusable.
        StoreError: the store cannot be read.
    """
    changed = list(changed)
    part_of = ox.NamedNode(project.ontology_ns + "partOf")
    data_graphs = {g for g in store.named_graphs() if isinstance(g, ox.NamedNode)
                   and _graph_kind(project, g.value) == "data"}
    touched = {q.subject for q in changed}
    # what a changed resource is about (REFERRER_LINKS) is described by it, before and after
    described = {q.object for node in touched for q in store.quads_for_pattern(node, None, None)
                 if q.predicate.value in REFERRER_LINKS and q.graph_name in data_graphs}
    affected = _upstream(store, data_graphs, touched, part_of) | described | {
        q.object for q in changed if isinstance(q.object, (ox.NamedNode, ox.BlankNode))}
    seeds = [q for node in affected for q in store.quads_for_pattern(node, None, None)
             if q.graph_name in data_graphs]
    names = {_name(n) for n in affected}
    fresh = _validate_part(project, store, seeds, names)
    kept = [r for r in previous if r.focus_node not in names and not _is_check(r)]
    checks = query.list_checks(project)
    local = {} if inferred is None else {
        c.name: steps for c in checks if (steps := check_reach.reach(c.text)) is not None}
    near, near_names = _near_checks(project, store, local, [*changed, *(inferred or ())])
    kept += [r for r in previous if _is_check(r) and _check_name(r) in local
             and r.focus_node not in near_names]
    whole = run_checks(project, store, only={c.name for c in checks} - set(local))
    moved = [r for r in kept if r.file is not None and project.graph_base
             + Path(r.file).with_suffix("").as_posix() in files]
    kept = [r for r in kept if r not in moved]
    extra = _located(project, store, data_graphs,
                     near + whole + [replace(r, file=None, line=None) for r in moved])
    # The results only: pyshacl's report graph of the kept results is not kept between builds
    # (`hrgraph validate` makes the whole one).
    return ValidationReport(results=sorted(kept + fresh + extra, key=_sort_key),
                            prefixes=query.prefixes(project))


def _near_checks(project: Project, store: ox.Store, local: dict[str, int],
                 changed: list[ox.Quad]) -> tuple[list[ValidationResult], set[str]]:
    """The results of the local checks (name → :func:`hrgraph.check_reach.reach`) about the
    resources within their reach of a subject of ``changed``, and those resources' names; the
    checks run on an in-memory store of what those resources reach (at 1M triples the six
    checks over the whole store took 1.4 s)."""
    if not local or not changed:
        return [], set()
    steps = max(local.values())
    graphs = check_reach.public_graphs(store, project.is_private)
    nodes = check_reach.upstream(store, graphs, {q.subject for q in changed}, steps - 1)
    names = {_name(n) for n in nodes}
    part = check_reach.near_store(store, graphs, nodes, steps)
    return run_checks(project, part, focus=names, only=set(local)), names


def _check_name(result: ValidationResult) -> str:
    return (result.constraint_component or "").removeprefix("SPARQL check ")


#: How many triples of the validated graphs :func:`validate_in_parts` takes at a time. Parts
#: are made of whole graphs (files), so a file larger than this is a part of its own. A part's
#: context can be several times its size (assessments bring in the demands they assess): at
#: 10M, two history files of 250,000 triples read 1.85M quads and peaked at 5.5 GB in SHACL,
#: one alone 1.0M and 3.4 GB (103 s, against 179 s for the two together).
PART_TRIPLES = 200_000


def validate_in_parts(project: Project, store: ox.Store, *, part_triples: int = PART_TRIPLES,
                      progress: Callable[[int, int], None] | None = None) -> ValidationReport:
    """Validate the whole graph in ``store`` a part at a time, in memory bounded by the size
    of a part rather than of the graph: the same results as :func:`validate_store`
    (``tests/test_validate_parts.py`` compares them), without its report graph.

    The validated graphs (data, ontology, vocabularies) are taken in order, whole, and grouped
    into parts of about ``part_triples`` triples. Each part is validated with the part of the
    graph the shapes can reach from its resources (:func:`_part_context`) and the ontology and
    vocabularies; a result is kept by the part that owns its focus node (:func:`_owner`), so
    each result comes from one part. The SPARQL checks run once, over the store.
    ``progress(done, total)`` counts triples, after each part.

    At a million triples the whole graph at once is faster (64 s against 218 s, same 2,306
    results) and peaks higher (2.14 GB against 1.77 GB): the build goes by parts only above
    ``hrgraph.build.PARTS_ABOVE``. A part's memory grows with its files and with the triples
    pointing at its resources, not with the graph.

    Raises:
        InputError: the shapes or a check are unusable.
        StoreError: the store cannot be read.
    """
    if part_triples < 1:
        raise ValueError("part_triples must be at least 1")
    try:
        counts = stores.graph_counts(store)
        validated = [g for g in store.named_graphs() if isinstance(g, ox.NamedNode)
                     and _graph_kind(project, g.value) in VALIDATED_KINDS]
        validated.sort(key=lambda g: g.value)
        static, stripped = _static_graphs(project, store, None)
        shapes = _shapes_graph([q for g, quads in static.items()
                                if _graph_kind(project, g.value) == "shapes" for q in quads])
        if len(shapes) == 0:
            shapes = _graph_from_files(project, project.files_of_kind("shapes"))
        always = [q for g, quads in stripped.items()
                  if _graph_kind(project, g.value) in VALIDATED_KINDS for q in quads]
        parts = _parts(validated, counts, part_triples)
        part_of = {graph: index for index, part in enumerate(parts) for graph in part}
        results: list[ValidationResult] = []
        done, total = 0, sum(counts.get(g.value, 0) for g in validated)
        for index, part in enumerate(parts):
            if len(shapes):
                data = ox.Store()
                data.bulk_extend(always)
                data.bulk_extend(ox.Quad(q.subject, q.predicate, q.object)
                                 for q in _part_context(project, store, part, validated))
                report = _pyshacl(data, shapes, advanced=True)
                del data
                found, _nodes = _results_from_report(report, None)
                del report
                results += [r for r in found if _owner(store, r.focus_node, part_of) == index]
            done += sum(counts.get(g.value, 0) for g in part)
            if progress is not None:
                progress(done, total)
    except OSError as exc:
        raise StoreError(f"cannot read the store: {exc}") from None
    data_graphs = [g for g in validated if _graph_kind(project, g.value) == "data"]
    located = _StoreGraph(store, validated)
    results = _locate(project, results,
                      subject_index(_files_holding(project, store, results, located)), located)
    results += _located_checks(project, store, data_graphs)
    return ValidationReport(results=sorted(results, key=_sort_key),
                            prefixes=query.prefixes(project))


def _parts(graphs: list[ox.NamedNode], counts: dict[str, int], size: int
           ) -> list[list[ox.NamedNode]]:
    """``graphs`` in order, grouped while a group holds fewer than ``size`` triples."""
    parts: list[list[ox.NamedNode]] = []
    held = size
    for graph in graphs:
        if held >= size:
            parts.append([])
            held = 0
        parts[-1].append(graph)
        held += counts.get(graph.value, 0)
    return parts


def _part_context(project: Project, store: ox.Store, part: list[ox.NamedNode],
                  validated: list[ox.NamedNode]) -> Iterator[ox.Quad]:
    """The triples of ``validated`` that validating the resources of the graphs ``part`` can
    depend on: :func:`_reach` from every subject of the part, with the triples pointing at the
    subjects of its data graphs (the ontology's classes and the vocabularies' concepts are
    pointed at by nearly everything, and no shape looks back at them) and at the resources it
    refers to that are described nowhere.
    """
    subjects: set[ox.Term] = set()
    pointed_at: set[ox.Term] = set()
    for graph in part:
        found = {q.subject for q in store.quads_for_pattern(None, None, None, graph)}
        subjects |= found
        if _graph_kind(project, graph.value) == "data":
            pointed_at |= found
    data = {g for g in validated if _graph_kind(project, g.value) == "data"}
    return _reach(store, set(validated), subjects, pointed_at,
                  ox.NamedNode(project.ontology_ns + "partOf"), nowhere=data)


def _owner(store: ox.Store, focus: str, part_of: dict[ox.NamedNode, int]) -> int:
    """The part that reports on ``focus``: the first part holding a triple about it, else the
    first holding one that points at it (a resource described nowhere), else the first."""
    term: ox.Term = ox.BlankNode(focus[2:]) if focus.startswith("_:") else ox.NamedNode(focus)
    for pattern in ((term, None, None), (None, None, term)):
        found = [part_of[q.graph_name] for q in store.quads_for_pattern(*pattern)
                 if q.graph_name in part_of]
        if found:
            return min(found)
    return 0


def _name(node: ox.Term) -> str:
    """A node as a result's ``focus_node`` names it."""
    return f"_:{node.value}" if isinstance(node, ox.BlankNode) else node.value


def _validate_part(project: Project, store: ox.Store, seeds: list[ox.Quad],
                   names: set[str]) -> list[ValidationResult]:
    """The SHACL results about the resources ``names``, validated with the ``seeds`` (their
    triples) and the part of ``store`` the shapes can reach from them; located in their files."""
    if not seeds:
        return []
    context, shape_quads = context_quads(project, store, seeds)
    part = ox.Store()
    part.extend(context)
    part.extend(shape_quads)
    return [r for r in validate_store(project, part, checks=False).results
            if r.focus_node in names]


def _located_checks(project: Project, store: ox.Store,
                    data_graphs: Iterable[ox.NamedNode]) -> list[ValidationResult]:
    """The results of the SPARQL checks over the whole store, located in their files."""
    return _located(project, store, data_graphs, run_checks(project, store))


def _located(project: Project, store: ox.Store, data_graphs: Iterable[ox.NamedNode],
             results: list[ValidationResult]) -> list[ValidationResult]:
    """``results`` located in the files of ``store`` that define their focus nodes."""
    data = _StoreGraph(store, list(data_graphs))
    return _locate(project, results, subject_index(_files_holding(project, store, results,
                                                                  data)), data)


def _is_check(result: ValidationResult) -> bool:
    return (result.constraint_component or "").startswith("SPARQL check ")


def _upstream(store: ox.Store, graphs: set[ox.NamedNode], nodes: set[ox.Term],
              part_of: ox.NamedNode) -> set[ox.Term]:
    """``nodes`` and the resources of ``graphs`` from which a shape can reach one of them: the
    mirror of :func:`_reach`, following links backwards."""
    found = set(nodes)
    frontier = set(nodes)
    step = 0
    while frontier:
        reached = set()
        for node in frontier:
            for quad in store.quads_for_pattern(None, None, node):
                if quad.graph_name in graphs and (step + 1 < CONTEXT_STEPS
                                                  or quad.predicate == part_of):
                    reached.add(quad.subject)
        frontier = reached - found
        found |= reached
        step += 1
    return found


#: How far from the validated files the context reaches: the stored triples about their
#: resources (step 0), about the resources those refer to (1), and about the ones those refer to
#: (2). The furthest any shape or check looks is two steps: a reiteration's later demand's
#: document's latest date (``hrg:laterDemand/hrg:madeIn/hrg:latestDate``), a demand's quote's
#: selector's text (``hrg:quotedFrom/oa:hasSelector/oa:exact``). ``hrg:partOf+`` is followed to
#: its end. A shape or check that looks further needs a larger number here.
CONTEXT_STEPS = 3

#: Links followed backwards from what a new resource points at, to the other resources that
#: point at the same thing, with their triples and the triples about them: the overlap shape
#: (``hrsh:Assessment-noOverlap``) compares an assessment with the other assessments of its demand
#: and the source conflicts about them.
SIBLING_LINKS = frozenset({"https://w3id.org/hrgraph/ontology#assessedDemand"})

_RDF_TYPE = ox.NamedNode(str(RDF.type))

#: Links by which a resource is described from elsewhere: the resources pointing at it this way
#: come into its context with their triples. A possible identity (``hrsh:PossiblySameAs``) is
#: recorded by a ``hrg:IdentityQuestion`` that is ``hrg:about`` both actors and cites a source.
REFERRER_LINKS = frozenset({"https://w3id.org/hrgraph/ontology#about"})


def _neighbourhood(store: ox.Store, graphs: set[ox.NamedNode], new_quads: list[ox.Quad],
                   part_of: ox.NamedNode) -> list[ox.Quad]:
    """The quads of ``graphs`` that validating ``new_quads`` (not in the store) can depend on:
    :func:`_reach` from every resource they mention, with the triples pointing at the resources
    they describe, and the siblings of what they link to along :data:`SIBLING_LINKS`."""
    if not graphs:
        return []
    start = {t for q in new_quads for t in (q.subject, q.object)
             if isinstance(t, (ox.NamedNode, ox.BlankNode))}
    linked = {q.object for q in new_quads if q.predicate.value in SIBLING_LINKS}
    return list(dict.fromkeys(_reach(store, graphs, start, {q.subject for q in new_quads},
                                     part_of, linked=linked)))


def _reach(store: ox.Store, graphs: set[ox.NamedNode], start: set[ox.Term],
           pointed_at: set[ox.Term], part_of: ox.NamedNode, *,
           linked: Iterable[ox.Term] = (), nowhere: Collection[ox.NamedNode] = ()
           ) -> Iterator[ox.Quad]:
    """The quads of ``graphs`` a shape can read when validating the resources ``start``.

    Forward: the triples of ``start`` (step 0), of what they refer to, for
    :data:`CONTEXT_STEPS` steps, then along ``part_of`` to the end. Backward: the triples
    pointing at ``pointed_at`` (they can make a resource a focus node, as
    ``sh:targetObjectsOf`` does), with the triples of those pointing by :data:`REFERRER_LINKS`;
    the siblings, the other resources pointing along :data:`SIBLING_LINKS` at what ``start``
    (step 0) or ``linked`` point at, with their triples and the triples pointing at them; with
    ``nowhere`` (graphs of data), the triples pointing at a resource of step 1 that has no
    triples of its own and that a triple of those graphs points at other than by ``rdf:type``
    (only when ``graphs`` hold the ontology and vocabularies: without them every class and
    concept is described nowhere, and everything pointing at it would come in). So a class
    described nowhere (``oa:SpecificResource``, the ``rdfs:range`` of ``hrg:quotedFrom`` in the
    ontology) never brings in the type triples of all its instances.
    Each resource's triples are read once (a quad may still come twice, by two reaches).
    """
    linked = set(linked)
    seen: set[ox.Term] = set()
    empty: set[ox.Term] = set()
    # What the data of step 0 refers to other than by rdf:type: a class described nowhere
    # (oa:TextQuoteSelector) is pointed at by every resource of its class in the graph, and no
    # shape looks back at it.
    referred: set[ox.Term] = set()
    frontier = set(start)
    step = 0
    while frontier:
        seen |= frontier
        reached: set[ox.Term] = set()
        for node in frontier:
            described = False
            for quad in store.quads_for_pattern(node, None, None):
                if quad.graph_name not in graphs:
                    continue
                described = True
                yield quad
                if isinstance(quad.object, (ox.NamedNode, ox.BlankNode)) and (
                        step + 1 < CONTEXT_STEPS or quad.predicate == part_of):
                    reached.add(quad.object)
                if step == 0 and quad.predicate.value in SIBLING_LINKS:
                    linked.add(quad.object)
                if step == 0 and quad.graph_name in nowhere and quad.predicate != _RDF_TYPE:
                    referred.add(quad.object)
            if step == 1 and not described and node in referred:  # only with nowhere
                empty.add(node)
        frontier = reached - seen
        step += 1
    siblings = {q.subject for node in linked for q in store.quads_for_pattern(None, None, node)
                if q.graph_name in graphs and q.predicate.value in SIBLING_LINKS}
    referrers: set[ox.Term] = set()
    for node in pointed_at | empty | siblings:
        for quad in store.quads_for_pattern(None, None, node):
            if quad.graph_name in graphs:
                yield quad
                if node in pointed_at and quad.predicate.value in REFERRER_LINKS:
                    referrers.add(quad.subject)
    for node in (referrers | siblings) - seen:
        for quad in store.quads_for_pattern(node, None, None):
            if quad.graph_name in graphs:
                yield quad


def _graph_from_files(project: Project, sources: Iterable[Any]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for source in sources:
        _add_quads(graph, load.parse_file(project, source.path))
    return graph
