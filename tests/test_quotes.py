"""Every quote in the data is found, verbatim, in the source text it points at.

For each ``oa:TextQuoteSelector`` reached through ``hrg:quotedFrom``: the publication's text copy
holds prefix + exact + suffix exactly once; a refinement (``oa:refinedBy``) occurs inside the text
it refines, with its own prefix and suffix; and the resource's ``hrg:quote`` equals ``oa:exact``.
"""

from __future__ import annotations

import pytest
import rdflib

from conftest import REPO, repo_project
from hrgraph.sources import read_source_text

PROJECT = repo_project()
HRG = rdflib.Namespace("https://w3id.org/hrgraph/ontology#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")


def _data() -> rdflib.Graph:
    graph = rdflib.Graph()
    for source in PROJECT.files_of_kind("data"):
        graph.parse(source.path)
    return graph


DATA = _data()
QUOTED = sorted(DATA.subject_objects(HRG.quotedFrom))


def _text(publication: rdflib.term.Node) -> str:
    copy = DATA.value(publication, HRG.textCopy)
    assert copy is not None, f"{publication} has no hrg:textCopy"
    return read_source_text(REPO / str(copy))


def _context(selector: rdflib.term.Node) -> tuple[str, str, str]:
    exact = DATA.value(selector, OA.exact)
    prefix = DATA.value(selector, OA.prefix) or ""
    suffix = DATA.value(selector, OA.suffix) or ""
    return str(prefix), str(exact), str(suffix)


def test_there_are_quotes_to_check() -> None:
    assert len(QUOTED) > 60


def test_source_texts_are_inside_the_project() -> None:
    for copy in set(DATA.objects(None, HRG.textCopy)):
        path = (REPO / str(copy)).resolve()
        assert path.is_relative_to(REPO / "data" / "sources") and path.is_file()


@pytest.mark.parametrize(("thing", "resource"), QUOTED, ids=lambda n: str(n).rsplit("/", 1)[-1])
def test_quote_is_in_its_source(thing: rdflib.term.Node, resource: rdflib.term.Node) -> None:
    text = _text(DATA.value(resource, OA.hasSource))
    selector = DATA.value(resource, OA.hasSelector)
    prefix, exact, suffix = _context(selector)
    assert text.count(prefix + exact + suffix) == 1, "selector must match exactly once"
    quote = DATA.value(thing, HRG.quote)
    if quote is not None:
        assert str(quote) == exact
    for refinement in DATA.objects(selector, OA.refinedBy):
        r_prefix, r_exact, r_suffix = _context(refinement)
        assert (r_prefix + r_exact + r_suffix) in exact
