"""What the pages of one initiative, one municipality and one county show.

Each function loads everything its page needs up front (no lazy loading from templates) in a
few queries, most of them cached (`kommunkarta.cache`), and returns None when the initiative
or place does not exist for the public, which the blueprint turns into a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Initiative
from kommunkarta.services.places import peers, stats, timeline
from kommunkarta.services.places.geodata import Geodata, Place
from kommunkarta.services.register import initiatives
from kommunkarta.services.text import swedish_key

LATEST = 20  # initiatives listed on a municipality or county page; the table has the rest


@dataclass(frozen=True)
class InitiativeView:
    initiative: Initiative
    regions: list[Place]


@dataclass(frozen=True)
class MunicipalityView:
    municipality: Place
    region: Place
    selection: InitiativeFilter
    latest: initiatives.Page[Initiative]
    by_benefit: list[stats.Figure]
    peers: peers.Peers
    timeline: timeline.Timeline
    totals: initiatives.Figures


@dataclass(frozen=True)
class RegionView:
    region: Place
    selection: InitiativeFilter
    latest: initiatives.Page[Initiative]
    by_benefit: list[stats.Figure]
    municipalities: list[stats.PlaceCount]
    timeline: timeline.Timeline
    totals: initiatives.Figures

    @property
    def with_initiatives(self) -> int:
        return sum(1 for m in self.municipalities if m.count)


def _places(session: Session) -> tuple[dict[str, Place], dict[str, Place]]:
    """Municipalities and counties by code."""
    return (
        {p.code: p for p in initiatives.municipalities(session)},
        {p.code: p for p in initiatives.regions(session)},
    )


def _counted(
    session: Session, selection: InitiativeFilter, places: list[Place]
) -> list[stats.PlaceCount]:
    """The places in Swedish alphabetical order with their counts under the filter."""
    counts = stats.by_municipality(session, selection, [p.code for p in places])
    return [
        stats.PlaceCount(p.code, p.name, counts[p.code])
        for p in sorted(places, key=lambda p: swedish_key(p.name))
    ]


def initiative(session: Session, initiative_id: int) -> InitiativeView | None:
    """A published initiative with the counties of its municipalities."""
    found = initiatives.get_visible(session, initiative_id)
    if found is None:
        return None
    regions = _places(session)[1]
    codes = sorted({m.region_code for m in found.municipalities})
    return InitiativeView(found, [regions[code] for code in codes])


def municipality(
    session: Session,
    code: str,
    selection: InitiativeFilter,
    geodata: Geodata,
    km: float = peers.DEFAULT_KM,
) -> MunicipalityView | None:
    """A municipality's initiatives and figures under the filter, and the counts of the
    municipalities bordering it or within `km` of it.

    The page's municipality replaces any place in the filter.
    """
    municipalities, regions = _places(session)
    if code not in municipalities:
        return None
    here = replace(selection, municipality=code, region=None)
    around = peers.around(session, geodata, code, km, selection)
    return MunicipalityView(
        municipality=municipalities[code],
        region=regions[municipalities[code].region_code],
        selection=here,
        latest=initiatives.search(session, here, per_page=LATEST),
        by_benefit=stats.by_benefit(session, here),
        peers=replace(
            around,
            bordering=sorted(around.bordering, key=lambda row: swedish_key(row.place.name)),
        ),
        timeline=timeline.timeline(session, here),
        totals=initiatives.figures(session, here),
    )


def region(session: Session, code: str, selection: InitiativeFilter) -> RegionView | None:
    """A county's municipalities with their counts and its latest initiatives under the filter.

    The page's county replaces any place in the filter.
    """
    municipalities, regions = _places(session)
    if code not in regions:
        return None
    here = replace(selection, region=code, municipality=None)
    members = [p for p in municipalities.values() if p.region_code == code]
    return RegionView(
        region=regions[code],
        selection=here,
        latest=initiatives.search(session, here, per_page=LATEST),
        by_benefit=stats.by_benefit(session, here),
        municipalities=_counted(session, selection.without("municipality", "region"), members),
        timeline=timeline.timeline(session, here),
        totals=initiatives.figures(session, here),
    )
