"""docs/queries.md is generated from the saved queries and their answers on the real data, and is
current."""

from __future__ import annotations

import shlex

import pytest

from conftest import REPO
from hrgraph import querydocs
from hrgraph.query import list_queries
from hrgraph.store import open_store

PAGE = REPO / "docs" / "queries.md"
REGENERATE = "python -m hrgraph.querydocs --corpus tests/corpus.txt -o docs/queries.md"


@pytest.fixture(scope="module")
def rendered(built_project) -> str:
    return querydocs.render(built_project, store=open_store(built_project, read_only=True))


def test_docs_queries_md_is_current(rendered: str) -> None:
    assert PAGE.is_file(), f"docs/queries.md is missing: run {REGENERATE}"
    assert PAGE.read_text(encoding="utf-8") == rendered, (
        f"docs/queries.md is out of date: run {REGENERATE}")


def test_every_query_has_its_section_command_and_answer(built_project, rendered: str) -> None:
    for saved in list_queries(built_project):
        assert f"### `{saved.name}`\n\n{saved.summary}\n" in rendered
        command = " ".join(["hrgraph query", saved.name, *(
            "--param " + shlex.quote(f"{name}={value}")
            for name, value in querydocs.example_params(saved).items())])
        assert f"```\n{command}\n```\n" in rendered
    # the example of demands-by-topic runs with its example topic; answers are cut at 15 rows
    assert "| hrid:demand/open-letter-2015-12-09-r3-2 | Register other non-profit" in rendered
    assert f"*The first {querydocs.MAX_ROWS} of 28 rows.*" in rendered  # co-signatories
    assert "Severity: **Warning**" in rendered and "No rows." in rendered


def test_main_prints_the_page(built_project, capsys) -> None:
    code = querydocs.main(["--project", str(built_project.root),
                           "--store", str(built_project.store_path)])
    assert code == 0
    assert capsys.readouterr().out.startswith("# Saved queries\n")


def test_main_without_a_store_exits_3(tmp_path, capsys) -> None:
    assert querydocs.main(["--project", str(tmp_path), "--store", str(tmp_path / "none")]) == 3
    assert "hrgraph build" in capsys.readouterr().err
