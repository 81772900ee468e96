"""What an initiative brings and what it takes: effects, costs, reuse and compliance facts.

The one conversion of a stated effect into a yearly figure lives here:

- a period is turned into a year by `PERIODS_PER_YEAR`: 220 working days, 52 weeks,
  12 months, 1 year; a one-off effect (`once`) is no yearly figure and counts in neither sum;
- hours are multiplied by `people` when it is given ("2 h per week for 30 case workers"
  is 2 × 52 × 30 = 3,120 hours a year);
- hours per year sum the effects given in hours, kronor per year those given in SEK.
  Hours are never turned into money: there is no hourly cost to do it with, so a time saving
  stays a time saving.

`problems()` names every rule an initiative's effects and facts break, as `InvalidField`s
whose field is the form's (`effects-0-amount`, `investment_sek`, `ai_act`, ...), so the form
shows each message beside its field and the importer in its row report.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from kommunkarta.models import Effect, Initiative
from kommunkarta.rules import YEAR_MIN, is_web_url
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.text import clean

KINDS = {
    "time": _l("Time saved"),
    "money": _l("Money saved"),
    "quality": _l("Quality change"),
    "reach": _l("People reached"),
    "other": _l("Other"),
}
UNITS = {"hours": _l("hours"), "sek": _l("SEK"), "percent": _l("per cent"), "count": _l("count")}
UNIT_SHORT = {"hours": "h", "sek": "kr", "percent": "%", "count": ""}
PERIODS = {
    "day": _l("per working day"),
    "week": _l("per week"),
    "month": _l("per month"),
    "year": _l("per year"),
    "once": _l("once"),
}
PERIODS_PER_YEAR = {"day": 220, "week": 52, "month": 12, "year": 1}
BASES = {"estimated": _l("estimated"), "measured": _l("measured"), "evaluated": _l("evaluated")}
# the units a kind may be given in (a time saving in hours, a saving of money in kronor)
KIND_UNITS = {
    "time": ("hours",),
    "money": ("sek",),
    "quality": ("percent", "count"),
    "reach": ("count", "percent"),
    "other": tuple(UNITS),
}

PROCUREMENT = {
    "direct-award": _l("Direct award"),
    "framework-agreement": _l("Framework agreement"),
    "dynamic-purchasing": _l("Dynamic purchasing system"),
    "open-procedure": _l("Open procedure"),
    "joint-procurement": _l("Joint procurement"),
    "not-procured": _l("Not procured (own development)"),
}
PERSONAL_DATA = {"yes": _l("Yes"), "no": _l("No"), "unknown": _l("Not known")}
# AI Act categories as the municipality assessed them; prohibited practices are not listed
# because they may not be used at all.
AI_ACT = {
    "high": _l("High risk"),
    "transparency": _l("Transparency obligations"),
    "minimal": _l("Minimal risk"),
    "unassessed": _l("Not assessed"),
}

# the reuse filter's values as people read them (badges on cards, the filter form)
REUSE = {"call-off": _l("Can be called off"), "open-source": _l("Open source")}

# Beyond these a figure is a typing mistake, not a municipality's effect.
MAX_HOURS_PER_YEAR = 10_000_000
MAX_SEK = 10_000_000_000
MAX_COUNT = 100_000_000
MAX_PEOPLE = 1_000_000
MAX_EFFECTS = 20
SOURCE_URL_MAX = 500
SUPPLIER_MAX = 200


@dataclass(frozen=True)
class EffectData:
    """One effect in the terms of a form or a file: slugs, a number, an ISO date."""

    kind: str
    amount: float | None  # None: not a number (a form's field), refused by problems()
    unit: str
    period: str = ""
    people: int | None = None
    basis: str = "estimated"
    benefit_area: str = ""
    source_url: str = ""
    as_of: str = ""  # YYYY-MM-DD or empty

    def __post_init__(self) -> None:
        for name in ("kind", "unit", "period", "basis", "benefit_area", "source_url", "as_of"):
            object.__setattr__(self, name, clean(getattr(self, name) or ""))

    @classmethod
    def of(cls, effect: Any) -> EffectData:
        """The data of a stored `models.Effect`."""
        return cls(
            kind=effect.kind,
            amount=effect.amount,
            unit=effect.unit,
            period=effect.period or "",
            people=effect.people,
            basis=effect.basis,
            benefit_area=effect.benefit_area.slug if effect.benefit_area else "",
            source_url=effect.source_url or "",
            as_of=effect.as_of.isoformat() if effect.as_of else "",
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EffectData:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def per_year(self) -> float | None:
        """The effect in its unit per year (hours times people), or None for a one-off or
        an effect without a period."""
        per_year = PERIODS_PER_YEAR.get(self.period)
        if per_year is None or self.amount is None:
            return None
        people = self.people if self.unit == "hours" and self.people else 1
        return self.amount * per_year * people

    def columns(self, position: int) -> dict[str, Any]:
        """As the `effects` table stores it (all but the initiative and the benefit area's
        id), the effect at `position` among the initiative's."""
        stored = {name: value for name, value in self.item().items() if name != "benefit_area"}
        as_of = date.fromisoformat(self.as_of) if self.as_of else None
        return {**stored, "position": position, "as_of": as_of}

    def item(self) -> dict[str, Any]:
        """As the API item and the Effects sheet carry it."""
        return {
            "benefit_area": self.benefit_area or None,
            "kind": self.kind,
            "amount": self.amount,
            "unit": self.unit,
            "period": self.period or None,
            "people": self.people,
            "basis": self.basis,
            "source_url": self.source_url,
            "as_of": self.as_of or None,
        }


