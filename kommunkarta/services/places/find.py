"""Finding a municipality or county by what someone types: blind to case, accents and language.

`ostersund` finds Östersund, `Goteborg` and `Gothenburg` find Göteborg, `Upplands Vasby` finds
Upplands Väsby, and `Stockholm County` or `Skåne` find the county. Names are compared after
`normalise()` (accents dropped, case folded, punctuation as spaces); each place is known by its
name, by its name without "län" (and without a genitive s), and by the English exonyms below.
The map's search field, `/api/v1/places` and `/find` all call `search()`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from kommunkarta import rules

Level = Literal["municipality", "region"]
LIMIT = 10
QUERY_MAX = 100  # characters: longer than any place name with room to spare

# English (and other) names people use for Swedish places, normalised, to the place's code.
EXONYMS: dict[str, tuple[Level, str]] = {
    "gothenburg": ("municipality", "1480"),
    "gothenberg": ("municipality", "1480"),
    "scania": ("region", "12"),
    "dalecarlia": ("region", "20"),
    "west gothia": ("region", "14"),
    "western gotaland": ("region", "14"),
    "west gotaland": ("region", "14"),
    "gotland island": ("municipality", "0980"),
    "lapland": ("municipality", "2584"),  # Kiruna, the largest municipality of Lapland
}
# words that name a county in English or Swedish, left out when matching
COUNTY_WORDS = frozenset({"county", "lan", "region"})
SCORES = ("exact", "prefix", "word", "inside")  # best first
ENDPOINTS: dict[Level, str] = {
    "municipality": "public.municipality_page",
    "region": "public.region_page",
}


@dataclass(frozen=True)
class PlaceName:
    code: str
    name: str
    level: Level


@dataclass(frozen=True)
class Match:
    code: str
    name: str
    level: Level
    score: int  # index into SCORES: 0 is an exact match of a name or an exonym


def query_problem(text: str) -> str | None:
    """Why `text` cannot be searched for (blank, too long, control characters), in the
    request's language, or None (rules.PLACE_SEARCH_PATTERN says the same to the API)."""
    if not text.strip():
        return str(_l("Type part of the name of a municipality or county."))
    if len(text) > QUERY_MAX:
        return str(_l("At most %(max)s characters.", max=QUERY_MAX))
    if rules.has_control_characters(text):
        return str(_l("the search text may not contain control characters"))
    return None


def normalise(text: str) -> str:
    """'Upplands-Väsby ' -> 'upplands vasby': no accents, folded case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


def _keys(place: PlaceName) -> set[str]:
    """The names a place is known by, normalised."""
    name = normalise(place.name)
    keys = {name}
    if place.level == "region":
        words = [w for w in name.split() if w not in COUNTY_WORDS]
        short = " ".join(words)
        keys.add(short)
        if short.endswith("s"):  # "stockholms" -> "stockholm", "vastra gotalands" -> ...
            keys.add(short[:-1])
    keys |= {alias for alias, target in EXONYMS.items() if target == (place.level, place.code)}
    return {k for k in keys if k}


def _score(query: str, key: str) -> int | None:
    if key == query:
        return 0
    if key.startswith(query):
        return 1
    if any(word.startswith(query) for word in key.split()[1:]):
        return 2
    if len(query) >= 3 and query in key:
        return 3
    return None


def search(places: Iterable[PlaceName], text: str, limit: int = LIMIT) -> list[Match]:
    """Up to `limit` places matching `text`, best first: exact before prefix before a later
    word's prefix before anywhere inside; municipalities before counties (unless the text
    ends in "county" or "län"); then by name."""
    words = normalise(text).split()
    county = len(words) > 1 and words[-1] in COUNTY_WORDS  # "Stockholm County", "Skåne län"
    query = " ".join(words[:-1] if county else words)
    if not query:
        return []
    found = []
    for place in places:
        scores = [s for s in (_score(query, key) for key in _keys(place)) if s is not None]
        if scores:
            found.append(Match(place.code, place.name, place.level, min(scores)))
    first: Level = "region" if county else "municipality"
    found.sort(key=lambda m: (m.score, m.level != first, normalise(m.name), m.code))
    return found[:limit]


def best(matches: list[Match]) -> Match | None:
    """The one place a search clearly means, or None: among the best-scored matches, the only
    one of the level `search` put first (for "Uppsala" the municipality, not the county named
    after it; for "Uppsala län" the county), or else the only one of the other level."""
    if not matches:
        return None
    top = [m for m in matches if m.score == matches[0].score]
    levels = (
        ("region", "municipality") if matches[0].level == "region" else ("municipality", "region")
    )
    for level in levels:
        of_level = [m for m in top if m.level == level]
        if of_level:
            return of_level[0] if len(of_level) == 1 else None
    return None


def known_places(session: Session) -> list[PlaceName]:
    """The 290 municipalities and 21 counties (cached until the next write)."""
    from kommunkarta.services.register import initiatives

    return [
        PlaceName(p.code, p.name, "municipality") for p in initiatives.municipalities(session)
    ] + [PlaceName(p.code, p.name, "region") for p in initiatives.regions(session)]
