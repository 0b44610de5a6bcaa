"""The docs show only IRIs that exist: every instance or concept IRI in README.md and docs/*.md
(written out, or as ``id/…`` / ``vocab/…`` in backticks) is a resource of the built test corpus,
and every namespace IRI one the project uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO
from hrgraph import store as stores
from hrgraph.terms import ID_PREFIXES, VOCAB_PREFIXES

BASE = "https://w3id.org/hrgraph/"
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FULL = re.compile(r"https://w3id\.org/hrgraph/((?:id|vocab)/[A-Za-z0-9/_.-]*[A-Za-z0-9])(…?)")
SHORT = re.compile(r"`((?:id|vocab)/[a-z0-9-]+/[A-Za-z0-9_./-]+)`")
#: Pages that show IRIs of data only an import or a contribution creates (checked by their tests).
ELSEWHERE = {"upr.md"}
#: IRIs that `hrgraph import upr` mints for the UPR lists of data/sources/upr/: the saved queries'
#: examples use them; tests/test_upr_import.py checks them on a copy with both lists imported.
IMPORTED = re.compile(r"^(id|vocab)/[a-z-]+/upr-")


def cited(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    # an IRI cut short in a table cell ("…") is not a claim that it exists
    return {iri for iri, cut in FULL.findall(text) if not cut} | set(SHORT.findall(text))


@pytest.fixture(scope="module")
def subjects(built_project) -> set[str]:
    store = stores.open_store(built_project, read_only=True)
    found = {row["s"].value for row in store.query(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } }")}
    return {s.removeprefix(BASE) for s in found if s.startswith(BASE)}


def test_the_pattern_sees_both_forms() -> None:
    sample = ("see `id/organisation/viasna` or https://w3id.org/hrgraph/vocab/topic/fair-trial; "
              "not https://w3id.org/hrgraph/id/mec… (cut in a table)")
    assert {iri for iri, cut in FULL.findall(sample) if not cut} | set(SHORT.findall(sample)) == {
        "id/organisation/viasna", "vocab/topic/fair-trial"}


@pytest.mark.parametrize("page", [p for p in PAGES if p.name not in ELSEWHERE],
                         ids=lambda p: p.name)
def test_every_iri_a_page_shows_exists(page: Path, subjects: set[str]) -> None:
    namespaces = ({"id/" + p.rstrip("/") for p in ID_PREFIXES.values()}
                  | {"vocab/" + p.rstrip("/") for p in VOCAB_PREFIXES.values()})
    missing = sorted(iri for iri in cited(page) if iri not in subjects and iri not in namespaces
                     and not IMPORTED.match(iri))
    assert missing == [], f"{page.name} shows IRIs that do not exist: {missing}"
