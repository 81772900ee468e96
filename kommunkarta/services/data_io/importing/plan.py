"""Applying checked rows: each compared with the initiative it names (none: a new one), then
every change written in one transaction, or nothing on a dry run.

- a row for an existing initiative compares only the columns the file has, and a change
  writes a `Revision` (action "edited", changes {field: [old, new]} in slugs and codes, as
  the submission workflow writes them), so importing the same file twice changes nothing
  the second time;
- a new initiative keeps an id the file gives it (data moved from another instance keeps
  its ids) or draws a new one; both write a Revision with action "created";
- `state` defaults to published, `is_demo` to false; `published_at` and `updated_at` are
  kept for new initiatives (now if empty) and left alone on updates, as is
  `last_confirmed_at` (empty if empty).

`import` keys rows by id, `import-pstw` by external reference; both apply through here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from kommunkarta.models import Initiative, State, User
from kommunkarta.services.data_io import effect_sheet
from kommunkarta.services.data_io.importing import batch_insert
from kommunkarta.services.data_io.importing.read import ImportFileError
from kommunkarta.services.data_io.importing.row_check import Record
from kommunkarta.services.register import effects, initiatives
from kommunkarta.services.register.effects import FACT_FIELDS, EffectData
from kommunkarta.services.register.revisions import Event

BATCH = 1000

# stage ("check" or "write"), rows done, rows in all
Progress = Callable[[str, int, int], None]

SCALARS = (
    "title",
    "summary",
    "description",
    "start_year",
    "url",
    "contact",
    "lat",
    "lon",
    # where an initiative from another data set came from: set by import-pstw
    # (services.data_io.pstw)
    "external_ref",
    "source",
    "licence",
    "lang",  # the language of the text: "en" for PSTW cases
    *FACT_FIELDS,  # costs, reuse and compliance
)
LISTS = ("benefit_areas", "areas", "technologies")
# the values a row may give that are columns of the initiative as they are
COLUMNS = (*SCALARS, "state", "is_demo")


def _comparable(initiative: Initiative, column: str) -> Any:
    if column == "status":
        return initiative.status.slug
    if column in LISTS:
        return [t.slug for t in getattr(initiative, column)]
    if column == "municipalities":
        return [m.code for m in initiative.municipalities]
    if column == "state":
        return str(initiative.state)
    if column == "is_demo":
        return bool(initiative.is_demo)
    return getattr(initiative, column)


def _plain(column: str, value: Any) -> Any:
    """A parsed value in the form _comparable gives, for comparing and for the revision."""
    if column == "status":
        return value.slug
    if column in LISTS:
        return [t.slug for t in sorted(value, key=lambda t: t.position)]
    if column == "municipalities":
        return sorted(m.code for m in value)
    return value


def _changes(initiative: Initiative, values: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {}
    for column in (*SCALARS, "status", *LISTS, "municipalities", "state", "is_demo"):
        if column not in values:
            continue
        old, new = _comparable(initiative, column), _plain(column, values[column])
        if column in (*LISTS, "municipalities"):
            same = sorted(old) == sorted(new)
        else:
            same = old == new
        if not same:
            changes[column] = [old, new]
    if "effects" in values:
        old = effect_sheet.plain(EffectData.of(e) for e in initiative.effects)
        new = effect_sheet.plain(e for e, _ in values["effects"])
        if old != new:
            changes["effects"] = [old, new]
    return changes


def assign(initiative: Initiative, values: dict[str, Any], now: datetime) -> None:
    """Write checked values into a stored initiative (what batch_insert.new_row writes for a
    new one)."""
    for column in (*COLUMNS, "status"):
        if column in values:
            setattr(initiative, column, values[column])
    for column in (*LISTS, "municipalities"):
        if column in values:
            key = (lambda m: m.code) if column == "municipalities" else (lambda t: t.position)
            setattr(initiative, column, sorted(values[column], key=key))
    if "effects" in values:
        effects.assign(initiative, values["effects"])
    if initiative.state == State.PUBLISHED and initiative.published_at is None:
        initiative.published_at = now
    initiative.refresh_search_text()


def load_existing(
    session: Session, keys: list[Any], column: Any = Initiative.id
) -> dict[Any, Initiative]:
    """The initiatives whose `column` holds one of `keys`, by that value, with everything
    that _changes compares loaded."""
    found: dict[Any, Initiative] = {}
    for start in range(0, len(keys), BATCH):
        stmt = (
            select(Initiative)
            .where(column.in_(keys[start : start + BATCH]))
            .options(*initiatives.WITH_TERMS)
        )
        found.update((getattr(i, column.key), i) for i in session.scalars(stmt))
    return found


@dataclass
class _Step:
    record: Record
    target: Initiative | None  # None: create
    changes: dict[str, list[Any]]


def _write(session: Session, plan: list[_Step], by: User | None, progress: Progress | None) -> None:
    """Changed initiatives through the ORM (their optimistic lock checks that nobody changed
    them meanwhile), new ones in batched inserts (batch_insert); a revision for each, one
    INSERT per batch."""
    now = datetime.now(UTC)
    updates = [(s.target, s) for s in plan if s.target is not None and s.changes]
    new = [s.record.values for s in plan if s.target is None]
    with_id = [values for values in new if values.get("id") is not None]
    without_id = [values for values in new if values.get("id") is None]
    done = len(plan) - len(updates) - len(new)  # unchanged rows

    def step_done(count: int) -> None:
        nonlocal done
        done += count
        if progress and done < len(plan):
            progress("write", done, len(plan))

    for start in range(0, len(updates), BATCH):
        batch = updates[start : start + BATCH]
        for target, step in batch:
            assign(target, step.record.values, now)
            target.updated_at = now
        session.flush()
        revisions = [(target.id, Event.EDITED.value, step.changes) for target, step in batch]
        batch_insert.insert_revisions(session, revisions, now, by)
        step_done(len(batch))
    for group in (with_id, without_id):
        if group is without_id and with_id:
            batch_insert.move_id_sequence(session)  # explicit ids bypass PostgreSQL's sequence
        for start in range(0, len(group), BATCH):
            rows = group[start : start + BATCH]
            batch_insert.insert_new(session, rows, COLUMNS, now, by)
            step_done(len(rows))
    if with_id and not without_id:
        batch_insert.move_id_sequence(session)
    if progress:
        progress("write", len(plan), len(plan))


def apply(
    session: Session,
    records: list[Record],
    targets: dict[Any, Initiative],
    key: str,
    *,
    dry_run: bool,
    by: User | None,
    progress: Progress | None,
) -> tuple[int, int, int]:
    """Compare each record with the initiative in `targets` under the record's value of
    `key` (none there: a new initiative), then write every change in one transaction,
    committed here, unless this is a dry run. Returns how many are (new, changed,
    unchanged). Raises ImportFileError if an initiative changes under the import."""
    plan = []
    for record in records:
        target = targets.get(record.values.get(key))
        changes = _changes(target, record.values) if target is not None else {}
        plan.append(_Step(record, target, changes))
    created = sum(1 for step in plan if step.target is None)
    updated = sum(1 for step in plan if step.changes)
    counts = (created, updated, len(plan) - created - updated)
    if dry_run:
        session.rollback()
        return counts
    try:
        _write(session, plan, by, progress)
        session.commit()
    except StaleDataError:
        session.rollback()
        raise ImportFileError(
            _l(
                "an initiative changed while the file was imported; nothing was written, "
                "run the import again"
            )
        ) from None
    except BaseException:
        session.rollback()
        raise
    return counts
