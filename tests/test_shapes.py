"""The shapes, tested like the W3C SHACL test suite: data and expected report side by side.

``tests/shapes/<Shape>/`` holds examples for the node shape ``hrsh:<Shape>``:

* ``valid-*.ttl``: no violation at all, and no result from ``hrsh:<Shape>`` or its property
  shapes and constraints (``hrsh:<Shape>-*``);
* ``invalid-*.ttl``: one broken constraint each, its expected results in header comments, one per
  line::

      # expect: Violation hrsh:Demand-madeIn https://w3id.org/hrgraph/id/test/demand-x

Each file is validated in the context of the real project (ontology, vocabularies and data), so
it may refer to real people, organisations, documents and concepts. The results whose focus node
is a subject of the file must be exactly the expected ones: severity, shape (for SHACL-SPARQL, the
constraint) and focus node. Valid files may list expected warnings of other shapes the same way.
"""

from __future__ import annotations

import re
import warnings
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib.namespace import RDF, SH

from hrgraph import load
from hrgraph.validate import validate_files
from shacl_support import HRSH, Result, repo_project, results, short, subjects

EXAMPLES = Path(__file__).resolve().parent / "shapes"
TEST_IDS = "https://w3id.org/hrgraph/id/test/"
EXPECT = re.compile(r"^#\s*expect:\s*(\S+)\s+(\S+)\s+<?([^\s>]+)>?\s*$")
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*/valid-*.ttl")) + sorted(EXAMPLES.glob("*/invalid-*.ttl"))


def expected_results(path: Path) -> set[Result]:
    """The ``# expect:`` lines of a file."""
    expected = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") and "expect:" in line:
            match = EXPECT.match(line)
            assert match, f"{path.name}: malformed expectation {line!r}"
            expected.add(Result(*match.groups()))
    return expected


def to_rdflib(quads: list[ox.Quad]) -> rdflib.Graph:
    graph = rdflib.Graph()
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ill-typed literals ("2016-02"^^xsd:date) are intended
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


@cache
def read(path: Path) -> rdflib.Graph:
    """A file as the project's loader reads it."""
    return to_rdflib(load.parse_file(repo_project(), path))


@cache
def shapes_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for source in repo_project().files_of_kind("shapes"):
        graph += read(source.path)
    return graph


@pytest.fixture(scope="session")
def all_example_results() -> set[Result]:
    """Every example validated at once, in the context of the real project.

    One validation instead of one per file keeps this fast (pySHACL's set-up and the real data's
    own targets cost the same for one file as for all). It gives the same results as one run per
    file because no two files define the same resource or refer to each other's
    (``test_examples_are_independent``).
    """
    return results(validate_files(repo_project(), example_files(), checks=False))


def test_examples_are_independent() -> None:
    real = set()
    for source in repo_project().files_of_kind("data"):
        real |= subjects(read(source.path))
    owner: dict[str, str] = {}
    for path in example_files():
        graph = read(path)
        defined = subjects(graph)
        assert not defined & real, f"{path.name} redefines real resources: {defined & real}"
        for iri in defined:
            assert iri not in owner, f"{iri} is defined in {owner.get(iri)} and {path.name}"
            owner[iri] = path.name
        used = {str(o) for o in graph.objects() if str(o).startswith(TEST_IDS)}
        assert used <= defined, f"{path.name} refers to another file's resources: {used - defined}"


def belongs_to(source: str, shape: str) -> bool:
    """Whether a result's source is the node shape ``hrsh:<shape>`` or one of its parts."""
    return source == f"hrsh:{shape}" or source.startswith(f"hrsh:{shape}-")


def _case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", example_files(), ids=_case_id)
def test_example(path: Path, all_example_results: set[Result]) -> None:
    shape = path.parent.name
    expected = expected_results(path)
    known = {short(str(s)) for s in shapes_graph().subjects() if isinstance(s, rdflib.URIRef)}
    assert {e.source for e in expected} <= known, "an expectation names an unknown shape"

    defined = subjects(read(path))
    actual = {r for r in all_example_results if r.focus in defined}

    if path.name.startswith("valid-"):
        assert not [r for r in actual if r.severity == "Violation"], "\n".join(map(str, actual))
        assert not [r for r in actual if belongs_to(r.source, shape)], "\n".join(map(str, actual))
    else:
        assert expected, f"{path.name} states no '# expect:' line"
        assert any(belongs_to(e.source, shape) for e in expected), (
            f"{path.name} is in the folder of hrsh:{shape} but expects nothing from it")
    missing = "\n".join(f"  {r}" for r in sorted(expected - actual))
    unexpected = "\n".join(f"  {r}" for r in sorted(actual - expected))
    assert actual == expected, (
        f"\nexpected, not reported:\n{missing}\nreported, not expected:\n{unexpected}")


# ------------------------------------------------------------------------ completeness of the tests


def node_shapes() -> dict[str, rdflib.URIRef]:
    """The named node shapes of the shapes files, by local name."""
    shapes = shapes_graph()
    return {str(s)[len(HRSH):]: s for s in shapes.subjects(RDF.type, SH.NodeShape)
            if isinstance(s, rdflib.URIRef) and str(s).startswith(HRSH)}


def is_targeted(shape: rdflib.URIRef) -> bool:
    return any((shape, t, None) in shapes_graph() for t in TARGETS)


