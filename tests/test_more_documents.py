"""The fifteen documents `01`–`19` of the shared ``sources/more/`` (issue 17, item 7), entered as
contributions with ``hrgraph draft`` and a spreadsheet each (data/sources/workbooks/), Turtle
where no sheet can say it (an unknown date, a maker, an organisation's kind, a reiteration).

They are not in the test corpus yet (a maintainer adds them with the answers they change), so
these tests build a copy of the corpus with the merged files of :data:`CONTRIBUTIONS` added and
pin the answers that a maintainer should pin once they are in the corpus: the documents, the
people matched across spellings, the makers, and the three saved queries written for them
(``demands-by-maker-type``, ``people-across-documents``, ``demands-repeated-across-years``).
"""

from __future__ import annotations

import shutil

import pytest

from conftest import REPO, copy_project
from hrgraph import names
from hrgraph import store as stores
from hrgraph.build import build
from hrgraph.query import run_saved

ID = "https://w3id.org/hrgraph/id/"
HRG = "https://w3id.org/hrgraph/ontology#"

#: The merged files of the fifteen documents, in the order they were merged (later ones refer to
#: people, groups and mechanisms that earlier ones introduced). Per document: a Turtle file
#: before the workbook (an undated document; organisations with their kind), the workbook, and a
#: Turtle file after it (makers; reiterations).
CONTRIBUTIONS = [
    # 01 Norway, HRC46: undated document (Turtle), workbook, makers (Turtle)
    "20261201T233135Z-232d2946", "20261201T233202Z-09fd39ff", "20261201T233205Z-76f03fc9",
    # 02 Norway, HRC51: workbook, makers and reiterations (Turtle)
    "20261201T233253Z-8247052a", "20261201T233305Z-72b8d48a",
    # 04 HRHF, HRC47: undated document with its author (Turtle), workbook
    "20261201T233331Z-5849eef8", "20261201T233401Z-b832ee9e",
    # 05 EU High Representative's spokesperson, 2012: workbook, maker (Turtle)
    "20261201T233445Z-05189e07", "20261201T233451Z-a8f67aa3",
    # 06 Mogherini and Hahn, 2015: workbook, maker (Turtle)
    "20261201T233540Z-c5b5eb34", "20261201T233545Z-4e8ed75f",
    # 07 Libereco, 2014: organisations with their kind (Turtle), workbook
    "20261201T233715Z-e5303b9a", "20261201T233745Z-d4fdab7f",
    # 08 Viasna via KHPG: undated document and KHPG (Turtle), workbook
    "20261201T233820Z-adc03686", "20261201T233846Z-df1efccc",
    # 09 UK, HRC46 UPR adoption: workbook, makers (Turtle)
    "20261201T233925Z-99f39d6f", "20261201T233928Z-7a25efd0",
    # 10 UK, HRC38: workbook, makers (Turtle)
    "20261201T234004Z-0d0426a3", "20261201T234008Z-ab1a9d1b",
    # 11 Norway, OSCE Permanent Council: workbook, makers (Turtle)
    "20261201T234036Z-9fc38f36", "20261201T234039Z-2cb2bc2d",
    # 13 UN Watch, HRC30: UN Watch with its kind (Turtle), workbook
    "20261201T234056Z-d33ef135", "20261201T234132Z-a2b97b5d",
    # 14 and 15 Committee of Ministers: the Council of Europe and the Committee (Turtle),
    # workbook with both publications, maker (Turtle)
    "20261201T234200Z-dd96a9d2", "20261201T234228Z-69c2fb12", "20261201T234305Z-42c33130",
    # 16 EU High Representative's spokesperson (French), 2012: workbook, makers (Turtle)
    "20261201T234349Z-ff88c269", "20261201T234353Z-0cb0e6a9",
    # 18 EU spokesperson, 2016: workbook, makers (Turtle)
    "20261201T234428Z-91c61d7f", "20261201T234433Z-864f2af0",
    # 19 UK, UPR 50 (2025): workbook, makers (Turtle)
    "20261201T234509Z-6004f8bc", "20261201T234512Z-de47e986",
]

UK = "state/united-kingdom-of-great-britain-and-northern-ireland"

