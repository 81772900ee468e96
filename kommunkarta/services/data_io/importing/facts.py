"""Reading the text's language and the costs, reuse and compliance facts of a row: the
columns the export writes from the API item's `lang`, `costs`, `reuse` and `compliance`
(`serialise.facts`), read back by the coordinator form's rules (`effects.fact_problems`).

A cell is as the export writes it: whole kronor, a slug, "true" or "false" (or the words
`cells.boolean` knows), text; an empty cell is a fact not given, which clears it on an
update. A column the file does not have leaves the fact as it is (an older export has none
of them). An empty `lang` leaves the language as it is (Swedish for a new initiative).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from kommunkarta import rules
from kommunkarta.models import Initiative
from kommunkarta.services.data_io.importing import cells
from kommunkarta.services.data_io.importing.cells import CellError
from kommunkarta.services.register import effects

LANG = "lang"
COLUMNS = (LANG, *effects.FACT_FIELDS)
KRONOR = ("investment_sek", "running_sek_per_year")
MAYBE = ("others_may_call_off", "dpia", "fria")  # yes, no or not given
NULLABLE = ("procurement", "personal_data", "ai_act")  # slugs stored as NULL when not given
TECHNOLOGIES = "technologies"
# the form's message for an AI Act category without an AI technology points at its
# Technologies field; a file's reader needs the column to change, or that it is missing
NEEDS_TECHNOLOGY = _l(
    "an AI Act category needs an AI technology: give one in the technologies column"
)
NO_TECHNOLOGIES_COLUMN = _l(
    "an AI Act category needs an AI technology, and the file has no technologies column"
)


def cell(column: str, value: Any) -> Any:
    """One cell of COLUMNS as the initiative stores it; raises CellError."""
    if column in KRONOR:
        return cells.integer(value, 0, effects.MAX_SEK)
    if column in MAYBE:
        return None if cells.is_empty(value) else cells.boolean(value)
    text = cells.text(value).strip()
    if column == LANG:
        if text and not rules.TEXT_LANG.fullmatch(text):
            raise CellError(_l("must be a language code such as sv or en"))
        return text
    return (text or None) if column in NULLABLE else text


def problems(
    values: dict[str, Any], columns: list[str], stored: Initiative | None
) -> list[tuple[str, Any]]:
    """(column, reason) for each rule the row's facts break together, such as an AI Act
    category without an AI technology, judged on the initiative as the import leaves it: a
    fact or the technologies that the file has no column for are `stored`'s (a new
    initiative: none). A rule's columns are the fields it names (`effects.FactProblem.fields`):
    it is told on the row only where the file has one of them, on that column, and not where
    one of them is a bad cell (already told)."""
    if not set(columns) & {*effects.FACT_FIELDS, TECHNOLOGIES}:
        return []
    stated: dict[str, Any] = {}
    for name in effects.FACT_FIELDS:
        value = values.get(name) if name in columns else getattr(stored, name, None)
        if value is not None or name in NULLABLE:
            stated[name] = "" if value is None else value
    if TECHNOLOGIES in columns:
        technologies = [t.slug for t in values.get(TECHNOLOGIES, [])]
    else:
        technologies = [t.slug for t in stored.technologies] if stored is not None else []
    found = []
    for error in effects.fact_problems(effects.Facts(**stated), technologies):
        if any(name in columns and name not in values for name in error.fields):
            continue
        given = [name for name in error.fields if name in columns]
        if not given:
            continue
        reason = error.reason
        if reason is effects.NEEDS_TECHNOLOGY:
            reason = NEEDS_TECHNOLOGY if TECHNOLOGIES in columns else NO_TECHNOLOGIES_COLUMN
        found.append((given[0], reason))
    return found
