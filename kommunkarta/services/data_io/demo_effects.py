"""Plausible effects, costs, reuse and compliance facts for a share of the demo initiatives.

Magnitudes a Swedish municipality would report: an hour or two a week saved for a few to a
few dozen employees, tens of thousands to a million kronor a year, a quality change of some
per cent. Each initiative draws from its own random stream (seed and number), so adding these
facts leaves the rest of the demo data exactly as it was for a seed.
"""

from __future__ import annotations

import random
from typing import Any

from kommunkarta.services.register import effects
from kommunkarta.services.register.effects import EffectData

# statuses far enough along to have effects worth stating, and how often they do
SHARE_WITH_EFFECTS = {"pilot": 0.4, "production": 0.6, "ended": 0.5}
SUPPLIERS = ("Demoleverantören AB", "Exempel Analys AB", "Testbolaget Språkteknik AB")
BASES = ("estimated", "estimated", "estimated", "measured", "measured", "evaluated")
EMPTY_FACTS: dict[str, Any] = {
    "hours_per_year": None,
    "sek_per_year": None,
    "investment_sek": None,
    "running_sek_per_year": None,
    "procurement": None,
    "others_may_call_off": None,
    "supplier": "",
    "open_source_url": "",
    "personal_data": None,
    "dpia": None,
    "ai_act": None,
    "fria": None,
}


def _round(value: float, step: int) -> int:
    return max(step, int(round(value / step)) * step)


def _effects(rng: random.Random, benefits: list[str], area: str) -> list[EffectData]:
    benefit = benefits[0] if benefits else ""
    rows = []
    if rng.random() < 0.75:
        period = rng.choice(("week", "week", "week", "month", "day"))
        amount = {"day": rng.choice((0.25, 0.5, 1)), "week": rng.choice((0.5, 1, 1.5, 2, 3, 4))}
        rows.append(
            EffectData(
                "time",
                amount.get(period, rng.choice((4, 6, 8, 12))),
                "hours",
                period,
                rng.choice((3, 5, 8, 12, 20, 30, 45, 60)),
                rng.choice(BASES),
                "efficiency" if "efficiency" in benefits else benefit,
            )
        )
    if rng.random() < 0.35:
        if rng.random() < 0.5:
            money = EffectData("money", _round(rng.uniform(5_000, 60_000), 500), "sek", "month")
        else:
            money = EffectData(
                "money", _round(rng.uniform(50_000, 1_500_000), 10_000), "sek", "year"
            )
        rows.append(EffectData(**{**money.__dict__, "basis": rng.choice(BASES)}))
    if rng.random() < 0.3:
        rows.append(
            EffectData(
                "quality",
                rng.choice((5, 10, 15, 20, 25, 30, 40)),
                "percent",
                "",
                None,
                rng.choice(BASES),
                benefit,
            )
        )
    if rng.random() < 0.25 or not rows:
        rows.append(
            EffectData(
                "reach",
                _round(rng.uniform(200, 20_000), 50),
                "count",
                "year",
                None,
                rng.choice(BASES),
                "resident-service" if area == "communication" else benefit,
            )
        )
    return rows


def facts_for(
    seed_value: int,
    number: int,
    status: str,
    benefits: list[str],
    area: str,
    techs: list[str],
    domain: str,
) -> tuple[dict[str, Any], list[EffectData]]:
    """(columns of the initiative row, its effect rows) for demo initiative `number`."""
    rng = random.Random(f"demo-effects-{seed_value}-{number}")
    if rng.random() >= SHARE_WITH_EFFECTS.get(status, 0):
        return dict(EMPTY_FACTS), []
    rows = _effects(rng, benefits, area)
    hours, sek = effects.totals(rows)
    facts = {**EMPTY_FACTS, "hours_per_year": hours, "sek_per_year": sek}
    if rng.random() < 0.4:
        facts["investment_sek"] = _round(rng.uniform(100_000, 3_000_000), 10_000)
        facts["running_sek_per_year"] = _round(rng.uniform(20_000, 600_000), 5_000)
    if rng.random() < 0.35:
        framework = rng.random() < 0.6
        facts["procurement"] = (
            "framework-agreement"
            if framework
            else rng.choice(
                ("direct-award", "open-procedure", "joint-procurement", "dynamic-purchasing")
            )
        )
        facts["others_may_call_off"] = framework and rng.random() < 0.7
        facts["supplier"] = rng.choice(SUPPLIERS)
    elif rng.random() < 0.25:
        facts["procurement"] = "not-procured"
        facts["open_source_url"] = f"https://github.com/{domain.split('.')[0]}/ai-demo"
    if rng.random() < 0.6:
        sensitive = area in ("social-services", "elderly-care", "education")
        facts["personal_data"] = "yes" if sensitive or rng.random() < 0.4 else "no"
        facts["dpia"] = facts["personal_data"] == "yes" and rng.random() < 0.7
        if "chatbot" in techs or "generative-ai" in techs:
            facts["ai_act"] = "transparency"
        elif sensitive and rng.random() < 0.3:
            facts["ai_act"] = "high"
            facts["fria"] = rng.random() < 0.5
        else:
            facts["ai_act"] = rng.choice(("minimal", "minimal", "unassessed"))
    return facts, rows


def effect_rows(
    initiative_id: int, rows: list[EffectData], benefit_ids: dict[str, int]
) -> list[dict[str, Any]]:
    """The `effects` table's rows for one demo initiative."""
    return [
        {
            "initiative_id": initiative_id,
            "position": position,
            "benefit_area_id": benefit_ids.get(e.benefit_area),
            "kind": e.kind,
            "amount": e.amount,
            "unit": e.unit,
            "period": e.period or None,
            "people": e.people,
            "basis": e.basis,
            "source_url": "",
            "as_of": None,
        }
        for position, e in enumerate(rows)
    ]
