"""Coordinators and moderators in Chromium: sign in, submit on a phone-sized screen, publish,
find it on the map; script-bearing text runs nowhere; axe-core finds nothing serious."""

from __future__ import annotations

import re
import uuid

from tests.browser.conftest import axe_serious, screenshot
from tests.conftest import PASSWORD, add_user

PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


def _account(live_server, role: str, codes=("0180",)) -> str:
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.se"
    add_user(live_server.app, email, role, codes)
    return email


def _sign_in(page, live_server, email: str) -> None:
    page.goto(live_server.url + "/login?lang=en")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".site-header .sign-out").count() == 1


def _sign_out(page) -> None:
    page.locator(".site-header .sign-out button").click()
    page.wait_for_load_state()


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _untouched(page) -> None:
    assert page.evaluate("window.__pwned") is None, page.url


def test_submit_on_a_phone_publish_and_find_it_on_the_map(page, live_server):
    coordinator = _account(live_server, "coordinator")
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server.url + "/login?lang=en")
    assert axe_serious(page) == []
    _sign_in(page, live_server, coordinator)

    page.goto(live_server.url + "/initiatives/new")
    assert page.locator("input[name=municipalities][value='0180']").is_checked()
    # the search box narrows the 290 municipalities and opens the county that matches
    page.fill("[data-picker-search]", "kiruna")
    kiruna = page.locator("input[name=municipalities][value='2584']")
    assert kiruna.is_visible()
    assert page.locator("input[name=municipalities][value='1480']").is_hidden()
    page.fill("[data-picker-search]", "")

    title = f"Chatbot för bygglov {uuid.uuid4().hex[:6]}"
    page.fill("#title", title)
    page.fill("#summary", "Svarar på frågor om bygglov dygnet runt.")
    page.fill("#description", "Första stycket.\n\nAndra stycket.")
    page.locator("#benefit_areas").get_by_label("Efficiency").check()
    page.select_option("#status", "pilot")
    page.fill("#contact", "ai@stockholm.se")
    page.fill("#url", "javascript:alert(1)")
    # with script the location can be picked on a small map
    page.locator("[data-map-open]").click()
    page.locator(".location-map .leaflet-interactive, .location-map svg path").first.wait_for()
    page.locator("[data-location-map]").click()
    assert re.fullmatch(r"-?\d+\.\d{5}", page.input_value("#lat"))
    page.fill("#lat", "59,3293")  # Stockholm's centre, typed the Swedish way
    page.fill("#lon", "18,0686")
    page.locator("#save_draft").click()
    page.wait_for_load_state()
    # nothing stored: the URL message is beside its field and the typed text is still there
    assert "http:// or https://" in page.locator("#url-error").inner_text()
    assert page.input_value("#title") == title
    _no_sideways_scroll(page)
    screenshot(page, "submission-form-errors-360")
    assert axe_serious(page) == []

    page.fill("#url", "https://www.stockholm.se/ai")
    page.locator("#submit_review").click()
    page.wait_for_url(re.compile(r"/initiatives/\d+/review"))
    initiative_id = re.search(r"/initiatives/(\d+)/", page.url).group(1)
    assert page.locator(".state-submitted").count() == 1
    _sign_out(page)

    moderator = _account(live_server, "moderator")
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server, moderator)
    page.goto(live_server.url + "/moderation")
    assert axe_serious(page) == []
    screenshot(page, "moderation-queue-1280")
    page.get_by_role("link", name=title).click()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r"/moderation$"))

    public = page.request.get(f"{live_server.url}/initiatives/{initiative_id}")
    assert public.status == 200 and title in public.text()
    points = page.request.get(live_server.url + "/map/points?municipality=0180").json()
    assert [int(initiative_id), 59.3293, 18.0686] in [point[:3] for point in points]


def test_the_form_on_a_phone_and_on_a_desktop(page, live_server):
    _sign_in(page, live_server, _account(live_server, "coordinator"))
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/initiatives/new?lang=sv")
        _no_sideways_scroll(page)
        screenshot(page, f"submission-form-{width}")
    assert axe_serious(page) == []


def test_script_bearing_text_runs_on_no_page(page, live_server):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    admin = _account(live_server, "admin")
    _sign_in(page, live_server, admin)
    page.goto(live_server.url + "/initiatives/new")
    page.fill("[data-picker-search]", "Stockholm")  # an admin has no municipality of their own
    page.locator("input[name=municipalities][value='0180']").check()
    page.fill("#title", PAYLOAD)
    page.fill("#summary", PAYLOAD)
    page.fill("#description", PAYLOAD + "\n\n" + PAYLOAD)
    page.locator("#benefit_areas input").first.check()
    page.fill("#contact", "ai@stockholm.se")
    page.fill("#url", "javascript:window.__pwned=1")
    page.locator("#submit_review").click()
    page.wait_for_load_state()
    _untouched(page)
    page.fill("#url", "https://example.se/?q=<script>window.__pwned=1</script>")
    page.locator("#submit_review").click()
    page.wait_for_url(re.compile(r"/initiatives/\d+/review"))
    initiative_id = re.search(r"/initiatives/(\d+)/", page.url).group(1)
    base = f"{live_server.url}/initiatives/{initiative_id}"
    for path in (
        f"{base}/review",
        f"{base}/edit",
        f"{base}/history",
        f"{live_server.url}/initiatives/mine",
        f"{live_server.url}/moderation",
    ):
        page.goto(path)
        _untouched(page)
    page.goto(f"{base}/review")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state()
    page.goto(base)
    _untouched(page)
    assert dialogs == []
