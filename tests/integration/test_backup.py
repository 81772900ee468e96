"""`backup FILE` and `restore FILE`: SQLite's online backup API, restored into an empty
database and compared table by table; PostgreSQL is sent to pg_dump."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta import db
from kommunkarta.models import Initiative, Technology
from kommunkarta.services import setup
from kommunkarta.services.data_io import demo
from kommunkarta.services.register import suggestions
from kommunkarta.services.register.suggestions import Suggestion
from tests.conftest import POSTGRES_URL, add_user, make_app


def _rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, sorted; the data version and its log of changes are left
    out (a restore numbers itself as a change to everything, so that caches start over)."""
    with closing(sqlite3.connect(path)) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
            if name not in ("data_version", "data_changes")
        ]
        return {
            table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            for table in tables
        }


@pytest.fixture
def filled(tmp_path, geo):
    """A SQLite database with demo initiatives, accounts and a waiting suggestion."""
    path = tmp_path / "live.sqlite"
    app = make_app(f"sqlite:///{path}", tmp_path)
    with app.app_context():
        setup.init_db(db.engine(), geo)
        with Session(db.engine()) as session, session.begin():
            demo.seed(session, geo, count=150, seed_value=9)
        with Session(db.engine()) as session:
            suggestions.suggest(
                session,
                Suggestion("A suggested chatbot", "It answers.", "0180", "", (), "anna@example.se"),
                geo,
            )
    add_user(app, "moderator@example.se", "moderator")
    return app, path


def test_backup_then_restore_into_an_empty_database_gives_every_row_back(filled, tmp_path):
    app, live = filled
    backup_file = tmp_path / "nightly.sqlite"
    result = app.test_cli_runner().invoke(args=["backup", str(backup_file)])
    assert result.exit_code == 0, result.output
    assert "Backed up 151 initiatives and 1 accounts" in result.output
    with closing(sqlite3.connect(backup_file)) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file
    assert not list(tmp_path.glob(".nightly.sqlite.*"))  # no scratch file left behind

    empty = tmp_path / "empty.sqlite"
    target = make_app(f"sqlite:///{empty}", tmp_path)
    result = target.test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert result.exit_code == 0, result.output
    assert "Restored 151 initiatives and 1 accounts" in result.output
    assert "init-db" not in result.output  # the schema is current

    original = _rows(live)
    assert original["initiatives"] and original["users"] and original["revisions"]
    assert _rows(empty) == original
    # and the app reads the restored database as it read the original
    before = app.test_client().get("/api/v1/initiatives?per_page=200").get_json()
    after = target.test_client().get("/api/v1/initiatives?per_page=200").get_json()
    assert after == before and after["total"] == 150


def test_the_backup_is_consistent_while_the_app_writes(filled, tmp_path):
    """A write after the backup is not in it, and the backup of a database with an open
    write transaction elsewhere does not wait for it or see it."""
    app, live = filled
    backup_file = tmp_path / "during.sqlite"
    with closing(sqlite3.connect(live, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE initiatives SET title = 'uncommitted'")
        result = app.test_cli_runner().invoke(args=["backup", str(backup_file)])
        writer.execute("ROLLBACK")
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(backup_file)) as copy:
        titles = {title for (title,) in copy.execute("SELECT title FROM initiatives")}
    assert "uncommitted" not in titles and len(titles) > 100


def test_restore_refuses_to_overwrite_initiatives_unless_told(filled, tmp_path):
    app, live = filled
    backup_file = tmp_path / "copy.sqlite"
    assert app.test_cli_runner().invoke(args=["backup", str(backup_file)]).exit_code == 0
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["restore", str(backup_file)])
    assert refused.exit_code == 1
    assert "already holds initiatives; give --replace" in refused.output
    with closing(sqlite3.connect(live)) as connection:
        connection.execute("DELETE FROM revisions")
        connection.execute("DELETE FROM initiative_municipalities")
        connection.commit()
    replaced = runner.invoke(args=["restore", "--replace", str(backup_file)])
    assert replaced.exit_code == 0, replaced.output
    assert _rows(live) == _rows(backup_file)


def test_restore_checks_what_it_is_given(tmp_path):
    runner = make_app(f"sqlite:///{tmp_path / 'target.sqlite'}", tmp_path).test_cli_runner()
    text_file = tmp_path / "notes.sqlite"
    text_file.write_text("not a database at all, but long enough to have a header")
    foreign = tmp_path / "foreign.sqlite"
    with closing(sqlite3.connect(foreign)) as connection:
        connection.execute("CREATE TABLE t (x)")
    newer = tmp_path / "newer.sqlite"
    with closing(sqlite3.connect(newer)) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
        connection.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
        connection.commit()
    cases = {
        text_file: "not a SQLite database",
        foreign: "not a Kommunkartan database",
        newer: "newer version of Kommunkartan",
    }
    for path, reason in cases.items():
        result = runner.invoke(args=["restore", str(path)])
        assert result.exit_code == 1 and reason in result.output, result.output
        assert "Traceback" not in result.output


def test_postgresql_is_sent_to_its_own_tools(tmp_path):
    app = make_app(POSTGRES_URL, tmp_path)
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.sqlite")])
    assert result.exit_code == 1
    assert "use pg_dump and pg_restore for PostgreSQL (see the README)" in result.output
    assert not (tmp_path / "x.sqlite").exists()


def test_a_running_app_reads_the_restored_data_and_the_writes_after_it(filled, tmp_path):
    """The counts kept in memory and the cached term names had caught up with writes made
    after the backup; the restore takes those writes back, and so must they, and the next
    write after the restore counts as well."""
    app, _live = filled
    client, engine = app.test_client(), app.extensions["db_engine"]

    def state():
        counts = client.get("/api/v1/municipalities").get_json()
        names = client.get("/api/v1/taxonomy").get_json()["technologies"]
        return {m["code"]: m["count"] for m in counts}, {t["slug"]: t["name_sv"] for t in names}

    def delete(initiative_id: int) -> list[str]:
        with Session(engine) as session, session.begin():
            initiative = session.get_one(Initiative, initiative_id)
            codes = [m.code for m in initiative.municipalities]
            session.delete(initiative)
        return codes

    backup_file = tmp_path / "before.sqlite"
    assert app.test_cli_runner().invoke(args=["backup", str(backup_file)]).exit_code == 0
    before = state()
    with Session(engine) as session:
        first, second = session.scalars(
            select(Initiative.id).where(Initiative.state == "published").limit(2)
        )
    delete(first)
    with Session(engine) as session, session.begin():
        session.scalars(select(Technology)).first().name_sv = "Omdöpt"
    assert state() != before  # the app caught up with both writes

    result = app.test_cli_runner().invoke(args=["restore", "--replace", str(backup_file)])
    assert result.exit_code == 0, result.output
    assert state() == before
    codes = delete(second)
    assert state()[0] == {code: n - (code in codes) for code, n in before[0].items()}
