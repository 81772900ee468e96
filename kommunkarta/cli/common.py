"""What every command shares: whole-number options, one-line errors for a user's mistakes,
sessions, and the check that init-db has prepared the database."""

from __future__ import annotations

import functools

import click
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session

from kommunkarta import db, rules
from kommunkarta.services import schema
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.places import geodata


class WholeNumber(click.ParamType):
    """A whole-number option read by the field rules' one parser (ASCII digits only).

    A bad value is a one-line `Error: ...` like every other user mistake, not click's usage
    text."""

    name = "integer"

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # a default
        name = param.opts[0] if param is not None and param.opts else "value"
        try:
            return rules.whole_number(value, name, self.low, self.high)
        except InvalidField as error:
            raise click.ClickException(str(error.message)) from None


def user_errors(command):
    """Report expected failures as one line (click prints `Error: ...`) and exit 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except OperationalError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            raise click.ClickException(f"cannot reach the database: {reason}") from None
        except ArgumentError as error:
            raise click.ClickException(
                f"DATABASE_URL is not a valid database URL: {error}"
            ) from None
        except (
            schema.SchemaTooNew,
            schema.MigrationFailed,
            geodata.GeodataError,
            InvalidField,
            ValueError,
            OSError,
        ) as error:
            raise click.ClickException(str(error)) from None

    return wrapper


def session_for(writing: bool = True) -> Session:
    """A session for a command. One that writes takes SQLite's write lock when it begins,
    waiting for other writers, instead of failing with "database is locked" at its first
    write (see kommunkarta.db)."""
    engine = db.engine()
    return Session(db.writing_engine(engine) if writing else engine)


def ready_database() -> None:
    """Refuse to write into a database that init-db has not prepared."""
    revision = schema.current_revision(db.engine())
    if revision is None:
        raise click.ClickException("the database has no schema yet; run `kommunkarta init-db`")
    if revision != schema.head_revision():
        raise click.ClickException(
            "the database schema is not current; run `kommunkarta init-db` to migrate it"
        )
