"""Refresh the README's pictures of the web pages: ``python -m hrgraph.web.screenshots``.

Serves a built project with ``hrgraph serve`` on a free port of 127.0.0.1, opens the main pages
in Debian's headless Chromium (``/usr/bin/chromium``, driven by Playwright — the test extra: ``pip
install -e '.[test]'``) and saves one PNG per page into a folder (``docs/screenshots/`` unless
``--out`` says otherwise). The tests never write there: they save their screenshots into a
temporary folder; this command is the only thing that changes the tracked pictures, and only when
someone runs it (docs/design.md, "Screenshots")::

    hrgraph --store /tmp/shots-store build
    python -m hrgraph.web.screenshots --store /tmp/shots-store --out docs/screenshots
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from hrgraph.web.serving import serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
#: The window the pictures are taken in.
VIEWPORT = {"width": 1280, "height": 860}

VIASNA = "https://w3id.org/hrgraph/id/organisation/viasna"
INVALID_UPLOAD = (b"@prefix hrg: <https://w3id.org/hrgraph/ontology#> .\n"
                  b"<https://w3id.org/hrgraph/id/demand/screenshot-example> a hrg:Demand .\n")


def _validate(page: Any, url: str) -> None:
    page.goto(url + "/validate")
    page.get_by_label("RDF file").set_input_files(
        {"name": "my-demand.ttl", "mimeType": "text/turtle", "buffer": INVALID_UPLOAD})
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("section.report")


def _network(page: Any, url: str) -> None:
    page.goto(url + "/network")
    page.wait_for_selector("#network[data-nodes]")
    page.evaluate("document.getElementById('network').scrollIntoView()")  # the graph, not the form


def _visit(path: str) -> Callable[[Any, str], None]:
    def visit(page: Any, url: str) -> None:
        page.goto(url + path)
    return visit


#: Each picture: its file name (without ``.png``) and how to get the page into view.
PAGES: list[tuple[str, Callable[[Any, str], None]]] = [
    ("search", _visit("/search?q=" + quote("Вясна"))),
    ("demand", _visit("/id/demand/concerted-position-2016-c2-3-b1-1.html")),
    ("demands", _visit("/demands?topic="
                       + quote("https://w3id.org/hrgraph/vocab/topic/political-prisoners"))),
    ("query", _visit("/query?query=" + quote(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        f"SELECT ?name WHERE {{\n  <{VIASNA}> skos:prefLabel ?name\n}}"))),
    ("network", _network),
    ("dashboard", _visit("/dashboard")),
    ("validate", _validate),
]


def take(url: str, out: Path, names: list[str] | None = None) -> list[Path]:
    """Save the pictures of :data:`PAGES` (or of those ``names``) of the site at ``url`` into
    ``out``; return the files written."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise SystemExit("playwright is not installed: pip install -e '.[test]'") from None
    if not CHROMIUM.exists():
        raise SystemExit(f"no browser at {CHROMIUM}: run .ci/install-browser as root")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for name, show in PAGES:
                if names and name not in names:
                    continue
                context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
                page = context.new_page()
                page.set_default_timeout(15_000)
                show(page, url)
                path = out / f"{name}.png"
                page.screenshot(path=str(path))
                written.append(path)
                context.close()
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    """The command line: serve the project, take the pictures, say where they went."""
    parser = argparse.ArgumentParser(prog="python -m hrgraph.web.screenshots",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=Path(os.getcwd()),
                        help="the project folder (default: the current folder)")
    parser.add_argument("--store", type=Path, help="a built store (default: the project's)")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"),
                        help="where the PNG files go (default: docs/screenshots)")
    parser.add_argument("--url", help="take them from this running site instead of serving")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="only these pictures (default: all): "
                        + ", ".join(n for n, _ in PAGES))
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - {n for n, _ in PAGES})
    if unknown:
        parser.error("no such picture: " + ", ".join(unknown))
    if args.url:
        written = take(args.url.rstrip("/"), args.out, args.names)
    else:
        try:
            with serving(args.project, args.store) as url:
                written = take(url, args.out, args.names)
        except RuntimeError as exc:
            raise SystemExit(str(exc)) from None
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
