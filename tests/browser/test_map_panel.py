"""Selecting an area on the map lists its initiatives (from the JSON API) in a panel."""

from tests.browser.test_map import READY


def test_clicking_a_municipality_lists_its_initiatives(page, live_server):
    page.goto(live_server.url + "/?lang=en")
    page.wait_for_selector(READY, timeout=15_000)
    # Göteborg: large, in every demo data set
    page.evaluate(
        """() => {
            const map = map_kommunkarta_map;
            map.eachLayer(layer => {
                if (layer.feature && layer.feature.properties.code === "1480") layer.fire("click");
            });
        }"""
    )
    panel = page.locator("#map-panel")
    panel.wait_for(state="visible")
    assert page.locator("#map-panel-title").inner_text() == "Göteborg"
    page.wait_for_selector("#map-panel-body a[href*='/initiatives/']")
    assert page.locator("#map-panel-body h3").count() >= 1
    assert page.locator("#map-panel-body a[href$='/municipalities/1480?lang=en']").count() == 1
    page.keyboard.press("Escape")
    assert panel.is_hidden()
