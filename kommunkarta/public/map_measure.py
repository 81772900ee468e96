"""What the map colours its areas by (`measure=initiatives|hours|sek`): the number of
initiatives, or the sums of their hours or kronor per year. The sums are the municipalities'
own estimates, so every view of them says so, and how many initiatives state one."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from kommunkarta.filters import InitiativeFilter
from kommunkarta.public import display
from kommunkarta.services.register import initiatives
from kommunkarta.services.register.initiatives import Figures

MEASURES = ("initiatives", "hours", "sek")


def by_place(session: Session, selection: InitiativeFilter, level: str) -> dict[str, Figures]:
    """Every area's figures at `level` under the filter (the counts the API gives)."""
    if level == "region":
        return initiatives.figures_by_region(session, selection)
    return initiatives.figures_by_municipality(session, selection)


def values(figures: dict[str, Figures], measure: str) -> dict[str, int]:
    """What the areas are coloured by; areas with nothing are left out."""
    pick = {
        "initiatives": lambda f: f.count,
        "hours": lambda f: round(f.hours_per_year),
        "sek": lambda f: round(f.sek_per_year),
    }[measure]
    return {code: pick(f) for code, f in figures.items() if pick(f)}


def area_values(
    session: Session,
    selection: InitiativeFilter,
    level: str,
    measure: str,
    counts: dict[str, int],
) -> dict[str, int]:
    """What each area at `level` is coloured by: `counts`, its number of initiatives under
    the filter, or its sum of hours or kronor a year."""
    if measure == "initiatives":
        return counts
    return values(by_place(session, selection, level), measure)


def value_text(measure: str, n: int) -> str:
    """One area's value in words: '11 initiatives', '≈ 1 200 hours a year' or '≈ 56 000
    kronor a year'."""
    if measure == "hours":
        return _("≈ %(n)s hours a year", n=display.number(n))
    if measure == "sek":
        return _("≈ %(n)s kronor a year", n=display.number(n))
    return display.ngettext("%(num)s initiative", "%(num)s initiatives", n)


def legend_title(measure: str) -> str:
    """The heading of the legend: what the colours stand for."""
    if measure == "initiatives":
        return _("Initiatives")
    return texts()[f"legend_{measure}"]


def note(session: Session, selection: InitiativeFilter, measure: str) -> str:
    """'≈ 125 000 hours a year in all, the municipalities' own estimates: 41 of 143
    initiatives state one.' Empty for the measure `initiatives`."""
    if measure == "initiatives":
        return ""
    total = initiatives.figures(session, selection)
    if measure == "hours":
        stating, amount = total.with_hours, round(total.hours_per_year)
    else:
        stating, amount = total.with_sek, round(total.sek_per_year)
    return _(
        "%(amount)s in all, the municipalities' own estimates: %(carrying)s.",
        amount=value_text(measure, amount),
        carrying=carrying(total, stating),
    )


def carrying(total: Figures, stating: int) -> str:
    """'41 of 143 initiatives state one'."""
    return ngettext(
        "%(stating)s of %(total)s initiative states one",
        "%(stating)s of %(total)s initiatives state one",
        total.count,
        stating=display.number(stating),
        total=display.number(total.count),
    )


def legend_note(session: Session, selection: InitiativeFilter, measure: str) -> str:
    """The legend's shorter note: how many of the initiatives state a figure."""
    if measure == "initiatives":
        return ""
    total = initiatives.figures(session, selection)
    return carrying(total, total.with_hours if measure == "hours" else total.with_sek) + "."


def texts() -> dict[str, str]:
    """The words map.js needs for each measure ({n} where it puts the number)."""
    return {
        "legend_hours": _("Hours a year (own estimates)"),
        "legend_sek": _("Kronor a year (own estimates)"),
        "value_hours": _("≈ %(n)s hours a year", n="{n}"),
        "value_sek": _("≈ %(n)s kronor a year", n="{n}"),
    }
