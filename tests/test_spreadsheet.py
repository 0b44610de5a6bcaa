"""hrgraph.spreadsheet: contributions as .xlsx / CSV in the template, mapped as the project's own
data is written; bad input named by sheet, row and column; export back to the template."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pyoxigraph as ox
import pytest

from conftest import REPO
from hrgraph import spreadsheet
from hrgraph import store as stores
from hrgraph.cli import main
from hrgraph.contribute import add_contribution
from hrgraph.errors import InputError
from hrgraph.project import Project
from test_contribute import snapshot

EXAMPLE = REPO / "data" / "templates" / "example.xlsx"
ID = "https://w3id.org/hrgraph/id/"


@pytest.fixture
def base(built_project: Project) -> Project:
    """The session's built project (read-only use)."""
    return built_project


@pytest.fixture
def built(built_copy: Project) -> Project:
    """A private copy of the built real project (files and store)."""
    return built_copy


def read(project: Project, path: Path) -> spreadsheet.Contribution:
    store = stores.open_store(project, read_only=True)
    try:
        return spreadsheet.read_contribution(project, path, store)
    finally:
        del store


def rows(**sheets: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    return {name: sheets.get(name, []) for name in spreadsheet.SHEETS}


DOCUMENT = {"id": "t-doc", "title": "A test statement", "date": "2021-09-17", "language": "en",
            "signatories": "Вясна", "source URL": "https://example.org/t-doc"}
DEMAND = {"id": "t-doc-1", "document": "t-doc", "quote": "Free Nasta Testovich.",
          "quote language": "en", "action": "release", "topics": "political prisoners",
          "actor asked to act": "organisation:belarusian-authorities",
          "targets": "Nasta Testovich; Марфа Рабкова", "order": "1"}
ACTOR = {"id": "nasta-testovich", "kind": "person", "name": "Nasta Testovich",
         "name language": "en", "names in other languages": "Наста Тэставіч@be",
         "definition": "A fictional person for the spreadsheet tests."}


def test_template_files_are_current(tmp_path: Path) -> None:
    """data/templates/ is what write_templates writes (cell by cell)."""
    spreadsheet.write_templates(tmp_path)
    for name in ("contribution-template.xlsx", "example.xlsx"):
        fresh = openpyxl.load_workbook(tmp_path / name)
        kept = openpyxl.load_workbook(REPO / "data" / "templates" / name)
        assert fresh.sheetnames == kept.sheetnames
        for sheet in fresh.sheetnames:
            assert [[c.value for c in r] for r in fresh[sheet].iter_rows()] == \
                [[c.value for c in r] for r in kept[sheet].iter_rows()], (name, sheet)
    for path in sorted((tmp_path / "csv").iterdir()):
        assert path.read_bytes() == (REPO / "data" / "templates" / "csv" / path.name).read_bytes()


def test_example_validates_on_the_real_project(cli, base: Project) -> None:
    result = cli.invoke(main, ["--project", str(base.root), "--store", str(base.store_path),
                               "add", "--dry-run", str(EXAMPLE)])
    assert result.exit_code == 0, result.output + result.stderr
    assert "No problems found." in result.output  # 0 violations, 0 warnings
    assert "Dry run" in result.output


def test_example_maps_as_the_data_does(base: Project) -> None:
    sheet = read(base, EXAMPLE)
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in sheet.triples}
    demand = ID + "demand/example-viasna-rabkova-2021-1"
    hrg = base.ontology_ns
    assert (demand, hrg + "concernsPerson", ID + "person/marfa-rabkova") in triples
    assert (demand, hrg + "actionType", base.vocab_base + "action-type/release") in triples
    assert (ID + "document/example-viasna-rabkova-2021", hrg + "signatory",
            ID + "organisation/viasna") in triples
    assert (ID + "quote/example-viasna-rabkova-2021-1", "http://www.w3.org/ns/oa#hasSource",
            ID + "publication/example-viasna-rabkova-2021") in triples
    assert sheet.locations[demand] == spreadsheet.Location("demands", 2)


def test_example_merged_is_listed_by_a_saved_query(built: Project) -> None:
    result = add_contribution(built, EXAMPLE, contributor="Viasna volunteers")
    assert result.merged, result.report.to_text()
    found = built.query("demands-naming-people").rows
    assert any(r["demand"] == ID + "demand/example-viasna-rabkova-2021-1"
               and r["name"] == "Marfa Rabkova" and r["action"] == "release" for r in found)


