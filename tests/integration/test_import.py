"""Import from CSV and XLSX: every bad row reported, all or nothing, updates with revisions,
the export read back unchanged, and the admins' upload page."""

import csv
import io
import json
import re
import threading
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta.models import Initiative, Revision
from kommunkarta.services.data_io import demo, importer
from kommunkarta.services.data_io.importing import read
from tests.conftest import csrf_from
from tests.integration.helpers import add

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MIXED = FIXTURES / "import_mixed.csv"
# (row, column) of every problem in the fixture
MIXED_PROBLEMS = {
    (4, "status"),
    (5, "title"),
    (6, "municipalities"),
    (7, "benefit_areas"),
    (7, "start_year"),
    (7, "url"),
    (8, "lat"),
    (9, "lon"),
    (9, "is_demo"),
}


def _count(app, model=Initiative) -> int:
    with Session(app.extensions["db_engine"]) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def _problems(output: str) -> set[tuple[int, str]]:
    return {(int(r), c) for r, c in re.findall(r"^row (\d+), column (\w+):", output, re.M)}


def _good_rows(tmp_path: Path) -> Path:
    """The two good rows of the mixed fixture on their own."""
    with MIXED.open(encoding="utf-8-sig", newline="") as f:
        records = list(csv.reader(f))
    target = tmp_path / "good.csv"
    with target.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(records[:3])
    return target


def test_mixed_file_reports_every_bad_row_and_writes_nothing(app, runner):
    result = runner.invoke(args=["import", str(MIXED)])
    assert result.exit_code == 1
    assert _problems(result.output) == MIXED_PROBLEMS
    assert "row 6, column municipalities: “9999|Atlantis” no municipality" in result.output
    assert "row 5, column title:" in result.output and "formula" in result.output
    assert "8 rows, 6 with problems (9 in all); nothing was written." in result.stderr
    assert "Traceback" not in result.output
    assert _count(app) == 0 and _count(app, Revision) == 0


