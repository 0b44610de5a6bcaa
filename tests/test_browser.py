"""The pages in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

The server is ``hrgraph serve`` started as a subprocess on a free port of 127.0.0.1, over a built
copy of the project with one person whose names are hostile markup. Playwright's own browser
download is never used: when /usr/bin/chromium is missing, ``.ci/install-browser`` installs the
Debian package (as root); under CI=true a missing browser fails the tests (``require``).
Screenshots of the main pages are written to a temporary folder, never to docs/screenshots/: the
README's pictures are refreshed by ``python -m hrgraph.web.screenshots``, which no test runs.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import REPO, require
from hrgraph.project import Project
from web_support import HOSTILE_NAME, HOSTILE_PERSON, hostile_project, running_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
#: Where screenshots go: a temporary folder, never a tracked file.
SCREENSHOTS = Path(tempfile.gettempdir()) / "hrgraph-screenshots"
DEMAND = "/id/demand/concerted-position-2016-c2-3-b1-1"


def ensure_chromium() -> None:
    """Install Debian's chromium through the project's own script when it is missing."""
    if not CHROMIUM.exists() and hasattr(os, "geteuid") and os.geteuid() == 0:
        subprocess.run([str(REPO / ".ci" / "install-browser")], check=False)
    require(CHROMIUM.exists(), f"no browser at {CHROMIUM}: run .ci/install-browser as root")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ensure_chromium()
    project: Project = hostile_project(tmp_path_factory.mktemp("browser") / "project")
    with running_server(project) as url:
        yield url


@pytest.fixture(scope="module")
def browser(site: str) -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        require(False, "playwright is not installed: pip install -e '.[test]'")
        return
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A fresh page; any JavaScript dialog (alert, confirm, prompt) fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert dialogs == [], f"a page opened a dialog: {dialogs}"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_searching_vyasna_in_cyrillic_finds_viasna(site: str, page) -> None:
    page.goto(site + "/")
    page.get_by_label("Search names (any script)").fill("Вясна")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    result = page.get_by_role("link", name="Human Rights Center “Viasna”")
    assert result.is_visible()
    assert page.locator('span[lang="be"]', has_text="Праваабарончы цэнтр «Вясна»").count() == 1
    screenshot(page, "search")
    result.click()
    page.wait_for_url("**/id/organisation/viasna.html")
    assert page.locator('td[lang="ru"]', has_text="Правозащитный центр «Весна»").is_visible()


def test_demand_page_highlights_the_quote_in_its_context(site: str, page) -> None:
    page.goto(site + DEMAND)  # the browser's Accept gets a 303 to the .html page
    assert page.url.endswith(DEMAND + ".html")
    assert page.locator("blockquote.excerpt mark.target").inner_text() == "Aliaksandr Alesin"
    quote = " ".join(page.locator("blockquote.excerpt mark").all_inner_texts())
    assert "Close the politically motivated criminal cases" in quote
    assert "review IN A PUBLIC TRIAL" in page.locator("blockquote.excerpt").inner_text()
    assert page.get_by_role("heading", name="Status history").is_visible()
    screenshot(page, "demand")


def test_filters_narrow_the_demands_list(site: str, page) -> None:
    page.goto(site + "/demands")
    rows = page.locator("tr.demand-row")
    before = rows.count()
    options = page.locator("#filter-topic option").all()
    value = next(o.get_attribute("value") for o in options[1:]
                 if int(o.inner_text().rsplit("(", 1)[1].rstrip(")")) < before)
    page.select_option("#filter-topic", value)
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/demands?topic=*")
    after = rows.count()
    assert 0 < after < before
    assert page.locator("#count strong").inner_text() == str(after)
    screenshot(page, "demands")


def test_sparql_page_runs_a_query_and_shows_rows(site: str, page) -> None:
    page.goto(site + "/query")
    page.wait_for_selector(".yasqe-holder[data-ready]")
    assert page.locator(".yasqe .CodeMirror .cm-keyword").count() > 0  # highlighted by Yasqe
    page.evaluate("""document.querySelector('.yasqe .CodeMirror').CodeMirror.setValue(
        'PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\\n' +
        'SELECT ?name WHERE {\\n  <https://w3id.org/hrgraph/id/organisation/viasna> ' +
        'skos:prefLabel ?name\\n}')""")
    page.get_by_role("button", name="Run query").click()
    page.wait_for_selector("#result[data-shown=yasr]")
    assert page.get_by_role("heading", name="Result: 3 rows").is_visible()
    assert page.locator(".yasr table tbody tr").count() == 3
    assert page.get_by_text("Праваабарончы цэнтр «Вясна»").is_visible()
    assert "/query?query=" in page.url  # the address runs the same query again
    screenshot(page, "query")


#: A saved query with many columns (nine) and long IRIs and texts in them.
WIDE = "/query?saved=status-as-of"


def _fits(page) -> dict:
    """How wide the page and the results are, against the viewport."""
    return page.evaluate("""() => {
        const results = document.querySelector('#result');
        return {viewport: window.innerWidth,
                page: document.documentElement.scrollWidth,
                results: results.getBoundingClientRect().right};
    }""")


def test_query_page_loads_yasgui_with_no_request_leaving_the_machine(
        site: str, page, tmp_path: Path) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(site + "/query")
    page.wait_for_selector(".yasqe-holder[data-ready]")
    # the completers: a project prefix is declared as it is typed; a class comes from the
    # project's ontology (YASGUI's own would ask prefix.cc and lov.linkeddata.es)
    page.evaluate("""() => { const cm = document.querySelector('.yasqe .CodeMirror').CodeMirror;
        cm.setValue('SELECT * WHERE { ?s a '); cm.focus(); cm.setCursor(cm.lineCount(), 0); }""")
    page.keyboard.type("hrg:")
    page.wait_for_function("document.querySelector('.yasqe .CodeMirror').CodeMirror"
                           ".getValue().startsWith('PREFIX hrg: <https://w3id.org/hrgraph/')")
    page.keyboard.type("Dem")
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints li")
    assert "hrg:Demand" in page.locator(".CodeMirror-hints li").all_inner_texts()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Run signatories").click()
    page.wait_for_selector("#result[data-shown=yasr]")
    page.screenshot(path=str(tmp_path / "query-local.png"))
    assert requests and all(url.startswith(site + "/") for url in requests), \
        [url for url in requests if not url.startswith(site + "/")]
    assert any("/api/queries/signatories" in url for url in requests)
    # nothing in the page points at the YASGUI manual or downloads a browser-made CSV
    assert page.locator(".yasr_external_ref_btn, .yasr_downloadIcon").count() == 0


def test_saved_query_runs_with_its_form_and_shows_rows(site: str, page, tmp_path: Path) -> None:
    page.goto(site + WIDE)
    page.wait_for_selector(".yasqe-holder[data-ready]")
    page.get_by_label("date").fill("2020-01-01")
    page.get_by_role("button", name="Run status-as-of").click()
    page.wait_for_selector("#result[data-shown=yasr]")
    expected = page.evaluate("""fetch('/api/queries/status-as-of?date=2020-01-01')
        .then(r => r.json()).then(j => j.results.bindings.length)""")
    assert expected > 0
    assert page.get_by_role("heading", name=f"Result: {expected} rows").is_visible()
    assert page.locator(".yasr table tbody tr").count() == min(expected, 100)
    assert page.locator("#saved").input_value() == "status-as-of"  # still the chosen query
    assert "saved=status-as-of" in page.url and "date=2020-01-01" in page.url
    # the form sent its shown default: the rows are those of the API given the date alone
    csv_link = page.locator("#downloads a", has_text="CSV").get_attribute("href")
    assert csv_link.startswith("/api/queries/status-as-of.csv?date=2020-01-01&document=")
    # a column sorts in the browser
    cell = page.locator(".yasr table tbody tr:first-child td:nth-child(2)")
    header = page.locator(".yasr table thead th", has_text="demand").first
    for order in ("ascending", "descending"):
        header.click()
        page.wait_for_function("order => document.querySelector('.yasr table thead "
                               "th:nth-child(2)').getAttribute('aria-sort') === order", arg=order)
        if order == "ascending":
            first = cell.inner_text()
    assert cell.inner_text() != first
    page.screenshot(path=str(tmp_path / "query-saved.png"), full_page=True)


def test_query_results_fit_the_viewport_width(site: str, browser, tmp_path: Path) -> None:
    for javascript in (True, False):
        context = browser.new_context(viewport={"width": 1024, "height": 800},
                                      java_script_enabled=javascript)
        page = context.new_page()
        page.goto(site + WIDE + "&run=1&date=2020-01-01")
        if javascript:
            page.wait_for_selector("#result[data-shown=yasr]")
            assert page.locator(".yasr table tbody tr").count() > 0
        else:
            assert page.locator("table.results-table tbody tr").count() > 0
        sizes = _fits(page)
        page.screenshot(path=str(tmp_path / f"query-wide-{javascript}.png"), full_page=True)
        context.close()
        assert sizes["page"] <= sizes["viewport"], sizes
        assert sizes["results"] <= sizes["viewport"], sizes


def test_query_page_without_javascript_runs_a_saved_query(site: str, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site + "/query?saved=signatories")
        page.get_by_role("button", name="Run signatories").click()
        page.wait_for_url("**/query?saved=signatories&run=1*")
        assert page.locator("table.results-table tbody tr").count() > 0
        assert page.locator("#saved").input_value() == "signatories"
        assert page.locator("#param-document").input_value().endswith(
            "/id/document/concerted-position-2016")  # the default, shown and applied
        page.locator("table.results-table thead a", has_text="name").click()
        page.wait_for_url("**sort=name*")
        names = page.locator("table.results-table tbody tr td:nth-child(3)").all_inner_texts()
        assert names == sorted(names, key=str.casefold)
    finally:
        context.close()


def test_browsing_lists_sort_and_page_without_javascript(site: str, browser) -> None:
    """Issue 18 item 3: a list sorts by its headings and pages by its links, no script."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site + "/organisations?per_page=5")
        rows = page.locator("table.browse tbody tr")
        assert rows.count() == 5
        assert page.locator("#count").inner_text().startswith("1–5 of ")
        assert rows.first.locator("th").inner_text() == "Belarusian authorities"
        page.locator("table.browse thead a", has_text="Name").click()
        page.wait_for_url("**/organisations?sort=label&per_page=5")
        first = page.locator("table.browse tbody th").all_inner_texts()
        assert first == sorted(first, key=str.casefold) and len(first) == 5
        page.get_by_role("link", name="Next page").click()
        page.wait_for_url("**page=2*")
        second = page.locator("table.browse tbody th").all_inner_texts()
        assert len(second) == 5 and first[-1].casefold() <= second[0].casefold()
        assert page.locator("#count").inner_text().startswith("6–10 of ")
        page.goto(site + "/people?per_page=0")
        assert "per_page must be a whole number from 1 to 200" in page.content()
    finally:
        context.close()


