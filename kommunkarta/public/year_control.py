"""The map's year control: "initiatives started up to year N", kept in the URL as the
`year_to` filter, so that it is shareable and the same filter as everywhere else.

Its range is the first to the last start year of all published initiatives
(`timeline.year_range`); a year outside it clamps to the nearest end. At the last year the
control means "every year", and the filter is left out, so the initiatives without a start
year are shown as well.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from kommunkarta.filters import InitiativeFilter
from kommunkarta.services.places import timeline


@dataclass(frozen=True)
class Position:
    first: int
    last: int
    value: int  # year_to clamped into [first, last]; last when there is none

    @property
    def every_year(self) -> bool:
        return self.value == self.last


def position(session: Session, selection: InitiativeFilter) -> Position | None:
    """Where the control stands for this filter; None when no initiative has a start year."""
    span = timeline.year_range(session)
    if span is None:
        return None
    first, last = span
    chosen = selection.year_to if selection.year_to is not None else last
    return Position(first, last, min(max(chosen, first), last))


def config(session: Session) -> dict[str, int] | None:
    span = timeline.year_range(session)
    return {"first": span[0], "last": span[1]} if span else None


def texts() -> dict[str, str]:
    """What map.js says beside the control, in the current language."""
    return {
        "years_up_to": _("up to %(year)s", year="{year}"),
        "years_all": _("every year"),
    }
