"""The map as an image: /map.svg draws the live map's classes on every area, with its texts."""

import xml.etree.ElementTree as ET

import pytest

from kommunkarta.public import coverage_map, map_classes
from tests.integration.helpers import map_config

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def client(seeded_app):
    return seeded_app.test_client()


def parse(response) -> ET.Element:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "image/svg+xml"
    return ET.fromstring(response.get_data())


def areas(root: ET.Element) -> dict[str, ET.Element]:
    return {(p.get("id") or "").removeprefix("area-"): p for p in root.iter(f"{SVG}path")}


def texts(root: ET.Element) -> str:
    return " ".join(" ".join(t.itertext()) for t in root.iter(f"{SVG}text"))


@pytest.mark.parametrize("args", [{}, {"benefit": "efficiency"}, {"tech": "chatbot"}])
def test_every_municipality_in_the_live_maps_class_colours(client, args):
    response = client.get("/map.svg", query_string=args)
    root = parse(response)
    assert len(response.get_data()) < 500_000
    drawn = areas(root)
    assert len(drawn) == 290 and all(len(p.get("d")) > 20 for p in drawn.values())
    counts = {
        m["code"]: m["count"]
        for m in client.get("/api/v1/municipalities", query_string=args).get_json()
    }
    classes = map_classes.classes(counts.values())
    assert len(classes.breaks) >= 2  # several classes: the colours below say something
    for code, path in drawn.items():
        assert path.get("fill") == classes.colour(counts[code]), code
    legend = texts(root)
    for _, low, high in classes.rows():
        assert (str(low) if low == high else f"{low}–{high}") in legend


def test_title_legend_selection_date_and_source_in_the_pages_language(client):
    en = texts(parse(client.get("/map.svg?benefit=efficiency&status=pilot&lang=en")))
    for words in (
        "AI initiatives per municipality",
        "for Efficiency",
        "Initiatives",
        "Benefit area: Efficiency",
        "Status: Pilot",
        "Drawn on",
        "Boundaries: SCB. Data: Kommunkartan, CC BY 4.0.",
    ):
        assert words in en, words
    fixed = texts(parse(client.get("/map.svg?reuse=open-source&risk=high&lang=en")))
    assert "Reuse: Open source" in fixed and "(own assessment): High risk" in fixed
    sv = texts(parse(client.get("/map.svg?benefit=efficiency&lang=sv")))
    assert "AI-initiativ per kommun" in sv and "Gränser: SCB" in sv and "Urval" in sv


def test_link_to_the_live_map_comes_from_the_public_url(client):
    root = parse(client.get("/map.svg?benefit=efficiency", headers={"Host": "evil.example"}))
    link = next(root.iter(f"{SVG}a")).get("href")
    assert link.startswith("http://127.0.0.1:5000/?") and "benefit=efficiency" in link


def test_counties_at_level_region(client):
    root = parse(client.get("/map.svg?level=region&lang=en"))
    drawn = areas(root)
    assert len(drawn) == 21
    counts = {r["code"]: r["count"] for r in client.get("/api/v1/regions").get_json()}
    classes = map_classes.classes(counts.values())
    assert {code: p.get("fill") for code, p in drawn.items()} == {
        code: classes.colour(n) for code, n in counts.items()
    }
    assert "AI initiatives per county" in texts(root)


def test_a_county_filter_draws_that_county_alone(client):
    root = parse(client.get("/map.svg?region=14&lang=en"))
    drawn = areas(root)
    assert len(drawn) == 49 and all(code.startswith("14") for code in drawn)
    assert "in Västra Götalands län" in texts(root)


def test_an_empty_selection_draws_every_area_as_none_and_says_so(client):
    root = parse(client.get("/map.svg?q=no-such-text-anywhere&lang=en"))
    drawn = areas(root)
    assert len(drawn) == 290
    assert {p.get("fill") for p in drawn.values()} == {map_classes.NONE_COLOUR}
    assert "None: no initiative matches the filters" in texts(root)


def test_coverage_view_draws_each_state_as_the_live_map_does(client):
    root = parse(client.get("/map.svg?view=coverage&lang=en"))
    fills = {p.get("fill") for p in areas(root).values()}
    looks = {s["fill"] for s in coverage_map.STYLES.values() if not s["hatch"]}
    assert fills <= looks | {"url(#hatch-stale)"}
    assert len(fills) >= 2
    assert "Coverage" in texts(root)


def test_typed_text_is_escaped(client):
    hostile = '<script>alert(1)</script>"&'
    response = client.get("/map.svg", query_string={"q": hostile})
    root = parse(response)
    assert not list(root.iter(f"{SVG}script"))
    assert b"<script>" not in response.get_data()
    assert hostile in texts(root)


def test_the_selection_names_the_search_text_as_the_filter_form_does(client):
    said = texts(parse(client.get("/map.svg", query_string={"q": "chatt", "lang": "sv"})))
    assert "Söktext: “chatt”" in said


