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
from kommunkarta.services.data_io.importing import cells
from kommunkarta.services.data_io.importing.cells import CellError
from kommunkarta.services.register import effects

LANG = "lang"
COLUMNS = (LANG, *effects.FACT_FIELDS)
KRONOR = ("investment_sek", "running_sek_per_year")
MAYBE = ("others_may_call_off", "dpia", "fria")  # yes, no or not given
NULLABLE = ("procurement", "personal_data", "ai_act")  # slugs stored as NULL when not given


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


def problems(values: dict[str, Any]) -> list[tuple[str, Any]]:
    """(column, reason) for each rule the row's facts break together, such as an AI Act
    category without an AI technology; the technologies are the row's."""
    given = {name: values[name] for name in effects.FACT_FIELDS if name in values}
    if not given:
        return []
    stated: dict[str, Any] = {
        name: "" if value is None and name in NULLABLE else value for name, value in given.items()
    }
    facts = effects.Facts(**stated)
    technologies = [t.slug for t in values.get("technologies", [])]
    return [(error.field, error.reason) for error in effects.fact_problems(facts, technologies)]
