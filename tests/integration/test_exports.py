"""Exports of the current selection: CSV, XLSX and GeoJSON over HTTP and from the CLI."""

import csv
import io
import json

import openpyxl
import pytest
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Initiative, Municipality, State, Status
from kommunkarta.services.data_io import serialise
from tests.integration.helpers import wait_until


def _selected_ids(app, **where) -> list[int]:
    with Session(app.extensions["db_engine"]) as session:
        stmt = InitiativeFilter(**where).apply(
            select(Initiative.id).where(Initiative.state == State.PUBLISHED)
        )
        return sorted(session.scalars(stmt))


def _download(client, path: str) -> bytes:
    """The body of a download, closing the response as a WSGI server does."""
    with client.get(path) as response:
        assert response.status_code == 200, response.data
        return response.data


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture(scope="module")
def client(seeded_app):
    return seeded_app.test_client()


def test_csv_holds_the_filtered_selection_in_the_import_columns(client, seeded_app):
    response = client.get("/export.csv?benefit=efficiency&region=14")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    assert 'filename="kommunkartan-' in response.headers["Content-Disposition"]
    assert response.headers["X-Data-License"] == "CC BY 4.0"
    assert 'rel="license"' in response.headers["Link"]
    rows = _csv_rows(response.data)
    assert list(rows[0]) == list(serialise.COLUMNS)
    expected = _selected_ids(seeded_app, benefit=("efficiency",), region="14")
    assert 0 < len(expected) < 400
    assert [int(r["id"]) for r in rows] == expected
    for row in rows:
        assert "efficiency" in row["benefit_areas"].split("|")
        assert any(code.startswith("14") for code in row["municipalities"].split("|"))
        assert row["state"] == "published" and row["is_demo"] == "true"


def test_csv_keeps_swedish_letters_and_multi_line_text(client):
    rows = _csv_rows(client.get("/export.csv?region=01").data)
    assert rows
    text = "".join(r["summary"] + r["description"] for r in rows)
    assert "ö" in text or "ä" in text or "å" in text
    assert any("\n\n" in r["description"] for r in rows)


def test_bad_filters_are_400_json_for_every_format(client):
    for path in ("/export.csv", "/export.xlsx", "/export.geojson"):
        with client.get(f"{path}?benefit=nope") as response:
            assert response.status_code == 400
            assert response.get_json()["field"] == "benefit"


def test_geojson_points_at_the_location_or_the_first_municipality(client, seeded_app, geo):
    response = client.get("/export.geojson?region=01")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    collection = json.loads(response.data)
    assert collection["type"] == "FeatureCollection"
    assert collection["metadata"]["license"] == "CC BY 4.0"
    assert collection["metadata"]["filters"] == {"region": "01"}
    assert collection["metadata"]["generated_at"]
    features = collection["features"]
    assert [f["id"] for f in features] == _selected_ids(seeded_app, region="01")
    api_item = client.get(f"/api/v1/initiatives/{features[0]['id']}").get_json()
    assert features[0]["properties"] == api_item
    located = unlocated = 0
    for feature in features:
        item = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "Point"
        if item["location"]:
            located += 1
            assert (lat, lon) == (item["location"]["lat"], item["location"]["lon"])
        else:
            unlocated += 1
            first = item["municipalities"][0]["code"]
            shape = geo.municipalities[first].geometry
            assert shapely.dwithin(shape, shapely.Point(lon, lat), 1e-4)
            expected = geo.representative_point(first)
            assert (lat, lon) == pytest.approx(expected, abs=1e-5)
    assert located and unlocated


def test_xlsx_has_the_rows_and_says_licence_and_date(client, seeded_app):
    with client.get("/export.xlsx?tech=chatbot") as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].endswith('.xlsx"')
        book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Initiatives", "Effects", "About"]
    rows = list(book["Initiatives"].iter_rows(values_only=True))
    assert rows[0] == serialise.COLUMNS
    assert [r[0] for r in rows[1:]] == _selected_ids(seeded_app, tech=("chatbot",))
    municipalities = rows[1][serialise.COLUMNS.index("municipalities")]
    assert isinstance(municipalities, str) and municipalities[:4].isdigit()
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["license"].startswith("CC BY 4.0")
    assert about["generated_at"][:4].isdigit()
    assert about["filter tech"] == "chatbot"
    assert "CC BY 4.0" in book.properties.description


