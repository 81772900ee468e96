"""One initiative as open data: the API item and the row of the CSV/XLSX export.

The JSON API, the GeoJSON export and the spreadsheet exports all serialise through here, so
the field names and values agree everywhere; the importer reads the same `COLUMNS` back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Initiative
from kommunkarta.services.data_io import sources
from kommunkarta.services.data_io.export_records import ExportRecord
from kommunkarta.services.register import initiatives
from kommunkarta.services.register.effects import EffectData
from kommunkarta.services.register.initiatives import visible

# Joins the values of a multi-valued cell (taxonomy slugs, municipality codes). Slugs and codes
# never contain it, and unlike "," or ";" it does not occur in the taxonomy's names either.
SEPARATOR = "|"

# The columns of the CSV and XLSX exports, in order; `import` reads exactly these.
COLUMNS = (
    "id",
    "title",
    "summary",
    "description",
    "lang",
    "status",
    "benefit_areas",
    "areas",
    "technologies",
    "municipalities",
    "start_year",
    "url",
    "contact",
    "lat",
    "lon",
    "state",
    "is_demo",
    "published_at",
    "updated_at",
    "last_confirmed_at",
    "source",
    # the yearly sums of the initiative's effects (services.register.effects); the XLSX
    # export's Effects sheet holds the effects themselves (data_io.effect_sheet)
    "hours_per_year",
    "sek_per_year",
    # the item's costs, reuse and compliance facts (FACTS), one column each
    "investment_sek",
    "running_sek_per_year",
    "procurement",
    "others_may_call_off",
    "supplier",
    "open_source_url",
    "personal_data",
    "dpia",
    "ai_act",
    "fria",
)

LICENCE = sources.CC_BY_4
LICENCE_URL = sources.CC_BY_4_URL
ATTRIBUTION = "Kommunkartan"

# Spreadsheet programs treat a cell starting with = + - @ (or a tab or carriage return) as a
# formula, and several of them (and CSV importers) first drop leading spaces and control
# characters: " =1+1" and "\t=cmd" are formulas too. Full-width ＝ ＋ － ＠ count as well (some
# East Asian settings read them as the ASCII ones). Such text is written with a leading
# apostrophe, as is text that already starts with apostrophes before one of those, so that
# `unguard_formula` reverses it exactly.
_PADDING = r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202f\u2060\ufeff]*"
_FORMULA_START = re.compile(rf"^'*{_PADDING}[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]")
# What import refuses as a formula: "=" (or full-width "＝") after nothing but padding
_FORMULA = re.compile(rf"^{_PADDING}[=\uff1d]")


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC; SQLite hands back naive datetimes, which are UTC too."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.isoformat() + "+00:00"  # as value.replace(tzinfo=UTC).isoformat()
    return value.astimezone(UTC).isoformat()


def guard_formula(text: str) -> str:
    """Text made safe to open in a spreadsheet program (see _FORMULA_START). Text that
    starts with a letter or digit never needs it, which saves an export the pattern for
    most of its cells."""
    if not text or text[0].isalnum():
        return text
    return "'" + text if _FORMULA_START.match(text) else text


def unguard_formula(text: str) -> str:
    """The original text of a cell written by guard_formula."""
    return text[1:] if text.startswith("'") and _FORMULA_START.match(text) else text


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would run this cell as a formula: "=" after nothing but spaces
    and control characters. Import refuses such cells (a guarded one starts with "'")."""
    return bool(_FORMULA.match(text))


def _text_fields(initiative: Initiative | ExportRecord) -> dict[str, Any]:
    """What item and row begin with: the id and the text."""
    return {
        "id": initiative.id,
        "title": initiative.title,
        "summary": initiative.summary or "",
        "description": initiative.description or "",
    }


