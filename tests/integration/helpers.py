"""Rows and waits that several integration tests share: an initiative written straight into
the database, one random write of the kinds moderators, coordinators and imports make, a
bounded wait for work done in a thread of its own, and the settings a page hands to the map."""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta.models import (
    Adoption,
    BenefitArea,
    Initiative,
    Municipality,
    OperationalArea,
    State,
    Status,
    Technology,
    TermModel,
)

# the municipalities random writes move initiatives between
PLACES = ("0180", "0114", "1480", "1280", "0380", "2584", "1490")
# titles a random write gives: quotes, separators, line breaks and what a spreadsheet would
# take for a formula, for the exports to encode
TITLES = (
    'Chattbot, "Frida" för äldreomsorgen',
    '=HYPERLINK("http://example.org")',
    "+46 8 123 45 67, växel",
    "-1, eller?",
    "@SUM(A1:A2)",
    "Rad ett\r\nrad två\nrad tre",
    "  \t=1+1",
    "'=redan skyddad",
    "Ｆull-width ＝ tecken",
    "Vanlig titel",
)


def term(session: Session, model: TermModel, slug: str) -> Any:
    return session.scalar(select(model).where(model.slug == slug))


def _terms(session: Session, model: TermModel, slugs: Sequence[str]) -> list[Any]:
    return list(session.scalars(select(model).where(model.slug.in_(slugs))))


def add(
    session: Session,
    title: str,
    *,
    state: str = State.PUBLISHED,
    places: Sequence[str] = ("0180",),
    benefits: Sequence[str] = ("efficiency",),
    areas: Sequence[str] = (),
    techs: Sequence[str] = (),
    status: str = "pilot",
    **fields: Any,
) -> Initiative:
    """An initiative in the municipalities `places` with the terms named by their slugs and
    any other column in `fields`, committed with its search text as the services write it."""
    item = Initiative(
        title=title,
        state=state,
        status=term(session, Status, status),
        municipalities=[session.get(Municipality, code) for code in places],
        benefit_areas=_terms(session, BenefitArea, benefits),
        areas=_terms(session, OperationalArea, areas),
        technologies=_terms(session, Technology, techs),
        **fields,
    )
    item.refresh_search_text()
    session.add(item)
    session.commit()
    return item


def random_write(session: Session, rng: random.Random) -> None:
    """One write, committed, of a kind drawn by `rng` to an initiative it draws: its state,
    text, places, terms, status, year or facts, an adoption added or taken away, the
    initiative deleted, or a new one. What is kept in memory past a write (the counts, the
    export's lines) must come out of any sequence of them as a full reading would."""
    ids = list(session.scalars(select(Initiative.id).order_by(Initiative.id)))
    item = session.get_one(Initiative, rng.choice(ids))
    statuses = list(session.scalars(select(Status)))
    kind = rng.choice(
        ["state", "title", "places", "terms", "status", "year", "facts"]
        + ["adopt", "unadopt", "delete", "new"]
    )
    if kind == "state":
        item.state = rng.choice([State.PUBLISHED, State.REJECTED, State.DRAFT])
    elif kind == "title":
        item.title = rng.choice(TITLES)
        item.summary = rng.choice(["", 'Sammanfattning, med "citat"', "@riskabel"])
        item.refresh_search_text()
    elif kind == "places":
        item.municipalities = [session.get_one(Municipality, c) for c in rng.sample(PLACES, 2)]
    elif kind == "terms":
        benefits = rng.sample(["efficiency", "safety", "welfare-quality"], rng.randint(0, 2))
        item.benefit_areas = _terms(session, BenefitArea, benefits)
        item.technologies = _terms(session, Technology, rng.choice([[], ["chatbot"]]))
    elif kind == "status":
        item.status = rng.choice(statuses)
    elif kind == "year":
        item.start_year = rng.choice([None, 2019, 2021, 2023])
    elif kind == "facts":
        item.hours_per_year = rng.choice([None, 12.5, 300.0])
        item.sek_per_year = rng.choice([None, 1000.0])
        item.others_may_call_off = rng.choice([None, True, False])
        item.open_source_url = rng.choice(["", "https://example.org/code"])
        item.ai_act = rng.choice([None, "high", "minimal"])
    elif kind == "adopt":
        taken = {a.municipality_code for a in item.adoptions}
        # an adopter may take part as well: it counts once
        code = rng.choice([c for c in PLACES if c not in taken])
        item.adoptions.append(
            Adoption(municipality_code=code, status=rng.choice(statuses), start_year=2022)
        )
    elif kind == "unadopt" and item.adoptions:
        item.adoptions.remove(rng.choice(item.adoptions))
    elif kind == "delete":
        session.delete(item)
    elif kind == "new":
        added = Initiative(
            title=rng.choice(TITLES),
            state=State.PUBLISHED,
            status=rng.choice(statuses),
            start_year=2021,
            municipalities=[session.get(Municipality, rng.choice(PLACES))],
            technologies=[term(session, Technology, "chatbot")],
        )
        added.refresh_search_text()
        session.add(added)
    session.commit()


def wait_until(done: Callable[[], Any], what: str, seconds: float = 20) -> None:
    """Return once `done()` is true; fail saying `what` did not happen if it is not within
    `seconds` (a bound against a hung thread, not a measure of speed)."""
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def map_config(html: str) -> dict[str, Any]:
    """The settings a page hands to map.js (`Kommunkarta.mountMap(map, {...});`, one line),
    as JSON: up to the line's last `});`, so a query holding one is still read whole."""
    match = re.search(r"Kommunkarta\.mountMap\(\w+, (\{.*\})\);", html)
    assert match, "the map is not handed to map.js"
    config: dict[str, Any] = json.loads(match.group(1))
    return config