@pytest.mark.parametrize("target", ["out.xlsx", "out.zip", "out-csv"])
def test_round_trip(base: Project, tmp_path: Path, target: str) -> None:
    """import → export to the template → import gives the same graph (no blank nodes, so the
    same set of triples is isomorphism); a label a spreadsheet would run survives."""
    first_path = tmp_path / "in"
    spreadsheet.write_template(first_path, rows(
        documents=[{**DOCUMENT, "text file": "t-doc-text", "type": "open letter; article",
                    "partial": "yes", "note": "Dated by another copy.", "note language": "en"}],
        # the quote is located in the texts sheet's text; its context survives the export
        texts=[{"id": "t-doc-text", "text": "Statement.\nFree Nasta\nTestovich. End."}],
        mechanisms=[{"id": "t-mechanism", "name": "test mechanism", "name language": "en"}],
        provisions=[{"id": "t-provision", "kind": "provision", "name": "test rule",
                     "name language": "en", "jurisdiction": "Belarus"}],
        demands=[{**DEMAND, "summary": '=HYPERLINK("http://x")',
                  "targets": DEMAND["targets"] + "; t-mechanism; t-provision",
                  "note": "Примечание.", "note language": "ru"},
                 {**DEMAND, "id": "t-doc-1-1", "part of": "t-doc-1", "targets": "",
                  "summary": "+1 -2 @me"}],
        actors=[ACTOR, {"id": "t-group", "kind": "group", "name": "test group",
                        "name language": "en", "other names": "'=tricky@en"},
                {**ZHAROMSKI, "basis language": "be", "basis": "Толькі імя."}],
        assessments=[{"id": "t-doc-1-2022", "demand": "t-doc-1", "status": "not met",
                      "date or period": "2022/2023-05",
                      "note": "Not met.", "note language": "en",
                      "evidence": "https://example.org/e (news media); "
                                  "https://spring96.org/en/news/82549",
                      "assessed by": "Viasna"}]))
    assert "'=HYPERLINK" in (first_path / "demands.csv").read_text()
    first = read(base, first_path)
    out = tmp_path / target
    done = spreadsheet.export_template(base, first.triples, out)
    assert done.left_out == []
    second = read(base, out)
    assert set(first.triples) == set(second.triples)
    labels = {t.object.value for t in second.triples
              if t.predicate.value.endswith(("prefLabel", "altLabel"))}
    assert {'=HYPERLINK("http://x")', "+1 -2 @me", "'=tricky"} <= labels
    assert ox.Literal("Free Nasta\nTestovich.") in {t.object for t in second.triples}
    assert ox.Literal("Statement.\n") in {t.object for t in second.triples}  # oa:prefix


def test_round_trip_of_a_merged_contribution(built: Project, base: Project, cli,
                                             tmp_path: Path) -> None:
    result = add_contribution(built, EXAMPLE)
    assert result.merged
    out = tmp_path / "back.xlsx"
    done = cli.invoke(main, ["--project", str(built.root), "--store", str(built.store_path),
                             "contributions", "--export", result.id, "-o", str(out)])
    assert done.exit_code == 0, done.output + done.stderr
    # The ids exist in the merged store now: import again where they do not.
    assert set(read(base, out).triples) == set(read(base, EXAMPLE).triples)


def test_each_target_gets_the_sub_property_of_its_kind(base: Project, tmp_path: Path) -> None:
    """The targets column maps each target to the hrg:concerns sub-property of its class: a
    country to hrg:concernsPlace, a person to hrg:concernsPerson; never the general one."""
    path = tmp_path / "in"
    spreadsheet.write_template(path, rows(documents=[DOCUMENT], demands=[
        {**DEMAND,
         "targets": "place:belarus; Марфа Рабкова; mechanism:un-special-rapporteur-belarus"}]))
    sheet = read(base, path)
    hrg = base.ontology_ns
    demand = ID + "demand/t-doc-1"
    targets = {(t.predicate.value, t.object.value) for t in sheet.triples
               if t.subject.value == demand and t.predicate.value.startswith(hrg + "concerns")}
    assert targets == {(hrg + "concernsPlace", ID + "place/belarus"),
                       (hrg + "concernsPerson", ID + "person/marfa-rabkova"),
                       (hrg + "concernsMechanism", ID + "mechanism/un-special-rapporteur-belarus")}
    out = tmp_path / "out.xlsx"  # and the place comes back in the targets column
    spreadsheet.export_template(base, sheet.triples, out)
    assert set(read(base, out).triples) == set(sheet.triples)


