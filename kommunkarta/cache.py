"""Query results cached in each process and keyed by the data version.

Every transaction that writes what the public sees (initiatives and their links, places, the
taxonomy, adoptions, municipalities' "no initiatives" statements) gives the one-row
`data_version` table a new random token before it commits; the session events below do it,
so no writer can forget. A reader looks the token up once per transaction (one primary-key
read) and uses results cached under it. After a write every worker finds a new token and
misses, so nothing stale is served and no shared cache is needed.

The same write also numbers itself (`data_version.serial`, one more than the last: writers
take the row's lock in turn, so serials commit in order) and names the initiatives it touched
in `data_changes`, or a null initiative when it cannot say (taxonomy, places, bulk
statements whose caller does not name them with `touched`). What a process keeps in memory
past one data version — the counts (services.register.count_index) and the export's lines
(services.data_io.export_rows) — reloads only those, by one rule (`named_since`): the
initiatives the writes after its serial named, unless one of them named none, rows it needs
may have been pruned, or it is more than CATCH_UP_MAX writes behind (then it reads
everything again).
Only writes through an ORM session are seen: raw SQL on a bare connection is not.
"""

from __future__ import annotations

import threading
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import fields
from itertools import chain
from typing import Any, TypeVar

from sqlalchemy import Connection, delete, event, insert, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from kommunkarta import db
from kommunkarta.models import data_changes, data_version

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
# public tables that no count reads: a write to them changes the token alone
UNCOUNTED = frozenset({"none_confirmations"})
TOKEN = "kommunkarta.data_version"  # session.info: (token, serial) this transaction read
CHANGED = "kommunkarta.data_changed"  # session.info: this transaction wrote public data
TOUCHED = "kommunkarta.data_touched"  # session.info: ids of the initiatives it wrote
UNNAMED = "kommunkarta.data_unnamed"  # session.info: it wrote public data it cannot name
NAMED = "kommunkarta_named_by_caller"  # execution option: see NAMED_BY_CALLER
# A write naming more initiatives than this records "anything may have changed" instead
NAMED_MAX = 1000
# data_changes keeps the rows of the last KEEP_SERIALS serials (pruned every PRUNE_EVERY
# writes); a reader further behind reads everything again
KEEP_SERIALS = 10_000
PRUNE_EVERY = 500
# what is kept in memory further behind than this many writes reads everything again
CATCH_UP_MAX = 2_000

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


def cached(
    session: Session, key: Hashable, compute: Callable[[], T], *, reference: bool = False
) -> T:
    """`compute()`'s result, reused until the next write to public data — or, with
    `reference`, for results read from the taxonomy and the places alone, until the next
    write that is not only about named initiatives. The result is shared: never change it
    in place. Only a transaction that reads one snapshot (kommunkarta.db.one_snapshot)
    keeps what it computed: in any other, a statement may see writes newer than the token."""
    if writing(session):
        return compute()  # this transaction's own writes are not for others, nor cached ones
    token = reference_version(session) if reference else version(session)
    if not token:
        return compute()  # no version to key on: nothing could invalidate the entry
    full_key = (token, key)
    with _lock:
        if full_key in _entries:
            _entries.move_to_end(full_key)
            return _entries[full_key]
    value = compute()
    if writing(session) or not db.reads_one_snapshot(session):
        return value  # what a statement saw may be newer than the token read before it
    with _lock:
        _entries[full_key] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def version(session: Session) -> str | None:
    """The data version this transaction reads (None on a schema without one), for results
    kept elsewhere than here, such as the similarity index."""
    return _read_version(session)[0]


def reference_version(session: Session) -> str | None:
    """The token of the last write this transaction sees that was not only about named
    initiatives (taxonomy, places, bulk statements), for results that depend on no
    initiative's own data; None on a schema without one."""
    return _read_version(session)[2]


def serial(session: Session) -> int | None:
    """The number of the last write to public data that this transaction sees (None on a
    schema without one)."""
    return _read_version(session)[1]


def _read_version(session: Session) -> tuple[str | None, int | None, str | None]:
    """(token, serial, token of the last write not only about named initiatives)"""
    if TOKEN not in session.info:
        row = session.execute(
            select(data_version.c.token, data_version.c.serial, data_version.c.reference_token)
        ).first()
        session.info[TOKEN] = tuple(row) if row is not None else (None, None, None)
    return session.info[TOKEN]


def named_since(
    connection: Connection | Session, after: int, upto: int | None = None
) -> list[int] | None:
    """The initiatives named by the writes after serial `after` (up to `upto` if given), or
    None when what is kept must read everything again (see `named_in`)."""
    rows = connection.execute(
        select(data_changes.c.serial, data_changes.c.initiative_id).where(
            data_changes.c.serial > after
        )
    ).all()
    return named_in([(number, initiative_id) for number, initiative_id in rows], after, upto)


