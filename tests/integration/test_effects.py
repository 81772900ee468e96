"""Effects, costs, reuse and compliance through the coordinator form, the initiative page and
the API item, on both databases."""

from __future__ import annotations

import json
import re

import pytest
from openapi_core import Config, OpenAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta.models import Effect, Initiative
from tests.conftest import csrf_from
from tests.integration.test_api_initiatives import conforms

pytestmark = pytest.mark.usefixtures("fresh_limits")


@pytest.fixture(scope="module")
def app(module_app):
    return module_app


def _form(**overrides) -> dict:
    data = {
        "title": "Automatiserad handläggning av försörjningsstöd",
        "summary": "Ett stöd som sorterar ansökningar.",
        "municipalities": ["0180"],
        "benefit_areas": ["efficiency"],
        "technologies": ["machine-learning"],
        "status": "production",
        "contact": "ai@stockholm.se",
        "duplicates_seen": "1",
        # 2 h per week for 30 case workers, measured
        "effects-0-kind": "time",
        "effects-0-benefit_area": "efficiency",
        "effects-0-amount": "2",
        "effects-0-unit": "hours",
        "effects-0-period": "week",
        "effects-0-people": "30",
        "effects-0-basis": "measured",
        "effects-0-source_url": "https://www.stockholm.se/rapport",
        "effects-0-as_of": "2025-03-31",
        "effects-1-kind": "money",
        "effects-1-amount": "12 500",
        "effects-1-unit": "sek",
        "effects-1-period": "month",
        "effects-1-basis": "estimated",
        # an empty row, as the page always offers one
        "effects-2-kind": "",
        "effects-2-amount": "",
        "effects-2-unit": "",
        "effects-2-period": "",
        "effects-2-basis": "estimated",
        "investment_sek": "450 000",
        "running_sek_per_year": "120000",
        "procurement": "framework-agreement",
        "others_may_call_off": "yes",
        "supplier": "Leverantör <AB>",
        "open_source_url": "https://github.com/stockholm/handlaggning",
        "personal_data": "yes",
        "dpia": "yes",
        "ai_act": "high",
        "fria": "yes",
        "publish": "Save and publish",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _post(client, path: str, data: dict):
    return client.post(path, data={**data, "csrf_token": csrf_from(client.get("/suggest"))})


def _error_beside(body: str, field: str) -> str:
    match = re.search(rf'<ul class="field-errors" id="{field}-error">(.*?)</ul>', body, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip() if match else ""


def _initiatives(app) -> int:
    with Session(app.extensions["db_engine"]) as s:
        return s.execute(select(func.count(Initiative.id))).scalar_one()


def test_recorded_effects_show_on_the_page_and_in_the_api(app, client, login_as):
    login_as("admin")
    response = _post(client, "/initiatives/new?lang=en", _form())
    assert response.status_code == 302, response.get_data(as_text=True)
    initiative_id = int(re.search(r"/initiatives/(\d+)/", response.headers["Location"]).group(1))

    with Session(app.extensions["db_engine"]) as s:
        stored = s.get(Initiative, initiative_id)
        assert (stored.hours_per_year, stored.sek_per_year) == (3120, 150_000)
        assert s.scalar(select(func.count(Effect.id)).where(Effect.initiative_id == initiative_id))
        assert [e.people for e in stored.effects] == [30, None]  # the empty row is skipped

    page = client.get(f"/initiatives/{initiative_id}?lang=en").get_data(as_text=True)
    assert "≈ 3,120 hours a year" in page
    assert "30 people × 2 h per week ≈ 3,120 h per year" in page
    assert "≈ 150,000 kronor a year" in page
    assert "Leverantör &lt;AB&gt;" in page  # escaped
    assert "own assessments" in page
    assert "High risk" in page

    config = Config(extra_media_type_deserializers={"application/geo+json": json.loads})
    openapi = OpenAPI.from_dict(client.get("/api/v1/openapi.json").get_json(), config=config)
    item = conforms(openapi, client.get(f"/api/v1/initiatives/{initiative_id}")).get_json()
    assert item["hours_per_year"] == 3120
    assert item["sek_per_year"] == 150_000
    assert item["effects"][0] == {
        "benefit_area": "efficiency",
        "kind": "time",
        "amount": 2,
        "unit": "hours",
        "period": "week",
        "people": 30,
        "basis": "measured",
        "source_url": "https://www.stockholm.se/rapport",
        "as_of": "2025-03-31",
    }
    assert item["costs"] == {"investment_sek": 450_000, "running_sek_per_year": 120_000}
    assert item["reuse"] == {
        "procurement": "framework-agreement",
        "others_may_call_off": True,
        "supplier": "Leverantör <AB>",
        "open_source_url": "https://github.com/stockholm/handlaggning",
    }
    assert item["compliance"] == {
        "personal_data": "yes",
        "dpia": True,
        "ai_act": "high",
        "fria": True,
    }

    # the edit form shows the stored rows again, plus an empty one, with their maths
    edit = client.get(f"/initiatives/{initiative_id}/edit?lang=en").get_data(as_text=True)
    assert 'name="effects-0-people" type="text" value="30"' in edit
    assert 'name="effects-1-amount" type="text" value="12500"' in edit
    assert 'name="effects-2-amount"' in edit and 'name="effects-3-amount"' not in edit
    assert "30 people × 2 h per week ≈ 3,120 h per year" in edit


def test_an_initiative_without_effects_has_empty_facts(app, client, login_as):
    login_as("admin")
    bare = {k: v for k, v in _form().items() if not k.startswith("effects-")}
    for name in ("investment_sek", "running_sek_per_year", "supplier", "open_source_url"):
        bare[name] = ""
    for name in ("procurement", "others_may_call_off", "personal_data", "dpia", "ai_act", "fria"):
        bare[name] = ""
    response = _post(client, "/initiatives/new", bare)
    assert response.status_code == 302
    initiative_id = int(re.search(r"/initiatives/(\d+)/", response.headers["Location"]).group(1))
    config = Config(extra_media_type_deserializers={"application/geo+json": json.loads})
    openapi = OpenAPI.from_dict(client.get("/api/v1/openapi.json").get_json(), config=config)
    item = conforms(openapi, client.get(f"/api/v1/initiatives/{initiative_id}")).get_json()
    assert item["effects"] == [] and item["hours_per_year"] is None
    assert item["costs"] == {"investment_sek": None, "running_sek_per_year": None}
    assert item["reuse"]["others_may_call_off"] is None
    assert item["compliance"] == {"personal_data": None, "dpia": None, "ai_act": None, "fria": None}
    page = client.get(f"/initiatives/{initiative_id}?lang=en").get_data(as_text=True)
    assert "Effects and costs" not in page


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"effects-0-amount": "-2"}, "effects-0-amount", "above zero"),
        ({"effects-0-amount": "två"}, "effects-0-amount", "number"),
        # what float() would take: one decimal rule (kommunkarta.rules) says no
        ({"effects-0-amount": "nan"}, "effects-0-amount", "number"),
        ({"effects-0-amount": "1e400"}, "effects-0-amount", "number"),
        ({"effects-0-amount": "٣"}, "effects-0-amount", "number"),
        ({"effects-0-people": "inf"}, "effects-0-people", "number"),
        (
            {"effects-0-people": "40000", "effects-0-amount": "100"},
            "effects-0-amount",
            "10 000 000",
        ),
        ({"effects-0-period": ""}, "effects-0-period", "how often"),
        (
            {"effects-1-kind": "quality", "effects-1-unit": "percent", "effects-1-amount": "140"},
            "effects-1-amount",
            "100 per cent",
        ),
        ({"technologies": None}, "ai_act", "AI technology"),
        ({"investment_sek": "-1"}, "investment_sek", "kronor"),
        ({"investment_sek": "1,5"}, "investment_sek", "whole number"),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_nothing_is_saved(
    app, client, login_as, overrides, field, words
):
    login_as("admin")
    before = _initiatives(app)
    response = _post(client, "/initiatives/new?lang=en", _form(**overrides))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert words in _error_beside(body, field), _error_beside(body, field)
    assert _initiatives(app) == before
    # what was typed is kept
    typed = overrides.get(field) or overrides.get("effects-1-amount")
    if typed and field.startswith("effects"):
        assert f'value="{typed}"' in body


