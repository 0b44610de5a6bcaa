"""docs/contributing.md shows what is true: its worked example is the example workbook's rows, and
the route it gives is the one the README gives, with commands that exist."""

from __future__ import annotations

import re

import openpyxl

from conftest import REPO
from hrgraph.cli import main

DOC = (REPO / "docs" / "contributing.md").read_text(encoding="utf-8")
README = (REPO / "README.md").read_text(encoding="utf-8")
EXAMPLE = REPO / "data" / "templates" / "example.xlsx"


def example_rows() -> dict[tuple[str, str], dict[str, str]]:
    """The example workbook's rows by (sheet, id), cells by column name."""
    book = openpyxl.load_workbook(EXAMPLE, read_only=True)
    rows = {}
    for sheet in book.worksheets:
        values = [r for r in sheet.iter_rows(values_only=True) if any(c is not None for c in r)]
        if not values or "id" not in values[0]:
            continue
        header = [str(c) for c in values[0]]
        for row in values[1:]:
            cells = {h: "" if c is None else str(c) for h, c in zip(header, row, strict=False)}
            rows[(sheet.title, cells["id"])] = cells
    book.close()
    return rows


def worked_example() -> list[list[str]]:
    block = DOC.split("<!-- worked-example:", 1)[1].split("<!-- end of worked example -->", 1)[0]
    lines = [line for line in block.splitlines() if line.startswith("| ")]
    return [[cell.strip().strip("`") for cell in line.strip("|").split("|")] for line in lines[1:]]


def test_the_worked_example_is_the_example_workbook() -> None:
    rows = example_rows()
    shown = worked_example()
    assert {r[0] for r in shown} == {"mechanisms", "provisions", "demands"}
    for sheet, row_id, kind, name, further in shown:
        cells = rows[(sheet, row_id)]
        if kind:
            assert cells["kind"] == kind
        if name:
            assert cells["name"] == name
        for column, value in re.findall(r"([a-z ]+): ([^:]+?)(?=; [a-z ]+:|$)", further):
            assert cells[column.strip()] == value.strip(), (sheet, row_id, column)
    # the demands really refer to what the example creates
    assert "example-article-293-part-3" in rows[("demands", "example-viasna-rabkova-2021-2")][
        "targets"]
    assert rows[("demands", "example-viasna-rabkova-2021-3")]["targets"] == \
        "example-un-accountability-mandate"


def test_readme_and_guide_give_the_same_route_with_commands_that_exist() -> None:
    route = DOC.split("## The route", 1)[1].split("\n", 1)[1].split("\n## ", 1)[0]
    readme = README.split("## Contributing", 1)[1].split("\n## ", 1)[0]
    for text in (route, readme):
        # spreadsheet first (drafted or from the template), checked, merged; Turtle for the rest
        order = [text.index(word) for word in
                 ("data/sources/", "hrgraph draft", "contribution-template.xlsx",
                  "hrgraph add --dry-run", "Turtle")]
        assert order == sorted(order), text
    for command in set(re.findall(r"hrgraph ([a-z]+)", route + readme)):
        assert command in main.commands, command
