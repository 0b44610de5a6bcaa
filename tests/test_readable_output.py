"""Turtle and TriG that hrgraph writes (exports, merged contributions, release descriptions,
pages) are readable: IRIs as ``person:x``, ``action:y`` with the project's prefixes, one per
namespace path, and never a local name with a backslash escape (``hrv:action-type\\/x``); an IRI
no prefix fits without one is written whole. The output reads back as the same graph in rdflib
and pyoxigraph."""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from conftest import REPO, repo_project
from hrgraph import contribute
from hrgraph import export as exports
from hrgraph import store as stores
from hrgraph.project import Project
from hrgraph.terms import ID_PREFIXES, VOCAB_PREFIXES, to_rdflib, to_rdflib_graph

# A quoted Turtle string as the writers produce them (one line, backslash escapes inside).
STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
EXAMPLE_XLSX = REPO / "data" / "templates" / "example.xlsx"


def escapes_outside_strings(text: str) -> list[str]:
    """The lines of ``text`` with a backslash outside a string literal: in Turtle written by
    hrgraph, only a local name escape (``a\\/b``, ``a\\.``) could put one there."""
    found = []
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if "\\" in STRING.sub('""', line):
            found.append(line)
    return found


def same_graph(turtle: bytes, triples: list[ox.Triple]) -> None:
    """``turtle`` parses, in pyoxigraph and in rdflib, to exactly ``triples``."""
    expected = to_rdflib_graph(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    by_oxigraph = to_rdflib_graph(ox.Quad(t.subject, t.predicate, t.object)
                                  for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE))
    by_rdflib = rdflib.Graph().parse(data=turtle, format="turtle")
    assert isomorphic(by_oxigraph, expected)
    assert isomorphic(by_rdflib, expected)


# --------------------------------------------------------------------------- the writer


@pytest.mark.parametrize("local, valid", [
    ("viasna", True), ("2-3-1-a", True), ("a.b", True), ("a%2Fb", True), ("a:b", True),
    ("вясна", True), ("_x", True), ("x_", True), ("", True),
    ("a/b", False), ("a.", False), (".a", False), ("-a", False), ("a~b", False),
    ("a?b", False), ("a#b", False), ("a(b)", False), ("a,b", False), ("a;b", False),
    ("a'b", False), ("a@b", False), ("a=b", False), ("a+b", False), ("a!b", False),
])
def test_local_names_are_written_only_when_they_need_no_escape(local: str, valid: bool) -> None:
    iri = "https://w3id.org/hrgraph/id/person/" + local
    names = exports.TurtleNames({"person": "https://w3id.org/hrgraph/id/person/"})
    written = names.iri(iri)
    assert written == (f"person:{local}" if valid else f"<{iri}>")
    # Either way it reads back as the IRI, in both parsers.
    turtle = (names.prologue() + f"{written} a {written} .\n").encode()
    same_graph(turtle, [ox.Triple(ox.NamedNode(iri), ox.NamedNode(exports.RDF_TYPE),
                                  ox.NamedNode(iri))])


def test_one_prefix_per_namespace_path_and_deeper_paths_whole() -> None:
    prefixes = {"hrv": "https://w3id.org/hrgraph/vocab/",
                "action": "https://w3id.org/hrgraph/vocab/action-type/",
                "hrid": "https://w3id.org/hrgraph/id/"}
    names = exports.TurtleNames(prefixes, mint_below=("https://w3id.org/hrgraph/id/",))
    assert names.iri("https://w3id.org/hrgraph/vocab/action-type/international-action") == (
        "action:international-action")
    assert names.iri("https://w3id.org/hrgraph/vocab/action-type") == "hrv:action-type"
    # A kind without a prefix of its own gets one named after it; a path deeper than one
    # segment below a prefix is written whole rather than as demand:a\/b.
    assert names.iri("https://w3id.org/hrgraph/id/open-question/q1") == "open-question:q1"
    assert names.iri("https://w3id.org/hrgraph/id/demand/doc/1-a") == (
        "<https://w3id.org/hrgraph/id/demand/doc/1-a>")
    assert set(names.used) == {"action", "hrv", "open-question"}


