"""How fresh the register is: the stale threshold, which published initiatives and adoptions
nobody has confirmed or updated within it, and "still correct".

An initiative is fresh while its last confirmation (`last_confirmed_at`: publishing it, or a
coordinator's "still correct") or its last update (`updated_at`) lies within the threshold;
an adoption while its `confirmed_at` does. Every function takes `now` explicitly, so tests
use fixed clocks.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from kommunkarta import cache
from kommunkarta.db import AnySelect
from kommunkarta.models import (
    Adoption,
    Initiative,
    Role,
    User,
    initiative_municipalities,
)
from kommunkarta.services.errors import NotFound
from kommunkarta.services.register import permissions, submissions
from kommunkarta.services.register.initiatives import PUBLIC, Page
from kommunkarta.services.register.revisions import Event, record
from kommunkarta.services.register.workflow import Action


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time we store is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def months_before(now: datetime, months: int) -> datetime:
    """The same moment `months` calendar months earlier (the 31st becomes the month's end)."""
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)


def last_vouched(initiative: Initiative) -> datetime:
    """The later of an initiative's last confirmation and its last update."""
    moments = [aware(m) for m in (initiative.last_confirmed_at, initiative.updated_at) if m]
    return max(moments)


def cutoff(now: datetime, months: int) -> datetime:
    """Whatever was last confirmed or updated before this moment is stale: the start of the
    same day `months` calendar months ago. Whole days, as the pages show them, and the same
    moment all day long, so that counts can be cached (kommunkarta.cache)."""
    return months_before(now.replace(hour=0, minute=0, second=0, microsecond=0), months)


def is_stale(initiative: Initiative, now: datetime, months: int) -> bool:
    return last_vouched(initiative) < cutoff(now, months)


@dataclass(frozen=True)
class Due:
    """A published initiative to review and when it was last confirmed or updated."""

    initiative: Initiative
    since: datetime


def _due(initiatives: list[Initiative]) -> list[Due]:
    return [Due(i, last_vouched(i)) for i in initiatives]


def _stale_initiative(moment: datetime) -> ColumnElement[bool]:
    return and_(
        PUBLIC,
        Initiative.updated_at < moment,
        or_(Initiative.last_confirmed_at.is_(None), Initiative.last_confirmed_at < moment),
    )


def _stale_adoption(moment: datetime) -> ColumnElement[bool]:
    return and_(Adoption.confirmed_at < moment, PUBLIC)


def _involving(codes: tuple[str, ...]) -> ColumnElement[bool]:
    link = initiative_municipalities
    return Initiative.id.in_(
        select(link.c.initiative_id).where(link.c.municipality_code.in_(codes))
    )


def _scope(by: User) -> tuple[str, ...] | None:
    """The municipality codes whose items `by` looks after; None for staff (all of them)."""
    if permissions.is_staff(by):
        return None
    return tuple(sorted(permissions.own_codes(by)))


