"""Every saved query of queries/, run on the real data (built once per session): its exact rows.

The expected rows were checked against data/**/*.ttl and the source texts in data/sources/, not
copied from the output. Cells are compact: an IRI under ``https://w3id.org/hrgraph/id/`` loses that
base (``demand/…``), a vocabulary IRI is ``hrv:…``, a literal is its lexical form (no language or
datatype), unbound is ``""``.

The queries run in this process on the session's store (the worker path is tested in
test_query.py, and here by the parameter, injection and command-line tests).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from conftest import REPO
from hrgraph.cli import main
from hrgraph.errors import UsageError
from hrgraph.project import Project
from hrgraph.query import QueryResult, list_queries, run_query, run_saved
from hrgraph.store import open_store

ID = "https://w3id.org/hrgraph/id/"
VOCAB = "https://w3id.org/hrgraph/vocab/"
STATEMENT = ID + "document/concerted-position-2016"
LETTER = ID + "document/open-letter-2015-12-09"
JOINT = ID + "document/joint-position-eu-belarus-dialogue"
RABKOVA = ID + "document/rabkova-release-2020"
EU = ID + "organisation/european-union"
BA = ID + "organisation/belarusian-authorities"
IC = ID + "group/international-community"
VIASNA = ID + "organisation/viasna"


def cp(slug: str) -> str:
    """A demand of the 2016 statement, compact."""
    return "demand/concerted-position-2016-" + slug


def ol(slug: str) -> str:
    """A demand of the open letter of 9 December 2015, compact."""
    return "demand/open-letter-2015-12-09-" + slug


def jp(slug: str) -> str:
    """A demand of the undated joint position, compact."""
    return "demand/joint-position-eu-belarus-dialogue-" + slug


def compact(result: QueryResult, term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode) and term.value.startswith(ID):
        return term.value[len(ID):]
    return result.cell(term)


@pytest.fixture(scope="module")
def store(built_project):
    return open_store(built_project, read_only=True)


@pytest.fixture
def rows(built_project, store):
    """``rows(query, columns=None, **params)``: the answer as tuples of compact cells."""

    def run(query: str, columns: tuple[str, ...] | None = None, /, **params) -> list[tuple]:
        result = run_saved(built_project, query, params, store=store)
        picked = columns or tuple(result.variables)
        return [tuple(compact(result, row[v]) for v in picked) for row in result.rows]

    return run


#: The saved queries this file tests; a new query fails test_every_saved_query_is_tested.
TESTED = {
    "about-entity", "candidate-repeats", "co-signatories", "count-demands-by-addressee",
    "count-demands-by-status", "count-demands-by-topic", "count-demands-by-year",
    "demand-provenance", "demands-by-action-type", "demands-by-actor", "demands-by-addressee",
    "demands-by-status", "demands-by-topic", "demands-concerning-unregistered-organisations",
    "demands-naming-people", "demands-without-assessment", "documents-citing",
    "documents-signed-by", "earlier-demands-not-repeated", "external-links", "find-by-name",
    "latest-status", "legal-provisions-targeted", "mechanisms-in-demands",
    "partly-met-then-reversed", "people-in-demands", "reiterated-demands", "signatories",
    "status-changes-between", "weak-evidence-assessments", "status-as-of", "status-timeline",
    # exact answers in tests/test_similar.py (on this data and on a hand-made UN review)
    "similar-demands", "demands-echoing-un-recommendations",
    # exact answers in tests/test_upr_import.py (both real UPR lists imported into a copy)
    "upr-noted-on-theme", "upr-positions-by-theme", "upr-recommendations-by-state",
    # exact answers in tests/test_more_documents.py (the fifteen documents of issue 17 added)
    "demands-by-maker-type", "people-across-documents", "demands-repeated-across-years",
}


def test_every_saved_query_is_tested() -> None:
    saved = {q.name for q in list_queries(Project.open(REPO)) if not q.name.startswith("checks/")}
    assert saved == TESTED


# --------------------------------------------------------------------------- the statement's parts

#: The 19 roadmap bullets of the 2016 statement (point 2.3), by bullet and item.
BULLETS = [f"c2-3-b{b}-{n}" for b, count in [(1, 7), (2, 2), (3, 2), (4, 4), (5, 1), (6, 2),
                                            (7, 1)] for n in range(1, count + 1)]
#: The 19 demands of the open letter's stored text (its last measure is cut off mid-word).
LETTER_DEMANDS = (["l1-1", "l1-2"] + [f"r1-{n}" for n in range(1, 9)]
                  + ["r2-1", "r2-2", "r3-1", "r3-2"] + [f"r4-{n}" for n in range(1, 5)]
                  + ["r5-1"])
#: Statement bullet → the open-letter demand it repeats (data/history/reiterations.ttl): the
#: statement drops the letter's fourth graffiti artist (r1-5), so Mikhalevich moves up one.
REITERATES = dict(zip(BULLETS, [f"r1-{n}" for n in (1, 2, 3, 4, 6, 7, 8)]
                      + ["r2-1", "r2-2", "r3-1", "r3-2", "r4-1", "r4-2", "r4-3", "r4-4", "r5-1",
                         "l1-1", "l1-2"], strict=False))


# --------------------------------------------------------------------------- actors and addressees


def test_demands_by_actor_defaults_to_the_belarusian_authorities(rows) -> None:
    # The roadmap (2.3, also asked of the EU), its two parts and 19 bullets, addressed to the EU;
    # the joint position's demands (party-to-dialogue names no addressee; spotlight is addressed
    # to both parties); the letter's 19 measures, addressed to "the government"; Rabkova's release.
    expected = [(cp(d), "organisation/european-union")
                for d in ["c2-3", "c2-3-1", "c2-3-2", *BULLETS]]
    expected += [(jp("domestic-dialogue"), "organisation/belarusian-authorities"),
                 (jp("national-plan"), "organisation/belarusian-authorities"),
                 (jp("party-to-dialogue"), ""),
                 (jp("spotlight"), "organisation/belarusian-authorities"),
                 (jp("spotlight"), "organisation/european-union")]
    expected += [(ol(d), "organisation/belarusian-authorities") for d in sorted(LETTER_DEMANDS)]
    expected += [("demand/rabkova-release-2020-1", "")]
    assert rows("demands-by-actor", ("demand", "addressee")) == expected
    assert {r[0] for r in rows("demands-by-actor", ("actor",))} == {
        "organisation/belarusian-authorities"}
    assert rows("demands-by-actor", ("demand", "label"), document=RABKOVA) == [
        ("demand/rabkova-release-2020-1", "Release Marfa Rabkova immediately")]


def test_demands_by_actor_the_european_union(rows) -> None:
    assert rows("demands-by-actor", ("demand", "addressee"), actor=EU) == [
        (cp("c2-1"), "organisation/european-union"),
        (cp("c2-2"), "organisation/european-union"),
        (cp("c2-3"), "organisation/european-union"),
        (jp("party-to-dialogue"), ""),
        (jp("spotlight"), "organisation/belarusian-authorities"),
        (jp("spotlight"), "organisation/european-union"),
    ]


def test_demands_by_addressee_defaults_to_the_european_union(rows) -> None:
    expected = [(cp("c2-1"), "organisation/european-union"),
                (cp("c2-2"), "organisation/european-union"),
                (cp("c2-3"), "organisation/belarusian-authorities"),
                (cp("c2-3"), "organisation/european-union")]
    expected += [(cp(d), "organisation/belarusian-authorities")
                 for d in ["c2-3-1", "c2-3-2", *BULLETS]]
    expected += [(jp("spotlight"), "organisation/belarusian-authorities"),
                 (jp("spotlight"), "organisation/european-union")]
    assert rows("demands-by-addressee", ("demand", "actor")) == expected


def test_demands_by_addressee_the_international_community(rows) -> None:
    # Points 1 and 3 of the statement: "the international community to continue ensuring
    # international scrutiny ... renewing the mandate", "to regard the Belarusian human rights
    # community as an actor" in the EU– and US–Belarus dialogues.
    assert rows("demands-by-addressee", ("demand", "label", "actor"), addressee=IC) == [
        (cp("c1-1"), "Continue ensuring international scrutiny over the human rights situation "
         "in Belarus", "group/international-community"),
        (cp("c1-1-1"), "Renew the mandate of the UN Special Rapporteur on the situation of human "
         "rights in Belarus", "group/international-community"),
        (cp("c3-1"), "Include the Belarusian human rights community as an equal partner in the "
         "EU–Belarus human-rights dialogue", "group/international-community"),
        (cp("c3-2"), "Include the Belarusian human rights community as an equal partner in the "
         "US–Belarus human-rights dialogue", "group/international-community"),
        # the 2021 statement: "We urge the international community to support this critical
        # next step"
        ("demand/hrc-belarus-mandate-2021-03-24-2", "The international community to support the "
         "immediate operationalisation of the new mandate", "group/international-community"),
    ]


def test_count_demands_by_addressee(rows) -> None:
    # Leaf demands only: EU = 23 of the statement (2.1, 2.2, 2.3.1, 2.3.2, 19 bullets) + the
    # spotlight; Belarusian authorities = the letter's 19 + 3 of the joint position; the
    # international community = 1.1.1, 3.1, 3.2 and the 2021 statement's call to support the
    # mandate (its other demands name no addressee, as their editorial notes say).
    assert rows("count-demands-by-addressee") == [
        ("organisation/european-union", "European Union", "24"),
        ("organisation/belarusian-authorities", "Belarusian authorities", "22"),
        ("group/international-community", "the international community", "4"),
    ]


# --------------------------------------------------------------------------- people and names


def test_demands_naming_people(rows) -> None:
    people = [("aliaksandr-alesin", "close a criminal case"),
              ("maksim-piakarski", "close a criminal case"),
              ("vadzim-zharomski", "close a criminal case"),
              ("viachaslau-kasinerau", "close a criminal case"),
              ("ales-mikhalevich", "close a criminal case"),
              ("mikhail-zhamchuzhny", "review a case in a public trial"),
              ("alena-tankachova", "lift an entry ban")]
    statement = [(f"person/{p}", a, cp(d), "document/concerted-position-2016")
                 for (p, a), d in zip(people, ["c2-3-b1-1", "c2-3-b1-2", "c2-3-b1-3", "c2-3-b1-4",
                                               "c2-3-b1-5", "c2-3-b1-6", "c2-3-b2-1"],
                                      strict=True)]
    letter_people = [*people[:4], ("yaraslau-uliyanenkau", "close a criminal case"), *people[4:]]
    letter = [(f"person/{p}", a, ol(d), "document/open-letter-2015-12-09")
              for (p, a), d in zip(letter_people, [f"r1-{n}" for n in range(1, 8)] + ["r2-1"],
                                   strict=True)]
    rabkova = [("person/marfa-rabkova", "release", "demand/rabkova-release-2020-1",
                "document/rabkova-release-2020")]
    assert rows("demands-naming-people", ("person", "action", "demand", "document")) == (
        statement + letter + rabkova)
    assert rows("demands-naming-people", ("person", "action", "demand", "document"),
                document=STATEMENT) == statement


def test_people_in_demands_with_their_roles(rows) -> None:
    # Roles as each document gives them: the open letter (9 December 2015) and the statement
    # (February 2016) both call Alesin a journalist, and so on; only the letter names
    # Uliyanenkau; Rabkova's roles come from the 2020 item.
    letter, statement = ("2015-12-09", "document/open-letter-2015-12-09"), (
        "2016-02", "document/concerted-position-2016")
    both = [
        ("person/alena-tankachova", "Alena Tankachova", "human-rights activist", ""),
        ("person/ales-mikhalevich", "Ales Mikhalevich", "politician", ""),
        ("person/aliaksandr-alesin", "Aliaksandr Alesin", "journalist", ""),
        ("person/maksim-piakarski", "Maksim Piakarski", "graffiti artist", ""),
    ]
    later = [
        ("person/mikhail-zhamchuzhny", "Mikhail Zhamchuzhny", "founder", "Platform Innovation"),
        ("person/vadzim-zharomski", "Vadzim Zharomski", "graffiti artist", ""),
        ("person/viachaslau-kasinerau", "Viachaslau Kasinerau", "graffiti artist", ""),
    ]
    expected = [row + when for row in both for when in (letter, statement)]
    expected += [
        # Viasna's English statement of 21 September 2020 gives her the same roles
        ("person/marfa-rabkova", "Marfa Rabkova", "human-rights activist",
         "Human Rights Center “Viasna”", "2020-09-21", "document/rabkova-2020-09-21-en"),
        ("person/marfa-rabkova", "Marfa Rabkova", "political prisoner", "", "2020-09-21",
         "document/rabkova-2020-09-21-en"),
        ("person/marfa-rabkova", "Marfa Rabkova", "human-rights activist",
         "Human Rights Center “Viasna”", "2020-09-22", "document/rabkova-release-2020"),
        ("person/marfa-rabkova", "Marfa Rabkova", "political prisoner", "", "2020-09-22",
         "document/rabkova-release-2020"),
    ]
    expected += [row + when for row in later for when in (letter, statement)]
    expected.append(("person/yaraslau-uliyanenkau", "Yaraslau Uliyanenkau", "graffiti artist", "",
                     *letter))
    assert rows("people-in-demands") == expected


@pytest.mark.parametrize("name", ["Алесін", "АЛЕСІН", "alesin", "ALIAKSANDR ALESIN"])
def test_find_by_name_in_any_script_and_case(rows, name: str) -> None:
    found = rows("find-by-name", name=name)
    assert {r[:3] for r in found} == {("person/aliaksandr-alesin", "foaf:Person",
                                       "Aliaksandr Alesin")}


def test_find_by_name_shows_every_matching_name(rows) -> None:
    assert rows("find-by-name", name="Алесін") == [
        ("person/aliaksandr-alesin", "foaf:Person", "Aliaksandr Alesin", "Аляксандр Алесін",
         "be")]
    assert rows("find-by-name", name="Вясна") == [
        ("organisation/viasna", "org:Organization", "Human Rights Center “Viasna”", name, "be")
        for name in ["Вясна-96", "ПЦ “Вясна”", "Праваабарончы цэнтр «Вясна»"]]
    assert rows("find-by-name", name="no such name anywhere") == []


def test_find_by_name_finds_codes_and_laws_as_the_spreadsheet_does(rows) -> None:
    # a code is an eli:LegalResource, a law also a hrg:LegalProvision (a body of law a demand
    # can target): found once each, under its most specific type
    found = rows("find-by-name", name="Criminal Code of the Republic of Belarus")
    assert found == [("legal/belarus-criminal-code", "hrg:Code",
                      "Criminal Code of the Republic of Belarus",
                      "Criminal Code of the Republic of Belarus", "en")]
    names = [(r[0], r[3]) for r in rows("find-by-name", name="law")]
    assert ("legal/belarus-law-71-z-2005", "hrg:LegalProvision") in {
        r[:2] for r in rows("find-by-name", name="law")}
    assert len(names) == len(set(names))  # each entity's name once, under one type


def test_about_entity(rows) -> None:
    assert rows("about-entity", name="Alesin") == [
        ("person/aliaksandr-alesin", "Aliaksandr Alesin", "role",
         "role-claim/concerted-position-2016-aliaksandr-alesin-journalist", "journalist",
         "document/concerted-position-2016"),
        ("person/aliaksandr-alesin", "Aliaksandr Alesin", "role",
         "role-claim/open-letter-2015-12-09-aliaksandr-alesin-journalist", "journalist",
         "document/open-letter-2015-12-09"),
        ("person/aliaksandr-alesin", "Aliaksandr Alesin", "target of demand", cp("c2-3-b1-1"),
         "Close the criminal case against Aliaksandr Alesin", "document/concerted-position-2016"),
        ("person/aliaksandr-alesin", "Aliaksandr Alesin", "target of demand", ol("r1-1"),
         "Close the criminal case against Aliaksandr Alesin", "document/open-letter-2015-12-09"),
    ]
    assert rows("about-entity", ("relation", "subject", "document"), name="Вясна") == [
        ("mentioned in", "document/rabkova-2020-09-21-en", "document/rabkova-2020-09-21-en"),
        ("signed", "document/concerted-position-2016", "document/concerted-position-2016"),
        ("target of demand", cp("c2-3-b3-1"), "document/concerted-position-2016"),
        ("target of demand", ol("r3-1"), "document/open-letter-2015-12-09"),
    ]


def test_about_entity_shows_an_open_identity_question(rows) -> None:
    # Viasna's 2020 text names Marfa Rabkova's husband Vadzim Zharomski; whether he is the
    # graffiti artist of 2015 is unverified: both sides show the question and its source.
    source = ("<https://contao.epde.org/en/news/details/"
              "viasna-activist-marfa-rabkova-is-political-prisoner.html>")
    found = rows("about-entity", ("entity", "relation", "subject", "document"), name="Zharomski")
    assert ("person/vadzim-zharomski", "possibly the same as", "person/vadzim-zharomski-2020",
            source) in found
    assert ("person/vadzim-zharomski-2020", "possibly the same as", "person/vadzim-zharomski",
            source) in found
    assert len([r for r in found if r[1] == "possibly the same as"]) == 2


# --------------------------------------------------------------------------- signatories


def test_signatories_of_the_statement_by_default(rows) -> None:
    found = rows("signatories", ("order", "signatory", "kind"))
    order = [(o, s) for o, s, k in found if k == "preferred"]
    assert list(dict.fromkeys(order)) == [(str(i), "organisation/" + s) for i, s in enumerate([
        "office-for-the-rights-of-people-with-disabilities", "lawtrend",
        "belarusian-documentation-centre", "salidarnasc", "forb-initiative", "viasna",
        "belarusian-association-of-journalists", "belarusian-human-rights-house"], start=1)]
    assert len(found) == 36  # every name: test_competency.py checks them one by one
    # The open letter's stored copy lists no signatories.
    assert rows("signatories", document=LETTER) == []


def test_documents_signed_by(rows) -> None:
    assert rows("documents-signed-by", signatory=VIASNA) == [
        ("document/concerted-position-2016",
         "Concerted position on international partners’ relations with Belarus", "2016-02")]
    assert rows("documents-signed-by", signatory=EU) == []


def test_co_signatories(rows) -> None:
    # The eight signatories of the statement, the only document with a list of signatories:
    # every pair once, in IRI order, each with one document.
    eight = sorted("organisation/" + s for s in [
        "office-for-the-rights-of-people-with-disabilities", "lawtrend",
        "belarusian-documentation-centre", "salidarnasc", "forb-initiative", "viasna",
        "belarusian-association-of-journalists", "belarusian-human-rights-house"])
    pairs = [(a, b, "1") for i, a in enumerate(eight) for b in eight[i + 1:]]
    assert rows("co-signatories", ("signatory_a", "signatory_b", "documents")) == pairs
    assert len(pairs) == 28
    labels = {(r[0], r[1]) for r in rows("co-signatories", ("signatory_a", "label_a"))}
    assert ("organisation/viasna", "Human Rights Center “Viasna”") not in labels  # last in order
    assert ("organisation/belarusian-association-of-journalists",
            "Belarusian Association of Journalists") in labels


# --------------------------------------------------------------------------- topics, action types


def test_demands_by_topic_follows_narrower_topics(rows) -> None:
    # freedom of association ⊃ registration of organisations, unregistered-organisation law
    assert rows("demands-by-topic", ("demand", "matched_topic"),
                topic=VOCAB + "topic/freedom-of-association") == [
        (cp("c2-3-b3-1"), "hrv:topic/registration-of-organisations"),
        (cp("c2-3-b3-2"), "hrv:topic/registration-of-organisations"),
        (cp("c2-3-b6-1"), "hrv:topic/unregistered-organisations-law"),
        (cp("c2-3-b6-2"), "hrv:topic/unregistered-organisations-law"),
        (ol("l1-1"), "hrv:topic/unregistered-organisations-law"),
        (ol("l1-2"), "hrv:topic/unregistered-organisations-law"),
        (ol("r3-1"), "hrv:topic/registration-of-organisations"),
        (ol("r3-2"), "hrv:topic/registration-of-organisations"),
    ]


def test_demands_by_topic_with_two_topics(rows) -> None:
    # multiple: true — the demands on either topic (a moratorium; Zhamchuzhny's public retrial)
    assert rows("demands-by-topic", topic=[VOCAB + "topic/death-penalty",
                                           VOCAB + "topic/fair-trial"]) == [
        (cp("c2-3-b1-6"), "Review the criminal case of Mikhail Zhamchuzhny in a public trial",
         "hrv:topic/fair-trial", "document/concerted-position-2016"),
        (cp("c2-3-b5-1"), "Introduce a moratorium on executions", "hrv:topic/death-penalty",
         "document/concerted-position-2016"),
        (ol("r1-7"), "Review the criminal case of Mikhail Zhamchuzhny in a public trial",
         "hrv:topic/fair-trial", "document/open-letter-2015-12-09"),
        (ol("r5-1"), "Introduce a moratorium on executions", "hrv:topic/death-penalty",
         "document/open-letter-2015-12-09"),
    ]


def test_count_demands_by_topic(rows) -> None:
    # Leaf demands (55: 26 of the statement, 19 of the letter, 4 of the joint position, 1 of
    # 2020, 5 of the 2021 statement on the UN mandate), each counted under its topics and all
    # their broader topics.
    assert rows("count-demands-by-topic", ("topic", "demands")) == [
        ("hrv:topic/civil-and-political-rights", "42"),  # 50 less 8 on scrutiny/policy only
        ("hrv:topic/political-prisoners", "16"),  # b1-1..7, r1-1..8, Rabkova
        ("hrv:topic/international-scrutiny-and-cooperation", "14"),  # 9, and the 2021 five
        ("hrv:topic/politically-motivated-prosecution", "11"),  # b1-1..5, r1-1..6
        ("hrv:topic/human-rights-defenders", "9"),
        ("hrv:topic/freedom-of-association", "8"),
        ("hrv:topic/freedom-of-expression-and-media", "8"),
        ("hrv:topic/journalists-and-foreign-media", "8"),  # b4-1..4, r4-1..4
        ("hrv:topic/un-mechanisms", "7"),  # 1.1.1, 2.3.1 and the 2021 five
        ("hrv:topic/legislative-reform", "5"),  # b7-1 and the four repeals
        ("hrv:topic/freedom-of-movement-and-return", "4"),
        ("hrv:topic/registration-of-organisations", "4"),
        ("hrv:topic/unregistered-organisations-law", "4"),
        ("hrv:topic/eu-relations", "3"),  # 2.1, 2.2, spotlight
        ("hrv:topic/human-rights-dialogues", "3"),  # 3.1, 3.2, party-to-dialogue
        ("hrv:topic/death-penalty", "2"),
        ("hrv:topic/fair-trial", "2"),
        ("hrv:topic/national-human-rights-policy", "2"),
        ("hrv:topic/rehabilitation", "2"),
        ("hrv:topic/osce-mechanisms", "1"),  # 2.3.2
    ]


def test_demands_by_action_type_includes_narrower_types(rows) -> None:
    assert rows("demands-by-action-type", ("demand", "action_type"),
                action=VOCAB + "action-type/legal-change") == [
        (cp("c2-3-b5-1"), "hrv:action-type/introduce-moratorium"),
        (cp("c2-3-b6-1"), "hrv:action-type/repeal"),
        (cp("c2-3-b6-2"), "hrv:action-type/repeal"),
        (cp("c2-3-b7-1"), "hrv:action-type/harmonise-legislation"),
        (ol("l1-1"), "hrv:action-type/repeal"),
        (ol("l1-2"), "hrv:action-type/repeal"),
        (ol("r5-1"), "hrv:action-type/introduce-moratorium"),
    ]
    assert rows("demands-by-action-type", ("demand",),
                action=VOCAB + "action-type/repeal") == [
        (cp("c2-3-b6-1"),), (cp("c2-3-b6-2"),), (ol("l1-1"),), (ol("l1-2"),)]


def test_demands_concerning_unregistered_organisations(rows) -> None:
    assert rows("demands-concerning-unregistered-organisations",
                ("demand", "provision", "document")) == [
        (cp("c2-3-b6-1"), "legal/belarus-criminal-code-article-193-1",
         "document/concerted-position-2016"),
        (cp("c2-3-b6-2"), "legal/belarus-ban-unregistered-organisations",
         "document/concerted-position-2016"),
        (ol("l1-1"), "legal/belarus-criminal-code-article-193-1",
         "document/open-letter-2015-12-09"),
        (ol("l1-2"), "legal/belarus-ban-unregistered-organisations",
         "document/open-letter-2015-12-09"),
    ]


def test_legal_provisions_targeted(rows) -> None:
    article = ("legal/belarus-criminal-code-article-193-1", "Article 193.1 of the Criminal Code",
               "193.1", "Criminal Code of the Republic of Belarus", "place/belarus", "repeal")
    ban = ("legal/belarus-ban-unregistered-organisations",
           "ban on the activity on behalf of unregistered organizations", "", "", "place/belarus",
           "repeal")
    assert rows("legal-provisions-targeted") == [
        (*ban, cp("c2-3-b6-2")), (*ban, ol("l1-2")),
        (*article, cp("c2-3-b6-1")), (*article, ol("l1-1")),
        ("legal/belarus-human-rights-legislation",
         "legislation of Belarus in the sphere of human rights", "", "", "place/belarus",
         "bring legislation in line with international standards", cp("c2-3-b7-1")),
    ]
    assert rows("legal-provisions-targeted", document=LETTER,
                jurisdiction=ID + "place/belarus") == [(*ban, ol("l1-2")), (*article, ol("l1-1"))]
    assert rows("legal-provisions-targeted", jurisdiction=ID + "place/nowhere") == []


def test_mechanisms_in_demands(rows) -> None:
    assert rows("mechanisms-in-demands", ("mechanism", "operated_by", "demand", "action")) == [
        ("mechanism/eu-belarus-human-rights-dialogue", "", cp("c3-1"),
         "include civil society in a dialogue"),
        ("mechanism/eu-belarus-human-rights-dialogue", "", jp("party-to-dialogue"),
         "include civil society in a dialogue"),
        ("mechanism/eu-council-conclusions", "Council of the European Union", cp("c2-1"),
         "adopt a policy act"),
        # the 2021 statement: its six demands and the new mandate, run by OHCHR and the Council
        *[("mechanism/ohchr-belarus-accountability-mandate-2021", body,
           f"demand/hrc-belarus-mandate-2021-03-24-{n}", action)
          for n, action in [("1", "operationalise a mandate"), ("2", "support"), ("3", "support"),
                            ("3-1", "fund"), ("3-2", "appoint"),
                            ("3-3", "operationalise a mandate")]
          for body in ("Office of the United Nations High Commissioner for Human Rights",
                       "United Nations Human Rights Council")],
        ("mechanism/osce-mechanisms", "Organisation for Security and Cooperation in Europe",
         cp("c2-3-2"), "cooperate fully with a mechanism"),
        ("mechanism/un-mechanisms", "United Nations", cp("c2-3-1"),
         "cooperate fully with a mechanism"),
        ("mechanism/un-special-rapporteur-belarus", "United Nations Human Rights Council",
         cp("c1-1-1"), "renew a mandate"),
        ("mechanism/us-belarus-human-rights-dialogue", "", cp("c3-2"),
         "include civil society in a dialogue"),
    ]


# --------------------------------------------------------------------------- provenance, documents


def test_demand_provenance(rows) -> None:
    quote = ("Repeal Article 193.1 of the Criminal Code, as well as a ban on the activity on "
             "behalf of unregistered organizations")
    assert rows("demand-provenance", demand=ID + cp("c2-3-b6-1")) == [(
        quote, quote, "a moratorium on executions.\n  • ", ";\n  • Launch systematic work wit",
        "Article 193.1 of the Criminal Code", "publication/concerted-position-2016-hrhf",
        "<https://humanrightshouse.org/articles/concerted-position-on-international-partners-"
        "relations-with-belarus/>", "data/sources/concerted-position-belarus.txt", "1",
        "point/concerted-position-2016-c2-3-b6", "document/concerted-position-2016")]
    text = (REPO / "data/sources/concerted-position-belarus.txt").read_text(encoding="utf-8")
    assert "a moratorium on executions.\n  • " + quote + ";\n  • Launch systematic work wit" in text


def test_documents_citing(rows) -> None:
    # The statement cites "an open letter ... of 9 January 2015": resolved to the letter of
    # 9 December 2015, the cited date kept as cited (data/history/citations.ttl).
    assert rows("documents-citing") == [
        ("document/concerted-position-2016", "document/open-letter-2015-12-09", "2015-01-09",
         "2015-12-09", "true")]


def test_external_links(rows) -> None:
    wd = "<http://www.wikidata.org/entity/"
    everything = rows("external-links", ("entity", "match", "identifier"))
    assert everything == [
        ("organisation/belarusian-authorities", "close", wd + "Q997640>"),
        ("organisation/council-of-the-eu", "exact", wd + "Q8896>"),
        ("organisation/european-union", "exact", wd + "Q458>"),
        ("organisation/osce", "exact", wd + "Q81299>"),
        ("organisation/un-human-rights-council", "exact", wd + "Q205650>"),
        ("organisation/united-nations", "exact", wd + "Q1065>"),
        ("organisation/united-states", "close", wd + "Q30>"),
        ("organisation/viasna", "exact", "<http://id.loc.gov/authorities/names/n2001101099>"),
        ("organisation/viasna", "exact", "<https://isni.org/isni/0000000107015174>"),
        ("organisation/viasna", "exact", "<https://viaf.org/viaf/147054672>"),
        ("place/belarus", "exact", wd + "Q184>"),
        ("place/belarus", "exact", "<https://isni.org/isni/0000000121712080>"),
        ("place/belarus", "exact", "<https://sws.geonames.org/630336/>"),
        ("hrv:role/human-rights-activist", "close", wd + "Q1476215>"),
        ("hrv:topic/death-penalty", "exact", wd + "Q8454>"),
        ("hrv:topic/freedom-of-expression-and-media", "close", wd + "Q3831748>"),
        ("hrv:topic/journalists-and-foreign-media", "close", wd + "Q22688>"),
    ]
    wikidata = rows("external-links", ("entity", "match", "identifier"),
                    authority="http://www.wikidata.org/entity/")
    assert wikidata == [r for r in everything if r[2].startswith(wd)]
    assert len(wikidata) == 12


# --------------------------------------------------------------------------- reiteration


def test_reiterated_demands(rows) -> None:
    expected = [(cp(b), "document/concerted-position-2016", ol(r),
                 "document/open-letter-2015-12-09", "2015-12-09")
                for b, r in REITERATES.items()]
    assert rows("reiterated-demands", ("demand", "document", "earlier_demand",
                                       "earlier_document", "earlier_date")) == expected
    assert len(expected) == 18
    assert rows("reiterated-demands", document=LETTER) == []


def test_earlier_demands_not_repeated_defaults_to_the_letter(rows) -> None:
    # The statement left out the fourth graffiti artist, Yaraslau Uliyanenkau.
    assert rows("earlier-demands-not-repeated", ("demand", "label")) == [
        (ol("r1-5"), "Close the criminal case against Yaraslau Uliyanenkau")]
    # Nothing repeats the statement (yet): all its 26 leaf demands; groups are not listed.
    later = rows("earlier-demands-not-repeated", ("demand",), document=STATEMENT)
    assert len(later) == 26 and (cp("c2-3"),) not in later and (cp("c1-1"),) not in later


def test_candidate_repeats(rows) -> None:
    # Same action and a shared target in different documents, not linked by a curated
    # reiteration: the statement's 3.1 (EU–Belarus dialogue) shares the group and the dialogue
    # with the joint position's party-to-dialogue demand. 3.2 shares only the group, and is
    # about another mechanism (the US–Belarus dialogue): not suggested.
    # The pairs come from the similar-demand suggestions (0.815: tests/test_similar.py), where
    # the statement's 2.3 bullets also list the letter's demands they curatedly reiterate (not
    # suggested here). GROUP_CONCAT has no defined order: compare the shared targets as a set.
    id_ = "https://w3id.org/hrgraph/id/"
    found = rows("candidate-repeats", ("demand", "other_demand", "shared_targets", "score"))
    assert [(a, b, set(targets.split()), score) for a, b, targets, score in found] == [
        (cp("c3-1"), jp("party-to-dialogue"),
         {f"{id_}group/belarusian-human-rights-community",
          f"{id_}mechanism/eu-belarus-human-rights-dialogue"}, "0.815"),
    ]


# --------------------------------------------------------------------------- status history

#: The 2016 statement's leaf demands without an assessment (data/history/assessments.ttl).
def test_demands_without_assessment_defaults_to_the_statement(rows) -> None:
    # every leaf demand of the statement has an assessment (where nothing was found, one that
    # says so: status unknown); the joint position's have none
    assert rows("demands-without-assessment", ("demand",)) == []
    assert rows("demands-without-assessment", ("demand",), document=JOINT) == [
        (jp("domestic-dialogue"),), (jp("national-plan"),), (jp("party-to-dialogue"),),
        (jp("spotlight"),)]
    assert rows("demands-without-assessment", document=RABKOVA) == [
        ("demand/rabkova-release-2020-1", "Release Marfa Rabkova immediately")]


def test_count_demands_by_status(rows) -> None:
    # The 55 leaf demands by their latest status: the statement's 26 and the open letter's 19
    # are all assessed (b2-1 / r2-1 "superseded", b6-1, b6-2, l1-1, l1-2 "reversed"; "unknown"
    # where the editors looked and found nothing: 4 in each, and Uliyanenkau's case); the joint
    # position's 4, the 2021 statement's 5 and the Rabkova item's 1 are not.
    assert rows("count-demands-by-status") == [
        ("not met", "25"), ("not assessed", "10"), ("unknown", "8"), ("partly met", "5"),
        ("reversed", "4"), ("superseded", "2"), ("met", "1")]


def test_count_demands_by_year(rows) -> None:
    # By the document's earliest date: the letter (2015), the statement (2016), the Rabkova item
    # (2020), the statement on the UN mandate (2021, 5 leaves); the joint position is undated.
    assert rows("count-demands-by-year") == [
        ("2015", "19"), ("2016", "26"), ("2020", "1"), ("2021", "5"), ("unknown", "4")]


def test_demands_by_status_defaults_to_met(rows) -> None:
    assert rows("demands-by-status", ("demand", "date", "period_start", "period_end")) == [
        (cp("c1-1-1"), "2024-04-04", "2016-07-01", "")]


def test_demands_by_status_not_met(rows) -> None:
    # Every "not met" assessment, including b2-1's first one (later superseded) and b6-1's
    # first (Article 193.1 in force until 2018 or 2019): the date of the evidence, the period.
    found = rows("demands-by-status", ("demand", "date", "period_start", "period_end"),
                 status=VOCAB + "status/not-met")
    assert [r for r in found if r[0].startswith(cp(""))] == [
        (cp("c2-1"), "2016-02-15", "2016-02-15", ""),
        (cp("c2-2"), "2016-02-15", "2016-02-15", ""),
        (cp("c2-3-1"), "2020", "2016", "2020"),
        (cp("c2-3-2"), "2020", "2016", "2020"),
        (cp("c2-3-b1-2"), "2016-01-29", "2016-01-29", ""),
        (cp("c2-3-b1-3"), "2016-01-29", "2016-01-29", ""),
        (cp("c2-3-b1-4"), "2016-01-29", "2016-01-29", ""),
        (cp("c2-3-b1-6"), "2021-02-19", "2016-02", ""),
        (cp("c2-3-b2-1"), "2016-10", "2016-02-15", "2018-02"),
        (cp("c2-3-b3-1"), "2023-08-23", "2016-02", ""),
        (cp("c2-3-b3-2"), "2023-02-28", "2021", ""),
        (cp("c2-3-b4-1"), "2021", "2016", "2021"),
        (cp("c2-3-b4-2"), "2021", "2016", "2021"),
        (cp("c2-3-b4-4"), "2021", "2016", "2021"),
        (cp("c2-3-b5-1"), "2022", "2016", "2022"),
        (cp("c2-3-b6-1"), "2018", "2016-02", "2018"),
        (cp("c2-3-b6-2"), "2018", "2016-02", "2018"),
        (cp("c2-3-b7-1"), "2022", "2021", "2022"),
    ]
    # the letter's 13: the same facts, from the letter of 9 December 2015 on where they held then
    assert [r for r in found if r[0].startswith(ol(""))][-1] == (
        ol("r5-1"), "2022", "2016", "2022")
    assert len(found) == 18 + 13


#: Latest assessment of each assessed demand: (status, number of evidence URLs).
LATEST = {
    "c1-1-1": ("met", 6), "c2-1": ("not met", 1), "c2-3-1": ("not met", 2),
    "c2-3-2": ("not met", 1), "c2-3-b1-1": ("partly met", 1), "c2-3-b1-2": ("not met", 2),
    "c2-3-b1-3": ("not met", 2), "c2-3-b1-4": ("not met", 2), "c2-3-b1-5": ("partly met", 1),
    "c2-3-b1-6": ("not met", 1), "c2-3-b2-1": ("superseded", 2), "c2-3-b3-1": ("not met", 3),
    "c2-3-b4-1": ("not met", 3), "c2-3-b4-2": ("not met", 2), "c2-3-b5-1": ("not met", 3),
    "c2-3-b6-1": ("reversed", 2), "c2-3-b7-1": ("not met", 2), "c3-1": ("partly met", 2),
    "c2-2": ("not met", 1), "c2-3-b1-7": ("unknown", 1), "c2-3-b2-2": ("unknown", 1),
    "c2-3-b3-2": ("not met", 3), "c2-3-b4-3": ("unknown", 1), "c2-3-b4-4": ("not met", 3),
    "c2-3-b6-2": ("reversed", 2), "c3-2": ("unknown", 1),
}


def test_latest_status(rows) -> None:
    # one row per evidence URL; an assessment "unknown" has none, and one row
    found = rows("latest-status", ("demand", "status", "evidence", "quality"), document=STATEMENT)
    assert len(found) == sum(n for _, n in LATEST.values()) == 51
    by_demand: dict[str, set] = {}
    for demand, status, _evidence, _quality in found:
        by_demand.setdefault(demand, set()).add(status)
    assert by_demand == {cp(d): {s} for d, (s, _) in LATEST.items()}
    assert [r for r in found if r[0] == cp("c2-3-b6-1")] == [
        (cp("c2-3-b6-1"), "reversed", "<https://belsat.eu/en/news/13-01-2022-new-law-returns-"
         "liability-for-activities-on-behalf-of-unregistered-organizations/>", "news media"),
        (cp("c2-3-b6-1"), "reversed", "<https://spring96.org/en/news/106387>",
         "organisation's own site"),
    ]
    assert rows("latest-status", ("demand", "date", "period_start", "period_end"),
                document=STATEMENT)[:1] == [(cp("c1-1-1"), "2024-04-04", "2016-07-01", "")]
    assert len({r[0] for r in rows("latest-status", document=LETTER)}) == 19
    assert rows("latest-status", document=JOINT) == []


def test_status_changes_between(rows) -> None:
    # Status periods starting inside 2017–2023, with the status before them if one is recorded.
    found = rows("status-changes-between", ("demand", "new_status", "earliest", "latest",
                                            "previous_status"),
                 **{"from": "2017-01-01", "to": "2023-12-31"})
    assert [r for r in found if r[0].startswith(cp(""))] == [
        (cp("c3-1"), "partly met", "2017-07-20", "2017-07-20", ""),
        (cp("c2-3-b6-1"), "partly met", "2018-01-01", "2019-12-31", "not met"),
        (cp("c2-3-b6-2"), "partly met", "2018-01-01", "2019-12-31", "not met"),
        (cp("c2-3-b2-1"), "superseded", "2018-02-22", "2018-02-22", "not met"),
        (cp("c2-3-b3-2"), "not met", "2021-01-01", "2021-12-31", ""),
        (cp("c2-3-b7-1"), "not met", "2021-01-01", "2021-12-31", ""),
        (cp("c2-3-b6-1"), "reversed", "2022-01-01", "2022-01-31", "partly met"),
        (cp("c2-3-b6-2"), "reversed", "2022-01-01", "2022-01-31", "partly met"),
    ]
    assert len(found) == 14  # and the letter's l1-1, l1-2 (twice each), r2-1, r3-2


def test_partly_met_then_reversed(rows) -> None:
    # Article 193.1: decriminalised (partly met, 2018–2019), reinstated in January 2022.
    found = rows("partly-met-then-reversed")
    assert [r[:5] for r in found] == [
        (cp("c2-3-b6-1"), "Repeal Article 193.1 of the Criminal Code", "partly met", "2018",
         "2022-01"),
        (cp("c2-3-b6-2"), "Repeal the ban on activity on behalf of unregistered organisations",
         "partly met", "2018", "2022-01"),
        (ol("l1-1"), "Repeal Article 193.1 of the Criminal Code", "partly met", "2018", "2022-01"),
        (ol("l1-2"), "Repeal the ban on activity on behalf of unregistered organisations",
         "partly met", "2018", "2022-01")]
    assert found[0][5].startswith("Reversed: Law No. 144-З, published on 4 January 2022")


#: The status of each of the statement's 26 leaf demands on 1 January 2020 (issue 17's question
#: "which demands were still unmet as of 2020"), from data/history/assessments.ttl: "certainly"
#: where the date lies inside the period whatever its imprecise ends; "still, as last seen" for an
#: open period after its evidence; "no information" where no assessment covers the date.
AS_OF_2020 = [
    (cp("c1-1-1"), "met", "certainly"), (cp("c2-1"), "not met", "still, as last seen"),
    (cp("c2-2"), "not met", "still, as last seen"), (cp("c2-3-1"), "not met", "certainly"),
    (cp("c2-3-2"), "not met", "certainly"),
    (cp("c2-3-b1-1"), "partly met", "still, as last seen"),
    (cp("c2-3-b1-2"), "not met", "still, as last seen"),
    (cp("c2-3-b1-3"), "not met", "still, as last seen"),
    (cp("c2-3-b1-4"), "not met", "still, as last seen"),
    (cp("c2-3-b1-5"), "partly met", "still, as last seen"),
    (cp("c2-3-b1-6"), "not met", "certainly"), (cp("c2-3-b1-7"), "unknown", "certainly"),
    (cp("c2-3-b2-1"), "superseded", "still, as last seen"),
    (cp("c2-3-b2-2"), "unknown", "certainly"), (cp("c2-3-b3-1"), "not met", "certainly"),
    (cp("c2-3-b3-2"), "no information", ""), (cp("c2-3-b4-1"), "not met", "certainly"),
    (cp("c2-3-b4-2"), "not met", "certainly"), (cp("c2-3-b4-3"), "unknown", "certainly"),
    (cp("c2-3-b4-4"), "not met", "certainly"), (cp("c2-3-b5-1"), "not met", "certainly"),
    (cp("c2-3-b6-1"), "partly met", "certainly"), (cp("c2-3-b6-2"), "partly met", "certainly"),
    (cp("c2-3-b7-1"), "no information", ""), (cp("c3-1"), "no information", ""),
    (cp("c3-2"), "unknown", "certainly"),
]


def test_status_as_of_lists_every_demand_of_2016(rows) -> None:
    assert rows("status-as-of", ("demand", "status", "held"), date="2020-01-01") == AS_OF_2020
    # with its evidence: the Zhamchuzhny retrial, not met from the statement to his release
    assert rows("status-as-of", ("demand", "period_start", "period_end", "evidence_date",
                                 "evidence"), date="2020-01-01")[10] == (
        cp("c2-3-b1-6"), "2016-02", "", "2021-02-19",
        "https://mediazonaby.com/article/2021/03/18/zhemchyzhny")
    no_information = [r for r in rows("status-as-of", ("demand", "note"), date="2020-01-01")
                      if r[0] == cp("c3-1")]
    assert no_information == [(cp("c3-1"), "No assessment covers this date.")]


def test_status_as_of_lists_every_status_that_may_have_held(rows) -> None:
    # Mid-2018 Article 193.1 was still in force or already replaced (the sources disagree on
    # when the change took effect): neither period certainly covers the date, so both are listed.
    found = [r for r in rows("status-as-of", ("demand", "status", "held", "period_start"),
                             date="2018-06-01") if r[0] == cp("c2-3-b6-1")]
    assert found == [(cp("c2-3-b6-1"), "not met", "possibly", "2016-02"),
                     (cp("c2-3-b6-1"), "partly met", "possibly", "2018")]


def test_status_as_of_another_document(rows) -> None:
    # The open letter's demands before the first event known: Alesin's case was suspended on
    # 20 January 2016; on 1 January 2016 only the demands assessed from the letter on have one.
    found = dict((d, s) for d, s in rows("status-as-of", ("demand", "status"),
                                          date="2016-01-01", document=LETTER))
    assert len(found) == 19
    assert found[ol("r1-1")] == "no information"
    assert found[ol("r3-1")] == "not met"  # Viasna: not met from the letter on
    assert found[ol("r1-5")] == "unknown"  # Uliyanenkau: looked, found nothing


def test_status_timeline(rows) -> None:
    # Article 193.1: in force, replaced by an administrative offence (2018 or 2019), reinstated.
    assert rows("status-timeline", demand=ID + cp("c2-3-b6-1")) == [
        (cp("c2-3-b6-1"), "assessment/concerted-position-2016-c2-3-b6-1-2016-02", "not met",
         "2016-02-01", "2016-02-29", "2018-01-01", "2019-12-31", "false", "2018"),
        (cp("c2-3-b6-1"), "assessment/concerted-position-2016-c2-3-b6-1-2018", "partly met",
         "2018-01-01", "2019-12-31", "2022-01-01", "2022-01-31", "false", "2018"),
        (cp("c2-3-b6-1"), "assessment/concerted-position-2016-c2-3-b6-1-2022-01", "reversed",
         "2022-01-01", "2022-01-31", "2022-01-04", "", "true", "2022-01-04"),
    ]
    every = rows("status-timeline", ("assessment",))
    assert len(every) == len(set(every)) == 55  # 31 for the statement, 24 for the letter


def test_weak_evidence_assessments(rows) -> None:
    # 2.1 and 2.2 rest on nothing but an aggregator (a blog copy of the Council conclusions);
    # the Racyja assessments cite Belsat cases only, so the editors rate them indirect evidence.
    # The others with an aggregator (b4-1, b5-1) also cite news media.
    blog = "<http://ukrainianlaw.blogspot.com/2016/02/council-conclusions-on-belarus.html>"
    found = rows("weak-evidence-assessments")
    assert found[:2] == [
        ("assessment/concerted-position-2016-c2-1-2016-02-15", cp("c2-1"), "not met", blog,
         "aggregator"),
        ("assessment/concerted-position-2016-c2-2-2016-02-15", cp("c2-2"), "not met", blog,
         "aggregator")]
    assert {(r[1], r[4]) for r in found[2:]} == {(cp("c2-3-b4-2"), "indirect evidence"),
                                                 (ol("r4-2"), "indirect evidence")}
    assert len(found) == 6


# --------------------------------------------------------------------------- parameters

INJECTIONS = [
    '" } ; DROP ALL #',
    'Alice" . OPTIONAL { ?x ?p ?o } ?s <http://example.org/name> "Alice',
]
IRI_INJECTIONS = [
    "https://w3id.org/hrgraph/id/organisation/viasna> } UNION { ?document ?p ?o } #",
    "https://w3id.org/hrgraph/id/organisation/viasna> <http://example.org/x",
]
COUNT = ("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")


def store_size(project: Project) -> int:
    return int(run_query(project, COUNT).rows[0]["n"].value)


@pytest.mark.parametrize("query, param", [("find-by-name", "name"), ("about-entity", "name"),
                                          ("external-links", "authority")])
@pytest.mark.parametrize("value", INJECTIONS)
def test_string_injection_is_inert(built_project, query: str, param: str, value: str) -> None:
    before = store_size(built_project)
    assert run_saved(built_project, query, {param: value}).rows == []
    assert store_size(built_project) == before


@pytest.mark.parametrize("value", IRI_INJECTIONS)
def test_iri_injection_is_refused(built_project, value: str) -> None:
    before = store_size(built_project)
    with pytest.raises(UsageError, match="parameter 'signatory'"):
        run_saved(built_project, "documents-signed-by", {"signatory": value})
    with pytest.raises(UsageError, match="parameter 'topic'"):
        run_saved(built_project, "demands-by-topic",
                  {"topic": [VOCAB + "topic/death-penalty", value]})
    assert store_size(built_project) == before


@pytest.mark.parametrize("query, param, value", [
    ("documents-signed-by", "signatory", "viasnaa"),  # no IRI, and the name of nothing
    ("documents-signed-by", "signatory", "https://w3id.org/hrgraph/id/org with space"),
    ("demands-by-topic", "topic", "topic/death-penalty"),
    ("status-changes-between", "from", "2017-02-30"),
    ("status-changes-between", "to", "31.12.2023"),
    ("status-changes-between", "from", '2017-01-01" } ; DROP ALL #'),
])
def test_malformed_values_are_usage_errors(built_project, cli, query, param, value) -> None:
    params = {"from": "2017-01-01", "to": "2023-12-31"} if query.startswith("status") else {}
    params[param] = value
    with pytest.raises(UsageError, match=f"parameter '{param}'"):
        run_saved(built_project, query, params)
    args = [a for k, v in params.items() for a in ("--param", f"{k}={v}")]
    result = run_cli(cli, built_project, "query", query, *args)
    assert result.exit_code == 2
    assert f"parameter '{param}'" in result.stderr


def test_good_values_of_each_declared_type(built_project) -> None:
    # string, iri (single and multiple) and date, as Python values and as command-line text.
    by_date = run_saved(built_project, "status-changes-between",
                        {"from": datetime.date(2022, 1, 1), "to": "2022-12-31"})
    assert [r["new_status"].value for r in by_date.rows] == ["reversed"] * 4
    # "Human Rights Center “Viasna”", "Human Rights Center Viasna", "HRC Viasna", "Viasna"
    assert len(run_saved(built_project, "find-by-name", {"name": "Viasna"}).rows) == 4
    assert len(run_saved(built_project, "documents-signed-by", {"signatory": VIASNA}).rows) == 1


def test_missing_required_and_unknown_parameters(built_project) -> None:
    with pytest.raises(UsageError, match="needs a value for parameter 'topic'"):
        run_saved(built_project, "demands-by-topic", {})
    with pytest.raises(UsageError, match="has no parameter 'topics'"):
        run_saved(built_project, "demands-by-topic", {"topics": VOCAB + "topic/death-penalty"})


# --------------------------------------------------------------------------- command line


def run_cli(cli: CliRunner, project: Project, *args: str):
    return cli.invoke(main, ["--project", str(project.root), "--store", str(project.store_path),
                             *args])


def test_query_command_with_several_values_and_formats(cli, built_project) -> None:
    args = ["query", "demands-by-topic", "--param", f"topic={VOCAB}topic/death-penalty",
            "--param", f"topic={VOCAB}topic/fair-trial"]
    table = run_cli(cli, built_project, *args)
    assert table.exit_code == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == ["demand", "label", "matched_topic", "document"]
    assert table.stdout.rstrip().endswith("(4 rows)")
    csv_out = run_cli(cli, built_project, *args, "--format", "csv").stdout.splitlines()
    assert csv_out[1].startswith(ID + cp("c2-3-b1-6") + ",")
    answer = json.loads(run_cli(cli, built_project, *args, "--format", "json").stdout)
    assert len(answer["results"]["bindings"]) == 4
    md = run_cli(cli, built_project, *args, "--format", "md").stdout.splitlines()
    assert md[0] == "| demand | label | matched_topic | document |" and len(md) == 6


@pytest.mark.parametrize("name, starts", [
    ("out.csv", "document,cited,"), ("out.json", "{"), ("out.md", "| document | cited |"),
    ("out.txt", "document  "), ("out.tsv", "document  ")])
def test_output_file_format_follows_its_ending(cli, built_project, tmp_path: Path, name: str,
                                               starts: str) -> None:
    target = tmp_path / name
    result = run_cli(cli, built_project, "query", "documents-citing", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith(starts)


def test_explicit_format_wins_over_the_output_ending(cli, built_project, tmp_path: Path) -> None:
    target = tmp_path / "answer.csv"
    result = run_cli(cli, built_project, "query", "documents-citing", "--output", str(target),
                     "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["head"]["vars"][0] == "document"


def test_query_refuses_updates(cli, built_project, tmp_path: Path) -> None:
    before = store_size(built_project)
    update = tmp_path / "drop.rq"
    update.write_text("DROP ALL\n")
    result = run_cli(cli, built_project, "query", str(update))
    assert result.exit_code == 2
    assert "SPARQL update" in result.stderr
    assert store_size(built_project) == before


def test_service_is_refused_unless_allowed(cli, built_project, tmp_path: Path) -> None:
    # SERVICE SILENT to a closed local port: when allowed, it fails quietly without the network.
    service = tmp_path / "service.rq"
    service.write_text("SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> "
                       "{ ?s ?p ?o } }\n")
    refused = run_cli(cli, built_project, "query", str(service))
    assert refused.exit_code == 2
    assert "SERVICE" in refused.stderr and "--allow-service" not in refused.stdout
    allowed = run_cli(cli, built_project, "query", str(service), "--allow-service")
    assert allowed.exit_code == 0, allowed.stderr


# --------------------------------------------------------------------------- Python API


def test_project_query_gives_plain_python_rows(built_project) -> None:
    changes = built_project.query("status-changes-between", from_="2017-01-01",
                                  to=datetime.date(2023, 12, 31))
    assert changes.variables == ["demand", "label", "new_status", "earliest", "latest",
                                 "previous_status"]
    assert changes.rows[5] == {
        "demand": ID + cp("c2-3-b2-1"), "label": "Lift the entry ban imposed on Alena Tankachova",
        "new_status": "superseded", "earliest": datetime.date(2018, 2, 22),
        "latest": datetime.date(2018, 2, 22), "previous_status": "not met"}
    assert changes.rows[0]["previous_status"] is None
    counts = built_project.query("count-demands-by-year")
    assert counts.rows[0] == {"year": "2015", "demands": 19}
    topics = built_project.query("demands-by-topic", topic=[VOCAB + "topic/death-penalty",
                                                            VOCAB + "topic/fair-trial"])
    assert len(topics) == 4 and isinstance(topics.result.rows[0]["demand"], ox.NamedNode)
    # a parameter called like the method's own argument is still a parameter
    assert len(built_project.query("find-by-name", name="Алесін").rows) == 1
    with pytest.raises(UsageError, match="parameter 'from'"):
        built_project.query("status-changes-between", from_="yesterday", to="2023-12-31")


def test_to_dataframe_needs_pandas(built_project, monkeypatch) -> None:
    import sys

    rows = built_project.query("count-demands-by-year")
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if pandas were not installed
    with pytest.raises(UsageError, match="pip install pandas"):
        rows.to_dataframe()


def test_to_dataframe_hands_rows_and_columns_to_pandas(built_project, monkeypatch) -> None:
    # pandas is not a dependency: a stand-in module records what DataFrame receives.
    import sys
    import types

    class DataFrame:
        def __init__(self, data, columns):
            self.data, self.columns = data, columns

    monkeypatch.setitem(sys.modules, "pandas", types.SimpleNamespace(DataFrame=DataFrame))
    rows = built_project.query("count-demands-by-year")
    frame = rows.to_dataframe()
    assert frame.columns == ["year", "demands"]
    assert frame.data == rows.rows and sum(r["demands"] for r in frame.data) == 55
