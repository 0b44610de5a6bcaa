"""README.md documents every command, and its test command is the one .ci/run runs."""

from __future__ import annotations

import re

import pytest

from conftest import REPO, require
from hrgraph.cli import main

README = REPO / "README.md"


def readme() -> str:
    require(README.is_file(), "README.md is not written yet")
    return README.read_text(encoding="utf-8")


def fenced_blocks(text: str) -> list[str]:
    return re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def commands(text: str) -> list[str]:
    """Command lines of a shell snippet: no comments, blank lines, set/cd, or shebang."""
    lines = [line.strip().removeprefix("$ ") for line in text.splitlines()]
    return [line for line in lines if line and not line.startswith(("#", "set ", "cd "))]


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert re.search(rf"\bhrgraph (\S+ )*{re.escape(command)}\b", readme()), (
        f"README.md does not show `hrgraph {command}`")


def test_readme_test_command_is_what_ci_runs() -> None:
    blocks = fenced_blocks(readme())
    assert blocks, "README.md has no fenced code block"
    ci = commands((REPO / ".ci" / "run").read_text(encoding="utf-8"))
    assert commands(blocks[0]) == ci
