"""Competency questions of the model, each a saved query with its exact expected rows on the real
data (built into a store once per session)."""

from __future__ import annotations

import pytest

from hrgraph.query import run_saved

ID = "https://w3id.org/hrgraph/id/"
CP = ID + "demand/concerted-position-2016-"
STATEMENT = ID + "document/concerted-position-2016"
EU = ID + "organisation/european-union"
BA = ID + "organisation/belarusian-authorities"
IC = ID + "group/international-community"


def rows(project, name: str, **params) -> list[tuple]:
    """The result rows as tuples of plain strings ("" for unbound), in the query's order."""
    result = run_saved(project, name, params)
    return [tuple("" if row[v] is None else row[v].value for v in result.variables)
            for row in result.rows]


def test_demands_concerning_unregistered_organisation_law(built_project) -> None:
    found = rows(built_project, "demands-concerning-unregistered-organisations")
    letter = ID + "demand/open-letter-2015-12-09-"
    article, ban = (ID + "legal/belarus-criminal-code-article-193-1",
                    ID + "legal/belarus-ban-unregistered-organisations")
    assert [(r[0], r[2], r[3]) for r in found] == [
        (CP + "c2-3-b6-1", "repeal", article),
        (CP + "c2-3-b6-2", "repeal", ban),
        (letter + "l1-1", "repeal", article),
        (letter + "l1-2", "repeal", ban),
    ]
    quote = ("epeal Article 193.1 of the Criminal Code, as well as a ban on the activity on "
             "behalf of unregistered organizations")
    # The statement capitalises "Repeal"; the letter's list item starts "repeal".
    assert {r[6] for r in found} == {"R" + quote, "r" + quote}


SIGNATORIES = [
    ("office-for-the-rights-of-people-with-disabilities", {
        ("Office for the Rights of People with Disabilities", "en"),
        ("Офіс па правах людзей з інваліднасцю", "be"),
        ("Офис по правам людей с инвалидностью", "ru")}),
    ("lawtrend", {
        ("Legal Transformation Centre LAWTREND", "en"), ("Цэнтр прававой трансфармацыі", "be"),
        ("Центр правовой трансформации", "ru"), ("Centr pravavoj transfarmacyi", "be-latn"),
        ("Legal Transformation Centre", "en"), ("Center for Legal Transformation", "en"),
        ("Lawtrend", "en"), ("LAWTREND", "en")}),
    ("belarusian-documentation-centre", {
        ("Belarusian Documentation Centre", "en"), ("Belarusian Documentation Center", "en"),
        ("Public Institution the Belarusian Documentation Center", "en"), ("BDC", "en")}),
    ("salidarnasc", {
        ("Committee for the Protection of the Repressed Salidarnasc", "en"),
        ('Committee "Salidarnasc"', "en"), ("Salidarnasc", "en")}),
    ("forb-initiative", {("Initiative FORB partnership on expertise and law", "en")}),
    ("viasna", {
        ("Human Rights Center “Viasna”", "en"), ("Праваабарончы цэнтр «Вясна»", "be"),
        ("Правозащитный центр «Весна»", "ru"), ("Human Rights Center Viasna", "en"),
        ("Viasna", "en"), ("HRC Viasna", "en"), ("Spring 96", "en"), ("Вясна-96", "be"),
        ("ПЦ “Вясна”", "be")}),
    ("belarusian-association-of-journalists", {
        ("Belarusian Association of Journalists", "en"),
        ("Белорусская ассоциация журналистов", "ru"), ("BAJ", "en"), ("БАЖ", "ru")}),
    ("belarusian-human-rights-house", {
        ("The Barys Zvozskau Belarusian Human Rights House", "en"),
        ("Barys Zvozskau Belarusian Human Rights House", "en"),
        ("Belarusian Human Rights House", "en"), ("BHRH", "en")}),
]


def test_signatories_with_their_names_in_every_language(built_project) -> None:
    found = rows(built_project, "signatories")
    by_signatory: dict[str, set] = {}
    order = []
    for position, signatory, name, language, _kind in found:
        slug = signatory.removeprefix(ID + "organisation/")
        if slug not in by_signatory:
            order.append((int(position), slug))
            by_signatory[slug] = set()
        by_signatory[slug].add((name, language))
    assert order == [(i, slug) for i, (slug, _) in enumerate(SIGNATORIES, start=1)]
    assert by_signatory == dict(SIGNATORIES)