@pytest.mark.parametrize(
    ("measure", "key", "unit", "legend"),
    [
        ("hours", "hours_per_year", "hours a year", "Hours a year (own estimates)"),
        ("sek", "sek_per_year", "kronor a year", "Kronor a year (own estimates)"),
    ],
)
def test_measure_colours_each_municipality_by_its_yearly_sum(client, measure, key, unit, legend):
    root = parse(client.get(f"/map.svg?measure={measure}&benefit=efficiency&lang=en"))
    sums = {
        m["code"]: m[key]
        for m in client.get("/api/v1/municipalities?benefit=efficiency").get_json()
    }
    classes = map_classes.classes(sums.values())
    assert len(classes.breaks) >= 2  # the sums differ enough to say something
    drawn = areas(root)
    assert {code: p.get("fill") for code, p in drawn.items()} == {
        code: classes.colour(n) for code, n in sums.items()
    }
    largest = max(sums, key=sums.get)
    assert drawn[largest].find(f"{SVG}title").text.endswith(f"≈ {sums[largest]:,} {unit}")
    words = texts(root)
    assert legend in words and "the municipalities' own estimates" in words
    link = next(root.iter(f"{SVG}a")).get("href")
    assert f"measure={measure}" in link and "benefit=efficiency" in link


def test_the_maps_image_link_keeps_its_measure(client):
    html = client.get("/?measure=sek&lang=en").get_data(as_text=True)
    link = html[html.index('id="map-svg-link"') :].split(">", 1)[0]
    assert 'data-filter-link="level measure lang"' in link and "measure=sek" in link


@pytest.mark.parametrize(
    "query",
    [
        "benefit=nope",
        "region=99",
        "municipality=12",
        "year_to=20x0",
        "level=planet",
        "view=x",
        "measure=money",
    ],
)
def test_bad_arguments_are_a_400(client, query):
    assert client.get(f"/map.svg?{query}").status_code == 400


def test_an_unchanged_image_is_a_304(client):
    first = client.get("/map.svg?benefit=safety")
    assert first.headers["ETag"]
    again = client.get("/map.svg?benefit=safety", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_the_map_and_the_county_page_link_to_the_image(client):
    html = client.get("/?benefit=efficiency&level=region&lang=en").get_data(as_text=True)
    assert 'id="map-svg-link"' in html
    assert "/map.svg?" in html and "level=region" in html
    county = client.get("/regions/14?lang=en").get_data(as_text=True)
    assert "/map.svg?" in county and "region=14" in county
    assert "Download the map (SVG)" in county


def test_the_live_map_gets_the_same_classes_from_the_server(client):
    counts = {
        m["code"]: m["count"] for m in client.get("/api/v1/municipalities?tech=chatbot").get_json()
    }
    expected = map_classes.classes(counts.values()).to_json()
    told = client.get("/map/summary?tech=chatbot").get_json()
    assert told["classes"] == expected
    assert map_config(client.get("/?tech=chatbot").get_data(as_text=True))["classes"] == expected
    # and the image colours each area by them
    fills = {
        code: p.get("fill") for code, p in areas(parse(client.get("/map.svg?tech=chatbot"))).items()
    }
    for high, colour in zip(expected["breaks"], expected["colours"], strict=True):
        assert any(counts[code] <= high and fills[code] == colour for code in counts)


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("region", [None, "25", "01"])
def test_a_long_selection_wraps_its_headings_within_the_image_above_the_map(client, lang, region):
    """Every benefit area chosen makes the longest summary line there is: it wraps to the
    image's width (at DejaVu Sans' average character width, the widest font the image
    names) and the map and the right column start below its last line."""
    benefits = [t["slug"] for t in client.get("/api/v1/taxonomy").get_json()["benefit_areas"]]
    args = {"benefit": benefits, "lang": lang, **({"region": region} if region else {})}
    root = parse(client.get("/map.svg", query_string=args))
    width = float(root.get("width"))
    title, subtitle = [t for t in root.iter(f"{SVG}text")][:2]
    assert title.get("font-size") == "26" and subtitle.get("font-size") == "16"
    lines = {26: [s.text for s in title], 16: [s.text for s in subtitle]}
    assert len(lines[16]) >= 2  # long enough to wrap
    for size, char_width in ((26, 0.64), (16, 0.58)):
        for line in lines[size]:
            assert 24 + len(line) * size * char_width <= width - 24, line
    subtitle_bottom = float(subtitle.get("y")) + 20 * (len(lines[16]) - 1)
    group = next(root.iter(f"{SVG}g"))
    map_top = float(group.get("transform").split()[-1].rstrip(")"))
    assert map_top >= subtitle_bottom + 16  # the map starts below the text, not under it
    column_title = [t for t in root.iter(f"{SVG}text")][2]
    assert float(column_title.get("y")) > map_top
