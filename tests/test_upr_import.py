"""``hrgraph import upr``: both real UPR lists imported into a copy of the built project.

The module's project is a copy of the session's built project with both real Word files of
data/sources/upr/ imported (the repository's data/ is never touched). The expected rows come from
the hand-written expectations (tests/expectations/upr/) and the reader's records
(tests/test_upr_docx.py checks those against the expectations), never from the import itself.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import docx
import pyoxigraph as ox
import pytest

from conftest import REPO
from hrgraph.cli import main
from hrgraph.contribute import list_contributions, remove_contribution
from hrgraph.errors import InputError
from hrgraph.project import Project
from hrgraph.query import run_saved
from hrgraph.states import resolve_state
from hrgraph.store import open_store
from hrgraph.upr_docx import UprList, read_upr
from hrgraph.upr_import import ImportResult, action_category, import_upr, suggest_action_type
from hrgraph.validate import validate_store

SOURCES = REPO / "data" / "sources" / "upr"
CYCLE2 = SOURCES / "UPR20__Slovenia_ThematicListRecommendations_E.docx"
CYCLE3 = SOURCES / "UPR34_Slovenia_Thematic_list_of_Recommendations.docx"
EXPECTED = REPO / "tests" / "expectations" / "upr"
ID = "https://w3id.org/hrgraph/id/"
HRG = "https://w3id.org/hrgraph/ontology#"
HRV = "https://w3id.org/hrgraph/vocab/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"
REVIEW2 = ID + "document/upr-slovenia-cycle-2"
REVIEW3 = ID + "document/upr-slovenia-cycle-3"


def copy_of(project: Project, target: Path) -> Project:
    """A copy of a built project (files and store) in ``target``."""
    shutil.copytree(project.root, target, symlinks=True)
    return Project.open(target, store=target / "store")


@pytest.fixture(scope="module")
def imported(built_project: Project, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[Project, dict[str, ImportResult]]:
    """A copy of the built project with both real lists imported."""
    project = copy_of(built_project, tmp_path_factory.mktemp("upr") / "project")
    results = {name: import_upr(project, path) for name, path in
               (("cycle2", CYCLE2), ("cycle3", CYCLE3))}
    return project, results


@pytest.fixture(scope="module")
def store(imported):
    return open_store(imported[0], read_only=True)


@pytest.fixture(scope="module")
def lists() -> dict[str, UprList]:
    return {"cycle2": read_upr(CYCLE2), "cycle3": read_upr(CYCLE3)}


def expected(name: str) -> dict:
    return json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))


def objects(store: ox.Store, subject: str, predicate: str) -> set[str]:
    return {q.object.value for q in store.quads_for_pattern(
        ox.NamedNode(subject), ox.NamedNode(predicate), None)}


def one(store: ox.Store, subject: str, predicate: str) -> str:
    [value] = objects(store, subject, predicate)
    return value


def snapshot(project: Project) -> tuple[dict[str, str], list[str]]:
    """The files under data/ (by SHA-256) and the store's quads (sorted)."""
    files = {p.relative_to(project.root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(project.data_dir.rglob("*")) if p.is_file()}
    store = open_store(project, read_only=True)
    quads = sorted(str(q) for q in store)
    del store
    return files, quads


# --------------------------------------------------------------------------- both real lists


@pytest.mark.parametrize("name, line", [
    ("cycle2", "imported 163 recommendations (142 supported, 21 noted) from 71 recommending "
               f"states in {REVIEW2}"),
    ("cycle3", "imported 215 recommendations (182 supported, 33 noted) from 81 recommending "
               f"states in {REVIEW3}"),
])
def test_both_lists_import_with_their_counts_and_no_violation(imported, name: str,
                                                              line: str) -> None:
    result = imported[1][name]
    assert result.summary() == line
    assert result.added is not None and result.added.merged
    assert result.added.report.violations == 0
    # by the model's decisions only items and wordings with no group of persons and no target
    # are warned about (docs/upr.md, "What the recommended shapes ask")
    assert {r.source_shape for r in result.added.report.results} <= {
        "https://w3id.org/hrgraph/shapes#DemandRecommended-target"}


def test_the_71_recommending_states_of_the_2nd_cycle(imported, store) -> None:
    rows = run_saved(imported[0], "upr-recommendations-by-state", {"review": REVIEW2},
                     store=store).rows
    states = {row["state"].value for row in rows}
    assert states == {resolve_state(name, REPO) for name in expected("cycle2")[
        "recommending_states"]}
    assert len(states) == 71


def test_the_imported_iris_the_docs_show_exist(store) -> None:
    from test_docs_iris import IMPORTED, PAGES, cited

    shown = {iri for page in PAGES for iri in cited(page) if IMPORTED.match(iri)}
    assert shown  # the saved queries' examples name the 2nd-cycle report
    missing = {iri for iri in shown if not any(store.quads_for_pattern(
        ox.NamedNode("https://w3id.org/hrgraph/" + iri), None, None))}
    assert missing == set()


def test_the_graph_validates_after_both(imported, store) -> None:
    report = validate_store(imported[0], store)
    assert report.violations == 0, report.to_text()


def test_the_text_copies_hold_every_quote_with_its_context(imported, store) -> None:
    project = imported[0]
    for review in (REVIEW2, REVIEW3):
        [publication] = objects(store, review, HRG + "hasPublication")
        path = project.root / one(store, publication, HRG + "textCopy")
        text = path.read_text(encoding="utf-8")
        assert text.startswith("Title: UPR of Slovenia (")
        assert "\nPublisher: Office of the United Nations High Commissioner for Human Rights " \
               "(OHCHR)\n" in text and "\nLanguage: en\n" in text.split("\n---\n")[0]
        found = 0
        for q in store.quads_for_pattern(None, ox.NamedNode(OA + "hasSource"),
                                         ox.NamedNode(publication)):
            [selector] = objects(store, q.subject.value, OA + "hasSelector")
            exact = one(store, selector, OA + "exact")
            prefix = "".join(objects(store, selector, OA + "prefix"))
            suffix = "".join(objects(store, selector, OA + "suffix"))
            body = text.split("\n---\n", 1)[1]
            assert body.count(prefix + exact + suffix) == 1, (selector, prefix, exact, suffix)
            found += 1
        assert found > 163


def test_a_second_import_changes_nothing(imported) -> None:
    project, results = imported
    before = snapshot(project)
    again = import_upr(project, CYCLE2)
    assert again.summary() == f"already imported as {results['cycle2'].added.id}"
    assert snapshot(project) == before


def test_the_cli_says_already_imported(imported, cli) -> None:
    project, results = imported
    ran = cli.invoke(main, ["--project", str(project.root), "--store", str(project.store_path),
                            "-q", "import", "upr", str(CYCLE3)])
    assert ran.exit_code == 0, ran.output
    assert ran.stdout.strip() == f"already imported as {results['cycle3'].added.id}"


def test_the_record_names_the_word_file_and_its_sha256(imported) -> None:
    project, results = imported
    info = next(c for c in list_contributions(project) if c.id == results["cycle2"].added.id)
    assert info.source_file == CYCLE2.name
    assert info.sha256 == hashlib.sha256(CYCLE2.read_bytes()).hexdigest()
    assert info.files == ("data/sources/upr-slovenia-cycle-2-thematic-list.txt",)


def test_remove_takes_the_import_and_its_text_copy_out(imported, tmp_path: Path) -> None:
    project = copy_of(imported[0], tmp_path / "project")
    result = imported[1]["cycle3"]
    copy = project.root / "data" / "sources" / "upr-slovenia-cycle-3-thematic-list.txt"
    assert copy.is_file()
    remove_contribution(project, result.added.id)
    assert not copy.exists()
    assert not (project.data_dir / "contributions" / f"{result.added.id}.ttl").exists()
    store = open_store(project, read_only=True)
    assert not list(store.quads_for_pattern(ox.NamedNode(REVIEW3), None, None))
    assert list(store.quads_for_pattern(ox.NamedNode(REVIEW2), None, None))  # the other stays
    del store
    again = import_upr(project, CYCLE3)  # and it can come back
    assert again.added is not None and again.added.merged and copy.is_file()


# --------------------------------------------------------------------------- the hand-written rows


def theme_iri(theme: list) -> str:
    code, label = theme
    if code:
        return f"{HRV}uhri-theme-2/{code}"
    from hrgraph.upr_import import _fold, _Vocabularies

    return _Vocabularies(Project.open(REPO)).themes3[_fold(label)]


@pytest.mark.parametrize("name, cycle", [("cycle2", 2), ("cycle3", 3)])
def test_the_whole_rows_become_the_triples_of_the_docs(store, name: str, cycle: int) -> None:
    for row in expected(name)["whole_rows"]:
        item = f"{ID}demand/upr-slovenia-cycle-{cycle}-{row['number']}"
        review = f"{ID}document/upr-slovenia-cycle-{cycle}"
        assert objects(store, item, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type") >= {
            HRG + "UprRecommendation", HRG + "Demand"}
        assert one(store, item, SKOS + "notation") == row["number"]
        assert one(store, item, HRG + "madeIn") == review
        assert objects(store, item, HRG + "addressee") == {ID + "state/slovenia"}
        assert objects(store, item, HRG + "actorAskedToAct") == {ID + "state/slovenia"}
        states = {resolve_state(s, REPO) for w in row["wordings"] for s in w["states"]}
        assert objects(store, item, HRG + "recommendedBy") == states
        themes = {theme_iri(t) for t in row["themes"]}
        assert objects(store, item, HRG + "uhriTheme") == themes
        persons = {p for p in row["affected_persons"] if p.casefold() != "general"}
        assert len(objects(store, item, HRG + "affectedPersons")) == len(
            {p.casefold() for p in persons})
        assert objects(store, item, HRG + "sdg") == {f"{HRV}sdg/{g}" for g, _ in row["sdgs"]}
        quote = one(store, item, HRG + "quote")
        assert quote.startswith(row["wordings"][0]["text"])
        assert quote.endswith(row["wordings"][-1]["text"])
        [response] = {q.subject.value for q in store.quads_for_pattern(
            None, ox.NamedNode(HRG + "positionOn"), ox.NamedNode(item))}
        assert one(store, response, HRG + "positionValue") == \
            f"{HRV}upr-info-response/{row['position'].lower()}"
        assert one(store, response, HRG + "respondent") == ID + "state/slovenia"
        citation = one(store, response, HRG + "positionSource")
        assert one(store, citation, HRG + "citedAs") == row["source"]["text"]
        assert one(store, citation, HRG + "citedIn") == review
        assert len(objects(store, item, HRG + "suggestedActionType")) == 1
        assert len(objects(store, item, HRG + "uprActionCategory")) == 1
        parts = {q.subject.value for q in store.quads_for_pattern(
            None, ox.NamedNode(HRG + "partOf"), ox.NamedNode(item))}
        if len(row["wordings"]) == 1:
            assert not parts
            assert quote == row["wordings"][0]["text"]
            continue
        assert parts == {f"{item}-{n}" for n in range(1, len(row["wordings"]) + 1)}
        for n, wording in enumerate(row["wordings"], start=1):
            part = f"{item}-{n}"
            assert one(store, part, HRG + "quote") == wording["text"]
            assert one(store, part, HRG + "order") == str(n)
            assert objects(store, part, HRG + "recommendedBy") == {
                resolve_state(s, REPO) for s in wording["states"]}
            assert not objects(store, part, SKOS + "notation")


def test_the_docs_example_row_is_what_the_import_makes(store) -> None:
    """Recommendation 115.3, shown end to end in docs/upr.md, as imported."""
    import rdflib

    from test_upr_model import example_turtle

    graph = rdflib.Graph().parse(data=example_turtle(), format="turtle")
    for s, p, o in graph:
        if str(p) in (HRG + "dateUnknown",) or str(s).startswith(ID + "state/"):
            continue
        found = objects(store, str(s), str(p))
        assert str(o) in found, (s, p, o, found)


# --------------------------------------------------------------------------- the saved queries


def test_recommendations_by_state_count_both_reviews(imported, store, lists) -> None:
    rows = run_saved(imported[0], "upr-recommendations-by-state", {}, store=store).rows
    for review, (total, supported, noted) in ((REVIEW2, (163, 142, 21)),
                                              (REVIEW3, (215, 182, 33))):
        mine = {(r["recommendation"].value, r["position"].value) for r in rows
                if r["review"].value == review}
        assert len({r for r, _ in mine}) == total
        assert sum(p == "supported" for _, p in mine) == supported
        assert sum(p == "noted" for _, p in mine) == noted


def test_recommendations_by_france(imported, store, lists) -> None:
    france = ID + "state/france"
    rows = run_saved(imported[0], "upr-recommendations-by-state", {"state": france},
                     store=store).rows
    got = sorted((r["review"].value, r["number"].value, r["position"].value) for r in rows)
    want = sorted((review, r.number, r.position_kind)
                  for review, upr in ((REVIEW2, lists["cycle2"]), (REVIEW3, lists["cycle3"]))
                  for r in upr.recommendations if "France" in r.states)
    assert got == want and len(want) == 6
    assert {r["state_name"].value for r in rows} == {"France"}


def test_positions_by_theme(imported, store, lists) -> None:
    rows = run_saved(imported[0], "upr-positions-by-theme", {"review": REVIEW2},
                     store=store).rows
    got = {r["theme"].value.rsplit("/", 1)[1]: (int(r["supported"].value),
                                                int(r["noted"].value),
                                                int(r["recommendations"].value)) for r in rows}
    want: dict[str, list[int]] = {}
    for r in lists["cycle2"].recommendations:
        for code in {t.code for t in r.themes}:
            counts = want.setdefault(code, [0, 0, 0])
            counts[0 if r.position_kind == "supported" else 1] += 1
            counts[2] += 1
    assert got == {code: tuple(c) for code, c in want.items()}
    assert got["A12"] == (10, 9, 19)  # acceptance of international norms
    assert {r["review"].value for r in rows} == {REVIEW2}


def test_recommendations_slovenia_noted_on_acceptance_of_international_norms(
        imported, store, lists) -> None:
    theme = HRV + "uhri-theme-2/A12"
    rows = run_saved(imported[0], "upr-noted-on-theme",
                     {"theme": theme, "state": ID + "state/slovenia"}, store=store).rows
    got = sorted((r["review"].value, r["number"].value) for r in rows)
    want = sorted([(REVIEW2, r.number) for r in lists["cycle2"].recommendations
                   if r.position_kind == "noted" and any(t.code == "A12" for t in r.themes)]
                  + [(REVIEW3, r.number) for r in lists["cycle3"].recommendations
                     if r.position_kind == "noted" and any(
                         t.label == "Acceptance of international norms" for t in r.themes)])
    assert got == want
    assert sum(review == REVIEW2 for review, _ in got) == 9
    assert sum(review == REVIEW3 for review, _ in got) > 0  # through the curated closeMatch
    makers = next(r["recommended_by"].value for r in rows if r["number"].value == "115.6")
    assert makers  # the recommending states' names


# --------------------------------------------------------------------------- wording


@pytest.mark.parametrize("text, category", [
    ("Ratify the Optional Protocol to the Convention", 5),
    ("Continue its efforts to combat discrimination", 2),
    ("Consider ratifying the ICRMW", 3),
    ("Take further steps for the ratification of several treaties", 4),
    ("Ensure that all children have access to education", 4),
    ("Strengthen efforts to combat trafficking", 4),
    ("Seek technical assistance from OHCHR", 1),
])
def test_upr_info_category_from_the_lead_in(text: str, category: int) -> None:
    assert action_category(text) == category


@pytest.mark.parametrize("text, action", [
    ("Ratify the Optional Protocol to the Convention", "ratify"),
    ("Take further steps for the ratification of several treaties", "ratify"),
    ("Consider ratifying the ICRMW", "ratify"),
    ("Continue to strengthen the Ombudsman", "strengthen-institution"),
    ("Strengthen efforts to investigate hate crimes", "investigate"),
    ("Ensure that hate crimes are investigated", "take-measures"),  # no verb after "that"
    ("Combat discrimination against Roma", "take-measures"),  # no label: not further specified
])
def test_action_type_suggested_from_the_verb_after_the_lead_ins(text: str, action: str) -> None:
    from hrgraph.upr_import import _Vocabularies

    vocab = _Vocabularies(Project.open(REPO))
    base = HRV + "action-type/"
    assert suggest_action_type(text, vocab.actions, base) == base + action


# --------------------------------------------------------------------------- bad input, variants


def edited(source: Path, target: Path, edit) -> Path:
    document = docx.Document(str(source))
    edit(document)
    document.save(str(target))
    return target


def run_cli(cli, project: Project, *args: str):
    return cli.invoke(main, ["--project", str(project.root), "--store",
                             str(project.store_path), "-q", "import", "upr", *args])


def no_header(document) -> None:
    for section in document.sections:
        for header in (section.header, section.first_page_header, section.even_page_header):
            header.is_linked_to_previous = True


def set_recommendation(row: int, text: str):
    def edit(document) -> None:
        cell = document.tables[0].rows[row - 1].cells[0]
        cell.paragraphs[0].text = text
    return edit


def test_bad_inputs_are_refused_naming_what_and_merge_nothing(imported, cli,
                                                               tmp_path: Path) -> None:
    project = imported[0]
    before = snapshot(project)
    text = tmp_path / "list.txt"
    text.write_text("115.3 Ratify (France);", encoding="utf-8")
    empty = tmp_path / "empty.docx"
    document = docx.Document()
    document.add_paragraph("UPR of Slovenia: no table here")
    document.save(str(empty))
    fake = tmp_path / "fake.docx"
    fake.write_bytes(b"not a zip archive")
    narnia = edited(CYCLE2, tmp_path / "narnia.docx",
                    set_recommendation(4, "115.3 Ratify the Optional Protocol (Narnia);"))
    position = tmp_path / "position.docx"

    def bad_position(document) -> None:
        document.tables[0].rows[3].cells[1].paragraphs[0].text = "Rejected"

    edited(CYCLE2, position, bad_position)
    cases = [
        (text, "not a .docx Word document"),
        (fake, "not a .docx Word document"),
        (empty, "holds no table"),
        (narnia, "table 1, row 4: recommendation 115.3: unknown state 'Narnia'"),
        (position, "table 1, row 4"),
    ]
    for path, message in cases:
        ran = run_cli(cli, project, str(path))
        assert ran.exit_code == 2, (path, ran.output)
        assert message in ran.stderr, (path, ran.stderr)
        assert "Traceback" not in ran.output
    assert "neither 'Supported' nor 'Noted'" in run_cli(cli, project, str(position)).stderr
    assert snapshot(project) == before


def test_a_layout_variant_without_header_is_read_with_the_options(imported, built_copy, cli,
                                                                   tmp_path: Path) -> None:
    """Renamed headings and no page header: state, cycle and session from the options."""
    def rename(document) -> None:
        names = ["Recommendation and recommending State", "Position of the State under review",
                 "Human rights themes and groups of persons", "Comments on implementation"]
        for cell, name in zip(document.tables[0].rows[0].cells, names, strict=True):
            cell.paragraphs[0].text = name
        no_header(document)

    variant = edited(CYCLE3, tmp_path / "variant.docx", rename)
    project = built_copy
    refused = run_cli(cli, project, "--dry-run", str(variant))
    assert refused.exit_code == 2 and "no page header gives the state under review: give it " \
        "with --state-under-review" in refused.stderr
    ran = run_cli(cli, project, "--dry-run", "--state-under-review", "Slovenia", "--cycle", "3",
                  "--session", "34", str(variant))
    assert ran.exit_code == 0, ran.output
    assert ran.stdout.strip().endswith(
        f"dry run: would import 215 recommendations (182 supported, 33 noted) from 81 "
        f"recommending states in {REVIEW3}; nothing was written")
    assert "0 violations" in ran.stdout
    wrong = run_cli(cli, project, "--dry-run", "--cycle", "3", "--session", "33", str(CYCLE3))
    assert wrong.exit_code == 2 and "the page header gives the session as 34, --session as 33" \
        in wrong.stderr
    # the same review again from another file: its text copy would differ, and is not replaced
    other = run_cli(cli, imported[0], "--dry-run", "--state-under-review", "Slovenia",
                    "--cycle", "3", "--session", "34", str(variant))
    assert other.exit_code == 2
    assert "data/sources/upr-slovenia-cycle-3-thematic-list.txt exists with other content" in \
        other.stderr


def test_an_unknown_heading_is_refused_naming_it(imported, cli, tmp_path: Path) -> None:
    def rename(document) -> None:
        document.tables[0].rows[0].cells[2].paragraphs[0].text = "Observations of the press"

    variant = edited(CYCLE2, tmp_path / "variant.docx", rename)
    ran = run_cli(cli, imported[0], "--dry-run", str(variant))
    assert ran.exit_code == 2
    assert "table 1, row 1: the heading 'Observations of the press' names no column" in \
        ran.stderr


def test_the_date_only_from_the_option(tmp_path: Path, imported) -> None:
    from hrgraph.upr_import import prepare

    project = imported[0]
    dated = prepare(project, CYCLE2, date="2015-03")
    dates = {t.object.value for t in dated.prepared.triples
             if t.subject.value == REVIEW2 and t.predicate.value.endswith("/date")}
    assert dates == {"2015-03"}
    undated = prepare(project, CYCLE2)
    assert not any(t.predicate.value.endswith("/date") for t in undated.prepared.triples)
    with pytest.raises(InputError, match="--date '2015-13' is not a date"):
        prepare(project, CYCLE2, date="2015-13")
