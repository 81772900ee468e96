"""Figures for the pages: counts of published initiatives by benefit area, status and place.

Every count starts from `initiatives.visible()` narrowed by the filter, taken as a subquery of
initiative ids and joined to a link table, so each figure is one GROUP BY query whatever the
number of initiatives. A breakdown leaves out its own dimension of the filter (facet counts):
the figures by benefit area under `benefit=efficiency` still show every benefit area.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Subquery, distinct, func, select
from sqlalchemy.orm import Session

from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import (
    BenefitArea,
    Initiative,
    Municipality,
    Region,
    Status,
    initiative_benefit_areas,
    initiative_municipalities,
)
from kommunkarta.services import initiatives


@dataclass(frozen=True)
class Figure:
    """One bar of a chart: a term or a place and its count."""

    key: str
    name_sv: str
    name_en: str
    count: int

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_sv


@dataclass(frozen=True)
class RegionFigure(Figure):
    municipalities: int = 0
    with_initiatives: int = 0

    @property
    def share(self) -> float:
        return self.with_initiatives / self.municipalities if self.municipalities else 0.0


@dataclass(frozen=True)
class PlaceCount:
    code: str
    name: str
    count: int


@dataclass(frozen=True)
class National:
    total: int
    municipalities: int
    with_initiatives: int
    by_benefit: list[Figure]
    by_status: list[Figure]
    by_region: list[RegionFigure]

    @property
    def share(self) -> float:
        return self.with_initiatives / self.municipalities if self.municipalities else 0.0


def _ids(selection: InitiativeFilter) -> Subquery:
    """The ids of the published initiatives under the filter."""
    return selection.apply(initiatives.visible(select(Initiative.id))).subquery()


def by_benefit(session: Session, selection: InitiativeFilter) -> list[Figure]:
    """Every benefit area in taxonomy order with its count (the benefit filter left out)."""
    ids = _ids(selection.without("benefit"))
    link = initiative_benefit_areas
    counts = dict(
        session.execute(
            select(link.c.benefit_area_id, func.count())
            .join(ids, ids.c.id == link.c.initiative_id)
            .group_by(link.c.benefit_area_id)
        ).all()
    )
    terms = session.scalars(select(BenefitArea).order_by(BenefitArea.position, BenefitArea.id))
    return [Figure(t.slug, t.name_sv, t.name_en, counts.get(t.id, 0)) for t in terms]


def by_status(session: Session, selection: InitiativeFilter) -> list[Figure]:
    """Every status in taxonomy order with its count (the status filter left out)."""
    stmt = (
        selection.without("status")
        .apply(initiatives.visible(select(Initiative.status_id, func.count(Initiative.id))))
        .group_by(Initiative.status_id)
    )
    counts = dict(session.execute(stmt).all())
    terms = session.scalars(select(Status).order_by(Status.position, Status.id))
    return [Figure(t.slug, t.name_sv, t.name_en, counts.get(t.id, 0)) for t in terms]


def by_municipality(
    session: Session, selection: InitiativeFilter, codes: Collection[str] | None = None
) -> dict[str, int]:
    """Initiatives per municipality code, for all municipalities or only `codes`."""
    ids = _ids(selection)
    link = initiative_municipalities
    stmt = (
        select(link.c.municipality_code, func.count())
        .join(ids, ids.c.id == link.c.initiative_id)
        .group_by(link.c.municipality_code)
    )
    if codes is not None:
        stmt = stmt.where(link.c.municipality_code.in_(list(codes)))
    return dict(session.execute(stmt).all())


def municipality_count(session: Session, selection: InitiativeFilter) -> int:
    """How many municipalities take part in at least one initiative under the filter."""
    ids = _ids(selection)
    link = initiative_municipalities
    stmt = select(func.count(distinct(link.c.municipality_code))).join(
        ids, ids.c.id == link.c.initiative_id
    )
    return session.scalar(stmt) or 0


def by_region(session: Session, selection: InitiativeFilter) -> list[RegionFigure]:
    """Every county with its initiatives and its municipalities with and without any.

    An initiative shared by municipalities in two counties counts in both.
    """
    place_free = selection.without("region", "municipality")
    counts = initiatives.counts_by_region(session, place_free)
    sizes = dict(
        session.execute(
            select(Municipality.region_code, func.count()).group_by(Municipality.region_code)
        ).all()
    )
    return [
        RegionFigure(
            r.code,
            r.name,
            r.name,
            counts.get(r.code, (0, 0))[0],
            municipalities=sizes.get(r.code, 0),
            with_initiatives=counts.get(r.code, (0, 0))[1],
        )
        for r in session.scalars(select(Region).order_by(Region.code))
    ]


def national(session: Session, selection: InitiativeFilter) -> National:
    """The national figures of the statistics page."""
    return National(
        total=initiatives.count(session, selection),
        municipalities=session.scalar(select(func.count()).select_from(Municipality)) or 0,
        with_initiatives=municipality_count(session, selection),
        by_benefit=by_benefit(session, selection),
        by_status=by_status(session, selection),
        by_region=by_region(session, selection),
    )
