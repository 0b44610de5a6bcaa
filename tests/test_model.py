"""The ontology, vocabularies and data as documents: they load cleanly and describe themselves.

These tests read the project's files directly (rdflib and pyoxigraph), not the store, so that a
broken file is named here before anything is built from it.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from conftest import REPO, repo_project
from hrgraph.sources import strip_header

PROJECT = repo_project()
HRG = rdflib.Namespace("https://w3id.org/hrgraph/ontology#")
ONTOLOGY = REPO / "ontology" / "hrgraph.ttl"
TURTLE_FILES = [f.path for f in PROJECT.source_files()]


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY)


@pytest.fixture(scope="module")
def everything() -> rdflib.Graph:
    """Ontology, vocabularies and data (not shapes) in one rdflib graph."""
    graph = rdflib.Graph()
    for source in PROJECT.files_of_kind("ontology", "vocabulary", "data"):
        graph.parse(source.path)
    return graph


@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_file_loads_in_rdflib_without_warnings_or_ill_typed_literals(path: Path, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        graph = rdflib.Graph().parse(path)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    ill_typed = [o for o in graph.objects() if isinstance(o, rdflib.Literal) and o.ill_typed]
    assert ill_typed == []


@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_file_loads_in_pyoxigraph_with_the_same_triples(path: Path) -> None:
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    assert quads, "a file with no triples"
    assert len(quads) == len(rdflib.Graph().parse(path))


@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_blank_nodes_outside_shapes(path: Path) -> None:
    """Anything a user may link to has an IRI; only SHACL's own structures may be blank, and
    the RDF lists of OWL's property chains (``owl:propertyChainAxiom ( … )``)."""
    if path.is_relative_to(REPO / "shapes"):
        return
    graph = rdflib.Graph().parse(path)
    chain_lists = {node for head in graph.objects(None, rdflib.OWL.propertyChainAxiom)
                   for node in _list_nodes(graph, head)}
    blank = {t for triple in graph for t in triple if isinstance(t, rdflib.BNode)}
    assert blank - chain_lists == set()
    for node in chain_lists:  # the list nodes say nothing else
        assert set(graph.predicates(node)) <= {rdflib.RDF.first, rdflib.RDF.rest}


def _list_nodes(graph: rdflib.Graph, head: rdflib.term.Node) -> set:
    nodes = set()
    while isinstance(head, rdflib.BNode) and head not in nodes:
        nodes.add(head)
        head = graph.value(head, rdflib.RDF.rest)
    return nodes


def test_language_tags_are_well_formed_and_lower_case_after_loading() -> None:
    tags = set()
    for path in TURTLE_FILES:
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if isinstance(quad.object, ox.Literal) and quad.object.language:
                tags.add(quad.object.language)
    assert tags >= {"en", "be", "ru", "be-latn"}
    assert all(tag == tag.lower() for tag in tags)
    assert all(re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{1,8})*", tag) for tag in tags)


def test_ontology_header(ontology: rdflib.Graph) -> None:
    onto = rdflib.URIRef("https://w3id.org/hrgraph/ontology")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, OWL.versionInfo) is not None
    assert ontology.value(onto, OWL.versionIRI) is not None


def _own_terms(graph: rdflib.Graph) -> set[rdflib.URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind)
            if isinstance(s, rdflib.URIRef) and str(s).startswith(str(HRG))}


def test_every_class_and_property_has_an_english_label_and_definition(
        ontology: rdflib.Graph) -> None:
    terms = _own_terms(ontology)
    assert len(terms) > 60
    missing = []
    for term in sorted(terms):
        for prop in (RDFS.label, SKOS.definition):
            values = [v for v in ontology.objects(term, prop) if v.language == "en"]
            if len(values) != 1:
                missing.append((term, prop))
    assert missing == []


def test_every_term_used_in_the_data_is_defined(everything: rdflib.Graph,
                                                ontology: rdflib.Graph) -> None:
    defined = _own_terms(ontology)
    used = {p for p in everything.predicates() if str(p).startswith(str(HRG))}
    used |= {o for o in everything.objects(None, RDF.type) if str(o).startswith(str(HRG))}
    assert used - defined == set()


