"""The places people choose from in forms: the counties with their municipalities."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kommunkarta.models import Municipality, Region
from kommunkarta.services.text import swedish_key


def places_by_region(session: Session) -> list[tuple[Region, list[Municipality]]]:
    """Counties with their municipalities, both in Swedish alphabetical order."""
    regions = session.scalars(select(Region).options(selectinload(Region.municipalities)))
    return [
        (region, sorted(region.municipalities, key=lambda m: swedish_key(m.name)))
        for region in sorted(regions, key=lambda r: swedish_key(r.name))
    ]