#: document → (date or None when unknown, language, partial, number of demands)
DOCUMENTS = {
    "norway-hrc46-belarus": (None, "en", False, 3),
    "norway-hrc51-belarus": ("2022-09-23", "en", False, 3),
    "hrhf-hrc47-belarus": (None, "en", False, 4),
    "eu-hr-spokesperson-kavalyow-execution-2012": ("2012-03-17", "en", False, 1),
    "eu-mogherini-hahn-release-political-prisoners-2015": ("2015-08-22", "en", False, 1),
    "libereco-bialiatski-release-special-amnesty-2014": ("2014-06-23", "en", False, 2),
    "viasna-protests-measures-against-political-prisoners": (None, "en", False, 3),
    "uk-hrc46-upr-adoption-belarus-2021": ("2021-03-16", "en", False, 7),
    "uk-hrc38-id-special-rapporteur-belarus-2018": ("2018-06-25", "en", True, 3),
    "norway-osce-pc-belarus-2021-05-20": ("2021-05-20", "en", False, 2),
    "unwatch-upr-belarus-hrc30-2015": ("2015-09-24", "en", True, 5),
    "coe-committee-of-ministers-selyun-execution-2014": ("2014-04-23", "en", False, 2),
    "eu-hr-spokesperson-konovalov-kovalev-2012-fr": ("2012-03-16", "fr", False, 2),
    "eu-spokesperson-death-sentence-yakavitski-2016": ("2016-01-13", "en", False, 4),
    "uk-upr50-belarus-2025": ("2025-11-03", "en", False, 6),
}


def short(value: str) -> str:
    """An IRI of the project without its id base (``person/…``); other values as they are."""
    return value.removeprefix(ID)


@pytest.fixture(scope="module")
def more(tmp_path_factory: pytest.TempPathFactory):
    """The test corpus with the fifteen documents' contributions added, built."""
    project = copy_project(REPO, tmp_path_factory.mktemp("more") / "project")
    target = project.data_dir / "contributions"
    target.mkdir(parents=True, exist_ok=True)
    for name in CONTRIBUTIONS:
        shutil.copy(REPO / "data" / "contributions" / f"{name}.ttl", target / f"{name}.ttl")
    result = build(project)
    assert result.violations == 0
    return project


@pytest.fixture(scope="module")
def ask(more):
    store = stores.open_store(more, read_only=True)

    def run(query: str) -> list[dict]:
        result = store.query(f"PREFIX hrg: <{HRG}>\n" + query, use_default_graph_as_union=True)
        names_ = [v.value for v in result.variables]
        return [{n: row[n].value for n in names_ if row[n] is not None} for row in result]

    return run


@pytest.fixture(scope="module")
def saved(more):
    def run(query: str, columns: tuple[str, ...], /, **params) -> list[tuple]:
        result = run_saved(more, query, params)
        return [tuple(short(row[c].value) if row[c] is not None else None for c in columns)
                for row in result.rows]

    return run


def test_every_listed_contribution_is_merged_in_the_project() -> None:
    merged = {p.stem for p in (REPO / "data" / "contributions").glob("*.ttl")}
    assert set(CONTRIBUTIONS) <= merged
    assert len(CONTRIBUTIONS) == len(set(CONTRIBUTIONS)) == 32


def test_the_fifteen_documents(ask) -> None:
    rows = ask("""PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?doc ?date ?unknown ?lang ?partial (COUNT(DISTINCT ?d) AS ?demands) WHERE {
          ?d a hrg:Demand ; hrg:madeIn ?doc .
          ?doc dcterms:language ?lang .
          OPTIONAL { ?doc dcterms:date ?date } OPTIONAL { ?doc hrg:dateUnknown ?unknown }
          OPTIONAL { ?doc hrg:partial ?partial }
        } GROUP BY ?doc ?date ?unknown ?lang ?partial""")
    found = {short(r["doc"]).removeprefix("document/"): r for r in rows}
    for doc, (date, lang, partial, demands) in DOCUMENTS.items():
        row = found[doc]
        assert row.get("date") == date, doc
        assert (row.get("unknown") == "true") == (date is None), doc
        assert row["lang"].rsplit("/", 1)[-1] == lang, doc
        assert (row.get("partial") == "true") == partial, doc
        assert int(row["demands"]) == demands, doc
    assert sum(d[3] for d in DOCUMENTS.values()) == 48


