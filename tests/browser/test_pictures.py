"""Pictures and time in Chromium: the map's year control by keyboard, the map as an image."""

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, axe_serious, screenshot

READY = ".folium-map[data-ready=true]"
AREAS = ".leaflet-areas-pane path.leaflet-interactive"


def _years(live_server) -> list[dict]:
    return requests.get(live_server.url + "/api/v1/timeline", timeout=10).json()


@pytest.mark.parametrize("width", [1280, 390])
def test_year_control_by_keyboard_restyles_in_place_and_keeps_the_year(page, live_server, width):
    years = _years(live_server)
    first, last = years[0]["year"], years[-1]["year"]
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(live_server.url + "/?year_to=1990&lang=en")  # before the data: clamps
    page.wait_for_selector(READY, timeout=15_000)
    control = page.get_by_label("Initiatives started")
    expect(control).to_be_visible()
    expect(page).to_have_url(re.compile(rf"year_to={first}\b"))
    expect(page.locator("#year-output")).to_have_text(f"up to {first}")
    page.evaluate("window.__samePage = true")

    control.focus()
    page.keyboard.press("End")
    expect(page.locator("#year-output")).to_have_text("every year")
    expect(page).not_to_have_url(re.compile("year_to="))
    expect(page.locator("#map-summary")).to_contain_text(re.compile(r"^[\d\s,\u00a0]+ initiatives"))

    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    year = last - 2
    expect(page).to_have_url(re.compile(rf"year_to={year}\b"))
    expect(page.locator("#year-output")).to_have_text(f"up to {year}")
    assert control.get_attribute("aria-valuetext") == f"up to {year}"
    total = sum(y["count"] for y in years if y["year"] <= year)
    expect(page.locator("#map-summary")).to_contain_text(f"{total:,} initiative")
    assert page.evaluate("window.__samePage") is True  # restyled, not reloaded
    assert page.locator(AREAS).count() == 290
    # the links that carry the filters carry the year
    assert f"year_to={year}" in page.get_attribute("#map-svg-link", "href")
    assert f"year_to={year}" in page.get_attribute(".follow-link", "href")
    screenshot(page, f"map-year-control-{width}")
    assert axe_serious(page) == []


def test_the_map_as_an_image_opens_in_chromium(page, live_server):
    page.set_viewport_size({"width": 900, "height": 1100})
    response = page.goto(live_server.url + "/map.svg?benefit=efficiency&lang=en")
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert page.locator("path").count() == 290
    expect(page.locator("text").first).to_have_text("AI initiatives per municipality")
    box = page.locator("svg").bounding_box()
    assert box["width"] > 700 and box["height"] > 900
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map-svg-chromium.png"))
