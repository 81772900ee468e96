"""Neighbours and nearby municipalities on the municipality page, comparison, the embeddable
map and its snippet, and the neighbours the map highlights: on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from html import unescape

import pytest

from kommunkarta.models import State
from tests.integration.helpers import add, map_config


@pytest.fixture
def reader(module_app):
    """A client on a database shared by the module's tests that add nothing to it."""
    return module_app.test_client()


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """The body rows of one table as lists of cell texts."""
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [
        [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", cell))).strip() for cell in cells]
        for cells in (
            re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
            for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
        )
    ]


# --- neighbours on the municipality page ------------------------------------------------


def test_bordering_municipalities_with_their_initiatives_by_benefit_area(client, session, geo):
    add(session, "Solna ett", places=("0184",), benefits=("efficiency", "safety"))
    add(session, "Solna två", places=("0184",), benefits=("safety",), status="idea")
    add(session, "Solna utkast", places=("0184",), state=State.DRAFT)
    add(session, "Göteborg", places=("1480",))
    html = client.get("/municipalities/0180?lang=en").get_data(as_text=True)
    rows = {row[0]: row for row in table_rows(html, "bordering")}
    names = {code: geo.municipalities[code].name for code in geo.neighbours["0180"]}
    assert set(rows) == set(names.values())
    # name, total, then the benefit areas in taxonomy order: efficiency first, safety sixth
    assert rows["Solna"][1:3] == ["2", "1"] and rows["Solna"][7] == "2"
    assert rows["Danderyd"][1] == "0"
    filtered = client.get("/municipalities/0180?lang=en&status=idea").get_data(as_text=True)
    solna = {row[0]: row for row in table_rows(filtered, "bordering")}["Solna"]
    assert solna[1:3] == ["1", "0"] and solna[7] == "1"


def test_nearby_municipalities_are_sorted_by_distance_and_bounded(reader, geo):
    html = reader.get("/municipalities/0180?lang=en&within=10").get_data(as_text=True)
    assert "Other municipalities within 10 km" in unescape(html)
    rows = table_rows(html, "nearby")
    distances = [float(row[1].removesuffix(" km")) for row in rows]
    assert distances == sorted(distances) and all(0 < d <= 10 for d in distances)
    expected = {
        geo.municipalities[code].name
        for code, km in geo.within("0180", 10)
        if code not in geo.neighbours["0180"]
    }
    assert {row[0] for row in rows} == expected and "Ekerö" in expected


def test_gotland_has_no_land_neighbour_and_nothing_within_fifty_km(reader):
    text = unescape(reader.get("/municipalities/0980?lang=en").get_data(as_text=True))
    assert "Gotland shares no land border with another municipality." in text
    assert "No other municipality lies within 50 km of Gotland." in text
    across = reader.get("/municipalities/0980?lang=en&within=60").get_data(as_text=True)
    assert [row[0] for row in table_rows(across, "nearby")] == ["Borgholm"]


@pytest.mark.parametrize("value", ["0", "-5", "abc", "nan", "inf", "1e9", "201", "10 km"])
def test_a_distance_that_is_not_a_sensible_positive_number_is_a_400(reader, value):
    response = reader.get(f"/municipalities/0180?lang=en&within={value}")
    assert response.status_code == 400
    assert "The distance must be a number of kilometres above 0 and at most 200." in unescape(
        response.get_data(as_text=True)
    )


def test_a_bad_distance_is_explained_in_swedish(reader):
    response = reader.get("/municipalities/0180?lang=sv&within=-1")
    assert response.status_code == 400
    assert "Avståndet måste vara" in unescape(response.get_data(as_text=True))


# --- comparison ---------------------------------------------------------------------------


def test_two_municipalities_side_by_side_by_benefit_area_and_status(client, session):
    add(session, "Stockholm effektiv", places=("0180",), benefits=("efficiency",))
    add(session, "Stockholm trygg", places=("0180",), benefits=("safety",), status="idea")
    add(session, "Gemensam", places=("0180", "1480"), benefits=("efficiency", "safety"))
    add(session, "Göteborg utkast", places=("1480",), state=State.DRAFT)
    response = client.get("/compare?municipality=1480&municipality=0180&lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.findall(r'<th scope="col" class="num"><a href="/municipalities/(\d{4})"', html)[
        :2
    ] == ["1480", "0180"]
    by_benefit = {row[0]: row[1:] for row in table_rows(html, "by-benefit")}
    assert by_benefit["Efficiency"] == ["1", "2"]
    assert by_benefit["Safety and security"] == ["1", "2"]
    assert by_benefit["Participation and democracy"] == ["0", "0"]
    by_status = {row[0]: row[1:] for row in table_rows(html, "by-status")}
    assert by_status["Pilot"] == ["1", "2"] and by_status["Idea"] == ["0", "1"]
    assert re.search(
        r"All published initiatives</th>\s*<td class=\"num\">1</td><td class=\"num\">3", html
    )
    assert 'href="/initiatives?municipality=0180&amp;benefit=efficiency"' in html


def test_two_counties_count_a_shared_initiative_once(client, session):
    add(session, "Stockholm och Solna", places=("0180", "0184"))
    add(session, "Uppsala", places=("0380",))
    html = client.get("/compare?region=01&region=03&lang=en").get_data(as_text=True)
    assert {row[0]: row[1:] for row in table_rows(html, "by-benefit")}["Efficiency"] == ["1", "1"]


def test_the_empty_form_is_not_an_error(reader):
    response = reader.get("/compare?lang=en")
    assert response.status_code == 200
    assert 'id="by-benefit"' not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query, message",
    [
        ("municipality=0180", "Choose at least two different municipalities to compare."),
        ("municipality=0180&municipality=0180", "Choose at least two different municipalities"),
        ("region=01", "Choose at least two different counties to compare."),
        (
            "&".join(f"municipality={c}" for c in ("0180", "0184", "1480", "1280", "0380", "2584")),
            "Choose at most five municipalities to compare.",
        ),
        (
            "&".join(f"region={c}" for c in ("01", "03", "04", "05", "06", "07")),
            "Choose at most five counties to compare.",
        ),
        ("municipality=0180&municipality=9999", "there is no municipality with code 9999"),
        ("municipality=0180&municipality=18O0", "a municipality code has four digits"),
        ("region=01&region=99", "there is no county with code 99"),
        ("region=01&region=1", "a county code has two digits"),
        ("municipality=0180&municipality=1480&region=01", "either municipalities or counties"),
    ],
)
def test_bad_comparisons_are_a_400_with_a_message(reader, query, message):
    response = reader.get(f"/compare?{query}&lang=en")
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert message in html and "Traceback" not in html
    assert '<form class="compare-form"' in html  # the choice can be put right at once


