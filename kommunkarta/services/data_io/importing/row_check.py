"""Checking one row of an import file in the export's own columns (`serialise.COLUMNS`):
the header first, then each row's cells into values the plan can write (taxonomy terms and
municipalities as loaded from the database), or every problem as a RowError (row number as a
spreadsheet program shows it, column, value, reason).

Municipalities are found by code (a code whose leading zero a spreadsheet dropped is
accepted) or name, taxonomy terms by slug or Swedish or English name, all case-insensitive,
several joined with `serialise.SEPARATOR`. A point must lie in (or within POINT_TOLERANCE
of) one of the initiative's municipalities.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta import rules
from kommunkarta.models import Initiative, Municipality, State, TermModel
from kommunkarta.services import taxonomy
from kommunkarta.services.data_io import serialise, sources
from kommunkarta.services.data_io.importing import cells, facts
from kommunkarta.services.data_io.importing.cells import CellError
from kommunkarta.services.places.geodata import Geodata

REQUIRED_COLUMNS = ("title", "status", "municipalities")
# the export's attribution of initiatives from other data sets ("EU Public Sector Tech Watch,
# PSTW ID 1234, CC BY 4.0"): read back into source, licence and external reference; an empty
# cell leaves them as they are
ATTRIBUTION_COLUMN = "source"
# derived from the effects: read past
IGNORED_COLUMNS = frozenset({"hours_per_year", "sek_per_year"})
MAX_ID = rules.ID_MAX
# the submission form's limits (kommunkarta.rules), description included
LENGTHS = {
    name: rules.LENGTHS[name] for name in ("title", "summary", "description", "url", "contact")
}
# a row's column -> the taxonomy it names terms of (one status, lists of the others)
TERM_COLUMNS: dict[str, TermModel] = {
    ("status" if kind == "statuses" else kind): model for kind, model in taxonomy.KINDS.items()
}
# degrees (about a kilometre): the served boundaries are simplified, and a point rounded to
# five decimals may fall just outside a border it lies on
POINT_TOLERANCE = 0.01
SHORT_CODE = re.compile(r"^[0-9]{1,4}$")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str

    def line(self) -> str:
        """As a report prints it: row 7, column url: “ftp://x” must be a web address ..."""
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        value = f" “{self.value}”" if self.value else ""
        return f"{where}:{value} {self.reason}"


@dataclass
class Record:
    """A checked row: its number in the file and its values by column."""

    row: int
    values: dict[str, Any]


def header_errors(header: list[str]) -> list[RowError]:
    names = [h.strip().lower() for h in header]
    if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
        return [
            RowError(
                1,
                "",
                header[0][:80],
                _l("the columns must be separated by commas (save as “CSV UTF-8”)"),
            )
        ]
    errors = []
    seen: set[str] = set()
    for raw, name in zip(header, names, strict=True):
        if name not in serialise.COLUMNS:
            errors.append(RowError(1, raw, raw, _l("unknown column")))
        elif name in seen:
            errors.append(RowError(1, raw, raw, _l("the column appears twice")))
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            errors.append(RowError(1, name, "", _l("a required column is missing")))
    if ("lat" in seen) != ("lon" in seen):
        missing = "lon" if "lat" in seen else "lat"
        errors.append(RowError(1, missing, "", _l("lat and lon come together")))
    return errors


@dataclass
class Vocabulary:
    """What names in the file may refer to, loaded once."""

    terms: dict[str, dict[str, Any]]  # column -> folded slug or name -> term
    municipalities: dict[str, Municipality]  # code -> municipality
    municipality_names: dict[str, Municipality]  # folded name -> municipality

    @classmethod
    def load(cls, session: Session) -> Vocabulary:
        terms = {}
        for column, model in TERM_COLUMNS.items():
            lookup: dict[str, Any] = {}
            rows = list(session.scalars(select(model).order_by(model.position)))
            now = taxonomy.standing_for(rows)  # a merged term's slug or name: what it became
            for term in rows:
                for key in (term.name_en, term.name_sv, term.slug):
                    lookup[key.strip().casefold()] = now[term.slug]
            terms[column] = lookup
        places = list(session.scalars(select(Municipality)))
        return cls(
            terms,
            {m.code: m for m in places},
            {m.name.casefold(): m for m in places},
        )

    def term(self, column: str, name: str) -> Any:
        found = self.terms[column].get(name.strip().casefold())
        if found is None:
            raise CellError(_l("unknown value; see /api/v1/taxonomy for the slugs"))
        return found

    def municipality(self, name: str) -> Municipality:
        name = name.strip()
        if SHORT_CODE.match(name):
            found = self.municipalities.get(name.zfill(4))
        else:
            found = self.municipality_names.get(name.casefold())
        if found is None:
            raise CellError(_l("no municipality has this code or name"))
        return found


