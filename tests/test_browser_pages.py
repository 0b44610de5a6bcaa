# ruff: noqa: F811  (the fixtures of test_browser are imported, and named as arguments)
"""The counting, vocabulary and entity pages of issue 18 (items 1, 2 and 4) in headless Chromium,
with and without JavaScript: a dashboard bar leads to a list of exactly its count, a topic link
stays on the site and its page lists its demands, a demand page draws its status timeline, an
organisation's page shows its identifiers, and inferred statements stay folded away."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from test_browser import browser, page, site  # noqa: F401  (its fixtures: one server here)


@pytest.fixture
def no_script(browser) -> Iterator[object]:
    context = browser.new_context(java_script_enabled=False,
                                  viewport={"width": 1280, "height": 860})
    try:
        yield context.new_page()
    finally:
        context.close()


def _count(page) -> int:
    return int(page.locator("#count strong").inner_text())


@pytest.mark.parametrize("chart", [0, 1, 3])  # topic, status, year
def test_a_dashboard_bar_leads_to_a_list_of_exactly_its_count(site: str, page,
                                                              chart: int) -> None:
    page.goto(site + "/dashboard")
    bar = page.locator("section.chart").nth(chart).locator("a").first
    value = int(bar.locator("text.bar-value").text_content())
    bar.click()
    page.wait_for_url("**/demands?**")
    assert _count(page) == value
    assert page.locator(".demand-row").count() == value


def test_a_topic_link_stays_on_the_site_and_lists_its_demands(site: str, page) -> None:
    page.goto(site + "/id/demand/concerted-position-2016-c2-3-b5-1")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.get_by_role("link", name="death penalty").first.click()
    page.wait_for_url("**/vocab/topic/death-penalty**")
    assert all(url.startswith(site) for url in requests), requests
    demands = page.locator("ul.concept-demands li")
    assert demands.count() == 2
    assert page.get_by_role("link", name="civil and political rights").first.is_visible()


def test_a_scheme_and_the_ontology_read_without_javascript(site: str, no_script) -> None:
    no_script.goto(site + "/vocab/topic")
    assert no_script.locator("ul.concept-tree li").count() >= 20
    no_script.goto(site + "/ontology#startLatestDate")
    assert no_script.locator("#startLatestDate").is_visible()


def test_a_demand_page_draws_its_timeline(site: str, no_script) -> None:
    no_script.goto(site + "/id/demand/concerted-position-2016-c2-3-b6-1")
    timeline = no_script.locator("figure.timeline svg")
    assert timeline.is_visible()
    assert timeline.locator("rect.held").count() == 3
    box = timeline.bounding_box()
    assert box is not None and box["width"] <= 1280
    assert re.search(r"Latest status:\s*reversed", no_script.locator(".status-badge").inner_text())


def test_an_organisation_page_shows_identifiers_and_folds_inferred_statements(
        site: str, page) -> None:
    page.goto(site + "/id/organisation/viasna")
    identifiers = page.locator("aside.identifiers")
    assert identifiers.is_visible() and identifiers.get_by_text("VIAF").is_visible()
    folded = page.locator("details.inferred")
    if folded.count():
        assert not folded.locator("table").is_visible()
        folded.locator("summary").click()
        assert folded.locator("table").is_visible()
