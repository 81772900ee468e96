"""Bringing a database up to date: schema, municipalities, counties and taxonomy."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kommunkarta import cache
from kommunkarta.models import Municipality, Region
from kommunkarta.services import schema, taxonomy
from kommunkarta.services.places.geodata import Geodata


def load_places(session: Session, geodata: Geodata) -> None:
    """Insert or rename the 21 counties and 290 municipalities from the geodata."""
    regions = {r.code: r for r in session.scalars(select(Region))}
    for place in geodata.region_places():
        region = regions.get(place.code) or Region(code=place.code)
        region.name = place.name
        session.add(region)
    session.flush()
    municipalities = {m.code: m for m in session.scalars(select(Municipality))}
    for place in geodata.municipality_places():
        municipality = municipalities.get(place.code) or Municipality(code=place.code)
        municipality.name = place.name
        municipality.region_code = place.region_code
        session.add(municipality)


def init_db(engine: Engine, geodata: Geodata) -> None:
    """Migrate the schema and load reference data; idempotent. Raises schema.SchemaTooNew.
    It counts as a change to everything, so that running apps read the database again: it
    is the step after putting a database back (pg_restore), whose data version is older than
    what their caches and counts have seen."""
    schema.upgrade(engine)
    with Session(engine) as session, session.begin():
        load_places(session, geodata)
        taxonomy.load_starter(session)
    with engine.begin() as connection:
        cache.changed_everything(connection)
