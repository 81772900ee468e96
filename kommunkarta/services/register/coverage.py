"""Coverage: where each of the 290 municipalities stands in the register.

- *reports initiatives*: it takes part in, or has adopted, at least one published initiative,
  and at least one of them was confirmed or updated within the stale threshold;
- *confirmed none*: it has no published initiative and a coordinator of it or a moderator
  stated so within the threshold;
- *stale*: the newest of those confirmations or updates is older than the threshold;
- *unknown*: no published initiative and no statement, ever.

What the states are computed from (the newest date per municipality) is cached until the
next write; the states themselves depend on `now` and the threshold, which callers pass.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta import cache
from kommunkarta.models import (
    Adoption,
    Initiative,
    Municipality,
    NoneConfirmation,
    User,
    initiative_municipalities,
)
from kommunkarta.services.errors import InvalidField, NotAllowed, NotFound
from kommunkarta.services.register import initiatives, permissions
from kommunkarta.services.register.freshness import aware, cutoff


class CoverageState(enum.StrEnum):
    REPORTS = "reports"
    CONFIRMED_NONE = "none"
    UNKNOWN = "unknown"
    STALE = "stale"


LABELS = {
    CoverageState.REPORTS: _l("Reports initiatives"),
    CoverageState.CONFIRMED_NONE: _l("Confirmed none"),
    CoverageState.UNKNOWN: _l("Unknown"),
    CoverageState.STALE: _l("Stale"),
}
# What the date beside a state means.
DATE_LABELS = {
    CoverageState.REPORTS: _l("last confirmed or updated %(date)s"),
    CoverageState.CONFIRMED_NONE: _l("confirmed none on %(date)s"),
    CoverageState.STALE: _l("nothing confirmed since %(date)s"),
}


@dataclass(frozen=True)
class Evidence:
    """What a municipality's state rests on."""

    latest_initiative: datetime | None  # newest confirmation or update of what it reports
    none_confirmed_at: datetime | None


@dataclass(frozen=True)
class Coverage:
    code: str
    name: str
    region_code: str
    state: CoverageState
    since: datetime | None  # the date the state rests on; None when unknown
    has_initiatives: bool  # takes part in or has adopted a published initiative

    @property
    def label(self) -> str:
        return str(LABELS[self.state])


def evidence(session: Session) -> dict[str, Evidence]:
    """Per municipality code with any published initiative, adoption or statement: the dates
    its state rests on. Cached until the next write."""

    def load() -> dict[str, Evidence]:
        link = initiative_municipalities
        published = initiatives.visible(
            select(
                link.c.municipality_code,
                func.max(Initiative.updated_at),
                func.max(Initiative.last_confirmed_at),
            ).select_from(link.join(Initiative, Initiative.id == link.c.initiative_id))
        ).group_by(link.c.municipality_code)
        latest: dict[str, datetime] = {}

        def note(code: str, *moments: datetime | None) -> None:
            for moment in moments:
                if moment is not None and (code not in latest or aware(moment) > latest[code]):
                    latest[code] = aware(moment)

        for code, updated, confirmed in session.execute(published):
            note(code, updated, confirmed)
        adopted = initiatives.visible(
            select(Adoption.municipality_code, func.max(Adoption.confirmed_at)).join(
                Initiative, Initiative.id == Adoption.initiative_id
            )
        ).group_by(Adoption.municipality_code)
        for code, confirmed in session.execute(adopted):
            note(code, confirmed)
        statements = {
            code: aware(moment)
            for code, moment in session.execute(
                select(NoneConfirmation.municipality_code, NoneConfirmation.confirmed_at)
            )
        }
        return {
            code: Evidence(latest.get(code), statements.get(code))
            for code in latest.keys() | statements.keys()
        }

    return cache.cached(session, "coverage.evidence", load)