def test_literals_read_back_with_their_datatypes_and_languages() -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    subject, predicate = ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p")
    values = [ox.Literal("1", datatype=ox.NamedNode(xsd + "integer")),
              ox.Literal("007", datatype=ox.NamedNode(xsd + "integer")),
              ox.Literal("1.50", datatype=ox.NamedNode(xsd + "decimal")),
              ox.Literal("1e3", datatype=ox.NamedNode(xsd + "double")),
              ox.Literal("1.5", datatype=ox.NamedNode(xsd + "double")),
              ox.Literal("true", datatype=ox.NamedNode(xsd + "boolean")),
              ox.Literal("2016-02", datatype=ox.NamedNode(xsd + "gYearMonth")),
              ox.Literal("not a number", datatype=ox.NamedNode(xsd + "integer")),
              ox.Literal('line\nbreak "quoted" \\ back', language="be-latn"),
              ox.Literal("plain")]
    triples = [ox.Triple(subject, predicate, v) for v in values]
    text = exports.write_turtle(triples, {"xsd": xsd})
    by_oxigraph = {str(t) for t in ox.parse(text, format=ox.RdfFormat.TURTLE)}
    assert by_oxigraph == {str(t) for t in triples}
    assert "1, 007, 1.50, 1e3" in text.decode()
    same_graph(text, triples)


def test_the_prefix_table_is_the_one_the_data_files_use() -> None:
    """Every prefix the project's data, ontology and vocabulary files declare for one of its own
    namespaces (or a linked dataset's) is the prefix written Turtle uses for it."""
    project = repo_project()
    prefixes = exports.turtle_prefixes(project)
    declared: dict[str, str] = {}
    files = [*(REPO / "data").rglob("*.ttl"), *(REPO / "ontology").rglob("*.ttl"),
             *(REPO / "shapes").rglob("*.ttl")]
    for path in files:
        for name, namespace in re.findall(r"^@prefix\s+([\w-]*):\s+<([^>]*)>",
                                          path.read_text(encoding="utf-8"), re.M):
            declared[name] = namespace
    assert declared, "no prefixes found in the data"
    for name, namespace in declared.items():
        assert prefixes.get(name) == namespace, (name, namespace)
    # and the table names every kind of the data's IRIs
    kinds = {path.split("/", 1)[0] for path in ID_PREFIXES.values()}
    schemes = {path.rstrip("/") for path in VOCAB_PREFIXES.values()}
    iris = set(re.findall(r"https://w3id\.org/hrgraph/(id|vocab)/([\w-]+)/",
                          "".join(p.read_text(encoding="utf-8") for p in files)))
    assert {k for base, k in iris if base == "id"} <= kinds
    assert {k for base, k in iris if base == "vocab"} <= schemes


# --------------------------------------------------------------------------- exports


@pytest.fixture(scope="module")
def store(built_project: Project) -> ox.Store:
    return stores.open_store(built_project, read_only=True)


@pytest.mark.parametrize("graphs, include_inferred", [((), False), ((), True),
                                                      (("shapes",), False)])
def test_the_turtle_export_has_no_escapes_and_reads_back_in_both_parsers(
        built_project: Project, store: ox.Store, graphs: tuple[str, ...],
        include_inferred: bool) -> None:
    result = exports.export(built_project, store, "ttl", graphs=graphs,
                            include_inferred=include_inferred)
    text = result.data.decode()
    assert escapes_outside_strings(text) == []
    assert "\\/" not in STRING.sub('""', text)
    if not graphs:
        for prefixed in ("action:", "topic:", "person:", "organisation:", "demand:"):
            assert f"\n@prefix {prefixed}" in "\n" + text
        assert re.search(r"\baction:[a-z]", text)
    quads = exports.export_quads(built_project, store, graphs,
                                 include_inferred=include_inferred)
    same_graph(result.data, [q.triple for q in quads])
    again = exports.export(built_project, store, "ttl", graphs=graphs,
                           include_inferred=include_inferred)
    assert again.data == result.data


# rdflib's TriG parser calls its deprecated ConjunctiveGraph and default_context (rdflib 7.6)
@pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")
def test_the_trig_export_has_no_escapes_and_keeps_every_graph(
        built_project: Project, store: ox.Store) -> None:
    result = exports.export(built_project, store, "trig", include_inferred=True)
    text = result.data.decode()
    assert escapes_outside_strings(text) == []
    quads = exports.export_quads(built_project, store, include_inferred=True)
    parsed = list(ox.parse(result.data, format=ox.RdfFormat.TRIG))
    assert {str(q) for q in parsed} == {str(q) for q in quads}
    dataset = rdflib.Dataset()
    dataset.parse(data=result.data, format="trig")

    def key(*terms) -> tuple:  # rdflib renames blank nodes (the property chains' RDF lists)
        return tuple("_:" if isinstance(t, rdflib.BNode) else str(t) for t in terms)

    assert Counter(key(s, p, o, g) for s, p, o, g in dataset.quads()) == Counter(
        key(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), q.graph_name.value)
        for q in quads)
    assert exports.export(built_project, store, "trig", include_inferred=True).data == (
        result.data)