def named_in(
    rows: Sequence[tuple[int, int | None]], after: int, upto: int | None = None
) -> list[int] | None:
    """The initiatives named by `rows` — every (serial, initiative id) of data_changes after
    serial `after`, newer ones than `upto` too — up to `upto` if given; None when `upto` is
    more than CATCH_UP_MAX writes ahead, when one of the writes up to it could not name what
    it changed, or when the rows it needs may have been pruned: a writer that pruned rows
    this reader needs committed its own row, at least KEEP_SERIALS above them, with it."""
    if upto is not None and too_far_behind(after, upto):
        return None
    if any(number >= after + KEEP_SERIALS for number, _ in rows):
        return None
    named = {i for number, i in rows if upto is None or number <= upto}
    if None in named:
        return None
    return sorted(i for i in named if i is not None)


def too_far_behind(after: int, upto: int) -> bool:
    """Whether what is kept at serial `after` should read everything again rather than
    catch up to `upto` write by write."""
    return upto - after > CATCH_UP_MAX


def writing(session: Session) -> bool:
    """True while this transaction holds writes of its own (results then are its alone)."""
    return bool(session.info.get(CHANGED) or session.new or session.deleted or session.dirty)


def _public(table_name: str | None) -> bool:
    return table_name in PUBLIC_TABLES


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, _context) -> None:
    touched: set[int] = session.info.setdefault(TOUCHED, set())
    for instance in chain(session.new, session.dirty, session.deleted):
        table = getattr(getattr(instance, "__table__", None), "name", None)
        if not _public(table):
            continue
        session.info[CHANGED] = True
        if table in UNCOUNTED:
            continue
        # read without loading: a deleted row cannot be loaded, a new one has no identity yet
        state = inspect(instance)
        key = "id" if table == "initiatives" else "initiative_id"
        initiative_id = state.dict.get(key)
        if initiative_id is None and table == "initiatives" and state.identity:
            initiative_id = state.identity[0]
        if initiative_id is not None and table in ("initiatives", "adoptions"):
            touched.add(initiative_id)
        else:
            session.info[UNNAMED] = True


# Execution options of a bulk statement whose caller names the initiatives it writes with
# `touched` (a batch of an import knows them): it does not count as "anything may have changed"
NAMED_BY_CALLER = {NAMED: True}


def touched(session: Session, initiative_ids: Iterable[int]) -> None:
    """Name the initiatives this transaction wrote with statements run under NAMED_BY_CALLER,
    so that the in-memory counts reload just them."""
    session.info[CHANGED] = True
    session.info.setdefault(TOUCHED, set()).update(initiative_ids)


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(getattr(state.statement, "table", None), "name", None)
        if _public(table):
            info = state.session.info
            info[CHANGED] = True
            if not state.execution_options.get(NAMED):
                info[UNNAMED] = info.get(UNNAMED) or table not in UNCOUNTED


@event.listens_for(Session, "before_commit")
def _new_version(session: Session) -> None:
    session.flush()  # the last flush happens after this hook otherwise
    touched: set[int] = session.info.pop(TOUCHED, set())
    unnamed = session.info.pop(UNNAMED, False) or len(touched) > NAMED_MAX
    if session.info.pop(CHANGED, False):
        connection = session.connection()
        schema = _version_schema(connection)
        if schema == "token":
            connection.execute(update(data_version).values(token=uuid.uuid4().hex))
        elif schema == "serial":
            _record(connection, [None] if unnamed else sorted(touched))


def changed_everything(connection: Connection, *, after: int = 0) -> None:
    """Record a write that may have changed anything, numbered after `after` and after the
    clock in microseconds. A database put back from a backup or dump carries the serial of
    its day, which readers that saw the database it replaced may be past already; writes add
    one each, far fewer than one a microsecond, so the clock is past those serials too (for a
    dump, whose replaced database is gone, it is the only bound there is)."""
    floor = max(after, time.time_ns() // 1000)
    connection.execute(
        update(data_version).where(data_version.c.serial < floor).values(serial=floor)
    )
    _record(connection, [None])


def _record(connection: Connection, initiative_ids: Sequence[int | None]) -> None:
    """A new token and the next serial, with the initiatives this write touched."""
    changes = {"token": uuid.uuid4().hex, "serial": data_version.c.serial + 1}
    if None in initiative_ids:
        changes["reference_token"] = uuid.uuid4().hex
    number = connection.scalar(
        update(data_version).values(changes).returning(data_version.c.serial)
    )
    if number is None:
        return  # no version row: nothing reads one either
    if initiative_ids:
        connection.execute(
            insert(data_changes), [{"serial": number, "initiative_id": i} for i in initiative_ids]
        )
    if number % PRUNE_EVERY == 0:
        connection.execute(
            delete(data_changes).where(data_changes.c.serial <= number - KEEP_SERIALS)
        )


def _version_schema(connection: Connection) -> str | None:
    """ "serial" for the current schema, "token" for one from before numbered changes, None
    for one older than the data version (written to before it is migrated); remembered per
    engine once current."""
    if connection.engine in _versioned_engines:
        return "serial"
    tables = inspect(connection)
    if tables.has_table(data_changes.name):
        _versioned_engines.add(connection.engine)
        return "serial"
    return "token" if tables.has_table(data_version.name) else None


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        for key in (TOKEN, CHANGED, TOUCHED, UNNAMED):
            session.info.pop(key, None)
