"""The database engine and the request-scoped session.

SQLite gets WAL mode, foreign keys and a busy timeout on every connection so that several
processes can read while one writes. Its transactions are begun by us, not by the driver:
a session that will write begins with `BEGIN IMMEDIATE`, so it waits for the write lock up
front (within the busy timeout) instead of failing with "database is locked" when it tries to
turn a read into a write after another process wrote. Reads begin a plain deferred
transaction and never block. Like every SQLite transaction, a reading one sees one snapshot of
the database from its first statement to its end; on PostgreSQL reads run at REPEATABLE READ
for the same (under READ COMMITTED each statement would see the latest commit, and one page
could count two data versions). PostgreSQL engines pre-ping pooled connections so the app
recovers by itself when the database comes back after an outage, and give up connecting
after CONNECT_TIMEOUT seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Connection, Engine, Select, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# A select of any columns, for functions that add clauses to whatever they are given
AnySelect: TypeAlias = Select[*tuple[Any, ...]]

CONNECT_TIMEOUT = 5  # seconds to reach PostgreSQL
SNAPSHOT_LEVELS = ("REPEATABLE READ", "SERIALIZABLE")  # PostgreSQL's levels of one snapshot
READING_METHODS = ("GET", "HEAD", "OPTIONS")
WRITES = "kommunkarta_writes"  # the attribute `writes` gives a view

View = TypeVar("View", bound=Callable[..., Any])


def make_engine(url: str) -> Engine:
    """Create an engine for a SQLAlchemy URL; raises sqlalchemy.exc.ArgumentError if malformed."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Connection) -> None:
            immediate = connection.get_execution_options().get("sqlite_immediate")
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        # a database host that stops answering (rather than refusing) fails a request
        # within seconds, as a 503, instead of holding a worker until gunicorn kills it
        connect_args={"connect_timeout": CONNECT_TIMEOUT},
    )


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(one_snapshot(engine), expire_on_commit=False)
    app.extensions["db_write_sessionmaker"] = sessionmaker(
        writing_engine(engine), expire_on_commit=False
    )
    app.teardown_appcontext(_close_session)


def writing_engine(engine: Engine) -> Engine:
    """The same engine and pool, with transactions that take SQLite's write lock at once."""
    return engine.execution_options(sqlite_immediate=True)


def one_snapshot(engine: Engine) -> Engine:
    """The same engine and pool, with transactions that read one snapshot of the database
    from their first statement to their end: on PostgreSQL at REPEATABLE READ (psycopg puts
    the level in its BEGIN: no extra round trip), as every SQLite transaction reads already.
    For reading: of two writers at this level updating one row, the later fails rather than
    taking its turn (each transaction that writes public data updates the data version's
    row), so writes keep PostgreSQL's READ COMMITTED."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level=SNAPSHOT_LEVELS[0])
    return engine


def reads_one_snapshot(session: Session) -> bool:
    """Whether the session's transactions read one snapshot (see `one_snapshot`): every
    statement in it sees the data version it read, and no newer one."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return True
    return bind.get_execution_options().get("isolation_level") in SNAPSHOT_LEVELS


def writes(view: View) -> View:
    """Mark a view that writes although it answers GET (the OIDC callback): its requests get
    the writing session. In a reading one, a write committed by another request after the
    transaction began would fail its own: PostgreSQL's REPEATABLE READ refuses to update or
    delete a row changed since ("could not serialize access"), and SQLite refuses to turn a
    read into a write then ("database is locked") — a 503 for someone signing in."""
    setattr(view, WRITES, True)
    return view


def _reading_request() -> bool:
    if not has_request_context() or request.method not in READING_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, WRITES, False)


def session() -> Session:
    """The session of the current app context, opened on first use.

    GET and HEAD requests read, in one snapshot (`one_snapshot`), unless their view
    `writes`; any other request, and the command line, may write.
    """
    if "db_session" not in g:
        reading = _reading_request()
        key = "db_sessionmaker" if reading else "db_write_sessionmaker"
        g.db_session = current_app.extensions[key]()
    return g.db_session


def engine() -> Engine:
    return current_app.extensions["db_engine"]


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
