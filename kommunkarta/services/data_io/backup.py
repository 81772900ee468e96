"""Backing up and restoring a SQLite database with SQLite's online backup API.

`backup` copies the live database page by page under one read transaction, so the copy is
consistent while the app goes on serving and writing (WAL mode lets writers continue). The
copy is checked (`PRAGMA integrity_check`) and switched to a plain rollback journal, so that it
is one self-contained file; it replaces the target file only once it is complete.

`restore` copies such a file back with the same API into the configured database, which is
locked for writing while it happens. It refuses a file that is not a Kommunkartan database,
one from a newer release, and a database that already holds initiatives unless told to
replace them. Afterwards the restore counts as a write that may have changed anything,
numbered after the last write to the database it replaced (whose number the backup's may be
below), so that every worker's caches and in-memory counts read everything again.

PostgreSQL has its own tools for this (pg_dump, pg_restore; see the README).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from kommunkarta import cache
from kommunkarta.services import schema

POSTGRES_HINT = "use pg_dump and pg_restore for PostgreSQL (see the README)"


class BackupError(ValueError):
    """The backup or restore cannot be done; the message says why, in one line."""


@dataclass(frozen=True)
class Summary:
    initiatives: int
    users: int
    revision: str | None
    size: int  # bytes of the backup file


def database_file(engine: Engine) -> Path:
    """The file of a SQLite engine; raises BackupError for any other database."""
    url = engine.url
    if url.get_backend_name() != "sqlite":
        raise BackupError(f"backup and restore work on SQLite databases; {POSTGRES_HINT}")
    if not url.database or url.database == ":memory:":
        raise BackupError("the database is in memory; there is no file to back up or restore")
    return Path(url.database)


def backup(engine: Engine, target: Path) -> Summary:
    """Copy the live database into `target` (replaced when complete); raises BackupError."""
    source = database_file(engine)
    if not source.is_file():
        raise BackupError(f"{source.name}: the database file does not exist")
    target = target.resolve()
    if target == source.resolve():
        raise BackupError("the backup file must not be the database itself")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such folder")
    handle, scratch = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        with _open(source, read_only=True) as live, _open(Path(scratch)) as copy:
            live.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
            _check_integrity(copy, target.name)
        summary = _summary(Path(scratch))
        os.replace(scratch, target)
    finally:
        Path(scratch).unlink(missing_ok=True)
    return summary


def restore(engine: Engine, source: Path, *, replace: bool = False) -> Summary:
    """Copy the backup `source` into the engine's database; raises BackupError, or
    schema.SchemaTooNew for a backup from a newer release."""
    target = database_file(engine)
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    if not _is_sqlite(source):
        raise BackupError(f"{source.name}: not a SQLite database")
    summary = _summary(source)
    if summary.revision is None:
        raise BackupError(f"{source.name}: not a Kommunkartan database (no schema revision)")
    if summary.revision not in schema.known_revisions():
        raise schema.SchemaTooNew(
            f"{source.name} comes from a newer version of Kommunkartan (schema revision "
            f"{summary.revision}); upgrade the application first"
        )
    engine.dispose()  # no pooled connection of ours may hold the file while it is replaced
    with _open(source, read_only=True) as backup_copy:
        _check_integrity(backup_copy, source.name)
        with _open(target) as live:
            live.execute("PRAGMA busy_timeout=30000")
            if not replace and _initiatives(live):
                raise BackupError(
                    "the database already holds initiatives; give --replace to overwrite them"
                )
            replaced = _serial(live)
            backup_copy.backup(live)
            live.execute("PRAGMA journal_mode=WAL")
            numbered = _has_table(live, "data_changes")
            if not numbered and _has_table(live, "data_version"):  # a schema before 0015
                with live:
                    live.execute("UPDATE data_version SET token = ?", (uuid.uuid4().hex,))
    if numbered:
        with engine.begin() as connection:
            cache.changed_everything(connection, after=replaced)
    return summary


def _serial(connection: sqlite3.Connection) -> int:
    """The number of the last write to the database about to be replaced (0 without one):
    the app's in-memory counts may have caught up with it."""
    if not _has_table(connection, "data_changes"):
        return 0
    row = connection.execute("SELECT serial FROM data_version").fetchone()
    return int(row[0]) if row else 0


def _open(path: Path, *, read_only: bool = False) -> closing[sqlite3.Connection]:
    """A connection that closes when its `with` block ends (sqlite3's own only commits)."""
    if read_only:
        return closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True))
    return closing(sqlite3.connect(path))


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(16) == b"SQLite format 3\x00"


def _check_integrity(connection: sqlite3.Connection, name: str) -> None:
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{name}: {error}") from None
    if result != "ok":
        raise BackupError(f"{name}: the database is damaged ({result})")


def _has_table(connection: sqlite3.Connection, name: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return connection.execute(query, (name,)).fetchone() is not None


def _initiatives(connection: sqlite3.Connection) -> int:
    if not _has_table(connection, "initiatives"):
        return 0
    count: int = connection.execute("SELECT count(*) FROM initiatives").fetchone()[0]
    return count


def _summary(path: Path) -> Summary:
    try:
        with _open(path, read_only=True) as connection:
            revision = None
            if _has_table(connection, "alembic_version"):
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
            users = 0
            if _has_table(connection, "users"):
                users = connection.execute("SELECT count(*) FROM users").fetchone()[0]
            return Summary(_initiatives(connection), users, revision, path.stat().st_size)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path.name}: {error}") from None