def test_dry_run_writes_nothing_then_import_writes_every_field(app, runner, tmp_path):
    good = _good_rows(tmp_path)
    dry = runner.invoke(args=["import", str(good), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "2 rows: 2 new, 0 changed, 0 unchanged; dry run, nothing was written." in dry.output
    assert _count(app) == 0

    result = runner.invoke(args=["import", str(good)])
    assert result.exit_code == 0, result.output
    assert "Checking rows" in result.stderr
    with Session(app.extensions["db_engine"]) as session:
        first, second = session.scalars(select(Initiative).order_by(Initiative.id)).all()
        assert first.title == "Chattbot för bygglov"
        assert first.description == "Första stycket.\r\n\r\nAndra stycket med åäö."
        assert first.status.slug == "pilot"
        assert [t.slug for t in first.benefit_areas] == ["efficiency", "resident-service"]
        assert [t.slug for t in first.areas] == ["urban-planning"]
        assert [t.slug for t in first.technologies] == ["chatbot"]
        assert [m.code for m in first.municipalities] == ["0180"]
        assert (first.lat, first.lon, first.start_year) == (59.3293, 18.0686, 2024)
        assert first.state == "published" and first.published_at is not None
        assert first.is_demo is False
        assert "bygglov dygnet runt" in first.search_text
        assert second.status.slug == "idea"
        assert [m.code for m in second.municipalities] == ["1280", "1281"]
        assert second.contact == "+46 40 34 10 00"
        assert second.state == "draft" and second.published_at is None
        assert second.is_demo is True
        actions = session.scalars(select(Revision.action)).all()
        assert actions == ["created", "created"]


def _export(app, path: Path) -> bytes:
    result = app.test_cli_runner().invoke(args=["export", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_bytes()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_elsewhere_gives_identical_records(seeded_app, app, tmp_path, suffix):
    exported = tmp_path / f"all{suffix}"
    _export(seeded_app, exported)
    original = _export(seeded_app, tmp_path / "original.csv")

    again = seeded_app.test_cli_runner().invoke(args=["import", str(exported)])
    assert again.exit_code == 0, again.output
    assert "400 rows: 0 new, 0 changed, 400 unchanged; nothing to write." in again.output
    assert _count(seeded_app, Revision) == 0

    moved = app.test_cli_runner().invoke(args=["import", str(exported)])
    assert moved.exit_code == 0, moved.output
    assert "400 new" in moved.output
    copy = _export(app, tmp_path / "copy.csv")
    # the text's language and the costs, reuse and compliance facts travel in both formats
    copied = _rows(tmp_path / "copy.csv")
    for name in ("lang", "investment_sek", "procurement", "others_may_call_off", "ai_act"):
        assert any(row[name] for row in copied), name
    if suffix == ".xlsx":  # the Effects sheet brings the effects, and so their yearly sums
        assert copy == original
        assert any(row["hours_per_year"] for row in _rows(tmp_path / "copy.csv"))
    else:  # a CSV carries only the sums, which follow from effects it does not carry
        sums = ("hours_per_year", "sek_per_year")
        strip = lambda rows: [{k: v for k, v in r.items() if k not in sums} for r in rows]  # noqa: E731
        assert strip(_rows(tmp_path / "copy.csv")) == strip(_rows(tmp_path / "original.csv"))
    with Session(app.extensions["db_engine"]) as session:
        assert session.scalar(select(func.max(Initiative.id))) == 400
        # new rows without an id draw ids after the imported ones
        added = Initiative(title="Ny", status_id=1)
        session.add(added)
        session.commit()
        assert added.id == 401


def test_xlsx_texts_that_read_like_an_escape_come_back_as_they_were(app, tmp_path):
    """XLSX writes "_x2020_" in a text as "_x005F_x2020_" (its escape of a character),
    which import reads back as the text it was, not as what the file holds."""
    texts = {"Rapport_x2020_v2": "_x005F_ och _x000D_ och _X00E5_", "_x0041_": "x_xZZZZ_"}
    with Session(app.extensions["db_engine"]) as session:
        for title, summary in texts.items():
            add(session, title, benefits=(), summary=summary)
    exported = tmp_path / "escapes.xlsx"
    _export(app, exported)
    again = app.test_cli_runner().invoke(args=["import", str(exported)])
    assert "2 rows: 0 new, 0 changed, 2 unchanged" in again.output, again.output
    with Session(app.extensions["db_engine"]) as session:
        kept = dict(session.execute(select(Initiative.title, Initiative.summary)).all())
    assert kept == texts


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_update_by_id_writes_a_revision_once(app, runner, geo, tmp_path):
    with Session(app.extensions["db_engine"]) as session, session.begin():
        demo.seed(session, geo, count=3, seed_value=5)
    rows = _rows(_export_path(app, tmp_path))
    old_title = rows[1]["title"]
    old_benefits = rows[1]["benefit_areas"].split("|")
    rows[1]["title"] = "Ny titel"
    rows[1]["benefit_areas"] = "Arbetsmiljö|SAFETY"
    changed = _write(tmp_path / "changed.csv", rows)

    result = runner.invoke(args=["import", str(changed)])
    assert result.exit_code == 0, result.output
    assert "3 rows: 0 new, 1 changed, 2 unchanged; written." in result.output
    with Session(app.extensions["db_engine"]) as session:
        revision = session.scalars(select(Revision)).one()
        assert revision.action == "edited"
        assert revision.initiative_id == int(rows[1]["id"])
        changes = json.loads(revision.changes)
        assert changes["title"] == [old_title, "Ny titel"]
        assert changes["benefit_areas"] == [old_benefits, ["work-environment", "safety"]]
        assert set(changes) == {"title", "benefit_areas"}
        item = session.get(Initiative, int(rows[1]["id"]))
        assert item.version == 2
        assert "ny titel" in item.search_text
        assert item.updated_at.isoformat()[:10] != rows[1]["updated_at"][:10]

    again = runner.invoke(args=["import", str(changed)])
    assert "0 new, 0 changed, 3 unchanged" in again.output
    assert _count(app, Revision) == 1


def _export_path(app, tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    _export(app, path)
    return path


def test_xlsx_with_some_columns_and_numbers_imports(app, runner, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Title", "status", "municipalities", "start_year", "technologies", None])
    sheet.append(["Bildanalys av vägar", "In production", 180, 2022, "computer-vision", None])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["Talsvar i växeln", "pre-study", "Kiruna", 2021.0, "Taligenkänning", None])
    path = tmp_path / "some.xlsx"
    book.save(path)
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 rows: 2 new" in result.output
    with Session(app.extensions["db_engine"]) as session:
        roads, calls = session.scalars(select(Initiative).order_by(Initiative.id)).all()
        assert [m.code for m in roads.municipalities] == ["0180"]
        assert roads.status.slug == "production" and roads.start_year == 2022
        assert [m.code for m in calls.municipalities] == ["2584"]
        assert [t.slug for t in calls.technologies] == ["speech-recognition"]


def test_xlsx_formula_cells_are_refused(app, runner, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["title", "status", "municipalities"])
    book.active.append(["=1+1", "pilot", "0180"])
    path = tmp_path / "formula.xlsx"
    book.save(path)
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert _problems(result.output) == {(2, "title")}
    assert _count(app) == 0


def test_xlsx_rows_past_the_size_the_sheet_declares_are_read(app, runner, tmp_path):
    """A sheet's <dimension> is what the program that wrote it claims; one that claims too
    few rows must not make the import drop the rest without a word."""
    book = openpyxl.Workbook()
    book.active.append(["title", "status", "municipalities"])
    for name in ("Första", "Andra", "Tredje", "Fjärde"):
        book.active.append([name, "pilot", "0180"])
    written = io.BytesIO()
    book.save(written)
    path = tmp_path / "understated.xlsx"
    with (
        zipfile.ZipFile(io.BytesIO(written.getvalue())) as source,
        zipfile.ZipFile(path, "w") as target,
    ):
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                # openpyxl writes '<dimension ref="A1:C5"/>' through lxml, with a space
                # before '/>' without it
                data, found = re.subn(
                    rb'<dimension ref="A1:C5"\s*/>', b'<dimension ref="A1:C2"/>', data
                )
                assert found == 1
            target.writestr(part, data)
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "4 rows: 4 new" in result.output
    assert _count(app) == 4


HEADER = "title,status,municipalities"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("list.txt", b"title\nx\n", "import reads .csv or .xlsx files"),
        ("latin.csv", f"{HEADER}\nÖrebro,pilot,1880\n".encode("latin-1"), "UTF-8 text (line 2)"),
        ("utf16.csv", f"{HEADER}\nx,pilot,0180\n".encode("utf-16"), "not UTF-8"),
        ("empty.csv", b"", "the file is empty"),
        ("blank.csv", b"\r\n\r\n", "the file is empty"),
        ("header.csv", f"\ufeff{HEADER}\r\n".encode(), "no rows under its header"),
        ("broken.xlsx", b"PK\x03\x04 not really a workbook", "not a readable XLSX workbook"),
        ("text.xlsx", b"title,status\n", "not a readable XLSX workbook"),
        ("quote.csv", f'{HEADER}\n"x,pilot,0180\n'.encode(), "unexpected end of data"),
    ],
)
def test_unreadable_files_are_one_line_errors(app, runner, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert _count(app) == 0


@pytest.mark.parametrize(
    ("content", "problems"),
    [
        ("title;status;municipalities\nx;pilot;0180\n", {(1, "")}),
        ("title,municipalities\nx,0180\n", {(1, "status")}),
        ("title,status,municipalities,colour\nx,pilot,0180,red\n", {(1, "colour")}),
        ("title,status,municipalities,Title\nx,pilot,0180,y\n", {(1, "Title")}),
        ("title,status,municipalities,lat\nx,pilot,0180,59\n", {(1, "lon")}),
        (
            "id,title,status,municipalities\n7,a,pilot,0180\n7,b,pilot,0180\n0,c,pilot,0180\n",
            {(3, "id"), (4, "id")},
        ),
        ("title,status,municipalities\nx,pilot,0180,extra\n", {(2, "")}),
        ("title,status,municipalities\nnul\x00,pilot,0180\n", {(2, "title")}),
        ("title,status,municipalities\n" + "x" * 201 + ",pilot,0180\n", {(2, "title")}),
    ],
)
def test_column_and_row_problems_are_reported(app, runner, tmp_path, content, problems):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    found = {
        (int(r), c) for r, c in re.findall(r"^row (\d+)(?:, column (\S+))?:", result.output, re.M)
    }
    assert found == problems
    assert _count(app) == 0


def test_too_large_a_file_is_refused(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_BYTES", 1000)
    path = tmp_path / "large.csv"
    path.write_text(HEADER + "\n" + "x,pilot,0180\n" * 100, encoding="utf-8")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert "larger than" in result.stderr
    assert _count(app) == 0


def test_a_missing_file_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(args=["import", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.output


# --- the admins' upload page ----------------------------------------------------------------


def _upload(client, path: Path, token: str):
    with path.open("rb") as f:
        return client.post(
            "/admin/import?lang=en",
            data={"csrf_token": token, "file": (f, path.name)},
            content_type="multipart/form-data",
        )


def test_only_admins_may_import(app, client, login_as):
    anonymous = client.get("/admin/import")
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]
    for role in ("coordinator", "moderator"):
        someone = app.test_client()
        login_as(role, on=someone)
        page = someone.get("/admin/import")
        assert page.status_code == 403
        token = csrf_from(someone.get("/initiatives/new"))
        refused = someone.post("/admin/import/confirm", data={"csrf_token": token, "token": "x"})
        assert refused.status_code == 403


def test_upload_page_checks_first_then_imports_on_confirmation(app, client, login_as, tmp_path):
    admin = login_as("admin")
    page = client.get("/admin/import?lang=en")
    assert page.status_code == 200
    token = csrf_from(page)

    without_token = client.post(
        "/admin/import",
        data={"file": (io.BytesIO(b"x"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert without_token.status_code == 400

    bad = _upload(client, MIXED, token)
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "6 with problems" in text
    assert text.count("<tr>") == 1 + len(MIXED_PROBLEMS)
    assert "=HYPERLINK(&#34;http://evil.example&#34;" in text  # shown as text, escaped
    assert 'name="token"' not in text
    assert _count(app) == 0

    checked = _upload(client, _good_rows(tmp_path), token)
    assert checked.status_code == 200
    text = checked.get_data(as_text=True)
    assert "2 new, 0 changed, 0 unchanged. Nothing has been written yet." in text
    assert _count(app) == 0
    pending = re.search(r'name="token" value="([^"]+)"', text).group(1)
    assert (Path(app.instance_path) / "imports" / pending).is_file()

    done = client.post(
        "/admin/import/confirm?lang=en",
        data={"csrf_token": token, "token": pending, "filename": "good.csv"},
    )
    assert done.status_code == 200
    assert "Imported 2 rows: 2 new" in done.get_data(as_text=True)
    assert _count(app) == 2
    with Session(app.extensions["db_engine"]) as session:
        authors = set(session.scalars(select(Initiative.author_id)))
        revision_users = set(session.scalars(select(Revision.user_id)))
    assert authors == revision_users == {admin.id}
    assert not (Path(app.instance_path) / "imports" / pending).exists()

    twice = client.post(
        "/admin/import/confirm",
        data={"csrf_token": token, "token": pending, "filename": "good.csv"},
    )
    assert twice.status_code == 302
    assert _count(app) == 2
    for forged in ("../../secret_key", "x" * 22 + ".csv"):
        response = client.post("/admin/import/confirm", data={"csrf_token": token, "token": forged})
        assert response.status_code == 302


def test_upload_page_in_swedish(client, login_as):
    login_as("admin")
    page = client.get("/admin/import?lang=sv").get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "Importera initiativ" in page


def test_a_confirmation_sent_twice_at_once_imports_once(
    app, client, login_as, tmp_path, databases, monkeypatch
):
    """A double click on 'Import': the second confirmation arrives while the first is
    importing and finds the upload taken, as it would a moment later."""
    if databases.backend == "sqlite":
        pytest.skip("SQLite runs one writing request at a time (BEGIN IMMEDIATE)")
    login_as("admin")
    other = app.test_client()
    login_as("admin", on=other)
    token = csrf_from(client.get("/admin/import"))
    checked = _upload(client, _good_rows(tmp_path), token).get_data(as_text=True)
    form = {"token": re.search(r'name="token" value="([^"]+)"', checked).group(1)}
    importing, go = threading.Event(), threading.Event()
    import_file = importer.import_file

    def import_file_slowly(*args, **kwargs):
        if threading.current_thread().name == "first":
            importing.set()
            go.wait(30)
        return import_file(*args, **kwargs)

    monkeypatch.setattr(importer, "import_file", import_file_slowly)
    first = threading.Thread(
        target=client.post,
        args=("/admin/import/confirm",),
        kwargs={"data": {**form, "csrf_token": token}},
        name="first",
    )
    first.start()
    assert importing.wait(30)
    second = other.post(
        "/admin/import/confirm",
        data={**form, "csrf_token": csrf_from(other.get("/admin/import"))},
    )
    go.set()
    first.join(30)
    assert second.status_code == 302  # 'That upload has expired'
    assert _count(app) == 2