def test_every_targeted_node_shape_has_valid_and_invalid_examples() -> None:
    lacking = []
    for name, shape in sorted(node_shapes().items()):
        if not is_targeted(shape):
            continue
        folder = EXAMPLES / name
        if not list(folder.glob("valid-*.ttl")) or not list(folder.glob("invalid-*.ttl")):
            lacking.append(name)
    assert not lacking, f"node shapes without valid and invalid examples: {lacking}"


def test_no_example_folder_without_its_shape() -> None:
    folders = {p.name for p in EXAMPLES.iterdir() if p.is_dir()}
    assert folders <= set(node_shapes()), folders - set(node_shapes())


def test_every_helper_shape_is_used_by_a_tested_shape() -> None:
    """Untargeted node shapes (InScheme-*) are tested through the shapes that use them."""
    shapes = shapes_graph()
    unused = []
    for name, shape in sorted(node_shapes().items()):
        if is_targeted(shape):
            continue
        users = set(shapes.subjects(SH.node, shape))
        owners = {o for u in users for o in shapes.subjects(SH.property, u)} | users
        if not any(is_targeted(o) for o in owners if isinstance(o, rdflib.URIRef)):
            unused.append(name)
    assert not unused, f"helper shapes that no targeted shape uses (no test reaches): {unused}"


def test_every_property_shape_and_sparql_constraint_fails_in_some_example() -> None:
    shapes = shapes_graph()
    parts = {short(str(p)) for p in shapes.objects(None, SH.property)}
    parts |= {short(str(c)) for c in shapes.objects(None, SH.sparql)}
    helpers = {f"hrsh:{n}" for n, s in node_shapes().items() if not is_targeted(s)}
    helper_parts = {short(str(p)) for h in helpers
                    for p in shapes.objects(rdflib.URIRef(HRSH + h[5:]), SH.property)}
    expected = {e.source for p in EXAMPLES.glob("*/invalid-*.ttl") for e in expected_results(p)}
    untested = sorted(parts - helper_parts - expected)
    assert not untested, f"no invalid example expects a result from: {untested}"


def _english(graph: rdflib.Graph, node: rdflib.term.Node, predicate: rdflib.URIRef) -> bool:
    return any(isinstance(v, rdflib.Literal) and v.language == "en" and str(v).strip()
               for v in graph.objects(node, predicate))


def test_every_shape_and_property_shape_has_an_english_name_and_message() -> None:
    """sh:name and sh:message for people who do not read RDF (STYLE.md, section 4).

    Counted: every declared node or property shape and every value of sh:property. Not counted:
    the nameless shapes inside sh:or, sh:xone and sh:qualifiedValueShape, whose failures are
    reported under the shape that holds them, with its message.
    """
    shapes = shapes_graph()
    nodes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)) | set(shapes.objects(None, SH.property))
    lacking = []
    for node in nodes:
        owner = node if isinstance(node, rdflib.URIRef) else next(
            shapes.subjects(SH.property, node), node)
        what = short(str(node)) if node is owner else f"a property shape of {short(str(owner))}"
        for predicate, shown in ((SH.name, "sh:name"), (SH.message, "sh:message")):
            if not _english(shapes, node, predicate):
                lacking.append(f"{what}: no English {shown}")
    assert not lacking, "\n".join(sorted(lacking))


def test_every_sparql_constraint_has_an_english_message() -> None:
    shapes = shapes_graph()
    lacking = [short(str(c)) for c in set(shapes.objects(None, SH.sparql))
               if not _english(shapes, c, SH.message)]
    assert not lacking, lacking


def test_property_shapes_are_named_after_their_node_shape() -> None:
    """hrsh:<Shape>-<property>, so that a result names the constraint that failed."""
    wrong = []
    for name, shape in sorted(node_shapes().items()):
        for part in shapes_graph().objects(shape, SH.property):
            if not isinstance(part, rdflib.URIRef):
                wrong.append(f"hrsh:{name}: a nameless property shape")
            elif not str(part).startswith(f"{HRSH}{name}-"):
                wrong.append(f"hrsh:{name}: {short(str(part))}")
        for part in shapes_graph().objects(shape, SH.sparql):
            if not str(part).startswith(f"{HRSH}{name}-"):
                wrong.append(f"hrsh:{name}: {part}")
    assert not wrong, "\n".join(wrong)


def test_pyshacl_focus_nodes_option_skips_nested_shapes() -> None:
    """Why the examples are not validated one by one with pySHACL's ``focus_nodes``.

    With ``focus_nodes``, pySHACL also filters the value nodes that nested shapes (here sh:or) are
    checked on, so an ill-typed date passes. If this starts failing, pySHACL fixed it, and
    ``focus_nodes`` could make single-file validation fast.
    """
    data = rdflib.Graph().parse(format="turtle", data="""
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://example.org/doc> a <https://example.org/Document> ;
            <https://example.org/date> "February 2016" .""")
    shapes = rdflib.Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://example.org/DocumentShape> a sh:NodeShape ;
            sh:targetClass <https://example.org/Document> ;
            sh:property [ sh:path <https://example.org/date> ;
                          sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:gYear ] ) ] .""")
    everything = pyshacl.validate(data, shacl_graph=shapes, inference="none")[0]
    focused = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                               focus_nodes=["https://example.org/doc"])[0]
    assert (everything, focused) == (False, True)