def test_a_filtered_list_downloads_its_csv_and_xlsx_without_javascript(site: str,
                                                                       browser) -> None:
    """Issue 18 item 6: the download links of a list, clicked with no script, save the rows
    the page shows; the page cites the data."""
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(site + "/demands?topic=https://w3id.org/hrgraph/vocab/topic/death-penalty")
        shown = page.locator("tr.demand-row").count()
        assert shown > 0
        for label, suffix in (("CSV", "csv"), ("XLSX", "xlsx")):
            with page.expect_download() as info:
                page.locator("p.downloads a", has_text=label).click()
            download = info.value
            assert download.suggested_filename == f"hrgraph-demands-topic-death-penalty.{suffix}"
            data = Path(download.path()).read_bytes()
            if suffix == "csv":
                assert len(data.decode("utf-8").strip().splitlines()) == shown + 1
            else:
                assert data[:2] == b"PK"  # a zip: the workbook
        cite = page.locator("aside.cite")
        assert cite.get_by_role("heading", name="Cite this").is_visible()
        assert "build " in cite.locator(".cite-version").inner_text()
    finally:
        context.close()


def test_document_page_shows_its_parts_in_text_order(site: str, page) -> None:
    page.goto(site + "/id/document/concerted-position-2016")
    parts = page.locator("ul.document-parts li")
    assert parts.count() == 41  # 3 positions, 10 calls and bullets, 28 demands
    assert page.locator("ul.document-parts .notation").all_inner_texts() == [
        "1.", "2.", *[f"({i})" for i in range(1, 8)], "3."]
    alesin = page.locator('li.part-demand:has(> a[href$="-c2-3-b1-1"]) > .part-status')
    assert alesin.inner_text() == "— partly met"
    assert page.get_by_role("heading", name="Its text, part by part (26 demands)").is_visible()


