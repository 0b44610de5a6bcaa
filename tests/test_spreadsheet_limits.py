"""Spreadsheet contributions within limits (issue 14): read streaming and counted as they are
read, refused with a clear message naming the limit and its setting; no DOCTYPE in a workbook
(billion laughs, XXE); no symbolic links followed; error messages quote only excerpts of cells."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from hrgraph import spreadsheet
from hrgraph import store as stores
from hrgraph.cli import main
from hrgraph.errors import InputError
from hrgraph.project import Project
from test_contribute import snapshot

SECRET = "root:x:0:0:SECRET-SENTINEL-7f3a:/root:/bin/bash"
DOCUMENT = ["t-doc", "A test statement", "2021-09-17", "en", "", "https://example.org/t-doc", "",
            ""]


@pytest.fixture
def built(built_copy: Project) -> Project:
    return built_copy


def header(sheet: str) -> list[str]:
    return [c.name for c in spreadsheet.SHEETS[sheet]]


def add(cli, project: Project, path: Path, *extra: str):
    return cli.invoke(main, ["--project", str(project.root), "--store", str(project.store_path),
                             "add", str(path), *extra])


def refused(cli, project: Project, path: Path, *expected: str) -> str:
    """``hrgraph add`` exits 2 with every ``expected`` text and no traceback; nothing changes."""
    before = snapshot(project)
    result = add(cli, project, path)
    text = result.output + result.stderr
    assert result.exit_code == 2, text
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in text
    for part in expected:
        assert part in text, text
    assert snapshot(project) == before
    return text


def settings(project: Project, **values: int) -> Project:
    lines = ["[contributions]"] + [f"{k} = {v}" for k, v in values.items()]
    (project.root / "hrgraph.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Project.open(project.root, store=project.store_path)


def csv_text(rows: list[list[str]]) -> str:
    import csv

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def write_zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def workbook(path: Path, rows: list[list[object]], sheet: str = "documents") -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    ws = book.create_sheet(sheet)
    for r in rows:
        ws.append(r)
    book.save(path)
    return path


def rewrite_part(path: Path, part: str, change) -> Path:
    """The workbook at ``path`` with one XML part changed by ``change(text) -> text``."""
    with zipfile.ZipFile(path) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()}
    members[part] = change(members[part].decode("utf-8")).encode("utf-8")
    path.unlink()
    return write_zip(path, members)


# --------------------------------------------------------------------------- the million rows


def test_a_million_row_zip_is_refused_within_seconds_in_little_memory(built: Project,
                                                                      tmp_path: Path) -> None:
    """The 4.7 MB .zip of 1M CSV rows from issue 14 (passes the 5 MB and unpacked-size limits):
    refused at the row limit, in seconds, with a peak RSS far under 200 MB (the old code ran for
    minutes at 3.4 GB)."""
    lines = [",".join(header("documents"))]
    lines += [f"d{i},T,2020,en,,https://e.org/{i},," for i in range(1_000_000)]
    path = write_zip(tmp_path / "big.zip", {"documents.csv": "\n".join(lines) + "\n"})
    assert path.stat().st_size < 5_000_000
    del lines
    # The peak RSS of this process alone: VmHWM (ru_maxrss would count the forked parent's).
    script = textwrap.dedent("""
        import re, sys
        from pathlib import Path
        from hrgraph.cli import main
        try:
            main(sys.argv[1:])
        finally:
            status = Path("/proc/self/status")
            found = re.search(r"VmHWM:\\s*(\\d+)", status.read_text()) if status.exists() else None
            sys.stderr.write(f"\\nPEAK-KB {found.group(1) if found else 0}\\n")
    """)
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-c", script, "--project", str(built.root),
                             "--store", str(built.store_path), "add", str(path), "--dry-run"],
                            capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - start
    assert result.returncode == 2, result.stderr
    assert "more than 10,000 rows" in result.stderr
    assert "[contributions] max_rows in hrgraph.toml" in result.stderr
    peak_kb = int(result.stderr.rsplit("PEAK-KB", 1)[1])
    assert elapsed < 30, elapsed
    assert peak_kb < 200 * 1024, peak_kb


# --------------------------------------------------------------------------- limits, configurable


@pytest.mark.parametrize("kind", ["folder", "csv", "zip", "xlsx"])
def test_the_row_limit_is_named_and_can_be_raised(built: Project, tmp_path: Path,
                                                  kind: str) -> None:
    rows = [header("documents"), DOCUMENT, [""] * 8, [""] * 8]  # empty rows count too
    if kind == "folder":
        path = tmp_path / "in"
        path.mkdir()
        (path / "documents.csv").write_text(csv_text(rows), encoding="utf-8")
    elif kind == "csv":
        path = tmp_path / "documents.csv"
        path.write_text(csv_text(rows), encoding="utf-8")
    elif kind == "zip":
        path = write_zip(tmp_path / "c.zip", {"documents.csv": csv_text(rows)})
    else:
        path = workbook(tmp_path / "c.xlsx", [*rows[:2], ["", "", "", "x"], ["", "x"]])
    store = stores.open_store(built, read_only=True)
    try:
        limited = settings(built, max_rows=3)
        with pytest.raises(InputError, match=r"more than 3 rows in all.*"
                                             r"raise \[contributions\] max_rows in hrgraph.toml"):
            spreadsheet.read_contribution(limited, path, store)
        if kind == "xlsx":  # the stray cells make the rows non-empty: a clear error later
            return
        raised = settings(built, max_rows=4)
        sheet = spreadsheet.read_contribution(raised, path, store)
        assert any(t.subject.value.endswith("/document/t-doc") for t in sheet.triples)
    finally:
        del store


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_cell_limits_are_named(built: Project, tmp_path: Path, kind: str) -> None:
    long_title = [*DOCUMENT[:1], "t" * 500, *DOCUMENT[2:]]
    store = stores.open_store(built, read_only=True)
    try:
        for values, rows, expected in (
                ({"max_cells": 10}, [header("documents"), DOCUMENT], r"more than 10 cells.*"
                 r"raise \[contributions\] max_cells in hrgraph.toml"),
                ({"max_cell_chars": 100}, [header("documents"), long_title],
                 r"more than (the limit of )?100\b.*raise \[contributions\] max_cell_chars")):
            if kind == "csv":
                path = tmp_path / "documents.csv"
                path.write_text(csv_text(rows), encoding="utf-8")
            else:
                path = workbook(tmp_path / "c.xlsx", rows)
            with pytest.raises(InputError, match=expected):
                spreadsheet.read_contribution(settings(built, **values), path, store)
    finally:
        del store


def test_the_unpacked_size_limit_is_a_setting(cli, built: Project, tmp_path: Path) -> None:
    path = write_zip(tmp_path / "c.zip", {"documents.csv": "id,title\n" + "x," * 5_000})
    settings(built, max_unpacked_bytes=1_000)
    refused(cli, built, path, "unpacks to 10,009 bytes, more than the limit of 1,000",
            "max_unpacked_bytes")


@pytest.mark.parametrize("value", ["0", "-3", "'many'", "true", "1.5"])
def test_a_bad_limit_setting_is_a_clear_error(cli, built: Project, tmp_path: Path,
                                              value: str) -> None:
    (built.root / "hrgraph.toml").write_text(f"[contributions]\nmax_rows = {value}\n",
                                             encoding="utf-8")
    path = write_zip(tmp_path / "c.zip", {"documents.csv": csv_text([header("documents"),
                                                                      DOCUMENT])})
    refused(cli, built, path, "hrgraph.toml", "max_rows must be a positive whole number")


def test_a_csv_line_too_long_is_refused_before_it_is_read_whole(built: Project,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "documents.csv"
    path.write_text(",".join(header("documents")) + "\n" + "x" * 3_000_000, encoding="utf-8")
    store = stores.open_store(built, read_only=True)
    try:
        with pytest.raises(InputError, match=r"line 2 is longer than 524,272 characters.*"
                                             "max_cell_chars"):
            spreadsheet.read_contribution(built, path, store)
    finally:
        del store


def test_a_workbook_row_of_a_million_cells_is_refused_before_openpyxl_reads_it(
        built: Project, tmp_path: Path, monkeypatch) -> None:
    """openpyxl keeps a whole row in memory: the cells are counted by a streaming pass first."""
    path = workbook(tmp_path / "wide.xlsx", [header("documents"), DOCUMENT])
    cells = "".join(f'<c r="A{n}" t="inlineStr"><is><t>x</t></is></c>' for n in range(300_000))
    rewrite_part(path, "xl/worksheets/sheet1.xml",
                 lambda text: text.replace("</sheetData>", f'<row r="3">{cells}</row>'
                                                           "</sheetData>"))
    loaded = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: loaded.append(a))
    store = stores.open_store(built, read_only=True)
    try:
        with pytest.raises(InputError, match="more than 200,000 cells in all"):
            spreadsheet.read_contribution(built, path, store)
    finally:
        del store
    assert not loaded


# --------------------------------------------------------------------------- hostile XML


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def laughs_doctype() -> str:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 or "")) * 10}">' for i in range(1, 10))
    return f"<!DOCTYPE sst [{entities}]>", "&lol9;"


def xxe_doctype(target: Path, root: str) -> tuple[str, str]:
    return f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{target.as_uri()}">]>', "&xxe;"


def with_shared_strings(path: Path, doctype: str, reference: str) -> Path:
    """The workbook with its title cell moved into a sharedStrings part that holds
    ``reference`` after ``doctype`` (openpyxl itself writes inline strings only)."""
    def sheet(text: str) -> str:
        return text.replace('t="inlineStr"><is><t>A test statement</t></is>',
                            't="s"><v>0</v>')

    def types(text: str) -> str:
        return text.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" '
                            f'ContentType="{SST_TYPE}"/></Types>')

    rewrite_part(path, "xl/worksheets/sheet1.xml", sheet)
    rewrite_part(path, "[Content_Types].xml", types)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/sharedStrings.xml",
                         f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<sst xmlns="{MAIN}" '
                         f'count="1" uniqueCount="1"><si><t>{reference}</t></si></sst>')
    return path


def test_shared_strings_are_read_when_harmless(built: Project, tmp_path: Path) -> None:
    """(The control for the next test: the shared-strings part is really read.)"""
    path = with_shared_strings(workbook(tmp_path / "ok.xlsx", [header("documents"), DOCUMENT]),
                               "", "A shared title")
    store = stores.open_store(built, read_only=True)
    try:
        sheet = spreadsheet.read_contribution(built, path, store)
    finally:
        del store
    assert any(t.object.value == "A shared title" for t in sheet.triples)


@pytest.mark.parametrize("attack", ["billion-laughs-shared-strings", "xxe-shared-strings",
                                    "xxe-sheet", "xxe-workbook"])
def test_a_workbook_with_a_doctype_is_refused(cli, built: Project, tmp_path: Path,
                                              attack: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    path = workbook(tmp_path / "evil.xlsx", [header("documents"), DOCUMENT])
    if attack == "billion-laughs-shared-strings":
        part = "xl/sharedStrings.xml"
        with_shared_strings(path, *laughs_doctype())
    elif attack == "xxe-shared-strings":
        part = "xl/sharedStrings.xml"
        with_shared_strings(path, *xxe_doctype(secret, "sst"))
    else:
        part, root, anchor = {"xxe-sheet": ("xl/worksheets/sheet1.xml", "worksheet",
                                            "<t>A test statement</t>"),
                              "xxe-workbook": ("xl/workbook.xml", "workbook",
                                               "<workbookPr />")}[attack]
        doctype, reference = xxe_doctype(secret, root)
        rewrite_part(path, part, lambda t: '<?xml version="1.0"?>' + doctype + t.replace(
            anchor, anchor.replace("A test statement", reference) if "<t>" in anchor
            else anchor + f"<definedNames><definedName name='x'>{reference}</definedName>"
                          "</definedNames>"))
    text = refused(cli, built, path, "evil.xlsx", "declares a DOCTYPE", part)
    assert "SECRET-SENTINEL" not in text


# --------------------------------------------------------------------------- symbolic links


def test_a_symlinked_csv_in_a_folder_is_refused_unread(cli, built: Project,
                                                       tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "documents.csv").write_text(csv_text([header("documents"), DOCUMENT]),
                                          encoding="utf-8")
    os.symlink(secret, folder / "actors.csv")
    text = refused(cli, built, folder, "actors.csv is a symbolic link", "refused unread")
    assert "SECRET-SENTINEL" not in text and "root:x" not in text


def test_a_fifo_in_a_folder_is_refused_without_blocking(cli, built: Project,
                                                        tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "documents.csv")
    refused(cli, built, folder, "documents.csv is not a plain file")


@pytest.mark.parametrize("suffix", [".zip", ".xlsx"])
def test_a_symlink_member_of_an_archive_is_refused_unread(cli, built: Project, tmp_path: Path,
                                                          suffix: str) -> None:
    path = tmp_path / f"links{suffix}"
    if suffix == ".xlsx":
        workbook(path, [header("documents"), DOCUMENT])
        with zipfile.ZipFile(path) as archive:
            members = [(i, archive.read(i)) for i in archive.infolist()]
    else:
        members = [(zipfile.ZipInfo("documents.csv"),
                    csv_text([header("documents"), DOCUMENT]).encode())]
    link = zipfile.ZipInfo("actors.csv" if suffix == ".zip" else "xl/media/actors.xml")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    members.append((link, b"/etc/passwd"))
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in members:
            archive.writestr(info, data)
    text = refused(cli, built, path, "is a symbolic link", "refused unread")
    assert "/etc/passwd" not in text


# --------------------------------------------------------------------------- excerpts only


@pytest.mark.parametrize("column", ["date", "language", "header"])
def test_errors_quote_only_an_excerpt_of_a_cell(cli, built: Project, tmp_path: Path,
                                                column: str) -> None:
    big = "x" * 10_000
    names = header("documents")
    values = list(DOCUMENT)
    if column == "header":
        names = [*names, big]
    else:
        values[names.index(column)] = big
    path = workbook(tmp_path / "big-cell.xlsx", [names, values])
    text = refused(cli, built, path, "big-cell.xlsx")
    assert "x" * 100 not in text
    assert max(len(line) for line in text.splitlines()) < 400, text