def totals(effects: Iterable[EffectData]) -> tuple[float | None, float | None]:
    """(hours per year, SEK per year) over the effects; None where no effect gives one."""
    hours = sek = None
    for effect in effects:
        yearly = effect.per_year()
        if yearly is None:
            continue
        if effect.unit == "hours":
            hours = (hours or 0) + yearly
        elif effect.unit == "sek":
            sek = (sek or 0) + yearly
    # whole hours and kronor (they are estimates), so that sums over many initiatives
    # equal the sums of the figures each item shows
    return (None if hours is None else round(hours), None if sek is None else round(sek))


def assign(initiative: Initiative, stated: Sequence[tuple[EffectData, Any]]) -> None:
    """Replace the initiative's effects and their yearly totals."""
    initiative.effects = [
        Effect(benefit_area=term, **effect.columns(position))
        for position, (effect, term) in enumerate(stated)
    ]
    initiative.hours_per_year, initiative.sek_per_year = totals(e for e, _ in stated)


def arithmetic(effect: EffectData) -> str:
    """The unit maths for people: "30 people × 2 h per week ≈ 3,120 h per year"."""
    from flask_babel import format_decimal, gettext

    yearly = effect.per_year()
    short = UNIT_SHORT.get(effect.unit, "")
    amount = f"{format_decimal(effect.amount)} {short}".strip()
    stated = f"{amount} {PERIODS.get(effect.period, '')}".strip()
    if effect.unit == "hours" and effect.people:
        stated = gettext("%(people)s people × %(amount)s", people=effect.people, amount=stated)
    if yearly is None or effect.period == "year" and not effect.people:
        return stated
    return str(
        gettext(
            "%(stated)s ≈ %(yearly)s %(unit)s per year",
            stated=stated,
            yearly=format_decimal(round(yearly)),
            unit=short,
        ).replace("  ", " ")
    )


def effect_problems(index: int, effect: EffectData, benefit_areas: set[str]) -> list[InvalidField]:
    """The rules one effect row breaks; fields named as the form's `effects-N-name`."""
    errors: list[InvalidField] = []

    def bad(name: str, reason: Any) -> None:
        errors.append(InvalidField(f"effects-{index}-{name}", reason))

    if effect.kind not in KINDS:
        bad("kind", _l("Choose what kind of effect it is."))
    if effect.unit not in UNITS:
        bad("unit", _l("Choose a unit."))
    elif effect.kind in KIND_UNITS and effect.unit not in KIND_UNITS[effect.kind]:
        units = ", ".join(str(UNITS[u]) for u in KIND_UNITS[effect.kind])
        bad("unit", _l("For this kind of effect, give the amount in %(units)s.", units=units))
    if effect.period and effect.period not in PERIODS:
        bad("period", _l("Choose a period."))
    elif not effect.period and effect.unit in ("hours", "sek"):
        bad("period", _l("Say how often: per day, week, month or year, or once."))
    if effect.basis not in BASES:
        bad("basis", _l("Say whether it is estimated, measured or evaluated."))
    if effect.benefit_area and effect.benefit_area not in benefit_areas:
        bad("benefit_area", _l("Unknown choice: %(values)s", values=effect.benefit_area))
    amount = effect.amount
    if amount is None or not math.isfinite(amount):
        bad("amount", _l("Give the amount as a number."))
    elif amount <= 0:
        bad("amount", _l("Give an amount above zero."))
    elif effect.unit == "percent" and amount > 100:
        bad("amount", _l("A share is at most 100 per cent."))
    else:
        yearly = effect.per_year() or amount * (effect.people or 1)
        limit = {"hours": MAX_HOURS_PER_YEAR, "sek": MAX_SEK, "count": MAX_COUNT}
        if effect.unit in limit and yearly > limit[effect.unit]:
            bad(
                "amount",
                _l(
                    "That is more than %(limit)s %(unit)s a year. Check the amount, the period "
                    "and the number of people.",
                    limit=f"{limit[effect.unit]:,}".replace(",", " "),
                    unit=UNITS[effect.unit],
                ),
            )
    if effect.people is not None:
        if effect.unit != "hours":
            bad("people", _l("The number of people applies only to hours."))
        elif not 1 <= effect.people <= MAX_PEOPLE:
            bad("people", _l("Give a whole number from 1 to %(max)s.", max=MAX_PEOPLE))
    if effect.source_url and (
        len(effect.source_url) > SOURCE_URL_MAX or not is_web_url(effect.source_url)
    ):
        bad("source_url", _l("Give a web address that starts with http:// or https://."))
    if effect.as_of:
        try:
            day = date.fromisoformat(effect.as_of)
        except ValueError:
            bad("as_of", _l("Give a date such as 2025-03-31."))
        else:
            if day > date.today() or day.year < YEAR_MIN:
                bad("as_of", _l("Give a date from %(low)s up to today.", low=YEAR_MIN))
    return errors