def test_every_concept_has_a_scheme_an_english_label_and_a_definition(
        everything: rdflib.Graph) -> None:
    concepts = set(everything.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 50
    for concept in concepts:
        assert everything.value(concept, SKOS.inScheme) is not None, concept
        labels = [v for v in everything.objects(concept, SKOS.prefLabel) if v.language == "en"]
        assert len(labels) == 1, concept
        assert everything.value(concept, SKOS.definition) is not None, concept


def test_vocabulary_hierarchies_are_acyclic(everything: rdflib.Graph) -> None:
    for concept in everything.subjects(RDF.type, SKOS.Concept):
        seen, todo = set(), [concept]
        while todo:
            for broader in everything.objects(todo.pop(), SKOS.broader):
                assert broader != concept, f"{concept} is broader than itself"
                if broader not in seen:
                    seen.add(broader)
                    todo.append(broader)


def test_statuses_map_to_upr_info_implementation_levels(everything: rdflib.Graph) -> None:
    upr = "https://w3id.org/hrgraph/vocab/upr-info-implementation-level/"
    prefix = "https://w3id.org/hrgraph/vocab/status/"
    mapped = {s for s, o in everything.subject_objects(SKOS.closeMatch)
              if str(s).startswith(prefix) and str(o).startswith(upr)}
    assert len(mapped) >= 3


def test_nothing_maps_to_upr_info_action_categories(everything: rdflib.Graph) -> None:
    """UPR Info's action categories grade how a recommendation is worded ("consider ratifying"
    vs "ratify"), not which action it asks: no action type (or other concept) is their match."""
    category = "https://w3id.org/hrgraph/vocab/upr-info-action-category/"
    mappings = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch,
                SKOS.relatedMatch)
    linked = [(s, o) for p in mappings for s, o in everything.subject_objects(p)
              if str(o).startswith(category) or str(s).startswith(category)]
    assert linked == []


def test_one_preferred_name_per_language(everything: rdflib.Graph) -> None:
    for subject in set(everything.subjects(SKOS.prefLabel)):
        langs = [v.language for v in everything.objects(subject, SKOS.prefLabel)]
        assert len(langs) == len(set(langs)), subject


def test_dates_keep_their_precision_and_have_bounds(everything: rdflib.Graph) -> None:
    date = rdflib.URIRef("http://purl.org/dc/terms/date")
    statement = rdflib.URIRef("https://w3id.org/hrgraph/id/document/concerted-position-2016")
    value = everything.value(statement, date)
    assert value.datatype == rdflib.XSD.gYearMonth and str(value) == "2016-02"
    assert str(everything.value(statement, HRG.earliestDate)) == "2016-02-01"
    assert str(everything.value(statement, HRG.latestDate)) == "2016-02-29"
    for s, o in everything.subject_objects(date):
        if o.datatype == rdflib.XSD.date:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d", str(o)), (s, o)


def test_documents_without_a_known_date_say_so(everything: rdflib.Graph) -> None:
    date = rdflib.URIRef("http://purl.org/dc/terms/date")
    for document in everything.subjects(RDF.type, HRG.Document):
        has_date = everything.value(document, date) is not None
        unknown = everything.value(document, HRG.dateUnknown)
        assert has_date != (unknown is not None and unknown.toPython() is True), document


def test_the_unregistered_organisation_ban_cites_no_article(everything: rdflib.Graph) -> None:
    ban = rdflib.URIRef("https://w3id.org/hrgraph/id/legal/belarus-ban-unregistered-organisations")
    assert everything.value(ban, HRG.articleNumber) is None
    assert everything.value(ban, rdflib.URIRef("http://data.europa.eu/eli/ontology#is_part_of")) \
        is None


