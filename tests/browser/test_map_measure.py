"""Colouring the map by hours or kronor a year: restyled in place, the legend and the summary
saying whose estimates they are, and the areas' figures equal to the items' sums."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kommunkarta.models import Initiative, State
from tests.browser.conftest import screenshot

AREAS = ".leaflet-areas-pane path.leaflet-interactive"
READY = ".folium-map[data-ready=true]"


@pytest.fixture(scope="module", autouse=True)
def yearly_figures(live_app):
    """Every third published demo initiative states hours a year, every fifth kronor."""
    with Session(live_app.extensions["db_engine"]) as s, s.begin():
        ids = s.scalars(
            select(Initiative.id).where(Initiative.state == State.PUBLISHED).order_by(Initiative.id)
        ).all()
        for n, initiative_id in enumerate(ids):
            values = {}
            if n % 3 == 0:
                values["hours_per_year"] = 100 + 37 * n
            if n % 5 == 0:
                values["sek_per_year"] = 20_000 + 1_000 * n
            if values:
                s.execute(update(Initiative).where(Initiative.id == initiative_id).values(**values))


def test_colour_by_hours_restyles_in_place_and_sums_match_the_items(page, live_server):
    page.goto(live_server.url + "/?lang=en")
    page.wait_for_selector(READY, timeout=15_000)
    page.evaluate("window.__samePage = true")
    before = page.eval_on_selector_all(AREAS, "paths => paths.map(p => p.getAttribute('fill'))")
    page.get_by_label("Hours per year").check()
    page.wait_for_selector(".folium-map[data-restyled]")
    expect(page).to_have_url(re.compile(r"measure=hours"))
    assert page.evaluate("window.__samePage") is True
    assert "measure=hours" in page.locator("#map-svg-link").get_attribute("href")
    after = page.eval_on_selector_all(AREAS, "paths => paths.map(p => p.getAttribute('fill'))")
    assert after != before
    legend = page.locator(".map-legend").inner_text()
    assert "Hours a year (own estimates)" in legend
    assert re.search(r"\d+ of \d+ initiatives state one", legend)
    note = page.locator("#measure-note").inner_text()
    assert "own estimates" in note and "state one" in note
    # the table column follows the measure, and a municipality's figure is its items' sum
    assert page.locator("#map-counts-place + th").text_content() == "Hours a year (own estimates)"
    code = page.evaluate(
        """() => fetch('/api/v1/municipalities').then(r => r.json())
            .then(rows => rows.find(m => m.hours_per_year > 0).code)"""
    )
    cell = page.locator(f"#map-counts td[data-code='{code}']").text_content()
    shown = int(cell.replace(",", ""))  # English groups thousands with a comma
    items = page.evaluate(
        """(code) => fetch('/api/v1/initiatives?per_page=200&municipality=' + code)
            .then(r => r.json())
            .then(b => b.items.reduce((sum, i) => sum + (i.hours_per_year || 0), 0))""",
        code,
    )
    assert shown == items and shown > 0
    assert cell == f"{items:,}"
    screenshot(page, "map-measure-hours-en-1280")


def test_a_link_with_measure_opens_coloured_by_kronor_at_county_level(page, live_server):
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(live_server.url + "/?measure=sek&level=region&lang=sv")
    page.wait_for_selector(READY, timeout=15_000)
    assert page.locator(AREAS).count() == 21
    assert page.get_by_label("Kronor per år").is_checked()
    assert "kommunernas egna uppskattningar" in page.locator("#measure-note").inner_text()
    # Swedish groups thousands with a (no-break) space, in the legend and in the note
    page.locator(".map-legend summary").click()
    assert re.search(r"\d\u00a0\d{3}", page.locator(".map-legend").inner_text())
    assert re.search(r"\d\u00a0\d{3} kronor", page.locator("#measure-note").inner_text())
    screenshot(page, "map-measure-sek-sv-360")


def test_an_unknown_measure_is_a_400(page, live_server):
    response = page.goto(live_server.url + "/?measure=euros&lang=en")
    assert response.status == 400
    assert "measure" in page.content()
