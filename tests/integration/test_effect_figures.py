"""The reuse and risk filters everywhere filters work, and the counts API's sums of hours and
kronor over the same initiatives that `count` counts, on both databases."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta.models import Adoption, Status
from kommunkarta.services.accounts import create_user
from kommunkarta.services.register import submissions
from kommunkarta.services.register.content import Content
from kommunkarta.services.register.effects import EffectData
from kommunkarta.services.register.submissions import Intent


def _hours(amount, period, people=None) -> EffectData:
    return EffectData("time", amount, "hours", period, people, "measured")


def _sek(amount, period) -> EffectData:
    return EffectData("money", amount, "sek", period, None, "estimated")


# (municipalities, effects, facts)
INITIATIVES = [
    (("0180",), (_hours(2, "week", 30),), {"others_may_call_off": True, "ai_act": "high"}),
    (("0180", "0114"), (_hours(1.5, "day"), _sek(25_000, "month")), {"ai_act": "minimal"}),
    (("1480",), (_sek(80_000, "year"),), {"open_source_url": "https://github.com/gbg/x"}),
    (("1480",), (), {}),
    (("0114",), (_hours(10, "once"),), {"ai_act": "unassessed", "others_may_call_off": False}),
]


@pytest.fixture(scope="module")
def app(module_app, geo):
    with Session(module_app.extensions["db_engine"]) as s:
        admin = create_user(s, "admin-figures@example.se", "a long enough password", "admin", [])
        s.commit()
        ids = []
        for codes, effects, facts in INITIATIVES:
            content = Content(
                title=f"Initiativ i {codes[0]} nummer {len(ids)}",
                summary="Ett AI-stöd.",
                status="production",
                contact="ai@kommun.se",
                municipalities=codes,
                benefit_areas=("efficiency",),
                technologies=("machine-learning",),
                effects=effects,
                **facts,
            )
            ids.append(submissions.create(s, content, admin, Intent.PUBLISH, geo).id)
        # Göteborg adopts the first one: its hours count for Göteborg too
        production = s.scalar(select(Status).where(Status.slug == "production"))
        s.add(Adoption(initiative_id=ids[0], municipality_code="1480", status=production))
        s.commit()
    return module_app


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def _items(client, query: str) -> list[dict]:
    body = client.get(f"/api/v1/initiatives?per_page=200&{query}").get_json()
    assert body["total"] == len(body["items"])
    return body["items"]


@pytest.mark.parametrize(
    "query", ["", "reuse=call-off", "risk=high&risk=minimal", "risk=unassessed", "tech=chatbot"]
)
def test_sums_equal_the_items_under_the_same_filters(client, query):
    rows = {m["code"]: m for m in client.get(f"/api/v1/municipalities?{query}").get_json()}
    assert len(rows) == 290
    for code in ("0180", "0114", "1480", "0115"):
        items = _items(client, f"municipality={code}&{query}")
        assert rows[code]["count"] == len(items)
        assert rows[code]["hours_per_year"] == sum(i["hours_per_year"] or 0 for i in items)
        assert rows[code]["sek_per_year"] == sum(i["sek_per_year"] or 0 for i in items)


def test_the_figures_themselves(client):
    rows = {m["code"]: m for m in client.get("/api/v1/municipalities").get_json()}
    # Stockholm: 2 h × 52 × 30 and 1.5 h × 220; 25,000 kr × 12
    assert (rows["0180"]["hours_per_year"], rows["0180"]["sek_per_year"]) == (3120 + 330, 300_000)
    # Göteborg: its own 80,000 kr a year and the adopted 3,120 hours
    assert (rows["1480"]["count"], rows["1480"]["hours_per_year"]) == (3, 3120)
    assert rows["1480"]["sek_per_year"] == 80_000
    # Upplands Väsby: a one-off counts in neither sum
    assert (rows["0114"]["hours_per_year"], rows["0114"]["sek_per_year"]) == (330, 300_000)


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("reuse=call-off", {0}),
        ("reuse=open-source", {2}),
        ("reuse=call-off&reuse=open-source", {0, 2}),
        ("risk=high", {0}),
        ("risk=unassessed", {2, 3, 4}),  # said so, or said nothing
        ("risk=minimal&reuse=call-off", set()),
    ],
)
def test_reuse_and_risk_select_the_right_initiatives(client, query, titles):
    found = {int(i["title"].rsplit(" ", 1)[1]) for i in _items(client, query)}
    assert found == titles


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/initiatives",
        "/api/v1/municipalities",
        "/api/v1/regions",
        "/initiatives",
        "/",
        "/export.csv",
        "/feed.atom",
        "/stats",
    ],
)
@pytest.mark.parametrize(("name", "value"), [("reuse", "free"), ("risk", "prohibited")])
def test_unknown_reuse_or_risk_is_a_400_naming_it(client, path, name, value):
    response = client.get(f"{path}?{name}={value}&lang=en")
    assert response.status_code == 400
    if path.startswith("/api/") or path.startswith("/export"):
        assert response.get_json()["field"] == name
    else:
        assert name in response.get_data(as_text=True)


def test_the_filters_reach_the_table_and_exports(client):
    table = client.get("/initiatives?reuse=call-off&lang=en").get_data(as_text=True)
    assert "Initiativ i 0180 nummer 0" in table and "nummer 2" not in table
    assert 'class="badge badge-call-off"' in table
    csv = client.get("/export.csv?reuse=open-source").get_data(as_text=True)
    assert "nummer 2" in csv and "nummer 0" not in csv
    form = client.get("/initiatives?lang=en").get_data(as_text=True)
    assert 'name="reuse" value="call-off"' in form and 'name="risk" value="unassessed"' in form
    assert "Open source" in client.get("/initiatives?reuse=open-source&lang=en").get_data(
        as_text=True
    )
    swedish = client.get("/initiatives?lang=sv").get_data(as_text=True)
    assert "Kan avropas" in swedish and "Öppen källkod" in swedish


@pytest.mark.parametrize("query", ["", "reuse=call-off"])
def test_the_map_colours_by_the_same_sums(client, query):
    api = {m["code"]: m for m in client.get(f"/api/v1/municipalities?{query}").get_json()}
    told = client.get(f"/map/summary?measure=hours&{query}&lang=en").get_json()
    assert told["values"] == {c: m["hours_per_year"] for c, m in api.items() if m["hours_per_year"]}
    assert "own estimates" in told["note"] and " of " in told["legend_note"]
    # a county's figure is the sum over the initiatives in it, each once
    by_county = client.get(f"/map/summary?measure=sek&level=region&{query}").get_json()["values"]
    for code in ("01", "14"):
        items = _items(client, f"region={code}&{query}")
        assert by_county.get(code, 0) == sum(i["sek_per_year"] or 0 for i in items)


def test_the_map_page_and_figures_say_whose_estimates(client):
    page = client.get("/?measure=hours&lang=en").get_data(as_text=True)
    assert "≈ 3,450 hours a year in all, the municipalities&#39; own estimates" in page
    assert "2 of 5 initiatives state one" in page
    assert re.search(r'name="measure" value="hours"\s+checked', page)
    figures = client.get("/figures?lang=en").get_data(as_text=True)
    assert "Hours per year" in figures and "3,450" in figures  # Stockholm
    assert client.get("/map/summary?measure=euros").status_code == 400


def test_totals_on_place_pages_stats_and_compare(client):
    # Stockholm: 2 h/week for 30 people and 1.5 h a working day; 25,000 kr a month
    page = client.get("/municipalities/0180?lang=en").get_data(as_text=True)
    assert "≈ 3,450 hours a year" in page and "≈ 300,000 kronor a year" in page
    assert "own estimates: 2 of 2 initiatives state hours, 1 state kronor" in page
    # Göteborg counts the hours of the initiative it adopted
    assert "≈ 3,120 hours a year" in client.get("/municipalities/1480?lang=en").get_data(
        as_text=True
    )
    county = client.get("/regions/01?lang=en").get_data(as_text=True)
    assert "≈ 3,450 hours a year" in county  # Stockholm County: each initiative once
    national = client.get("/stats?lang=en").get_data(as_text=True)
    assert "≈ 3,450 hours a year" in national and "≈ 380,000 kronor a year" in national
    compared = client.get("/compare?municipality=0180&municipality=1480&lang=en").get_data(
        as_text=True
    )
    row = re.search(r"Hours a year \(own estimates\)</th>(.*?)</tr>", compared, re.S).group(1)
    assert re.findall(r">([\d,]+)<", row) == ["3,450", "3,120"]
    assert "own estimates" not in client.get("/municipalities/0115?lang=en").get_data(as_text=True)
