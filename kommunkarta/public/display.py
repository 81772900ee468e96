"""Template filters for user-written text: paragraphs, safe links, numbers and dates in the
page's language (Swedish "12 345,5" and "5 december 2026", English "12,345.5" and
"5 December 2026"), each defined once here and nowhere else.

None of them returns markup: templates print their results through autoescaping, so a title,
a description or a URL full of `<script>` stays text.
"""

from __future__ import annotations

import re
from datetime import date as Date
from datetime import datetime

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask_babel import (
    format_decimal,
    format_percent,
    format_time,
    get_locale,
    get_translations,
    to_user_timezone,
)

from kommunkarta.rules import is_email, is_web_url
from kommunkarta.services.data_io.sources import attribution

BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


def paragraphs(text: str | None) -> list[str]:
    """Text split into paragraphs at blank lines; single line breaks stay inside a paragraph."""
    normalised = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return [p.strip() for p in BLANK_LINE.split(normalised) if p.strip()]


def http_url(value: str | None) -> str | None:
    """The value if it is an absolute http(s) URL that is safe to put in an href, else None."""
    value = (value or "").strip()
    return value if is_web_url(value) else None


def email_address(value: str | None) -> str | None:
    """The value if it is one plain e-mail address (fit for a mailto: link), else None."""
    value = (value or "").strip()
    return value if is_email(value) else None


def number(value: int | float) -> str:
    """A count with the thousands separator of the current language."""
    return format_decimal(value)


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    """Flask-Babel's ngettext, but with `%(num)s` written as `number` writes it ("1 200
    initiatives", where Flask-Babel would give "1200"). Named like it so that message
    extraction finds the strings."""
    return get_translations().ngettext(singular, plural, n) % {"num": number(n), **variables}


def percent(value: float) -> str:
    """A share (0–1) as a whole percentage in the current language; a share that is neither
    none nor all keeps a decimal rather than read "0 %" or "100 %" (289 of 290 is 99.7 %)."""
    if 0 < value < 1 and round(value * 100) in (0, 100):
        # the language's own pattern ("99,7 %", "99.7%"), one decimal kept
        return babel_numbers.format_percent(
            round(value, 3), locale=get_locale(), decimal_quantization=False
        )
    return format_percent(value)


# English as written in Europe: the day before the month ("5 December 2026"), not the
# American "December 5, 2026" that Babel's plain English gives
DATE_LOCALES = {"en": Locale("en", "GB")}


def date(value: Date | datetime) -> str:
    """A day in the one format of the current language; a moment (UTC) is first turned into
    Swedish time, so that an update just after midnight is dated the day it happened there."""
    locale = get_locale()
    return babel_dates.format_date(day(value), "long", locale=DATE_LOCALES.get(str(locale), locale))


def day(value: Date | datetime) -> Date:
    """The day of `value` in Swedish time (a moment is stored in UTC)."""
    return to_user_timezone(value).date() if isinstance(value, datetime) else value


def moment(value: datetime) -> str:
    """A moment (UTC) to the minute in Swedish time: the day as `date` writes it and the
    24-hour time, for what happened lately (a report, a wait, a revision)."""
    return f"{date(value)} {format_time(value, 'HH:mm')}"


def day_iso(value: Date | datetime) -> str:
    """The day `date` shows, as YYYY-MM-DD for a <time datetime=…> attribute."""
    return day(value).isoformat()


# `attribution`: an initiative's credit to the data set it came from, or None
FILTERS = (paragraphs, http_url, email_address, number, percent, date, moment, day_iso, attribution)
