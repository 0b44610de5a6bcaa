"""Helpers shared by the web tests (test_web.py) and the browser tests (test_browser.py)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx2 as httpx

from conftest import REPO, copy_project
from hrgraph.project import Project
from hrgraph.web.serving import free_port, serving  # noqa: F401 - free_port for the tests

#: Labels that would run script if a page pasted them into HTML unescaped.
HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_ALT = "<img src=x onerror=alert(1)>"
HOSTILE_PERSON = "https://w3id.org/hrgraph/id/person/hostile-label-test"

HOSTILE_TTL = f"""
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix dcterms: <http://purl.org/dc/terms/> .

<{HOSTILE_PERSON}>
    a foaf:Person ;
    skos:prefLabel "{HOSTILE_NAME}"@en ;
    skos:prefLabel "Хостыл {HOSTILE_ALT}"@be ;
    skos:altLabel "\\"><svg onload=alert(1)>"@en ;
    skos:definition "A person whose names are markup: a test that pages escape them."@en ;
    foaf:homepage <javascript:alert(1)> ;
    dcterms:source <https://example.org/hostile> .
"""


def hostile_project(target: Path) -> Project:
    """A built copy of the real project with one person whose names are hostile markup."""
    from hrgraph.build import build

    project = copy_project(REPO, target)
    (project.data_dir / "actors" / "hostile-labels.ttl").write_text(HOSTILE_TTL,
                                                                    encoding="utf-8")
    build(project)
    return project


def wait_until_serving(process: subprocess.Popen, url: str, timeout: float = 30) -> None:
    """Wait until the ``hrgraph serve`` of ``process`` answers ``url``/sparql; raise if it
    stops first (with its stderr, when piped) or does not answer within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            said = process.stderr.read() if process.stderr else b""
            said = said.decode(errors="replace") if isinstance(said, bytes) else said
            raise RuntimeError("hrgraph serve stopped: " + said)
        try:
            if httpx.get(url + "/sparql", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"hrgraph serve did not answer within {timeout:g} s")
        time.sleep(0.1)


def running_server(project: Project, *extra: str):
    """``hrgraph serve`` for ``project`` as a subprocess on a free port
    (:func:`hrgraph.web.serving.serving`); yields its base URL and stops it afterwards."""
    return serving(project.root, project.store_path, *extra, timeout=30)
