"""docs/security.md names real tests and real code: every proof it cites exists.

The page says, for each defence, which test proves it. A renamed or deleted test, or a function
of hrgraph that no longer exists, would leave a claim without its proof; this test finds them.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from conftest import REPO

DOC = REPO / "docs" / "security.md"
TESTS = REPO / "tests"
#: `file.py::test_name`, or `H::test_name` with the abbreviation the page defines.
PROOF = re.compile(r"`(?P<file>[\w]+\.py|H)::(?P<name>test_\w+)(?:\[[^\]`]*\])?`")
#: `module.function` or `module.Class.method` of hrgraph, as the page writes them.
CODE = re.compile(r"`(?P<dotted>(?:web\.)?(?:routes\.)?[a-z_]+\.[A-Za-z_][\w.]*)`")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def _cited() -> list[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    return sorted({(m.group("file"), m.group("name")) for m in PROOF.finditer(text)})


def test_the_page_cites_proofs():
    assert len(_cited()) >= 60


@pytest.mark.parametrize(("file", "name"), _cited())
def test_every_cited_test_exists(file, name):
    path = TESTS / ("test_hostile.py" if file == "H" else file)
    assert path.is_file(), f"docs/security.md cites {file}, which does not exist"
    assert name in _tests_in(path), f"docs/security.md cites {file}::{name}, which does not exist"


def _code_references() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    found = set()
    for match in CODE.finditer(text):
        dotted = match.group("dotted")
        module = dotted.split(".")[0] if not dotted.startswith("web.") else "web"
        if dotted.endswith((".py", ".md", ".toml", ".rq", ".rdf", ".ttl", ".zip", ".xlsx")):
            continue
        if module in _MODULES:
            found.add(dotted)
    return sorted(found)


_MODULES = {p.stem for p in (REPO / "src" / "hrgraph").glob("*.py")} | {"web"}


@pytest.mark.parametrize("dotted", _code_references())
def test_every_cited_function_exists(dotted):
    parts = dotted.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            target = importlib.import_module("hrgraph." + ".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            assert hasattr(target, attribute), f"docs/security.md cites {dotted}: no {attribute}"
            target = getattr(target, attribute)
        return
    pytest.fail(f"docs/security.md cites {dotted}, whose module does not exist")
