"""Imports cannot exhaust the machine, and nothing a file holds gives a traceback.

Every XLSX bomb of tests/xlsx_bombs.py is refused with one line by `import --dry-run` in a
process of its own, whose peak memory must stay under 300 MB above what it used idle."""

import csv
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kommunkarta.services.data_io import file_limits
from kommunkarta.services.data_io.importing import read
from tests import xlsx_bombs
from tests.conftest import csrf_from

ROOT = Path(__file__).resolve().parent.parent.parent
HEADROOM_MB = 300
MEASURE = r"""
import json, resource, sys
from kommunkarta import create_app, db, geo
from kommunkarta.services import setup
from kommunkarta.services.places import geodata

app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": sys.argv[1]})
with app.app_context():
    setup.init_db(db.engine(), geo.of(app))
runner = app.test_cli_runner()
runner.invoke(args=["import", "--help"])
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
results = {"idle": peak()}
for path in sys.argv[2:]:
    result = runner.invoke(args=["import", path, "--dry-run"])
    results[path] = [result.exit_code, result.output, peak()]
print(json.dumps(results))
"""
SKIPPED = {"2.4 million distinct cells"}  # slow to build; the cell limit is tested below


@pytest.mark.processes
def test_bombs_are_refused_in_little_memory(tmp_path):
    shapes = [s for s in xlsx_bombs.SHAPES if s not in SKIPPED]
    paths = {}
    for number, shape in enumerate(shapes):
        paths[shape] = str(xlsx_bombs.build(shape, tmp_path / f"bomb{number}.xlsx"))
    completed = subprocess.run(
        [sys.executable, "-c", MEASURE, f"sqlite:///{tmp_path / 'db.sqlite'}", *paths.values()],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=True,
    )
    results = json.loads(completed.stdout.strip().splitlines()[-1])
    idle = results.pop("idle")
    for shape, path in paths.items():
        exit_code, output, peak = results[path]
        _cell, _strings, words = xlsx_bombs.SHAPES[shape]()
        assert exit_code == 1, (shape, output)
        assert words in output and "Traceback" not in output, (shape, output)
        assert peak - idle < HEADROOM_MB, f"{shape}: {peak - idle} MB above idle"


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_too_many_cells_are_refused_while_reading(tmp_path, monkeypatch, suffix):
    monkeypatch.setattr(file_limits, "MAX_CELLS", 50)
    rows = [["title", "status", "municipalities"]] + [["x", "pilot", "0180"]] * 20
    path = tmp_path / f"many.{suffix}"
    if suffix == "csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
    else:
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        book.save(path)
    with path.open("rb") as source, pytest.raises(read.ImportFileError) as refused:
        read.read_table(source, path.name)
    assert "more than 50 cells" in str(refused.value)


def test_too_many_columns_are_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{n}" for n in range(300)) + "\n" + "x," * 299 + "x\n")
    with path.open("rb") as source, pytest.raises(read.ImportFileError, match="columns"):
        read.read_table(source, path.name)


HOSTILE_VALUES = {
    "published_at": ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "1899-12-31"],
    "lat": ["1e999", "nan", "-1E999"],
    "start_year": ["1e999", "99999999999999999999999999"],
}


def _as_numbers(path: Path, texts: list[str]) -> None:
    """Turn the text cells holding `texts` into numeric cells with those values, as another
    program may write them (openpyxl itself cannot write 1e999)."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = members[xlsx_bombs.SHEET].decode()
    for text in texts:
        sheet = re.sub(
            rf'<c r="(\w+)" t="inlineStr"><is><t>{re.escape(text)}</t></is></c>',
            rf'<c r="\1"><v>{text}</v></c>',
            sheet,
        )
    members[xlsx_bombs.SHEET] = sheet.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_dates_out_of_range_and_non_finite_numbers_are_row_errors(app, runner, tmp_path, suffix):
    header = ["title", "status", "municipalities", "lat", "lon", "start_year", "published_at"]
    rows = []
    for column, values in HOSTILE_VALUES.items():
        for value in values:
            row = {"title": "Prov", "status": "pilot", "municipalities": "0180"}
            row["lon"] = "18.0" if column == "lat" else ""
            row[column] = value
            rows.append([row.get(name, "") for name in header])
    path = tmp_path / f"hostile.{suffix}"
    if suffix == "csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([header, *rows])
    else:
        book = openpyxl.Workbook()
        book.active.append(header)
        for row in rows:
            book.active.append(row)
        book.save(path)
        _as_numbers(path, ["1e999", "-1E999", "99999999999999999999999999"])
    result = runner.invoke(args=["import", str(path), "--dry-run"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for number in range(2, 2 + len(rows)):
        assert f"row {number}, column" in result.output, result.output
    assert "must be a date between 1900 and 2999" in result.output
    # an XLSX number cell of 1e999 is an infinity; in text, "1e999" and "nan" are no figure
    # the decimal rule (kommunkarta.rules) reads
    assert "must be a finite number" in result.output or suffix == "csv"
    assert "lat: “nan” must be a number from -90 to 90" in result.output


def test_the_admin_upload_refuses_a_bomb_with_a_4xx(app, client, login_as, tmp_path):
    login_as("admin")
    token = csrf_from(client.get("/admin/import?lang=en"))
    for number, shape in enumerate(("one huge cell (400 MB)", "billion laughs")):
        path = xlsx_bombs.build(shape, tmp_path / f"bomb{number}.xlsx")
        response = client.post(
            "/admin/import?lang=en",
            data={"file": (path.open("rb"), path.name), "csrf_token": token},
            content_type="multipart/form-data",
        )
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        assert xlsx_bombs.SHAPES[shape]()[2] in text and "Traceback" not in text
