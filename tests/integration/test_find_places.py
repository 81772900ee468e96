"""Finding a place: /api/v1/places for the map's suggestions, /find without script."""

import re
from urllib.parse import unquote

import pytest


@pytest.mark.parametrize(
    ("typed", "code"),
    [("ostersund", "2380"), ("Gothenburg", "1480"), ("malmo", "1280"), ("Upplands Vasby", "0114")],
)
def test_api_finds_the_place_first(module_app, typed, code):
    response = module_app.test_client().get("/api/v1/places", query_string={"q": typed})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    first = response.get_json()[0]
    assert first["code"] == code and first["level"] == "municipality"
    assert first["url"] == f"/municipalities/{code}"


def test_api_lists_at_most_ten_with_counties_and_says_what_is_wrong(module_app):
    client = module_app.test_client()
    body = client.get("/api/v1/places?q=Uppsala").get_json()
    assert [(p["name"], p["level"], p["url"]) for p in body[:2]] == [
        ("Uppsala", "municipality", "/municipalities/0380"),
        ("Uppsala län", "region", "/regions/03"),
    ]
    assert len(client.get("/api/v1/places?q=a").get_json()) == 10
    assert client.get("/api/v1/places?q=xyzzy").get_json() == []
    for query in ("", "?q=", "?q=%20%20", "?q=" + "x" * 101):
        response = client.get("/api/v1/places" + query + ("&" if "?" in query else "?") + "lang=en")
        assert response.status_code == 400, query
        assert response.get_json()["field"] == "q"
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/places"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["q"]
    assert "PlaceMatch" in document["components"]["schemas"]


@pytest.mark.parametrize("typed", ["%C2%85", "%20", "a%00b", "%E2%80%A8", "Malm%C3%B6%07"])
def test_what_the_api_refuses_is_what_its_document_refuses(module_app, typed):
    """A blank or a control character is a 400 that the OpenAPI pattern foretells, so a
    client that checks the document first is never surprised (NEL, U+0085, is both)."""
    client = module_app.test_client()
    response = client.get(f"/api/v1/places?q={typed}")
    assert response.status_code == 400 and response.get_json()["field"] == "q"
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/places"]["get"]
    pattern = operation["parameters"][0]["schema"]["pattern"]
    assert not re.match(pattern, unquote(typed))
    assert (
        re.match(pattern, "Malmö") and client.get("/api/v1/places?q=Malm%C3%B6").status_code == 200
    )


@pytest.mark.parametrize(
    ("typed", "target"),
    [
        ("ostersund", "/municipalities/2380"),
        ("Gothenburg", "/municipalities/1480"),
        ("malmo", "/municipalities/1280"),
        ("Stockholm County", "/regions/01"),
    ],
)
def test_find_without_script_goes_straight_to_the_one_place(module_app, typed, target):
    response = module_app.test_client().get("/find", query_string={"q": typed, "lang": "en"})
    assert response.status_code == 302
    assert response.headers["Location"] == target + "?lang=en"


def test_find_lists_several_and_explains_nothing_or_a_blank(module_app):
    client = module_app.test_client()
    html = client.get("/find?q=upplands&lang=en").get_data(as_text=True)
    assert 'href="/municipalities/0114"' in html and 'href="/municipalities/0139"' in html
    assert "2 places match" in html
    none = client.get("/find?q=<b>xyzzy</b>&lang=en")
    assert none.status_code == 200
    assert "&lt;b&gt;xyzzy&lt;/b&gt;" in none.get_data(as_text=True)
    assert "<b>xyzzy" not in none.get_data(as_text=True)
    blank = client.get("/find?q=&lang=sv")
    assert blank.status_code == 400
    html = blank.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and 'id="find-q-error"' in html
    longest = int(re.search(r'id="find-q"[^>]* maxlength="([0-9]+)"', html).group(1))
    assert client.get("/find", query_string={"q": "å" * longest}).status_code == 200
    assert client.get("/find", query_string={"q": "å" * (longest + 1)}).status_code == 400
