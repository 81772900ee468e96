"""Accounts in Chromium: a new coordinator signs in with their organisation's account at a
real OpenID Connect provider process, waits, is approved by an admin and submits an
initiative; an invited person sets a password from the printed link; a forgotten password
is reset. The auth and admin pages at 360 px and 1280 px, by keyboard, and with axe-core."""

from __future__ import annotations

import re
import uuid

import pytest

from kommunkarta import db
from kommunkarta.services import setup
from tests.browser.conftest import ARTIFACTS, LiveServer, axe_serious, screenshot
from tests.conftest import PASSWORD, add_user, make_app
from tests.oidc_provider import provider, set_person

NEW = "a long new passphrase"


@pytest.fixture(scope="module")
def issuer():
    with provider() as url:
        yield url


@pytest.fixture(scope="module")
def server(tmp_path_factory, geo, issuer):
    """An app with organisation sign-in, served over HTTP; its public address is its own."""
    folder = tmp_path_factory.mktemp("accounts")
    app = make_app(
        f"sqlite:///{folder / 'accounts.sqlite'}",
        folder,
        OIDC_ISSUER=issuer,
        OIDC_CLIENT_ID="kommunkartan",
        OIDC_CLIENT_SECRET="a client secret",
    )
    with app.app_context():
        setup.init_db(db.engine(), geo)
    live = LiveServer(app)
    app.config["PUBLIC_URL"] = live.url
    yield live
    live.stop()
    app.extensions["db_engine"].dispose()


@pytest.fixture
def new_page(browser, server, issuer):
    """Pages (one browser context each) that may reach our server and the provider only."""
    contexts, blocked, errors = [], [], []

    def make(width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})

        def guard(route):
            if route.request.url.startswith((server.url, issuer)):
                route.continue_()
                return
            if not route.request.frame.url.startswith(issuer):  # the provider's page uses a CDN
                blocked.append(route.request.url)
            route.abort()

        context.route("**/*", guard)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not blocked, f"requests left localhost: {blocked}"
    assert not errors, f"JavaScript errors: {errors}"


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _password_sign_in(page, server, email: str) -> None:
    page.goto(server.url + "/login?lang=en")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main form.stacked-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".site-header .sign-out").count() == 1


def _organisation_sign_in(page, server, sub: str) -> None:
    page.goto(server.url + "/login?lang=en")
    page.get_by_role("link", name="Sign in with your organisation account").click()
    page.locator("input[name=sub]").fill(sub)  # the provider's own sign-in form
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(server.url)))
    page.wait_for_load_state()


def test_a_new_coordinator_signs_in_with_the_organisation_waits_and_submits(
    new_page, server, issuer
):
    sub = uuid.uuid4().hex
    email = f"anna-{sub[:6]}@kungsbacka.se"
    set_person(issuer, sub, {"email": email, "email_verified": True})
    person = new_page(360)
    _organisation_sign_in(person, server, sub)
    person.get_by_role("heading", name="Waiting for approval").wait_for()
    _no_sideways_scroll(person)
    screenshot(person, "oidc-waiting-360")
    assert axe_serious(person) == []

    admin_email = f"admin-{uuid.uuid4().hex[:6]}@example.se"
    add_user(server.app, admin_email, "admin")
    admin = new_page(360)
    _password_sign_in(admin, server, admin_email)
    admin.goto(server.url + "/admin/users?lang=en")
    _no_sideways_scroll(admin)
    screenshot(admin, "admin-users-waiting-360")
    assert axe_serious(admin) == []
    admin.get_by_role("link", name=f"Approve or refuse {email}").click()
    assert admin.locator("input[name=municipalities][value='1384']").is_checked()
    _no_sideways_scroll(admin)
    screenshot(admin, "admin-approve-360")
    assert axe_serious(admin) == []
    admin.get_by_role("button", name="Approve", exact=True).click()
    admin.wait_for_url(re.compile(r"/admin/users$"))
    assert f"{email} can now sign in" in admin.locator(".flash").inner_text()

    _organisation_sign_in(person, server, sub)
    assert person.url.endswith("/initiatives/mine")
    person.goto(server.url + "/initiatives/new?lang=en")
    assert person.locator("input[name=municipalities][value='1384']").is_checked()
    title = f"Chattbot för bygglov {sub[:6]}"
    person.fill("#title", title)
    person.fill("#summary", "Svarar på frågor om bygglov dygnet runt.")
    person.fill("#description", "Hur det fungerar.")
    person.locator("#benefit_areas").get_by_label("Efficiency").check()
    person.select_option("#status", "pilot")
    person.fill("#contact", email)
    person.locator("#submit_review").click()
    person.wait_for_url(re.compile(r"/initiatives/\d+/review"))
    assert person.locator(".state-submitted").count() == 1


