"""Synthetic demo initiatives, marked `is_demo`, and their removal.

The text is composed in services.data_io.demo_text; the dates are relative to the day the
seeding runs (all in the past, a few municipalities and initiatives stale as in a register
that is looked after), so the same seed gives the same rows on the same day. Contacts and
web addresses use domains reserved for examples (RFC 2606). Written with batched Core
inserts so that 100,000 rows take seconds, not minutes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Column, Table, delete, func, insert, select, text
from sqlalchemy.orm import Session

from kommunkarta import cache
from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import (
    Base,
    BenefitArea,
    Effect,
    Initiative,
    Municipality,
    OperationalArea,
    State,
    Status,
    Technology,
    TermModel,
    initiative_areas,
    initiative_benefit_areas,
    initiative_municipalities,
    initiative_technologies,
)
from kommunkarta.services.data_io import demo_effects, demo_text
from kommunkarta.services.data_io.importing import batch_insert
from kommunkarta.services.places.geodata import Geodata
from kommunkarta.services.register import initiatives

BATCH = 5000
ANALYZED = (
    "initiatives",
    "initiative_municipalities",
    "initiative_benefit_areas",
    "initiative_areas",
    "initiative_technologies",
    "effects",
)
STATUS_WEIGHTS = {"idea": 8, "pre-study": 15, "pilot": 32, "production": 35, "ended": 10}
# The technologies a demo initiative uses: mostly the classic seven; the others only for the
# tasks they suit (demo_text.TASK_TECHS).
COMMON_TECHS = (
    "generative-ai",
    "language-technology",
    "computer-vision",
    "machine-learning",
    "optimisation",
    "speech-recognition",
    "chatbot",
)
# Large municipalities have more initiatives: the three cities, then the next ten by population.
WEIGHTS = {"0180": 6, "1480": 6, "1280": 6}
WEIGHTS.update(
    dict.fromkeys(
        ("0380", "0580", "0581", "0680", "1281", "1283", "1880", "1980", "2480", "0780"), 3
    )
)
CONTACT_ROLES = ["digitalisering", "ai", "innovation", "kommunikation", "utveckling"]
ASCII = str.maketrans("åäöéü ", "aaoeu-")
# Freshness: a few municipalities (STALE_PLACES) have let all their initiatives go stale, and
# elsewhere a few initiatives (STALE_ITEMS) are overdue; the rest were confirmed or updated
# within FRESH_SHARE of the stale threshold.
STALE_PLACES = 0.04
STALE_ITEMS = 0.05
FRESH_SHARE = 0.85
DAY_MINUTES = 24 * 60


def _domain(name: str) -> str:
    """A domain reserved for examples (RFC 2606), never a real municipality's."""
    return name.lower().translate(ASCII) + ".example"


def _slug_ids(session: Session, model: TermModel) -> dict[str, int]:
    return dict(session.execute(select(model.slug, model.id).order_by(model.position)).all())


def _point_sampler(geodata: Geodata, rng: random.Random) -> Callable[[str], tuple[float, float]]:
    import shapely  # here, like geopandas in geodata: commands that do not seed start faster

    prepared: dict[str, object] = {}

    def sample(code: str) -> tuple[float, float]:
        geometry = geodata.municipalities[code].geometry
        if code not in prepared:
            shapely.prepare(geometry)
            prepared[code] = geometry
        minx, miny, maxx, maxy = geometry.bounds
        for _ in range(1000):
            lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if shapely.contains_xy(geometry, lon, lat):
                return round(lat, 5), round(lon, 5)
        return geodata.representative_point(code)

    return sample


@dataclass(frozen=True)
class _Dates:
    """When a demo initiative was created, published, updated and last confirmed, and its
    start year: all before `today`, in that order, the start year at most the year published."""

    created: datetime
    published: datetime
    updated: datetime
    confirmed: datetime


def _dates(rng: random.Random, midnight: datetime, stale: bool, stale_days: int) -> _Dates:
    if stale:
        age = rng.randint(stale_days + 7, stale_days + 540)
    else:
        age = rng.randint(0, int(stale_days * FRESH_SHARE))
    confirmed = midnight - timedelta(days=age, minutes=rng.randint(1, DAY_MINUTES - 1))
    updated = confirmed - timedelta(days=rng.choice((0, 0, rng.randint(1, 300))))
    published = updated - timedelta(days=rng.choice((0, rng.randint(1, 400))))
    created = published - timedelta(days=rng.randint(0, 30), minutes=rng.randint(0, 600))
    return _Dates(created, published, updated, confirmed)


