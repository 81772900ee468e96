"""The moderators' page of organisations to place, by keyboard, at phone and desktop width."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from kommunkarta import db
from kommunkarta.services import setup
from kommunkarta.services.data_io import pstw
from tests.browser.conftest import ARTIFACTS, LiveServer, axe_serious
from tests.browser.test_submission_flow import _account, _sign_in
from tests.conftest import make_app

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "pstw_published.csv"


@pytest.fixture
def live_server(tmp_path, geo):
    """An app of its own (the shared one holds demo data only), with the published-shaped
    file imported: "Habö kommun" waits for a moderator. It stands in for the shared live
    server, so the shared `page` fixture guards this one."""
    app = make_app(f"sqlite:///{tmp_path / 'pstw.sqlite'}", tmp_path)
    with app.app_context():
        setup.init_db(db.engine(), geo)
    with Session(app.extensions["db_engine"]) as session, FIXTURE.open("rb") as f:
        assert pstw.import_file(session, f, FIXTURE.name).unresolved_rows == 1
    live = LiveServer(app)
    yield live
    live.stop()
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("width", [360, 1280])
def test_the_page_lists_names_with_candidates(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, live_server, _account(live_server, "moderator"))
    page.goto(live_server.url + "/moderation/organisations?lang=sv")
    item = page.locator(".organisation-item").first
    assert "Habö kommun" in item.locator("legend").inner_text()
    assert item.locator("input[name=choice]").first.is_checked()  # the closest first
    assert item.locator("input[value='0643']").count() == 1  # Habo
    assert item.locator("input[value='0305']").count() == 1  # Håbo
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_serious(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"organisations-{width}.png"), full_page=True)


def test_a_moderator_places_a_name_by_keyboard(page, live_server):
    _sign_in(page, live_server, _account(live_server, "moderator"))
    page.goto(live_server.url + "/moderation/organisations?lang=en")
    håbo = page.locator(".organisation-item input[value='0305']").first
    håbo.focus()
    page.keyboard.press("Space")
    assert håbo.is_checked()
    page.locator(".organisation-item button[type=submit]").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Cases imported now: 1" in page.locator(".flash").inner_text()
    assert "No organisation waits" in page.locator("main").inner_text()