#: What the drawing shows, read from Cytoscape in the page: each node's position, drawn label,
#: rendered font size, and the pairs of nodes whose boxes (node and label) overlap.
DRAWN = """(cy) => {
  const boxes = cy.nodes().map(n => [n.id(), n.boundingBox({includeLabels: true})]);
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i][1], b = boxes[j][1];
    if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2)
      overlaps.push([boxes[i][0], boxes[j][0]]);
  }
  return {positions: Object.fromEntries(cy.nodes().map(n => [n.id(), [n.position('x'),
                                                                      n.position('y')]])),
          labels: Object.fromEntries(cy.nodes().map(n => [n.id(), n.style('label')])),
          font: Math.min(...cy.nodes().map(n => parseFloat(n.style('font-size')))) * cy.zoom(),
          kinds: Object.fromEntries(cy.nodes().map(n => [n.id(), n.data('kind')])),
          overlaps: overlaps};
}"""


def drawn(page, where: str = "window.hrgraphNetwork") -> dict:
    return page.evaluate(f"({DRAWN})({where})")


def test_network_view_renders_nodes(site: str, page) -> None:
    page.goto(site + "/network")
    page.wait_for_selector("#network[data-nodes]")
    nodes = int(page.get_attribute("#network", "data-nodes"))
    assert nodes > 50
    assert page.locator("#network canvas").count() > 0
    screenshot(page, "network")