def _years(
    rng: random.Random, status: str, published: int, this_year: int
) -> tuple[int | None, int | None]:
    """Start year (None for some ideas) and, for ended ones, the year it ended."""
    if status == "idea":
        return (published if rng.random() < 0.5 else None), None
    if status in ("pre-study", "pilot"):
        return rng.randint(published - 2, published), None
    if status == "ended":
        start = rng.randint(published - 7, published - 1)
        return start, rng.randint(start + 1, max(start + 1, min(published, this_year)))
    return rng.randint(published - 6, published), None


def seed(
    session: Session,
    geodata: Geodata,
    count: int = 1200,
    seed_value: int = 1,
    progress: Callable[[int], None] | None = None,
    *,
    today: date | None = None,
    stale_months: int = 12,
) -> int:
    """Insert `count` demo initiatives dated relative to `today` (UTC by default); returns the
    number written. The same seed and day give the same rows. Raises ValueError."""
    if count < 0:
        raise ValueError("--count must be zero or more")
    today = today or datetime.now(UTC).date()
    midnight = datetime(today.year, today.month, today.day, tzinfo=UTC)
    stale_days = int(stale_months * 30.44)
    rng = random.Random(seed_value)
    municipalities = dict(
        session.execute(
            select(Municipality.code, Municipality.name).order_by(Municipality.code)
        ).all()
    )
    if not municipalities:
        raise ValueError("no municipalities in the database; run `kommunkarta init-db` first")
    codes = list(municipalities)
    weights_of = [WEIGHTS.get(code, 1) for code in codes]
    stale_places = set(rng.sample(codes, round(len(codes) * STALE_PLACES)))
    benefits_sv = dict(
        session.execute(
            select(BenefitArea.slug, BenefitArea.name_sv).order_by(BenefitArea.position)
        ).all()
    )
    benefit_ids = _slug_ids(session, BenefitArea)
    area_ids = _slug_ids(session, OperationalArea)
    tech_ids = _slug_ids(session, Technology)
    status_ids = _slug_ids(session, Status)
    statuses = [s for s in STATUS_WEIGHTS if s in status_ids] or list(status_ids)
    weights = [STATUS_WEIGHTS.get(s, 1) for s in statuses]
    areas = [a for a in area_ids if a in demo_text.TASKS] or list(area_ids)
    common = [t for t in COMMON_TECHS if t in tech_ids] or list(tech_ids)
    sample_point = _point_sampler(geodata, rng)
    next_id = (session.scalar(select(func.max(Initiative.id))) or 0) + 1

    rows: list[dict[str, Any]] = []
    links: dict[str, list[dict[str, Any]]] = {t: [] for t in ("m", "b", "a", "t", "e")}
    written = 0

    def flush() -> None:
        nonlocal rows, links
        if rows:
            session.execute(insert(Initiative), rows)
            tables: tuple[tuple[str, Table], ...] = (
                ("m", initiative_municipalities),
                ("b", initiative_benefit_areas),
                ("a", initiative_areas),
                ("t", initiative_technologies),
                ("e", cast(Table, Effect.__table__)),  # a Table, typed as any FromClause
            )
            for key, table in tables:
                if links[key]:
                    session.execute(insert(table), links[key])
        rows, links = [], {t: [] for t in ("m", "b", "a", "t", "e")}

    for n in range(count):
        initiative_id = next_id + n
        home = rng.choices(codes, weights_of)[0]
        partners = [home]
        if rng.random() < 0.1:  # a collaboration, usually with neighbours
            nearby = list(geodata.neighbours.get(home, ())) or codes
            partners += rng.sample(nearby, min(len(nearby), rng.randint(1, 3)))
            partners = list(dict.fromkeys(partners))
        area = rng.choice(areas)
        task = rng.choice(demo_text.TASKS.get(area, ["verksamhetsutveckling"]))
        special = [t for t in demo_text.TASK_TECHS.get(task, ()) if t in tech_ids]
        tech = rng.choice(special) if special and rng.random() < 0.4 else rng.choice(common)
        techs = [tech] + ([rng.choice(common)] if rng.random() < 0.2 else [])
        benefits = rng.sample(list(benefit_ids), rng.choice((1, 1, 2, 2, 3)))
        status = rng.choices(statuses, weights)[0]
        stale = bool(stale_places.intersection(partners)) or rng.random() < STALE_ITEMS
        dates = _dates(rng, midnight, stale, stale_days)
        start_year, end_year = _years(rng, status, dates.published.year, today.year)
        words = demo_text.compose(
            rng,
            names=[municipalities[c] for c in partners],
            tech=tech,
            area=area,
            task=task,
            benefits=benefits,
            benefit_names=[benefits_sv[b] for b in benefits if b in benefits_sv],
            status=status,
            start=start_year,
            end=end_year,
        )
        lat = lon = None
        if rng.random() < 0.3:
            lat, lon = sample_point(rng.choice(partners))
        domain = _domain(municipalities[home])
        # effects, costs, reuse and compliance for a share of them (their own random stream)
        facts, stated = demo_effects.facts_for(seed_value, n, status, benefits, area, techs, domain)
        links["e"] += demo_effects.effect_rows(initiative_id, stated, benefit_ids)
        rows.append(
            {
                "id": initiative_id,
                "title": words.title,
                "summary": words.summary,
                "description": words.description,
                "status_id": status_ids[status],
                "start_year": start_year,
                "url": f"https://www.{domain}/ai" if rng.random() < 0.5 else "",
                "contact": f"{rng.choice(CONTACT_ROLES)}@{domain}",
                "lat": lat,
                "lon": lon,
                "state": State.PUBLISHED,
                "is_demo": True,
                "search_text": Initiative.fold(words.title, words.summary, words.description),
                "created_at": dates.created,
                "updated_at": dates.updated,
                "published_at": dates.published,
                "last_confirmed_at": dates.confirmed,
                "moderation_note": "",
                **facts,
            }
        )
        links["m"] += [{"initiative_id": initiative_id, "municipality_code": c} for c in partners]
        links["b"] += [
            {"initiative_id": initiative_id, "benefit_area_id": benefit_ids[b]} for b in benefits
        ]
        links["a"].append({"initiative_id": initiative_id, "area_id": area_ids[area]})
        links["t"] += [
            {"initiative_id": initiative_id, "technology_id": tech_ids[t]}
            for t in dict.fromkeys(techs)
        ]
        written += 1
        if len(rows) >= BATCH:
            flush()
            if progress:
                progress(written)
    flush()
    if session.get_bind().dialect.name == "postgresql" and written:
        batch_insert.move_id_sequence(session)
        # and give the planner statistics for the new rows now, not when autovacuum comes
        # round: until then it expects 200 rows where there are 100,000 and plans badly
        session.execute(text(f"ANALYZE {', '.join(ANALYZED)}"))
    if progress:
        progress(written)
    return written


