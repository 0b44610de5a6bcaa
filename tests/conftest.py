"""Shared fixtures: temporary copies of the project, a built project, a CLI runner.

``require(condition, reason)`` skips a test that needs something this machine lacks (a server
binary, a browser); under ``CI=true`` it fails instead, so CI never passes by skipping.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from hrgraph.project import Project

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import servers
from servers import VIRTUOSO_USER  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROJECT_DIRS = ("ontology", "shapes", "data", "queries")
#: The corpus the exact answers of the tests are pinned on (see hrgraph.corpus): the curated
#: data files. A contribution merged into data/ later is not in it, so it changes no answer.
CORPUS = Path(__file__).resolve().parent / "corpus.txt"

#: The JSON-LD context the test HTTP listener serves.
CONTEXT = {"@context": {"name": "http://example.org/name"}}


#: Fixtures that hand a test the real project (a copy of its corpus, or its build).
REAL_PROJECT_FIXTURES = {"project", "built_project", "built_copy"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "corpus: reads the real project's data (see test_grows)")
    config.addinivalue_line("markers", "grows: merges contributions and runs the corpus tests")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``corpus`` every test that reads the real project: through a fixture, or because
    its module works with the project's root (``REPO``)."""
    for item in items:
        module = getattr(item, "module", None)
        if (REAL_PROJECT_FIXTURES & set(getattr(item, "fixturenames", ()))
                or getattr(module, "REPO", None) == REPO):
            item.add_marker(pytest.mark.corpus)


def require(condition: object, reason: str) -> None:
    """Skip the calling test unless ``condition`` holds; fail instead when ``CI=true``."""
    if condition:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"required under CI: {reason}")
    pytest.skip(reason)


def repo_project(store: str | os.PathLike | None = None) -> Project:
    """The real project opened on the test corpus (its data files are the manifest's only)."""
    return Project.open(REPO, store=store or REPO / ".hrgraph" / "not-built-by-the-tests",
                        corpus=CORPUS)


def copy_project(source: Path, target: Path) -> Project:
    """Copy a project's ontology/, shapes/, data/ and queries/ to ``target`` and open it there.

    Of the real project, only the test corpus's RDF data files are copied (other files of data/,
    such as source texts and templates, are copied whole).
    """
    target.mkdir(parents=True, exist_ok=True)
    ignore = _outside_corpus(source) if source == REPO else None
    for name in PROJECT_DIRS:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name, ignore=ignore)
    for name in ("hrgraph.toml",):
        if (source / name).is_file():
            shutil.copy(source / name, target / name)
    return Project.open(target, store=target / "store")


def _outside_corpus(root: Path):
    """A ``copytree`` ignore function leaving out RDF data files that the corpus does not list."""
    from hrgraph.corpus import read_manifest
    from hrgraph.project import RDF_SUFFIXES

    corpus = read_manifest(CORPUS, root)
    data = root / "data"

    def left_out(path: Path) -> bool:
        if path.is_dir():  # a folder of left-out files only (data/contributions/) is left out
            return all(left_out(p) for p in path.iterdir())
        return path.suffix in RDF_SUFFIXES and path.relative_to(root).as_posix() not in corpus

    def ignore(folder: str, names: list[str]) -> set[str]:
        here = Path(folder)
        if not here.is_relative_to(data) or here.is_relative_to(data / "sources"):
            return set()
        return {name for name in names if left_out(here / name)}

    return ignore


def merged_by_the_test(project: Project) -> list[Path]:
    """The files in data/contributions/ that the test merged: those the corpus does not hold."""
    from hrgraph.corpus import read_manifest

    curated = read_manifest(CORPUS, REPO)
    folder = project.data_dir / "contributions"
    return sorted(p for p in folder.glob("*.ttl")
                  if p.relative_to(project.root).as_posix() not in curated)


def has_real_data() -> bool:
    """Whether the real project has data files yet (they arrive while the project grows)."""
    data = REPO / "data"
    return any(p.suffix == ".ttl" for p in data.rglob("*.ttl")) if data.is_dir() else False


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A private copy of the real project (ontology, shapes, data, queries), not yet built."""
    return copy_project(REPO, tmp_path / "project")


@pytest.fixture
def mini_project(tmp_path: Path) -> Project:
    """A private copy of the small test project in tests/fixtures/mini, not yet built."""
    return copy_project(FIXTURES / "mini", tmp_path / "mini")


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The real project, built once per test session. Do not change it: copy it instead."""
    from hrgraph.build import build

    project = copy_project(REPO, tmp_path_factory.mktemp("built") / "project")
    build(project)
    return project


@pytest.fixture
def built_copy(built_project: Project, tmp_path: Path) -> Project:
    """A private copy of the session's built project (files and store), free to change."""
    target = tmp_path / "project"
    # The store is a relative link to its generation folder: copy the link, not its target.
    shutil.copytree(built_project.root, target, symlinks=True)
    return Project.open(target, store=target / "store")


@pytest.fixture
def cli() -> CliRunner:
    """A click runner for ``hrgraph.cli.main`` (stderr kept apart from stdout)."""
    return CliRunner()


class _ContextServer(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        body = json.dumps(CONTEXT).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A tiny HTTP server on 127.0.0.1 serving a context; yields its URL and the requests seen."""
    requests: list[str] = []
    handler = type("Handler", (_ContextServer,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/context.jsonld", requests
    finally:
        server.shutdown()
        server.server_close()


class ConnectionCounter:
    """A TCP listener on 127.0.0.1 that counts the connections it gets (any protocol, any
    method), to prove that nothing was fetched."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.count = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.socket.accept()
            except OSError:  # includes the accept time-out, which lets close() stop the loop
                continue
            self.count += 1
            conn.close()

    def settled(self) -> int:
        """The count, after giving a late connection a moment to arrive."""
        time.sleep(0.2)
        return self.count

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.socket.close()


@pytest.fixture
def tcp() -> ConnectionCounter:
    """A :class:`ConnectionCounter`, closed after the test."""
    server = ConnectionCounter()
    yield server
    server.close()


@contextlib.contextmanager
def running_oxigraph(location: Path) -> Iterator[str]:
    """A real Oxigraph server (union default graph) on a free port of 127.0.0.1, storing in
    ``location``; yields its base URL and stops it afterwards."""
    with servers.running_oxigraph(location) as base:
        require(base, "the oxigraph server binary (pip install oxigraph)")
        yield base



def ensure_virtuoso() -> None:
    """Install Debian's Virtuoso through the project's own script when it is missing."""
    if not servers.VIRTUOSO.exists() and hasattr(os, "geteuid") and os.geteuid() == 0:
        subprocess.run([str(REPO / ".ci" / "install-virtuoso")], check=False)
    require(servers.VIRTUOSO.exists(),
            f"no Virtuoso at {servers.VIRTUOSO}: run .ci/install-virtuoso as root")


@contextlib.contextmanager
def running_virtuoso(location: Path) -> Iterator[str]:
    """A real Virtuoso Open Source 7 on free ports of 127.0.0.1, with a new database in
    ``location``; yields its base URL (user and password: ``VIRTUOSO_USER``) and stops it."""
    ensure_virtuoso()
    with servers.running_virtuoso(location) as base:
        yield base
