"""What the in-memory counts (services.register.count_index) read from the database: the
facets and links of every published initiative, or of those that the writes after a serial
named.

Catching up after a write is two round trips in all: the data version, then one statement
for the named rows with their facets and the links of the initiatives they name. That
statement is built once and bound by serial alone, so that its SQL is compiled once and
cached rather than built and expanded per write; on PostgreSQL a round trip costs more than
reading the few rows does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import (
    BigInteger,
    CompoundSelect,
    Connection,
    FromClause,
    Integer,
    and_,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)

from kommunkarta import cache
from kommunkarta.db import AnySelect
from kommunkarta.filters import TAXONOMY_PARAMS
from kommunkarta.models import Adoption, Initiative, data_changes, initiative_municipalities
from kommunkarta.services.register.initiatives import PUBLIC

FETCH_CHUNK = 10_000  # rows read at a time when loading
NO_YEAR = np.iinfo(np.int32).min
TAKING_PART, ADOPTING, FIRST_TERM = 0, 1, 2  # kinds of link, as read in one statement
NAMING = -1  # a row of data_changes, read with the links in read_changes

AFTER = bindparam("after", type_=BigInteger)
UPTO = bindparam("upto", type_=BigInteger)
FACETS = (
    Initiative.id,
    Initiative.status_id,
    Initiative.start_year,
    Initiative.hours_per_year,
    Initiative.sek_per_year,
    Initiative.others_may_call_off,
    Initiative.open_source_url,
    Initiative.ai_act,
    Initiative.is_demo,
)
# Every published initiative's facets, by id (PUBLIC: what the public may see, as
# services.register.initiatives says)
ALL_FACETS = select(*FACETS).where(PUBLIC).order_by(Initiative.id)


class Batch(NamedTuple):
    """Published initiatives as read: the facets' columns (ids ascending) and the links'
    (owner, kind, value) columns."""

    facets: list[np.ndarray]
    links: list[np.ndarray]


def whole(values: Sequence[Any]) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def yes_no(values: Sequence[Any]) -> np.ndarray:
    """True where a value is given and not false: a flag's True, any text."""
    return np.array([bool(v) for v in values], dtype=bool)


def read_all(connection: Connection, risk_code: Callable[[str | None], int]) -> Batch:
    """Every published initiative."""
    facets = _columns(connection, ALL_FACETS, {}, *_converters(risk_code))
    return Batch(facets, _columns(connection, _links(), {}, whole, whole, whole))


def read_changes(
    connection: Connection, after: int, upto: int, risk_code: Callable[[str | None], int]
) -> tuple[np.ndarray, Batch] | None:
    """The ids that the writes after serial `after` up to `upto` named, and those of them
    now published; None when everything must be read again (cache.named_in: one of the
    writes could not name what it changed, or the rows naming them may have been pruned).

    The links and the named rows, with every row since `after`, newer ones too, are read
    in one statement, so from one snapshot: a writer that pruned rows the links needed
    committed its own row, at least KEEP_SERIALS above them, with its pruning, and it is
    seen there. What is read is at least as new as `upto`, never older."""
    read = connection.execute(_changes(), {"after": after, "upto": upto}).all()
    link_rows = [row[:3] for row in read if row[1] != NAMING]
    links = [whole(values) for values in zip(*link_rows, strict=True)] or [whole(())] * 3
    rows = [row[3:] for row in read if row[1] == NAMING]
    named_ids = cache.named_in([(row[0], row[1]) for row in rows], after, upto)
    if named_ids is None:
        return None
    named = [row for row in rows if row[0] <= upto]
    ids = np.array(named_ids, dtype=np.int64)
    # each published one once (the same initiative's facets from one statement are equal)
    published = sorted({tuple(row[2:]) for row in named if row[2] is not None})
    values = list(zip(*published, strict=True)) or [()] * len(FACETS)
    converted = [
        convert(column) for convert, column in zip(_converters(risk_code), values, strict=True)
    ]
    return ids, Batch(converted, links)


