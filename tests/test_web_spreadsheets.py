"""``/validate`` and ``/contribute`` take spreadsheets in the contribution template (an ``.xlsx``
workbook or a ``.zip`` of CSV files) and read them with the code of ``hrgraph add --dry-run`` and
``hrgraph add``: the same report (located by sheet, row and column), the same limits, and a clear
400 for a workbook that cannot be read."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from starlette.testclient import TestClient

from conftest import REPO, merged_by_the_test
from hrgraph import contribute
from hrgraph.project import Project
from hrgraph.web import WebSettings, create_app

EXAMPLE = REPO / "data" / "templates" / "example.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN = "spreadsheet-merge-token"
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def client(built_project: Project) -> TestClient:
    return TestClient(create_app(built_project))


def example_as_zip() -> bytes:
    """The example workbook as a ``.zip`` of one CSV file per sheet (its README sheet left out)."""
    workbook = openpyxl.load_workbook(EXAMPLE, read_only=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for sheet in workbook.worksheets:
            if sheet.title.lower() == "readme":
                continue
            text = io.StringIO()
            writer = csv.writer(text)
            for row in sheet.iter_rows(values_only=True):
                writer.writerow(["" if v is None else v for v in row])
            archive.writestr(f"{sheet.title}.csv", text.getvalue())
    return buffer.getvalue()


def validate(client: TestClient, name: str, data: bytes, media: str = XLSX,
             headers: dict[str, str] | None = None):
    return client.post("/validate", files={"file": (name, data, media)},
                       headers=headers if headers is not None else JSON)


# --------------------------------------------------------------------------- /validate


def test_the_example_workbook_validates_with_no_violation(client: TestClient,
                                                          built_project: Project) -> None:
    response = validate(client, "example.xlsx", EXAMPLE.read_bytes())
    assert response.status_code == 200, response.text
    model = response.json()
    assert model["report"]["violations"] == 0 and model["report"]["conforms"]
    assert model["filename"] == "example.xlsx"
    # the same report as `hrgraph add --dry-run` gives for the file
    dry = contribute.add_contribution(built_project, EXAMPLE, dry_run=True)
    assert model["report"]["summary"] == dry.report.summary()
    assert "Dry run:" in model["text"] and "nothing was written" in model["text"]
    assert "/tmp" not in response.text and "hrgraph-upload-" not in response.text


def test_results_on_a_workbook_name_its_sheet_and_row(client: TestClient,
                                                      tmp_path: Path) -> None:
    """A demand with neither addressee nor actor asked to act is a violation located by sheet
    and row, as `hrgraph add` locates it."""
    workbook = openpyxl.load_workbook(EXAMPLE)
    demands = workbook["demands"]
    header = [c.value for c in demands[1]]
    for column in ("addressee", "actor asked to act"):
        demands.cell(row=2, column=header.index(column) + 1).value = None
    path = tmp_path / "no-addressee.xlsx"
    workbook.save(path)
    response = validate(client, "no-addressee.xlsx", path.read_bytes())
    assert response.status_code == 200, response.text
    report = response.json()["report"]
    assert report["violations"] >= 1 and not report["conforms"]
    wheres = [g["where"] for g in report["groups"]]
    assert any(w.startswith("no-addressee.xlsx, sheet 'demands', row 2") for w in wheres), wheres
    page = validate(client, "no-addressee.xlsx", path.read_bytes(), headers={})
    assert "no-addressee.xlsx, sheet &#39;demands&#39;, row 2" in page.text
    assert "it needs changes" in page.text


def test_a_zip_of_csv_files_validates_like_the_workbook(client: TestClient) -> None:
    response = validate(client, "example.zip", example_as_zip(), "application/zip")
    assert response.status_code == 200, response.text
    workbook = validate(client, "example.xlsx", EXAMPLE.read_bytes()).json()
    assert response.json()["report"]["summary"] == workbook["report"]["summary"]


@pytest.mark.parametrize("name, data", [
    ("broken.xlsx", b"PK\x03\x04 this is not a workbook"),
    ("notes.xlsx", b"plain text, not a zip at all"),
    ("empty.zip", b"PK\x05\x06" + b"\0" * 18),
])
def test_an_unusable_workbook_is_400_with_the_reason(client: TestClient, name: str,
                                                     data: bytes) -> None:
    response = validate(client, name, data)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error.startswith(name + ":"), error
    assert "/tmp" not in error and "upload" not in error.split(":", 1)[0]
    page = validate(client, name, data, headers={})
    assert page.status_code == 400 and 'role="alert"' in page.text


def test_the_spreadsheet_limits_of_the_project_apply(built_copy: Project) -> None:
    (built_copy.root / "hrgraph.toml").write_text("[contributions]\nmax_rows = 3\n",
                                                  encoding="utf-8")
    project = Project.open(built_copy.root, store=built_copy.store_path)
    client = TestClient(create_app(project))
    response = validate(client, "example.xlsx", EXAMPLE.read_bytes())
    assert response.status_code == 400, response.text
    assert "max_rows" in response.json()["error"]


def test_a_workbook_over_the_upload_limit_is_413(built_project: Project) -> None:
    client = TestClient(create_app(built_project, WebSettings(upload_limit=1000)))
    assert EXAMPLE.stat().st_size > 1000
    assert validate(client, "example.xlsx", EXAMPLE.read_bytes()).status_code == 413


def test_the_forms_offer_spreadsheets(built_project: Project) -> None:
    client = TestClient(create_app(built_project, WebSettings(merge_token=TOKEN)))
    for path in ("/validate", "/contribute"):
        page = client.get(path).text
        accept = page.split('accept="', 1)[1].split('"', 1)[0].split(",")
        assert {".xlsx", ".zip", ".ttl"} <= set(accept), (path, accept)
        assert "contribution template" in page


def test_another_kind_of_file_is_still_refused_by_its_ending(client: TestClient) -> None:
    response = validate(client, "statement.docx", b"PK\x03\x04")
    assert response.status_code == 400
    error = response.json()["error"]
    assert "hrgraph reads RDF files ending in" in error and ".xlsx" in error and ".zip" in error


# --------------------------------------------------------------------------- /contribute


def test_contribute_with_the_token_merges_a_workbook(built_copy: Project) -> None:
    client = TestClient(create_app(built_copy, WebSettings(merge_token=TOKEN)))
    response = client.post("/contribute", data={"token": TOKEN, "contributor": "web sheet test"},
                           files={"file": ("example.xlsx", EXAMPLE.read_bytes(), XLSX)},
                           headers=JSON)
    assert response.status_code == 200, response.text
    model = response.json()
    assert model["merged"] and model["id"]
    assert "hrgraph-merge-" not in model["text"] and "/tmp" not in model["text"]
    [merged] = merged_by_the_test(built_copy)
    assert merged.stem == model["id"]
    text = merged.read_text(encoding="utf-8")
    assert '"example.xlsx"' in text and "web sheet test" in text
    assert "demand:example-viasna-rabkova-2021-1" in text
    page = client.get("/id/demand/example-viasna-rabkova-2021-1.json")
    assert page.status_code == 200


def test_contribute_refuses_an_unusable_workbook_and_merges_nothing(
        built_copy: Project) -> None:
    client = TestClient(create_app(built_copy, WebSettings(merge_token=TOKEN)))
    response = client.post("/contribute", data={"token": TOKEN},
                           files={"file": ("broken.xlsx", b"PK\x03\x04 nope", XLSX)},
                           headers=JSON)
    assert response.status_code == 400
    assert response.json()["error"].startswith("broken.xlsx:")
    assert not merged_by_the_test(built_copy)