def test_the_release_description_has_no_escapes(built_project: Project, store: ox.Store,
                                                tmp_path: Path) -> None:
    from hrgraph import describe

    release = describe.release(built_project, store, "9.9.9", tmp_path / "r",
                               issued=datetime.date(2026, 1, 1))
    text = (release.folder / "description.ttl").read_text(encoding="utf-8")
    assert escapes_outside_strings(text) == []
    assert "@prefix spdx:" in text
    export_ttl = (release.folder / "hrgraph-9.9.9.ttl").read_text(encoding="utf-8")
    assert escapes_outside_strings(export_ttl) == []


# --------------------------------------------------------------------------- contributions


def test_a_merged_spreadsheet_reads_as_prefixed_names(built_copy: Project) -> None:
    """The example spreadsheet's merged Turtle: action:…, topic:…, no escape, the same graph."""
    when = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    result = contribute.add_contribution(built_copy, EXAMPLE_XLSX, now=when)
    assert result.merged, result.report.to_text()
    data = result.path.read_bytes()
    text = data.decode()
    assert escapes_outside_strings(text) == []
    assert "hrv:action-type" not in text
    assert re.search(r"\baction:[a-z]", text) and re.search(r"\bdemand:[a-z]", text)
    store = stores.open_store(built_copy, read_only=True)
    merged = [q.triple for q in store.quads_for_pattern(None, None, None,
                                                        ox.NamedNode(result.graph))]
    same_graph(data, merged)


def test_normalised_turtle_writes_whole_iris_where_a_name_would_need_an_escape(
        built_project: Project) -> None:
    base = built_project.id_base
    odd = [ox.NamedNode(base + "demand/doc-2021/1-a"), ox.NamedNode(base + "person/ends-in."),
           ox.NamedNode(base + "person/a~b"), ox.NamedNode(base + "mention/m1")]
    label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    triples = [ox.Triple(iri, label, ox.Literal(f"name {i}", language="en"))
               for i, iri in enumerate(odd)]
    triples.append(ox.Triple(odd[0], ox.NamedNode(built_project.ontology_ns + "actionType"),
                             ox.NamedNode(built_project.vocab_base
                                          + "action-type/international-action")))
    data = contribute.normalised_turtle(built_project, triples, header="a header")
    text = data.decode()
    assert escapes_outside_strings(text) == []
    for iri in odd[:3]:
        assert f"<{iri.value}>" in text
    assert "mention:m1" in text and "action:international-action" in text
    assert text.startswith("# a header\n")
    same_graph(data, triples)
    assert contribute.normalised_turtle(built_project, reversed(triples),
                                        header="a header") == data


# --------------------------------------------------------------------------- the command line
# Issue 18, item 9: tables fit the terminal, names without a glued language tag, stats readable.


def query_cli(project: Project, *args: str, columns: str | None = "80"):
    """`hrgraph …` through click's runner, with $COLUMNS as a terminal of that width sets it
    (``None``: unset, as in a pipe)."""
    from click.testing import CliRunner

    from hrgraph.cli import main

    return CliRunner().invoke(main, ["--project", str(project.root), "--store",
                                     str(project.store_path), *args], env={"COLUMNS": columns})


def runnable_saved_queries(project: Project) -> list[tuple[str, list[str]]]:
    """Every saved query with the parameters it needs (its header's examples)."""
    from hrgraph.query import list_queries

    found = []
    for saved in list_queries(project):
        args = []
        for param in saved.params.values():
            if param.required:
                examples = param.example if isinstance(param.example, list) else [param.example]
                args += [a for e in examples for a in ("--param", f"{param.name}={e}")]
        found.append((saved.name, args))
    return found


def test_every_saved_query_fits_80_columns(built_project: Project) -> None:
    """Regression: 9 of 10 saved queries printed 103-319 columns at 80."""
    wide_before = 0
    for name, args in runnable_saved_queries(built_project):
        fitted = query_cli(built_project, "query", name, *args)
        assert fitted.exit_code == 0, (name, fitted.stderr)
        lines = fitted.stdout.splitlines()
        assert max(len(line) for line in lines) <= 80, (name, fitted.stdout)
        whole = query_cli(built_project, "query", name, *args, "--wide")
        assert whole.exit_code == 0, (name, whole.stderr)
        assert "--wide" not in whole.stdout, name
        if max(len(line) for line in whole.stdout.splitlines()) > 80:
            wide_before += 1
    assert wide_before >= 10  # the check is not empty: most tables are wider than 80 whole


