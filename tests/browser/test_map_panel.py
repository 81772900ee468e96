"""Selecting an area on the map lists its initiatives (from the JSON API) in a panel."""

from sqlalchemy.orm import Session

from kommunkarta import db
from kommunkarta.models import Initiative
from tests.browser.test_map import READY


def click_area(page, code: str) -> None:
    """Click the map's shape of a municipality, as a pointer would (the event goes on to
    the shape's layer, where the map hears it)."""
    page.evaluate(
        """(code) => {
            map_kommunkarta_map.eachLayer(layer => {
                const own = layer.feature && layer.feature.properties.code;
                if (own === code) layer.fire("click", {}, true);
            });
        }""",
        code,
    )


def test_clicking_a_municipality_lists_its_initiatives(page, live_server):
    page.goto(live_server.url + "/?lang=en")
    page.wait_for_selector(READY, timeout=15_000)
    # Göteborg: large, in every demo data set
    click_area(page, "1480")
    panel = page.locator("#map-panel")
    panel.wait_for(state="visible")
    assert page.locator("#map-panel-title").inner_text() == "Göteborg"
    page.wait_for_selector("#map-panel-body a[href*='/initiatives/']")
    assert page.locator("#map-panel-body h3").count() >= 1
    assert page.locator("#map-panel-body a[href$='/municipalities/1480?lang=en']").count() == 1
    page.keyboard.press("Escape")
    assert panel.is_hidden()


def test_the_panel_marks_each_title_with_the_language_of_its_text(page, live_app, live_server):
    """An initiative written in English keeps lang="en" on its title in a Swedish panel
    (WCAG 3.1.2), as on its own page; the others say sv."""
    first = live_app.test_client().get("/api/v1/initiatives?municipality=1480&per_page=1")
    english = first.get_json()["items"][0]["id"]
    with live_app.app_context(), Session(db.engine()) as session, session.begin():
        session.get(Initiative, english).lang = "en"
    try:
        page.goto(live_server.url + "/?lang=sv")
        page.wait_for_selector(READY, timeout=15_000)
        click_area(page, "1480")
        page.wait_for_selector("#map-panel-body a[href*='/initiatives/']")
        links = page.locator("#map-panel-body li a[href*='/initiatives/']")
        langs = {
            link.get_attribute("href").split("?")[0].rsplit("/", 1)[1]: link.get_attribute("lang")
            for link in links.all()
        }
        assert langs.pop(str(english)) == "en"
        assert langs and set(langs.values()) == {"sv"}
    finally:
        with live_app.app_context(), Session(db.engine()) as session, session.begin():
            session.get(Initiative, english).lang = "sv"