def _hanging_on_initiatives() -> list[Column[Any]]:
    """Every column in the schema that points at an initiative (links, revisions, adoptions,
    reports and whatever is added later), so that removing demo data leaves nothing behind."""
    return [
        fk.parent
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == Initiative.__tablename__
        and table.name != Initiative.__tablename__
    ]


def demo_count(session: Session) -> int:
    """How many demo initiatives the database holds, in any state."""
    return session.scalar(select(func.count(Initiative.id)).where(Initiative.is_demo)) or 0


def shown(session: Session) -> bool:
    """Whether the public sees any demo initiative (the site-wide notice); cached until the
    next write, and answered by the in-memory counts where they can, so that the first
    page after a write does not ask the database once more."""

    def load() -> bool:
        any_demo = initiatives.from_memory(session, InitiativeFilter(), lambda c: c.any_demo())
        if any_demo is not None:
            return any_demo
        published = select(Initiative.id).where(
            Initiative.is_demo, Initiative.state == State.PUBLISHED
        )
        return session.scalar(select(published.exists())) or False

    return cache.cached(session, ("demo-shown",), load)


def remove(session: Session) -> int:
    """Delete every demo initiative and what hangs on it, nothing else; returns how many
    initiatives. The caller commits (one transaction)."""
    found = demo_count(session)
    if not found:
        return 0
    demo_ids = select(Initiative.id).where(Initiative.is_demo).scalar_subquery()
    for column in _hanging_on_initiatives():
        session.execute(delete(column.table).where(column.in_(demo_ids)))
    session.execute(delete(Initiative).where(Initiative.is_demo))
    return found