def test_cut_cells_end_in_an_ellipsis_and_wide_shows_them_whole(built_project: Project) -> None:
    from hrgraph.query import run_saved

    quotes = [row["other_quote"].value
              for row in run_saved(built_project, "similar-demands").rows]
    longest = max(quotes, key=len)
    assert len(longest) > 80

    def last_column(table: str) -> str:  # other_quote is the last column: its lines, joined
        lines = table.splitlines()
        start = lines[0].index("other_quote")
        return " ".join(line[start:].strip() for line in lines[2:])

    fitted = query_cli(built_project, "query", "similar-demands", columns="100").stdout
    assert max(len(line) for line in fitted.splitlines()) <= 100
    assert longest not in last_column(fitted) and "…" in fitted
    assert "--wide shows them whole" in " ".join(fitted.split())
    whole = query_cli(built_project, "query", "similar-demands", "--wide").stdout
    assert longest in last_column(whole) and "…" not in whole


def test_a_pipe_without_columns_gets_the_whole_table(built_project: Project) -> None:
    """No terminal and no $COLUMNS (a script's pipe): nothing is cut."""
    piped = query_cli(built_project, "query", "similar-demands", columns=None).stdout
    assert piped == query_cli(built_project, "query", "similar-demands", "--wide").stdout
    assert "…" not in piped


def test_fitting_a_table_never_passes_the_width() -> None:
    from hrgraph.query import QueryResult

    variables = [f"column_{i}" for i in range(12)]
    rows = [{v: ox.Literal(f"value {i} " * (i + 1)) for i, v in enumerate(variables)}
            for _ in range(3)]
    result = QueryResult("select", variables, rows)
    for width in (20, 40, 80, 120):
        table = result.to_table(width=width)
        assert max(len(line) for line in table.splitlines()) <= width, (width, table)
        assert "…" in table
    whole = result.to_table()
    assert "…" not in whole and max(len(line) for line in whole.splitlines()) > 120
    narrow = QueryResult("select", ["a", "b"], [{"a": ox.Literal("x"), "b": ox.Literal("y")}])
    assert narrow.to_table(width=80) == narrow.to_table()  # what fits is left as it is


def test_a_name_beside_its_language_column_has_no_glued_tag(built_project: Project) -> None:
    """Regression: `signatories` printed "Вясна@be" beside a language column saying "be"."""
    from hrgraph.query import QueryResult

    result = query_cli(built_project, "query", "signatories", "--wide")
    assert result.exit_code == 0, result.stderr
    assert "language" in result.stdout.splitlines()[0]
    assert not re.search(r"\w@(be|ru|be-latn)\b", result.stdout), result.stdout
    assert "Праваабарончы цэнтр «Вясна»" in result.stdout or "«Вясна»" in result.stdout
    name = ox.Literal("Вясна", language="be")
    alone = QueryResult("select", ["name"], [{"name": name}])
    assert "Вясна@be" in alone.to_table()  # without a column saying it, the tag stays
    beside = QueryResult("select", ["name", "language"],
                         [{"name": name, "language": ox.Literal("be")}])
    assert "Вясна@be" not in beside.to_table() and "Вясна" in beside.to_table()
    assert "Вясна@be" not in beside.to_markdown()


def test_stats_prints_prefixed_names_and_counts_no_shapes(built_project: Project) -> None:
    """Regression: `stats` mixed full IRIs with prefixed names, and counted the shapes
    (sh:PropertyShape, sh:NodeShape …) as instances."""
    result = query_cli(built_project, "stats")
    assert result.exit_code == 0, result.stderr
    classes = result.stdout.split("triples per graph:")[0]
    assert "foaf:Person" in classes and "skos:Concept" in classes and "hrg:Demand" in classes
    assert "http://" not in classes and "https://" not in classes
    assert "sh:" not in classes
    counts = json.loads(query_cli(built_project, "stats", "--json").stdout)
    assert not [c for c in counts["classes"] if c.startswith("http://www.w3.org/ns/shacl#")]
    assert any(g.startswith("shapes/") for g in result.stdout.split("triples per graph:")[1]
               .split())  # the shapes' triples are still counted, as a graph