@dataclass(frozen=True)
class Facts:
    """Costs, reuse and compliance of an initiative; every one optional."""

    investment_sek: int | None = None
    running_sek_per_year: int | None = None
    procurement: str = ""
    others_may_call_off: bool | None = None
    supplier: str = ""
    open_source_url: str = ""
    personal_data: str = ""
    dpia: bool | None = None
    ai_act: str = ""
    fria: bool | None = None


FACT_FIELDS = tuple(f.name for f in fields(Facts))
# named: an import says it in its own words, naming the technologies column (importing.facts)
NEEDS_TECHNOLOGY = _l("An AI Act category needs an AI technology: choose one under Technologies.")


class FactProblem(InvalidField):
    """A rule the facts break, told on `field`. A rule between two fields names the other one
    it reads, a fact or "technologies", in `leans_on`: the import, whose file may have a
    column for only one of the two, reads there which columns the rule concerns
    (importing.facts), so a rule written here is the only definition of what it reads."""

    def __init__(self, field: str, reason: Any, leans_on: str = "") -> None:
        super().__init__(field, reason)
        self.leans_on = leans_on

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the rule reads: its own first, then the one it leans on."""
        return (self.field, self.leans_on) if self.leans_on else (self.field,)


def fact_problems(facts: Any, technologies: Sequence[str]) -> list[FactProblem]:
    """The rules costs, reuse and compliance facts break (`facts` has Facts' attributes).
    A rule that reads more than its own field says which in `leans_on`."""
    errors: list[FactProblem] = []

    def bad(name: str, reason: Any, leans_on: str = "") -> None:
        errors.append(FactProblem(name, reason, leans_on))

    for name in ("investment_sek", "running_sek_per_year"):
        value = getattr(facts, name)
        if value is not None and not 0 <= value <= MAX_SEK:
            bad(name, _l("Give a whole number of kronor from 0 to 10 000 000 000."))
    if facts.procurement and facts.procurement not in PROCUREMENT:
        bad("procurement", _l("Choose a form of procurement."))
    if len(facts.supplier) > SUPPLIER_MAX:
        bad("supplier", _l("Use at most %(limit)s characters.", limit=SUPPLIER_MAX))
    if facts.open_source_url and (
        len(facts.open_source_url) > SOURCE_URL_MAX or not is_web_url(facts.open_source_url)
    ):
        bad("open_source_url", _l("Give a web address that starts with http:// or https://."))
    if facts.personal_data and facts.personal_data not in PERSONAL_DATA:
        bad("personal_data", _l("Choose yes, no or not known."))
    if facts.ai_act and facts.ai_act not in AI_ACT:
        bad("ai_act", _l("Choose an AI Act category."))
    elif facts.ai_act in ("high", "transparency", "minimal") and not technologies:
        bad("ai_act", NEEDS_TECHNOLOGY, leans_on="technologies")
    if facts.fria and facts.ai_act != "high":
        bad(
            "fria",
            _l("A fundamental-rights assessment applies to high-risk AI only."),
            leans_on="ai_act",
        )
    return errors


def problems(
    effects: Sequence[EffectData], facts: Any, technologies: Sequence[str], benefit_areas: set[str]
) -> list[InvalidField]:
    errors: list[InvalidField] = []
    if len(effects) > MAX_EFFECTS:
        errors.append(InvalidField("effects", _l("Give at most %(max)s effects.", max=MAX_EFFECTS)))
    for index, effect in enumerate(effects):
        errors += effect_problems(index, effect, benefit_areas)
    return errors + fact_problems(facts, technologies)


def reuse_badges(initiative: Any) -> list[str]:
    """The reuse filter values an initiative carries: what peers can take over."""
    badges = []
    if initiative.others_may_call_off:
        badges.append("call-off")
    if initiative.open_source_url:
        badges.append("open-source")
    return badges
