"""Browser tests: the real app served over HTTP on localhost, driven in headless Chromium.

Every request that does not go to the live server is aborted, so a page that quietly needs a
CDN or a tile server fails here. Without Chromium these tests skip locally; with CI=true a
missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from kommunkarta import db
from kommunkarta.services import setup
from kommunkarta.services.data_io import demo
from tests.conftest import IN_CI, make_app

CHROMIUM = os.environ.get("KOMMUNKARTA_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM}; install Debian's chromium package"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


class LiveServer:
    def __init__(self, app) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory, geo):
    """A SQLite database with 600 published demo initiatives (seed 5), served over HTTP."""
    folder = tmp_path_factory.mktemp("live")
    app = make_app(f"sqlite:///{folder / 'live.sqlite'}", folder)
    with app.app_context():
        setup.init_db(db.engine(), geo)
        with Session(db.engine()) as session, session.begin():
            demo.seed(session, geo, count=600, seed_value=5)
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    server = LiveServer(live_app)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh page whose requests may only reach the live server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []

    def guard(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            errors.append(message.text)

    page.on("console", console)
    page.blocked_requests = blocked
    page.js_errors = errors
    yield page
    context.close()
    assert not blocked, f"requests left localhost: {blocked}"
    assert not errors, f"JavaScript errors or blocked scripts: {errors}"


def screenshot(page, name: str) -> Path:
    """Keep a screenshot in test-artifacts/ for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_serious(page) -> list[dict]:
    """axe-core violations with impact serious or critical on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
