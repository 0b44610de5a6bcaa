"""hrgraph.upr_docx: the UPR "Thematic list of recommendations" Word files as records.

The real files (data/sources/upr/) are compared with expectations written by hand before the
parser (tests/expectations/upr/). Layout variants are built here by editing copies of the real
files with python-docx (in tmp_path): renamed headings, columns moved, SDGs in a column of their
own, "Groups of Persons", two tables, rows reordered, and broken rows that must be refused by
table and row.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from conftest import REPO
from hrgraph.errors import InputError
from hrgraph.spreadsheet import Limits
from hrgraph.upr_docx import Recommendation, Sdg, Theme, UprList, read_upr

SOURCES = REPO / "data" / "sources" / "upr"
CYCLE2 = SOURCES / "UPR20__Slovenia_ThematicListRecommendations_E.docx"
CYCLE3 = SOURCES / "UPR34_Slovenia_Thematic_list_of_Recommendations.docx"
EXPECTED = REPO / "tests" / "expectations" / "upr"


def expected(name: str) -> dict:
    return json.loads((EXPECTED / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cycle2() -> UprList:
    return read_upr(CYCLE2)


@pytest.fixture(scope="module")
def cycle3() -> UprList:
    return read_upr(CYCLE3)


def lists(cycle2: UprList, cycle3: UprList) -> dict[str, UprList]:
    return {"cycle2.json": cycle2, "cycle3.json": cycle3}


def by_number(upr: UprList) -> dict[str, Recommendation]:
    found = {r.number: r for r in upr.recommendations}
    assert len(found) == len(upr.recommendations), "a number twice"
    return found


def theme(t: Theme | None) -> list | None:
    return None if t is None else [t.code, t.label]


def as_expected(r: Recommendation) -> dict:
    """A record in the form of the hand-written expectations."""
    return {
        "table": r.table, "row": r.row, "number": r.number,
        "wordings": [{"text": w.text, "states": list(w.states)} for w in r.wordings],
        "position": r.position,
        "source": None if r.source is None else {
            "text": r.source.text, "symbol": r.source.symbol, "paragraph": r.source.paragraph},
        "themes": [theme(t) for t in r.themes],
        "affected_persons": list(r.affected_persons),
        "sdgs": [[s.goal, s.label] for s in r.sdgs],
        "comments": r.comments,
        "group": theme(r.group),
    }


def essence(upr: UprList) -> list[dict]:
    """The records without where they sit (table, row), in order."""
    return [{k: v for k, v in as_expected(r).items() if k not in ("table", "row")}
            for r in upr.recommendations]


# --------------------------------------------------------------------------- the real files


@pytest.mark.parametrize("name", ["cycle2.json", "cycle3.json"])
def test_counts_and_header_facts(name: str, cycle2: UprList, cycle3: UprList) -> None:
    upr, want = lists(cycle2, cycle3)[name], expected(name)
    counts = want["counts"]
    assert len(upr.recommendations) == counts["recommendations"]
    assert (upr.supported, upr.noted) == (counts["supported"], counts["noted"])
    assert {r.position for r in upr.recommendations} == {"Supported", "Noted"}
    assert len(upr.groups) == counts["theme_rows"]
    assert {r.table for r in upr.recommendations} == set(range(1, counts["tables"] + 1))
    header = want["header"]
    assert (upr.state_under_review, upr.cycle, upr.session) == (
        header["state_under_review"], header["cycle"], header["session"])
    assert upr.page_header and upr.page_header.startswith("UPR of Slovenia")
    assert all(r.comments is None for r in upr.recommendations)  # the column is empty


def test_the_recommending_states_of_the_2nd_cycle(cycle2: UprList) -> None:
    want = expected("cycle2.json")["recommending_states"]
    assert len(want) == len(set(want)) == 71
    assert sorted(cycle2.recommending_states) == sorted(want)


def test_some_recommending_states_of_the_3rd_cycle_as_written(cycle3: UprList) -> None:
    assert set(expected("cycle3.json")["some_recommending_states"]) <= set(
        cycle3.recommending_states)
    # this list writes "Bolivarian Republic of Venezuela", the 2nd cycle's the other way round
    assert "Venezuela (Bolivarian Republic of)" not in cycle3.recommending_states


def test_the_themes_of_ten_rows(cycle2: UprList) -> None:
    want = expected("cycle2.json")["themes_of_rows"]
    assert len(want) == 10
    found = by_number(cycle2)
    assert {n: [theme(t) for t in found[n].themes] for n in want} == want


@pytest.mark.parametrize("name", ["cycle2.json", "cycle3.json"])
def test_whole_rows(name: str, cycle2: UprList, cycle3: UprList) -> None:
    found = by_number(lists(cycle2, cycle3)[name])
    for row in expected(name)["whole_rows"]:
        assert as_expected(found[row["number"]]) == row


@pytest.mark.parametrize("name", ["cycle2.json", "cycle3.json"])
def test_items_with_several_wordings(name: str, cycle2: UprList, cycle3: UprList) -> None:
    upr = lists(cycle2, cycle3)[name]
    several = {r.number: len(r.wordings) for r in upr.recommendations if len(r.wordings) > 1}
    assert several == expected(name)["multi_wording_items"]


def test_sdgs_and_sources_of_rows(cycle2: UprList, cycle3: UprList) -> None:
    found = by_number(cycle3)
    for number, goals in expected("cycle3.json")["sdgs_of_rows"].items():
        assert [s.goal for s in found[number].sdgs] == goals, number
    assert all(not r.sdgs for r in cycle2.recommendations)  # the 2nd-cycle layout has none
    found = by_number(cycle2)
    for number, source in expected("cycle2.json")["sources_of_rows"].items():
        assert dataclasses.asdict(found[number].source) == source


@pytest.mark.parametrize("name", ["cycle2.json", "cycle3.json"])
def test_every_wording_is_located_in_the_item_text(name: str, cycle2: UprList,
                                                   cycle3: UprList) -> None:
    for r in lists(cycle2, cycle3)[name].recommendations:
        assert r.wordings and all(w.states for w in r.wordings)
        for w in r.wordings:
            assert r.text[w.start:w.end] == w.text
            assert not w.text.endswith((";", " ")) and "Source of" not in w.text
        assert r.source is not None and r.source.symbol.startswith("A/HRC/")
        assert r.group is not None and r.themes


def test_codes_in_the_2nd_cycle_labels_only_in_the_3rd(cycle2: UprList,
                                                       cycle3: UprList) -> None:
    assert all(t.code for r in cycle2.recommendations for t in r.themes)
    assert all(t.code is None for r in cycle3.recommendations for t in r.themes)
    assert str(cycle2.recommendations[0].themes[0]) == "A12 Acceptance of international norms"
    # "general" and case are kept as written: the mapper decides
    assert "general" in {p for r in cycle2.recommendations for p in r.affected_persons}
    assert {"Children", "children"} & {p for r in cycle3.recommendations
                                       for p in r.affected_persons} == {"Children"}


# --------------------------------------------------------------------------- variants


def edited(source: Path, tmp_path: Path, edit: Callable[[docx.document.Document], None],
           name: str = "variant.docx") -> Path:
    """A copy of ``source`` edited with python-docx, in tmp_path."""
    document = docx.Document(str(source))
    edit(document)
    target = tmp_path / name
    document.save(str(target))
    return target


def distinct_cells(row) -> list:
    cells = []
    for cell in row.cells:
        if not cells or cell._tc is not cells[-1]._tc:
            cells.append(cell)
    return cells


def set_lines(cell, lines: list[str]) -> None:
    cell.text = lines[0] if lines else ""
    for line in lines[1:]:
        cell.add_paragraph(line)


def set_cell(row: int, column: int, lines: list[str]):
    """An edit setting the lines of a cell (row counted from 1, column from 0)."""
    def edit(document) -> None:
        set_lines(document.tables[0].rows[row - 1].cells[column], lines)
    return edit


def test_renamed_headings_are_read_the_same(cycle3: UprList, tmp_path: Path) -> None:
    def rename(document) -> None:
        names = ["Recommendation and recommending State", "Position of the State under review",
                 "Human rights themes and groups of persons", "Comments on implementation"]
        for cell, name in zip(document.tables[0].rows[0].cells, names, strict=True):
            set_lines(cell, [name])

    variant = read_upr(edited(CYCLE3, tmp_path, rename))
    assert essence(variant) == essence(cycle3)


def test_groups_of_persons_for_affected_persons(cycle2: UprList, tmp_path: Path) -> None:
    def relabel(document) -> None:
        for row in document.tables[0].rows:
            for p in row.cells[2].paragraphs:
                if p.text.startswith("Affected persons:"):
                    p.text = p.text.replace("Affected persons:", "Groups of Persons:")

    variant = read_upr(edited(CYCLE2, tmp_path, relabel))
    assert essence(variant) == essence(cycle2)


def test_columns_in_another_order(cycle2: UprList, tmp_path: Path) -> None:
    def reorder(document) -> None:
        for row in document.tables[0].rows:
            cells = distinct_cells(row)
            if len(cells) == 4:  # themes first, then recommendation, comments, position
                rec, pos, themes, comments = (c._tc for c in cells)
                rec.addprevious(themes)  # lxml moves an element it inserts
                comments.addnext(pos)

    path = edited(CYCLE2, tmp_path, reorder)
    first = docx.Document(str(path)).tables[0].rows[0].cells
    assert first[0].text == "Full list of themes"
    assert essence(read_upr(path)) == essence(cycle2)


def test_sdgs_in_a_column_of_their_own(cycle3: UprList, tmp_path: Path) -> None:
    """The later layout: a "Relevant SDGs" column, here moved before the position."""
    def sdg_column(document) -> None:
        table = document.tables[0]
        table._tbl.tblGrid.add_gridCol()
        for number, row in enumerate(table.rows):
            cells = distinct_cells(row)
            if len(cells) == 1:  # a "Theme:" row spans one more column
                span = cells[0]._tc.get_or_add_tcPr().get_or_add_gridSpan()
                span.set(qn("w:val"), str(int(span.get(qn("w:val"))) + 1))
                continue
            new = copy.deepcopy(cells[1]._tc)
            cells[1]._tc.addprevious(new)
            sdg_cell = distinct_cells(row)[1]
            if number == 0:
                set_lines(sdg_cell, ["Relevant SDGs"])
                continue
            themes = distinct_cells(row)[3]
            moved, inside = [], False
            for p in list(themes.paragraphs):
                if p.text.strip() == "SDGs:":
                    inside = True
                elif p.text.strip().startswith("Affected persons:"):
                    inside = False
                if inside:
                    if p.text.strip() != "SDGs:":
                        moved.append(p.text)
                    p._p.getparent().remove(p._p)
            set_lines(sdg_cell, moved)

    path = edited(CYCLE3, tmp_path, sdg_column)
    heading = [c.text for c in docx.Document(str(path)).tables[0].rows[0].cells]
    assert heading[1] == "Relevant SDGs" and "SDGs:" not in docx.Document(str(path)).tables[
        0].rows[2].cells[3].text
    variant = read_upr(path)
    assert essence(variant) == essence(cycle3)
    assert sum(len(r.sdgs) for r in variant.recommendations) > 300


def split_table(document, at: int, *, heading: bool) -> None:
    """Split the first table before row ``at`` (0-based) into two, the second with a copy of
    the heading row or without one, with a paragraph between them."""
    first = document.tables[0]._tbl
    second = copy.deepcopy(first)
    rows_first, rows_second = first.tr_lst, second.tr_lst
    for tr in rows_first[at:]:
        first.remove(tr)
    for tr in rows_second[(1 if heading else 0):at]:
        second.remove(tr)
    paragraph = copy.deepcopy(document.paragraphs[0]._p)
    first.addnext(paragraph)
    paragraph.addnext(second)


@pytest.mark.parametrize("heading", [True, False], ids=["heading-repeated", "continued"])
def test_two_tables(cycle2: UprList, tmp_path: Path, heading: bool) -> None:
    # split before the 96th row (115.122), in the middle of the group "D27 Prohibition of …"
    path = edited(CYCLE2, tmp_path, lambda d: split_table(d, 95, heading=heading))
    assert len(docx.Document(str(path)).tables) == 2
    variant = read_upr(path)
    assert essence(variant) == essence(cycle2)  # the group carries over to the second table
    second = [r for r in variant.recommendations if r.table == 2]
    assert second[0].number == "115.122" and second[0].row == (2 if heading else 1)
    assert second[0].group == Theme("D27", "Prohibition of slavery, trafficking")
    assert len(second) == len(cycle2.recommendations) - [
        r.number for r in cycle2.recommendations].index("115.122")


def test_rows_reordered(cycle2: UprList, tmp_path: Path) -> None:
    """Rows in another order give the same records, each under the theme row above it."""
    def reverse_groups(document) -> None:
        tbl = document.tables[0]._tbl
        rows = tbl.tr_lst[1:]
        groups, current = [], []
        for tr in rows:
            if len(tr.tc_lst) == 1:
                current = [tr]
                groups.append(current)
            else:
                current.append(tr)
        for tr in rows:
            tbl.remove(tr)
        for group in reversed(groups):  # the groups in reverse, each's recommendations too
            tbl.append(group[0])
            for tr in reversed(group[1:]):
                tbl.append(tr)

    variant = read_upr(edited(CYCLE2, tmp_path, reverse_groups))
    assert [r.number for r in variant.recommendations] != [
        r.number for r in cycle2.recommendations]
    key = lambda r: r["number"]  # noqa: E731
    assert sorted(essence(variant), key=key) == sorted(essence(cycle2), key=key)
    assert variant.groups == tuple(reversed(cycle2.groups))


def test_a_header_naming_another_state_and_none(tmp_path: Path) -> None:
    def header(text: str):
        def edit(document) -> None:
            document.sections[0].header.paragraphs[0].text = text
        return edit

    upr = read_upr(edited(CYCLE3, tmp_path, header(
        "UPR of Venezuela (Bolivarian Republic of) (4th Cycle - 40th Session)\tThematic list")))
    assert (upr.state_under_review, upr.cycle, upr.session) == (
        "Venezuela (Bolivarian Republic of)", 4, 40)
    upr = read_upr(edited(CYCLE3, tmp_path, header("Thematic list of recommendations")))
    assert (upr.state_under_review, upr.cycle, upr.session) == (None, None, None)
    assert len(upr.recommendations) == 215


def test_an_inline_section_label_and_a_goal_written_sdg(tmp_path: Path) -> None:
    def edit(document) -> None:
        set_lines(document.tables[0].rows[2].cells[2],
                  ["- Acceptance of international norms", "SDGs: Goal 16",
                   "Groups of persons: - women"])

    r = read_upr(edited(CYCLE3, tmp_path, edit)).recommendations[0]
    assert r.themes == (Theme(None, "Acceptance of international norms"),)
    assert r.sdgs == (Sdg(16, None),) and r.affected_persons == ("women",)


def test_a_filled_comments_cell(tmp_path: Path) -> None:
    path = edited(CYCLE2, tmp_path, set_cell(4, 3, ["Implemented in 2016", "(see the report)"]))
    found = by_number(read_upr(path))
    assert found["115.3"].comments == "Implemented in 2016\n(see the report)"
    assert found["115.1"].comments is None


# --------------------------------------------------------------------------- refusals


def refused(path: Path, *, limits: Limits | None = None) -> str:
    with pytest.raises(InputError) as error:
        read_upr(path, limits=limits)
    assert error.value.exit_code == 2
    return str(error.value)


def test_an_unreadable_position_names_the_row(tmp_path: Path) -> None:
    message = refused(edited(CYCLE2, tmp_path, set_cell(10, 1, ["Accepted in part"])))
    assert message.startswith(str(tmp_path / "variant.docx") + ": table 1, row 10")
    assert "115.15" in message and "'Accepted in part'" in message
    assert "neither 'Supported' nor 'Noted'" in message
    assert "position cell is empty" in refused(edited(CYCLE2, tmp_path, set_cell(10, 1, [""])))


def test_unreadable_states_name_the_row(tmp_path: Path) -> None:
    no_states = set_cell(4, 0, ["115.3 Ratify the Optional Protocol on a communications "
                                "procedure;", "Source of position: A/HRC/28/15/Add.1 - Para. 3"])
    message = refused(edited(CYCLE2, tmp_path, no_states))
    assert "table 1, row 4, column 'Recommendation'" in message
    assert "recommendation 115.3: the recommending states cannot be read" in message
    trailing = set_cell(4, 0, ["115.3 Ratify it (Portugal); and also the other one",
                               "Source of position: A/HRC/28/15/Add.1 - Para. 3"])
    message = refused(edited(CYCLE2, tmp_path, trailing))
    assert "row 4" in message and "'and also the other one' cannot be read" in message
    no_number = set_cell(4, 0, ["Ratify it (Portugal);"])
    assert "does not begin with a recommendation number" in refused(
        edited(CYCLE2, tmp_path, no_number))


def test_an_unreadable_sdg_and_a_stray_row_name_the_row(tmp_path: Path) -> None:
    message = refused(edited(CYCLE3, tmp_path, set_cell(3, 2, ["- Acceptance", "SDGs:",
                                                               "- PEACE"])))
    assert "table 1, row 3, column 'SDGs'" in message and "'- PEACE'" not in message
    assert "the SDG 'PEACE' cannot be read" in message

    def stray(document) -> None:
        set_lines(document.tables[0].rows[1].cells[0], ["Continued from the previous page"])

    message = refused(edited(CYCLE3, tmp_path, stray))
    assert "table 1, row 2" in message and "neither a 'Theme: …' row" in message


@pytest.mark.parametrize(("span", "problem"), [
    (False, "table 1, row 4: the row has no cell under the 'Position' heading"),
    (True, "table 1, row 4: the recommendation and position cells are merged into one"),
])
def test_a_row_without_its_position_cell_is_refused(tmp_path: Path, span: bool,
                                                    problem: str) -> None:
    def cut(document) -> None:
        tr = document.tables[0].rows[3]._tr
        for tc in tr.tc_lst[1:]:
            tr.remove(tc)
        if span:  # one cell across the table, as a "Theme:" row is
            tr.tc_lst[0].get_or_add_tcPr().get_or_add_gridSpan().set(qn("w:val"), "4")

    assert problem in refused(edited(CYCLE2, tmp_path, cut))


def test_an_unknown_heading_is_refused(tmp_path: Path) -> None:
    message = refused(edited(CYCLE2, tmp_path, set_cell(1, 3, ["Notes"])))
    assert "table 1, row 1" in message and "'Notes' names no column" in message
    message = refused(edited(CYCLE2, tmp_path, set_cell(1, 1, ["Stance"])))
    assert "no table has a heading row naming a recommendation column and a position" in message


def test_text_in_a_column_without_a_heading_is_refused(tmp_path: Path) -> None:
    def extra_column(document) -> None:
        table = document.tables[0]
        table.add_column(docx.shared.Cm(2))
        table.rows[4].cells[4].text = "a note"

    message = refused(edited(CYCLE2, tmp_path, extra_column))
    assert "table 1, row 5" in message and "'a note' is in a column without a heading" in message


def test_not_a_docx(tmp_path: Path) -> None:
    text = tmp_path / "list.docx"
    text.write_text("115.1 Ratify (France);\n", encoding="utf-8")
    assert "not a .docx Word document (a .docx file is a ZIP archive" in refused(text)
    workbook = REPO / "data" / "templates" / "contribution-template.xlsx"
    assert "the archive has no word/document.xml part" in refused(workbook)
    assert "file not found" in refused(tmp_path / "missing.docx")


def test_a_word_file_without_a_recognisable_table(tmp_path: Path) -> None:
    empty = tmp_path / "empty.docx"
    document = docx.Document()
    document.add_paragraph("UPR of Slovenia (2nd Cycle – 20th session)")
    document.save(str(empty))
    assert "holds no table" in refused(empty)
    document.add_table(rows=2, cols=2).rows[0].cells[0].text = "Name"
    document.save(str(empty))
    assert "no table has a heading row" in refused(empty)


def rewritten(source: Path, target: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w",
                                                        zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info, change(data) if info.filename == part else data)
    return target


def test_a_doctype_is_refused_before_python_docx_reads(tmp_path: Path) -> None:
    bomb = b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    path = rewritten(CYCLE2, tmp_path / "bomb.docx", "word/document.xml",
                     lambda data: data.replace(b"?>", b"?>" + bomb, 1))
    message = refused(path)
    assert "'word/document.xml' declares a DOCTYPE; a Word document never needs one" in message
    broken = rewritten(CYCLE2, tmp_path / "broken.docx", "word/document.xml",
                       lambda data: data[:-100])
    assert "not a readable .docx Word document: the part 'word/document.xml' is not " \
           "well-formed XML" in refused(broken)


def test_a_malformed_attribute_is_an_input_error(tmp_path: Path) -> None:
    def bad_span(document) -> None:
        document.tables[0].rows[1].cells[0]._tc.tcPr.gridSpan.set(qn("w:val"), "x")

    message = refused(edited(CYCLE2, tmp_path, bad_span))
    assert "the Word document cannot be read (ValueError" in message


def test_the_limits_apply(tmp_path: Path) -> None:
    assert "more than the limit of 10,000; refused without unpacking" in refused(
        CYCLE2, limits=Limits(unpacked_bytes=10_000))
    assert "more than 100 rows in all" in refused(CYCLE2, limits=Limits(rows=100))
    assert "more than 500 cells in all" in refused(CYCLE2, limits=Limits(cells=500))
    assert "a cell or paragraph holds more than 200 characters" in refused(
        CYCLE2, limits=Limits(cell_chars=200))
    # the table's 201 rows (the page header has no table): 200 are refused, 201 are read
    assert "more than 200 rows in all" in refused(CYCLE2, limits=Limits(rows=200))
    assert len(read_upr(CYCLE2, limits=Limits(rows=201)).recommendations) == 163