def test_the_citation_keeps_the_date_as_cited(everything: rdflib.Graph) -> None:
    """The statement's file keeps the citation as written; the editors' file resolves it, and
    the letter keeps its own date: no document gets two conflicting dates."""
    citation = rdflib.URIRef(
        "https://w3id.org/hrgraph/id/citation/concerted-position-2016-open-letter")
    letter = rdflib.URIRef("https://w3id.org/hrgraph/id/document/open-letter-2015-12-09")
    statement_file = rdflib.Graph().parse(REPO / "data/documents/concerted-position-2016.ttl")
    assert str(statement_file.value(citation, HRG.citedDate)) == "2015-01-09"
    assert statement_file.value(citation, HRG.citedDocument) is None
    assert everything.value(citation, HRG.citedDocument) == letter
    date = rdflib.URIRef("http://purl.org/dc/terms/date")
    assert [str(d) for d in everything.objects(letter, date)] == ["2015-12-09"]
    for document in everything.subjects(RDF.type, HRG.Document):
        assert len(set(everything.objects(document, date))) <= 1, document


def _text_copies(graph: rdflib.Graph, document: rdflib.term.Node) -> dict:
    """The publications of a document that have a stored text, with the text file's content."""
    copies = {}
    for publication in graph.objects(document, HRG.hasPublication):
        path = graph.value(publication, HRG.textCopy)
        if path is not None:
            copies[publication] = (REPO / str(path)).read_text(encoding="utf-8")
    return copies


def _marked_editorial(graph: rdflib.Graph, document: rdflib.term.Node) -> bool:
    return any(str(n).startswith("The title is editorial")
               for n in graph.objects(document, SKOS.editorialNote))


def test_a_document_title_is_its_own_or_marked_editorial(everything: rdflib.Graph) -> None:
    """A document with a stored text bears its title in that text (after the header), or has
    no title of its own and says that its title is editorial; a publication's headline is that
    publication's title (as its text copy's header gives it) and never the document's."""
    title = rdflib.URIRef("http://purl.org/dc/terms/title")
    checked = 0
    for source in PROJECT.files_of_kind("data"):
        if not source.path.is_relative_to(REPO / "data" / "documents"):
            continue
        for document in rdflib.Graph().parse(source.path).subjects(RDF.type, HRG.Document):
            copies = _text_copies(everything, document)
            if not copies:
                continue
            checked += 1
            own = str(everything.value(document, title))
            in_text = any(own in strip_header(text) for text in copies.values())
            assert in_text != _marked_editorial(everything, document), (document, own)
            for publication, text in copies.items():
                headline = everything.value(publication, title)
                assert headline is None or f"Title: {headline}\n" in text, publication
                assert headline is None or str(headline) != own, publication
    assert checked >= 3


def test_the_open_letter_has_an_editorial_title_and_its_headlines_stay_with_the_publications(
        everything: rdflib.Graph) -> None:
    title = rdflib.URIRef("http://purl.org/dc/terms/title")
    letter = rdflib.URIRef("https://w3id.org/hrgraph/id/document/open-letter-2015-12-09")
    titles = [str(t) for t in everything.objects(letter, title)]
    headlines = {str(everything.value(p, title)) for p in everything.objects(letter,
                                                                            HRG.hasPublication)}
    assert titles == ["Open letter of Belarusian human-rights organisations to the government of "
                      "Belarus"]
    assert headlines == {
        "Belarusan human rights defenders call on the state “to take urgent restorative measures” "
        "(OPEN LETTER)",
        "Human rights defenders call on government to take urgent restorative measures"}
    assert _marked_editorial(everything, letter)


def test_statement_counts(everything: rdflib.Graph) -> None:
    statement = rdflib.URIRef("https://w3id.org/hrgraph/id/document/concerted-position-2016")
    made_in = set(everything.subjects(HRG.madeIn, statement))
    demands = made_in & set(everything.subjects(RDF.type, HRG.Demand))
    points = made_in & set(everything.subjects(RDF.type, HRG.Point))
    signatories = set(everything.objects(statement, HRG.signatory))
    positions = made_in & set(everything.subjects(RDF.type, HRG.Position))
    assert (len(demands), len(points), len(signatories), len(positions)) == (28, 10, 8, 3)
