"""Reading initiatives: what the public may see, filtered lists and counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from kommunkarta import cache
from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import (
    Initiative,
    Municipality,
    Region,
    State,
    initiative_municipalities,
)
from kommunkarta.services.geodata import Place

SORTS = {
    "title": Initiative.title,
    "start_year": Initiative.start_year,
    "updated": Initiative.updated_at,
    "id": Initiative.id,
}


def visible(stmt: Select | None = None) -> Select:
    """The one definition of what the public may see: published initiatives only."""
    stmt = stmt if stmt is not None else select(Initiative)
    return stmt.where(Initiative.state == State.PUBLISHED)


def _loaded(stmt: Select) -> Select:
    return stmt.options(
        selectinload(Initiative.municipalities),
        selectinload(Initiative.benefit_areas),
        selectinload(Initiative.areas),
        selectinload(Initiative.technologies),
        selectinload(Initiative.status),
    )


@dataclass
class Page:
    items: Sequence[Initiative]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search(
    session: Session,
    selection: InitiativeFilter,
    page: int = 1,
    per_page: int = 50,
    sort: str = "updated",
    descending: bool = True,
) -> Page:
    """One page of published initiatives under the filter, newest change first by default."""
    base = selection.apply(visible())
    total = count(session, selection)
    column = SORTS.get(sort, Initiative.updated_at)
    order = (column.desc(), Initiative.id.desc()) if descending else (column.asc(), Initiative.id)
    stmt = _loaded(base.order_by(*order).limit(per_page).offset((page - 1) * per_page))
    return Page(list(session.scalars(stmt)), total, page, per_page)


def get_visible(session: Session, initiative_id: int) -> Initiative | None:
    return session.scalars(_loaded(visible().where(Initiative.id == initiative_id))).first()


def counts_by_municipality(session: Session, selection: InitiativeFilter) -> dict[str, int]:
    """Published initiatives under the filter per participating municipality code (cached
    until the next write, like every count here; a hit builds no statement)."""

    def load() -> dict[str, int]:
        link = initiative_municipalities
        stmt = selection.apply(
            visible(
                select(link.c.municipality_code, func.count()).select_from(
                    link.join(Initiative, Initiative.id == link.c.initiative_id)
                )
            )
        ).group_by(link.c.municipality_code)
        return dict(session.execute(stmt).all())

    key = ("counts_by_municipality", cache.filter_key(selection))
    return dict(cache.cached(session, key, load))


def counts_by_region(session: Session, selection: InitiativeFilter) -> dict[str, tuple[int, int]]:
    """Per county code: (initiatives involving the county, municipalities with at least one)."""

    def load() -> dict[str, tuple[int, int]]:
        link = initiative_municipalities
        region = Municipality.region_code
        stmt = selection.apply(
            visible(
                select(
                    region,
                    func.count(func.distinct(link.c.initiative_id)),
                    func.count(func.distinct(link.c.municipality_code)),
                ).select_from(
                    link.join(Initiative, Initiative.id == link.c.initiative_id).join(
                        Municipality, Municipality.code == link.c.municipality_code
                    )
                )
            )
        ).group_by(region)
        return {code: (n, with_any) for code, n, with_any in session.execute(stmt)}

    return dict(cache.cached(session, ("counts_by_region", cache.filter_key(selection)), load))


def located(session: Session, selection: InitiativeFilter) -> list[tuple[int, float, float, str]]:
    """(id, lat, lon, title) of published initiatives under the filter that have a point."""
    stmt = selection.apply(
        visible(select(Initiative.id, Initiative.lat, Initiative.lon, Initiative.title))
    ).where(Initiative.lat.is_not(None), Initiative.lon.is_not(None))
    return [tuple(row) for row in session.execute(stmt.order_by(Initiative.id))]


def count(session: Session, selection: InitiativeFilter) -> int:
    def load() -> int:
        return session.scalar(selection.apply(visible(select(func.count(Initiative.id))))) or 0

    return cache.cached(session, ("count", cache.filter_key(selection)), load)


def municipalities(session: Session) -> list[Place]:
    """All municipalities by code; cached until the next write."""

    def load() -> tuple[Place, ...]:
        columns = (Municipality.code, Municipality.name, Municipality.region_code)
        return tuple(Place(*row) for row in session.execute(select(*columns).order_by(columns[0])))

    return list(cache.cached(session, "municipalities", load))


def regions(session: Session) -> list[Place]:
    """All counties by code (`region_code` is the code itself); cached until the next write."""

    def load() -> tuple[Place, ...]:
        rows = session.execute(select(Region.code, Region.name).order_by(Region.code))
        return tuple(Place(code, name, code) for code, name in rows)

    return list(cache.cached(session, "regions", load))
