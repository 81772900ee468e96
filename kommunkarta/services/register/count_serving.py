"""Which in-memory counts (services.register.count_index) answer a request, if any.

A request whose transaction sees a newer serial than this process's index catches the index
up in place, under the index's lock (a few milliseconds). Reading every initiative — in a
new worker, or after a write no one could name (an import, a taxonomy change, `init-db`),
or a gap in the serials — takes 1–3 s at 100,000 initiatives, and no request waits for it:
it runs in a thread of its own, on a session of its own, while requests count with SQL (the
reference those counts are tested against). A stale index is dropped at once rather than
served, so every answer is either SQL's in the request's own transaction or an index's that
is at least as new as that transaction's serial. The finished index is put in place under
the lock; the next request catches it up to its serial like any other. One build runs at a
time per database; a failed one is logged and the next request starts another.

An index that has caught up many times holds many dead slots; it goes on answering while a
compact copy is built the same way.
"""

from __future__ import annotations

import weakref

from flask import has_request_context
from sqlalchemy import Pool
from sqlalchemy.orm import Session

from kommunkarta import cache
from kommunkarta.filters import InitiativeFilter
from kommunkarta.services.register.count_index import CountIndex, lock
from kommunkarta.services.whole_reads import WholeReads

_indexes: weakref.WeakKeyDictionary[Pool, CountIndex] = weakref.WeakKeyDictionary()


def current(session: Session, selection: InitiativeFilter) -> CountIndex | None:
    """This database's index, caught up with what the session's transaction sees, or None
    when it cannot answer the filter (free text), the transaction has writes of its own, the
    schema has no serials, no request is being served (a command that counts once reads with
    SQL rather than load every initiative) or the index is being built."""
    if selection.q or not has_request_context() or cache.writing(session):
        return None
    serial = cache.serial(session)
    if serial is None:
        return None
    # the engine's pool: the app's reading and writing engines share it (db.writing_engine)
    engine = session.get_bind().engine
    pool = engine.pool
    with lock:
        index = _indexes.get(pool)
        if index is not None and index.serial >= serial:
            return index
        if (
            index is not None
            and not cache.too_far_behind(index.serial, serial)
            and index.catch_up(session, serial)
        ):
            if index.dead >= max(1000, (index.size - index.dead) // 4):
                _builds.start(engine)
            return index
        _indexes.pop(pool, None)  # never served again: older than what this request sees
        _builds.start(engine)
        return None


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
