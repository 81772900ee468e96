"""The initiatives API and the OpenAPI document, which every response must agree with."""

import json

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Initiative, Municipality, State, Status

ITEM_KEYS = [
    "id",
    "title",
    "summary",
    "description",
    "status",
    "benefit_areas",
    "areas",
    "technologies",
    "municipalities",
    "region_codes",
    "start_year",
    "url",
    "contact",
    "location",
    "published_at",
    "updated_at",
    "is_demo",
    "last_confirmed_at",
    "adopted_by",
    "source",
    "effects",
    "hours_per_year",
    "sek_per_year",
    "costs",
    "reuse",
    "compliance",
    "lang",
]


@pytest.fixture(scope="module")
def client(seeded_app):
    return seeded_app.test_client()


@pytest.fixture(scope="module")
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture(scope="module")
def openapi(document):
    config = Config(extra_media_type_deserializers={"application/geo+json": json.loads})
    return OpenAPI.from_dict(document, config=config)


def conforms(openapi, response):
    """The response matches what the document says for its path and status."""
    openapi.validate_response(
        WerkzeugOpenAPIRequest(response.request), WerkzeugOpenAPIResponse(response)
    )
    return response


def _published(app, **where) -> list[int]:
    with Session(app.extensions["db_engine"]) as session:
        stmt = InitiativeFilter(**where).apply(
            select(Initiative.id).where(Initiative.state == State.PUBLISHED)
        )
        return sorted(session.scalars(stmt))


def test_document_is_valid_openapi_and_lists_every_api_path(seeded_app, document):
    validate(document)
    assert document["openapi"].startswith("3.")
    routes = {
        rule.rule.replace("<initiative_id>", "{initiative_id}")
        for rule in seeded_app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    assert set(document["paths"]) == routes
    assert {
        "/api/v1/initiatives",
        "/api/v1/initiatives/{initiative_id}",
        "/api/v1/municipalities",
        "/api/v1/regions",
        "/api/v1/taxonomy",
        "/api/v1/boundaries/municipalities",
        "/api/v1/boundaries/regions",
        "/api/v1/openapi.json",
    } <= routes
    listing = document["paths"]["/api/v1/initiatives"]["get"]
    names = {p["$ref"].rsplit("/", 1)[1] for p in listing["parameters"]}
    assert names == {
        "benefit",
        "area",
        "status",
        "tech",
        "region",
        "municipality",
        "q",
        "year_from",
        "year_to",
        "reuse",
        "risk",
        "page",
        "per_page",
    }
    benefit = document["components"]["parameters"]["benefit"]["schema"]["items"]["enum"]
    assert "efficiency" in benefit
    assert document["components"]["schemas"]["Error"]["required"] == ["error", "field"]


def test_page_of_items_with_the_contract_shape(client, openapi, seeded_app):
    response = conforms(openapi, client.get("/api/v1/initiatives?per_page=5"))
    body = response.get_json()
    assert list(body) == ["items", "total", "page", "per_page"]
    assert (body["total"], body["page"], body["per_page"]) == (400, 1, 5)
    assert len(body["items"]) == 5
    item = body["items"][0]
    assert list(item) == ITEM_KEYS
    assert item["is_demo"] is True
    assert item["region_codes"] == sorted({m["code"][:2] for m in item["municipalities"]})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_paging_walks_through_every_item_once(client, openapi, seeded_app):
    seen = []
    for page in (1, 2, 3):
        response = conforms(openapi, client.get(f"/api/v1/initiatives?per_page=200&page={page}"))
        seen += [i["id"] for i in response.get_json()["items"]]
    assert len(seen) == 400
    assert sorted(seen) == _published(seeded_app)
    assert client.get("/api/v1/initiatives?page=3&per_page=200").get_json()["items"] == []


def test_filters_select_the_same_initiatives_as_the_filter_object(client, openapi, seeded_app):
    query = "benefit=efficiency&benefit=safety&region=14&year_from=2020&per_page=200"
    body = conforms(openapi, client.get(f"/api/v1/initiatives?{query}")).get_json()
    expected = _published(seeded_app, benefit=("efficiency", "safety"), region="14", year_from=2020)
    assert 0 < len(expected) < 400
    assert sorted(i["id"] for i in body["items"]) == expected
    assert body["total"] == len(expected)
    for item in body["items"]:
        assert {"efficiency", "safety"} & set(item["benefit_areas"])
        assert "14" in item["region_codes"]
        assert item["start_year"] >= 2020


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("per_page=0", "per_page"),
        ("per_page=201", "per_page"),
        ("per_page=100000", "per_page"),
        ("per_page=99999999999999999999", "per_page"),
        ("benefit=nope", "benefit"),
        ("municipality=999", "municipality"),
        ("year_to=1900", "year_to"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(client, openapi, query, field):
    response = conforms(openapi, client.get(f"/api/v1/initiatives?{query}"))
    assert response.status_code == 400
    assert response.get_json()["field"] == field
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_one_item_and_its_errors(client, openapi, seeded_app):
    first = _published(seeded_app)[0]
    item = conforms(openapi, client.get(f"/api/v1/initiatives/{first}")).get_json()
    assert item["id"] == first and list(item) == ITEM_KEYS
    listed = client.get("/api/v1/initiatives?per_page=200&page=1").get_json()["items"]
    listed += client.get("/api/v1/initiatives?per_page=200&page=2").get_json()["items"]
    assert item == next(i for i in listed if i["id"] == first)

    for path in ("99999", "2147483648", "99999999999"):
        missing = conforms(openapi, client.get(f"/api/v1/initiatives/{path}"))
        assert missing.status_code == 404
        assert set(missing.get_json()) == {"error", "field"}
    for path in ("abc", "1.5", "-3", "１２"):
        bad = client.get(f"/api/v1/initiatives/{path}")
        assert bad.status_code == 400, path
        assert bad.get_json()["field"] == "id"


def test_unpublished_initiatives_are_404_and_not_listed(app):
    client = app.test_client()
    with Session(app.extensions["db_engine"]) as session:
        status = session.scalar(select(Status).where(Status.slug == "pilot"))
        ids = {}
        for state in State:
            item = Initiative(
                title=f"Test {state}",
                status=status,
                state=state,
                municipalities=[session.get(Municipality, "0180")],
            )
            item.refresh_search_text()
            session.add(item)
            session.flush()
            ids[state] = item.id
        session.commit()
        assert session.scalar(select(func.count(Initiative.id))) == 4
    body = client.get("/api/v1/initiatives").get_json()
    assert [i["id"] for i in body["items"]] == [ids[State.PUBLISHED]]
    for state in (State.DRAFT, State.SUBMITTED, State.REJECTED):
        assert client.get(f"/api/v1/initiatives/{ids[state]}").status_code == 404
    assert client.get(f"/api/v1/initiatives/{ids[State.PUBLISHED]}").get_json()["location"] is None


def test_every_other_api_response_matches_the_document(client, openapi):
    for path in (
        "/api/v1/municipalities?benefit=efficiency",
        "/api/v1/regions?tech=chatbot",
        "/api/v1/regions?region=nope",
        "/api/v1/taxonomy",
        "/api/v1/boundaries/regions",
        "/api/v1/openapi.json",
    ):
        conforms(openapi, client.get(path))
