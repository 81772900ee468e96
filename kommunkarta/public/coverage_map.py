"""The coverage mode of the map (`view=coverage` on `/`) and the coverage figures on /stats:
each municipality shaded by its state (services.register.coverage), with a legend, a table and a
summary line. Styles differ in fill *and* in outline or pattern, so that they do not rest on
colour alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from kommunkarta.models import utcnow
from kommunkarta.public import display
from kommunkarta.services.register import coverage
from kommunkarta.services.register.coverage import CoverageState

# state -> how map.js draws it: fill colour, outline colour, dash pattern (None: solid),
# and whether the fill is hatched
STYLES: dict[CoverageState, dict[str, Any]] = {
    CoverageState.REPORTS: {"fill": "#0072b2", "stroke": "#ffffff", "dash": None, "hatch": False},
    CoverageState.CONFIRMED_NONE: {
        "fill": "#009e73",
        "stroke": "#004d38",
        "dash": "1 3",
        "hatch": False,
    },
    CoverageState.STALE: {"fill": "#e69f00", "stroke": "#7a4d00", "dash": "6 3", "hatch": True},
    CoverageState.UNKNOWN: {"fill": "#f2f2f2", "stroke": "#6b6b6b", "dash": "2 2", "hatch": False},
}


@dataclass(frozen=True)
class CoverageView:
    rows: list[coverage.Coverage]
    summary: coverage.Summary
    months: int

    @property
    def line(self) -> str:
        return summary_line(self)


def load(session: Session) -> CoverageView:
    """Every municipality's state now, under the configured threshold."""
    months = current_app.config["STALE_MONTHS"]
    rows = coverage.municipalities(session, utcnow(), months)
    return CoverageView(rows, coverage.summarise(rows), months)


def summary_line(view: CoverageView) -> str:
    """'289 of 290 municipalities have published initiatives, 275 of them confirmed or updated
    in the last 12 months; 0 said they have none; 1 unknown'. The first figure is the
    one /stats and the map count (a municipality with an initiative or an adoption), so the
    three tell one story; the states in the legend split it further."""
    having = sum(1 for row in view.rows if row.has_initiatives)
    said_none = sum(
        1 for row in view.rows if not row.has_initiatives and row.state is not CoverageState.UNKNOWN
    )
    with_initiatives = display.ngettext(
        "%(num)s of %(all)s municipalities has published initiatives",
        "%(num)s of %(all)s municipalities have published initiatives",
        having,
        all=display.number(view.summary.total),
    )
    fresh = display.ngettext(
        "%(fresh)s of them confirmed or updated in the last month",
        "%(fresh)s of them confirmed or updated in the last %(num)s months",
        view.months,
        fresh=display.number(view.summary[CoverageState.REPORTS]),
    )
    return _(
        "%(with_initiatives)s, %(fresh)s; %(none)s said they have none; %(unknown)s unknown",
        with_initiatives=with_initiatives,
        fresh=fresh,
        none=display.number(said_none),
        unknown=display.number(view.summary[CoverageState.UNKNOWN]),
    )


def map_config(view: CoverageView) -> dict[str, Any]:
    """What map.js needs to draw the coverage mode: {code: [state, date]} and the states."""
    return {
        "view": "coverage",
        "coverage": {
            row.code: [row.state.value, display.date(row.since) if row.since else ""]
            for row in view.rows
        },
        "coverageStates": [
            {
                "key": state.value,
                "label": str(coverage.LABELS[state]),
                "dateText": str(coverage.DATE_LABELS.get(state, "")) % {"date": "{date}"},
                "count": view.summary[state],
                **STYLES[state],
            }
            for state in CoverageState
        ],
    }


def map_texts() -> dict[str, str]:
    """The strings map.js shows for coverage, adoptions and demo data, in the current
    language."""
    return {
        "coverage_title": _("Coverage"),
        "adopted_mark": _("adopted"),
        "demo_mark": _("Example"),
    }