def test_demands_naming_a_person_and_the_action_for_each(built_project) -> None:
    found = rows(built_project, "demands-naming-people", document=STATEMENT)
    assert [(r[1], r[2], r[3].rsplit("/", 1)[-1]) for r in found] == [
        ("Aliaksandr Alesin", "close a criminal case", "concerted-position-2016-c2-3-b1-1"),
        ("Maksim Piakarski", "close a criminal case", "concerted-position-2016-c2-3-b1-2"),
        ("Vadzim Zharomski", "close a criminal case", "concerted-position-2016-c2-3-b1-3"),
        ("Viachaslau Kasinerau", "close a criminal case", "concerted-position-2016-c2-3-b1-4"),
        ("Ales Mikhalevich", "close a criminal case", "concerted-position-2016-c2-3-b1-5"),
        ("Mikhail Zhamchuzhny", "review a case in a public trial",
         "concerted-position-2016-c2-3-b1-6"),
        ("Alena Tankachova", "lift an entry ban", "concerted-position-2016-c2-3-b2-1"),
    ]
    everywhere = rows(built_project, "demands-naming-people")
    assert {(r[1], r[3].rsplit("/", 1)[-1]) for r in everywhere} >= {
        ("Marfa Rabkova", "rabkova-release-2020-1"),
        ("Yaraslau Uliyanenkau", "open-letter-2015-12-09-r1-5")}


def test_only_one_document_when_asked(built_project) -> None:
    found = rows(built_project, "demands-naming-people",
                 document=ID + "document/rabkova-release-2020")
    assert [r[1] for r in found] == ["Marfa Rabkova"]


BULLETS = [f"c2-3-b{b}-{n}" for b, count in [(1, 7), (2, 2), (3, 2), (4, 4), (5, 1), (6, 2),
                                            (7, 1)] for n in range(1, count + 1)]


def test_demands_addressed_to_the_european_union(built_project) -> None:
    found = rows(built_project, "demands-by-addressee", document=STATEMENT)
    assert {r[2] for r in found} == {EU}
    expected = [("c2-1", EU), ("c2-2", EU), ("c2-3", BA), ("c2-3", EU), ("c2-3-1", BA),
                ("c2-3-2", BA)] + [(d, BA) for d in BULLETS]
    assert sorted((r[0].removeprefix(CP), r[3]) for r in found) == sorted(expected)


def test_demands_that_ask_the_belarusian_authorities_to_act(built_project) -> None:
    found = rows(built_project, "demands-by-actor", document=STATEMENT)
    expected = sorted(CP + d for d in ["c2-3", "c2-3-1", "c2-3-2", *BULLETS])
    assert sorted(r[0] for r in found) == expected
    # Addressed as stated: to the European Union, not to the authorities asked to act.
    assert {r[3] for r in found} == {EU}
    # The 2020 title names no addressee.
    rabkova = rows(built_project, "demands-by-actor", document=ID + "document/rabkova-release-2020")
    assert [(r[0], r[3]) for r in rabkova] == [(ID + "demand/rabkova-release-2020-1", "")]


def test_demands_addressed_to_the_international_community(built_project) -> None:
    found = rows(built_project, "demands-by-addressee", addressee=IC, document=STATEMENT)
    assert [r[0].removeprefix(CP) for r in found] == ["c1-1", "c1-1-1", "c3-1", "c3-2"]


def test_international_mechanisms_and_their_demands(built_project) -> None:
    found = rows(built_project, "mechanisms-in-demands", document=STATEMENT)
    assert [(r[0].removeprefix(ID + "mechanism/"), r[2], r[3].removeprefix(CP), r[4])
            for r in found] == [
        ("eu-belarus-human-rights-dialogue", "", "c3-1", "include civil society in a dialogue"),
        ("eu-council-conclusions", "Council of the European Union", "c2-1", "adopt a policy act"),
        ("osce-mechanisms", "Organisation for Security and Cooperation in Europe", "c2-3-2",
         "cooperate fully with a mechanism"),
        ("un-mechanisms", "United Nations", "c2-3-1", "cooperate fully with a mechanism"),
        ("un-special-rapporteur-belarus", "United Nations Human Rights Council", "c1-1-1",
         "renew a mandate"),
        ("us-belarus-human-rights-dialogue", "", "c3-2", "include civil society in a dialogue"),
    ]


def test_legal_provisions_targeted_with_code_jurisdiction_and_change(built_project) -> None:
    belarus = ID + "place/belarus"
    expected = [
        ("belarus-ban-unregistered-organisations", "", "", belarus, "repeal", "c2-3-b6-2"),
        ("belarus-criminal-code-article-193-1", "193.1", "Criminal Code of the Republic of Belarus",
         belarus, "repeal", "c2-3-b6-1"),
        ("belarus-human-rights-legislation", "", "", belarus,
         "bring legislation in line with international standards", "c2-3-b7-1"),
    ]
    for params in ({"document": STATEMENT}, {"document": STATEMENT, "jurisdiction": belarus}):
        found = rows(built_project, "legal-provisions-targeted", **params)
        assert [(r[0].removeprefix(ID + "legal/"), r[2], r[3], r[4], r[5], r[6].removeprefix(CP))
                for r in found] == expected
    assert rows(built_project, "legal-provisions-targeted",
                jurisdiction=ID + "place/nowhere") == []


@pytest.mark.parametrize("name", ["demands-by-addressee", "demands-by-actor"])
def test_an_actor_with_no_demands_gives_no_rows(built_project, name: str) -> None:
    param = "addressee" if name.endswith("addressee") else "actor"
    assert rows(built_project, name, **{param: ID + "organisation/viasna"}) == []
