"""hrgraph.export and `hrgraph export`: formats, determinism, round trips, graphs, secrets."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from conftest import REPO
from hrgraph import export as exports
from hrgraph.build import build
from hrgraph.cli import main
from hrgraph.project import Project
from hrgraph.store import open_store

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
ID = "https://w3id.org/hrgraph/id/"
PARSE = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
         "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML}


@pytest.fixture(scope="module")
def exported(built_project: Project) -> dict[str, bytes]:
    store = open_store(built_project, read_only=True)
    return {fmt: exports.export(built_project, store, fmt).data for fmt in exports.FORMATS}


@pytest.fixture(scope="module")
def public_quads(built_project: Project) -> list[ox.Quad]:
    return exports.export_quads(built_project, open_store(built_project, read_only=True))


@pytest.mark.parametrize("fmt", list(exports.FORMATS))
def test_every_format_reads_back_as_the_exported_graphs(fmt: str, exported: dict[str, bytes],
                                                        public_quads: list[ox.Quad]) -> None:
    parsed = list(ox.parse(exported[fmt], format=PARSE[fmt]))
    if exports.FORMATS[fmt].keeps_graphs:
        assert {str(q) for q in parsed} == {str(q) for q in public_quads}
    else:
        assert {str(q.triple) for q in parsed} == {str(q.triple) for q in public_quads}


# rdflib's own parsers call its deprecated ConjunctiveGraph and default_context (rdflib 7.6)
@pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")
def test_jsonld_is_the_default_graph_any_reader_sees(exported: dict[str, bytes],
                                                     public_quads: list[ox.Quad]) -> None:
    """Regression: every triple sat in a named graph, so a reader of triples got none
    (``rdflib.Graph().parse`` gave 0, Turtle 5,057). The default graph holds what Turtle holds."""
    document = json.loads(exported["jsonld"])
    assert isinstance(document["@context"], dict), "the context must be embedded, not linked"
    assert document["@context"]["Demand"] == "hrg:Demand"
    assert not any("@graph" in node for node in document["@graph"]), "no named graph by default"
    from_jsonld = rdflib.Graph().parse(data=exported["jsonld"], format="json-ld")
    from_turtle = rdflib.Graph().parse(data=exported["ttl"], format="turtle")
    assert len(from_jsonld) == len(from_turtle) > 5000
    # the RDF lists of the ontology's property chains are blank nodes: equal up to their names
    assert isomorphic(from_jsonld, from_turtle)
    assert len(from_jsonld) == len({str(q.triple) for q in public_quads})


@pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")
def test_jsonld_with_named_graphs_reads_back_as_the_graphs(built_project: Project,
                                                           exported: dict[str, bytes]) -> None:
    store = open_store(built_project, read_only=True)
    data = exports.export(built_project, store, "jsonld", named_graphs=True).data
    from_jsonld = rdflib.Dataset()
    from_jsonld.parse(data=data, format="json-ld")
    from_nquads = rdflib.Dataset()
    from_nquads.parse(data=exported["nq"], format="nquads")

    def named(dataset: rdflib.Dataset) -> set:
        return {q for q in dataset.quads() if not any(isinstance(t, rdflib.BNode) for t in q)}

    def blank(dataset: rdflib.Dataset) -> rdflib.Graph:
        graph = rdflib.Graph()
        for q in dataset.quads():
            if any(isinstance(t, rdflib.BNode) for t in q):
                graph.add(q[:3])
        return graph

    assert named(from_jsonld) == named(from_nquads)
    assert len(blank(from_nquads)) and isomorphic(blank(from_jsonld), blank(from_nquads))
    graphs = {str(g.identifier) for g in from_jsonld.graphs() if len(g)}
    assert built_project.graph_base + "data/documents/concerted-position-2016" in graphs
    assert len(graphs) > 20
    assert len(rdflib.Graph().parse(data=data, format="json-ld")) == 0  # all in named graphs


def test_jsonld_writes_a_triple_of_several_graphs_once(built_project: Project) -> None:
    subject, label = ox.NamedNode(ID + "person/x"), ox.NamedNode(RDF_NS + "value")
    shared = ox.Literal("in both graphs")
    quads = sorted((ox.Quad(subject, label, value, ox.NamedNode(built_project.graph_base + g))
                    for g, value in (("data/a", shared), ("data/b", shared),
                                     ("data/b", ox.Literal("in b only")))),
                   key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate),
                                  str(q.object)))
    plain = exports.to_jsonld(built_project, quads).decode()
    assert plain.count('"in both graphs"') == 1 and plain.count('"in b only"') == 1
    assert len(list(ox.parse(plain.encode(), format=ox.RdfFormat.JSON_LD))) == 2
    with_graphs = exports.to_jsonld(built_project, quads, named_graphs=True).decode()
    assert with_graphs.count('"in both graphs"') == 2
    assert {str(q.graph_name) for q in ox.parse(with_graphs.encode(),
                                                 format=ox.RdfFormat.JSON_LD)} == {
        f"<{built_project.graph_base}data/a>", f"<{built_project.graph_base}data/b>"}


def test_named_graphs_are_refused_for_a_triple_format(cli, built_project: Project) -> None:
    result = cli.invoke(main, ["--project", str(built_project.root), "--store",
                               str(built_project.store_path), "export", "--format", "ttl",
                               "--named-graphs"])
    assert result.exit_code == 2 and "--named-graphs is for jsonld" in result.stderr
    result = cli.invoke(main, ["--project", str(built_project.root), "--store",
                               str(built_project.store_path), "export", "--format", "jsonld",
                               "--named-graphs"])
    assert result.exit_code == 0, result.output
    assert '"@graph": [' in result.stdout.split('"@id": "https://w3id.org/hrgraph/graph/', 1)[1]


def test_jsonld_uses_short_keys(exported: dict[str, bytes]) -> None:
    text = exported["jsonld"].decode()
    assert '"madeIn": "hrid:document/' in text
    assert '"@type": [\n      "Demand"' in text or '"Demand"' in text


def test_exports_are_byte_identical_across_runs_and_processes(built_project: Project,
                                                              exported: dict[str, bytes],
                                                              tmp_path: Path) -> None:
    again = open_store(built_project, read_only=True)
    for fmt in exports.FORMATS:
        assert exports.export(built_project, again, fmt).data == exported[fmt], fmt
    named = exports.export(built_project, again, "jsonld", named_graphs=True).data
    assert named == exports.export(built_project, again, "jsonld", named_graphs=True).data
    # A fresh process with another hash seed: no order may come from a Python set or dict.
    script = ("import sys; from pathlib import Path; from hrgraph.project import Project; "
              "from hrgraph import export; from hrgraph.store import open_store; "
              "p = Project.open(sys.argv[1], store=sys.argv[2]); "
              "s = open_store(p, read_only=True)\n"
              "for f in export.FORMATS: export.export(p, s, f, output=Path(sys.argv[3]) / f)")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(built_project.root),
                    str(built_project.store_path), str(tmp_path)], check=True, env=env)
    for fmt in exports.FORMATS:
        assert (tmp_path / fmt).read_bytes() == exported[fmt], fmt


def test_default_export_is_data_ontology_and_vocabularies(built_project: Project,
                                                          public_quads: list[ox.Quad]) -> None:
    graphs = {q.graph_name.value.removeprefix(built_project.graph_base) for q in public_quads}
    assert "ontology/hrgraph" in graphs and "ontology/vocabularies/statuses" in graphs
    assert "data/documents/concerted-position-2016" in graphs
    assert not any(g.startswith("shapes/") or g == "inferred" for g in graphs)


def test_data_has_no_blank_nodes_and_lower_case_language_tags(
        public_quads: list[ox.Quad]) -> None:
    """No blank nodes but the RDF lists of the ontology's property chains (OWL's own
    structure, as SHACL's are in the shapes)."""
    chain = "http://www.w3.org/2002/07/owl#propertyChainAxiom"
    lists = {RDF_NS + "first", RDF_NS + "rest"}
    assert not [q for q in public_quads
                if (isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode))
                and q.predicate.value not in lists | {chain}]
    assert all(q.graph_name.value.endswith("/ontology/hrgraph") for q in public_quads
               if q.predicate.value in lists and isinstance(q.subject, ox.BlankNode))
    tags = {q.object.language for q in public_quads
            if isinstance(q.object, ox.Literal) and q.object.language}
    assert "be-latn" in tags and all(t == t.lower() for t in tags)