def to_item(initiative: Initiative) -> dict[str, Any]:
    """The API item of the contract (also the properties of a GeoJSON feature)."""
    municipalities = initiative.municipalities
    has_point = initiative.lat is not None and initiative.lon is not None
    return {
        **_text_fields(initiative),
        "status": initiative.status.slug,
        "benefit_areas": [t.slug for t in initiative.benefit_areas],
        "areas": [t.slug for t in initiative.areas],
        "technologies": [t.slug for t in initiative.technologies],
        "municipalities": [{"code": m.code, "name": m.name} for m in municipalities],
        "region_codes": sorted({m.region_code for m in municipalities}),
        "start_year": initiative.start_year,
        "url": initiative.url or "",
        "contact": initiative.contact or "",
        "location": {"lat": initiative.lat, "lon": initiative.lon} if has_point else None,
        "published_at": timestamp(initiative.published_at),
        "updated_at": timestamp(initiative.updated_at),
        "is_demo": bool(initiative.is_demo),
        "last_confirmed_at": timestamp(initiative.last_confirmed_at),
        "adopted_by": [
            {
                "code": a.municipality.code,
                "name": a.municipality.name,
                "status": a.status.slug,
                "start_year": a.start_year,
            }
            for a in initiative.adoptions
        ],
        "source": sources.attribution_text(initiative),
        **effect_fields(initiative),
        "lang": initiative.lang,
    }


def _figure(value: float | None) -> int | None:
    """A yearly figure as a whole number: they are estimates, so no false precision."""
    return None if value is None else round(value)


def effect_fields(initiative: Initiative) -> dict[str, Any]:
    """The item's effects, yearly figures, costs, reuse and compliance facts."""
    return {
        "effects": [EffectData.of(e).item() for e in initiative.effects],
        "hours_per_year": _figure(initiative.hours_per_year),
        "sek_per_year": _figure(initiative.sek_per_year),
        **facts(initiative),
    }


def facts(initiative: Initiative | ExportRecord) -> dict[str, dict[str, Any]]:
    """The item's `costs`, `reuse` and `compliance` objects."""
    return {
        "costs": {
            "investment_sek": initiative.investment_sek,
            "running_sek_per_year": initiative.running_sek_per_year,
        },
        "reuse": {
            "procurement": initiative.procurement,
            "others_may_call_off": initiative.others_may_call_off,
            "supplier": initiative.supplier or "",
            "open_source_url": initiative.open_source_url or "",
        },
        "compliance": {
            "personal_data": initiative.personal_data,
            "dpia": initiative.dpia,
            "ai_act": initiative.ai_act,
            "fria": initiative.fria,
        },
    }


def _cell(value: Any) -> Any:
    """A value of the item as an export cell: "true" or "false" for a yes or no, anything
    else (None, an empty cell, too) as it is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def to_cells(initiative: ExportRecord) -> list[Any]:
    """The export row, in the order of COLUMNS: lists joined with SEPARATOR, no text is
    None ("" instead), numbers stay numbers for XLSX (None: an empty cell), and the facts
    are as the item has them. A list rather than a mapping by column: it is built for every
    row of every export."""
    return [
        initiative.id,
        initiative.title,
        initiative.summary or "",
        initiative.description or "",
        initiative.lang,
        initiative.status,
        SEPARATOR.join(initiative.benefit_areas),
        SEPARATOR.join(initiative.areas),
        SEPARATOR.join(initiative.technologies),
        SEPARATOR.join(initiative.municipalities),
        initiative.start_year,
        initiative.url or "",
        initiative.contact or "",
        initiative.lat,
        initiative.lon,
        initiative.state,
        _cell(bool(initiative.is_demo)),
        timestamp(initiative.published_at) or "",
        timestamp(initiative.updated_at) or "",
        timestamp(initiative.last_confirmed_at) or "",
        sources.attribution_text(initiative),
        _figure(initiative.hours_per_year),
        _figure(initiative.sek_per_year),
        *(_cell(value) for group in facts(initiative).values() for value in group.values()),
    ]


def selected(
    session: Session, selection: InitiativeFilter, batch: int = 500
) -> Iterator[Initiative]:
    """Every published initiative under the filter, by id, loaded `batch` at a time so that
    an export of the whole data set never holds it all in memory."""
    stmt = (
        selection.apply(visible())
        .order_by(Initiative.id)
        .options(*initiatives.WITH_ADOPTIONS)
        .execution_options(yield_per=batch)
    )
    yield from session.scalars(stmt)
