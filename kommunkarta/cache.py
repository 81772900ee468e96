"""Query results cached in each process and keyed by the data version.

Every transaction that writes what the public sees (initiatives and their links, places, the
taxonomy, adoptions, municipalities' "no initiatives" statements) gives the one-row
`data_version` table a new random token before it commits; the session events below do it,
so no writer can forget. A reader looks the token up once per transaction (one primary-key
read) and uses results cached under it. After a write every worker finds a new token and
misses, so nothing stale is served and no shared cache is needed.
Only writes through an ORM session are seen: raw SQL on a bare connection is not.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import fields
from itertools import chain
from typing import Any, TypeVar

from sqlalchemy import Connection, event, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from kommunkarta.models import data_version

T = TypeVar("T")
MAX_ENTRIES = 256
PUBLIC_TABLES = frozenset(
    {
        "initiatives",
        "initiative_municipalities",
        "initiative_benefit_areas",
        "initiative_areas",
        "initiative_technologies",
        "municipalities",
        "regions",
        "benefit_areas",
        "operational_areas",
        "statuses",
        "technologies",
        "adoptions",
        "none_confirmations",
    }
)
TOKEN = "kommunkarta.data_version"  # session.info: the token this transaction read
CHANGED = "kommunkarta.data_changed"  # session.info: this transaction wrote public data

_entries: OrderedDict[Hashable, Any] = OrderedDict()
_lock = threading.Lock()
_versioned_engines: weakref.WeakSet = weakref.WeakSet()


def filter_key(selection: Any) -> tuple:
    """A hashable key for a filter dataclass in which the order of repeated values does not
    matter (benefit=a&benefit=b is benefit=b&benefit=a)."""
    return tuple(
        tuple(sorted(value)) if isinstance(value, tuple) else value
        for value in (getattr(selection, f.name) for f in fields(selection))
    )


def cached(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`'s result, reused until the next write to public data. The result is
    shared: never change it in place."""
    if _writing(session):
        return compute()  # this transaction's own writes are not for others, nor cached ones
    token = version(session)
    if token is None:
        return compute()  # no version to key on: nothing could invalidate the entry
    full_key = (token, key)
    with _lock:
        if full_key in _entries:
            _entries.move_to_end(full_key)
            return _entries[full_key]
    value = compute()
    if _writing(session):
        return value
    with _lock:
        _entries[full_key] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def version(session: Session) -> str | None:
    """The data version this transaction reads (None on a schema without one), for results
    kept elsewhere than here, such as the similarity index."""
    if TOKEN not in session.info:
        session.info[TOKEN] = session.scalar(select(data_version.c.token))
    return session.info[TOKEN]


def _writing(session: Session) -> bool:
    return bool(session.info.get(CHANGED) or session.new or session.deleted or session.dirty)


def _public(table_name: str | None) -> bool:
    return table_name in PUBLIC_TABLES


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, _context) -> None:
    for instance in chain(session.new, session.dirty, session.deleted):
        if _public(getattr(getattr(instance, "__table__", None), "name", None)):
            session.info[CHANGED] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        if _public(getattr(getattr(state.statement, "table", None), "name", None)):
            state.session.info[CHANGED] = True


@event.listens_for(Session, "before_commit")
def _new_version(session: Session) -> None:
    session.flush()  # the last flush happens after this hook otherwise
    if session.info.pop(CHANGED, False):
        connection = session.connection()
        if _has_version_table(connection):
            connection.execute(update(data_version).values(token=uuid.uuid4().hex))


def _has_version_table(connection: Connection) -> bool:
    """False only for a database still on a schema older than the data version (written to
    before it is migrated); remembered per engine once true."""
    if connection.engine not in _versioned_engines:
        if not inspect(connection).has_table(data_version.name):
            return False
        _versioned_engines.add(connection.engine)
    return True


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(TOKEN, None)
        session.info.pop(CHANGED, None)