def test_an_empty_row_with_a_bad_row_after_it_points_at_the_right_row(client, login_as):
    login_as("admin")
    data = _form(**{"effects-0-amount": "", "effects-0-people": "", "effects-0-source_url": ""})
    data["effects-1-amount"] = "-5"
    body = _post(client, "/initiatives/new?lang=en", data).get_data(as_text=True)
    assert "above zero" in _error_beside(body, "effects-1-amount")
    assert not _error_beside(body, "effects-0-amount")


def test_add_another_effect_without_script_keeps_what_was_typed(app, client, login_as):
    login_as("coordinator")
    before = _initiatives(app)
    data = _form(add_effect="Add another effect", publish=None)
    response = _post(client, "/initiatives/new?lang=en", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="effects-3-amount"' in body  # the three posted and one more
    assert 'value="Automatiserad handläggning av försörjningsstöd"' in body
    assert "30 people × 2 h per week ≈ 3,120 h per year" in body
    assert _initiatives(app) == before


def test_an_edit_of_a_published_initiative_keeps_its_effects_pending(app, client, login_as):
    login_as("admin")
    response = _post(client, "/initiatives/new", _form())
    initiative_id = int(re.search(r"/initiatives/(\d+)/", response.headers["Location"]).group(1))
    coordinator = app.test_client()
    login_as("coordinator", on=coordinator)
    with Session(app.extensions["db_engine"]) as s:
        version = s.get(Initiative, initiative_id).version
    changed = _form(
        publish=None,
        submit_review="Submit for review",
        version=str(version),
        **{"effects-0-people": "10"},
    )
    response = _post(coordinator, f"/initiatives/{initiative_id}/edit", changed)
    assert response.status_code == 302, response.get_data(as_text=True)
    # the public still sees 3,120 hours until a moderator publishes the edit
    assert client.get(f"/api/v1/initiatives/{initiative_id}").get_json()["hours_per_year"] == 3120
    edit = coordinator.get(f"/initiatives/{initiative_id}/edit").get_data(as_text=True)
    assert 'name="effects-0-people" type="text" value="10"' in edit


def test_exports_carry_the_effects_and_import_reads_them_back(app, client, login_as, tmp_path):
    import csv
    import io

    from openpyxl import load_workbook

    login_as("admin")
    response = _post(client, "/initiatives/new", _form(title="Exporterad handläggning"))
    initiative_id = int(re.search(r"/initiatives/(\d+)/", response.headers["Location"]).group(1))
    query = "q=Exporterad+handl%C3%A4ggning"
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/export.csv?{query}").text.lstrip("\ufeff")))
    )
    assert [(r["id"], r["hours_per_year"], r["sek_per_year"]) for r in rows] == [
        (str(initiative_id), "3120", "150000")
    ]
    with client.get(f"/export.xlsx?{query}") as response:
        data = response.data
    book = load_workbook(io.BytesIO(data))
    sheet = [list(r) for r in book["Effects"].iter_rows(values_only=True)]
    assert sheet[0][:4] == ["initiative_id", "benefit_area", "kind", "amount"]
    assert sheet[1][:7] == [initiative_id, "efficiency", "time", 2, "hours", "week", 30]

    runner = app.test_cli_runner()
    path = tmp_path / "export.xlsx"
    path.write_bytes(data)
    again = runner.invoke(args=["import", str(path)])
    assert "0 new, 0 changed, 1 unchanged" in again.output, again.output

    # 10 case workers instead of 30: the import changes the effect and the yearly sum
    book["Effects"].cell(row=2, column=7).value = 10
    book.save(path)
    changed = runner.invoke(args=["import", str(path)])
    assert "1 changed" in changed.output, changed.output
    item = client.get(f"/api/v1/initiatives/{initiative_id}").get_json()
    assert item["hours_per_year"] == 1040 and item["effects"][0]["people"] == 10

    # a bad effect row is reported with its sheet, row and column, and nothing is written
    book["Effects"].cell(row=2, column=4).value = -5
    book["Effects"].cell(row=3, column=5).value = "euros"
    book.save(path)
    refused = runner.invoke(args=["import", str(path)])
    assert refused.exit_code != 0
    assert "row 2, column Effects: amount" in refused.output
    assert "row 3, column Effects: unit" in refused.output

    # amounts go through the same decimal rule as the form: no "nan", exponents or Unicode
    # digits; a Swedish decimal comma is fine
    for amount, bad in (("nan", True), ("1e400", True), ("٣", True), ("2,5", False)):
        book["Effects"].cell(row=2, column=4).value = amount
        book["Effects"].cell(row=3, column=5).value = "sek"
        book.save(path)
        checked = runner.invoke(args=["import", str(path), "--dry-run"])
        assert ("row 2, column Effects: amount" in checked.output) == bad, checked.output
    assert client.get(f"/api/v1/initiatives/{initiative_id}").get_json()["hours_per_year"] == 1040
