"""Peers of a place: the municipalities around one — sharing its border or within a distance —
with their initiatives by benefit area, and two to five places side by side.

Every count starts from `initiatives.visible()` narrowed by the filter, like the other figures,
and is cached until the next write (`kommunkarta.cache`). Counts by benefit area leave the
benefit filter out (facet counts), as `stats.by_benefit` does.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import String, func, select
from sqlalchemy.orm import Session

from kommunkarta import cache
from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Initiative, initiative_benefit_areas, initiative_municipalities
from kommunkarta.services import taxonomy
from kommunkarta.services.keys import keys_table
from kommunkarta.services.places import stats
from kommunkarta.services.places.geodata import Geodata, Place
from kommunkarta.services.register import initiatives

DEFAULT_KM = 50
MAX_KM = 200  # beyond this "near" means little and the table grows past a hundred rows
COMPARE_MIN, COMPARE_MAX = 2, 5


@dataclass(frozen=True)
class PeerRow:
    place: Place
    km: float  # shortest distance between the two areas; 0 for a shared border
    total: int  # initiatives under the filter
    by_benefit: tuple[int, ...]  # in the order of Peers.benefit_areas


@dataclass(frozen=True)
class Peers:
    km: float
    benefit_areas: list[taxonomy.Term]
    bordering: list[PeerRow]  # by code; the page puts them in alphabetical order
    nearby: list[PeerRow]  # the others within `km`, nearest first


def benefit_counts(
    session: Session, selection: InitiativeFilter, codes: Collection[str]
) -> dict[str, dict[int, int]]:
    """Per municipality code: initiatives under the filter per benefit-area id (the benefit
    and place filters left out). One query for all the codes, cached per filter and codes."""
    selection = selection.without("benefit", "municipality", "region")
    codes = tuple(sorted(set(codes)))
    if not codes:
        return {}

    def load() -> dict[str, dict[int, int]]:
        wanted = keys_table(codes, String, "code")
        places, benefits = initiative_municipalities, initiative_benefit_areas
        stmt = selection.apply(
            initiatives.visible(
                select(places.c.municipality_code, benefits.c.benefit_area_id, func.count())
                .select_from(
                    wanted.join(places, places.c.municipality_code == wanted.c.code)
                    .join(Initiative, Initiative.id == places.c.initiative_id)
                    .join(benefits, benefits.c.initiative_id == places.c.initiative_id)
                )
                .group_by(places.c.municipality_code, benefits.c.benefit_area_id)
            )
        )
        counts: dict[str, dict[int, int]] = {}
        for code, benefit_id, n in session.execute(stmt):
            counts.setdefault(code, {})[benefit_id] = n
        return counts

    key = ("peers.benefit_counts", codes, cache.filter_key(selection))
    return cache.cached(session, key, load)


def around(
    session: Session, geodata: Geodata, code: str, km: float, selection: InitiativeFilter
) -> Peers:
    """The municipalities bordering `code` and the others within `km` of it, with their
    initiatives under the filter (its place left out) in total and by benefit area."""
    places = {p.code: p for p in initiatives.municipalities(session)}
    bordering = [c for c in geodata.neighbours.get(code, ()) if c in places]
    nearby = [(c, d) for c, d in geodata.within(code, km) if c in places and c not in bordering]
    everywhere = selection.without("municipality", "region")
    totals = initiatives.counts_by_municipality(session, everywhere)
    counts = benefit_counts(session, everywhere, [*bordering, *(c for c, _ in nearby)])
    terms = taxonomy.terms(session, "benefit_areas")

    def row(other: str, distance: float) -> PeerRow:
        by_benefit = counts.get(other, {})
        return PeerRow(
            places[other],
            distance,
            totals.get(other, 0),
            tuple(by_benefit.get(t.id, 0) for t in terms),
        )

    return Peers(
        km=km,
        benefit_areas=terms,
        bordering=[row(c, 0.0) for c in sorted(bordering)],
        nearby=[row(c, d) for c, d in nearby],
    )


@dataclass(frozen=True)
class CompareRow:
    key: str
    name_sv: str
    name_en: str
    counts: list[int]  # one per compared place

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_sv


@dataclass(frozen=True)
class Comparison:
    level: str  # "municipality" or "region"
    places: list[Place]
    totals: list[int]
    by_benefit: list[CompareRow]
    effects: list[initiatives.Figures]  # yearly hours and kronor, own estimates
    by_status: list[CompareRow]


def _rows(columns: list[list[stats.Figure]]) -> list[CompareRow]:
    return [
        CompareRow(first.key, first.name_sv, first.name_en, [column[i].count for column in columns])
        for i, first in enumerate(columns[0])
    ]


def compare(session: Session, level: str, codes: list[str]) -> Comparison:
    """The places' published initiatives by benefit area and by status, side by side. The
    codes are known ones (`level` is "municipality" or "region"); an initiative shared by
    two municipalities of a county counts once for the county."""
    known = {
        p.code: p
        for p in (
            initiatives.municipalities(session)
            if level == "municipality"
            else initiatives.regions(session)
        )
    }
    selections = [
        InitiativeFilter(municipality=code)
        if level == "municipality"
        else InitiativeFilter(region=code)
        for code in codes
    ]
    return Comparison(
        level=level,
        places=[known[code] for code in codes],
        totals=[initiatives.count(session, s) for s in selections],
        effects=[initiatives.figures(session, s) for s in selections],
        by_benefit=_rows([stats.by_benefit(session, s) for s in selections]),
        by_status=_rows([stats.by_status(session, s) for s in selections]),
    )