def test_network_layout_is_the_server_s_and_the_same_on_two_loads(site: str, page) -> None:
    model = httpx.get(site + "/network.json").json()
    page.goto(site + "/network")
    page.wait_for_selector("#network[data-nodes]")
    first = drawn(page)
    page.reload()
    page.wait_for_selector("#network[data-nodes]")
    second = drawn(page)
    assert first["positions"] == second["positions"]
    assert first["positions"] == {n["id"]: [n["x"], n["y"]] for n in model["nodes"]}


def test_network_labels_read_at_the_default_zoom_and_do_not_overlap(site: str, page) -> None:
    page.goto(site + "/network")
    page.wait_for_selector("#network[data-nodes]")
    seen = drawn(page)
    assert seen["font"] >= 12  # px on the screen
    assert seen["overlaps"] == []
    demands = [i for i, kind in seen["kinds"].items() if kind == "demand"]
    assert len(demands) > 50 and all(seen["labels"][i].strip() for i in demands)
    # The whole drawing is in the box: nothing to pan to at the default zoom.
    inside = page.evaluate("""() => { const cy = window.hrgraphNetwork;
        const b = cy.elements().renderedBoundingBox({includeLabels: true});
        return b.x1 >= 0 && b.y1 >= 0 && b.x2 <= cy.width() && b.y2 <= cy.height(); }""")
    assert inside


def test_network_find_focuses_a_node_in_place(site: str, page) -> None:
    page.goto(site + "/network")
    page.wait_for_selector("#network[data-nodes]")
    page.get_by_label("Find a node").fill("Alesin")
    page.get_by_role("button", name="Find").click()
    page.wait_for_selector("#network[data-found='3']")
    assert "focus=Alesin" in page.url
    alesin = "https://w3id.org/hrgraph/id/person/aliaksandr-alesin"
    classes = page.evaluate("""(id) => { const cy = window.hrgraphNetwork;
        return {focused: cy.getElementById(id).hasClass('focused'),
                faded: cy.nodes('.faded').length, all: cy.nodes().length}; }""", alesin)
    assert classes["focused"] and 0 < classes["faded"] < classes["all"]
    screenshot(page, "network-focus")


