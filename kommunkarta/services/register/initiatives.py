"""Reading initiatives: what the public may see, filtered lists and counts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, and_, exists, func, select, union
from sqlalchemy.orm import Session, selectinload

from kommunkarta import cache
from kommunkarta.db import AnySelect
from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import (
    Adoption,
    Effect,
    Initiative,
    Municipality,
    Region,
    State,
    initiative_municipalities,
)
from kommunkarta.services.places.geodata import Place
from kommunkarta.services.text import swedish_key

if TYPE_CHECKING:
    from kommunkarta.services.register.count_index import CountIndex

SORTS = {
    "title": Initiative.title,
    "start_year": Initiative.start_year,
    "updated": Initiative.updated_at,
    "id": Initiative.id,
}


T = TypeVar("T")

# The one definition of what the public may see: published initiatives only
# (services.register.workflow.is_public asks the same of one initiative).
PUBLIC = Initiative.state == State.PUBLISHED


def visible(stmt: AnySelect | None = None) -> AnySelect:
    """`stmt` (all initiatives if None) narrowed to what the public may see."""
    stmt = stmt if stmt is not None else select(Initiative)
    return stmt.where(PUBLIC)


# What reading or comparing an initiative's fields needs, loaded up front (no lazy loads).
WITH_TERMS = (
    selectinload(Initiative.municipalities),
    selectinload(Initiative.benefit_areas),
    selectinload(Initiative.areas),
    selectinload(Initiative.technologies),
    selectinload(Initiative.status),
    selectinload(Initiative.effects).selectinload(Effect.benefit_area),
)
# ... and what a public page, the API item and the exports show besides: the adopters.
WITH_ADOPTIONS = (
    *WITH_TERMS,
    selectinload(Initiative.adoptions).selectinload(Adoption.municipality),
    selectinload(Initiative.adoptions).selectinload(Adoption.status),
)


def from_memory(
    session: Session, selection: InitiativeFilter, ask: Callable[[CountIndex], T]
) -> T | None:
    """`ask(counts)` of the in-memory counts at exactly the data version this transaction
    reads, checked and asked under their lock; None when they cannot answer (count with
    SQL): every part of a page then counts the one version it read. Imported here, when
    first counted, so that the command line starts without numpy."""
    from kommunkarta.services.register import count_serving

    return count_serving.answer(session, selection, ask)


def _loaded(stmt: AnySelect) -> AnySelect:
    return stmt.options(*WITH_ADOPTIONS)


@dataclass
class Page(Generic[T]):
    """One page of a longer list: initiatives, or the rows of a queue about them."""

    items: Sequence[T]
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
) -> Page[Initiative]:
    """One page of published initiatives under the filter, newest change first by default."""
    base = selection.apply(visible())
    total = count(session, selection)
    column = SORTS.get(sort, Initiative.updated_at)
    order = (column.desc(), Initiative.id.desc()) if descending else (column.asc(), Initiative.id)
    stmt = _loaded(base.order_by(*order).limit(per_page).offset((page - 1) * per_page))
    return Page(list(session.scalars(stmt)), total, page, per_page)


def get_visible(session: Session, initiative_id: int) -> Initiative | None:
    return session.scalars(_loaded(visible().where(Initiative.id == initiative_id))).first()


class Figures(NamedTuple):
    """A place's initiatives under a filter: how many, and the sums of their yearly hours
    and kronor with how many of them state one (the municipalities' own estimates)."""

    count: int = 0  # type: ignore[assignment]  # shadows tuple.count: the API's own name
    hours_per_year: float = 0
    sek_per_year: float = 0
    with_hours: int = 0
    with_sek: int = 0

    def __add__(self, other: tuple[float, ...]) -> Figures:  # type: ignore[override]
        return Figures._make(a + (b or 0) for a, b in zip(self, other, strict=True))


def sorted_by_code(by_code: dict[str, T]) -> dict[str, T]:
    """A count by place as a dict whose keys run in code order, as the in-memory counts give it:
    a GROUP BY returns its groups in any order, and the map page writes them as they come,
    so that the page would differ with whichever counted."""
    return dict(sorted(by_code.items()))


def _figure_columns() -> tuple[ColumnElement[Any], ...]:
    return (
        func.count(),
        func.coalesce(func.sum(Initiative.hours_per_year), 0),
        func.coalesce(func.sum(Initiative.sek_per_year), 0),
        func.count(Initiative.hours_per_year),
        func.count(Initiative.sek_per_year),
    )


def figures_by_municipality(session: Session, selection: InitiativeFilter) -> dict[str, Figures]:
    """Per municipality code: the figures of the published initiatives under the filter that
    it takes part in or has adopted. Counts and sums come from the same rows, so the sums
    are always over the initiatives counted (cached until the next write, like every count
    here; a hit builds no statement). Counted in memory where count_index can; the SQL
    below is the reference it is tested against and counts free text."""

    def load() -> dict[str, Figures]:
        rows = from_memory(session, selection, lambda c: c.figures_by_municipality(selection))
        if rows is not None:
            return dict(zip(rows, map(Figures._make, rows.values()), strict=True))
        link = initiative_municipalities
        stmt = selection.apply(
            visible(
                select(link.c.municipality_code, *_figure_columns()).select_from(
                    link.join(Initiative, Initiative.id == link.c.initiative_id)
                )
            )
        ).group_by(link.c.municipality_code)
        figures = {code: Figures(*row) for code, *row in session.execute(stmt)}
        adopted = (
            selection.apply(_adopted_only())
            .with_only_columns(Adoption.municipality_code, *_figure_columns())
            .group_by(Adoption.municipality_code)
        )
        for code, *row in session.execute(adopted):
            figures[code] = figures.get(code, Figures()) + tuple(row)
        return sorted_by_code(figures)

    key = ("figures_by_municipality", cache.filter_key(selection))
    return dict(cache.cached(session, key, load))


def counts_by_municipality(session: Session, selection: InitiativeFilter) -> dict[str, int]:
    """Published initiatives under the filter per municipality code, those it takes part in
    and those it has adopted."""
    return {code: f.count for code, f in figures_by_municipality(session, selection).items()}


def figures(session: Session, selection: InitiativeFilter) -> Figures:
    """The figures of all published initiatives under the filter, each counted once."""

    def load() -> Figures:
        if (row := from_memory(session, selection, lambda c: c.figures(selection))) is not None:
            return Figures(*row)
        return Figures(*session.execute(selection.apply(visible(select(*_figure_columns())))).one())

    return cache.cached(session, ("figures", cache.filter_key(selection)), load)


def figures_by_region(session: Session, selection: InitiativeFilter) -> dict[str, Figures]:
    """Per county code: the figures of the published initiatives under the filter in which
    one of its municipalities takes part or that one of them has adopted, each counted once
    per county."""

    def load() -> dict[str, Figures]:
        by_code = from_memory(session, selection, lambda c: c.figures_by_region(selection))
        if by_code is not None:
            return {code: Figures(*row) for code, row in by_code.items()}
        link = initiative_municipalities
        region = func.substr(link.c.municipality_code, 1, 2)
        adopted_region = func.substr(Adoption.municipality_code, 1, 2)
        pairs = union(
            select(region.label("region_code"), link.c.initiative_id.label("initiative_id")),
            select(adopted_region, Adoption.initiative_id),
        ).subquery()
        stmt = selection.apply(
            visible(
                select(pairs.c.region_code, *_figure_columns()).select_from(
                    pairs.join(Initiative, Initiative.id == pairs.c.initiative_id)
                )
            )
        ).group_by(pairs.c.region_code)
        return sorted_by_code({code: Figures(*row) for code, *row in session.execute(stmt)})

    return dict(cache.cached(session, ("figures_by_region", cache.filter_key(selection)), load))


def _adopted_only() -> AnySelect:
    """Adoptions of published initiatives by municipalities that do not also take part in
    them (an edit may add an adopter as a participant): each counts once."""
    link = initiative_municipalities
    return visible(
        select(Adoption.municipality_code, Adoption.initiative_id)
        .join(Initiative, Initiative.id == Adoption.initiative_id)
        .where(
            ~exists().where(
                and_(
                    link.c.initiative_id == Adoption.initiative_id,
                    link.c.municipality_code == Adoption.municipality_code,
                )
            )
        )
    )


def adopted_by_municipality(session: Session, selection: InitiativeFilter) -> dict[str, int]:
    """Per municipality code: how many of its initiatives under the filter are adoptions."""

    def load() -> dict[str, int]:
        adopted = from_memory(session, selection, lambda c: c.adopted_by_municipality(selection))
        if adopted is not None:
            return adopted
        stmt = (
            selection.apply(_adopted_only())
            .with_only_columns(Adoption.municipality_code, func.count())
            .group_by(Adoption.municipality_code)
        )
        return sorted_by_code(dict(session.execute(stmt).all()))

    key = ("adopted_by_municipality", cache.filter_key(selection))
    return dict(cache.cached(session, key, load))


def counts_by_region(session: Session, selection: InitiativeFilter) -> dict[str, tuple[int, int]]:
    """Per county code: (initiatives involving the county, municipalities with at least one),
    where a municipality's adoptions involve it as much as taking part does."""

    def load() -> dict[str, tuple[int, int]]:
        by_code = from_memory(session, selection, lambda c: c.counts_by_region(selection))
        if by_code is not None:
            return by_code
        link = initiative_municipalities
        region = Municipality.region_code
        stmt = selection.apply(
            visible(
                select(region, func.count(func.distinct(link.c.initiative_id))).select_from(
                    link.join(Initiative, Initiative.id == link.c.initiative_id).join(
                        Municipality, Municipality.code == link.c.municipality_code
                    )
                )
            )
        ).group_by(region)
        counts: dict[str, int] = dict(session.execute(stmt).all())
        # adopted initiatives in which no municipality of the adopter's county takes part
        partner = initiative_municipalities.alias()
        adopted = (
            selection.apply(_adopted_only())
            .join(Municipality, Municipality.code == Adoption.municipality_code)
            .where(
                ~exists().where(
                    and_(
                        partner.c.initiative_id == Adoption.initiative_id,
                        partner.c.municipality_code.like(region + "__"),
                    )
                )
            )
            .with_only_columns(region, func.count(func.distinct(Adoption.initiative_id)))
            .group_by(region)
        )
        for code, n in session.execute(adopted):
            counts[code] = counts.get(code, 0) + n
        with_any: dict[str, int] = {}
        places = {m.code: m.region_code for m in municipalities(session)}
        for code, n in counts_by_municipality(session, selection).items():
            if n:
                with_any[places[code]] = with_any.get(places[code], 0) + 1
        return sorted_by_code({code: (n, with_any.get(code, 0)) for code, n in counts.items()})

    return dict(cache.cached(session, ("counts_by_region", cache.filter_key(selection)), load))


def located(session: Session, selection: InitiativeFilter) -> list[tuple[int, float, float, str]]:
    """(id, lat, lon, title) of published initiatives under the filter that have a point."""
    stmt = selection.apply(
        visible(select(Initiative.id, Initiative.lat, Initiative.lon, Initiative.title))
    ).where(Initiative.lat.is_not(None), Initiative.lon.is_not(None))
    return [tuple(row) for row in session.execute(stmt.order_by(Initiative.id))]


def count(session: Session, selection: InitiativeFilter) -> int:
    def load() -> int:
        if (row := from_memory(session, selection, lambda c: c.figures(selection))) is not None:
            return row[0]
        return session.scalar(selection.apply(visible(select(func.count(Initiative.id))))) or 0

    return cache.cached(session, ("count", cache.filter_key(selection)), load)


def municipalities(session: Session) -> list[Place]:
    """All municipalities by code; cached until the next write."""

    def load() -> tuple[Place, ...]:
        columns = (Municipality.code, Municipality.name, Municipality.region_code)
        return tuple(Place(*row) for row in session.execute(select(*columns).order_by(columns[0])))

    return list(cache.cached(session, "municipalities", load, reference=True))


def municipalities_by_name(session: Session) -> list[Place]:
    """All municipalities in Swedish alphabetical order (the filter form's list, on every map
    and list page); sorted once until the places change, not per request."""

    def load() -> tuple[Place, ...]:
        return tuple(sorted(municipalities(session), key=lambda m: swedish_key(m.name)))

    return list(cache.cached(session, "municipalities_by_name", load, reference=True))


def regions(session: Session) -> list[Place]:
    """All counties by code (`region_code` is the code itself); cached until the next write."""

    def load() -> tuple[Place, ...]:
        rows = session.execute(select(Region.code, Region.name).order_by(Region.code))
        return tuple(Place(code, name, code) for code, name in rows)

    return list(cache.cached(session, "regions", load, reference=True))


def latest_published(
    session: Session, selection: InitiativeFilter, limit: int = 50
) -> list[Initiative]:
    """The `limit` initiatives under the filter published last, newest first (for the feed)."""
    stmt = selection.apply(visible()).order_by(
        Initiative.published_at.desc().nulls_last(), Initiative.id.desc()
    )
    return list(session.scalars(_loaded(stmt.limit(limit))))
