"""Every term the data and the code write is defined: in the ontology (``hrg:``), or in the
standard vocabulary it comes from.

Walks every property and class used in ontology/, shapes/, every file of data/ (curated files and
merged contributions alike: this must hold for whatever a contributor merges), and what the code
writes: the file ``hrgraph add`` merges (with its PROV-O record) for a spreadsheet and for Turtle,
and a release's ``description.ttl``.

Standard vocabularies are checked against rdflib's own term lists (``rdflib.namespace``). For the
three it has none of, the terms are listed below from their specifications, checked by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    VANN,
    VOID,
    XSD,
    DefinedNamespace,
)

from conftest import REPO, merged_by_the_test
from hrgraph.cli import main
from hrgraph.project import RDF_SUFFIXES

HRG = rdflib.Namespace("https://w3id.org/hrgraph/ontology#")

#: Vocabularies rdflib knows, with their complete term lists.
KNOWN: tuple[type[DefinedNamespace], ...] = (
    DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SH, SKOS, VANN, VOID, XSD)

#: Terms of vocabularies rdflib has no list of (or newer than its list), as their specifications
#: define them.
SPECIFIED = {
    # DCAT 3, W3C Recommendation 2024-08-22 (rdflib lists DCAT 2): versions and series
    "http://www.w3.org/ns/dcat#": {
        "version", "hasVersion", "isVersionOf", "previousVersion", "hasCurrentVersion",
        "DatasetSeries", "inSeries", "seriesMember", "first", "last", "prev"},
    # Web Annotation Vocabulary, W3C Recommendation 2017-02-23, https://www.w3.org/TR/annotation-vocab/
    "http://www.w3.org/ns/oa#": {
        "Annotation", "SpecificResource", "TextQuoteSelector", "TextPositionSelector",
        "FragmentSelector", "hasSource", "hasSelector", "hasTarget", "hasBody", "refinedBy",
        "exact", "prefix", "suffix", "start", "end", "motivatedBy", "describing", "identifying",
        "tagging", "commenting", "quoting"},
    # European Legislation Identifier ontology, https://op.europa.eu/en/web/eu-vocabularies/eli
    "http://data.europa.eu/eli/ontology#": {
        "LegalResource", "LegalResourceSubdivision", "LegalExpression", "is_part_of",
        "has_part", "number", "changed_by", "changes", "repealed_by", "repeals", "jurisdiction",
        "title", "date_document", "date_publication", "first_date_entry_in_force",
        "date_no_longer_in_force", "in_force", "is_realized_by", "realizes", "language",
        "type_document", "id_local", "passed_by", "cites", "cited_by_case_law"},
    # SPDX 2.3 RDF terms, https://spdx.github.io/spdx-spec/v2.3/ (checksums of files)
    "http://spdx.org/rdf/terms#": {
        "Checksum", "checksum", "algorithm", "checksumValue", "checksumAlgorithm_sha256",
        "checksumAlgorithm_sha1", "checksumAlgorithm_sha512"},
}

DEFINITIONS = (OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
               OWL.AnnotationProperty, RDF.Property)


def used_terms(graph: rdflib.Graph) -> set[rdflib.URIRef]:
    """The properties and classes a graph uses."""
    terms = {p for p in graph.predicates() if isinstance(p, rdflib.URIRef)}
    terms |= {o for o in graph.objects(None, RDF.type) if isinstance(o, rdflib.URIRef)}
    return terms


def undefined(terms: set[rdflib.URIRef], ontology: rdflib.Graph) -> list[str]:
    """The terms that neither the ontology nor their standard vocabulary define."""
    problems = []
    for term in sorted(terms):
        iri = str(term)
        if iri.startswith(str(HRG)):
            if not any((term, RDF.type, kind) in ontology for kind in DEFINITIONS):
                problems.append(f"{iri}: not defined in ontology/hrgraph.ttl")
            elif not (ontology.value(term, RDFS.label) and ontology.value(term, SKOS.definition)):
                problems.append(f"{iri}: defined without rdfs:label and skos:definition")
            continue
        known = [ns for ns in KNOWN if iri.startswith(str(ns))]
        if any(iri.removeprefix(ns) in SPECIFIED.get(ns, ()) for ns in map(str, known)):
            continue
        if known:
            if not any(term in ns for ns in known):
                problems.append(f"{iri}: not a term of {known[0]._NS}")
            continue
        namespace = next((ns for ns in SPECIFIED if iri.startswith(ns)), None)
        if namespace is None:
            problems.append(f"{iri}: from a vocabulary this test does not know")
        elif iri.removeprefix(namespace) not in SPECIFIED[namespace]:
            problems.append(f"{iri}: not a term of {namespace}")
    return problems


def parse_all(paths: list[Path]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle" if path.suffix == ".ttl" else None)
    return graph


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return parse_all(sorted((REPO / "ontology").rglob("*.ttl")))


def test_the_check_sees_an_undefined_term(ontology: rdflib.Graph) -> None:
    wrong = {HRG.sha256, PROV.generatedAtTime, rdflib.URIRef(str(SKOS) + "prefLable"),
             rdflib.URIRef("http://www.w3.org/ns/oa#hasSelectr"),
             rdflib.URIRef("http://example.org/unknown#term")}
    assert undefined(wrong, ontology) == [
        "http://example.org/unknown#term: from a vocabulary this test does not know",
        "http://www.w3.org/2004/02/skos/core#prefLable: not a term of "
        "http://www.w3.org/2004/02/skos/core#",
        "http://www.w3.org/ns/oa#hasSelectr: not a term of http://www.w3.org/ns/oa#",
        "https://w3id.org/hrgraph/ontology#sha256: not defined in ontology/hrgraph.ttl"]


@pytest.mark.parametrize("folder", ["ontology", "shapes", "data"])
def test_every_term_of_the_project_files_is_defined(folder: str, ontology: rdflib.Graph) -> None:
    # Every file, not only the test corpus: merged contributions must respect this too.
    paths = sorted(p for p in (REPO / folder).rglob("*") if p.suffix in RDF_SUFFIXES
                   and not p.is_relative_to(REPO / "data" / "sources")
                   and p.name != "context.jsonld")
    assert paths
    assert undefined(used_terms(parse_all(paths)), ontology) == []


def test_every_term_that_add_and_release_write_is_defined(built_copy, cli, ontology,
                                                          tmp_path: Path) -> None:
    root = built_copy.root
    for contribution in (root / "data" / "templates" / "example.xlsx",
                         REPO / "tests" / "data" / "contribution-demand.ttl"):
        result = cli.invoke(main, ["--project", str(root), "--store", str(built_copy.store_path),
                                   "add", str(contribution), "--contributor", "Test",
                                   "--source-url", "https://example.org/s", "--message", "m"])
        assert result.exit_code == 0, result.output + result.stderr
    merged = merged_by_the_test(built_copy)
    assert len(merged) == 2
    result = cli.invoke(main, ["--project", str(root), "--store", str(built_copy.store_path),
                               "release", "9.9.9", "-o", str(tmp_path / "release"),
                               "--date", "2026-01-01"])
    assert result.exit_code == 0, result.output + result.stderr
    written = parse_all([*merged, tmp_path / "release" / "description.ttl"])
    assert (None, rdflib.URIRef("http://spdx.org/rdf/terms#checksumValue"), None) in written
    assert undefined(used_terms(written), ontology) == []