def test_15_is_the_french_publication_of_14(ask) -> None:
    rows = ask("""PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?lang ?copy WHERE {
          <https://w3id.org/hrgraph/id/document/coe-committee-of-ministers-selyun-execution-2014>
              hrg:hasPublication ?p .
          ?p hrg:publicationOf ?doc ; dcterms:language ?lang ; hrg:textCopy ?copy }
        ORDER BY ?lang""")
    assert [(r["lang"].rsplit("/", 1)[-1], r["copy"]) for r in rows] == [
        ("en", "data/sources/coe-committee-of-ministers-selyun-execution-2014.txt"),
        ("fr", "data/sources/coe-cm-selyun-declaration-2014-fr.txt")]


#: person → the spellings of the texts, all names of that one IRI
SPELLINGS = {
    "mykalai-statkevich": {"Mykalai Statkevich", "Mikalai Statkevich", "Nikolai Statkevich"},
    "mykalai-dziadok": {"Mykalai Dziadok", "Mikalai Dziadok"},
    "ihar-alinevich": {"Ihar Alinevich", "Ihar Alienevich"},
    "euheny-vaskovich": {"Euheny Vaskovich", "Yauhen Vaskovich"},
    "artyom-prakapenka": {"Artyom Prakapenka", "Artsiom Prakapenka"},
    "uladzislaw-kavalyow": {"Uladzislaw Kavalyow", "Uladzslau Kavalyou", "Vladislav Kovalev"},
    "dzmitry-kanavalaw": {"Dzmitry Kanavalaw", "Dzmitry Kanavalau", "Dmitri Konovalov"},
}


@pytest.mark.parametrize("person", sorted(SPELLINGS))
def test_one_person_under_every_spelling(saved, person: str) -> None:
    for spelling in sorted(SPELLINGS[person]):
        assert {r[0] for r in saved("find-by-name", ("entity",), name=spelling)} == {
            f"person/{person}"}, spelling


#: (a later text's spelling, the name first entered): the duplicate check must match each
MATCHED = [("Mikalai Statkevich", "Mykalai Statkevich"), ("Mikalai Dziadok", "Mykalai Dziadok"),
           ("Ihar Alienevich", "Ihar Alinevich"), ("Yauhen Vaskovich", "Euheny Vaskovich"),
           ("Uladzslau Kavalyou", "Uladzislaw Kavalyow"),
           ("Vladislav Kovalev", "Uladzislaw Kavalyow"),
           ("Dzmitry Kanavalau", "Dzmitry Kanavalaw"), ("Dmitri Konovalov", "Dzmitry Kanavalaw"),
           # Found while entering 07 and 08, when names.compare scored them 0 (the later texts
           # refer to the person by IRI and add the spelling as another name): Russian Николай
           # and Belarusian Мікалай, Арцём and Артём are one name through the given-name table
           # (data/reference/given-names.csv); "Bialiastki" is a misspelling (two letters
           # swapped in a long surname) beside the same given name.
           ("Nikolai Statkevich", "Mykalai Statkevich"),
           ("Nikolai Statkevich", "Mikalai Statkevich"),
           ("Artsiom Prakapenka", "Artyom Prakapenka"), ("Ales Bialiastki", "Ales Bialiatski")]


@pytest.mark.parametrize(("later", "first"), MATCHED)
def test_the_duplicate_check_matches_the_spellings(later: str, first: str) -> None:
    assert names.confidence(later, first) == "high"


@pytest.mark.parametrize(("later", "first"), [
    ("Mikalai Stankevich", "Mikalai Statkevich"),  # another surname: a consonant differs
    ("Bialiastki", "Ales Bialiatski"),  # a misspelt surname alone
])
def test_the_duplicate_check_only_warns_of_these(later: str, first: str) -> None:
    assert names.confidence(later, first) == "low"


