"""Field rules: the one definition of every limit a value from outside must keep.

Forms, services, the filter, the importers (`import`, `import-pstw`), adoption, the CLI and the
OpenAPI document all read their limits here, so that nothing one door refuses can come in
through another. Where two places used to disagree the stricter rule won: a stored start year
lies from 1990 (the submission rules) rather than 1950 (the importer's, taken from the filter)
up to the current year rather than 2100; the filter's bounds stay 1950-2100, as a query stores
nothing and the map's year control clamps them; an imported description is capped at 20,000
characters like the form's; the importer's web-address regex gave way to `is_web_url`; one
e-mail rule.

Numbers from outside (an id, page, per_page, version, year or code in a URL, a form, a file or
the environment) go through `whole_number`: ASCII digits only (`int()` takes "²" for nothing
and "٣" for 3), within the range the column can hold; numbers with a fraction (an effect's
amount, a coordinate) through `decimal_number`, which also takes the Swedish decimal comma and
spaces between thousands but never what `float()` takes beyond that ("nan", "inf", "1e400",
Unicode digits). Both raise `InvalidField`, which a view answers with a 400, a form shows
beside its field and an importer reports as a row error.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BaseConverter, ValidationError

from kommunkarta.services.errors import InvalidField

# --- numbers ---------------------------------------------------------------------------------

# ids are INTEGER columns: 32 bits on PostgreSQL (SQLite would hold 63); a larger number
# cannot name a row, so it is "not there" (404) rather than sent to the database
ID_MAX = 2**31 - 1
# an optimistic-locking version (Initiative.version, INTEGER)
VERSION_MAX = 2**31 - 1
PAGE_MAX = 10_000_000
API_PER_PAGE_MAX = 200
PLACE_LEVELS = ("municipality", "region")  # a map, a count or a place search by these
DIGITS = re.compile(r"[0-9]+")
# Text someone types into a search (the filter's q, a place search): any letters but no
# control characters (Unicode category Cc, exactly these ranges). The OpenAPI document
# states the same as patterns; a place search must also hold more than white space.
_NO_CONTROL = r"[^\u0000-\u001f\u007f-\u009f]"
SEARCH_TEXT_PATTERN = rf"^{_NO_CONTROL}*$"
PLACE_SEARCH_PATTERN = rf"^{_NO_CONTROL}*[^\s\u0000-\u001f\u007f-\u009f]{_NO_CONTROL}*$"


def whole_number(raw: object, field: str, low: int, high: int) -> int:
    """`raw` as an int from `low` to `high`; raises InvalidField naming `field` otherwise.

    Accepts a string of ASCII digits with blanks around it, and (for spreadsheet cells) an
    int or a float with no fractional part; never a bool, a sign, a Unicode digit, or a
    number too long to convert."""
    value: int | None = None
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        value = int(raw) if raw.is_integer() else None  # NaN and infinities are not integers
    elif isinstance(raw, str):
        text = raw.strip()
        # more digits than the bound has (leading zeros aside) is out of range: never int()
        if DIGITS.fullmatch(text) and len(text.lstrip("0")) <= len(str(high)):
            value = int(text)
    if value is None or not low <= value <= high:
        message = _l(
            "%(name)s must be a whole number from %(low)s to %(high)s",
            name=field,
            low=low,
            high=high,
        )
        raise InvalidField(field, message, _shown(raw))
    return value


# a number with an optional fraction after "." or a Swedish decimal comma: "2,5", "-0.75", ",5"
DECIMAL = re.compile(r"-?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
# what people put between thousands ("10 000", with a no-break or narrow no-break space too)
THOUSANDS = str.maketrans("", "", " \u00a0\u202f")
# beyond this a float no longer holds every whole number exactly (2**53 is about 9e15): no
# amount, cost or coordinate comes near it
DECIMAL_MAX = 10**15
DECIMAL_LENGTH_MAX = 40


def decimal_number(raw: object, field: str, low: float, high: float) -> float:
    """`raw` as a float from `low` to `high`; raises InvalidField naming `field` otherwise.

    Accepts a string of ASCII digits with at most one "." or "," before the fraction, a
    leading minus ("-" or "−"), spaces between thousands and blanks around; and (for
    spreadsheet cells) an int or a finite float. Never a bool, NaN, an infinity, an
    exponent, a Unicode digit, or a string too long to be a figure."""
    value: float | None = None
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int):
        value = float(raw) if low <= raw <= high else None  # float() of a huge int overflows
    elif isinstance(raw, float):
        value = raw if math.isfinite(raw) else None
    elif isinstance(raw, str):
        text = raw.strip().translate(THOUSANDS).replace("\u2212", "-")
        if len(text) <= DECIMAL_LENGTH_MAX and DECIMAL.fullmatch(text):
            value = float(text.replace(",", "."))
    if value is None or not low <= value <= high:
        message = _l(
            "%(name)s must be a number from %(low)s to %(high)s", name=field, low=low, high=high
        )
        raise InvalidField(field, message, _shown(raw))
    return value


def record_id(raw: object, field: str = "id") -> int:
    """An id of a stored row, 1 to ID_MAX."""
    return whole_number(raw, field, 1, ID_MAX)


def version(raw: object, field: str = "version") -> int:
    """The version a form was opened at, 1 to VERSION_MAX."""
    return whole_number(raw, field, 1, VERSION_MAX)


def _shown(raw: object) -> str:
    return "" if raw is None else str(raw)[:80]


# --- years -----------------------------------------------------------------------------------

YEAR_MIN = 1990


def year_max() -> int:
    """The latest start year: this year (an initiative that has not started has none)."""
    return datetime.now(UTC).year


def year_message() -> LazyString:
    return _l("Give a year from %(low)s to %(high)s.", low=YEAR_MIN, high=year_max())


def start_year(raw: object, field: str = "start_year") -> int:
    """A start year, YEAR_MIN to this year; raises InvalidField with the form's message."""
    try:
        return whole_number(raw, field, YEAR_MIN, year_max())
    except InvalidField:
        raise InvalidField(field, year_message(), _shown(raw)) from None