def test_network_filters_by_document_and_kind(site: str, page) -> None:
    page.goto(site + "/network")
    page.wait_for_selector("#network[data-nodes]")
    everything = int(page.get_attribute("#network", "data-nodes"))
    page.select_option("#network-document",
                       "https://w3id.org/hrgraph/id/document/open-letter-2015-12-09")
    page.get_by_label("groups (").uncheck()
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/network?*document=*")
    page.wait_for_selector("#network[data-nodes]")
    seen = drawn(page)
    assert 0 < len(seen["kinds"]) < everything
    assert "group" not in seen["kinds"].values() and "demand" in seen["kinds"].values()
    assert seen["overlaps"] == []


def test_network_page_reads_without_javascript(site: str, browser) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280,
                                                                       "height": 860})
    page = context.new_page()
    try:
        page.goto(site + "/network?focus=Viasna")
        assert page.locator("table.network-links").is_visible()
        # No empty drawing area and no zoom buttons that could do nothing.
        assert not page.locator("#network").is_visible()
        assert not page.get_by_role("button", name="Zoom in").is_visible()
        assert page.locator("table.network-links tbody tr").count() > 100
        assert page.locator("#found").get_by_role("link", name="Human Rights Center “Viasna”")\
            .first.is_visible()
        page.get_by_label("Find a node").fill("Rabkova")
        page.get_by_role("button", name="Find").click()
        page.wait_for_url("**focus=Rabkova*")
        assert page.get_by_role("heading", name="Found 2 nodes named like “Rabkova”")\
            .is_visible()
    finally:
        context.close()


def test_entity_page_draws_the_network_of_its_neighbours(site: str, page) -> None:
    page.goto(site + "/id/organisation/viasna")
    box = ".neighbours .network[data-nodes]"
    page.wait_for_selector(box)
    assert int(page.get_attribute(box, "data-nodes")) >= 3
    seen = drawn(page, "document.querySelector('.neighbours .network').hrgraphNetwork")
    assert "https://w3id.org/hrgraph/id/organisation/viasna" in seen["kinds"]
    assert seen["overlaps"] == [] and seen["font"] >= 12
    page.locator(".neighbours").scroll_into_view_if_needed()
    screenshot(page, "entity-network")


def test_network_and_other_screenshots_never_go_into_the_repository() -> None:
    assert not SCREENSHOTS.resolve().is_relative_to(REPO.resolve())


def test_dashboard_draws_bars(site: str, page) -> None:
    page.goto(site + "/dashboard")
    assert page.locator("svg rect.bar").count() > 10
    screenshot(page, "dashboard")


def test_uploading_an_invalid_file_shows_the_report(site: str, page) -> None:
    page.goto(site + "/validate")
    invalid = (b"@prefix hrg: <https://w3id.org/hrgraph/ontology#> .\n"
               b"<https://w3id.org/hrgraph/id/demand/browser-test> a hrg:Demand .\n")
    page.get_by_label("RDF file").set_input_files(
        {"name": "my-demand.ttl", "mimeType": "text/turtle", "buffer": invalid})
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("section.report")
    report = page.locator("section.report").inner_text()
    assert "it needs changes" in report
    assert "which document it was made in" in report
    screenshot(page, "validate")


def test_hostile_labels_fire_no_dialog(site: str, page) -> None:
    path = "/id/" + HOSTILE_PERSON.removeprefix("https://w3id.org/hrgraph/id/")
    page.goto(site + path)
    assert page.locator("h1").inner_text() == HOSTILE_NAME  # shown as text
    page.goto(site + "/search?q=script")
    page.goto(site + "/search?q=%D0%A5%D0%BE%D1%81%D1%82%D1%8B%D0%BB")
    page.goto(site + "/network")
    page.wait_for_selector("#network[data-nodes]")
    page.goto(site + "/query?query=" + "SELECT%20*%20WHERE%20%7B%20%3C" + HOSTILE_PERSON
              + "%3E%20%3Fp%20%3Fo%20%7D")
    assert page.get_by_text(HOSTILE_NAME).count() >= 1
    # the page fixture asserts that no dialog opened


def test_keyboard_reaches_the_skip_link_first(site: str, page) -> None:
    page.goto(site + "/demands")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