def test_demands_by_maker_type_states(saved) -> None:
    norway = [("norway-hrc46-belarus", 3), ("norway-hrc51-belarus", 3),
              ("norway-osce-pc-belarus-2021-05-20", 2)]
    uk = [("uk-hrc38-id-special-rapporteur-belarus-2018", 3),
          ("uk-hrc46-upr-adoption-belarus-2021", 7), ("uk-upr50-belarus-2025", 6)]
    expected = [("state", "state/norway", f"demand/{d}-{n}") for d, k in norway
                for n in range(1, k + 1)]
    expected += [("state", UK, f"demand/{d}-{n}") for d, k in uk for n in range(1, k + 1)]
    assert saved("demands-by-maker-type", ("kind", "maker", "demand"), kind="state") == expected


def test_demands_by_maker_type_intergovernmental_bodies(saved) -> None:
    cm = "coe-committee-of-ministers-selyun-execution-2014"
    eu = [("eu-hr-spokesperson-kavalyow-execution-2012", 1),
          ("eu-hr-spokesperson-konovalov-kovalev-2012-fr", 2),
          ("eu-mogherini-hahn-release-political-prisoners-2015", 1),
          ("eu-spokesperson-death-sentence-yakavitski-2016", 4)]
    expected = [("organisation/coe-committee-of-ministers", f"demand/{cm}-{n}") for n in (1, 2)]
    expected += [("organisation/european-union", f"demand/{d}-{n}") for d, k in eu
                 for n in range(1, k + 1)]
    assert saved("demands-by-maker-type", ("maker", "demand"),
                 kind="intergovernmental body") == expected


def test_demands_by_maker_type_ngos(saved) -> None:
    rows = saved("demands-by-maker-type", ("kind", "maker", "demand"))
    ngo = [r for r in rows if r[0] == "NGO"]
    counts: dict[str, int] = {}
    for _, maker, _ in ngo:
        counts[maker] = counts.get(maker, 0) + 1
    # The 2016 statement's 28 demands, by each of its eight signatories; Viasna also makes the
    # three of its statement reported by KHPG; HRHF, Libereco and UN Watch their own.
    signatories_2016 = ["belarusian-association-of-journalists", "belarusian-documentation-centre",
                        "belarusian-human-rights-house", "forb-initiative", "lawtrend",
                        "office-for-the-rights-of-people-with-disabilities", "salidarnasc"]
    assert counts == {**{f"organisation/{o}": 28 for o in signatories_2016},
                      "organisation/viasna": 31, "organisation/human-rights-house-foundation": 4,
                      "organisation/libereco": 2, "organisation/un-watch": 5}
    assert {r[0] for r in rows} == {"NGO", "state", "intergovernmental body"}
    assert len(rows) == 28 * 8 + 3 + 4 + 2 + 5 + 24 + 10


def test_people_across_documents(saved) -> None:
    assert saved("people-across-documents", ("person", "documents", "first_date", "last_date")) == [
        ("person/mykalai-statkevich", "4", "2014-06-23", "2015-09-24"),
        ("person/dzmitry-kanavalaw", "3", "2012-03-16", "2015-09-24"),
        ("person/euheny-vaskovich", "3", "2014-06-23", "2015-08-22"),
        ("person/uladzislaw-kavalyow", "3", "2012-03-16", "2015-09-24"),
        ("person/alena-tankachova", "2", "2015-12-09", "2016-02-29"),
        ("person/ales-bialiatski", "2", "2014-06-23", "2014-06-23"),
        ("person/ales-mikhalevich", "2", "2015-12-09", "2016-02-29"),
        ("person/aliaksandr-alesin", "2", "2015-12-09", "2016-02-29"),
        ("person/artyom-prakapenka", "2", "2014-06-23", "2015-08-22"),
        ("person/catherine-ashton", "2", "2012-03-16", "2012-03-17"),
        ("person/ihar-alinevich", "2", "2014-06-23", "2015-08-22"),
        ("person/maksim-piakarski", "2", "2015-12-09", "2016-02-29"),
        ("person/marfa-rabkova", "2", "2020-09-21", "2020-09-22"),
        ("person/mikhail-zhamchuzhny", "2", "2015-12-09", "2016-02-29"),
        ("person/mykalai-dziadok", "2", "2014-06-23", "2015-08-22"),
        ("person/tine-morch-smith", "2", "2022-09-23", "2022-09-23"),
        ("person/vadzim-zharomski", "2", "2015-12-09", "2016-02-29"),
        ("person/viachaslau-kasinerau", "2", "2015-12-09", "2016-02-29"),
    ]


