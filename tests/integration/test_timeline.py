"""The register over the years: /api/v1/timeline and the year-by-status charts."""

import json
import re

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta.filters import InitiativeFilter, Vocabulary
from kommunkarta.models import Initiative, Municipality, State, Status

FILTERS = [
    {},
    {"benefit": "efficiency"},
    {"benefit": ["safety", "welfare-quality"], "status": "pilot"},
    {"region": "14"},
    {"municipality": "0180"},
    {"tech": "chatbot", "year_from": "2019"},
    {"q": "chatt"},
]


@pytest.fixture(scope="module")
def client(seeded_app):
    return seeded_app.test_client()


def _with_start_year(app, args: dict) -> int:
    """Published initiatives under the filter that have a start year, counted directly."""
    with app.test_request_context(), Session(app.extensions["db_engine"]) as session:
        selection = InitiativeFilter.from_args(args, Vocabulary.load(session))
        stmt = selection.apply(
            select(func.count(Initiative.id)).where(
                Initiative.state == State.PUBLISHED, Initiative.start_year.is_not(None)
            )
        )
        return session.execute(stmt).scalar_one()


@pytest.mark.parametrize("args", FILTERS)
def test_timeline_sums_to_the_count_of_initiatives_with_a_start_year(seeded_app, client, args):
    response = client.get("/api/v1/timeline", query_string=args)
    assert response.status_code == 200
    years = response.get_json()
    expected = _with_start_year(seeded_app, args)
    assert sum(y["count"] for y in years) == expected
    if args == {}:
        assert expected > 100  # the seeded data has start years: the check means something
    # consecutive years, first and last not empty
    if years:
        numbers = [y["year"] for y in years]
        assert numbers == list(range(numbers[0], numbers[-1] + 1))
        assert years[0]["count"] > 0 and years[-1]["count"] > 0


def test_timeline_matches_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/timeline" in document["paths"]
    config = Config(extra_media_type_deserializers={"application/geo+json": json.loads})
    openapi = OpenAPI.from_dict(document, config=config)
    for path in ("/api/v1/timeline?benefit=efficiency", "/api/v1/timeline?status=nope"):
        response = client.get(path)
        openapi.validate_response(
            WerkzeugOpenAPIRequest(response.request), WerkzeugOpenAPIResponse(response)
        )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("benefit=nope", "benefit"),
        ("region=1", "region"),
        ("municipality=9999", "municipality"),
        ("year_from=20x0", "year_from"),
        ("year_from=2020&year_to=2019", "year_from"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(client, query, field):
    response = client.get(f"/api/v1/timeline?{query}")
    assert response.status_code == 400
    assert response.get_json()["field"] == field


def test_years_without_initiatives_are_zero_and_unpublished_ones_do_not_count(app, client_app):
    client, add = client_app
    add("Första", 2015)
    add("Andra", 2018)
    add("Utkast", 2016, state=State.DRAFT)
    add("Utan år", None)
    assert client.get("/api/v1/timeline").get_json() == [
        {"year": 2015, "count": 1},
        {"year": 2016, "count": 0},
        {"year": 2017, "count": 0},
        {"year": 2018, "count": 1},
    ]
    assert client.get("/api/v1/timeline?year_from=2019").get_json() == []


@pytest.fixture
def client_app(app, session):
    def add(title: str, year: int | None, state: str = State.PUBLISHED) -> None:
        item = Initiative(
            title=title,
            state=state,
            start_year=year,
            status=session.scalar(select(Status).where(Status.slug == "pilot")),
            municipalities=[session.get(Municipality, "0180")],
        )
        item.refresh_search_text()
        session.add(item)
        session.commit()

    return app.test_client(), add


def _table_totals(html: str) -> dict[int, int]:
    """{year: total} from the year-by-status table of a page."""
    table = re.search(r'(?s)<table class="data-table year-table"[^>]*>.*?</table>', html)
    assert table, "no year table on the page"
    rows = re.findall(
        r'(?s)<tr><th scope="row">(\d{4})</th>.*?<td class="num">([\d\s\u00a0,]+)</td></tr>',
        table.group(0),
    )
    return {int(year): int(re.sub(r"\D", "", total)) for year, total in rows}


@pytest.mark.parametrize(
    ("page", "args"),
    [
        ("/stats", {}),
        ("/stats", {"benefit": "efficiency", "lang": "en"}),
        ("/municipalities/0180", {}),
        ("/regions/14", {"tech": "chatbot"}),
    ],
)
def test_pages_chart_the_timeline_with_its_data_table(client, page, args):
    html = client.get(page, query_string=args).get_data(as_text=True)
    assert 'class="year-chart"' in html and 'role="img"' in html
    filters = {k: v for k, v in args.items() if k != "lang"}
    if page.startswith("/municipalities/"):
        filters["municipality"] = page.rsplit("/", 1)[1]
    if page.startswith("/regions/"):
        filters["region"] = page.rsplit("/", 1)[1]
    years = client.get("/api/v1/timeline", query_string=filters).get_json()
    assert _table_totals(html) == {y["year"]: y["count"] for y in years}
    assert years  # the table is compared with something


@pytest.mark.parametrize(
    ("query", "expected"),
    [("", "last"), ("year_to=1960", "first"), ("year_to=2099", "last"), ("year_to=mid", "mid")],
)
def test_the_maps_year_control_stands_at_the_clamped_year(client, query, expected):
    years = client.get("/api/v1/timeline").get_json()
    first, last = years[0]["year"], years[-1]["year"]
    mid = (first + last) // 2
    query = query.replace("mid", str(mid))
    html = client.get(f"/?{query}&lang=en").get_data(as_text=True)
    control = re.search(r'<input type="range" id="year-range"[^>]*>', html).group(0)
    value = {"first": first, "last": last, "mid": mid}[expected]
    assert f'min="{first}"' in control and f'max="{last}"' in control
    assert f'value="{value}"' in control
    words = "every year" if value == last else f"up to {value}"
    assert f'for="year-range">{words}</output>' in html