def test_a_bad_comparison_is_explained_in_swedish(reader):
    response = reader.get("/compare?municipality=0180&lang=sv")
    assert "Välj minst två olika kommuner" in unescape(response.get_data(as_text=True))


# --- the embeddable map -------------------------------------------------------------------


@pytest.mark.parametrize("query", ["municipality=0180", "region=01"])
def test_embed_may_be_framed_by_any_site_and_nothing_else_may(reader, query):
    response = reader.get(f"/embed?{query}")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "frame-ancestors 'none'" not in policy
    for other in ("/compare", "/municipalities/0180", "/"):
        headers = reader.get(other).headers
        assert headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_embed_shows_the_area_without_navigation_and_links_open_a_new_tab(client, session):
    add(session, "Chattbot <script>alert(1)</script>", places=("0180",))
    add(session, "Utkast", places=("0180",), state=State.DRAFT)
    add(session, "Göteborg", places=("1480",))
    html = client.get("/embed?municipality=0180&lang=en").get_data(as_text=True)
    assert "<nav" not in html and 'class="site-header"' not in html
    assert "&lt;script&gt;alert(1)" in html and "<script>alert(1)" not in html
    assert "Utkast" not in html and "Göteborg" not in html
    assert "1 published AI initiative" in html
    links = re.findall(r"<a [^>]*>", html)
    assert links and all('target="_blank"' in a and 'rel="noopener"' in a for a in links)
    config = map_config(html)
    assert config["municipality"] == "0180" and config["linkTarget"] == "_blank"
    assert config["pointsUrl"] == "/map/points?municipality=0180"


@pytest.mark.parametrize(
    "query, status",
    [
        ("", 400),
        ("municipality=", 400),
        ("municipality=0180&region=01", 400),
        ("municipality=0180&municipality=1480", 400),
        ("municipality=abcd", 400),
        ("region=1", 400),
        ("municipality=9999", 404),
        ("region=99", 404),
    ],
)
def test_bad_embeds(reader, query, status):
    response = reader.get(f"/embed?{query}&lang=en")
    assert response.status_code == status
    assert "Traceback" not in response.get_data(as_text=True)


def test_municipality_and_county_pages_offer_the_snippet(reader):
    for path, src in (
        ("/municipalities/0180", "http://127.0.0.1:5000/embed?municipality=0180&amp;lang=sv"),
        ("/regions/01", "http://127.0.0.1:5000/embed?region=01&amp;lang=sv"),
    ):
        html = reader.get(path).get_data(as_text=True)
        textarea = re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', html, re.S)
        snippet = unescape(textarea.group(1))  # what a visitor copies
        assert snippet.startswith(f'<iframe src="{src}" title="')
        assert 'loading="lazy"></iframe>' in snippet and "<script" not in snippet


# --- the neighbours the map highlights ----------------------------------------------------


def test_the_map_gets_the_neighbours_of_a_municipality(reader, geo):
    body = reader.get("/map/neighbours/0180").get_json()
    assert body == {"code": "0180", "neighbours": list(geo.neighbours["0180"])}
    assert "0184" in body["neighbours"]
    assert reader.get("/map/neighbours/0980").get_json()["neighbours"] == []
    assert reader.get("/map/neighbours/0180").headers["Cache-Control"].startswith("public")


@pytest.mark.parametrize("code, status", [("18", 400), ("abcd", 400), ("9999", 404)])
def test_the_neighbours_of_a_bad_code(reader, code, status):
    response = reader.get(f"/map/neighbours/{code}?lang=en")
    assert response.status_code == status
    assert response.get_json()["field"] == "code"


def test_embed_without_a_place_offers_a_choice(reader):
    response = reader.get("/embed?lang=en")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Embed the map" in html
    assert html.count('<option value="') == 290 + 21
    assert 'name="municipality"' in html and 'name="region"' in html