def _converters(risk_code: Callable[[str | None], int]) -> list[Callable[..., np.ndarray]]:
    """From the facets' columns as read to arrays."""
    return [
        whole,
        whole,
        lambda years: np.array([NO_YEAR if y is None else y for y in years], np.int64),
        lambda hours: np.array(hours, dtype=np.float64),  # None -> nan
        lambda sek: np.array(sek, dtype=np.float64),
        yes_no,  # others may call off
        yes_no,  # an open-source address is given
        lambda risks: np.array([risk_code(v) for v in risks], dtype=np.int16),
        yes_no,  # demo data
    ]


@functools.cache
def _links() -> AnySelect:
    """(initiative id, kind, value) of every link, in one statement: the municipalities
    taking part and adopting as their codes' numbers, then each taxonomy's term ids."""
    return select(union_all(*_link_parts(None)).subquery())


@functools.cache
def _changes() -> CompoundSelect[*tuple[Any, ...]]:
    """What a catch-up reads, in one statement (under 4,096 characters, so psycopg keeps
    its conversion to PostgreSQL's parameters instead of parsing it at every catch-up): a
    row of kind NAMING for every row of data_changes after serial `after` —
    (serial, initiative id) and, if that initiative is published now, its facets — then
    (initiative id, kind, value) of the links of the initiatives named after `after` up to
    `upto`, as `_links` reads them, their other columns null."""
    window = (
        select(data_changes.c.initiative_id)
        .where(data_changes.c.serial > AFTER, data_changes.c.serial <= UPTO)
        .cte("named")
    )
    naming = (
        select(
            null(),
            literal_column(str(NAMING), Integer),
            null(),
            data_changes.c.serial,
            data_changes.c.initiative_id.label("named_id"),
            *FACETS,
        )
        .select_from(
            data_changes.outerjoin(
                Initiative, and_(Initiative.id == data_changes.c.initiative_id, PUBLIC)
            )
        )
        .where(data_changes.c.serial > AFTER)
    )
    padding = [null()] * (len(naming.selected_columns) - 3)
    links = [part.add_columns(*padding) for part in _link_parts(select(window.c.initiative_id))]
    return union_all(naming, *links)


def _link_parts(named: AnySelect | None) -> list[AnySelect]:
    """The SELECTs of (initiative id, kind, value) of each kind of link, of every
    initiative or of those `named` selects."""
    tables: list[tuple[FromClause, str, int]] = [
        (initiative_municipalities, "municipality_code", TAKING_PART),
        (Adoption.__table__, "municipality_code", ADOPTING),
    ]
    tables += [
        (table, column, kind)
        for kind, (_, table, column) in enumerate(TAXONOMY_PARAMS.values(), start=FIRST_TERM)
    ]
    parts = []
    for table, column, kind in tables:
        part = select(
            table.c.initiative_id,
            literal_column(str(kind), Integer).label("kind"),
            cast(table.c[column], Integer).label("value"),
        )
        parts.append(part if named is None else part.where(table.c.initiative_id.in_(named)))
    return parts


def _columns(
    connection: Connection,
    stmt: AnySelect,
    parameters: dict[str, int],
    *converters: Callable[[Sequence[Any]], np.ndarray],
) -> list[np.ndarray]:
    """The statement's columns as arrays. Read in chunks as the driver's own tuples, so
    that no list of every row, nor result rows, are ever held: a worker's memory grows by
    what the arrays hold, not by a passing peak."""
    cursor = connection.execute(stmt, parameters).cursor
    parts: list[list[np.ndarray]] = [[] for _ in converters]
    while rows := cursor.fetchmany(FETCH_CHUNK):
        for part, convert, values in zip(parts, converters, zip(*rows, strict=True), strict=True):
            part.append(convert(values))
    return [
        np.concatenate(part) if part else convert(())
        for part, convert in zip(parts, converters, strict=True)
    ]
