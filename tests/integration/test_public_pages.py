"""The public pages beside the map: table, initiative, municipality, county and statistics."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, selectinload

from kommunkarta.models import Initiative, State
from tests.integration.helpers import add

SCRIPT = "<script>alert(1)</script>"


def text_of(response) -> str:
    """The page's visible text, tags stripped and entities decoded, whitespace collapsed."""
    html = response.get_data(as_text=True)
    body = re.sub(r"(?s)<(script|style|title|desc)[^>]*>.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def row_titles(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [
        unescape(t)
        for t in re.findall(
            r'<th scope="row" class="col-title">\s*<a [^>]*>(?:<span lang="\w+">)?([^<]*)<', html
        )
    ]


# --- /initiatives -----------------------------------------------------------------------


def test_table_shows_only_published_initiatives_with_a_summary(client, session):
    add(session, "Chattbot i Stockholm", places=("0180",), benefits=("efficiency", "safety"))
    add(session, "Prognoser i Göteborg", places=("1480",), benefits=("safety",))
    add(session, "Samarbete", places=("0180", "0182"), benefits=("efficiency",))
    for state in (State.DRAFT, State.SUBMITTED, State.REJECTED):
        add(session, f"Hemlig {state}", state=state)

    page = client.get("/initiatives?lang=en")
    assert page.status_code == 200
    assert sorted(row_titles(page)) == ["Chattbot i Stockholm", "Prognoser i Göteborg", "Samarbete"]
    assert "Hemlig" not in page.get_data(as_text=True)
    assert "3 initiatives in 3 municipalities" in text_of(page)

    efficiency = client.get("/initiatives?lang=en&benefit=efficiency")
    assert sorted(row_titles(efficiency)) == ["Chattbot i Stockholm", "Samarbete"]
    assert "2 initiatives in 2 municipalities for Efficiency" in text_of(efficiency)

    both = client.get("/initiatives?lang=en&benefit=efficiency&benefit=safety&region=14")
    assert row_titles(both) == ["Prognoser i Göteborg"]
    assert "1 initiative in 1 municipality for Efficiency or Safety and security" in text_of(both)

    swedish = client.get("/initiatives?lang=sv&benefit=safety")
    assert "2 initiativ i 2 kommuner för Trygghet och säkerhet" in text_of(swedish)


def test_table_sorts_by_title_start_year_and_last_update(client, session):
    add(session, "Beta", start_year=2019, updated_at=datetime(2025, 3, 1, tzinfo=UTC))
    add(session, "alfa", start_year=2024, updated_at=datetime(2025, 1, 1, tzinfo=UTC))
    add(session, "Gamma", start_year=2021, updated_at=datetime(2025, 6, 1, tzinfo=UTC))

    def titles(query: str) -> list[str]:
        response = client.get(f"/initiatives?{query}")
        assert response.status_code == 200, query
        return row_titles(response)

    assert titles("") == ["Gamma", "Beta", "alfa"]  # newest change first
    assert titles("sort=updated&order=asc") == ["alfa", "Beta", "Gamma"]
    assert titles("sort=start_year") == ["alfa", "Gamma", "Beta"]  # latest start first
    assert titles("sort=start_year&order=asc") == ["Beta", "Gamma", "alfa"]
    by_title = titles("sort=title")
    assert by_title[0] != by_title[-1] and set(by_title) == {"alfa", "Beta", "Gamma"}
    assert titles("sort=title&order=desc") == list(reversed(by_title))


def test_sort_headers_toggle_and_keep_the_filters(client, session):
    add(session, "Ett")
    html = client.get("/initiatives?lang=en&benefit=efficiency&sort=title").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html
    links = dict(re.findall(r'<a class="sort-link" href="([^"]+)">([^<]+)', html))
    by_label = {label: unescape(href) for href, label in links.items()}
    assert by_label["Title"] == "/initiatives?benefit=efficiency&sort=title&order=desc"
    assert by_label["Start year"] == "/initiatives?benefit=efficiency&sort=start_year"
    assert by_label["Last updated"] == "/initiatives?benefit=efficiency"