def test_an_invited_person_sets_a_password_from_the_printed_link(new_page, server):
    email = f"inbjuden-{uuid.uuid4().hex[:6]}@example.se"
    result = server.app.test_cli_runner().invoke(
        args=["invite", email, "--role", "coordinator", "--municipality", "0180", "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    link = re.search(r"http://\S+/password/reset/\S+", result.output)[0]
    assert link.startswith(server.url)
    page = new_page(360)
    page.goto(link + "?lang=en")
    page.get_by_role("heading", name="Welcome to Kommunkartan").wait_for()
    _no_sideways_scroll(page)
    screenshot(page, "invitation-set-password-360")
    assert axe_serious(page) == []
    # by keyboard alone: the new password, again, and Enter
    page.locator("#password").focus()
    page.keyboard.type(NEW)
    page.keyboard.press("Tab")
    page.keyboard.type(NEW)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/initiatives/mine$"))
    assert page.locator(".site-header .sign-out").count() == 1
    page.goto(link + "?lang=en")
    assert "already been used" in page.locator(".form-problems").inner_text()
    screenshot(page, "link-used-360")
    assert axe_serious(page) == []


def test_a_forgotten_password_by_keyboard_on_a_phone_and_the_pages_on_a_desktop(new_page, server):
    email = f"glomsk-{uuid.uuid4().hex[:6]}@example.se"
    add_user(server.app, email, "coordinator")
    for width in (360, 1280):
        page = new_page(width)
        page.goto(server.url + "/login?lang=en")
        screenshot(page, f"login-organisation-{width}")
        assert axe_serious(page) == []
        page.goto(server.url + "/password/forgot?lang=en")
        _no_sideways_scroll(page)
        screenshot(page, f"password-forgot-{width}")
        assert axe_serious(page) == []
    # from the sign-in page to the forgotten-password form and through it with keys alone
    page = new_page(360)
    page.goto(server.url + "/login?lang=en")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Forgot your password?":
            break
    else:
        pytest.fail("the forgotten-password link cannot be reached by Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/password/forgot"))
    page.locator("#email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Check your email").wait_for()
    screenshot(page, "password-forgot-sent-360")
    assert axe_serious(page) == []


def test_the_admin_pages_on_a_phone_and_a_desktop(new_page, server):
    admin_email = f"admin-{uuid.uuid4().hex[:6]}@example.se"
    add_user(server.app, admin_email, "admin")
    page = new_page(1280)
    _password_sign_in(page, server, admin_email)
    invited = f"ny-{uuid.uuid4().hex[:6]}@example.se"
    page.goto(server.url + "/admin/users/invite?lang=en")
    page.fill("#email", invited)
    page.select_option("#role", "moderator")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_url(re.compile(r"/admin/users$"))
    assert "/password/reset/" in page.locator(".flash").inner_text()  # no mail server here
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for path, name in (
            ("/admin/users", "admin-users"),
            ("/admin/users/invite", "admin-invite"),
            ("/admin/users/new", "admin-new-account"),
            ("/admin/audit", "admin-audit"),
            ("/account/password", "change-password"),
        ):
            page.goto(f"{server.url}{path}?lang=en")
            _no_sideways_scroll(page)
            screenshot(page, f"{name}-{width}")
            assert axe_serious(page) == [], path


def test_the_taxonomy_page_on_a_phone_and_a_desktop_and_by_keyboard(new_page, server):
    admin_email = f"admin-{uuid.uuid4().hex[:6]}@example.se"
    add_user(server.app, admin_email, "admin")
    page = new_page(360)
    _password_sign_in(page, server, admin_email)
    page.goto(server.url + "/admin/taxonomy?lang=en")
    _no_sideways_scroll(page)
    screenshot(page, "admin-taxonomy-360")
    page.screenshot(path=str(ARTIFACTS / "admin-taxonomy-360-top.png"))
    assert axe_serious(page) == []
    # add a technology with the keyboard alone
    summary = page.locator("#technologies ~ details summary")
    summary.focus()
    page.keyboard.press("Enter")
    page.locator("#technologies-slug").focus()
    page.keyboard.type("quantum-computing")
    page.keyboard.press("Tab")
    page.keyboard.type("Kvantdatorer")
    page.keyboard.press("Tab")
    page.keyboard.type("Quantum computing")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin/taxonomy#technologies$"))
    row = page.locator("#technologies-quantum-computing")
    assert row.locator("td").first.inner_text() == "Quantum computing"
    row.get_by_role("button", name="Up quantum-computing").click()
    page.wait_for_load_state()
    rows = page.locator("section:has(#technologies) tbody tr")
    assert rows.nth(rows.count() - 2).get_attribute("id") == "technologies-quantum-computing"
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "admin-taxonomy-1280")
    page.screenshot(path=str(ARTIFACTS / "admin-taxonomy-1280-end.png"))
    assert axe_serious(page) == []


