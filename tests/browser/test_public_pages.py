"""The pages beside the map in Chromium: no serious axe-core violation, usable at phone width."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta.models import Initiative
from tests.browser.conftest import axe_serious, screenshot

PAGES = {
    "initiatives": "/initiatives?benefit=efficiency",
    "initiative": "/initiatives/{id}",
    "municipality": "/municipalities/0180",
    "region": "/regions/01",
    "stats": "/stats",
}


@pytest.fixture(scope="module")
def initiative_id(live_app) -> int:
    with Session(live_app.extensions["db_engine"]) as session:
        return session.execute(
            select(Initiative.id).where(Initiative.lat.is_not(None)).limit(1)
        ).scalar_one()


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_violations_at_both_widths(
    page, live_server, initiative_id, name, lang
):
    path = PAGES[name].format(id=initiative_id)
    page.goto(f"{live_server.url}{path}{'&' if '?' in path else '?'}lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").is_visible()
    assert axe_serious(page) == []
    screenshot(page, f"public-{name}-{lang}-1280")
    page.set_viewport_size({"width": 360, "height": 800})
    # nothing wider than the phone: the page never scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_serious(page) == []
    screenshot(page, f"public-{name}-{lang}-360")


def test_sorting_and_paging_keep_the_filters(page, live_server):
    page.goto(live_server.url + "/initiatives?benefit=safety&lang=en")
    page.get_by_role("link", name="Title").click()
    assert "sort=title" in page.url and "benefit=safety" in page.url
    titles = page.locator(".initiative-table tbody th > a").all_inner_texts()  # not the badges
    assert titles == sorted(titles)
    page.get_by_role("link", name="Next").click()
    assert "page=2" in page.url and "sort=title" in page.url and "benefit=safety" in page.url
    assert page.locator(".pagination [aria-current=page]").inner_text() == "2"


def test_filter_form_narrows_the_table(page, live_server):
    page.goto(live_server.url + "/initiatives?lang=en")
    everything = page.locator("#summary").inner_text()
    page.get_by_label("Efficiency").check()
    page.get_by_role("button", name="Show").click()
    assert "benefit=efficiency" in page.url
    narrowed = page.locator("#summary").inner_text()
    assert narrowed.endswith("for Efficiency") and narrowed != everything


CLIPPED = """() => [...document.querySelectorAll('.table-scroll')]
    .filter(box => box.scrollWidth > box.clientWidth + 1)
    .map(box => box.querySelector('table').id)"""


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_wide_tables_fit_a_desktop_and_keep_their_titles_on_a_phone(page, live_server, lang):
    # at 1280 px no table is cut off at its right edge (the 'within 50 km' one was)
    for path in ("/municipalities/0180", "/stats", "/regions/01", "/figures"):
        page.goto(f"{live_server.url}{path}?lang={lang}")
        assert page.evaluate(CLIPPED) == [], path
    # at 360 px a table scrolls sideways, and its title stays where it was
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}/stats?lang={lang}")
    wide = page.evaluate(CLIPPED)
    assert len(wide) >= 2, wide  # the year table and the county table, at least
    for table_id in wide:
        box = page.locator(f".table-scroll:has(#{table_id})")
        title = page.locator(f"#{table_id}-title")
        before = title.bounding_box()
        box.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
        assert box.evaluate("box => box.scrollLeft") > 0
        assert title.bounding_box() == before, table_id
        assert title.is_visible()
