"""Which in-memory counts (services.register.count_index) answer a request, if any.

A request whose transaction sees a newer serial than this process's index catches the index
up in place, under the index's lock (a few milliseconds). Reading every initiative — in a
new worker, or after a write no one could name (an import, a taxonomy change, `init-db`),
or a gap in the serials — takes 1–3 s at 100,000 initiatives, and no request waits for it:
it runs in a thread of its own, on a session of its own, while requests count with SQL (the
reference those counts are tested against). A stale index is dropped at once rather than
served. The finished index is put in place under the lock; the next request catches it up
to its serial like any other. One build runs at a time per database; a failed one is logged
and the next request starts another.

The index answers a transaction only at exactly the serial that transaction reads, and only
one that reads a single snapshot (kommunkarta.db.one_snapshot): a page counts in several
parts, and between two of them another request may catch the index up past a write, or a
build may replace it. A transaction that finds the index newer than itself counts with SQL,
in its own snapshot, so every part of a page — and every result kept under its data version
(kommunkarta.cache) — is of the one version it read. Only a request in flight across a write
pays for that; the first request after it catches the index up and answers from memory.
`answer` checks the serial and answers under one hold of the lock, so no other thread moves
the index in between. The index, and a build, read one snapshot too, so an index at a serial
holds that serial's data and no newer.

An index that has caught up many times holds many dead slots; it goes on answering while a
compact copy is built the same way.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TypeVar

from flask import has_request_context
from sqlalchemy import Engine, Pool
from sqlalchemy.orm import Session

from kommunkarta import cache, db
from kommunkarta.filters import InitiativeFilter
from kommunkarta.services.register.count_index import CountIndex, lock
from kommunkarta.services.whole_reads import WholeReads

_indexes: weakref.WeakKeyDictionary[Pool, CountIndex] = weakref.WeakKeyDictionary()


T = TypeVar("T")


def current(session: Session, selection: InitiativeFilter) -> CountIndex | None:
    """This database's index, caught up with what the session's transaction sees, or None
    when it cannot answer the filter (free text), the transaction has writes of its own or
    does not read one snapshot, the schema has no serials, no request is being served (a
    command that counts once reads with SQL rather than load every initiative), the index is
    newer than the transaction or is being built.

    Another thread may catch the index up as soon as this returns: `answer` asks it under
    the same hold of the lock."""
    serial = _serial(session, selection)
    if serial is None:
        return None
    with lock:
        return _at(session, serial)


def answer(
    session: Session, selection: InitiativeFilter, ask: Callable[[CountIndex], T]
) -> T | None:
    """`ask(index)` for the index at exactly the serial the session's transaction reads,
    checked and asked under one hold of the lock; None when `current` would give None (the
    caller counts with SQL)."""
    serial = _serial(session, selection)  # read before taking the lock: a round trip
    if serial is None:
        return None
    with lock:
        index = _at(session, serial)
        return None if index is None else ask(index)


def _serial(session: Session, selection: InitiativeFilter) -> int | None:
    """The serial the transaction reads, if the index may answer it."""
    if (
        selection.q
        or not has_request_context()
        or cache.writing(session)
        or not db.reads_one_snapshot(session)
    ):
        return None
    return cache.serial(session)


def _at(session: Session, serial: int) -> CountIndex | None:
    """The index at exactly `serial`, caught up to it if older; call under `lock`."""
    # the engine's pool: the app's reading and writing engines share it (db.writing_engine)
    engine = session.get_bind().engine
    pool = engine.pool
    index = _indexes.get(pool)
    if index is not None and index.serial == serial:
        return index
    if index is not None and index.serial > serial:
        return None  # a write this transaction does not see is in it: SQL, in its snapshot
    if (
        index is not None
        and not cache.too_far_behind(index.serial, serial)
        and index.catch_up(session, serial)
    ):
        if index.dead >= max(1000, (index.size - index.dead) // 4):
            _build(engine)
        return index
    _indexes.pop(pool, None)  # never served again: older than what this request sees
    _build(engine)
    return None


def _build(engine: Engine) -> None:
    """Start reading every initiative into a new index, in one snapshot."""
    _builds.start(db.one_snapshot(engine))


def building() -> bool:
    """Whether a build of the in-memory counts is under way in this process."""
    return bool(_builds.running())


def _keep_built(pool: Pool, session: Session, serial: int) -> None:
    fresh = CountIndex(session)
    fresh.load_all(session, serial)
    with lock:
        _indexes[pool] = fresh


_builds = WholeReads(
    "count-index",
    lock,
    _keep_built,
    "building the in-memory counts failed; counting with SQL meanwhile",
)
