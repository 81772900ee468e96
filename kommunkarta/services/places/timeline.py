"""The register over the years: published initiatives under a filter by start year.

One GROUP BY (start year, status) per filter, cached until the next write like every count
(`kommunkarta.cache`); the API's timeline, the year-by-status charts and the map's year
control all read it. Initiatives without a start year are left out, so the timeline adds up
to the count of initiatives *with* a start year under the same filter. Years between the
first and the last with no initiative are there with zero, so a chart has no holes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta import cache
from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Initiative
from kommunkarta.services import taxonomy
from kommunkarta.services.register import initiatives


@dataclass(frozen=True)
class Year:
    """One year of the timeline: its count, and the count of each status (taxonomy order)."""

    year: int
    count: int
    by_status: tuple[int, ...]


@dataclass(frozen=True)
class Timeline:
    statuses: list[taxonomy.Term]
    years: list[Year]

    @property
    def total(self) -> int:
        return sum(y.count for y in self.years)

    @property
    def peak(self) -> int:
        return max((y.count for y in self.years), default=0)


def _counts(session: Session, selection: InitiativeFilter) -> dict[tuple[int, int], int]:
    """(start year, status id) -> published initiatives under the filter."""

    def load() -> dict[tuple[int, int], int]:
        by_year = initiatives.from_memory(
            session, selection, lambda c: c.by_year_and_status(selection)
        )
        if by_year is not None:
            return by_year
        stmt = (
            selection.apply(
                initiatives.visible(
                    select(Initiative.start_year, Initiative.status_id, func.count(Initiative.id))
                )
            )
            .where(Initiative.start_year.is_not(None))
            .group_by(Initiative.start_year, Initiative.status_id)
        )
        return {(year, status): n for year, status, n in session.execute(stmt)}

    return cache.cached(session, ("timeline", cache.filter_key(selection)), load)


def timeline(session: Session, selection: InitiativeFilter) -> Timeline:
    """Every year from the first start year to the last under the filter, by status."""
    statuses = taxonomy.terms(session, "statuses")
    counts = _counts(session, selection)
    if not counts:
        return Timeline(statuses, [])
    first = min(year for year, _ in counts)
    last = max(year for year, _ in counts)
    years = []
    for year in range(first, last + 1):
        by_status = tuple(counts.get((year, status.id), 0) for status in statuses)
        years.append(Year(year, sum(by_status), by_status))
    return Timeline(statuses, years)


def year_range(session: Session) -> tuple[int, int] | None:
    """The first and last start year of all published initiatives (None if none has one):
    the range of the map's year control."""
    years = [year for year, _ in _counts(session, InitiativeFilter())]
    return (min(years), max(years)) if years else None
