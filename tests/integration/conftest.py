"""Fixtures for the integration modules: a database per backend shared by a module's tests,
and a hold on work done in a thread."""

import threading

import pytest

from kommunkarta.extensions import limiter
from tests.conftest import initialised_app


@pytest.fixture(scope="module")
def module_app(databases, geo, tmp_path_factory, sqlite_template):
    """An app on a database with places and taxonomy, shared by a module's tests: each test
    makes its own accounts and initiatives and starts with fresh rate limits."""
    folder = tmp_path_factory.mktemp("module")
    app = initialised_app(databases, geo, folder, sqlite_template)
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def fresh_limits():
    limiter.reset()


@pytest.fixture
def hold(monkeypatch):
    """Holds work done in a thread until the test lets it go: `hold(owner, name)` puts a
    wait in front of `owner.name` and returns (started, release), `started` set when a call
    begins. Whatever still waits is let go when the test ends, passed or failed."""
    releases: list[threading.Event] = []

    def holding(owner, name: str) -> tuple[threading.Event, threading.Event]:
        started, release = threading.Event(), threading.Event()
        original = getattr(owner, name)

        def waiting(*args, **kwargs):
            started.set()
            assert release.wait(60)
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, waiting)
        releases.append(release)
        return started, release

    yield holding
    for release in releases:
        release.set()
