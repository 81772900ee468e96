"""Creating and migrating the database schema with Alembic (imported where it is used: it
takes a good part of a second, which commands that never migrate need not pay)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class SchemaTooNew(Exception):
    """The database carries a migration this version of the code does not know."""


class MigrationFailed(Exception):
    """A migration would break the data; nothing is kept."""


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> set[str]:
    """Every migration this version of the code has: a database at any other is newer."""
    from alembic.script import ScriptDirectory

    return {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }


def _outside_transaction(connection: Connection, sql: str) -> None:
    """Run `sql` on the driver's connection itself, outside SQLAlchemy's transaction (which
    would begin one, where SQLite ignores a foreign_keys pragma)."""
    driver_connection = connection.connection.dbapi_connection
    assert driver_connection is not None, "an open connection has its driver's connection"
    driver_connection.execute(sql)


def upgrade(engine: Engine) -> None:
    """Migrate to the newest schema; raises SchemaTooNew for a database from a newer release."""
    from alembic import command

    config = alembic_config()
    revision = current_revision(engine)
    if revision is not None:
        if revision not in known_revisions():
            raise SchemaTooNew(
                f"the database schema (revision {revision}) is newer than this version of "
                "Kommunkartan; upgrade the application first"
            )
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite migrations rebuild tables (copy, drop, rename); with foreign keys on,
            # dropping the old table would cascade-delete every row that refers to it.
            # The pragma only takes effect outside a transaction, so it comes first.
            _outside_transaction(connection, "PRAGMA foreign_keys=OFF")
        with connection.begin():
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                raise MigrationFailed("the migration would leave rows without their parents")
        if sqlite:
            _outside_transaction(connection, "PRAGMA foreign_keys=ON")