def stale_initiatives(
    session: Session,
    by: User | None,
    now: datetime,
    months: int,
    page: int = 1,
    per_page: int = 50,
) -> Page[Due]:
    """Published initiatives (as `Due`) not confirmed or updated within `months`, the
    longest unchanged first: a coordinator's own (involving their municipalities) or, for
    staff, all. Raises NotAllowed unless signed in."""
    by = permissions.require_signed_in(by)
    condition = _stale_for(by, cutoff(now, months))
    total = _initiative_total(session, by, cutoff(now, months))
    stmt = (
        select(Initiative)
        .where(condition)
        .options(selectinload(Initiative.municipalities))
        .order_by(Initiative.updated_at, Initiative.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(_due(list(session.scalars(stmt))), total, page, per_page)


def _stale_for(by: User, moment: datetime) -> ColumnElement[bool]:
    """The stale published initiatives `by` looks after."""
    condition = _stale_initiative(moment)
    codes = _scope(by)
    return condition if codes is None else and_(condition, _involving(codes))


def _initiative_total(session: Session, by: User, moment: datetime) -> int:
    """How many stale initiatives `by` looks after; cached until the next write, since
    counting them all for staff reads every published row (about 0.2 s at 100,000)."""
    key = ("freshness.stale", _scope(by), moment)
    return cache.cached(
        session,
        key,
        lambda: (
            session.scalar(select(func.count(Initiative.id)).where(_stale_for(by, moment))) or 0
        ),
    )


def _adoptions(by: User, moment: datetime) -> AnySelect:
    stmt = (
        select(Adoption)
        .join(Initiative, Initiative.id == Adoption.initiative_id)
        .where(_stale_adoption(moment))
    )
    codes = _scope(by)
    if codes is not None:
        stmt = stmt.where(Adoption.municipality_code.in_(codes))
    return stmt


def stale_adoptions(
    session: Session, by: User | None, now: datetime, months: int, limit: int = 100
) -> list[Adoption]:
    """Adoptions not confirmed within `months` (a coordinator's own municipalities', or all
    for staff), the oldest first, at most `limit`. Raises NotAllowed unless signed in."""
    by = permissions.require_signed_in(by)
    stmt = (
        _adoptions(by, cutoff(now, months))
        .options(selectinload(Adoption.initiative), selectinload(Adoption.municipality))
        .order_by(Adoption.confirmed_at, Adoption.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def stale_count(session: Session, by: User | None, now: datetime, months: int) -> int:
    """How many initiatives and adoptions `by` has to review."""
    by = permissions.require_signed_in(by)
    moment = cutoff(now, months)
    adoptions = _adoptions(by, moment).with_only_columns(func.count(Adoption.id))
    return _initiative_total(session, by, moment) + (session.scalar(adoptions) or 0)


def confirm(session: Session, initiative_id: int, by: User | None, now: datetime) -> Initiative:
    """Record that a published initiative is still correct, with a revision. Raises NotFound,
    NotAllowed or Conflict (not published).

    The row's version does not change: a confirmation must not turn somebody's open edit of
    the same initiative into a conflict."""
    initiative = submissions.get(session, initiative_id, by, Action.CONFIRM)
    before = initiative.last_confirmed_at
    session.execute(
        update(Initiative)
        .where(Initiative.id == initiative.id)
        .values(last_confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    record(
        session,
        initiative,
        by,
        Event.CONFIRMED,
        {"last_confirmed_at": [_iso(before), _iso(now)]},
    )
    session.commit()
    session.refresh(initiative)
    return initiative


def confirm_adoption(
    session: Session, adoption_id: int, by: User | None, now: datetime
) -> Adoption:
    """Record that a municipality still uses what it adopted. Raises NotFound (also for
    someone who may not see it) or NotAllowed."""
    by = permissions.require_signed_in(by)
    adoption = session.get(Adoption, adoption_id)
    if adoption is None:
        raise NotFound()
    if not (permissions.is_staff(by) or adoption.municipality_code in permissions.own_codes(by)):
        raise NotFound()
    adoption.confirmed_at = now
    session.commit()
    return adoption


def _iso(moment: datetime | None) -> str | None:
    return aware(moment).isoformat() if moment else None


@dataclass(frozen=True)
class Reminder:
    """What one coordinator is asked to review."""

    user: User
    initiatives: list[Due]
    adoptions: list[Adoption]

    @property
    def size(self) -> int:
        return len(self.initiatives) + len(self.adoptions)


def reminders(session: Session, now: datetime, months: int) -> list[Reminder]:
    """Every active coordinator with something stale, by e-mail address."""
    coordinators = session.scalars(
        select(User)
        .where(User.role == Role.COORDINATOR, User.active.is_(True))
        .options(selectinload(User.municipalities))
        .order_by(User.email)
    )
    out = []
    for user in coordinators:
        if not permissions.own_codes(user):
            continue
        condition = _stale_for(user, cutoff(now, months))
        stale = _due(
            list(
                session.scalars(
                    select(Initiative)
                    .where(condition)
                    .options(selectinload(Initiative.municipalities))
                    .order_by(Initiative.updated_at, Initiative.id)
                )
            )
        )
        adopted = stale_adoptions(session, user, now, months, limit=1000)
        if stale or adopted:
            out.append(Reminder(user, stale, adopted))
    return out
