"""Shared fixtures: every database test runs on SQLite (a temp file) and on PostgreSQL.

PostgreSQL comes from KOMMUNKARTA_TEST_POSTGRES_URL (default: the local `test` database);
each database made here lives in its own schema, dropped afterwards. Without a reachable
PostgreSQL the PostgreSQL half skips locally; with CI=true it fails instead.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from kommunkarta import create_app, db
from kommunkarta.services import setup
from kommunkarta.services.accounts import create_user
from kommunkarta.services.data_io import demo
from kommunkarta.services.places import geodata

POSTGRES_URL = os.environ.get(
    "KOMMUNKARTA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"
GEODATA_DIR = Path(__file__).resolve().parent.parent / "geodata"


def _postgres_available() -> str | None:
    """None if PostgreSQL answers, else the reason it does not."""
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure to connect means "not available"
        return str(error).splitlines()[0]
    return None


@pytest.fixture(scope="session")
def postgres_reason() -> str | None:
    return _postgres_available()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Databases:
    """Creates empty databases for a backend and removes them at the end."""

    def __init__(self, backend: str, tmp_dir: Path, postgres_reason: str | None) -> None:
        self.backend = backend
        self.tmp_dir = tmp_dir
        self.schemas: list[str] = []
        if backend == "postgresql" and postgres_reason:
            message = f"PostgreSQL not reachable at {POSTGRES_URL}: {postgres_reason}"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
        if backend == "postgresql":
            self.drop_orphans()

    @staticmethod
    def drop_orphans() -> None:
        """Drop the schemas of test runs whose process is gone (killed or interrupted runs
        never reach their own clean-up); runs still going keep theirs."""
        admin = create_engine(POSTGRES_URL)
        with admin.connect() as connection:
            names = list(
                connection.execute(
                    text("SELECT nspname FROM pg_namespace WHERE nspname ~ '^t[0-9]+_'")
                ).scalars()
            )
            connection.rollback()  # end the read's own transaction: each drop takes one
            for name in names:
                if not _process_alive(int(name[1:].split("_")[0])):
                    with connection.begin():
                        connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()

    def new_url(self) -> str:
        name = f"t{os.getpid()}_{uuid.uuid4().hex[:10]}"  # the pid lets later runs clean up
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp_dir / name}.sqlite"
        admin = create_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        admin.dispose()
        self.schemas.append(name)
        separator = "&" if "?" in POSTGRES_URL else "?"
        return f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={name}')}"

    def drop_all(self) -> None:
        if not self.schemas:
            return
        admin = create_engine(POSTGRES_URL)
        with admin.connect() as connection:
            for name in self.schemas:
                # one transaction each: dropping hundreds of schemas at once runs out of locks
                with connection.begin():
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def databases(request, tmp_path_factory, postgres_reason) -> Iterator[Databases]:
    made = Databases(request.param, tmp_path_factory.mktemp(request.param), postgres_reason)
    yield made
    made.drop_all()


@pytest.fixture(scope="session")
def geo() -> geodata.Geodata:
    return geodata.load(GEODATA_DIR)


_APPS: list = []


@pytest.fixture(autouse=True)
def _dispose_test_apps():
    """Close the pools of apps a test made, so no connection is left for the GC to find."""
    start = len(_APPS)
    yield
    while len(_APPS) > start:
        _APPS.pop().extensions["db_engine"].dispose()


def make_app(url: str, tmp_path: Path, **extra):
    config = {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "GEODATA_DIR": str(GEODATA_DIR),
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    config.update(extra)
    # the instance folder from the start: whatever the app writes (imports waiting for an
    # admin, for instance) goes there, never into the checkout
    app = create_app(config, instance_path=str(tmp_path))
    _APPS.append(app)
    return app


@pytest.fixture
def empty_url(databases) -> str:
    """A database with no schema at all."""
    return databases.new_url()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, geo) -> Path:
    """One SQLite file migrated and loaded with places and taxonomy by `init-db`'s own code,
    copied for every test that needs such a database: migrating from scratch took most of
    the time of a test on SQLite."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "initialised.sqlite"
    app = make_app(f"sqlite:///{path}", folder)
    with app.app_context():
        setup.init_db(db.engine(), geo)
    app.extensions["db_engine"].dispose()  # the last connection closed: the WAL is merged
    return path


def initialised_app(databases: Databases, geo, tmp_path: Path, template: Path):
    """An app on a new database with the schema, places and taxonomy: on SQLite a copy of
    the template, on PostgreSQL migrated and loaded as `init-db` does it."""
    url = databases.new_url()
    if databases.backend == "sqlite":
        shutil.copyfile(template, url.removeprefix("sqlite:///"))
        return make_app(url, tmp_path)
    app = make_app(url, tmp_path)
    with app.app_context():
        setup.init_db(db.engine(), geo)
    return app


@pytest.fixture
def app(databases, geo, tmp_path, sqlite_template):
    """An app on a fresh database with the schema, places and taxonomy, but no initiatives."""
    app = initialised_app(databases, geo, tmp_path, sqlite_template)
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture(scope="module")
def seeded_app(databases, geo, tmp_path_factory, sqlite_template):
    """A read-only app shared by a module: 400 demo initiatives from seed 3."""
    app = initialised_app(databases, geo, tmp_path_factory.mktemp("seeded"), sqlite_template)
    with app.app_context():
        with Session(db.engine()) as session, session.begin():
            demo.seed(session, geo, count=400, seed_value=3)
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app) -> Iterator[Session]:
    with Session(app.extensions["db_engine"]) as s:
        yield s


PASSWORD = "correct horse battery"


def csrf_from(response) -> str:
    """The CSRF token of the first form on a page, as a browser would send it back."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def add_user(app, email: str, role: str, municipalities=("0180",)):
    """An account with PASSWORD; coordinators belong to `municipalities`."""
    codes = list(municipalities) if role == "coordinator" else []
    with Session(app.extensions["db_engine"], expire_on_commit=False) as s, s.begin():
        return create_user(s, email, PASSWORD, role, codes)


@pytest.fixture
def login_as(app, client):
    """Sign a test client in through the real form (with its CSRF token) as a new account with
    `role`; a coordinator belongs to Stockholm (0180) unless told otherwise. Returns the user."""

    def sign_in(role: str, municipalities=("0180",), on=None):
        on = on or client
        email = f"{role}-{uuid.uuid4().hex[:10]}@example.se"
        user = add_user(app, email, role, municipalities)
        token = csrf_from(on.get("/login"))
        form = {"email": email, "password": PASSWORD, "csrf_token": token}
        response = on.post("/login", data=form)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return sign_in
