"""The text's language and the costs, reuse and compliance facts in the CSV and XLSX exports
(the API item's `lang`, `costs`, `reuse` and `compliance`, one column each) and read back by
`import` with the coordinator form's rules."""

import csv
import io
import json
import re

import openpyxl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta.models import Initiative, Revision
from tests.conftest import csrf_from

FACTS = {
    "costs": ("investment_sek", "running_sek_per_year"),
    "reuse": ("procurement", "others_may_call_off", "supplier", "open_source_url"),
    "compliance": ("personal_data", "dpia", "ai_act", "fria"),
}


def _cell(value) -> str:
    """An item's value as the CSV writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _item_cells(item: dict) -> dict[str, str]:
    """What the CSV row of an API item holds, column by column."""
    location = item["location"] or {}
    cells = {
        **{name: item[name] for name in ("id", "title", "summary", "description", "lang")},
        **{name: item[name] for name in ("status", "start_year", "url", "contact", "source")},
        **{name: "|".join(item[name]) for name in ("benefit_areas", "areas", "technologies")},
        "municipalities": "|".join(m["code"] for m in item["municipalities"]),
        "lat": location.get("lat"),
        "lon": location.get("lon"),
        "state": "published",
        "is_demo": item["is_demo"],
        **{name: item[name] for name in ("published_at", "updated_at", "last_confirmed_at")},
        **{name: item[name] for name in ("hours_per_year", "sek_per_year")},
        **{name: item[group][name] for group, names in FACTS.items() for name in names},
    }
    return {name: _cell(value) for name, value in cells.items()}


def test_each_row_says_what_the_api_item_says(seeded_app):
    """The CSV reads the register with plain queries, the API through the ORM: every cell
    of every row agrees with the item, lists in the same order."""
    client = seeded_app.test_client()
    rows = {int(r["id"]): r for r in _csv(client.get("/export.csv").data)}
    items = [
        item
        for page in (1, 2)
        for item in client.get(f"/api/v1/initiatives?per_page=200&page={page}").get_json()["items"]
    ]
    assert len(items) == len(rows) == 400
    for item in items:
        assert rows[item["id"]] == _item_cells(item), item["id"]
    assert any(len(row["benefit_areas"].split("|")) > 2 for row in rows.values())
    assert any("|" in row["municipalities"] for row in rows.values())


def test_the_demo_data_gives_the_comparison_real_facts(seeded_app):
    client = seeded_app.test_client()
    rows = {int(r["id"]): r for r in _csv(client.get("/export.csv").data)}
    for name in ("investment_sek", "procurement", "others_may_call_off", "ai_act"):
        assert any(row[name] for row in rows.values()), name
    with client.get("/export.xlsx") as response:
        book = openpyxl.load_workbook(io.BytesIO(response.data))
    header, *values = book["Initiatives"].iter_rows(values_only=True)
    first = dict(zip(header, values[0], strict=True))
    assert first["lang"] == rows[first["id"]]["lang"]
    numbers = [dict(zip(header, v, strict=True))["investment_sek"] for v in values]
    assert any(isinstance(n, int) for n in numbers)  # kronor stay numbers in a spreadsheet


HEADER = (
    "title,status,municipalities,technologies,lang,investment_sek,running_sek_per_year,"
    "procurement,others_may_call_off,supplier,open_source_url,personal_data,dpia,ai_act,fria\n"
)


def _import(runner, tmp_path, content: str, name: str = "facts.csv"):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return runner.invoke(args=["import", str(path)])


def test_import_reads_the_facts_and_the_language(app, runner, tmp_path):
    result = _import(
        runner,
        tmp_path,
        HEADER + "Chatbot,pilot,0180,chatbot,en,250000,40000,framework-agreement,true,"
        "Leverantör AB,https://example.org/code,yes,false,high,true\n"
        "Tolk,idea,1480,,,,,,,,,,,,\n",
    )
    assert result.exit_code == 0, result.output
    with Session(app.extensions["db_engine"]) as session:
        chatbot, tolk = session.scalars(select(Initiative).order_by(Initiative.id)).all()
        assert chatbot.lang == "en"
        assert (chatbot.investment_sek, chatbot.running_sek_per_year) == (250_000, 40_000)
        assert chatbot.procurement == "framework-agreement"
        assert chatbot.others_may_call_off is True
        assert (chatbot.supplier, chatbot.open_source_url) == (
            "Leverantör AB",
            "https://example.org/code",
        )
        assert (chatbot.personal_data, chatbot.dpia, chatbot.ai_act, chatbot.fria) == (
            "yes",
            False,
            "high",
            True,
        )
        # empty cells: nothing stated, and the language Swedish
        assert tolk.lang == "sv"
        assert (tolk.investment_sek, tolk.procurement, tolk.others_may_call_off) == (
            None,
            None,
            None,
        )
        assert (tolk.supplier, tolk.personal_data, tolk.dpia, tolk.fria) == ("", None, None, None)


def test_bad_facts_are_reported_by_row_and_column_and_nothing_is_written(app, runner, tmp_path):
    result = _import(
        runner,
        tmp_path,
        HEADER + "A,pilot,0180,chatbot,english,-5,1.5,bribe,maybe,,ftp://x,perhaps,,,\n"
        "B,pilot,0180,,sv,,,,,,,,,high,\n"
        "C,pilot,0180,chatbot,sv,,,,,,,,,minimal,true\n"
        "D,pilot,0180,chatbot,sv,99999999999,,,,,,,,,\n",
    )
    assert result.exit_code == 1
    found = {(int(r), c) for r, c in re.findall(r"^row (\d+), column (\w+):", result.output, re.M)}
    assert found == {
        (2, "lang"),
        (2, "investment_sek"),
        (2, "running_sek_per_year"),
        (2, "procurement"),
        (2, "others_may_call_off"),
        (2, "open_source_url"),
        (2, "personal_data"),
        (3, "ai_act"),  # a category needs an AI technology
        (4, "fria"),  # only for high risk
        (5, "investment_sek"),
    }
    assert "row 2, column lang: “english” must be a language code such as sv or en" in (
        result.output
    )
    # the file has a technologies column: the message names it, not the form's field
    assert (
        "row 3, column ai_act: “high” an AI Act category needs an AI technology: give one in "
        "the technologies column" in result.output
    ), result.output
    assert "Technologies" not in result.output
    with Session(app.extensions["db_engine"]) as session:
        assert session.scalars(select(Initiative)).first() is None


def test_an_update_changes_only_the_facts_the_file_has(app, runner, tmp_path):
    created = _import(
        runner,
        tmp_path,
        HEADER + "Chatbot,pilot,0180,chatbot,en,250000,,direct-award,false,Bolaget,,no,true,,\n",
    )
    assert created.exit_code == 0, created.output
    with Session(app.extensions["db_engine"]) as session:
        initiative_id = session.scalar(select(Initiative.id))
    # an older file without the fact columns leaves them as they are
    older = _import(
        runner,
        tmp_path,
        f"id,title,status,municipalities\n{initiative_id},Chatbot,pilot,0180\n",
        "older.csv",
    )
    assert "0 new, 0 changed, 1 unchanged" in older.output, older.output
    # an empty cell clears a fact; an empty lang leaves the language
    cleared = _import(
        runner,
        tmp_path,
        f"id,title,status,municipalities,lang,procurement,supplier,dpia\n"
        f"{initiative_id},Chatbot,pilot,0180,,,Bolaget,\n",
        "cleared.csv",
    )
    assert "0 new, 1 changed, 0 unchanged" in cleared.output, cleared.output
    with Session(app.extensions["db_engine"]) as session:
        initiative = session.get(Initiative, initiative_id)
        assert (initiative.lang, initiative.investment_sek) == ("en", 250_000)
        assert (initiative.procurement, initiative.dpia, initiative.supplier) == (
            None,
            None,
            "Bolaget",
        )
        assert initiative.others_may_call_off is False
        revision = session.scalars(select(Revision).where(Revision.action == "edited")).one()
        assert json.loads(revision.changes) == {
            "procurement": ["direct-award", None],
            "dpia": [True, None],
        }


def _id_of(app, title: str) -> int:
    with Session(app.extensions["db_engine"]) as session:
        return session.scalars(select(Initiative.id).where(Initiative.title == title)).one()


def test_a_file_without_technologies_reads_the_ai_act_of_initiatives_that_have_them(
    app, runner, tmp_path
):
    """A row that does not give the technologies leaves them as they are, so the AI Act
    category is checked against the initiative's own: a file of ids and categories, as a
    municipality's lawyer might send it, imports."""
    created = _import(
        runner,
        tmp_path,
        "title,status,municipalities,technologies\nChatbot,pilot,0180,chatbot\n"
        "Tolk,idea,1480,language-technology\n",
    )
    assert created.exit_code == 0, created.output
    chatbot, tolk = _id_of(app, "Chatbot"), _id_of(app, "Tolk")
    categories = _import(
        runner,
        tmp_path,
        f"id,title,status,municipalities,ai_act,fria\n{chatbot},Chatbot,pilot,0180,high,true\n"
        f"{tolk},Tolk,idea,1480,minimal,\n",
        "categories.csv",
    )
    assert categories.exit_code == 0, categories.output
    assert "0 new, 2 changed, 0 unchanged" in categories.output
    # a fundamental-rights assessment where the stored category is high risk
    assessed = _import(
        runner,
        tmp_path,
        f"id,title,status,municipalities,fria\n{chatbot},Chatbot,pilot,0180,false\n",
        "fria.csv",
    )
    assert assessed.exit_code == 0, assessed.output
    with Session(app.extensions["db_engine"]) as session:
        assert (session.get(Initiative, chatbot).ai_act, session.get(Initiative, chatbot).fria) == (
            "high",
            False,
        )
        assert session.get(Initiative, tolk).ai_act == "minimal"
        assert [t.slug for t in session.get(Initiative, chatbot).technologies] == ["chatbot"]


