"""The coverage mode of the map and the register's upkeep pages in Chromium: all four states
drawn with distinct styles and a legend, switching views from the filter form, the report and
"we do this too" forms on an initiative's page; axe-core finds nothing serious or critical."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta.models import Initiative, NoneConfirmation, User, utcnow
from kommunkarta.services.register import coverage, freshness
from kommunkarta.services.register.coverage import CoverageState
from tests.browser.conftest import axe_serious, screenshot
from tests.conftest import PASSWORD, add_user

AREAS = ".leaflet-overlay-pane path.leaflet-interactive"
READY = ".folium-map[data-ready=true]"


@pytest.fixture(scope="module")
def register(live_app) -> dict:
    """The demo register with every state present whatever today's date: one initiative
    confirmed now (reports), two unknown municipalities confirmed none; the demo data's old
    initiatives are stale and the municipalities without any are unknown."""
    engine = live_app.extensions["db_engine"]
    with Session(engine, expire_on_commit=False) as s:
        months = live_app.config["STALE_MONTHS"]
        unknown = [
            row.code
            for row in coverage.municipalities(s, utcnow(), months)
            if row.state == CoverageState.UNKNOWN
        ]
        initiative = s.execute(select(Initiative).order_by(Initiative.id).limit(1)).scalar_one()
        code = initiative.municipalities[0].code
    email = f"stockholm-{uuid.uuid4().hex[:8]}@example.se"
    coordinator = add_user(live_app, email, "coordinator", [code])
    with Session(engine, expire_on_commit=False) as s:
        freshness.confirm(s, initiative.id, s.get(User, coordinator.id), utcnow())
    with Session(engine) as s, s.begin():
        for none in unknown[:2]:
            s.merge(NoneConfirmation(municipality_code=none, confirmed_at=utcnow()))
    with Session(engine) as s:
        states = {row.code: row.state for row in coverage.municipalities(s, utcnow(), months)}
    assert set(states.values()) == set(CoverageState)
    return {"states": states, "initiative": initiative.id, "code": code}


def _open(page, url):
    page.goto(url)
    page.wait_for_selector(READY, timeout=15_000)


def test_coverage_map_draws_four_distinct_states_with_a_legend(page, live_server, register):
    _open(page, live_server.url + "/?view=coverage&lang=en")
    assert page.locator(AREAS).count() == 290
    styles = page.eval_on_selector_all(
        AREAS,
        "paths => paths.map(p => [p.getAttribute('fill'), p.getAttribute('stroke-dasharray')])",
    )
    distinct = {tuple(style) for style in styles}
    assert len(distinct) == 4, distinct
    assert len({dash for _fill, dash in distinct}) == 4  # a cue beside colour
    assert any(fill.startswith("url(#") for fill, _dash in distinct)  # stale is hatched
    legend = page.locator(".coverage-legend .legend-row")
    expect(legend).to_have_count(4)
    texts = legend.all_inner_texts()
    counts = {state: list(register["states"].values()).count(state) for state in CoverageState}
    assert texts[0] == f"Reports initiatives ({counts[CoverageState.REPORTS]})"
    assert any(t.startswith("Confirmed none (") for t in texts)
    assert page.locator(".coverage-legend svg > rect").count() == 4
    summary = page.locator("#map-summary").inner_text()
    assert re.search(r"\d+ of 290 municipalities have published initiatives, \d+ of them", summary)
    # the info box names the area under the pointer, its state and its date
    page.locator(".folium-map").hover(position={"x": 300, "y": 520})
    found = None
    for path in page.locator(AREAS).all()[:60]:
        path.hover(force=True)
        info = page.locator(".map-info")
        if info.is_visible() and re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}", info.inner_text()):
            found = info.inner_text()
            break
    assert found and any(label in found for label in ("Reports initiatives", "Stale"))
    # the table alternative holds all 290 with their states
    page.locator(".coverage-figures summary").click()
    assert page.locator("#coverage-table tbody tr").count() == 290
    screenshot(page, "coverage-map-en-1280")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_coverage_map_accessibility_and_phone_layout(page, live_server, register, lang):
    _open(page, live_server.url + f"/?view=coverage&lang={lang}")
    assert axe_serious(page) == []
    page.set_viewport_size({"width": 360, "height": 780})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, f"coverage-map-{lang}-360")


def test_the_filter_form_switches_between_the_two_views(page, live_server, register):
    _open(page, live_server.url + "/?lang=en")
    page.get_by_role("radio", name="Coverage: who reports").check()
    page.wait_for_url(re.compile(r"view=coverage"))
    page.wait_for_selector(".folium-map[data-view=coverage][data-ready=true]", timeout=15_000)
    expect(page.get_by_role("radio", name="County")).to_have_count(0)
    # (scoped: "Colour by" has an "Initiatives" radio too)
    page.get_by_role("group", name="What the map shows").get_by_role(
        "radio", name="Initiatives"
    ).check()
    page.wait_for_url(re.compile(r"view=initiatives"))
    page.wait_for_selector(READY, timeout=15_000)
    assert page.locator(".folium-map").get_attribute("data-view") is None
    expect(page.get_by_role("radio", name="County")).to_have_count(1)


def _sign_in(page, live_server, email: str) -> None:
    page.goto(live_server.url + "/login?lang=en")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_initiative_page_forms_and_the_review_list(page, live_server, register, lang):
    initiative_id = register["initiative"]
    other = "1480" if register["code"] != "1480" else "0180"
    email = f"adopter-{uuid.uuid4().hex[:8]}@example.se"
    add_user(live_server.app, email, "coordinator", [other])
    _sign_in(page, live_server, email)
    page.goto(f"{live_server.url}/initiatives/{initiative_id}?lang={lang}")
    page.locator(".adopt-box summary").click()
    assert page.locator(".report-form textarea").is_visible()
    ids = page.eval_on_selector_all("[id]", "nodes => nodes.map(n => n.id)")
    assert len(ids) == len(set(ids)), "two forms on the page share an id"
    assert axe_serious(page) == []
    screenshot(page, f"initiative-upkeep-{lang}-1280")
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, f"initiative-upkeep-{lang}-360")
    page.goto(f"{live_server.url}/needs-review?lang={lang}")
    assert axe_serious(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, f"needs-review-{lang}-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, f"needs-review-{lang}-1280")