def _tab_to(page, name: str) -> None:
    """Press Tab until the element named `name` has focus."""
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
    pytest.fail(f"{name!r} cannot be reached by Tab")


def test_a_term_is_described_retired_and_merged_by_keyboard_on_a_phone(new_page, server):
    admin_email = f"admin-{uuid.uuid4().hex[:6]}@example.se"
    add_user(server.app, admin_email, "admin")
    page = new_page(360)
    _password_sign_in(page, server, admin_email)
    page.goto(server.url + "/admin/taxonomy?lang=en#technologies-robotics")
    page.locator("#technologies-robotics a").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin/taxonomy/technologies/robotics"))
    _no_sideways_scroll(page)
    screenshot(page, "admin-taxonomy-term-360")
    assert axe_serious(page) == []
    page.locator("#description_en").focus()
    page.keyboard.type("Robots & <self-driving> vehicles.")
    _tab_to(page, "Save")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin/taxonomy#technologies-robotics$"))
    # retire it from its page, with keys alone
    page.goto(server.url + "/admin/taxonomy/technologies/robotics?lang=en")
    _tab_to(page, "Retire robotics")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin/taxonomy#technologies-robotics$"))
    row = page.locator("#technologies-robotics")
    assert "Retired" in row.inner_text()
    _no_sideways_scroll(page)
    assert axe_serious(page) == []
    # merge another into the last term in use by keyboard
    page.goto(server.url + "/admin/taxonomy/technologies/other-ai?lang=en")
    page.locator("#into").focus()
    page.keyboard.press("End")  # the last term in use
    _tab_to(page, "Merge other-ai")
    page.keyboard.press("Enter")
    # first what it would do, then the merge itself
    page.get_by_role("heading", name=re.compile(r"^Merge other-ai into [a-z-]+\?$")).wait_for()
    _no_sideways_scroll(page)
    screenshot(page, "admin-taxonomy-merge-confirm-360")
    assert axe_serious(page) == []
    _tab_to(page, page.locator("main form button").inner_text())
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin/taxonomy#technologies-"))
    assert "Merged other-ai into" in page.locator(".flash").inner_text()
    assert "Merged into" in page.locator("#technologies-other-ai").inner_text()
    page.goto(server.url + "/admin/taxonomy/technologies/other-ai?lang=en")
    screenshot(page, "admin-taxonomy-merged-360")
    assert axe_serious(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(server.url + "/admin/taxonomy/technologies/chatbot?lang=en")
    screenshot(page, "admin-taxonomy-term-1280")
    assert axe_serious(page) == []
    page.goto(server.url + "/admin/taxonomy?lang=en#technologies")
    described = page.locator("#technologies-robotics td").first
    assert (
        described.inner_text()
        == "Robotics and autonomous vehicles\nRobots & <self-driving> vehicles."
    )
    screenshot(page, "admin-taxonomy-retired-1280")
    assert axe_serious(page) == []
    api = page.request.get(server.url + "/api/v1/taxonomy").json()
    robotics = next(t for t in api["technologies"] if t["slug"] == "robotics")
    assert robotics["description_en"] == "Robots & <self-driving> vehicles."
    assert robotics["retired"] is True
