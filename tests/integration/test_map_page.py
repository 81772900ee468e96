"""The map page: light HTML that references the boundaries, filters that fail loudly."""

import functools
import re
from html import unescape

import pytest
from sqlalchemy import select

from kommunkarta.models import Initiative, Municipality, Status
from kommunkarta.services.places import geodata
from tests.conftest import GEODATA_DIR
from tests.integration.helpers import map_config


def _config(html: str) -> dict:
    """The map's config, with its figures (one per place in code order) by code, as map.js
    reads them with the boundaries' codes, leaving out the zeros."""
    config = map_config(html)
    codes = _codes(config["level"])
    config["valuesByCode"] = {
        code: n for code, n in zip(codes, config["valuesInCodeOrder"], strict=True) if n
    }
    return config


@functools.cache
def _codes(level: str) -> list[str]:
    data = geodata.load(GEODATA_DIR)
    return sorted(data.municipalities if level == "municipality" else data.regions)


def test_map_page_is_light_and_references_boundaries(seeded_app):
    response = seeded_app.test_client().get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(response.data) < 100_000
    assert '"FeatureCollection"' not in html  # boundaries are fetched, never inlined
    assert "MultiPolygon" not in html
    config = _config(html)
    assert config["boundaries"]["municipality"] == "/map/boundaries/municipalities"
    topology = seeded_app.test_client().get(config["boundaries"]["municipality"])
    assert topology.get_json()["type"] == "Topology" and topology.get_etag()[0]
    assert config["level"] == "municipality"
    api = seeded_app.test_client().get("/api/v1/municipalities").get_json()
    assert config["valuesByCode"] == {m["code"]: m["count"] for m in api if m["count"]}


def test_every_asset_is_served_by_the_app(seeded_app):
    client = seeded_app.test_client()
    html = client.get("/").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert any("leaflet.js" in s for s in sources)
    assert any("map.js" in s for s in sources)
    for source in sources:
        assert source.startswith("/static/"), source
        with client.get(source) as asset:
            assert asset.status_code == 200
    assert "cdn" not in html.lower() and "//unpkg" not in html
    assert '<script type="module" src="/static/js/map.js">' in html
    # the modules map.js imports, and theirs, are served too (no build step bundles them)
    queue, seen = ["/static/js/map.js"], set()
    while queue:
        url = queue.pop()
        seen.add(url)
        with client.get(url) as module:
            assert module.status_code == 200, url
            imports = re.findall(r'(?:from |import\()"(\./[^"]+)"', module.get_data(as_text=True))
        base = url.rsplit("/", 1)[0]
        for name in imports:
            target = (base + "/" + name[2:]).replace("/map/../", "/")
            if target not in seen:
                queue.append(target)
    # map.js; common, topology, choropleth, panel, years, labels, search, coverage, compact
    assert len(seen) == 10, seen


def test_filtered_counts_and_summary(seeded_app):
    client = seeded_app.test_client()
    html = client.get("/?benefit=efficiency&lang=en").get_data(as_text=True)
    counts = _config(html)["valuesByCode"]
    api = client.get("/api/v1/municipalities?benefit=efficiency").get_json()
    assert counts == {m["code"]: m["count"] for m in api if m["count"]}
    summary = re.search(r'id="map-summary"[^>]*>([^<]+)<', html).group(1)
    assert re.fullmatch(r"\d+ initiatives in \d+ municipalities for Efficiency", summary)
    swedish = client.get("/?benefit=efficiency&benefit=safety&lang=sv").get_data(as_text=True)
    summary = re.search(r'id="map-summary"[^>]*>([^<]+)<', swedish).group(1)
    assert "Effektivisering eller Trygghet och säkerhet" in summary


def test_region_level(seeded_app):
    client = seeded_app.test_client()
    html = client.get("/?level=region&lang=en").get_data(as_text=True)
    config = _config(html)
    assert config["level"] == "region"
    regions = client.get("/api/v1/regions").get_json()
    assert config["valuesByCode"] == {r["code"]: r["count"] for r in regions if r["count"]}


