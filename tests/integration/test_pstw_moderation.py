"""Organisations import-pstw cannot place wait for a moderator, whose choice becomes an alias
for every later import; the language of imported text is marked; plain import keeps the
attribution (SQLite and PostgreSQL)."""

import csv
import io
import re
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta.models import Initiative, OrganisationAlias, WaitingCase
from tests.conftest import csrf_from

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "pstw_published.csv"
HABO = "pstw:5101"  # "Habö kommun": Habo or Håbo?


def _import(runner, path=FIXTURE):
    result = runner.invoke(args=["import-pstw", str(path)])
    assert result.exit_code == 0, result.output
    return result.stdout


def _scalar(app, stmt):
    with Session(app.extensions["db_engine"]) as session:
        return session.scalar(stmt)


def test_a_moderator_places_a_waiting_name_and_later_imports_use_it(app, runner, client, login_as):
    _import(runner)
    assert _scalar(app, select(WaitingCase.external_ref)) == HABO
    assert _scalar(app, select(func.count()).where(Initiative.external_ref == HABO)) == 0

    login_as("coordinator")
    assert client.get("/moderation/organisations").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/initiatives/mine"))})

    login_as("moderator")
    page = client.get("/moderation/organisations?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Habö kommun" in html and "fits more than one municipality" in html
    assert 'value="0643"' in html and 'value="0305"' in html  # Habo and Håbo, both offered
    token = csrf_from(page)

    for choice in ("9999", "643", "0643 ", "٠٦٤٣"):  # unknown, short, padded, Arabic-Indic
        bad = client.post(
            "/moderation/organisations",
            data={"csrf_token": token, "name": "Habö kommun", "choice": choice},
        )
        assert bad.status_code == 400, choice
    said = client.post(
        "/moderation/organisations?lang=sv",
        data={"csrf_token": token, "name": "Habö kommun", "choice": "643"},
    )
    assert "Välj en kommun i listan." in said.get_data(as_text=True)
    client.get("/moderation/organisations?lang=en")  # the language chosen stays
    assert _scalar(app, select(func.count()).select_from(OrganisationAlias)) == 0

    done = client.post(
        "/moderation/organisations",
        data={"csrf_token": token, "name": "Habö kommun", "choice": "0643"},
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert "Cases imported now: 1" in done.get_data(as_text=True)
    assert _scalar(app, select(func.count()).select_from(WaitingCase)) == 0
    with Session(app.extensions["db_engine"]) as session:
        case = session.scalar(select(Initiative).where(Initiative.external_ref == HABO))
        assert [m.code for m in case.municipalities] == ["0643"]
        assert case.lang == "en"
    assert "No organisation waits" in client.get("/moderation/organisations?lang=en").text

    again = _import(runner)
    assert "0 new" in again and "0 unresolved" in again


def test_not_a_municipality_takes_the_case_off_the_list(app, runner, client, login_as):
    _import(runner)
    login_as("moderator")
    token = csrf_from(client.get("/moderation/organisations"))
    response = client.post(
        "/moderation/organisations",
        data={"csrf_token": token, "name": "Habö kommun", "choice": "none"},
    )
    assert response.status_code == 302
    assert _scalar(app, select(OrganisationAlias.municipality_code)) is None
    assert _scalar(app, select(func.count()).select_from(WaitingCase)) == 0
    assert _scalar(app, select(func.count()).where(Initiative.external_ref == HABO)) == 0


def test_english_text_is_marked_with_its_language(app, runner, client):
    _import(runner)
    case_id = _scalar(app, select(Initiative.id).where(Initiative.external_ref == "pstw:5000"))
    page = client.get(f"/initiatives/{case_id}?lang=sv").get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert '<h1 lang="en">AI case 1</h1>' in page
    assert 'class="text" lang="en">An English description' in page
    table = client.get("/initiatives?lang=sv").get_data(as_text=True)
    assert re.search(r'href="/initiatives/\d+"><span lang="en">', table)


def test_plain_import_keeps_the_attribution(app, runner, tmp_path):
    _import(runner)
    exported = tmp_path / "all.csv"
    assert runner.invoke(args=["export", str(exported)]).exit_code == 0
    with Session(app.extensions["db_engine"]) as session, session.begin():
        session.query(Initiative).delete()
    result = runner.invoke(args=["import", str(exported)])
    assert result.exit_code == 0, result.output
    with Session(app.extensions["db_engine"]) as session:
        case = session.scalar(select(Initiative).where(Initiative.title == "AI case 1"))
        assert (case.source, case.licence, case.external_ref) == (
            "EU Public Sector Tech Watch",
            "CC BY 4.0",
            "pstw:5000",
        )
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
    assert rows[0]["source"].startswith("EU Public Sector Tech Watch, PSTW ID ")