def state_of(
    found: Evidence | None, now: datetime, months: int
) -> tuple[CoverageState, datetime | None]:
    """The state and its date from what a municipality's state rests on."""
    moment = cutoff(now, months)
    if found is None:
        return CoverageState.UNKNOWN, None
    if found.latest_initiative is not None:
        fresh = found.latest_initiative >= moment
        return (CoverageState.REPORTS if fresh else CoverageState.STALE), found.latest_initiative
    if found.none_confirmed_at is not None:
        fresh = found.none_confirmed_at >= moment
        state = CoverageState.CONFIRMED_NONE if fresh else CoverageState.STALE
        return state, found.none_confirmed_at
    return CoverageState.UNKNOWN, None


def municipalities(session: Session, now: datetime, months: int) -> list[Coverage]:
    """All municipalities by code with their state at `now` under the threshold."""
    found = evidence(session)
    out = []
    for place in initiatives.municipalities(session):
        here = found.get(place.code)
        state, since = state_of(here, now, months)
        has_initiatives = here is not None and here.latest_initiative is not None
        out.append(
            Coverage(place.code, place.name, place.region_code, state, since, has_initiatives)
        )
    return out


def looked_after(session: Session, by: User | None, now: datetime, months: int) -> list[Coverage]:
    """The municipalities `by` follows up: a coordinator's own, or for staff those that ask
    for attention, the unknown first, then the stale. Raises NotAllowed unless signed in."""
    by = permissions.require_signed_in(by)
    rows = municipalities(session, now, months)
    if permissions.is_staff(by):
        attention = [r for r in rows if r.state in (CoverageState.UNKNOWN, CoverageState.STALE)]
        return sorted(attention, key=lambda r: (r.state != CoverageState.UNKNOWN, r.code))
    own = permissions.own_codes(by)
    return [r for r in rows if r.code in own]


@dataclass(frozen=True)
class Summary:
    total: int
    counts: dict[CoverageState, int]

    def __getitem__(self, state: CoverageState) -> int:
        return self.counts.get(state, 0)


def summarise(rows: list[Coverage]) -> Summary:
    """How many of `rows` are in each state."""
    return Summary(len(rows), dict(Counter(row.state for row in rows)))


def summary(session: Session, now: datetime, months: int) -> Summary:
    """How many municipalities are in each state."""
    return summarise(municipalities(session, now, months))


def confirm_none(session: Session, code: str, by: User | None, now: datetime) -> NoneConfirmation:
    """State, at `now`, that a municipality has no AI initiatives. Raises NotAllowed (not a
    coordinator of it, nor staff), NotFound (no such municipality) or InvalidField when it
    takes part in or has adopted a published initiative."""
    by = permissions.require_signed_in(by)
    municipality = session.get(Municipality, code)
    if municipality is None:
        raise NotFound()
    if not permissions.may_confirm_none(by, code):
        raise NotAllowed()
    if has_published(session, code):
        raise InvalidField(
            "municipality",
            _l(
                "%(name)s has published initiatives, so it cannot confirm that it has none.",
                name=municipality.name,
            ),
        )
    statement = session.get(NoneConfirmation, code)
    if statement is None:
        statement = NoneConfirmation(municipality_code=code)
        session.add(statement)
    statement.confirmed_at = now
    statement.confirmed_by_id = by.id
    session.commit()
    return statement


def has_published(session: Session, code: str) -> bool:
    """Whether the municipality takes part in or has adopted a published initiative."""
    link = initiative_municipalities
    taking_part = initiatives.visible(
        select(link.c.initiative_id)
        .join(Initiative, Initiative.id == link.c.initiative_id)
        .where(link.c.municipality_code == code)
    )
    adopted = initiatives.visible(
        select(Adoption.initiative_id)
        .join(Initiative, Initiative.id == Adoption.initiative_id)
        .where(Adoption.municipality_code == code)
    )
    return bool(
        session.scalar(select(taking_part.exists())) or session.scalar(select(adopted.exists()))
    )