def test_an_actors_source_is_a_rated_web_source(base: Project, tmp_path: Path) -> None:
    """Where an actor's names come from is evidence: a page new to the project needs its
    evidence quality (``URL (quality)``) and becomes a hrg:WebSource; a rated one needs none."""
    new, known = "https://example.org/t-names", "https://spring96.org/en/news/82549"
    path = tmp_path / "in"
    spreadsheet.write_template(path, rows(actors=[{**ACTOR,
                                                   "source": f"{new} (aggregator); {known}"}]))
    triples = {(t.subject.value, t.predicate.value, t.object.value)
               for t in read(base, path).triples}
    person, source = ID + "person/nasta-testovich", "http://purl.org/dc/terms/source"
    quality = base.ontology_ns + "evidenceQuality"
    assert {(person, source, new), (person, source, known),
            (new, quality, base.vocab_base + "evidence-quality/aggregator")} <= triples
    assert not [t for t in triples if t[0] == known]  # rated already: nothing said of it
    spreadsheet.write_template(tmp_path / "bare", rows(actors=[{**ACTOR, "source": new}]))
    with pytest.raises(InputError, match=r"column 'source'.*evidence quality"):
        read(base, tmp_path / "bare")


def test_cell_escaping_is_exact() -> None:
    for text in ["=1+1", "+x", "-x", "@x", "\tx", "\rx", "'=x", "''+x", "'plain", "plain", "",
                 "a=b"]:
        assert spreadsheet.unescape_cell(spreadsheet.escape_cell(text)) == text
        assert spreadsheet.escape_cell(text)[:1] not in tuple("=+-@\t\r")


# --- bad input: exit 2 (or 1 for shapes), nothing changed ---------------------------------------