def test_pagination_walks_every_initiative_once_and_keeps_the_filters(seeded_app):
    client = seeded_app.test_client()
    first = client.get("/initiatives?lang=en&benefit=efficiency&per_page=25&sort=title")
    text = text_of(first)
    total = int(re.search(r"(\d+) initiatives in", text).group(1))
    pages = -(-total // 25)
    assert total > 50 and f"page 1 of {pages}" in text
    seen: list[str] = []
    ids: list[str] = []
    for number in range(1, pages + 1):
        page = client.get(f"/initiatives?benefit=efficiency&per_page=25&sort=title&page={number}")
        html = page.get_data(as_text=True)
        ids += re.findall(r'<a href="/initiatives/(\d+)">', html)
        seen += row_titles(page)
        links = [unescape(h) for h in re.findall(r'<nav class="pagination".*?</nav>', html, re.S)]
        assert links and all(
            "benefit=efficiency" in href and "per_page=25" in href and "sort=title" in href
            for href in re.findall(r'href="([^"]+)"', links[0])
        )
    assert len(ids) == len(set(ids)) == total
    assert seen == sorted(seen)
    assert (
        client.get(f"/initiatives?benefit=efficiency&per_page=25&page={pages + 1}").status_code
        == 404
    )


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=1.5", "page"),
        ("page=99999999999999999999", "page"),
        ("per_page=7", "per_page"),
        ("per_page=1000", "per_page"),
        ("per_page=x", "per_page"),
        ("sort=author", "sort"),
        ("sort=title&order=up", "order"),
        ("benefit=nope", "benefit"),
        ("year_from=2025&year_to=2020", "year_from"),
    ],
)
def test_table_rejects_bad_arguments_with_400(client, query, field):
    response = client.get(f"/initiatives?lang=en&{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'data-field="{field}"' in html
    # a filter is named by its field's label in the form (test_map_page has the details)
    named = {"benefit": "Benefit area: unknown", "year_from": "From year: the first"}
    assert named.get(field, field) in text_of(response)
    assert "Traceback" not in html


def test_a_page_past_the_last_is_404_with_a_message(client, session):
    add(session, "Ensam")
    assert client.get("/initiatives?page=1").status_code == 200
    response = client.get("/initiatives?page=2&lang=en")
    assert response.status_code == 404
    assert "There is no page 2; the last is 1." in text_of(response)


def test_an_empty_selection_says_so(client):
    response = client.get("/initiatives?lang=en&benefit=democracy")
    assert response.status_code == 200
    assert "No published initiative matches these filters." in text_of(response)
    assert "0 initiatives in 0 municipalities for Participation and democracy" in text_of(response)


def test_the_table_loads_a_fixed_number_of_queries(seeded_app):
    """No N+1: 100 rows need no more queries than 25."""
    engine = seeded_app.extensions["db_engine"]
    client = seeded_app.test_client()
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    def queries(path: str) -> int:
        client.get(path)  # fills the caches the two requests share
        statements.clear()
        assert client.get(path).status_code == 200
        return len(statements)

    event.listen(engine, "before_cursor_execute", count)
    try:
        few, many = queries("/initiatives?per_page=25"), queries("/initiatives?per_page=100")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # a fixed handful: the page, its terms, effects, adoptions and places, each loaded once
    assert many == few <= 11


# --- /initiatives/<id> -------------------------------------------------------------------


def test_initiative_page_shows_every_field(client, session):
    item = add(
        session,
        "Chattbot för bygglov",
        places=("0180", "0581"),
        benefits=("efficiency", "resident-service"),
        status="production",
        summary="En kort sammanfattning.",
        description="Första stycket\nmed radbrytning.\n\n\nAndra stycket.",
        start_year=2022,
        url="https://www.stockholm.se/ai",
        contact="ai@stockholm.se",
        lat=59.33,
        lon=18.06,
        areas=("it",),
        techs=("chatbot",),
        updated_at=datetime(2025, 5, 17, tzinfo=UTC),
    )

    response = client.get(f"/initiatives/{item.id}?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(response)
    for expected in [
        "Chattbot för bygglov",
        "En kort sammanfattning.",
        "Stockholm",
        "Norrköping",
        "Stockholms län",
        "Östergötlands län",
        "In production",
        "2022",
        "Efficiency",
        "Service to residents",
        "IT",
        "Chatbot and virtual assistant",
        "latitude 59.3300, longitude 18.0600",
        "17 May 2025",
    ]:
        assert expected in text, expected
    assert '<a href="/municipalities/0180">Stockholm</a>' in html
    assert '<a href="/municipalities/0581">Norrköping</a>' in html
    assert '<a href="/regions/05">Östergötlands län</a>' in html
    assert 'href="/initiatives?benefit=resident-service"' in html
    assert 'href="/initiatives?tech=chatbot"' in html
    assert '<a href="https://www.stockholm.se/ai" rel="nofollow noopener">' in html
    assert '<a href="mailto:ai@stockholm.se">ai@stockholm.se</a>' in html
    paragraphs = re.findall(r'<p class="text"[^>]*>(.*?)</p>', html, re.S)
    assert paragraphs == ["Första stycket\nmed radbrytning.", "Andra stycket."]


def test_initiative_page_in_swedish_by_default(client, session):
    item = add(session, "Svensk sida", status="idea")
    text = text_of(client.get(f"/initiatives/{item.id}"))
    assert "Idé" in text and "Effektivisering" in text and "Senast uppdaterad" in text


@pytest.mark.parametrize("state", [State.DRAFT, State.SUBMITTED, State.REJECTED])
def test_unpublished_initiatives_are_404(client, session, state):
    item = add(session, "Inte publicerad", state=state)
    response = client.get(f"/initiatives/{item.id}")
    assert response.status_code == 404
    assert "Inte publicerad" not in response.get_data(as_text=True)


def test_missing_initiatives_are_404(client):
    assert client.get("/initiatives/424242").status_code == 404
    assert client.get("/initiatives/abc").status_code == 404


# --- escaping ----------------------------------------------------------------------------


def test_user_written_text_is_escaped_everywhere(client, session):
    item = add(
        session,
        f"Titel {SCRIPT}",
        places=("0180",),
        summary=f"Sammanfattning {SCRIPT}",
        description=f"Beskrivning {SCRIPT}\n\n<b>fet</b> <img src=x onerror=alert(1)>",
        url="javascript:alert(1)",
        contact=f"javascript:alert(1) {SCRIPT}",
    )
    second = add(
        session,
        "Andra",
        url='https://example.org/"><script>alert(2)</script>',
        contact='x@example.org"><script>alert(3)</script>',
    )
    pages = [
        f"/initiatives/{item.id}",
        f"/initiatives/{second.id}",
        "/initiatives",
        "/municipalities/0180",
        "/regions/01",
        "/stats",
    ]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html.lower(), path
        assert "<img" not in html and "<b>" not in html, path
        assert "javascript:" not in re.sub(r"(?s)>[^<]*<", "><", html), path  # never in a tag
    html = client.get(f"/initiatives/{item.id}").get_data(as_text=True)
    assert "Titel &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;fet&lt;/b&gt;" in html
    assert "javascript:alert(1)" in text_of(client.get(f"/initiatives/{item.id}"))  # as text
    assert 'href="javascript' not in html and "mailto:javascript" not in html
    second_html = client.get(f"/initiatives/{second.id}").get_data(as_text=True)
    # an http(s) URL is a link, quotes and brackets escaped inside the attribute
    assert (
        'href="https://example.org/&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in second_html
    )
    assert "mailto:" not in second_html  # not one plain address


# --- /municipalities/<code> --------------------------------------------------------------


def test_municipality_page_lists_initiatives_figures_and_neighbours(client, session, geo):
    neighbour = geo.neighbours["0180"][0]
    add(session, "Stockholm ett", places=("0180",), benefits=("efficiency",))
    add(session, "Stockholm två", places=("0180", neighbour), benefits=("efficiency", "safety"))
    add(session, "Grannen", places=(neighbour,), benefits=("safety",))
    add(session, "Utkast", places=("0180",), state=State.DRAFT)

    response = client.get("/municipalities/0180?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(response)
    assert "<h1>Stockholm</h1>" in html and "2 published initiatives." in text
    assert "Stockholm ett" in text and "Stockholm två" in text
    assert "Grannen" not in text and "Utkast" not in text
    benefit_rows = dict(
        re.findall(r"benefit=([a-z-]+)\">[^<]+</a></th>\s*<td class=\"num\">(\d+)", html)
    )
    assert benefit_rows["efficiency"] == "2" and benefit_rows["safety"] == "1"
    assert benefit_rows["democracy"] == "0"
    neighbour_rows = dict(
        re.findall(
            r'<a href="/municipalities/(\d{4})">[^<]+</a></th>\s*<td class="num">(\d+)', html
        )
    )
    assert set(neighbour_rows) == set(geo.neighbours["0180"])
    assert neighbour_rows[neighbour] == "2"
    assert 'href="/initiatives?municipality=0180"' in html
    assert 'href="/regions/01"' in html


def test_municipality_page_accepts_the_filters(client, session):
    add(session, "Effektiv", places=("0180",), benefits=("efficiency",))
    add(session, "Trygg", places=("0180",), benefits=("safety",), status="idea")
    text = text_of(client.get("/municipalities/0180?lang=en&benefit=safety"))
    assert "Trygg" in text and "Effektiv" not in text
    assert "1 published initiative for Safety and security." in text
    both = text_of(client.get("/municipalities/0180?lang=en&benefit=safety&benefit=efficiency"))
    assert "2 published initiatives for Efficiency or Safety and security." in both
    html = client.get("/municipalities/0180?benefit=safety&status=idea").get_data(as_text=True)
    assert '<input type="hidden" name="status" value="idea">' in html
    assert 'value="safety"\n          checked' in html or re.search(
        r'value="safety"\s+checked', html
    )


@pytest.mark.parametrize("path", ["/municipalities/0180", "/regions/01"])
def test_a_bad_filter_on_a_place_page_is_named_at_its_top_and_the_others_apply(
    client, session, path
):
    """As on the map and the table: 400, the page itself (not an error page) with the
    filters it could use, the bad one named by its label; a bad benefit also beside its
    field (the only filter these pages show)."""
    add(session, "Effektiv", places=("0180",), benefits=("efficiency",))
    add(session, "Trygg", places=("0180",), benefits=("safety",))
    response = client.get(f"{path}?lang=en&benefit=safety&tech=nope")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    summary = re.search(r'<div class="form-problems" role="alert">(.*?)</div>', html, re.S)
    assert summary and "Technology: unknown value “nope”" in summary.group(1)
    assert "Trygg" in html and "Effektiv" not in html  # the benefit still applies
    response = client.get(f"{path}?lang=sv&benefit=nope")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Effektiv" in html and "Trygg" in html
    assert 'id="problem-benefit"' in html and "Nyttoområde: okänt värde ”nope”" in html
    assert 'aria-describedby="problem-benefit"' in html


@pytest.mark.parametrize(
    "code, status", [("12", 400), ("abcd", 400), ("01800", 400), ("9999", 404)]
)
def test_bad_or_unknown_municipality(client, code, status):
    response = client.get(f"/municipalities/{code}?lang=en")
    assert response.status_code == status
    assert "Traceback" not in response.get_data(as_text=True)
    message = "four digits" if status == 400 else f"no municipality with code {code}"
    assert message in text_of(response)


def test_island_municipality_without_neighbours(client):
    text = text_of(client.get("/municipalities/0980?lang=en"))  # Gotland
    assert "Gotland shares no land border with another municipality." in text


# --- /regions/<code> ---------------------------------------------------------------------


def test_region_page_lists_municipalities_with_counts_and_initiatives(client, session):
    add(session, "Endast Stockholm", places=("0180",))
    add(session, "Solna med Stockholm", places=("0184", "0180"), benefits=("safety",))
    add(session, "Göteborg", places=("1480",))
    response = client.get("/regions/01?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(response)
    assert "<h1>Stockholms län</h1>" in html
    assert (
        "2 published initiatives." in text and "2 of 26 municipalities have at least one." in text
    )
    assert "Endast Stockholm" in text and "Solna med Stockholm" in text and "Göteborg" not in text
    rows = dict(
        re.findall(
            r'<a href="/municipalities/(\d{4})">[^<]+</a></th>\s*<td class="num">(\d+)', html
        )
    )
    assert len(rows) == 26 and rows["0180"] == "2" and rows["0184"] == "1" and rows["0114"] == "0"
    names = re.findall(r'<a href="/municipalities/\d{4}">([^<]+)</a></th>', html)
    assert (
        names.index("Sundbyberg")
        < names.index("Södertälje")
        < names.index("Tyresö")
        < names.index("Täby")
    )
    assert 'href="/initiatives?region=01"' in html
    filtered = text_of(client.get("/regions/01?lang=en&benefit=safety"))
    assert "Solna med Stockholm" in filtered and "Endast Stockholm" not in filtered


@pytest.mark.parametrize("code, status", [("1", 400), ("001", 400), ("ab", 400), ("99", 404)])
def test_bad_or_unknown_region(client, code, status):
    response = client.get(f"/regions/{code}?lang=en")
    assert response.status_code == status
    message = "two digits" if status == 400 else f"no county with code {code}"
    assert message in text_of(response)


def test_region_page_lists_at_most_20_initiatives_and_links_to_the_rest(seeded_app):
    client = seeded_app.test_client()
    html = client.get("/regions/14?lang=en").get_data(as_text=True)
    listed = re.findall(r'class="initiative-title" href="/initiatives/\d+"', html)
    total = int(
        re.search(r"(\d+) published initiatives", text_of(client.get("/regions/14?lang=en"))).group(
            1
        )
    )
    assert total > 20 and len(listed) == 20
    assert f"All {total} initiatives in the table" in html


# --- /stats ------------------------------------------------------------------------------


def _published(app) -> list[Initiative]:
    with Session(app.extensions["db_engine"]) as session:
        return list(
            session.scalars(
                select(Initiative)
                .where(Initiative.state == State.PUBLISHED)
                .options(
                    selectinload(Initiative.benefit_areas),
                    selectinload(Initiative.municipalities),
                    selectinload(Initiative.status),
                )
            )
        )


def _table_rows(html: str, caption: str) -> dict[str, str]:
    found = re.search(rf"<caption[^>]*>{caption}</caption>(.*?)</table>", html, re.S)
    assert found, f"no table captioned {caption}"
    table = found.group(1)
    return {
        unescape(name): number
        for name, number in re.findall(
            r"<a [^>]*>([^<]+)</a></th>\s*<td class=\"num\">([\d\s\xa0,]+?)\s*<", table
        )
    }


def test_stats_match_a_count_by_hand(seeded_app):
    items = _published(seeded_app)
    html = seeded_app.test_client().get("/stats?lang=en").get_data(as_text=True)

    by_benefit = _table_rows(html, "Initiatives by benefit area")
    by_hand: dict[str, int] = {}
    for item in items:
        for term in item.benefit_areas:
            by_hand[term.name_en] = by_hand.get(term.name_en, 0) + 1
    assert {k: int(v) for k, v in by_benefit.items() if v != "0"} == by_hand

    by_status = _table_rows(html, "Initiatives by status")
    statuses: dict[str, int] = {}
    for item in items:
        statuses[item.status.name_en] = statuses.get(item.status.name_en, 0) + 1
    assert {k: int(v) for k, v in by_status.items() if v != "0"} == statuses

    by_county = _table_rows(html, "Initiatives and municipalities with initiatives by county")
    stockholm = sum(1 for i in items if any(m.region_code == "01" for m in i.municipalities))
    assert int(by_county["Stockholms län"]) == stockholm and len(by_county) == 21

    places = {m.code for i in items for m in i.municipalities}
    text = text_of(seeded_app.test_client().get("/stats?lang=en"))
    assert f"Published initiatives {len(items)}" in text
    assert f"Municipalities with at least one initiative {len(places)} of 290" in text
    assert f"Share of municipalities {round(100 * len(places) / 290)}%" in text


def test_stats_charts_are_svg_with_a_text_alternative_and_a_table(seeded_app):
    html = seeded_app.test_client().get("/stats?lang=en").get_data(as_text=True)
    charts = re.findall(
        r'<svg class="bar-chart" id="([^"]+)" role="img" aria-labelledby="([^"]+)"', html
    )
    assert [c[0] for c in charts] == ["chart-benefit", "chart-status", "chart-region"]
    for _, labelled_by in charts:
        for part in labelled_by.split():
            assert f'id="{part}"' in html
    desc = re.search(r'<desc id="chart-status-desc">(.*?)</desc>', html, re.S).group(1)
    assert re.fullmatch(
        r"Idea: \d+; Pre-study: \d+; Pilot: \d+; In production: \d+; Ended: \d+", desc
    )
    assert html.count('<rect class="bar"') == 8 + 5 + 21
    assert "<script" not in html  # no chart library


def test_stats_follow_the_filters_but_keep_every_benefit_area(seeded_app):
    client = seeded_app.test_client()
    everything = _table_rows(
        client.get("/stats?lang=en").get_data(as_text=True), "Initiatives by benefit area"
    )
    filtered_html = client.get("/stats?lang=en&benefit=efficiency&status=pilot").get_data(
        as_text=True
    )
    assert "These figures are for the filters you chose." in filtered_html
    filtered = _table_rows(filtered_html, "Initiatives by benefit area")
    assert set(filtered) == set(everything)
    assert all(int(filtered[k]) <= int(everything[k]) for k in everything)
    statuses = _table_rows(filtered_html, "Initiatives by status")
    assert sum(int(v) for v in statuses.values()) > int(statuses["Pilot"]) > 0
    assert client.get("/stats?status=nope").status_code == 400


def test_navigation_links_to_the_table_and_the_statistics(client):
    html = client.get("/stats?lang=en").get_data(as_text=True)
    assert '<a href="/initiatives">Initiatives</a>' in html
    assert '<a href="/stats" aria-current="page">Statistics</a>' in html
    swedish = client.get("/initiatives?lang=sv").get_data(as_text=True)
    assert 'aria-current="page">Initiativ</a>' in swedish and ">Statistik</a>" in swedish


def test_cached_figures_change_as_soon_as_an_initiative_is_published(client, session):
    add(session, "Först", benefits=("safety",), status="idea")
    before = client.get("/stats?lang=en").get_data(as_text=True)
    assert _table_rows(before, "Initiatives by benefit area")["Safety and security"] == "1"
    draft = add(session, "Sedan", state=State.DRAFT, benefits=("safety",), status="idea")
    again = client.get("/stats?lang=en").get_data(as_text=True)
    assert _table_rows(again, "Initiatives by benefit area")["Safety and security"] == "1"
    draft.state = State.PUBLISHED
    session.commit()
    after = client.get("/stats?lang=en").get_data(as_text=True)
    assert _table_rows(after, "Initiatives by benefit area")["Safety and security"] == "2"
    assert _table_rows(after, "Initiatives by status")["Idea"] == "2"
    assert "2 published initiatives." in text_of(client.get("/municipalities/0180?lang=en"))
