"""Every ``hrgraph`` command that README.md and docs/*.md show runs as shown.

Which text is a command (see :func:`shown_commands`):

* in a fenced block, a line that starts with ``hrgraph`` (after a ``$ `` prompt), or has one
  after ``&&``; a line ending in ``\\`` goes on on the next. Of a ``&&`` chain only the
  ``hrgraph`` commands run (``python3 -m venv``, ``pip install``, ``python -m hrgraph.querydocs``
  are out of scope), in order, and ``# …`` comments are dropped. Optional parts of a synopsis
  (``[--dry-run]``) are left out, the rest runs.
* in running text, a backticked ``hrgraph …`` that gives values (``hrgraph vocab action-type``,
  ``hrgraph validate FILE``). One that only names a command and its options (``hrgraph add``,
  ``hrgraph add --dry-run``) is checked against the CLI instead of run; one with alternatives or
  an elision (``\\|``, ``[…]`` in README's command table, ``time hrgraph add --dry-run …``) is a
  synopsis: README's table is checked against the CLI by tests/test_readme.py, not here.

Each command runs through the real CLI (``python -m hrgraph``, under bash for the ``>`` and
``&&`` of the docs) in its own copy of the built test corpus, the project root as working
directory: copying it takes less time than starting the CLI, and no test then depends on the
order of others. The words the docs leave to the reader (a file of their own, an id, a URL) get
the values of :data:`VALUES` and :data:`FILES`. ``push`` and ``query --endpoint`` go to a real
Oxigraph server on 127.0.0.1; ``serve`` must answer one page, then is stopped. A command passes
with exit code 0 (or the one the doc gives, :data:`EXIT`) and no traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click
import httpx
import pytest

from conftest import REPO, running_oxigraph
from hrgraph.cli import main
from hrgraph.contribute import list_contributions
from hrgraph.project import Project
from web_support import free_port, wait_until_serving

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

#: A source text of data/sources/ and the UPR list of data/sources/upr/ that stand for the
#: reader's own.
SOURCE_TEXT = "data/sources/hrc-belarus-mandate-2021-03-24.txt"
UPR_LIST = "data/sources/upr/UPR20__Slovenia_ThematicListRecommendations_E.docx"

#: Words the docs leave to the reader, and what the test writes in their place. ``{root}`` is the
#: copy, ``{server}`` the test's Oxigraph server, ``{newest}`` the id of the copy's newest
#: contribution (the one a doc's earlier ``add`` merged; taking out an older one may be refused).
VALUES = {
    "FILE": "my-contribution.ttl",
    "FILE.docx": UPR_LIST,
    "SCHEME": "topic",
    "ID": "{newest}",
    "20250101T120000Z-1a2b3c4d": "{newest}",
    "URL": "https://example.org/statement",
    "NAME": "'A partner'",
    "TEXT": "'Checked by tests/test_docs_commands.py'",
    "P": "{root}",
    "/tmp/bench-upr-100k": "{root}",  # performance.md's generated project: here the copy
    "/tmp/hr-store": "{root}/hr-store",
    "http://localhost:7878": "{server}",
}

#: Files the docs' commands read that the reader is said to have, and how the test makes them in
#: the copy: a copy of a file of the project, or the output of an ``hrgraph`` command. A filled-in
#: statement workbook is the example workbook; a contribution file the suite's example demand.
FILES: dict[str, str | tuple[str, ...]] = {
    "my-contribution.ttl": "tests/data/contribution-demand.ttl",
    "my-facts.ttl": "tests/data/contribution-demand.ttl",
    "statement.xlsx": "data/templates/example.xlsx",
    "my-statement.xlsx": "data/templates/example.xlsx",
    "statement.txt": SOURCE_TEXT,
    "data/sources/statement.txt": SOURCE_TEXT,
    "data/sources/my-statement.txt": SOURCE_TEXT,
    "draft.xlsx": ("draft", SOURCE_TEXT, "-o", "draft.xlsx"),
    "releases/0.1.0": ("release", "0.1.0"),
}

#: Commands the docs say fail, with the exit code they give (keys as the doc shows them).
EXIT = {
    # contributing.md: a fresh draft "lists the [?] suggestions still to confirm": refused as
    # an unusable file (README: "2 for an unusable file") until a person has checked them
    "hrgraph add --dry-run draft.xlsx": 2,
    # security.md: "`hrgraph export --graph private` ... refused without --include-confidential"
    "hrgraph export --graph private": 2,
}


@dataclass(frozen=True)
class Shown:
    """A command as a page shows it."""

    page: str
    line: int
    text: str
    inline: bool

    def __str__(self) -> str:
        return f"{self.page}:{self.line}"


def _fenced_lines(text: str) -> list[tuple[int, str, bool]]:
    """(line number, line, inside a fenced block) for every line of ``text``."""
    found, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            found.append((number, "", False))
        else:
            found.append((number, line, fenced))
    return found


def _is_command(line: str) -> bool:
    return any(part.strip().startswith("hrgraph ") for part in line.split("&&"))


def shown_commands(page: Path) -> list[Shown]:
    """Every command ``page`` shows, by the rules of this module's docstring (mentions and
    synopses included: :func:`kind` tells them apart)."""
    name, found = page.name, []
    lines = _fenced_lines(page.read_text(encoding="utf-8"))
    pending: tuple[int, str] | None = None
    for number, line, fenced in lines:
        if fenced:
            line = line.strip().removeprefix("$ ")
            if pending:
                line, number = pending[1] + " " + line, pending[0]
                pending = None
            if line.endswith("\\"):
                pending = (number, line[:-1].rstrip())
            elif _is_command(line):
                found.append(Shown(name, number, line, False))
            continue
        for match in re.finditer(r"`((?:time )?hrgraph [^`]+)`", line):
            found.append(Shown(name, number, match.group(1), True))
    return found


def kind(shown: Shown) -> str:
    """``run``, ``mention`` or ``synopsis``. In running text a span of command names alone
    (``hrgraph serve``), or of names and options that the CLI does not take as a whole command
    (``hrgraph add --dry-run``: FILE missing), is a mention; names and options that make a whole
    command (``hrgraph query --list``, ``hrgraph build --full``) run, as does any span with a
    value (``hrgraph vocab action-type``)."""
    if shown.inline and re.search(r"[|…[]", shown.text):
        return "synopsis"
    if shown.inline:
        words = shown.text.split()[1:]
        values = [w for w in words if not w.startswith("-")]
        options = [w for w in words if w.startswith("-")]
        if _command(values) is not None and (not options or not _whole(values, options)):
            return "mention"
    return "run"


def _command(names: list[str]) -> click.Command | None:
    """The (sub)command these words name, if they are all command names."""
    command: click.Command = main
    for name in names:
        if not isinstance(command, click.Group) or name not in command.commands:
            return None
        command = command.commands[name]
    return None if command is main else command


def _whole(names: list[str], options: list[str]) -> bool:
    """Whether the command ``names`` name takes ``options`` as all it needs."""
    command = _command(names)
    if isinstance(command, click.Group):
        return False
    try:
        command.make_context(names[-1], list(options))
    except (click.UsageError, click.exceptions.Exit):
        return False
    return True


def runnable(shown: Shown) -> str:
    """The shell text that runs ``shown``: its ``hrgraph`` commands joined by ``&&``, comments
    and optional parts left out, placeholders not yet filled in."""
    text = re.sub(r"\s+#\s.*$", "", shown.text)
    text = re.sub(r"\s*\[[^\]]*\]", "", text)
    parts = [part.strip() for part in text.split("&&")]
    return " && ".join(part for part in parts if part.startswith("hrgraph "))


def _placeholder(word: str) -> re.Pattern[str]:
    # a whole word of the command: not part of a longer name, option or path segment
    return re.compile(rf"(?<![\w.\-/]){re.escape(word)}(?![\w.\-])")


def fill_in(command: str) -> str:
    """``command`` with :data:`VALUES` written in (``{…}`` fields still to format)."""
    for word in sorted(VALUES, key=len, reverse=True):
        command = _placeholder(word).sub(VALUES[word], command)
    return command


def inputs(command: str) -> list[str]:
    """The :data:`FILES` that ``command`` reads (not those it writes with ``-o`` or ``>``)."""
    found = []
    for word in FILES:
        for match in _placeholder(word).finditer(command):
            before = command[:match.start()].rstrip()
            if not before.endswith((" -o", ">")):
                found.append(word)
                break
    return found


ALL = [shown for page in PAGES for shown in shown_commands(page)]
RUN = [shown for shown in ALL if kind(shown) == "run"]
MENTIONS = [shown for shown in ALL if kind(shown) == "mention"]


# --------------------------------------------------------------------------- the rules


def test_the_rules_find_commands_mentions_and_synopses(tmp_path: Path) -> None:
    page = tmp_path / "sample.md"
    page.write_text("\n".join([
        "Run `hrgraph vocab action-type`, or `hrgraph add --dry-run` first; see",
        "`hrgraph query --list` and `hrgraph import upr`.",
        "`hrgraph build [--full]` and `time hrgraph add --dry-run …`. `hrgraph serve` serves.",
        "```",
        "$ python3 -m venv .venv && pip install -e . && hrgraph build && hrgraph stats",
        "hrgraph add my-facts.ttl --source-url URL \\",
        "    --contributor NAME   # merge",
        "hrgraph import upr FILE.docx [--cycle N] [--dry-run]",
        "echo hrgraph is not a command here",
        "```",
    ]), encoding="utf-8")
    found = [(str(s), kind(s), s.text) for s in shown_commands(page)]
    assert found == [
        ("sample.md:1", "run", "hrgraph vocab action-type"),
        ("sample.md:1", "mention", "hrgraph add --dry-run"),
        ("sample.md:2", "run", "hrgraph query --list"),
        ("sample.md:2", "mention", "hrgraph import upr"),
        ("sample.md:3", "synopsis", "hrgraph build [--full]"),
        ("sample.md:3", "synopsis", "time hrgraph add --dry-run …"),
        ("sample.md:3", "mention", "hrgraph serve"),
        ("sample.md:5", "run",
         "python3 -m venv .venv && pip install -e . && hrgraph build && hrgraph stats"),
        ("sample.md:6", "run",
         "hrgraph add my-facts.ttl --source-url URL --contributor NAME   # merge"),
        ("sample.md:8", "run", "hrgraph import upr FILE.docx [--cycle N] [--dry-run]")]
    shown = {s.text: s for s in shown_commands(page)}
    assert runnable(shown["python3 -m venv .venv && pip install -e . && hrgraph build && "
                          "hrgraph stats"]) == "hrgraph build && hrgraph stats"
    assert runnable(shown["hrgraph import upr FILE.docx [--cycle N] [--dry-run]"]) == (
        "hrgraph import upr FILE.docx")
    filled = fill_in("hrgraph --project P --store P/store add FILE --source-url URL")
    assert filled == ("hrgraph --project {root} --store {root}/store add my-contribution.ttl "
                      "--source-url https://example.org/statement")
    assert inputs("hrgraph draft statement.txt -o draft.xlsx") == ["statement.txt"]
    assert inputs("hrgraph vocab topics > statement.xlsx") == []


def test_the_pages_show_commands() -> None:
    """The docs hold commands of each kind; if the rules found none, they would test nothing."""
    pages = {shown.page for shown in RUN}
    assert {"README.md", "contributing.md", "queries.md", "upr.md"} <= pages
    assert len(RUN) > 60 and MENTIONS


@pytest.mark.parametrize("shown", MENTIONS, ids=str)
def test_a_mentioned_command_and_its_options_exist(shown: Shown) -> None:
    words = shown.text.split()[1:]
    command = _command([w for w in words if not w.startswith("-")])
    options = {opt for param in command.params for opt in param.opts + param.secondary_opts}
    assert {w for w in words if w.startswith("-")} <= options, shown.text


#: Commands the docs show that do not run here, and why. README's command table (its rows
#: start ``| `hrgraph``) is a synopsis of every command, checked by tests/test_readme.py.
NOT_RUN = {
    "time hrgraph add --dry-run …": "elided: timing the dry run of some contribution",
}


def test_every_command_not_run_is_listed() -> None:
    skipped = [s for s in ALL if kind(s) == "synopsis"]
    table = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    unlisted = [str(s) for s in skipped if s.text not in NOT_RUN
                and not (s.page == "README.md" and table[s.line - 1].startswith("| `hrgraph "))]
    assert unlisted == [], f"commands that neither run nor are listed in NOT_RUN: {unlisted}"
    assert set(NOT_RUN) <= {s.text for s in skipped}, "NOT_RUN lists what no page shows"


# --------------------------------------------------------------------------- running them


def _environment(root: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("HRGRAPH_")}  # no token, store or setting of the caller's
    # the copy's store (the docs' commands assume the default; the copy keeps it beside)
    return {**env, "HRGRAPH_STORE": str(root / "store"), "PYTHONUNBUFFERED": "1",
            "PYTHON": sys.executable}


def _shell(command: str) -> list[str]:
    # `hrgraph` is the real CLI of the Python running the tests, wherever its scripts are
    return ["bash", "-c", 'hrgraph() { "$PYTHON" -m hrgraph "$@"; }\nset -e\n' + command]


def _hrgraph(root: Path, *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "hrgraph", "-q", *args], cwd=root,
                          env=_environment(root), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"preparing {args}: {done.stdout}{done.stderr}"


def _prepare(root: Path, command: str) -> None:
    for word in inputs(command):
        made = FILES[word]
        if isinstance(made, tuple):
            _hrgraph(root, *made)
        else:
            shutil.copy(REPO / made, root / word)


def _newest(root: Path) -> str:
    found = list_contributions(Project.open(root, store=root / "store"))
    return found[-1].id if found else "no-contribution-yet"


@pytest.fixture
def copy(built_project: Project, tmp_path: Path) -> Path:
    """A private copy of the built test corpus (the store link copied as a link)."""
    root = tmp_path / "project"
    shutil.copytree(built_project.root, root, symlinks=True)
    return root


def _serve(root: Path, command: str) -> None:
    """Start the doc's ``serve`` on a free port, read one page, stop it."""
    port = free_port()
    command = re.sub(r"--port \d+", f"--port {port}", command)
    if "--port" not in command:
        command += f" --port {port}"
    process = subprocess.Popen(_shell(command), cwd=root, env=_environment(root),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, url)
        page = httpx.get(url + "/", timeout=30)
        assert page.status_code == 200 and "<html" in page.text.lower()
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # bash and the server it started
        try:
            _out, err = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            _out, err = process.communicate()
    assert "Traceback" not in err.decode(errors="replace"), err.decode(errors="replace")


@pytest.mark.parametrize("shown", RUN, ids=str)
def test_the_command_runs_as_shown(shown: Shown, copy: Path, tmp_path: Path) -> None:
    command = fill_in(runnable(shown))
    _prepare(copy, command)
    fields = {"root": str(copy), "newest": _newest(copy), "server": ""}
    if re.search(r"\bhrgraph serve\b", command):
        _serve(copy, command.format(**fields))
        return
    if "{server}" in command:
        with running_oxigraph(tmp_path / "oxigraph") as server:
            _check(shown, copy, command.format(**{**fields, "server": server}))
        return
    _check(shown, copy, command.format(**fields))


def _check(shown: Shown, root: Path, command: str) -> None:
    done = subprocess.run(_shell(command), cwd=root, env=_environment(root),
                          capture_output=True, text=True, timeout=600)
    said = f"{shown}: {command}\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    assert done.returncode == EXIT.get(runnable(shown), 0), said
    assert "Traceback" not in done.stdout + done.stderr, said