def test_demands_repeated_across_years(saved) -> None:
    columns = ("action", "target", "years", "first_year", "last_year", "demands", "documents",
               "reiterations")
    action = "https://w3id.org/hrgraph/vocab/action-type/"
    rows = saved("demands-repeated-across-years", columns)
    # Across the new documents: release of political prisoners (UN Watch 2015, Norway 2022, the
    # UK 2025; Norway's repeats its undated HRC46 call), the end of violations in Belarus
    # (Norway 2022, the UK 2025 twice), the global moratorium (the EU in 2012, twice, and 2016).
    assert rows[:3] == [
        (action + "release", "group/political-prisoners-belarus",
         "3", "2015", "2025", "3", "3", "1"),
        (action + "end-violation", "state/belarus", "2", "2022", "2025", "3", "2", "1"),
        (action + "introduce-moratorium", "mechanism/global-moratorium-death-penalty",
         "2", "2012", "2016", "3", "3", "0"),
    ]
    # The rest pairs the 2016 statement (2016) with the open letter (2015) or the UN mandate
    # statement (2021), each linked as a reiteration except the cooperation with UN mechanisms.
    assert [(r[0].removeprefix(action), r[1], r[3], r[4], r[7]) for r in rows[3:]] == [
        ("close-criminal-case", "person/ales-mikhalevich", "2015", "2016", "1"),
        ("close-criminal-case", "person/aliaksandr-alesin", "2015", "2016", "1"),
        ("close-criminal-case", "person/maksim-piakarski", "2015", "2016", "1"),
        ("close-criminal-case", "person/vadzim-zharomski", "2015", "2016", "1"),
        ("close-criminal-case", "person/viachaslau-kasinerau", "2015", "2016", "1"),
        ("cooperate-with-mechanism", "mechanism/un-mechanisms", "2016", "2021", "0"),
        ("end-persecution", "group/belsat-journalists", "2015", "2016", "1"),
        ("end-persecution", "group/foreign-media-journalists", "2015", "2016", "1"),
        ("end-persecution", "group/racyja-journalists", "2015", "2016", "1"),
        ("ensure-safe-return", "group/persons-forced-to-leave", "2015", "2016", "1"),
        ("lift-entry-ban", "person/alena-tankachova", "2015", "2016", "1"),
        ("public-retrial", "person/mikhail-zhamchuzhny", "2015", "2016", "1"),
        ("refrain-from-interference", "group/belsat-journalists", "2015", "2016", "1"),
        ("refrain-from-interference", "group/foreign-media-journalists", "2015", "2016", "1"),
        ("refrain-from-interference", "group/racyja-journalists", "2015", "2016", "1"),
        ("register-organisation", "group/other-non-profit-organisations", "2015", "2016", "1"),
        ("register-organisation", "organisation/viasna", "2015", "2016", "1"),
        ("remove-conviction", "group/former-political-prisoners", "2015", "2016", "1"),
        ("repeal", "legal/belarus-ban-unregistered-organisations", "2015", "2016", "1"),
        ("repeal", "legal/belarus-criminal-code-article-193-1", "2015", "2016", "1"),
    ]
    assert saved("demands-repeated-across-years", ("target",), action=action + "release") == [
        ("group/political-prisoners-belarus",)]


def test_norway_repeats_its_hrc46_calls(saved) -> None:
    later = "https://w3id.org/hrgraph/id/document/norway-hrc51-belarus"
    assert saved("reiterated-demands", ("demand", "earlier_demand", "earlier_date"),
                 document=later) == [
        ("demand/norway-hrc51-belarus-1", "demand/norway-hrc46-belarus-1", None),
        ("demand/norway-hrc51-belarus-2", "demand/norway-hrc46-belarus-3", None),
        ("demand/norway-hrc51-belarus-3", "demand/norway-hrc46-belarus-2", None),
    ]
