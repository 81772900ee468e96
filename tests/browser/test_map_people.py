"""The map as people meet it (issue 13): phone first, fitted on the desktop, a handful of tab
stops, find a place by keyboard, and the same without script — at 390×844 and 1280×800, in
Swedish and English, with axe-core on every view."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_serious, screenshot

READY = ".folium-map[data-ready=true]"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
INITIATIVES = {"sv": "initiativ", "en": "initiatives?"}


def _open(page, url, size):
    page.set_viewport_size(size)
    page.goto(url)
    page.wait_for_selector(READY, timeout=15_000)


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_on_a_phone_the_map_comes_first_and_the_filters_fold_away(page, live_server, lang):
    _open(page, live_server.url + f"/?lang={lang}", PHONE)
    frame = _box(page, ".map-frame")
    assert frame["y"] < 300, frame  # under the header, title, search and filter button
    visible = min(frame["y"] + frame["height"], PHONE["height"]) - frame["y"]
    assert visible / PHONE["height"] > 0.6  # most of the first screen
    toggle = page.locator("#filters-toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#map-filters")).to_be_hidden()
    # the legend starts folded and covers little of the map
    legend = _box(page, ".map-legend")
    assert legend["width"] * legend["height"] < 0.05 * frame["width"] * frame["height"]
    screenshot(page, f"map-phone-{lang}")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#map-filters")).to_be_visible()
    page.locator("#map-filters button[type=submit]").click()
    expect(page.locator("#map-filters")).to_be_hidden()  # showing folds them away again
    page.wait_for_selector(".folium-map[data-restyled]")
    # one tap on an area opens its panel as a bottom sheet
    page.locator(".folium-map").click(position={"x": 180, "y": 250})
    panel = page.locator("#map-panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(PHONE["height"], abs=2)
    assert box["width"] == pytest.approx(PHONE["width"], abs=2)
    screenshot(page, f"map-phone-panel-{lang}")
    # nothing scrolls sideways at 320 px (WCAG 1.4.10)
    page.set_viewport_size({"width": 320, "height": 640})
    page.wait_for_timeout(200)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_on_the_desktop_sweden_fills_a_window_high_map(page, live_server, lang):
    _open(page, live_server.url + f"/?lang={lang}", DESKTOP)
    frame = _box(page, ".map-frame")
    assert frame["y"] + frame["height"] <= DESKTOP["height"]  # the whole map in the window
    assert frame["height"] > 0.6 * DESKTOP["height"]
    sweden = _box(page, ".leaflet-areas-pane svg")
    drawn = page.evaluate(
        """() => { const r = [...document.querySelectorAll('.leaflet-areas-pane path')]
            .map(p => p.getBoundingClientRect());
          return [Math.min(...r.map(b => b.top)), Math.max(...r.map(b => b.bottom))]; }"""
    )
    assert sweden is not None
    assert (drawn[1] - drawn[0]) > 0.8 * frame["height"]  # Sweden fitted to the frame
    scale = page.locator(".leaflet-control-scale").inner_text()
    assert "km" in scale and "mi" not in scale  # metric only
    expect(page.locator("#filters-toggle")).to_be_hidden()
    # clusters wait for a closer view; they have names when they show
    expect(page.locator(".leaflet-points-pane")).to_have_attribute("hidden", "")
    page.locator(".leaflet-control-zoom-in").click()
    expect(page.locator(".leaflet-points-pane")).not_to_have_attribute("hidden", re.compile(".*"))
    page.wait_for_selector(".point-cluster[aria-label]", state="attached")
    label = page.locator(".point-cluster").first.get_attribute("aria-label")
    assert re.search(r"\d+ " + INITIATIVES[lang], label), label
    screenshot(page, f"map-desktop-{lang}")


def _tab_until(page, test, limit=80) -> int:
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(test):
            return presses
    raise AssertionError("never reached")


@pytest.mark.parametrize(("lang", "size"), [("sv", DESKTOP), ("en", PHONE)])
def test_keyboard_journey_past_the_map_and_into_ostersund(page, live_server, lang, size):
    _open(page, live_server.url + f"/?lang={lang}", size)
    page.locator("body").focus()
    into_map = _tab_until(page, "!!document.activeElement.closest('.map-frame')")
    within = _tab_until(page, "!document.activeElement.closest('.map-frame')")
    # zoom in and out, the points switch, the map, the legend, the attribution: a handful
    assert within <= 6, within
    focusable_shapes = page.evaluate(
        "[...document.querySelectorAll('.leaflet-areas-pane path')]"
        ".filter(p => p.tabIndex >= 0 || p.getAttribute('tabindex') !== null).length"
    )
    assert focusable_shapes == 0
    print(f"\n{lang} {size['width']}: {into_map} Tab presses to the map, {within} through it")
    # the search is the way to a municipality
    page.locator("#place-search").focus()
    page.keyboard.type("ostersund")
    option = page.get_by_role("option", name=re.compile("Östersund"))
    expect(option).to_be_visible()
    expect(page.locator("#place-search")).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page.locator("#map-panel-title")).to_have_text("Östersund")
    expect(page.locator("#map-panel")).to_be_focused()
    expect(page.locator(".map-info")).to_have_text(
        re.compile(r"^Östersund: \d+ " + INITIATIVES[lang])
    )
    expect(page.locator("#map-panel-body a").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#map-panel")).to_be_hidden()
    expect(page.locator("#place-search")).to_be_focused()
    # the map itself: one stop with a name; Enter opens the area under the crosshair
    mapped = page.locator(".folium-map")
    assert mapped.get_attribute("role") == "application"
    assert mapped.get_attribute("aria-label")
    mapped.focus()
    expect(page.locator(".map-info")).to_have_text(re.compile(r"^Östersund: "))
    page.keyboard.press("Enter")
    expect(page.locator("#map-panel-title")).to_have_text("Östersund")
    page.keyboard.press("Escape")
    expect(mapped).to_be_focused()
    page.keyboard.press("Escape")  # and the info box can be dismissed (WCAG 1.4.13)
    expect(page.locator(".map-info")).to_be_hidden()
    screenshot(page, f"map-keyboard-{lang}-{size['width']}")


@pytest.mark.parametrize(
    ("typed", "name"),
    [("Gothenburg", "Göteborg"), ("malmo", "Malmö"), ("Upplands Vasby", "Upplands Väsby")],
)
def test_search_finds_places_whatever_the_accents_or_language(page, live_server, typed, name):
    _open(page, live_server.url + "/?lang=en", DESKTOP)
    field = page.locator("#place-search")
    field.fill(typed)
    expect(page.get_by_role("option").first).to_contain_text(name)
    field.press("Enter")  # no option chosen: the one clear match
    expect(page.locator("#map-panel-title")).to_have_text(name)
    assert page.url.startswith(live_server.url + "/?")  # shown on the map, no page load


def test_a_county_page_has_the_search_too(page, live_server):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/regions/23?lang=en")
    page.wait_for_selector(READY, timeout=15_000)
    page.locator("#place-search").fill("ostersund")
    page.get_by_role("option", name=re.compile("Östersund")).click()
    expect(page).to_have_url(re.compile(r"/municipalities/2380"))


@pytest.mark.parametrize(("typed", "expected"), [("ostersund", r"/municipalities/2380")])
def test_find_works_without_script(browser, live_server, typed, expected):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/?lang=en")
    page.locator("#place-search").fill(typed)
    page.locator(".place-search button[type=submit]").click()
    expect(page).to_have_url(re.compile(expected))
    page.goto(live_server.url + "/?lang=en")
    page.locator("#place-search").fill("Upplands")
    page.locator(".place-search button[type=submit]").click()
    expect(page.locator(".find-results li")).to_have_count(2)
    context.close()  # (axe needs script: it checks /find in the test below)


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1280"])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?level=region",
        "/?view=coverage",
        "/regions/14",
        "/find?q=upp",
        "/accessibility",
        "/embed",
    ],
)
def test_axe_finds_nothing_serious_on_any_view(page, live_server, path, size, lang):
    page.set_viewport_size(size)
    page.goto(live_server.url + path + ("&" if "?" in path else "?") + f"lang={lang}")
    if page.locator(".folium-map").count():
        page.wait_for_selector(READY, timeout=15_000)
    assert axe_serious(page) == []


def test_on_a_phone_tab_reaches_the_map_before_the_year_slider_under_it(page, live_server):
    """Focus follows what the screen shows: the slider sits under the map on a phone, so it
    comes after the map in the Tab order too (WCAG 2.4.3)."""
    _open(page, live_server.url + "/?lang=en", PHONE)
    assert _box(page, "#year-range")["y"] > _box(page, ".folium-map")["y"]
    page.focus("#table-link")
    order = []
    for _ in range(12):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
    assert "year-range" in order, order
    assert order.index("year-range") > order.index("map_kommunkarta_map"), order
