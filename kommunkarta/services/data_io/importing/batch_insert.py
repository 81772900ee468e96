"""New initiatives of an import written in batches: one INSERT of many rows each for the
initiatives, their links (municipalities, benefit areas, areas, technologies), their effects
and their "created" revisions, as `seed-demo` writes (services.data_io.demo), instead of the
ORM's unit of work, which spent most of an import of 10,000 rows on bookkeeping (issue 19).

A row holds what the ORM would have written for `Initiative(...)`: every column the file does
not give has its default (`_column_defaults`), the id is the file's or the database's (drawn
from PostgreSQL's sequence, or by SQLite's RETURNING, in the order of the rows), and the
derived columns (search text, yearly sums of the effects, the publication time of a published
initiative) follow the same rules as an edit's (`plan.assign`). The statements run under
`cache.NAMED_BY_CALLER` and each batch names its initiatives with `cache.touched`, so that
cached results are dropped at commit and the in-memory counts reload just these initiatives,
as after the ORM's writes.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from kommunkarta import cache
from kommunkarta.models import (
    Effect,
    Initiative,
    Revision,
    State,
    User,
    initiative_areas,
    initiative_benefit_areas,
    initiative_municipalities,
    initiative_technologies,
)
from kommunkarta.services.register import effects
from kommunkarta.services.register.revisions import Event

# a list column of a row -> its link table, the table's column, what of the term it holds
LINKS: dict[str, tuple[Table, str, str]] = {
    "municipalities": (initiative_municipalities, "municipality_code", "code"),
    "benefit_areas": (initiative_benefit_areas, "benefit_area_id", "id"),
    "areas": (initiative_areas, "area_id", "id"),
    "technologies": (initiative_technologies, "technology_id", "id"),
}
# the statements below name the initiatives they write (cache.touched)
NAMED = cache.NAMED_BY_CALLER
# the tables, typed as the Table each is (the ORM types them as any FromClause)
INITIATIVES = cast(Table, Initiative.__table__)
EFFECTS = cast(Table, Effect.__table__)
REVISIONS = cast(Table, Revision.__table__)
# the database gives these: the id when the file has none, the version its server default
DATABASE_GIVES = frozenset({"id", "version"})


@functools.cache
def _column_defaults() -> dict[str, Any]:
    """Every column as the ORM writes it when nothing sets it: its default, else NULL. The
    same keys in every row, so that each batch is one statement. (Read-only: copy it.)"""
    found = {}
    for column in INITIATIVES.columns:
        if column.key in DATABASE_GIVES:
            continue
        default = column.default
        found[column.key] = default.arg if isinstance(default, ScalarElementColumnDefault) else None
    return found


def new_row(
    values: dict[str, Any], columns: Sequence[str], now: datetime, by: User | None
) -> dict[str, Any]:
    """The `initiatives` row of a checked record that names no stored initiative; `columns`
    are the record's values that are plain columns (plan.SCALARS and the like)."""
    row = dict(_column_defaults())
    row.update(
        state=State.PUBLISHED.value,
        is_demo=False,
        author_id=by.id if by else None,
        created_at=now,
        updated_at=values.get("updated_at") or now,
        published_at=values.get("published_at"),
        last_confirmed_at=values.get("last_confirmed_at"),
    )
    if values.get("id") is not None:
        row["id"] = values["id"]
    row.update((column, values[column]) for column in columns if column in values)
    row["status_id"] = values["status"].id
    if "effects" in values:
        row["hours_per_year"], row["sek_per_year"] = effects.totals(e for e, _ in values["effects"])
    if row["state"] == State.PUBLISHED and row["published_at"] is None:
        row["published_at"] = now
    row["search_text"] = Initiative.fold(row["title"], row["summary"], row["description"])
    return row


def insert_new(
    session: Session,
    batch: list[dict[str, Any]],
    columns: Sequence[str],
    now: datetime,
    by: User | None,
) -> list[int]:
    """Insert the new initiatives whose checked values are `batch`, with their links,
    effects and "created" revisions; returns their ids in order. Raises IntegrityError (an
    id or external reference already taken) like the ORM would at its flush."""
    rows = [new_row(values, columns, now, by) for values in batch]
    ids = _insert_initiatives(session, rows)
    for name, (link, column, attribute) in LINKS.items():
        links = [
            {"initiative_id": initiative_id, column: getattr(term, attribute)}
            for initiative_id, values in zip(ids, batch, strict=True)
            for term in values.get(name, ())
        ]
        if links:
            session.execute(insert(link), links, execution_options=NAMED)
    stated = [
        {
            "initiative_id": initiative_id,
            "benefit_area_id": term.id if term is not None else None,
            **effect.columns(position),
        }
        for initiative_id, values in zip(ids, batch, strict=True)
        for position, (effect, term) in enumerate(values.get("effects", ()))
    ]
    if stated:
        session.execute(insert(EFFECTS), stated, execution_options=NAMED)
    insert_revisions(
        session, [(initiative_id, Event.CREATED.value, {}) for initiative_id in ids], now, by
    )
    cache.touched(session, ids)
    return ids


def _insert_initiatives(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the rows (all with an id, or none); returns their ids in order.

    Rows without ids get theirs from PostgreSQL's sequence first, so that every batch is a
    plain executemany, which psycopg pipelines with its statement parsed once: a multi-row
    INSERT ... RETURNING of this table's width took it seconds per batch just to parse.
    SQLite hands them back with RETURNING."""
    if rows and "id" not in rows[0]:
        if session.get_bind().dialect.name != "postgresql":
            returning = insert(INITIATIVES).returning(
                INITIATIVES.c.id, sort_by_parameter_order=True
            )
            return list(session.execute(returning, rows, execution_options=NAMED).scalars())
        drawn = session.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('initiatives', 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"count": len(rows)},
        ).scalars()
        for row, initiative_id in zip(rows, sorted(drawn), strict=True):
            row["id"] = initiative_id
    if rows:
        session.execute(insert(INITIATIVES), rows, execution_options=NAMED)
    return [row["id"] for row in rows]


def insert_revisions(
    session: Session,
    entries: list[tuple[int, str, dict[str, Any]]],
    now: datetime,
    by: User | None,
) -> None:
    """One INSERT of the revisions (initiative id, action, changes) of a batch."""
    if entries:
        session.execute(
            insert(REVISIONS),
            [
                {
                    "initiative_id": initiative_id,
                    "user_id": by.id if by else None,
                    "action": action,
                    "changes": json.dumps(changes, ensure_ascii=False, default=str),
                    "created_at": now,
                }
                for initiative_id, action, changes in entries
            ],
        )


def move_id_sequence(session: Session) -> None:
    """PostgreSQL: initiatives written with explicit ids (an import's own, `seed-demo`'s)
    bypass the id sequence; move it past them, so that the next insert gets a free id."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('initiatives', 'id'), "
                "(SELECT coalesce(max(id), 1) FROM initiatives))"
            )
        )