def test_map_summary_is_the_pages_own_line(seeded_app):
    """map.js shows the server's summary after a filter change: the same words as the page."""
    client = seeded_app.test_client()
    for query in ("benefit=efficiency&benefit=safety&lang=sv", "level=region&lang=en", "lang=en"):
        html = client.get(f"/?{query}").get_data(as_text=True)
        line = re.search(r'id="map-summary"[^>]*>([^<]+)<', html).group(1)
        body = client.get(f"/map/summary?{query}").get_json()
        assert body["summary"] == line
        total = client.get(f"/api/v1/initiatives?{query.replace('level=region&', '')}").get_json()
        assert body["total"] == total["total"]
    assert (
        "eller"
        in client.get("/map/summary?benefit=efficiency&benefit=safety&lang=sv").json["summary"]
    )
    bad = client.get("/map/summary?year_from=x&lang=en")
    assert bad.status_code == 400
    assert bad.get_json()["field"] == "year_from"
    assert bad.get_json()["error"] == "From year: a year has four digits, such as 2024"
    assert client.get("/map/summary?level=world").get_json()["field"] == "level"


def test_figures_page_is_the_maps_table_without_script(seeded_app):
    client = seeded_app.test_client()
    api = client.get("/api/v1/municipalities?benefit=safety").get_json()
    html = client.get("/figures?benefit=safety&lang=en").get_data(as_text=True)
    rows = re.findall(
        r'<a href="/municipalities/(\d{4})">[^<]+</a></th>\s*<td class="num">(\d+)<', html
    )
    assert len(rows) == 290
    assert {code: int(n) for code, n in rows} == {m["code"]: m["count"] for m in api}
    assert "for Safety and security" in html
    regions = client.get("/figures?level=region&lang=en").get_data(as_text=True)
    assert regions.count('<a href="/regions/') == 21
    assert client.get("/figures?level=world").status_code == 400
    assert client.get("/figures?region=1").status_code == 400


def _tag(html: str, element_id: str) -> str:
    """The opening tag of the element with `element_id`."""
    match = re.search(rf'<[a-z]+ [^>]*id="{element_id}"[^>]*>', html)
    assert match, f"no element #{element_id}"
    return match.group(0)


def _beside(html: str, name: str) -> str:
    """The message shown beside the field of filter parameter `name`."""
    match = re.search(rf'<span class="field-error" id="problem-{name}"[^>]*>([^<]*)</span>', html)
    assert match, f"no message beside {name}"
    return unescape(match.group(1))


@pytest.mark.parametrize(
    "path, query, name, field_id, message",
    [
        ("/", "year_from=x", "year_from", "filter-year-from", "From year: a year has four digits"),
        (
            "/",
            "year_from=2025&year_to=2020",
            "year_from",
            "filter-year-from",
            "From year: the first",
        ),
        ("/", "q=%01", "q", "filter-q", "Search text: the search text may not contain"),
        ("/", "region=1", "region", "filter-region", "County: a county code has two digits"),
        ("/", "status=nope", "status", "filter-status", "Status: unknown value “nope”"),
        ("/", "level=world", "level", "filter-level", "Show by: choose one of the options"),
        ("/", "measure=euro", "measure", "filter-measure", "Colour by: choose one of the options"),
        ("/", "view=heat", "view", "filter-view", "What the map shows: choose one of the options"),
        ("/initiatives", "tech=nope", "tech", "filter-tech", "Technology: unknown value “nope”"),
        ("/initiatives", "year_to=20x", "year_to", "filter-year-to", "To year: a year has four"),
        (
            "/initiatives",
            "municipality=99999",
            "municipality",
            "filter-municipality",
            "Municipality:",
        ),
    ],
)
def test_a_bad_filter_comes_back_beside_its_field_by_its_label(
    seeded_app, path, query, name, field_id, message
):
    response = seeded_app.test_client().get(f"{path}?{query}&lang=en")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="filters"' in html  # the page with its form, not an error page
    beside = _beside(html, name)
    assert beside.startswith(message)
    if name in ("year_from", "year_to", "level", "measure", "view"):
        assert name not in beside  # the label, not the address's parameter
    field = _tag(html, field_id)
    if field.startswith("<fieldset"):  # a group: every choice in it is marked
        group = html[html.index(field) : html.index("</fieldset>", html.index(field))]
        choices = re.findall(r"<input [^>]*>", group)
        assert choices and all(f'aria-describedby="problem-{name}"' in c for c in choices)
        assert all('aria-invalid="true"' in c for c in choices)
    else:
        assert 'aria-invalid="true"' in field and f'aria-describedby="problem-{name}"' in field
    summary = html[html.index('class="form-problems"') :]
    assert f'href="#{field_id}"' in summary[: summary.index("</div>")]


