"""An initiative's effects, costs, reuse and compliance facts as its public page shows them:
labels in the page's language, the unit maths of every effect, nothing for what is not given."""

from __future__ import annotations

from dataclasses import dataclass, field

from kommunkarta.models import Initiative
from kommunkarta.services.register import effects
from kommunkarta.services.register.effects import EffectData


@dataclass(frozen=True)
class EffectRow:
    kind: str
    benefit_area: str
    maths: str
    basis: str
    source_url: str
    as_of: str


@dataclass(frozen=True)
class EffectsView:
    rows: list[EffectRow]
    hours_per_year: float | None
    sek_per_year: float | None
    costs: list[tuple[str, int]] = field(default_factory=list)  # (label, kronor)
    reuse: list[tuple[str, str]] = field(default_factory=list)  # (label, text)
    open_source_url: str = ""
    compliance: list[tuple[str, str]] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.rows or self.costs)


def _yes_no(value: bool | None) -> str | None:
    from flask_babel import gettext

    return None if value is None else gettext("Yes") if value else gettext("No")


def describe(initiative: Initiative, locale: str) -> EffectsView:
    from flask_babel import gettext

    rows = []
    for stored in initiative.effects:
        effect = EffectData.of(stored)
        rows.append(
            EffectRow(
                kind=str(effects.KINDS.get(effect.kind, effect.kind)),
                benefit_area=stored.benefit_area.name(locale) if stored.benefit_area else "",
                maths=effects.arithmetic(effect),
                basis=str(effects.BASES.get(effect.basis, effect.basis)),
                source_url=effect.source_url,
                as_of=effect.as_of,
            )
        )
    costs = [
        (gettext("Investment"), initiative.investment_sek),
        (gettext("Running cost per year"), initiative.running_sek_per_year),
    ]
    reuse = [
        (
            gettext("Procurement"),
            str(effects.PROCUREMENT[initiative.procurement]) if initiative.procurement else None,
        ),
        (gettext("Other municipalities may call off"), _yes_no(initiative.others_may_call_off)),
        (gettext("Supplier"), initiative.supplier or None),
    ]
    compliance = [
        (
            gettext("Personal data"),
            str(effects.PERSONAL_DATA[initiative.personal_data])
            if initiative.personal_data
            else None,
        ),
        (gettext("Data protection impact assessment done"), _yes_no(initiative.dpia)),
        (
            gettext("AI Act category"),
            str(effects.AI_ACT[initiative.ai_act]) if initiative.ai_act else None,
        ),
        (gettext("Fundamental-rights impact assessment done"), _yes_no(initiative.fria)),
    ]
    return EffectsView(
        rows=rows,
        hours_per_year=initiative.hours_per_year,
        sek_per_year=initiative.sek_per_year,
        costs=[(label, value) for label, value in costs if value is not None],
        reuse=[(label, value) for label, value in reuse if value],
        open_source_url=initiative.open_source_url or "",
        compliance=[(label, value) for label, value in compliance if value],
    )


def reuse_badges(initiative: Initiative) -> list[tuple[str, str]]:
    """(filter value, label) of the reuse badges an initiative earns, for its card."""
    return [(value, str(effects.REUSE[value])) for value in effects.reuse_badges(initiative)]