def workbook(path: Path, **sheets: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, values in sheets.items():
        ws = book.create_sheet(name)
        for r in values:
            ws.append(r)
    book.save(path)
    return path


def header(sheet: str) -> list[str]:
    return [c.name for c in spreadsheet.SHEETS[sheet]]


def line(sheet: str, values: dict[str, str]) -> list[str]:
    return [values.get(c, "") for c in header(sheet)]


def add_cli(cli, project: Project, path: Path):
    return cli.invoke(main, ["--project", str(project.root), "--store", str(project.store_path),
                             "add", str(path)])


def bad(cli, project: Project, path: Path, *expected: str, code: int = 2) -> str:
    before = snapshot(project)
    result = add_cli(cli, project, path)
    text = result.output + result.stderr
    assert result.exit_code == code, text
    for part in expected:
        assert part in text, text
    assert snapshot(project) == before
    return text


def test_empty_spreadsheet(cli, built: Project, tmp_path: Path) -> None:
    path = workbook(tmp_path / "empty.xlsx", documents=[header("documents")],
                    demands=[header("demands")])
    bad(cli, built, path, "empty.xlsx", "the spreadsheet is empty")
    bad(cli, built, workbook(tmp_path / "blank.xlsx", documents=[]), "is empty")


def test_missing_required_column(cli, built: Project, tmp_path: Path) -> None:
    columns = [c for c in header("demands") if c != "action"]
    path = workbook(tmp_path / "c.xlsx", demands=[columns, [DEMAND.get(c, "") for c in columns]])
    bad(cli, built, path, "sheet 'demands', row 1, column 'action'",
        "required column 'action' is missing")


def test_unknown_vocabulary_label_with_suggestions(cli, built: Project, tmp_path: Path) -> None:
    path = workbook(tmp_path / "v.xlsx", documents=[header("documents"), line("documents",
                                                                              DOCUMENT)],
                    demands=[header("demands"), line("demands", {**DEMAND, "action": "releese",
                                                                 "targets": "Марфа Рабкова"})])
    text = bad(cli, built, path, "sheet 'demands', row 2, column 'action'",
               "'releese' is not a label of the action-type vocabulary; did you mean")
    assert "'release'" in text


def test_date_in_the_wrong_format(cli, built: Project, tmp_path: Path) -> None:
    path = workbook(tmp_path / "d.xlsx", documents=[
        header("documents"), line("documents", {**DOCUMENT, "date": "17.09.2021"})])
    bad(cli, built, path, "sheet 'documents', row 2, column 'date'", "'17.09.2021' is not a date")


def test_reference_to_a_person_that_does_not_exist(cli, built: Project, tmp_path: Path) -> None:
    path = workbook(tmp_path / "p.xlsx", documents=[header("documents"),
                                                    line("documents", DOCUMENT)],
                    demands=[header("demands"), line("demands", {**DEMAND,
                                                                 "targets": "Zmicier Nobody"})])
    bad(cli, built, path, "sheet 'demands', row 2, column 'targets'",
        "no target named 'Zmicier Nobody'")


def test_formula_cell(cli, built: Project, tmp_path: Path) -> None:
    values = line("documents", DOCUMENT)
    values[header("documents").index("title")] = '=CONCAT("A", "B")'
    path = workbook(tmp_path / "f.xlsx", documents=[header("documents"), values])
    bad(cli, built, path, "sheet 'documents', row 2, column 'title'", "holds a formula")


def test_shape_violation_is_located_by_sheet_and_row(cli, built: Project, tmp_path: Path) -> None:
    path = tmp_path / "shape"
    spreadsheet.write_template(path, rows(actors=[{**ACTOR, "names in other languages":
                                                   "Nasta T.@en"}]))
    bad(cli, built, path, "sheet 'actors', row 2, column 'name'", code=1)


def test_csv_folder_and_unknown_sheet(built: Project, tmp_path: Path) -> None:
    folder = tmp_path / "csvs"
    spreadsheet.write_template(folder, rows(documents=[DOCUMENT], actors=[ACTOR]))
    sheet = read(built, folder)
    assert any(t.object == ox.Literal("Наста Тэставіч", language="be") for t in sheet.triples)
    with (folder / "people.csv").open("w", newline="") as f:
        csv.writer(f).writerow(["id"])
    with pytest.raises(InputError, match="unknown sheet 'people'"):
        read(built, folder)


@pytest.mark.parametrize("suffix", [".zip", ".xlsx"])
def test_an_archive_that_unpacks_too_far_is_refused_unread(cli, built: Project, tmp_path: Path,
                                                           monkeypatch, suffix: str) -> None:
    """A zip bomb: the members' declared sizes are checked before anything is unpacked."""
    import zipfile

    from hrgraph import spreadsheet

    monkeypatch.setattr(spreadsheet, "MAX_UNCOMPRESSED", 10_000)
    path = tmp_path / f"bomb{suffix}"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("documents.csv", "id,title\n" + "x," * 50_000)
    bad(cli, built, path, "unpacks to", "refused without unpacking it")


# --- document type, partial and notes; the basis of an open identity question -------------------

HRG = "https://w3id.org/hrgraph/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
JOINT = ID + "document/joint-position-eu-belarus-dialogue"
JOINT_NOTE = ("The stored text gives no date: it speaks of \"the next round\" of the EU–Belarus "
              "human-rights dialogue, held in rounds from 2009 (resumed 2015) to 2019. The date "
              "is left unknown rather than guessed. The stored copy breaks off mid-word, before "
              "any list of signatories; it speaks for \"the Belarusian human rights "
              "organizations\".")
SPOTLIGHT = ID + "demand/joint-position-eu-belarus-dialogue-spotlight"
SPOTLIGHT_NOTE = ("\"The parties\" are those of the EU–Belarus dialogue: the European Union and "
                  "the Belarusian authorities.")
BASIS = "The text gives only the name."
ZHAROMSKI = {"id": "t-zharomski", "kind": "person", "name": "Vadzim Zharomski",
             "name language": "en", "source": "https://example.org/t-doc (news media)",
             "possibly same as": "person:vadzim-zharomski", "basis": BASIS}


def stored(project: Project, subject: str) -> set[tuple[str, ox.Term]]:
    """(predicate, object) of the asserted triples of ``subject`` in the built store."""
    store = stores.open_store(project, read_only=True)
    try:
        return {(q.predicate.value, q.object) for q in store.quads_for_pattern(
            ox.NamedNode(subject), None, None)
            if q.graph_name.value != project.graph_base + "inferred"}
    finally:
        del store


def said(sheet: spreadsheet.Contribution, subject: str) -> set[tuple[str, ox.Term]]:
    return {(t.predicate.value, t.object) for t in sheet.triples if t.subject.value == subject}


def test_type_partial_and_notes_map_as_the_curated_data(base: Project, tmp_path: Path) -> None:
    """The joint position's kind, partial copy and editorial notes (data/documents/joint-position-
    eu-belarus-dialogue.ttl), entered in the documents and demands sheets, are its triples; the
    basis of a "possibly same as" question is an hrg:basis in English, as data/history/ writes
    one."""
    path = tmp_path / "in"
    spreadsheet.write_template(path, rows(
        documents=[{**DOCUMENT, "type": "Joint Statement", "partial": "yes",
                    "note": JOINT_NOTE}],
        demands=[{**DEMAND, "note": SPOTLIGHT_NOTE, "note language": "en"}],
        actors=[ACTOR, ZHAROMSKI]))
    sheet = read(base, path)
    document, publication = ID + "document/t-doc", ID + "publication/t-doc"
    new = {(RDF_TYPE, ox.NamedNode(HRG + "JointStatement")),
           (HRG + "partial", ox.Literal("true", datatype=ox.NamedNode(
               "http://www.w3.org/2001/XMLSchema#boolean"))),
           (SKOS + "editorialNote", ox.Literal(JOINT_NOTE, language="en"))}
    assert new <= said(sheet, document) and new <= stored(base, JOINT)
    partial = {p for p in new if p[0] == HRG + "partial"}
    assert partial <= said(sheet, publication)
    assert partial <= stored(base, JOINT.replace("document/", "publication/") + "-bydc")
    note = (SKOS + "editorialNote", ox.Literal(SPOTLIGHT_NOTE, language="en"))
    assert note in said(sheet, ID + "demand/t-doc-1") and note in stored(base, SPOTLIGHT)
    question = spreadsheet.identity_question(base, ID + "person/t-zharomski",
                                             ID + "person/vadzim-zharomski")
    assert (HRG + "basis", ox.Literal(BASIS, language="en")) in said(sheet, question)
    assert sheet.locations[question] == spreadsheet.Location("actors", 3)
    assert sheet.column_of(question, HRG + "basis") == "basis"
    assert sheet.column_of(document, HRG + "partial") == "partial"
    assert sheet.column_of(ID + "demand/t-doc-1", SKOS + "editorialNote") == "note"
    # without the new cells, none of these triples
    plain = read(base, _written(tmp_path / "plain", documents=[DOCUMENT], demands=[DEMAND],
                                actors=[ACTOR]))
    assert not {p for p, _o in said(plain, document)} & {HRG + "partial", SKOS + "editorialNote"}
    assert (RDF_TYPE, ox.NamedNode(HRG + "Document")) in said(plain, document)
    assert len([o for p, o in said(plain, document) if p == RDF_TYPE]) == 1


def _written(path: Path, **sheets: list[dict[str, str]]) -> Path:
    spreadsheet.write_template(path, rows(**sheets))
    return path


@pytest.mark.parametrize(("sheets", "expected"), [
    ({"documents": [{**DOCUMENT, "type": "press release"}]},
     ("sheet 'documents', row 2, column 'type'", "'press release' is not a kind of document; "
      "the kinds are article, joint statement, open letter, UPR report")),
    ({"documents": [{**DOCUMENT, "partial": "partly"}]},
     ("sheet 'documents', row 2, column 'partial'", "'partly': write yes, or leave it empty")),
    ({"documents": [{**DOCUMENT, "note": "A note.", "note language": "English"}]},
     ("sheet 'documents', row 2, column 'note language'", "'English' is not a language code")),
    ({"demands": [{**DEMAND, "note language": "en"}], "documents": [DOCUMENT],
      "actors": [ACTOR]},
     ("sheet 'demands', row 2, column 'note'", "a note language without a note")),
    ({"actors": [{**ZHAROMSKI, "possibly same as": ""}]},
     ("sheet 'actors', row 2, column 'basis'", "fill 'possibly same as'")),
])
def test_bad_type_partial_note_or_basis_names_sheet_row_and_column(
        base: Project, tmp_path: Path, sheets, expected) -> None:
    with pytest.raises(InputError) as caught:
        read(base, _written(tmp_path / "bad", **sheets))
    for part in expected:
        assert part in str(caught.value), str(caught.value)