def test_a_category_without_any_technology_is_refused_with_what_to_do(app, runner, tmp_path):
    """A new initiative from a file without technologies has none: its AI Act category is
    refused, saying that the column is missing; "unassessed" needs no technology. A row that
    empties the technologies of a classified initiative is refused on that column."""
    created = _import(
        runner, tmp_path, "title,status,municipalities,technologies\nChatbot,pilot,0180,chatbot\n"
    )
    assert created.exit_code == 0, created.output
    chatbot = _id_of(app, "Chatbot")
    classified = _import(
        runner,
        tmp_path,
        f"id,title,status,municipalities,ai_act\n{chatbot},Chatbot,pilot,0180,transparency\n",
        "classified.csv",
    )
    assert classified.exit_code == 0, classified.output
    new = _import(
        runner,
        tmp_path,
        "title,status,municipalities,ai_act\nNy,idea,0180,high\nOklar,idea,0180,unassessed\n",
        "new.csv",
    )
    assert new.exit_code == 1
    assert (
        "row 2, column ai_act: “high” an AI Act category needs an AI technology, and the file "
        "has no technologies column" in new.output
    ), new.output
    assert "row 3" not in new.output
    emptied = _import(
        runner,
        tmp_path,
        f"id,title,status,municipalities,technologies\n{chatbot},Chatbot,pilot,0180,\n",
        "emptied.csv",
    )
    assert emptied.exit_code == 1
    assert (
        "row 2, column technologies: an AI Act category needs an AI technology: give one in "
        "the technologies column" in emptied.output
    ), emptied.output
    with Session(app.extensions["db_engine"]) as session:
        assert session.scalar(select(func.count(Initiative.id))) == 1
        assert [t.slug for t in session.get(Initiative, chatbot).technologies] == ["chatbot"]


def test_the_upload_page_says_in_swedish_which_column_to_change(app, client, login_as):
    """The form's message points at its Technologies field, which a file does not have: the
    upload page names the column, in the reader's language."""
    login_as("admin")
    token = csrf_from(client.get("/admin/import?lang=sv"))
    content = "title,status,municipalities,technologies,ai_act\nNy,idea,0180,,high\n"
    response = client.post(
        "/admin/import?lang=sv",
        data={"csrf_token": token, "file": (io.BytesIO(content.encode()), "ai.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "kräver en AI-teknik: ange en i kolumnen technologies" in text, text
    assert "under Tekniker" not in text