def _names(value: Any) -> list[str]:
    raw = cells.text(value)
    return [part.strip() for part in raw.split(serialise.SEPARATOR) if part.strip()]


def initiative_id(value: Any) -> int | None:
    """An `id` cell's initiative id, None if empty; raises CellError. The importer reads the
    ids by this rule too before the rows are checked, to load the initiatives they update:
    read otherwise there, a row's initiative could go unloaded and the row be taken for a
    new one."""
    return cells.integer(value, 1, MAX_ID)


def _parse(column: str, value: Any, vocabulary: Vocabulary) -> Any:
    """The value of one cell, checked; raises CellError with the reason."""
    if column == "id":
        return initiative_id(value)
    if column in LENGTHS:
        result = cells.text(value)
        result = result if column == "description" else result.strip()
        if column == "title" and not result:
            raise CellError(_l("is required"))
        if len(result) > LENGTHS[column]:
            raise CellError(_l("may be at most %(max)s characters", max=LENGTHS[column]))
        if column == "url" and result and not rules.is_web_url(result):
            raise CellError(_l("must be a web address starting with http:// or https://"))
        return result
    if column == "status":
        name = cells.text(value).strip()
        if not name:
            raise CellError(_l("is required"))
        return vocabulary.term(column, name)
    if column in TERM_COLUMNS:
        return list(dict.fromkeys(vocabulary.term(column, n) for n in _names(value)))
    if column == "municipalities":
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(cells.integer(value, 1, 9999))  # one code typed as a number
        chosen = list(dict.fromkeys(vocabulary.municipality(n) for n in _names(value)))
        if not chosen:
            raise CellError(_l("at least one municipality is required"))
        return chosen
    if column == "start_year":
        return cells.integer(value, rules.YEAR_MIN, rules.year_max())
    if column == "lat":
        return cells.number(value, -90, 90)
    if column == "lon":
        return cells.number(value, -180, 180)
    if column == "state":
        state = cells.text(value).strip().lower() or State.PUBLISHED.value
        if state not in {s.value for s in State}:
            raise CellError(_l("must be draft, submitted, published or rejected"))
        return state
    if column == "is_demo":
        return cells.boolean(value)
    if column in facts.COLUMNS:
        return facts.cell(column, value)
    return cells.timestamp(value)  # published_at, updated_at, last_confirmed_at


def check_row(
    number: int,
    row: list[Any],
    columns: list[str],
    vocabulary: Vocabulary,
    geodata: Geodata,
    existing: Mapping[Any, Initiative],
) -> tuple[Record | None, list[RowError]]:
    """The row's values, or None and every problem of the row; `existing` holds the stored
    initiatives by id, whose facts a row's rules are judged with where the file leaves them
    (`facts.problems`)."""
    errors: list[RowError] = []
    extra = [c for c in row[len(columns) :] if c is not None and str(c).strip()]
    if extra:
        errors.append(
            RowError(number, "", cells.shown(extra[0]), _l("a value outside the columns"))
        )
    values: dict[str, Any] = {}
    for position, column in enumerate(columns):
        if column in IGNORED_COLUMNS:
            continue
        raw = cells.at(row, position)
        if column == ATTRIBUTION_COLUMN:
            text = serialise.unguard_formula(str(raw or "")).strip()
            values.update(sources.from_attribution(text))
            continue
        try:
            if isinstance(raw, float) and not math.isfinite(raw):  # an XLSX cell of 1e999
                raise CellError(_l("must be a finite number"))
            values[column] = _parse(column, raw, vocabulary)
        except CellError as bad:
            errors.append(RowError(number, column, cells.shown(raw), bad.reason))
    if not values.get(facts.LANG):
        values.pop(facts.LANG, None)  # an empty cell leaves the language as it is
    for column, reason in facts.problems(values, columns, existing.get(values.get("id"))):
        raw = cells.at(row, columns.index(column))
        errors.append(RowError(number, column, cells.shown(raw), reason))
    lat, lon = values.get("lat"), values.get("lon")
    if (lat is None) != (lon is None):
        column = "lon" if lat is not None else "lat"
        errors.append(RowError(number, column, "", _l("give both lat and lon, or neither")))
    elif lat is not None and lon is not None and values.get("municipalities"):
        places = values["municipalities"]
        if not any(geodata.near(m.code, lat, lon, POINT_TOLERANCE) for m in places):
            errors.append(
                RowError(
                    number,
                    "lat",
                    f"{lat}, {lon}",
                    _l("the point lies outside the initiative's municipalities"),
                )
            )
    return (None if errors else Record(number, values)), errors
