"""The minimal HTTP surface: health, municipalities, regions, taxonomy, boundaries, home."""

import gzip
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta.models import Initiative, State, initiative_municipalities
from tests.conftest import make_app


def _published_counts(app) -> dict[str, int]:
    link = initiative_municipalities
    with Session(app.extensions["db_engine"]) as session:
        rows = session.execute(
            select(link.c.municipality_code, func.count())
            .join(Initiative, Initiative.id == link.c.initiative_id)
            .where(Initiative.state == State.PUBLISHED)
            .group_by(link.c.municipality_code)
        ).all()
    return dict(rows)


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_unreachable(tmp_path):
    app = make_app("postgresql+psycopg://postgres@127.0.0.1:1/none", tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] != "ok"
    page = app.test_client().get("/")
    assert page.status_code == 503
    assert b"Traceback" not in page.data


def test_municipalities_lists_all_290_with_counts(seeded_app, geo):
    client = seeded_app.test_client()
    body = client.get("/api/v1/municipalities").get_json()
    assert len(body) == 290
    assert body[0] == {
        "code": "0114",
        "name": "Upplands Väsby",
        "region_code": "01",
        "count": body[0]["count"],
        "hours_per_year": body[0]["hours_per_year"],
        "sek_per_year": body[0]["sek_per_year"],
    }
    assert all(isinstance(i["hours_per_year"], int | float) for i in body)
    for item in body:
        assert item["region_code"] == geo.municipalities[item["code"]].region_code
    expected = _published_counts(seeded_app)
    assert {i["code"]: i["count"] for i in body if i["count"]} == expected
    assert sum(1 for i in body if i["count"]) >= 200


def test_municipality_counts_follow_filters(seeded_app):
    client = seeded_app.test_client()
    everything = {i["code"]: i["count"] for i in client.get("/api/v1/municipalities").get_json()}
    efficiency = {
        i["code"]: i["count"]
        for i in client.get("/api/v1/municipalities?benefit=efficiency").get_json()
    }
    assert 0 < sum(efficiency.values()) < sum(everything.values())
    assert all(efficiency[c] <= everything[c] for c in everything)
    one_region = client.get("/api/v1/municipalities?region=14").get_json()
    # every initiative of a municipality in the county involves the county: counts unchanged
    inside = {i["code"]: i["count"] for i in one_region if i["region_code"] == "14"}
    assert inside == {code: everything[code] for code in inside}
    assert sum(inside.values()) > 0
    # elsewhere only collaborations with the county are left
    assert all(i["count"] <= everything[i["code"]] for i in one_region)
    assert sum(i["count"] for i in one_region if i["region_code"] != "14") < sum(
        n for code, n in everything.items() if code[:2] != "14"
    )


def test_regions_lists_all_21(seeded_app):
    body = seeded_app.test_client().get("/api/v1/regions").get_json()
    assert len(body) == 21
    assert {"code", "name", "count", "municipalities_with_initiatives"} == set(body[0])
    municipalities = seeded_app.test_client().get("/api/v1/municipalities").get_json()
    for region in body:
        members = [m for m in municipalities if m["region_code"] == region["code"]]
        assert region["municipalities_with_initiatives"] == sum(1 for m in members if m["count"])
        # collaborations are counted once per county
        assert max((m["count"] for m in members), default=0) <= region["count"]
        assert region["count"] <= sum(m["count"] for m in members)


def test_taxonomy(client):
    body = client.get("/api/v1/taxonomy").get_json()
    assert list(body) == ["benefit_areas", "areas", "statuses", "technologies"]
    assert [len(body[k]) for k in body] == [8, 12, 5, 13]
    assert body["statuses"][0] == {
        "slug": "idea",
        "name_sv": "Idé",
        "name_en": "Idea",
        "description_sv": "",
        "description_en": "",
        "retired": False,
        "merged_into": None,
    }


def test_boundaries_are_cached_and_compressed(client):
    response = client.get("/api/v1/boundaries/municipalities", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=604800" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get(
        "/api/v1/boundaries/municipalities",
        headers={"Accept-Encoding": "gzip", "If-None-Match": etag},
    )
    assert again.status_code == 304
    plain = client.get("/api/v1/boundaries/regions").get_json()
    assert len(plain["features"]) == 21


@pytest.mark.parametrize(
    "path", ["/api/v1/boundaries/municipalities", "/map/boundaries/municipalities"]
)
def test_boundaries_are_the_same_bytes_gzipped_or_not(client, path):
    """Compressed once and kept: each gzipped download is the same bytes, which unpack to
    the body a client that takes no gzip gets."""
    first, second = (client.get(path, headers={"Accept-Encoding": "gzip"}) for _ in range(2))
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert first.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert first.get_data() == second.get_data()
    assert gzip.decompress(first.get_data()) == plain.get_data()
    assert json.loads(plain.get_data())["type"] in ("FeatureCollection", "Topology")
    assert first.headers["ETag"] == plain.headers["ETag"][:-1] + ':gzip"'
    for response, coding in ((first, "gzip"), (plain, "identity")):
        assert "Accept-Encoding" in response.headers["Vary"]
        again = client.get(
            path,
            headers={"Accept-Encoding": coding, "If-None-Match": response.headers["ETag"]},
        )
        assert again.status_code == 304


def test_bad_filters_are_400_with_the_parameter_named(client):
    for query, field in [
        ("benefit=nope", "benefit"),
        ("municipality=12", "municipality"),
        ("region=99", "region"),
        ("year_from=abc", "year_from"),
        ("year_from=2025&year_to=2020", "year_from"),
    ]:
        response = client.get(f"/api/v1/municipalities?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["field"] == field
    page = client.get("/?benefit=nope&lang=en")
    assert page.status_code == 400
    assert "benefit" in page.get_data(as_text=True)


def test_home_is_in_both_languages(seeded_app):
    client = seeded_app.test_client()
    swedish = client.get("/?lang=sv").get_data(as_text=True)
    assert '<html lang="sv">' in swedish and "AI i Sveriges kommuner" in swedish
    english = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "AI in Swedish municipalities" in english
    remembered = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in remembered


def test_unpublished_initiatives_are_not_counted(app, session):
    from kommunkarta.models import Municipality, Status

    status = session.scalar(select(Status))
    stockholm = session.get(Municipality, "0180")
    for state in ("draft", "submitted", "rejected", "published"):
        item = Initiative(
            title=f"Test {state}", status=status, state=state, municipalities=[stockholm]
        )
        item.refresh_search_text()
        session.add(item)
    session.commit()
    body = app.test_client().get("/api/v1/municipalities").get_json()
    assert {i["code"]: i["count"] for i in body}["0180"] == 1


@pytest.mark.parametrize(
    "accept, compressed",
    [
        ("gzip", True),
        ("gzip;q=0.5, br", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=0, *", False),
        ("identity", False),
        ("", False),
    ],
)
def test_a_page_is_gzipped_only_for_a_client_that_accepts_gzip(client, accept, compressed):
    response = client.get("/api/v1/taxonomy", headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert (response.headers.get("Content-Encoding") == "gzip") is compressed
    assert "Accept-Encoding" in response.headers.get("Vary", "")
    body = gzip.decompress(response.get_data()) if compressed else response.get_data()
    assert json.loads(body)["statuses"]