def test_graph_options_choose_shapes_and_inferred(built_project: Project) -> None:
    store = open_store(built_project, read_only=True)
    base = built_project.graph_base
    assert exports.select_graphs(built_project, store, ["shapes"]) == [
        base + "shapes/core", base + "shapes/recommended"]
    assert exports.select_graphs(built_project, store, [base + "shapes/core"]) == [
        base + "shapes/core"]
    with_inferred = exports.select_graphs(built_project, store, include_inferred=True)
    assert built_project.inferred_graph in with_inferred
    assert built_project.inferred_graph not in exports.select_graphs(built_project, store)


def test_the_shipped_context_is_generated_from_the_ontology(built_project: Project) -> None:
    shipped = json.loads((REPO / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    generated = exports.build_context(built_project, open_store(built_project, read_only=True))
    assert shipped == {"@context": generated}, (
        "ontology/context.jsonld is out of date: run hrgraph.export.write_context(project, store)")
    assert generated["confidential"] == "hrg:confidential"
    assert generated["assessedDemand"] == {"@id": "hrg:assessedDemand", "@type": "@id"}


CANARY = """\
@prefix hrg:  <https://w3id.org/hrgraph/ontology#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix oa:   <http://www.w3.org/ns/oa#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

<https://w3id.org/hrgraph/id/demand/canary-secret>
    a hrg:Demand ;
    hrg:confidential true ;
    hrg:quote "CANARY-QUOTE-7f3a"@en ;
    hrg:madeIn <https://w3id.org/hrgraph/id/document/concerted-position-2016> ;
    hrg:quotedFrom <https://w3id.org/hrgraph/id/quote/canary-q> .

<https://w3id.org/hrgraph/id/quote/canary-q>
    a oa:SpecificResource ;
    oa:hasSelector <https://w3id.org/hrgraph/id/quote/canary-q-selector> .

<https://w3id.org/hrgraph/id/quote/canary-q-selector>
    a oa:TextQuoteSelector ;
    oa:exact "CANARY-SELECTOR-91bd" ;
    oa:refinedBy <https://w3id.org/hrgraph/id/quote/canary-q-target> .

<https://w3id.org/hrgraph/id/quote/canary-q-target>
    a oa:TextQuoteSelector ;
    oa:exact "CANARY-TARGET-0b0e" .

<https://w3id.org/hrgraph/id/demand/canary-secret/note>
    skos:note "CANARY-BELOW-IRI-77aa"@en .

<https://w3id.org/hrgraph/id/person/canary-informant>
    a foaf:Person ;
    hrg:confidential "1"^^xsd:boolean ;
    skos:prefLabel "CANARY-NAME-c0de"@en .

<https://w3id.org/hrgraph/id/person/canary-public>
    a foaf:Person ;
    hrg:confidential false ;
    skos:prefLabel "PUBLIC-NAME-5eed"@en ;
    foaf:knows <https://w3id.org/hrgraph/id/person/canary-informant> .
"""

CANARY_GRAPH = """\
@prefix hrg:  <https://w3id.org/hrgraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

<https://w3id.org/hrgraph/graph/data/canary-file> hrg:confidential true .
<https://w3id.org/hrgraph/id/person/canary-in-secret-file> skos:prefLabel "CANARY-FILE-aa11"@en .
"""


def test_confidential_entries_are_never_exported(project: Project) -> None:
    (project.data_dir / "canary.ttl").write_text(CANARY, encoding="utf-8")
    (project.data_dir / "canary-file.ttl").write_text(CANARY_GRAPH, encoding="utf-8")
    build(project)
    store = open_store(project, read_only=True)
    for graphs, formats in (((), list(exports.FORMATS)), (("data", "shapes"), ["nq", "jsonld"])):
        for fmt, named_graphs in [(f, False) for f in formats] + [("jsonld", True)]:
            text = exports.export(project, store, fmt, graphs=graphs, include_inferred=True,
                                  named_graphs=named_graphs).data.decode()
            for secret in ("CANARY-", "canary-secret", "canary-informant", "canary-file",
                           "canary-in-secret-file", "canary-q"):
                assert secret not in text, (fmt, named_graphs, secret)
            assert "PUBLIC-NAME-5eed" in text, fmt
    # the positive control: the organisation's own backup, in the new default JSON-LD too
    backup = exports.export(project, store, "jsonld", include_confidential=True).data.decode()
    assert "CANARY-QUOTE-7f3a" in backup and "CANARY-FILE-aa11" in backup
    # the flag hides only what it marks: the public person stays, without the link to the secret
    quads = exports.export_quads(project, store)
    public = [q for q in quads if q.subject.value.endswith("canary-public")]
    assert {q.predicate.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for q in public} == {
        "type", "confidential", "prefLabel"}


def test_cli_writes_a_file_and_reports_it(cli, built_project: Project, tmp_path: Path,
                                          exported: dict[str, bytes]) -> None:
    target = tmp_path / "out.nq"
    result = cli.invoke(main, ["--project", str(built_project.root), "--store",
                               str(built_project.store_path), "export", "--format", "nq",
                               "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == exported["nq"]
    assert "wrote" in result.stderr
    result = cli.invoke(main, ["--project", str(built_project.root), "--store",
                               str(built_project.store_path), "export", "--format", "ttl"])
    assert result.exit_code == 0 and result.stdout.encode() == exported["ttl"]


def test_cli_export_to_an_unwritable_place_exits_3(cli, built_project: Project,
                                                   tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "out.nt"
    result = cli.invoke(main, ["--project", str(built_project.root), "--store",
                               str(built_project.store_path), "export", "--format", "nt",
                               "-o", str(target)])
    assert result.exit_code == 3
    assert f"cannot write {target}" in result.stderr
    assert not target.parent.exists()


def test_query_output_to_a_missing_folder_exits_3(cli, built_project: Project,
                                                  tmp_path: Path) -> None:
    """Regression: ``query -o`` into a missing folder exited 2; the README says 3."""
    target = tmp_path / "missing-folder" / "out.csv"
    result = cli.invoke(main, ["--project", str(built_project.root), "--store",
                               str(built_project.store_path), "query",
                               "count-demands-by-status", "-o", str(target)])
    assert result.exit_code == 3
    assert f"cannot write {target}" in result.stderr


def test_exports_are_readable_by_others_as_new_files_are(cli, built_project: Project,
                                                         tmp_path: Path) -> None:
    """Regression: exports (through a temporary file) were written with mode 0600."""
    mask = os.umask(0o022)
    try:
        for command in (["export", "--format", "nt", "-o", str(tmp_path / "out.nt")],
                        ["query", "count-demands-by-status", "-o", str(tmp_path / "q.csv")]):
            result = cli.invoke(main, ["--project", str(built_project.root), "--store",
                                       str(built_project.store_path), *command])
            assert result.exit_code == 0, result.stderr
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "out.nt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "q.csv").stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_cli_unknown_graph_exits_2(cli, built_project: Project) -> None:
    result = cli.invoke(main, ["--project", str(built_project.root), "--store",
                               str(built_project.store_path), "export", "--graph", "nope"])
    assert result.exit_code == 2
    assert "no graph called 'nope'" in result.stderr


@pytest.mark.parametrize(("fmt", "named_graphs"), [("nt", False), ("nq", False),
                                                  ("jsonld", False), ("jsonld", True)])
@pytest.mark.parametrize("include_inferred", [False, True])
def test_line_formats_dumped_by_oxigraph_equal_the_term_by_term_writer(
        built_project: Project, fmt: str, named_graphs: bool, include_inferred: bool) -> None:
    """N-Triples, N-Quads and JSON-LD are written from Oxigraph's own dump, sorted as bytes
    (fast at a million triples); the result is byte for byte what serialising the sorted quads
    gives."""
    store = open_store(built_project, read_only=True)
    fast = exports.export(built_project, store, fmt, include_inferred=include_inferred,
                          named_graphs=named_graphs)
    quads = exports.export_quads(built_project, store, include_inferred=include_inferred)
    assert fast.data == exports.serialize(built_project, quads, fmt, named_graphs=named_graphs)
    assert fast.quads == len(quads)


@pytest.mark.parametrize("fmt", ["nt", "nq"])
def test_the_external_sort_the_sort_in_memory_and_the_quads_agree(
        built_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        fmt: str) -> None:
    """N-Triples and N-Quads go through the system's ``sort`` (bounded memory): the same bytes
    as sorting in memory, as serialising the sorted quads, and as written to a file."""
    store = open_store(built_project, read_only=True)
    streamed = exports.export(built_project, store, fmt, include_inferred=True,
                              output=tmp_path / f"out.{fmt}")
    assert streamed.written is None and streamed.size == (tmp_path / f"out.{fmt}").stat().st_size
    quads = exports.export_quads(built_project, store, include_inferred=True)
    assert streamed.data == exports.serialize(built_project, quads, fmt)
    assert streamed.quads == len(quads)
    monkeypatch.setattr(exports.shutil, "which", lambda name: None)  # no sort program
    assert exports.export(built_project, store, fmt, include_inferred=True).data == streamed.data