@pytest.mark.parametrize("path", ["/", "/initiatives"])
def test_the_year_and_text_fields_offer_what_the_filter_takes(seeded_app, path):
    client = seeded_app.test_client()
    html = client.get(path).get_data(as_text=True)
    low = int(re.search(r' min="([0-9]+)"', _tag(html, "filter-year-from")).group(1))
    high = int(re.search(r' max="([0-9]+)"', _tag(html, "filter-year-to")).group(1))
    assert _tag(html, "filter-year-to").count(f'min="{low}"') == 1
    for year, status in ((low, 200), (high, 200), (low - 1, 400), (high + 1, 400)):
        assert client.get(f"{path}?year_from={year}").status_code == status, year
        assert client.get(f"{path}?year_to={year}").status_code == status, year
    longest = int(re.search(r' maxlength="([0-9]+)"', _tag(html, "filter-q")).group(1))
    assert client.get(f"{path}?q={'x' * longest}").status_code == 200
    assert client.get(f"{path}?q={'x' * (longest + 1)}").status_code == 400


def test_the_page_shows_what_the_other_filters_select(seeded_app):
    client = seeded_app.test_client()
    response = client.get("/?benefit=nope&benefit=efficiency&year_from=x&lang=en")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    api = client.get("/api/v1/municipalities?benefit=efficiency").get_json()
    assert _config(html)["valuesByCode"] == {m["code"]: m["count"] for m in api if m["count"]}
    assert _config(html)["filters"] == {"benefit": ["efficiency"]}  # what map.js asks for
    assert re.search(r'name="benefit" value="efficiency"[^>]*checked', html)
    assert _beside(html, "benefit") == "Benefit area: unknown value “nope”"
    assert "for Efficiency" in html  # the summary line of the selection shown
    # a municipality code has no field on the map: the message is in the list at the top
    html = client.get("/?municipality=99999&lang=en").get_data(as_text=True)
    summary = html[html.index('class="form-problems"') :]
    assert "Municipality: " in summary[: summary.index("</div>")]
    # the list keeps its table
    listing = client.get("/initiatives?status=nope&benefit=efficiency&lang=en")
    assert listing.status_code == 400
    assert "initiatives in" in listing.get_data(as_text=True)
    assert '<details class="more-filters" open' in listing.get_data(as_text=True)


def test_problems_in_swedish_and_escaped(seeded_app):
    client = seeded_app.test_client()
    html = client.get("/?year_to=20x&lang=sv").get_data(as_text=True)
    assert _beside(html, "year_to") == "Till år: ett år har fyra siffror, till exempel 2024"
    hostile = client.get("/?benefit=%3Cscript%3Ealert(1)%3C/script%3E&lang=en")
    assert hostile.status_code == 400
    text = hostile.get_data(as_text=True)
    assert "<script>alert(1)" not in text
    assert "unknown value “&lt;script&gt;alert(1)&lt;/script&gt;”" in text


def test_the_coverage_view_hides_the_filters_it_does_not_follow(seeded_app):
    html = seeded_app.test_client().get("/?view=coverage&benefit=efficiency&lang=en")
    page = html.get_data(as_text=True)
    assert 'type="checkbox" name="benefit"' not in page
    assert 'name="status"' not in page and 'id="filter-q"' not in page
    assert 'name="level"' not in page and 'name="measure"' not in page
    assert '<input type="hidden" name="benefit" value="efficiency">' in page  # kept for later
    assert 'name="view" value="initiatives"' in page and "Clear filters" not in page
    assert "Coverage does not depend on the filters." in page


def test_points_endpoint_lists_published_located_initiatives(app, session):
    status = session.scalar(select(Status))
    home = session.get(Municipality, "1480")
    for state, title in (("published", "<b>Synlig</b>"), ("draft", "Dold")):
        item = Initiative(
            title=title, status=status, state=state, municipalities=[home], lat=57.7, lon=11.97
        )
        item.refresh_search_text()
        session.add(item)
    session.commit()
    client = app.test_client()
    rows = client.get("/map/points").get_json()
    assert [row[1:] for row in rows] == [[57.7, 11.97, "<b>Synlig</b>"]]
    assert client.get("/map/points?benefit=efficiency").get_json() == []
    assert client.get("/map/points?region=1").status_code == 400


