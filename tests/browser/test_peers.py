"""Finding peers in Chromium: "show neighbours" on the map, the embeddable map inside a frame
of another page, and axe-core on the comparison and the embed at both widths."""

import threading
from html import escape
from urllib.parse import parse_qs, urlencode

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from kommunkarta.models import Initiative, State, initiative_municipalities
from tests.browser.conftest import axe_serious, screenshot

READY = ".folium-map[data-ready=true]"
NEIGHBOUR_STROKE = "#d4500b"


def select_area(page, code):
    page.evaluate(
        """code => map_kommunkarta_map.eachLayer(layer => {
            const own = layer.feature && layer.feature.properties.code;
            if (own === code) layer.fire("click", {}, true);
        })""",
        code,
    )


def test_show_neighbours_outlines_them_and_hide_takes_it_back(page, live_server, geo):
    page.goto(live_server.url + "/?lang=en")
    page.wait_for_selector(READY, timeout=15_000)
    select_area(page, "0180")
    page.get_by_role("button", name="Show neighbours").click()
    neighbours = page.locator("path.is-neighbour")
    expect(neighbours).to_have_count(len(geo.neighbours["0180"]))
    expect(page.locator("path.is-selected")).to_have_count(1)
    assert set(neighbours.evaluate_all("ps => ps.map(p => p.getAttribute('stroke'))")) == {
        NEIGHBOUR_STROKE
    }
    assert set(page.get_attribute(".folium-map", "data-neighbours").split()) == set(
        geo.neighbours["0180"]
    )
    expect(page.locator(".map-neighbours [role=status]")).to_have_text(
        f"{len(geo.neighbours['0180'])} neighbouring municipalities highlighted"
    )
    expect(page.locator(".map-neighbour-list a", has_text="Solna")).to_have_attribute(
        "href", "/municipalities/0184?lang=en"
    )
    # pointing at a neighbour and away again keeps its outline
    neighbours.first.dispatch_event("mouseover")
    neighbours.first.dispatch_event("mouseout")
    assert neighbours.first.get_attribute("stroke") == NEIGHBOUR_STROKE
    screenshot(page, "map-neighbours-en-1280")
    page.get_by_role("button", name="Hide neighbours").click()
    expect(page.locator("path.is-neighbour")).to_have_count(0)
    expect(page.locator("path.is-selected")).to_have_count(0)


def test_an_island_has_no_neighbours_to_show(page, live_server):
    page.goto(live_server.url + "/?lang=sv")
    page.wait_for_selector(READY, timeout=15_000)
    select_area(page, "0980")
    page.get_by_role("button", name="Visa grannkommuner").click()
    expect(page.locator(".map-neighbours [role=status]")).to_have_text(
        "Gotland har ingen landgräns mot någon annan kommun."
    )
    expect(page.locator("path.is-neighbour")).to_have_count(0)


def _framing_page(environ, start_response):
    src = escape(parse_qs(environ["QUERY_STRING"])["src"][0])
    body = f'<!doctype html><title>Kommun</title><iframe src="{src}" title="AI"></iframe>'
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [body.encode()]


@pytest.fixture(scope="module")
def other_site():
    """Another web site (another port: another origin) whose page frames ?src=URL."""
    server = make_server("127.0.0.1", 0, _framing_page, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def located(live_app, code: str) -> int:
    link = initiative_municipalities
    with Session(live_app.extensions["db_engine"]) as session:
        return session.execute(
            select(func.count(func.distinct(Initiative.id)))
            .join(link, link.c.initiative_id == Initiative.id)
            .where(
                link.c.municipality_code == code,
                Initiative.state == State.PUBLISHED,
                Initiative.lat.is_not(None),
            )
        ).scalar_one()


@pytest.mark.parametrize("query, areas", [("municipality=1480", 1), ("region=01", 26)])
def test_the_embed_draws_its_area_inside_a_frame_of_another_page(
    page, live_server, live_app, other_site, query, areas
):
    src = f"{live_server.url}/embed?{query}&lang=en"
    page.route(f"{other_site}/**", lambda route: route.continue_())  # let this one through
    page.goto(f"{other_site}/?{urlencode({'src': src})}")
    frame = page.frame_locator("iframe")
    expect(frame.locator(READY)).to_have_count(1, timeout=15_000)
    expect(frame.locator(".folium-map")).to_have_attribute("data-features", str(areas))
    if query.startswith("municipality"):
        expect(frame.locator(".folium-map")).to_have_attribute(
            "data-points", str(located(live_app, "1480"))
        )
    assert frame.locator("nav").count() == 0
    ours = frame.locator("main a[href]:not(.leaflet-container a)")  # not Leaflet's controls
    targets = ours.evaluate_all("links => links.map(a => a.target)")
    assert targets and set(targets) == {"_blank"}


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize(
    "name, path",
    [
        (
            "compare",
            "/compare?municipality=0180&municipality=1480&municipality=0184"
            "&municipality=2584&municipality=1280",
        ),
        ("compare-error", "/compare?region=01"),
        ("embed", "/embed?region=01"),
    ],
)
def test_no_serious_violations_at_both_widths(page, live_server, name, path, lang):
    page.goto(f"{live_server.url}{path}&lang={lang}")
    if name == "embed":
        page.wait_for_selector(READY, timeout=15_000)
    assert page.locator("html").get_attribute("lang") == lang
    assert axe_serious(page) == []
    screenshot(page, f"peers-{name}-{lang}-1280")
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_serious(page) == []
    screenshot(page, f"peers-{name}-{lang}-360")
