"""Fixtures for integration modules that share one database per backend between their tests."""

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
