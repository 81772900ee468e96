"""The browser harness itself: the home page loads with no outside request."""

from tests.browser.conftest import axe_serious


def test_home_page_loads_in_chromium(page, live_server):
    page.goto(live_server.url + "/?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").is_visible()
    assert axe_serious(page) == []