def test_term_names_cannot_break_out_of_the_page(app, session):
    from kommunkarta.models import BenefitArea

    term = session.scalar(select(BenefitArea).where(BenefitArea.slug == "efficiency"))
    term.name_en = "</script><script>alert(1)</script>"
    session.commit()
    html = app.test_client().get("/?lang=en&benefit=efficiency").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html  # the checkbox label, escaped
    assert _config(html)["benefitNames"]["efficiency"] == "</script><script>alert(1)</script>"


def test_no_tile_server_by_default_and_attribution_when_configured(app, tmp_path):
    from tests.conftest import make_app

    html = app.test_client().get("/").get_data(as_text=True)
    assert "L.tileLayer" not in html and "openstreetmap" not in html.lower()
    osm = make_app(app.config["DATABASE_URL"], tmp_path, TILES="osm")
    html = osm.test_client().get("/").get_data(as_text=True)
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in html
    assert "OpenStreetMap" in html
    custom = make_app(
        app.config["DATABASE_URL"],
        tmp_path,
        TILES="https://tiles.example/{z}/{x}/{y}.png",
        TILES_ATTRIBUTION="© Example",
    )
    html = custom.test_client().get("/").get_data(as_text=True)
    assert "https://tiles.example/{z}/{x}/{y}.png" in html and "\\u00a9 Example" in html


def test_label_points_lie_inside_their_places(seeded_app, geo):
    client = seeded_app.test_client()
    municipalities = client.get("/map/labels/municipality")
    assert municipalities.headers["Cache-Control"].startswith("public")
    points = municipalities.get_json()
    assert len(points) == 290
    assert all(geo.contains(code, lat, lon) for code, (lat, lon) in points.items())
    assert len(client.get("/map/labels/region").get_json()) == 21
    assert client.get("/map/labels/country").status_code == 404


def test_map_statistics_and_coverage_tell_one_story(seeded_app):
    """The municipalities the map's summary counts are the ones /stats counts and the ones the
    coverage view starts from (with an initiative of their own or an adopted one)."""
    client = seeded_app.test_client()
    summary = re.search(
        r'id="map-summary"[^>]*>([\d,]+) initiatives in ([\d,]+) municipalities<',
        client.get("/?lang=en").get_data(as_text=True),
    )
    stats = client.get("/stats?lang=en").get_data(as_text=True)
    key_figure = re.search(r'<dd>([\d,]+) <span class="of">of 290</span>', stats)
    coverage_line = re.search(
        r"([\d,]+) of 290 municipalities have published initiatives, ([\d,]+) of them", stats
    )
    on_the_map = re.search(
        r'id="map-summary"[^>]*>([\d,]+) of 290 municipalities have published initiatives',
        client.get("/?view=coverage&lang=en").get_data(as_text=True),
    )
    assert summary and key_figure and coverage_line and on_the_map
    places = summary.group(2)
    assert key_figure.group(1) == coverage_line.group(1) == on_the_map.group(1) == places
    assert int(coverage_line.group(2)) <= int(places.replace(",", ""))
    api = client.get("/api/v1/municipalities").get_json()
    assert int(places.replace(",", "")) == sum(1 for m in api if m["count"])


def test_the_main_and_small_maps_name_their_figures_by_their_shape(seeded_app):
    """The main map's figures come as a list in code order, a small map's as counts by code:
    under names that say so, never both under one name."""
    client = seeded_app.test_client()
    main = map_config(client.get("/?lang=en").get_data(as_text=True))
    assert isinstance(main["valuesInCodeOrder"], list) and "countsByCode" not in main
    assert "counts" not in main
    api = client.get("/api/v1/municipalities?region=01").get_json()
    for path in ("/regions/01?lang=en", "/embed?region=01&lang=en"):
        small = map_config(client.get(path).get_data(as_text=True))
        assert "counts" not in small and "valuesInCodeOrder" not in small
        assert small["countsByCode"] == {
            m["code"]: m["count"] for m in api if m["count"] and m["region_code"] == "01"
        }
