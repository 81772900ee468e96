"""Choices for the filter form shown above the map and the table."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from kommunkarta.filters import InitiativeFilter
from kommunkarta.services import taxonomy
from kommunkarta.services.register import effects, initiatives


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class FilterForm:
    selection: InitiativeFilter
    benefit: list[Option]
    area: list[Option]
    status: list[Option]
    tech: list[Option]
    regions: list[Option]
    municipalities: list[Option]
    reuse: list[Option]
    risk: list[Option]

    @property
    def more_is_open(self) -> bool:
        """Open the secondary filters when one of them is in use."""
        return not self.selection.without("benefit").is_empty


def build(session: Session, selection: InitiativeFilter, locale: str) -> FilterForm:
    def options(kind: str, chosen: tuple[str, ...]) -> list[Option]:
        """Terms in use, and a retired one while an old link chooses it."""
        terms = taxonomy.offered(session, kind, keep=chosen)
        return [Option(t.slug, t.name(locale), t.slug in chosen) for t in terms]

    return FilterForm(
        selection=selection,
        benefit=options("benefit_areas", selection.benefit),
        area=options("areas", selection.area),
        status=options("statuses", selection.status),
        tech=options("technologies", selection.tech),
        regions=[
            Option(r.code, r.name, r.code == selection.region) for r in initiatives.regions(session)
        ],
        municipalities=[
            Option(m.code, m.name, m.code == selection.municipality)
            for m in sorted(initiatives.municipalities(session), key=lambda m: m.name)
        ],
        reuse=[
            Option(value, str(label), value in selection.reuse)
            for value, label in effects.REUSE.items()
        ],
        risk=[
            Option(value, str(label), value in selection.risk)
            for value, label in effects.AI_ACT.items()
        ],
    )