def year_in_range(year: int | None) -> bool:
    return year is None or YEAR_MIN <= year <= year_max()


# the bounds a filter may ask for (year_from, year_to): a query stores nothing, and the map's
# year control clamps a bound outside the years the data has, so these stay wide
FILTER_YEAR_MIN, FILTER_YEAR_MAX = 1950, 2100


# --- text ------------------------------------------------------------------------------------

LENGTHS = {
    "title": 200,
    "summary": 500,
    "description": 20_000,
    "url": 500,
    "contact": 200,
    "suggester_contact": 200,
    "q": 200,  # the filter's free text
    "reason": 2000,  # a moderator's reason for rejecting
    "report": 2000,  # a reader's report of a mistake
    "reply": 2000,  # the answer to a report
    "note": 300,  # an adoption's note
    "email": 254,
    "password": 1000,
    "term_slug": 60,  # a taxonomy term's slug, name and description (Term columns)
    "term_name": 120,
    "term_description": 500,
}
PASSWORD_MIN = 10


# one plain address, fit for a mailto: link: letters, digits and ".+-", an @, a dotted domain
# (the stricter of the two rules there were: no "?subject=", quotes or angle brackets)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+\Z")  # \Z: also whole with re.match


def is_email(value: str) -> bool:
    return len(value) <= LENGTHS["email"] and EMAIL.fullmatch(value) is not None


def has_control_characters(text: str) -> bool:
    """Whether the text holds a control character, which no search text may."""
    return any(unicodedata.category(c) == "Cc" for c in text)


def is_web_url(value: str) -> bool:
    """True for an absolute http(s) URL with a host and no whitespace or control characters,
    safe to put in an href; `javascript:` and friends are refused."""
    if any(c.isspace() or ord(c) < 32 for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


# the language of an initiative's text (Initiative.lang, marked up with `lang` on every page):
# a two- or three-letter ISO 639 code in lower case, such as "sv", "en", "fi" or "smj"
TEXT_LANG = re.compile(r"^[a-z]{2,3}$")


# --- place codes -----------------------------------------------------------------------------

MUNICIPALITY_CODE = re.compile(r"^[0-9]{4}$")
REGION_CODE = re.compile(r"^[0-9]{2}$")


def is_municipality_code(value: str) -> bool:
    """Four ASCII digits (whether such a municipality exists is for the caller to ask)."""
    return MUNICIPALITY_CODE.fullmatch(value) is not None


def is_region_code(value: str) -> bool:
    return REGION_CODE.fullmatch(value) is not None


class UnknownPlace(InvalidField):
    """A well-formed code that names no municipality or county (a 404 where the code is the
    page's subject, a 400 where it is a filter)."""


def place_code(
    raw: str, field: str, known: frozenset[str] | set[str], *, level: str = "municipality"
) -> str:
    """`raw` if it is a well-formed code of a known municipality (or county, `level`
    "region"); raises InvalidField naming `field` for a malformed code and its UnknownPlace
    for one that names nothing."""
    shaped = is_municipality_code(raw) if level == "municipality" else is_region_code(raw)
    if not shaped:
        if level == "municipality":
            raise InvalidField(
                field, _l("a municipality code has four digits, such as 0180"), _shown(raw)
            )
        raise InvalidField(field, _l("a county code has two digits, such as 01"), _shown(raw))
    if raw not in known:
        if level == "municipality":
            message = _l("there is no municipality with code %(code)s", code=raw)
        else:
            message = _l("there is no county with code %(code)s", code=raw)
        raise UnknownPlace(field, message, raw)
    return raw


# --- ids in URL paths ------------------------------------------------------------------------


class IdConverter(BaseConverter):
    """`<id:name>` in a route: ASCII digits naming a possible row (1 to ID_MAX); anything else,
    "٣" or a number the column cannot hold, matches no route and is a 404, never sent to the
    database (werkzeug's `int` takes Unicode digits and any size)."""

    regex = r"[0-9]+"
    part_isolating = True

    def to_python(self, value: str) -> int:
        try:
            return record_id(value)
        except InvalidField:
            raise ValidationError() from None

    def to_url(self, value: object) -> str:
        return str(int(value))  # type: ignore[call-overload]