def _add(session, title: str, summary: str = "", contact: str = "") -> Initiative:
    status = session.scalar(select(Status).where(Status.slug == "pilot"))
    item = Initiative(
        title=title,
        summary=summary,
        contact=contact,
        status=status,
        state=State.PUBLISHED,
        municipalities=[session.get(Municipality, "1280")],
    )
    item.refresh_search_text()
    session.add(item)
    return item


def test_spreadsheet_exports_defuse_formulas_and_keep_other_text(app):
    with Session(app.extensions["db_engine"]) as session:
        _add(session, '=HYPERLINK("http://evil.example","klick")', "@SUM(1+1)", "+46 40 34 10 00")
        _add(session, "-2+3", "'=already quoted", "<b>inte html</b> & å")
        session.commit()
    client = app.test_client()
    rows = _csv_rows(client.get("/export.csv").data)
    assert [r["title"] for r in rows] == ['\'=HYPERLINK("http://evil.example","klick")', "'-2+3"]
    assert [r["summary"] for r in rows] == ["'@SUM(1+1)", "''=already quoted"]
    assert [r["contact"] for r in rows] == ["'+46 40 34 10 00", "<b>inte html</b> & å"]

    book = openpyxl.load_workbook(io.BytesIO(_download(client, "/export.xlsx")))
    sheet = book["Initiatives"]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.value
    assert sheet.cell(2, 2).value.startswith("'=HYPERLINK")

    geojson = json.loads(client.get("/export.geojson").data)
    titles = [f["properties"]["title"] for f in geojson["features"]]
    assert titles == ['=HYPERLINK("http://evil.example","klick")', "-2+3"]


@pytest.mark.parametrize(
    "text", ["=1+2", "+46", "-x", "@a", "'=x", "''+y", "\tx", "\rx", "plain", "'plain", ""]
)
def test_formula_guard_is_reversible(text):
    guarded = serialise.guard_formula(text)
    assert not guarded.startswith(("=", "+", "-", "@", "\t"))
    assert serialise.unguard_formula(guarded) == text


def test_export_command_writes_each_format_with_filters(seeded_app, tmp_path):
    runner = seeded_app.test_cli_runner()
    expected = _selected_ids(seeded_app, benefit=("efficiency",), region="14")
    for name in ("out.csv", "out.xlsx", "out.geojson"):
        target = tmp_path / name
        result = runner.invoke(
            args=["export", str(target), "--benefit", "efficiency", "--region", "14"]
        )
        assert result.exit_code == 0, result.output
        assert f"Wrote {len(expected)} initiatives" in result.output
    assert [int(r["id"]) for r in _csv_rows((tmp_path / "out.csv").read_bytes())] == expected
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["Initiatives"]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == expected
    features = json.loads((tmp_path / "out.geojson").read_text(encoding="utf-8"))["features"]
    assert [f["id"] for f in features] == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "out.geojson", "out.xlsx"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["out.txt"], "cannot tell the format"),
        (["out.csv", "--benefit", "nope"], "--benefit: unknown value"),
        (["out.csv", "--year-from", "20"], "--year-from"),
        (["missing-folder/out.csv"], "No such file or directory"),
    ],
)
def test_export_command_reports_mistakes_in_one_line(
    seeded_app, tmp_path, monkeypatch, args, message
):
    monkeypatch.chdir(tmp_path)
    result = seeded_app.test_cli_runner().invoke(args=["export", *args])
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_streamed_exports_give_their_database_connection_back(app):
    client = app.test_client()
    pool = app.extensions["db_engine"].pool
    for path in ("/export.csv", "/export.geojson", "/export.xlsx"):
        _download(client, path)
        # a read of the whole register the download started holds a connection of the pool
        # until it detaches it, a moment later; a connection the stream kept never comes back
        wait_until(lambda: pool.checkedout() == 0, f"{path} kept its database connection")


def test_map_and_table_link_to_the_exports_of_their_selection(client):
    query = "benefit=efficiency&region=14&page=2&sort=title&lang=en"
    page = client.get(f"/initiatives?{query}").get_data(as_text=True)
    for kind in ("csv", "xlsx", "geojson"):
        assert f'href="/export.{kind}?benefit=efficiency&amp;region=14"' in page
    assert 'href="/api/v1/openapi.json"' in page
    elsewhere = client.get("/stats?benefit=efficiency").get_data(as_text=True)
    assert 'href="/export.csv"' in elsewhere
