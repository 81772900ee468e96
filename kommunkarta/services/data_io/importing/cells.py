"""Reading one cell of an import file: a value checked by its kind, or a CellError with the
reason, which the row check turns into a row error (row, column, value, reason).

Cells come as a CSV gives them (text) or as an XLSX gives them (int, float, bool, datetime,
None); both read the same. The limits are those of `kommunkarta.rules`; what is particular
to a file is here: a spreadsheet formula is refused, the export's leading apostrophe
(`serialise.guard_formula`) is taken off, and "2020.0" is the year a spreadsheet writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from kommunkarta import rules
from kommunkarta.services.data_io import serialise
from kommunkarta.services.errors import InvalidField

TRUE = frozenset({"true", "1", "yes", "ja", "sant"})
FALSE = frozenset({"false", "0", "no", "nej", "falskt", ""})
# what a time in the file may be: later ones are typing mistakes, and the extremes of
# Python's datetime (years 1 and 9999) overflow when moved between time zones
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)


class CellError(Exception):
    """A cell that breaks a rule; `reason` says which, for the row report."""

    def __init__(self, reason: Any) -> None:
        self.reason = reason


def at(row: list[Any], position: int) -> Any:
    """The cell at `position`, None past the row's end (a CSV line or a sheet's row may stop
    before its last empty cells)."""
    return row[position] if position < len(row) else None


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value: Any) -> str:
    return "" if value is None else str(value)[:80]


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = str(value)
    if serialise.is_formula(raw):
        raise CellError(
            _l("spreadsheet formulas are not accepted; start the text with an apostrophe")
        )
    if "\x00" in raw:
        raise CellError(_l("contains a NUL character"))
    return serialise.unguard_formula(raw)


def _by_rule(value: Any, parse: Callable[[Any], Any], reason: Any) -> Any:
    """The cell read by one of the rules' parsers, None for an empty cell; raises CellError
    with `reason`."""
    if is_empty(value):
        return None
    try:
        return parse(value)
    except InvalidField:
        raise CellError(reason) from None


def integer(value: Any, low: int, high: int) -> int | None:
    """A whole number from `low` to `high` (rules.whole_number; "2020.0" as a spreadsheet
    writes it is fine), None for an empty cell."""
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]+\.0+\s*", value):
        value = value.strip().split(".")[0]
    reason = _l("must be a whole number from %(low)s to %(high)s", low=low, high=high)
    result: int | None = _by_rule(value, lambda v: rules.whole_number(v, "", low, high), reason)
    return result


def number(value: Any, low: float, high: float) -> float | None:
    """A decimal number from `low` to `high` (rules.decimal_number: a decimal comma is
    fine), None for an empty cell."""
    reason = _l("must be a number from %(low)s to %(high)s", low=low, high=high)
    result: float | None = _by_rule(value, lambda v: rules.decimal_number(v, "", low, high), reason)
    return result


def timestamp(value: Any) -> datetime | None:
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise CellError(
                _l("must be a date and time such as 2025-01-31T12:00:00+00:00")
            ) from None
    utc: datetime | None
    try:
        utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-01:00 is in the year 10000 in UTC
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise CellError(
            _l(
                "must be a date between %(first)s and %(last)s",
                first=EARLIEST.year,
                last=LATEST.year,
            )
        )
    return utc


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = text(value).strip().casefold()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise CellError(_l("must be true or false"))
