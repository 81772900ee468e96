"""The XLSX export's `Effects` sheet: one row per stated effect, keyed by the initiative's
id, which `import` reads back (the CSV carries only the yearly sums, `hours_per_year` and
`sek_per_year`, which import reads past: they follow from the effects)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kommunkarta import rules
from kommunkarta.models import Effect
from kommunkarta.services.data_io import serialise
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.register import effects
from kommunkarta.services.register.effects import EffectData

SHEET = "Effects"
COLUMNS = (
    "initiative_id",
    "benefit_area",
    "kind",
    "amount",
    "unit",
    "period",
    "people",
    "basis",
    "source_url",
    "as_of",
)


def rows_for(session: Session, ids: list[int]) -> Iterable[list[Any]]:
    """The sheet's rows of these initiatives, by id, each one's in the order its effects
    were given."""
    stored = session.scalars(
        select(Effect)
        .where(Effect.initiative_id.in_(ids))
        .order_by(Effect.initiative_id, Effect.position)
        .options(selectinload(Effect.benefit_area))
    )
    for effect in stored:
        item = EffectData.of(effect).item()
        yield [effect.initiative_id, *(item[name] for name in COLUMNS[1:])]


def _number(value: Any, name: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return rules.decimal_number(value, name, -rules.DECIMAL_MAX, rules.DECIMAL_MAX)
    except InvalidField:
        raise ValueError(_l("not a number")) from None


def _text(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return "" if value is None else serialise.unguard_formula(str(value).strip())


def parse(
    header: list[str],
    rows: list[tuple[int, list[Any]]],
    ids: set[int],
    benefit_area: Callable[[str], Any],
    error: Callable[[int, str, str, Any], Any],
) -> tuple[dict[int, list[tuple[EffectData, Any]]], list[Any]]:
    """The sheet's effects by initiative id, each with its benefit-area term, and the
    problems as `error(row, column, value, reason)`; `ids` are the initiatives in the file,
    `benefit_area(name)` finds a term or raises ValueError."""
    names = [str(h or "").strip().lower() for h in header]
    problems = []
    missing = [c for c in ("initiative_id", "kind", "amount", "unit", "basis") if c not in names]
    for name in missing:
        problems.append(error(1, f"{SHEET}: {name}", "", _l("a required column is missing")))
    for name in names:
        if name and name not in COLUMNS:
            problems.append(error(1, f"{SHEET}: {name}", name, _l("unknown column")))
    if problems:
        return {}, problems
    groups: dict[int, list[tuple[EffectData, Any]]] = {}
    for number, cells in rows:
        raw = {name: cells[i] if i < len(cells) else None for i, name in enumerate(names)}
        bad = len(problems)

        def report(
            column: str,
            reason: Any,
            value: Any = None,
            number: int = number,
            raw: dict[str, Any] = raw,
        ) -> None:
            shown = _text(raw.get(column) if value is None else value)
            problems.append(error(number, f"{SHEET}: {column}", shown, reason))

        try:
            initiative_id = rules.record_id(raw["initiative_id"])
        except InvalidField:
            initiative_id = 0
        if initiative_id not in ids:
            report("initiative_id", _l("no row of the first sheet has this id"))
        values: dict[str, Any] = {}
        for name in ("amount", "people"):
            try:
                values[name] = _number(raw.get(name), name)
            except ValueError as exc:
                report(name, str(exc))
        if values.get("people") is not None and not float(values["people"]).is_integer():
            report("people", _l("Give a whole number."))
        term = None
        if area := _text(raw.get("benefit_area")):
            try:
                term = benefit_area(area)
            except ValueError:
                report("benefit_area", _l("unknown value; see /api/v1/taxonomy for the slugs"))
        if len(problems) > bad:
            continue
        effect = EffectData(
            kind=_text(raw.get("kind")),
            amount=values["amount"],
            unit=_text(raw.get("unit")),
            period=_text(raw.get("period")),
            people=None if values.get("people") is None else int(values["people"]),
            basis=_text(raw.get("basis")),
            benefit_area=term.slug if term is not None else "",
            source_url=_text(raw.get("source_url")),
            as_of=_text(raw.get("as_of")),
        )
        slugs = {term.slug} if term is not None else set()
        for problem in effects.effect_problems(0, effect, slugs):
            report(problem.field.split("-", 2)[2], problem.reason)
        if len(problems) == bad:
            groups.setdefault(initiative_id, []).append((effect, term))
    return groups, problems


def plain(rows: Iterable[EffectData]) -> list[dict[str, Any]]:
    """Effects as the revision log and comparisons see them."""
    return [e.item() for e in rows]
