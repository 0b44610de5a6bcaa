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


def test_readme_opens_with_the_main_job_and_the_test_command() -> None:
    """The first two fenced blocks: one command that installs and runs the main job, and the
    test command, which is exactly what .ci/run runs."""
    blocks = fenced_blocks(readme())
    assert len(blocks) >= 2, "README.md must open with two commands"
    main_job, tests = commands(blocks[0]), commands(blocks[1])
    assert len(main_job) == 1 and "hrgraph build" in main_job[0] and "pip install" in main_job[0]
    ci = commands((REPO / ".ci" / "run").read_text(encoding="utf-8"))
    assert tests == ci


def test_readme_model_diagram_is_generated_from_the_ontology() -> None:
    from hrgraph.diagram import class_diagram
    from hrgraph.project import Project

    match = re.search(r"^```mermaid\n(.*?)^```", readme(), flags=re.MULTILINE | re.DOTALL)
    assert match, "README.md has no Mermaid diagram"
    assert match.group(1) == class_diagram(Project.open(REPO)), (
        "the diagram is out of date: paste the output of hrgraph.diagram.class_diagram")
