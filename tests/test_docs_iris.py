"""The docs show only IRIs that exist: every instance or concept IRI in README.md and docs/*.md
(written out, or as ``id/…`` / ``vocab/…`` in backticks) is a resource of the built test corpus,
and every namespace IRI one the project uses.

Prefixed names too (``hrid:demand/…``, ``person:marfa-rabkova``, ``topic:death-penalty``,
``hrg:periodStart``, ``hrsh:Document-dateBounds``), expanded with the prefixes hrgraph writes
Turtle with (:func:`hrgraph.export.turtle_prefixes`): a term of the ontology or a vocabulary must
be defined by a file of ontology/, a shape by one of shapes/, an instance must be a subject of the
corpus. Prefixes of other vocabularies (``skos:``, ``org:``, ``dcterms:``, …) are not checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO
from hrgraph import store as stores
from hrgraph.export import turtle_prefixes
from hrgraph.project import Project
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

#: The project's own prefixes (those of namespaces under BASE); the others name external terms.
OWN = {name: ns for name, ns in turtle_prefixes(Project.open(REPO)).items()
       if ns.startswith(BASE)}
#: Prefixes whose namespace is a folder of IRIs (``hrid:``, ``hrv:``): their local names take
#: ``/`` (``hrid:demand/x``). Elsewhere ``/`` ends the name, as in a property path
#: (``hrg:topic/skos:broader*``).
FOLDERS = {name for name, ns in OWN.items() if ns in (BASE + "id/", BASE + "vocab/")}

#: Names a page shows as ones hrgraph does not mint (upr.md: the registry adds to
#: ``organisation:united-states`` "instead of minting ``state:united-states-of-america``"):
#: they must stay absent.
NOT_MINTED = {"upr.md": {BASE + "id/state/united-states-of-america"}}


def prefixed_pattern(prefixes: dict[str, str]) -> re.Pattern[str]:
    """A prefixed name of one of ``prefixes``: the prefix starts a word (not after a letter,
    digit, ``/``, ``.``, ``#``, ``:``, ``-`` or ``?``, so not inside a URL, a longer name or a
    variable), the local name is not empty, and its dots and slashes are inner ones (a sentence's
    full stop is not part of it). Prose has no such token: "e.g." has no colon, "status: met"
    has a space after it, and prefixes are lower case ("Date:"). The third group is ``…`` or
    ``<`` when the name goes on as a pattern (``quote:role-claim-<id>``, ``hrid:mec…``), which
    is no claim that a resource exists.
    """
    names = "|".join(sorted(map(re.escape, prefixes), key=len, reverse=True))
    word = r"[A-Za-z0-9_-]+"
    return re.compile(rf"(?<![\w/.#:?-])({names}):({word}(?:[./]{word})*)([…<]?)")


PREFIXED = prefixed_pattern(OWN)


def prefixed(text: str) -> set[str]:
    """The IRIs of the project's own prefixed names in ``text``, written out."""
    found = set()
    for prefix, local, pattern in PREFIXED.findall(text):
        if pattern:
            continue
        if prefix not in FOLDERS:
            local = local.split("/", 1)[0]
        found.add(OWN[prefix] + local)
    return found


def cited(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    # an IRI cut short in a table cell ("…") is not a claim that it exists
    return {iri for iri, cut in FULL.findall(text) if not cut} | set(SHORT.findall(text))


@pytest.fixture(scope="module")
def defined(built_project) -> dict[str, set[str]]:
    """Subjects (full IRIs under BASE) by kind of graph: ``ontology`` (the ontology and the
    vocabularies), ``shapes``, and ``any`` (every graph)."""
    store = stores.open_store(built_project, read_only=True)
    found: dict[str, set[str]] = {"any": set(), "ontology": set(), "shapes": set()}
    for row in store.query("SELECT DISTINCT ?s ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
        subject, graph = row["s"].value, row["g"].value
        if not subject.startswith(BASE):
            continue
        found["any"].add(subject)
        for kind in ("ontology", "shapes"):
            if graph.startswith(built_project.graph_base + kind + "/"):
                found[kind].add(subject)
    return found


@pytest.fixture(scope="module")
def subjects(defined: dict[str, set[str]]) -> set[str]:
    return {s.removeprefix(BASE) for s in defined["any"]}


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


def test_the_prefixed_pattern_sees_names_and_nothing_else() -> None:
    sample = ("`hrid:demand/concerted-position-2016-c2-3-b6-1` and `person:marfa-rabkova`; "
              "`?d hrg:topic/skos:broader* topic:freedom-of-association`, `uprcat:5`, "
              "`demand:upr-slovenia-cycle-2-115.3`. Ends a sentence: hrg:madeIn. "
              "Not: `quote:role-claim-<id>`, hrid:demand/concerted-posi…, e.g. this, "
              "status: met, Date:2020, `person:` alone, "
              "https://w3id.org/hrgraph/id/person/x, ?status:met, skos:broader, my-topic:x")
    assert prefixed(sample) == {
        BASE + "id/demand/concerted-position-2016-c2-3-b6-1", BASE + "id/person/marfa-rabkova",
        BASE + "ontology#topic", BASE + "vocab/topic/freedom-of-association",
        BASE + "vocab/upr-info-action-category/5",
        BASE + "id/demand/upr-slovenia-cycle-2-115.3", BASE + "ontology#madeIn"}


def where_defined(iri: str) -> str:
    """Which graphs must define ``iri``: terms of the ontology and vocabularies theirs, shapes
    the shapes', instances any (the corpus's data)."""
    if iri.startswith(BASE + "vocab/") or iri.startswith(OWN["hrg"]):
        return "ontology"
    if iri.startswith(OWN["hrsh"]):
        return "shapes"
    return "any"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_prefixed_name_a_page_shows_exists(page: Path,
                                                 defined: dict[str, set[str]]) -> None:
    missing = sorted(
        iri for iri in prefixed(page.read_text(encoding="utf-8"))
        if iri not in defined[where_defined(iri)] and iri.rstrip("/") + "/" not in OWN.values()
        # the IRIs of an import (upr.md shows one's output) are checked by its tests
        and not IMPORTED.match(iri.removeprefix(BASE))
        and iri not in NOT_MINTED.get(page.name, ()))
    assert missing == [], f"{page.name} shows prefixed names that do not exist: {missing}"


def test_the_pages_still_show_the_names_not_minted() -> None:
    for page, names in NOT_MINTED.items():
        assert names <= prefixed((REPO / "docs" / page).read_text(encoding="utf-8")), page


def test_names_said_not_to_be_minted_do_not_exist(defined: dict[str, set[str]]) -> None:
    for page, names in NOT_MINTED.items():
        assert not names & defined["any"], f"{page} says these are not minted, but they are"
