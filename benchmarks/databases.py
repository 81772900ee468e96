"""Throw-away databases: a SQLite file in a temporary folder, or a PostgreSQL schema of its
own on the test server (made like the test suite's, and dropped afterwards)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, text

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_problem(admin_url: str) -> str | None:
    """None if PostgreSQL answers at `admin_url`, else why not (one line)."""
    try:
        engine = create_engine(admin_url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure to connect means "not available"
        return str(error).strip().splitlines()[0]
    return None


@contextmanager
def database(backend: str, directory: Path, postgres_url: str) -> Iterator[str]:
    """A new, empty database of `backend` ("sqlite" or "postgresql"); yields its URL."""
    name = f"bench_{uuid.uuid4().hex[:12]}"
    if backend == "sqlite":
        path = directory / f"{name}.sqlite"
        try:
            yield f"sqlite:///{path}"
        finally:
            for leftover in directory.glob(f"{name}.sqlite*"):
                leftover.unlink()
        return
    admin = create_engine(postgres_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        separator = "&" if "?" in postgres_url else "?"
        yield f"{postgres_url}{separator}options={quote(f'-csearch_path={name}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()
