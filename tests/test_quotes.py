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


# ---- the locator (hrgraph.quotes.locate_quote) on the stored texts' edges


def test_the_end_of_text_marker_is_never_in_a_suffix() -> None:
    """The partner's quote before "- Provi" got the suffix ". - Provi\\n[... stored text ends ":
    the marker is an editor's line, so the text ends before it (and the line break before it)."""
    from hrgraph.quotes import END_MARKER, locate_quote, source_span

    raw = (REPO / "data/sources/hrc-belarus-mandate-2021-03-24.txt").read_text("utf-8")
    match = locate_quote(raw, "Operationalise the mandate with the requisite investigators, "
                         "forensic experts, gender specialists, and legal analysts")
    assert match.suffix == ". - Provi"
    lo, hi = source_span(raw)
    assert raw[hi:].strip() == "[... stored text ends here ...]" and raw[hi - 5:hi] == "Provi"
    assert raw[lo:].startswith("CSOs call for the immediate")
    # the marker's own words are not text: a quote of them is not found
    from hrgraph.quotes import QuoteNotFound

    with pytest.raises(QuoteNotFound):
        locate_quote(raw, "stored text ends here")
    assert END_MARKER.search("a\n[… stored text ends here …]\n")
    # in a text with no marker nothing changes
    assert locate_quote("Free them. Now.", "Now").suffix == "."


@pytest.mark.parametrize("name", ["rabkova-2020-09-21-en.txt",
                                  "hrc-belarus-mandate-2021-03-24.txt",
                                  "joint-position-eu-belarus-hr-dialogue.txt"])
def test_the_header_never_enters_a_prefix(name: str) -> None:
    """A quote of the title (which the header's Title: line repeats) is found once, in the
    text, with no prefix: the header is not the source's words, whether the caller strips it
    or not; the last words before the marker get no marker in their suffix."""
    from hrgraph.quotes import locate_quote

    raw = (REPO / "data/sources" / name).read_text("utf-8")
    body = read_source_text(REPO / "data/sources" / name)
    first_line = body.lstrip("\n").split("\n")[0].strip()
    for text in (raw, body):
        match = locate_quote(text, first_line)
        assert match.prefix is None and "Title:" not in (match.suffix or "")
        last = text.rstrip().rsplit("\n", 1)[0].rsplit(" ", 3)[-3:]
        tail = locate_quote(text, " ".join(last[:2]))
        assert "stored text" not in (tail.suffix or "") and "[" not in (tail.suffix or "")
