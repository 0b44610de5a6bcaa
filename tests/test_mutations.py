"""Mutation tests on the real data: remove one required property of a real resource, and exactly
the shape that requires it must fail, on exactly that resource.

The whole project is loaded once into an in-memory store and validated through the product
(:func:`hrgraph.validate.validate_store`, as ``hrgraph validate`` does); each case removes every
triple with one predicate from one resource, validates, and puts the triples back.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from hrgraph import load
from hrgraph.project import Project
from hrgraph.validate import ValidationReport, validate_store
from shacl_support import Result, repo_project, results

ID = "https://w3id.org/hrgraph/id/"
HRG = "https://w3id.org/hrgraph/ontology#"
OA = "http://www.w3.org/ns/oa#"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"

DEMAND = ID + "demand/concerted-position-2016-c2-3-b6-1"
DOCUMENT = ID + "document/concerted-position-2016"
PERSON = ID + "person/aliaksandr-alesin"
ORGANISATION = ID + "organisation/viasna"
POINT = ID + "point/concerted-position-2016-c2-3-b6"
ROLE_CLAIM = ID + "role-claim/concerted-position-2016-aliaksandr-alesin-journalist"
QUOTE = ID + "quote/concerted-position-2016-demand-c2-3-b6-1"
SELECTOR = ID + "quote/concerted-position-2016-demand-c2-3-b6-1-selector"
SIGNATURE = ID + "signature/concerted-position-2016-viasna"

# (resource, predicates removed together, the shape that must fail on the resource)
MUTATIONS = [
    (DEMAND, [HRG + "madeIn"], "hrsh:Demand-madeIn"),
    (DEMAND, [HRG + "quote"], "hrsh:Demand-quote"),
    (DEMAND, [HRG + "quotedFrom"], "hrsh:Demand-quotedFrom"),
    # an action type, or a suggested one (a SHACL-SPARQL constraint)
    (DEMAND, [HRG + "actionType"], "hrsh:Demand-actionTypeOrSuggestion"),
    # one of the two is required (sh:or on the node shape itself)
    (DEMAND, [HRG + "addressee", HRG + "actorAskedToAct"], "hrsh:Demand"),
    (DOCUMENT, [DCT + "title"], "hrsh:Document-title"),
    # a date or hrg:dateUnknown true is required (sh:xone on the node shape itself)
    (DOCUMENT, [DCT + "date"], "hrsh:Document"),
    (PERSON, [SKOS + "prefLabel"], "hrsh:Person-prefLabel"),
    (ORGANISATION, [SKOS + "prefLabel"], "hrsh:Organisation-prefLabel"),
    (POINT, [HRG + "madeIn"], "hrsh:Point-madeIn"),
    (POINT, [HRG + "quote"], "hrsh:Point-quote"),
    (POINT, [HRG + "quotedFrom"], "hrsh:Point-quotedFrom"),
    (POINT, [HRG + "order"], "hrsh:Point-order"),
    (POINT, [HRG + "partOf"], "hrsh:Point-partOf"),
    (ROLE_CLAIM, [HRG + "holder"], "hrsh:RoleClaim-holder"),
    (ROLE_CLAIM, [HRG + "role"], "hrsh:RoleClaim-role"),
    (ROLE_CLAIM, [HRG + "attestedIn"], "hrsh:RoleClaim-attestedIn"),
    (ROLE_CLAIM, [HRG + "asOf"], "hrsh:RoleClaim-asOf"),
    (QUOTE, [OA + "hasSource"], "hrsh:QuoteResource-hasSource"),
    (QUOTE, [OA + "hasSelector"], "hrsh:QuoteResource-hasSelector"),
    (SELECTOR, [OA + "exact"], "hrsh:TextQuoteSelector-exact"),
    (SIGNATURE, [HRG + "signer"], "hrsh:Signature-signer"),
    (SIGNATURE, [HRG + "signedDocument"], "hrsh:Signature-signedDocument"),
]


@pytest.fixture(scope="session")
def real_project() -> Project:
    """The project itself, not a copy: nothing here writes to it."""
    return repo_project()


@pytest.fixture(scope="session")
def store(real_project: Project) -> ox.Store:
    """The whole project (ontology, vocabularies, shapes, data) in memory, a graph per file."""
    store = ox.Store()
    for source in real_project.source_files():
        store.extend(load.parse_file(real_project, source.path))
    return store


@pytest.fixture(scope="session")
def unmutated(real_project: Project, store: ox.Store) -> ValidationReport:
    return validate_store(real_project, store, checks=False)


def _case_id(case: tuple) -> str:
    resource, predicates, _shape = case
    names = "+".join(p.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for p in predicates)
    return f"{resource.rsplit('/', 1)[-1]}-without-{names}"


@pytest.fixture
def mutated(store: ox.Store, request: pytest.FixtureRequest) -> Iterator[None]:
    resource, predicates, _shape = request.param
    subject = ox.NamedNode(resource)
    removed = [q for p in predicates
               for q in store.quads_for_pattern(subject, ox.NamedNode(p), None, None)]
    assert removed, f"{resource} has no {predicates}: the real data changed, update this case"
    for quad in removed:
        store.remove(quad)
    try:
        yield
    finally:
        store.extend(removed)


def test_real_data_has_no_violations(unmutated: ValidationReport) -> None:
    warnings = [r for r in unmutated.results if r.severity == "Warning"]
    print(f"\n{len(warnings)} warnings on the real data:\n{unmutated.to_text()}")
    assert unmutated.violations == 0, unmutated.to_text()


@pytest.mark.parametrize(("mutated", "case"), [(c, c) for c in MUTATIONS],
                         ids=[_case_id(c) for c in MUTATIONS], indirect=["mutated"])
def test_removing_a_required_property_fails_exactly_its_shape(
        real_project: Project, store: ox.Store, unmutated: ValidationReport, mutated: None,
        case: tuple) -> None:
    resource, _predicates, shape = case
    assert unmutated.violations == 0, "the real data must be valid before it is mutated"
    report = validate_store(real_project, store, checks=False)
    violations = {r for r in results(report) if r.severity == "Violation"}
    assert violations == {Result("Violation", shape, resource)}, report.to_text()
