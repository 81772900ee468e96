"""Fixtures for integration modules that share one database per backend between their tests."""

import pytest

from kommunkarta import db
from kommunkarta.extensions import limiter
from kommunkarta.services import setup
from tests.conftest import make_app


@pytest.fixture(scope="module")
def module_app(databases, geo, tmp_path_factory):
    """An app on a database with places and taxonomy, shared by a module's tests: each test
    makes its own accounts and initiatives and starts with fresh rate limits."""
    app = make_app(databases.new_url(), tmp_path_factory.mktemp("module"))
    with app.app_context():
        setup.init_db(db.engine(), geo)
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def fresh_limits():
    limiter.reset()
