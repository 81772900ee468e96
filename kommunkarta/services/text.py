"""Clean-ups of user-written text shared by forms and services (the rules a text must keep
are in `kommunkarta.rules`)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

# Control characters other than tab and newline: PostgreSQL refuses NUL, and none belong in text.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# å, ä (and æ) and ö (and ø) as the three characters after z; ü is y in Swedish order
_SWEDISH_LAST = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "ü": "y"})


def clean(value: str | None) -> str:
    """Text without control characters, with Unix newlines and no surrounding blanks."""
    if not value:
        return ""
    return _CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: the only redirects we follow."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if _CONTROLS.search(target) or "\n" in target or "\t" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def swedish_key(name: str) -> str:
    """Sort key for names people read, in Swedish alphabetical order whatever the database's
    collation: case-blind, å ä ö after z, other accents with their letter (é as e)."""
    folded = unicodedata.normalize("NFC", name.casefold()).translate(_SWEDISH_LAST)
    decomposed = unicodedata.normalize("NFD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
