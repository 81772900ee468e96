"""Rows for the tests of coverage, freshness, reports and adoptions, written straight into the
database with chosen dates (the services take `now`, so no test waits for time to pass)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta.models import (
    Adoption,
    BenefitArea,
    Initiative,
    Municipality,
    NoneConfirmation,
    Report,
    Revision,
    State,
    Status,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LONG_AGO = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)  # older than any threshold the tests use
RECENTLY = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


def published(
    app,
    codes=("0180",),
    changed: datetime = RECENTLY,
    confirmed: datetime | None = None,
    title: str = "Chatbot för bygglov",
    state: str = State.PUBLISHED,
) -> int:
    """An initiative in the municipalities `codes`, last changed (and confirmed) then."""
    with Session(app.extensions["db_engine"], expire_on_commit=False) as s, s.begin():
        item = Initiative(
            title=title,
            summary="Svarar på frågor om bygglov.",
            status=s.scalar(select(Status).where(Status.slug == "pilot")),
            state=state,
            municipalities=[s.get(Municipality, code) for code in codes],
            benefit_areas=[s.scalar(select(BenefitArea).where(BenefitArea.slug == "efficiency"))],
            created_at=changed,
            updated_at=changed,
            published_at=changed if state == State.PUBLISHED else None,
            last_confirmed_at=confirmed,
        )
        item.refresh_search_text()
        s.add(item)
    return item.id


def adopted(app, initiative_id: int, code: str, confirmed: datetime = RECENTLY) -> int:
    with Session(app.extensions["db_engine"], expire_on_commit=False) as s, s.begin():
        row = Adoption(
            initiative_id=initiative_id,
            municipality_code=code,
            status=s.scalar(select(Status).where(Status.slug == "production")),
            start_year=2025,
            created_at=confirmed,
            confirmed_at=confirmed,
        )
        s.add(row)
    return row.id


def none_confirmed(app, code: str, when: datetime) -> None:
    with Session(app.extensions["db_engine"]) as s, s.begin():
        s.merge(NoneConfirmation(municipality_code=code, confirmed_at=when))


def reported(app, initiative_id: int, text: str = "Fel webbadress.") -> int:
    with Session(app.extensions["db_engine"], expire_on_commit=False) as s, s.begin():
        row = Report(initiative_id=initiative_id, text=text, contact="", created_at=NOW)
        s.add(row)
    return row.id


def counts(app) -> dict[str, int]:
    """How many rows each table written here holds, to prove a refusal stored nothing."""
    with Session(app.extensions["db_engine"]) as s:
        return {
            model.__tablename__: s.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Adoption, NoneConfirmation, Report, Revision)
        }
