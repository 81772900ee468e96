"""Demo data is marked where people meet it: a notice on every page, a badge beside each
demo initiative in the table and in the map's panel."""

import pytest

from tests.browser.conftest import ARTIFACTS, axe_serious
from tests.browser.test_map import READY


@pytest.mark.parametrize("width", [360, 1280])
def test_notice_and_badges_in_the_table(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + "/initiatives?lang=sv")
    notice = page.locator(".demo-banner")
    assert notice.is_visible()
    assert "Exempeldata – inte verkliga initiativ" in notice.inner_text()
    if width == 360:  # one compact line on a phone (it took about 110 px)
        assert notice.bounding_box()["height"] <= 40
    badges = page.locator("table .demo-badge")
    assert badges.count() == page.locator("table tbody tr").count() > 0
    assert badges.first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"demo-notice-{width}.png"))  # the top, as first seen
    assert not axe_serious(page)


def test_the_map_panel_marks_demo_initiatives(page, live_server):
    page.goto(live_server.url + "/?lang=en")
    page.wait_for_selector(READY, timeout=15_000)
    assert "Example data – not real initiatives" in page.locator(".demo-banner").inner_text()
    page.evaluate(
        """() => {
            map_kommunkarta_map.eachLayer(layer => {
                const code = layer.feature && layer.feature.properties.code;
                if (code === "1480") layer.fire("click", {}, true);
            });
        }"""
    )
    page.wait_for_selector("#map-panel-body a[href*='/initiatives/']")
    items = page.locator("#map-panel-body li:has(a[href*='/initiatives/'])")
    assert items.count() >= 1
    assert page.locator("#map-panel-body li .demo-badge").count() == items.count()
    assert page.locator("#map-panel-body .demo-badge").first.inner_text() == "Example"
    page.screenshot(path=str(ARTIFACTS / "demo-map-panel-1280.png"))
