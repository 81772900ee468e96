"""Figures for the pages: counts of published initiatives by benefit area, status and place.

Every count starts from `initiatives.visible()` narrowed by the filter and is one GROUP BY
query whatever the number of initiatives, cached until the next write (`kommunkarta.cache`).
Counts per place reuse the map's `initiatives.counts_by_municipality/_by_region`, so the map,
the table and these pages share one cached result per filter. A breakdown leaves out its own
dimension of the filter (facet counts): the figures by benefit area under `benefit=efficiency`
still show every benefit area.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta import cache
from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Initiative, initiative_benefit_areas
from kommunkarta.services import taxonomy
from kommunkarta.services.register import initiatives


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


def _figures(terms: list[taxonomy.Term], counts: dict[int, int]) -> list[Figure]:
    return [Figure(t.slug, t.name_sv, t.name_en, counts.get(t.id, 0)) for t in terms]


def by_benefit(session: Session, selection: InitiativeFilter) -> list[Figure]:
    """Every benefit area in taxonomy order with its count (the benefit filter left out)."""
    selection = selection.without("benefit")

    def load() -> dict[int, int]:
        ids = selection.apply(initiatives.visible(select(Initiative.id))).subquery()
        link = initiative_benefit_areas
        stmt = (
            select(link.c.benefit_area_id, func.count())
            .join(ids, ids.c.id == link.c.initiative_id)
            .group_by(link.c.benefit_area_id)
        )
        return dict(session.execute(stmt).all())

    counts = cache.cached(session, ("stats.by_benefit", cache.filter_key(selection)), load)
    return _figures(taxonomy.terms(session, "benefit_areas"), counts)


def by_status(session: Session, selection: InitiativeFilter) -> list[Figure]:
    """Every status in taxonomy order with its count (the status filter left out)."""
    selection = selection.without("status")

    def load() -> dict[int, int]:
        stmt = selection.apply(
            initiatives.visible(select(Initiative.status_id, func.count(Initiative.id)))
        ).group_by(Initiative.status_id)
        return dict(session.execute(stmt).all())

    counts = cache.cached(session, ("stats.by_status", cache.filter_key(selection)), load)
    return _figures(taxonomy.terms(session, "statuses"), counts)


def by_municipality(
    session: Session, selection: InitiativeFilter, codes: Collection[str]
) -> dict[str, int]:
    """Initiatives under the filter for each of `codes`, zero included."""
    counts = initiatives.counts_by_municipality(session, selection)
    return {code: counts.get(code, 0) for code in codes}


def municipality_count(session: Session, selection: InitiativeFilter) -> int:
    """How many municipalities take part in at least one initiative under the filter."""
    return len(initiatives.counts_by_municipality(session, selection))


def by_region(session: Session, selection: InitiativeFilter) -> list[RegionFigure]:
    """Every county with its initiatives and its municipalities with and without any
    (the place filters left out). An initiative shared by two counties counts in both."""
    counts = initiatives.counts_by_region(session, selection.without("region", "municipality"))
    sizes = Counter(m.region_code for m in initiatives.municipalities(session))
    return [
        RegionFigure(
            r.code,
            r.name,
            r.name,
            counts.get(r.code, (0, 0))[0],
            municipalities=sizes[r.code],
            with_initiatives=counts.get(r.code, (0, 0))[1],
        )
        for r in initiatives.regions(session)
    ]


def national(session: Session, selection: InitiativeFilter) -> National:
    """The national figures of the statistics page."""
    return National(
        total=initiatives.count(session, selection),
        municipalities=len(initiatives.municipalities(session)),
        with_initiatives=municipality_count(session, selection),
        by_benefit=by_benefit(session, selection),
        by_status=by_status(session, selection),
        by_region=by_region(session, selection),
    )
