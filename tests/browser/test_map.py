"""The map in Chromium: it draws, restyles in place, lists an area's initiatives, switches
level, and passes axe-core — with every request outside localhost blocked."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_serious, screenshot

AREAS = ".leaflet-areas-pane path.leaflet-interactive"
READY = ".folium-map[data-ready=true]"


def _open(page, url):
    page.goto(url)
    page.wait_for_selector(READY, timeout=15_000)


def test_map_draws_all_290_municipalities(page, live_server):
    page.goto(live_server.url + "/?lang=en")
    page.wait_for_selector(READY, timeout=15_000)
    drawn_ms = page.evaluate("performance.now()")
    print(f"\nnavigation to drawn map: {drawn_ms:.0f} ms")
    assert page.locator(AREAS).count() == 290
    assert page.locator(".map-legend").is_visible()
    assert page.locator("#map-counts tbody tr").count() == 290  # the table alternative
    page.wait_for_selector(".folium-map[data-points]")
    assert int(page.get_attribute(".folium-map", "data-points")) > 50
    screenshot(page, "map-en-1280")


def test_benefit_filter_restyles_in_place_and_updates_the_url(page, live_server):
    _open(page, live_server.url + "/?lang=en")
    page.evaluate("window.__samePage = true")
    before_summary = page.locator("#map-summary").inner_text()
    before = page.eval_on_selector_all(AREAS, "paths => paths.map(p => p.getAttribute('fill'))")
    page.get_by_label("Efficiency").check()
    page.wait_for_selector(".folium-map[data-restyled]")
    expect(page).to_have_url(re.compile(r"benefit=efficiency"))
    assert page.evaluate("window.__samePage") is True  # no navigation happened
    expect(page.locator("#map-summary")).not_to_have_text(before_summary)
    after = page.eval_on_selector_all(AREAS, "paths => paths.map(p => p.getAttribute('fill'))")
    assert after != before
    assert page.locator(AREAS).count() == 290
    assert "for Efficiency" in page.locator("#map-summary").inner_text()
    table_link = page.get_attribute("#table-link", "href")
    assert "benefit=efficiency" in table_link
    csv_link = page.get_attribute(".downloads a[href*='export.csv']", "href")
    assert csv_link == "/export.csv?benefit=efficiency"


def test_a_bad_filter_shows_a_message_not_a_broken_map(page, live_server):
    _open(page, live_server.url + "/?lang=en")
    page.click(".more-filters summary")
    page.fill("#filter-year-from", "2030")
    page.fill("#filter-year-to", "2020")
    page.locator("#filter-year-to").dispatch_event("change")
    page.wait_for_selector("#filter-error:not([hidden])")
    message = "From year: the first year must not be after the last year"
    assert page.locator("#filter-error").inner_text() == message  # by the field's label
    # and beside the field, tied to it, as the page without script has it
    expect(page.locator("#problem-year_from")).to_have_text(message)
    assert page.locator("#filter-year-from").get_attribute("aria-invalid") == "true"
    assert (
        page.locator("#filter-year-from").get_attribute("aria-describedby") == "problem-year_from"
    )
    assert page.locator(AREAS).count() == 290
    page.fill("#filter-year-from", "2019")  # corrected: the messages go
    page.locator("#filter-year-from").dispatch_event("change")
    expect(page.locator("#problem-year_from")).to_have_count(0)
    expect(page.locator("#filter-error")).to_be_hidden()
    assert page.locator("#filter-year-from").get_attribute("aria-invalid") is None


@pytest.mark.parametrize("width", [360, 1280])
def test_a_bad_filter_in_the_address_is_told_beside_its_field(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 800})
    response = page.goto(live_server.url + "/?lang=en&year_from=x&benefit=efficiency")
    assert response.status == 400
    page.wait_for_selector(READY, timeout=15_000)  # the map of the other filters, no error
    assert page.locator("#filter-error").is_hidden()
    message = page.locator("#problem-year_from")
    expect(message).to_be_visible()  # on a phone too: the filters stay open
    expect(message).to_have_text("From year: a year has four digits, such as 2024")
    field = page.locator("#filter-year-from")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.get_attribute("aria-describedby") == "problem-year_from"
    assert page.get_by_label("Efficiency").is_checked()
    assert "for Efficiency" in page.locator("#map-summary").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_serious(page) == []
    page.locator(".form-problems a").first.click()  # the list at the top leads to the field
    expect(page).to_have_url(re.compile(r"#filter-year-from$"))
    screenshot(page, f"map-filter-problem-en-{width}")


def test_without_script_a_bad_filter_is_corrected_in_the_form(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    page = context.new_page()
    response = page.goto(live_server.url + "/?lang=sv&year_to=20x")
    assert response.status == 400
    expect(page.locator("#problem-year_to")).to_have_text(
        "Till år: ett år har fyra siffror, till exempel 2024"
    )
    page.fill("#filter-year-to", "2024")
    page.get_by_role("button", name="Visa", exact=True).click()
    page.wait_for_url(re.compile(r"year_to=2024"))
    assert page.locator(".field-error").count() == 0
    context.close()


def test_county_level_draws_21_counties(page, live_server):
    _open(page, live_server.url + "/?level=region&lang=en")
    assert page.locator(AREAS).count() == 21
    _open(page, live_server.url + "/?lang=en")
    page.evaluate("window.__samePage = true")
    page.get_by_role("radio", name="County").check()
    expect(page.locator(AREAS)).to_have_count(21, timeout=10_000)
    expect(page).to_have_url(re.compile(r"level=region"))
    assert page.evaluate("window.__samePage") is True
    assert page.locator("#map-counts tbody tr").count() == 21


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_map_page_accessibility_and_phone_layout(page, live_server, lang):
    _open(page, live_server.url + f"/?lang={lang}")
    assert axe_serious(page) == []
    page.set_viewport_size({"width": 360, "height": 780})
    page.wait_for_timeout(300)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone: {width}px"
    screenshot(page, f"map-{lang}-360")


def test_county_page_has_a_small_map_of_its_municipalities(page, live_server):
    page.goto(live_server.url + "/regions/14?lang=en")
    page.wait_for_selector("#map_region_map[data-ready=true]", timeout=15_000)
    assert page.get_attribute("#map_region_map", "data-features") == "49"
    assert page.locator("#map_region_map path.leaflet-interactive").count() == 49


# A tab opened in the background: hidden, and the browser runs no animation frames in it.
HIDDEN_TAB = """
Object.defineProperty(document, "hidden", { get: () => true });
Object.defineProperty(document, "visibilityState", { get: () => "hidden" });
window.requestAnimationFrame = () => 0;
"""


def test_a_map_opened_in_a_background_tab_gets_its_table_and_points(page, live_server):
    page.add_init_script(HIDDEN_TAB)
    _open(page, live_server.url + "/?lang=en")
    assert page.locator(AREAS).count() == 290
    assert page.locator("#map-counts tbody tr").count() == 290
    page.wait_for_selector(".folium-map[data-points]", timeout=15_000)
    assert page.locator(".leaflet-control-layers input").count() == 1


def test_when_the_areas_cannot_be_drawn_the_points_still_come(page, live_server):
    page.route(
        "**/map/boundaries/municipalities",
        lambda route: route.fulfill(status=503, json={"error": "unavailable"}),
    )
    page.goto(live_server.url + "/?lang=en")
    expect(page.locator("#filter-error")).to_have_text(
        "Could not load the data. Please try again.", timeout=15_000
    )
    expect(page.locator(".leaflet-control-layers input")).to_have_count(1)
    page.wait_for_selector(".folium-map[data-points]", timeout=15_000)
    assert page.locator(AREAS).count() == 0
    assert page.get_attribute(".folium-map", "data-ready") is None


def test_nothing_waits_for_the_first_paint_once_it_has_come(page, live_server):
    """afterPaint (common.js) waits for a frame or for the tab to be shown, whichever comes
    first, and leaves no listener behind for the other."""
    _open(page, live_server.url + "/?lang=en")
    cdp = page.context.new_cdp_session(page)
    document = cdp.send("Runtime.evaluate", {"expression": "document"})["result"]["objectId"]
    listeners = cdp.send("DOMDebugger.getEventListeners", {"objectId": document})["listeners"]
    assert [each["type"] for each in listeners if each["type"] == "visibilitychange"] == []


def test_on_a_phone_the_filters_are_folded_before_they_are_read(page, live_server):
    """The page's first layout on a phone leaves the folded filters out: they are folded
    before the parser reaches them, not once the map's script runs."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.add_init_script(
        """new MutationObserver((changes) => changes.forEach((change) => change.addedNodes
          .forEach((node) => { if (node.id === "map-filters") window.__foldedWhenRead =
            node.parentNode.classList.contains("filters-folded"); })))
          .observe(document, { childList: true, subtree: true });"""
    )
    _open(page, live_server.url + "/?lang=en")
    assert page.evaluate("window.__foldedWhenRead") is True
    expect(page.locator("#map-filters")).to_be_hidden()
    page.locator("#filters-toggle").click()
    expect(page.locator("#map-filters")).to_be_visible()
