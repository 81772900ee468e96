"""Spreadsheet formulas hidden behind spaces and control characters: refused on import, and
defused on export, in CSV and XLSX alike."""

import csv
import io

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta.models import Initiative, Municipality, State, Status
from tests.integration.helpers import add

HIDDEN = [" =1+1", "\t=cmd|' /C calc'!A0", "\r\n=1", "\x00=1", "\u00a0=1", "\ufeff=1", "\uff1d1"]


def _count(app) -> int:
    with Session(app.extensions["db_engine"]) as session:
        return session.execute(select(func.count()).select_from(Initiative)).scalar_one()


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_import_refuses_formulas_behind_padding(app, runner, tmp_path, suffix):
    rows = [["title", "summary", "status", "municipalities"]]
    rows += [
        [f"Rad {n}", text.replace("\x00", "\x01"), "pilot", "0180"] for n, text in enumerate(HIDDEN)
    ]
    path = tmp_path / f"hidden.{suffix}"
    if suffix == "csv":
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows(rows)
    else:
        book = openpyxl.Workbook()
        for row in rows:
            # openpyxl refuses control characters in cells; keep those for the CSV
            book.active.append([c.replace("\x01", "").replace("\r\n", "  ") for c in row])
        book.save(path)
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1, result.output
    for number in range(2, 2 + len(HIDDEN)):
        assert f"row {number}, column summary:" in result.output
    assert "formula" in result.output and "Traceback" not in result.output
    assert _count(app) == 0


def test_exports_defuse_formulas_behind_padding(app):
    with Session(app.extensions["db_engine"]) as session:
        status = session.scalars(select(Status)).first()
        for number, text in enumerate(HIDDEN):
            item = Initiative(
                title=f"Rad {number}",
                summary=text.replace("\x00", ""),
                contact="",
                status=status,
                state=State.PUBLISHED,
                municipalities=[session.get(Municipality, "0180")],
            )
            item.refresh_search_text()
            session.add(item)
        session.commit()
    client = app.test_client()
    with client.get("/export.csv") as response:
        rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    summaries = {r["title"]: r["summary"] for r in rows}
    for number, text in enumerate(HIDDEN):
        assert summaries[f"Rad {number}"] == "'" + text.replace("\x00", "")
    with client.get("/export.xlsx") as response:
        sheet = openpyxl.load_workbook(io.BytesIO(response.data))["Initiatives"]
    for row in sheet.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)
        assert str(row[2].value).startswith("'")


def test_xlsx_cells_hold_text_that_looks_like_an_array_formula_or_a_link_as_text(app):
    """The guard leaves "{=…}" alone (no spreadsheet reads it as a formula when it is text),
    so only the export's writing every text as text keeps it from being written as an array
    formula; a web or mail address stays text too, not a link the file would follow."""
    texts = {"{=1+1}": "https://example.org/a", "{=HYPERLINK(0)}": "mailto:a@example.org"}
    with Session(app.extensions["db_engine"]) as session:
        for title, summary in texts.items():
            add(session, title, benefits=(), summary=summary, contact="")
    with app.test_client().get("/export.xlsx") as response:
        sheet = openpyxl.load_workbook(io.BytesIO(response.data))["Initiatives"]
    rows = list(sheet.iter_rows(min_row=2))
    assert {row[1].value: row[2].value for row in rows} == texts
    for row in rows:
        assert all(cell.data_type != "f" and cell.hyperlink is None for cell in row)
