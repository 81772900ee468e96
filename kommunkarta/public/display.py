"""Template filters for user-written text: paragraphs, safe links, numbers in the page's language.

None of them returns markup: templates print their results through autoescaping, so a title,
a description or a URL full of `<script>` stays text.
"""

from __future__ import annotations

import re

from flask_babel import format_decimal, format_percent

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


def percent(value: float) -> str:
    """A share (0–1) as a whole percentage in the current language."""
    return format_percent(value)


# `attribution`: an initiative's credit to the data set it came from, or None
FILTERS = (paragraphs, http_url, email_address, number, percent, attribution)
