"""What the pages of one initiative, one municipality and one county show.

Each function loads everything its page needs in a fixed, small number of queries (no lazy
loading from templates) and returns None when the initiative or place does not exist for the
public, which the blueprint turns into a 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Initiative, Municipality, Region
from kommunkarta.services import initiatives, stats

LATEST = 20  # initiatives listed on a municipality or county page; the table has the rest
# Swedish alphabetical order (… x y z å ä ö) whatever the database's collation
SWEDISH = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "é": "e", "ü": "y"})


def swedish_order(name: str) -> str:
    return name.casefold().translate(SWEDISH)


@dataclass(frozen=True)
class InitiativeView:
    initiative: Initiative
    regions: list[Region]


@dataclass(frozen=True)
class MunicipalityView:
    municipality: Municipality
    region: Region
    selection: InitiativeFilter
    latest: initiatives.Page
    by_benefit: list[stats.Figure]
    neighbours: list[stats.PlaceCount]


@dataclass(frozen=True)
class RegionView:
    region: Region
    selection: InitiativeFilter
    latest: initiatives.Page
    by_benefit: list[stats.Figure]
    municipalities: list[stats.PlaceCount]

    @property
    def with_initiatives(self) -> int:
        return sum(1 for m in self.municipalities if m.count)


def initiative(session: Session, initiative_id: int) -> InitiativeView | None:
    """A published initiative with the counties of its municipalities."""
    found = initiatives.get_visible(session, initiative_id)
    if found is None:
        return None
    codes = {m.region_code for m in found.municipalities}
    regions = list(
        session.scalars(select(Region).where(Region.code.in_(codes)).order_by(Region.code))
    )
    return InitiativeView(found, regions)


def municipality(
    session: Session,
    code: str,
    selection: InitiativeFilter,
    neighbour_codes: Sequence[str],
) -> MunicipalityView | None:
    """A municipality's initiatives and figures under the filter, and its neighbours' counts.

    The page's municipality replaces any place in the filter.
    """
    found = session.get(Municipality, code)
    if found is None:
        return None
    region = session.get(Region, found.region_code)
    here = replace(selection, municipality=code, region=None)
    counts = stats.by_municipality(
        session, selection.without("municipality", "region"), neighbour_codes
    )
    names = dict(
        session.execute(
            select(Municipality.code, Municipality.name).where(
                Municipality.code.in_(list(neighbour_codes))
            )
        ).all()
    )
    neighbours = sorted(
        (stats.PlaceCount(c, names[c], counts.get(c, 0)) for c in neighbour_codes if c in names),
        key=lambda p: swedish_order(p.name),
    )
    return MunicipalityView(
        municipality=found,
        region=region,
        selection=here,
        latest=initiatives.search(session, here, per_page=LATEST),
        by_benefit=stats.by_benefit(session, here),
        neighbours=neighbours,
    )


def region(session: Session, code: str, selection: InitiativeFilter) -> RegionView | None:
    """A county's municipalities with their counts and its latest initiatives under the filter.

    The page's county replaces any place in the filter.
    """
    found = session.get(Region, code)
    if found is None:
        return None
    here = replace(selection, region=code, municipality=None)
    members = sorted(
        session.scalars(select(Municipality).where(Municipality.region_code == code)),
        key=lambda m: swedish_order(m.name),
    )
    counts = stats.by_municipality(
        session, selection.without("municipality", "region"), [m.code for m in members]
    )
    return RegionView(
        region=found,
        selection=here,
        latest=initiatives.search(session, here, per_page=LATEST),
        by_benefit=stats.by_benefit(session, here),
        municipalities=[stats.PlaceCount(m.code, m.name, counts.get(m.code, 0)) for m in members],
    )
