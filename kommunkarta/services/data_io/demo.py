"""Synthetic demo initiatives: Swedish text composed from the taxonomy, marked `is_demo`.

Deterministic for a given seed (no clock, no unordered iteration) and written with batched
Core inserts so that 100,000 rows take seconds, not minutes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import shapely
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from kommunkarta.models import (
    BenefitArea,
    Initiative,
    Municipality,
    OperationalArea,
    State,
    Status,
    Technology,
    initiative_areas,
    initiative_benefit_areas,
    initiative_municipalities,
    initiative_technologies,
)
from kommunkarta.services.places.geodata import Geodata

BATCH = 5000
ANALYZED = (
    "initiatives",
    "initiative_municipalities",
    "initiative_benefit_areas",
    "initiative_areas",
    "initiative_technologies",
)
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)

# What an initiative does, per operational area (Swedish, lower case, to follow a technology).
TASKS = {
    "elderly-care": [
        "planering av hemtjänstens scheman",
        "fallprevention i särskilt boende",
        "dokumentation i äldreomsorgen",
        "tillsyn nattetid med sensorer",
    ],
    "education": [
        "stöd för lärares bedömning",
        "anpassade läromedel i grundskolan",
        "schemaläggning i gymnasieskolan",
        "språkstöd för nyanlända elever",
    ],
    "social-services": [
        "handläggning av försörjningsstöd",
        "journalsammanfattningar",
        "tidiga insatser för barn och unga",
    ],
    "urban-planning": [
        "tolkning av detaljplaner",
        "bygglovsrådgivning",
        "granskning av bygglovsansökningar",
        "analys av trafikflöden",
    ],
    "environment": [
        "övervakning av luftkvalitet",
        "inventering av invasiva arter",
        "tillsyn av enskilda avlopp",
    ],
    "culture-leisure": [
        "bokning av idrottshallar",
        "rekommendationer i biblioteket",
        "digitalisering av lokalhistoriska arkiv",
    ],
    "communication": [
        "frågor från invånare dygnet runt",
        "översättning av kommunens webb",
        "sortering av inkommande e-post",
        "klarspråk i myndighetstexter",
    ],
    "administration": [
        "diarieföring och arkiv",
        "rekrytering",
        "fakturahantering",
        "protokoll från nämndmöten",
        "lönefrågor från medarbetare",
    ],
    "it": [
        "kodstöd för utvecklare",
        "hantering av IT-supportärenden",
        "informationssäkerhetsanalys",
    ],
    "technical-services": [
        "läckagesökning i vattenledningsnätet",
        "ruttplanering för sophämtning",
        "energioptimering i kommunens fastigheter",
        "vägunderhåll",
    ],
    "rescue-services": ["riskbedömning vid larm", "prognoser för skogsbrandsrisk"],
    "business-labour": ["matchning av arbetssökande", "företagsrådgivning", "upphandlingsanalys"],
}
LEAD = {
    "generative-ai": "Generativ AI för",
    "language-technology": "Språkteknologi för",
    "computer-vision": "Bildanalys för",
    "machine-learning": "Prognosmodell för",
    "optimisation": "Optimering av",
    "speech-recognition": "Taligenkänning för",
    "chatbot": "Chattbot för",
}
GOALS = {
    "efficiency": "frigöra tid för kärnverksamheten",
    "welfare-quality": "höja kvaliteten i välfärdens tjänster",
    "resident-service": "ge invånarna snabbare och tydligare svar",
    "work-environment": "minska stress och administrativ börda för medarbetarna",
    "sustainability": "minska resursförbrukning och utsläpp",
    "safety": "öka tryggheten och förebygga olyckor",
    "democracy": "göra det lättare för invånare att delta och påverka",
    "accessibility": "göra kommunens tjänster tillgängliga för fler",
}
STATUS_WEIGHTS = {"idea": 8, "pre-study": 15, "pilot": 32, "production": 35, "ended": 10}
CONTACT_ROLES = ["digitalisering", "ai", "innovation", "kommunikation", "utveckling"]
ASCII = str.maketrans("åäöéü ", "aaoeu-")


def _slug_ids(session: Session, model) -> dict[str, int]:
    return dict(session.execute(select(model.slug, model.id).order_by(model.position)).all())


def _point_sampler(geodata: Geodata, rng: random.Random) -> Callable[[str], tuple[float, float]]:
    prepared: dict[str, object] = {}

    def sample(code: str) -> tuple[float, float]:
        geometry = geodata.municipalities.geometry[code]
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


def seed(
    session: Session,
    geodata: Geodata,
    count: int = 1200,
    seed_value: int = 1,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert `count` demo initiatives; returns the number written. Raises ValueError."""
    if count < 0:
        raise ValueError("--count must be zero or more")
    rng = random.Random(seed_value)
    municipalities = dict(
        session.execute(
            select(Municipality.code, Municipality.name).order_by(Municipality.code)
        ).all()
    )
    if not municipalities:
        raise ValueError("no municipalities in the database; run `kommunkarta init-db` first")
    codes = list(municipalities)
    benefit_ids = _slug_ids(session, BenefitArea)
    area_ids = _slug_ids(session, OperationalArea)
    tech_ids = _slug_ids(session, Technology)
    status_ids = _slug_ids(session, Status)
    statuses = [s for s in STATUS_WEIGHTS if s in status_ids] or list(status_ids)
    weights = [STATUS_WEIGHTS.get(s, 1) for s in statuses]
    areas = [a for a in area_ids if a in TASKS] or list(area_ids)
    sample_point = _point_sampler(geodata, rng)
    next_id = (session.scalar(select(func.max(Initiative.id))) or 0) + 1

    rows, links = [], {t: [] for t in ("m", "b", "a", "t")}
    written = 0

    def flush() -> None:
        nonlocal rows, links
        if rows:
            session.execute(insert(Initiative), rows)
            for key, table in (
                ("m", initiative_municipalities),
                ("b", initiative_benefit_areas),
                ("a", initiative_areas),
                ("t", initiative_technologies),
            ):
                if links[key]:
                    session.execute(insert(table), links[key])
        rows, links = [], {t: [] for t in ("m", "b", "a", "t")}

    for n in range(count):
        initiative_id = next_id + n
        home = rng.choice(codes)
        partners = [home]
        if rng.random() < 0.1:  # a collaboration, usually with neighbours
            nearby = list(geodata.neighbours.get(home, ())) or codes
            partners += rng.sample(nearby, min(len(nearby), rng.randint(1, 3)))
            partners = list(dict.fromkeys(partners))
        area = rng.choice(areas)
        tech = rng.choice(list(tech_ids))
        techs = [tech] + ([rng.choice(list(tech_ids))] if rng.random() < 0.2 else [])
        benefits = rng.sample(list(benefit_ids), rng.choice((1, 1, 2, 2, 3)))
        task = rng.choice(TASKS.get(area, ["verksamhetsutveckling"]))
        title = f"{LEAD.get(tech, 'AI för')} {task}"
        status = rng.choices(statuses, weights)[0]
        start_year = rng.randint(2018, 2026) if status != "idea" else rng.randint(2024, 2026)
        who = (
            municipalities[home]
            if len(partners) == 1
            else (
                f"{municipalities[home]} tillsammans med "
                + ", ".join(municipalities[c] for c in partners[1:])
            )
        )
        summary = (
            f"{who} använder {LEAD.get(tech, 'AI för').split(' för')[0].lower()} "
            f"inom {task} för att {GOALS.get(benefits[0], 'skapa nytta')}."
        )
        description = (
            f"{summary}\n\nArbetet startade {start_year} och drivs av verksamheten "
            f"tillsammans med kommunens digitaliseringsfunktion. "
            f"Erfarenheter delas gärna med andra kommuner.\n\n"
            "Detta är syntetiska demodata för Kommunkartan."
        )
        lat = lon = None
        if rng.random() < 0.3:
            lat, lon = sample_point(rng.choice(partners))
        changed = EPOCH - timedelta(days=rng.randint(0, 900), minutes=rng.randint(0, 1439))
        domain = municipalities[home].lower().translate(ASCII)
        rows.append(
            {
                "id": initiative_id,
                "title": title,
                "summary": summary,
                "description": description,
                "status_id": status_ids[status],
                "start_year": start_year,
                "url": f"https://www.{domain}.se/ai" if rng.random() < 0.5 else "",
                "contact": f"{rng.choice(CONTACT_ROLES)}@{domain}.se",
                "lat": lat,
                "lon": lon,
                "state": State.PUBLISHED,
                "is_demo": True,
                "search_text": Initiative.fold(title, summary, description),
                "created_at": changed,
                "updated_at": changed,
                "published_at": changed,
                "last_confirmed_at": changed,
                "moderation_note": "",
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
        # explicit ids bypass the sequence; move it past them for later inserts
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('initiatives', 'id'), "
                "(SELECT max(id) FROM initiatives))"
            )
        )
        # and give the planner statistics for the new rows now, not when autovacuum comes
        # round: until then it expects 200 rows where there are 100,000 and plans badly
        session.execute(text(f"ANALYZE {', '.join(ANALYZED)}"))
    if progress:
        progress(written)
    return written
