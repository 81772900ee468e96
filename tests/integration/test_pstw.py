"""import-pstw and export-pstw on a synthetic file in the EU Public Sector Tech Watch's
published format (made here; the real file's texts are not ours to ship)."""

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kommunkarta.models import Initiative, Revision
from kommunkarta.services.data_io import demo, pstw

HEADER = [
    "PSTW ID",
    "Name",
    "Website",
    "Description",
    "Geographical extent",
    "Geographical coverage (country)",
    "NUTS 2021",
    "Responsible organisation",
    "Responsible organisation category",
    "Functions of Government (COFOG level I)",
    " Status",
    "Start Year",
    "End Year",
    "Primary Technology",
    "AI Classification (I)",
    "AI Keywords",
    "Improved Administrative Efficiency",
    "Cost-reduction",
    "Personalized Services",
    "Increased transparency of public sector operations",
    "Improved Public Service Quality",  # not in our mapping table: read past
    "Date updated",
]
# the same columns as a spreadsheet program or a hurried hand may leave them
SLOPPY_HEADER = [
    "pstw id",
    "NAME",
    "Website ",
    "description",
    "Geographical  Extent",
    "Geographical coverage ( country )",
    "NUTS 2021",
    "Responsible Organization",
    "responsible organisation category",
    "Functions of government (COFOG Level I)",
    "Status",
    "Start year",
    "End year",
    "Primary technology",
    "AI classification (I)",
    "AI keywords",
    "Improved administrative efficiency",
    "Cost reduction",
    "Personalized services",
    "Increased Transparency of Public Sector Operations",
    "Improved public service quality",
    "Date Updated",
]
CHATBOTS = "Chatbots, Intelligent Digital Assistants, Virtual Agents and Recommendation Systems"


def case(case_id, name, organisation, **values):
    row = {
        "PSTW ID": case_id,
        "Name": name,
        "Website": "",
        "Description": f"{name}: beskrivning med åäö – och ett tankstreck.",
        "Geographical extent": "Local",
        "Geographical coverage (country)": "Sweden",
        "NUTS 2021": "",
        "Responsible organisation": organisation,
        "Responsible organisation category": "Local Government",
        "Functions of Government (COFOG level I)": "",
        " Status": "Implemented",
        "Start Year": "2022",
        "End Year": "",
        "Primary Technology": "Artificial Intelligence",
        "AI Classification (I)": "",
        "AI Keywords": "",
        "Improved Administrative Efficiency": "No",
        "Cost-reduction": "No",
        "Personalized Services": "No",
        "Increased transparency of public sector operations": "No",
        "Improved Public Service Quality": "Yes",
        "Date updated": "2025-03-01",
    }
    row.update(values)
    return row


ROWS = [
    case(
        "101",
        "Chattbot för bygglov",
        "Municipality of Skövde",
        Website="www.skovde.se/chatt",
        Description="Svarar på frågor om bygglov – dygnet runt.\n\nAndra stycket.",
        **{
            "AI Classification (I)": CHATBOTS,
            "Functions of Government (COFOG level I)": "General public services",
            "Improved Administrative Efficiency": "Yes",
            "Cost-reduction": "Yes",
            "Start Year": "2021",
        },
    ),
    case(
        "102",
        "Rekryteringsrobot",
        "Vaxjo kommun",
        **{
            " Status": "Pilot",
            "AI Classification (I)": "Machine Learning, Deep Learning; "
            "Expert and Rule-based Systems, Algorithmic Decision Making",
            "AI Keywords": "GPT, recruitment",
            "Personalized Services": "Yes",
        },
    ),
    case(
        "103",
        "Tolkning av detaljplaner",
        "Göteborgs Stad",
        Description="- Första punkten\n- Andra punkten",
        **{
            " Status": "In development",
            "AI Classification (I)": "Natural Language Processing, Text Mining and "
            "Speech Analytics",
            "Functions of Government (COFOG level I)": "Housing and community amenities",
        },
    ),
    case("104", "Digital assistent i växeln", "Eskilstuan municipality", **{" Status": "Planned"}),
    case(
        "105",
        "Gemensam AI-assistent",
        "Ale kommun, Lerums kommun och Region Västra Götaland",
        **{
            " Status": "Pilot",
            "Functions of Government (COFOG level I)": "Recreation, culture and religion; Defence",
            "Increased transparency of public sector operations": "Yes",
        },
    ),
    case(
        "106",
        "Regional bildanalys",
        "Region Skåne",
        **{"Responsible organisation category": "Regional Government"},
    ),
    case("107", "Talsvar", "Habö kommun"),
    case("108", "Okänt projekt", "Smorgasborg kommun"),
    case(
        "109",
        "Chatbot municipal",
        "Ville de Paris",
        **{"Geographical coverage (country)": "France"},
    ),
    case(
        "110",
        "Skattefrågor",
        "Skatteverket",
        **{
            "Responsible organisation category": "Central-Government",
            "Geographical extent": "National",
        },
    ),
    case("111", "Pausat projekt", "Stockholms stad", **{" Status": "Paused"}),
    case(
        "112",
        "Besöksräknare",
        "Region Gotland",
        Website="se kommunens webbplats",
        **{
            " Status": "Not in use",
            "AI Classification (I)": "Computer Vision and Identity Recognition",
        },
    ),
]
IMPORTED = {
    # PSTW ID: (municipality codes, status, technologies, benefit areas, areas)
    "101": (["1496"], "production", ["chatbot"], ["efficiency"], ["administration"]),
    "102": (
        ["0780"],
        "pilot",
        ["generative-ai", "machine-learning"],
        ["resident-service"],
        [],
    ),
    "103": (["1480"], "pre-study", ["language-technology"], [], ["urban-planning"]),
    "104": (["0484"], "idea", [], [], []),
    "105": (["1440", "1441"], "pilot", [], ["democracy"], ["culture-leisure"]),
    "112": (["0980"], "ended", ["computer-vision"], [], []),
}
SUMMARY = (
    "12 rows: 10 Swedish municipal cases kept, 2 skipped (not Swedish or not local); "
    "6 new, 0 updated, 0 unchanged, 3 unresolved, 1 with other problems; written."
)


def write_csv(path: Path, rows=ROWS, header=HEADER, encoding="utf-8-sig", delimiter=","):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in HEADER])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows=ROWS, header=HEADER):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        cells = [row.get(name, "") for name in HEADER]
        for position, name in enumerate(HEADER):
            if name in ("PSTW ID", "Start Year") and cells[position]:
                cells[position] = int(cells[position])  # numbers, as a spreadsheet has them
        sheet.append(cells)
    book.save(path)
    return path


def _count(app, model=Initiative) -> int:
    with Session(app.extensions["db_engine"]) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def _imported(app) -> dict[str, Initiative]:
    """The initiatives from PSTW by PSTW ID, with what the tests compare loaded."""
    stmt = (
        select(Initiative)
        .where(Initiative.external_ref.is_not(None))
        .options(
            *(
                selectinload(relation)
                for relation in (
                    Initiative.municipalities,
                    Initiative.technologies,
                    Initiative.benefit_areas,
                    Initiative.areas,
                    Initiative.status,
                )
            )
        )
    )
    with Session(app.extensions["db_engine"]) as session:
        found = session.scalars(stmt).all()
    return {(i.external_ref or "").removeprefix("pstw:"): i for i in found}


def _terms(initiative: Initiative) -> tuple:
    return (
        [m.code for m in initiative.municipalities],
        initiative.status.slug,
        sorted(t.slug for t in initiative.technologies),
        [t.slug for t in initiative.benefit_areas],
        [t.slug for t in initiative.areas],
    )


def _import(runner, path: Path, *options: str):
    result = runner.invoke(args=["import-pstw", str(path), *options])
    assert "Traceback" not in result.output
    return result


def test_import_places_maps_and_reports_every_case(app, runner, tmp_path):
    result = _import(runner, write_csv(tmp_path / "pstw.csv"))
    assert result.exit_code == 0, result.output
    assert "Checking rows" in result.stderr
    out = result.stdout
    assert out.strip().splitlines()[-1] == SUMMARY

    not_placed = out.split("Not imported: other problems")[0]
    pattern = r"^  row (\d+), column Responsible organisation: (.*)$"
    unresolved = re.findall(pattern, not_placed, re.M)
    assert [int(row) for row, _ in unresolved] == [7, 8, 9]
    skane, habo, unknown = (text for _, text in unresolved)
    assert skane == "“Region Skåne” names only a county, no municipality"
    assert habo.startswith("“Habö kommun” fits more than one municipality; closest: ")
    assert "Habo (0643, score 100)" in habo and "Håbo (0305, score 100)" in habo
    assert unknown.startswith("“Smorgasborg kommun” not resolved; closest: ")
    assert unknown.count("score") == 3
    assert "row 12, column Status: “Paused” no counterpart in the mapping table" in out
    assert "row 6, column Responsible organisation: “Region Västra Götaland” a county" in out
    assert "row 13, column Website: “se kommunens webbplats” not a web address" in out
    assert "AI Classification (I): “expert and rule based systems algorithmic" in out
    unknown_values = out.split("Values without a counterpart")[1]
    assert "defence" not in unknown_values  # left out on purpose, with its reason in the table
    assert "Status: “Paused” (1 row)" in unknown_values

    found = _imported(app)
    assert sorted(found) == sorted(IMPORTED)
    for case_id, expected in IMPORTED.items():
        assert _terms(found[case_id]) == expected, case_id
    chatbot = found["101"]
    assert chatbot.title == "Chattbot för bygglov"
    assert chatbot.description == "Svarar på frågor om bygglov – dygnet runt.\n\nAndra stycket."
    assert chatbot.url == "https://www.skovde.se/chatt"
    assert chatbot.start_year == 2021 and found["104"].start_year == 2022
    assert (chatbot.source, chatbot.licence) == ("EU Public Sector Tech Watch", "CC BY 4.0")
    assert chatbot.state == "published" and chatbot.published_at is not None
    assert not chatbot.is_demo
    assert "bygglov" in chatbot.search_text
    assert found["112"].url == ""
    assert _count(app) == 6
    with Session(app.extensions["db_engine"]) as session:
        assert session.scalars(select(Revision.action)).all() == ["created"] * 6


def test_a_second_run_changes_nothing_and_a_newer_file_updates(app, runner, tmp_path):
    path = write_csv(tmp_path / "pstw.csv")
    assert _import(runner, path).exit_code == 0
    versions = {k: i.version for k, i in _imported(app).items()}

    again = _import(runner, path)
    assert again.exit_code == 0, again.output
    assert "6 new" not in again.output
    assert "0 new, 0 updated, 6 unchanged, 3 unresolved" in again.output
    assert again.output.strip().endswith("nothing to write.")
    assert _count(app, Revision) == 6
    assert {k: i.version for k, i in _imported(app).items()} == versions

    newer = [dict(row) for row in ROWS]
    newer[0].update({" Status": "Not in use", "Name": "Chattbot för bygglov och miljö"})
    newer[1]["Responsible organisation"] = "Växjö kommun; Alvesta kommun"
    newer[7]["Responsible organisation"] = "Smedjebacken kommun"  # resolved at last
    updated = _import(runner, write_csv(tmp_path / "newer.csv", newer))
    assert updated.exit_code == 0, updated.output
    assert "1 new, 2 updated, 4 unchanged, 2 unresolved" in updated.output
    assert _count(app) == 7
    found = _imported(app)
    assert found["101"].title == "Chattbot för bygglov och miljö"
    assert found["101"].status.slug == "ended"
    assert [m.code for m in found["102"].municipalities] == ["0764", "0780"]
    assert [m.code for m in found["108"].municipalities] == ["2061"]
    with Session(app.extensions["db_engine"]) as session:
        edits = session.scalars(select(Revision).where(Revision.action == "edited")).all()
        changed = {r.initiative_id: r.changes for r in edits}
    assert set(changed) == {found["101"].id, found["102"].id}
    assert '"status": ["production", "ended"]' in changed[found["101"].id]
    assert '"municipalities": [["0780"], ["0764", "0780"]]' in changed[found["102"].id]


def test_a_withdrawn_case_stays_withdrawn(app, runner, tmp_path):
    path = write_csv(tmp_path / "pstw.csv")
    _import(runner, path)
    with Session(app.extensions["db_engine"]) as session, session.begin():
        session.scalar(
            select(Initiative).where(Initiative.external_ref == "pstw:101")
        ).state = "rejected"
    again = _import(runner, path)
    assert "0 new, 0 updated, 6 unchanged" in again.output
    assert _imported(app)["101"].state == "rejected"


@pytest.mark.parametrize(
    ("name", "write"),
    [
        ("utf8-no-bom.csv", lambda p: write_csv(p, encoding="utf-8")),
        ("windows-1252.csv", lambda p: write_csv(p, encoding="cp1252", delimiter=";")),
        ("sloppy-header.csv", lambda p: write_csv(p, header=SLOPPY_HEADER, encoding="cp1252")),
        ("published.xlsx", write_xlsx),
        ("sloppy-header.xlsx", lambda p: write_xlsx(p, header=SLOPPY_HEADER)),
    ],
)
def test_encodings_separators_headers_and_xlsx_read_alike(app, runner, tmp_path, name, write):
    variant = _import(runner, write(tmp_path / name))
    assert variant.exit_code == 0, variant.output
    assert variant.output.strip().splitlines()[-1] == SUMMARY
    assert _imported(app)["101"].description.startswith("Svarar på frågor om bygglov –")
    # the reference file finds every field the same
    same = _import(runner, write_csv(tmp_path / "reference.csv"))
    assert "0 new, 0 updated, 6 unchanged" in same.output, same.output


def test_dry_run_writes_nothing(app, runner, tmp_path):
    result = _import(runner, write_csv(tmp_path / "pstw.csv"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(
        "6 new, 0 updated, 0 unchanged, 3 unresolved, 1 with other problems; "
        "dry run, nothing was written."
    )
    assert _count(app) == 0 and _count(app, Revision) == 0


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_changes_nothing(app, runner, geo, tmp_path, suffix):
    _import(runner, write_csv(tmp_path / "pstw.csv"))
    with Session(app.extensions["db_engine"]) as session, session.begin():
        demo.seed(session, geo, count=5, seed_value=2)
        own = session.scalar(select(Initiative).where(Initiative.external_ref.is_(None)))
        own.title = '=HYPERLINK("http://evil.example")'
    before = (_count(app), _count(app, Revision))

    exported = tmp_path / f"out{suffix}"
    result = runner.invoke(args=["export-pstw", str(exported)])
    assert result.exit_code == 0, result.output
    assert f"Wrote 11 initiatives to {exported}" in result.output
    rows = _read(exported)
    assert rows[0] == list(pstw.COLUMNS)
    by_id = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert sorted(k for k in by_id if k) == sorted(IMPORTED)
    assert [row[0] for row in rows[1:]].count("") == 5
    chatbot = by_id["101"]
    assert chatbot["Responsible organisation"] == "Municipality of Skövde"
    assert chatbot[" Status"] == "Implemented"
    assert chatbot["AI Classification (I)"] == CHATBOTS
    assert chatbot["Improved Administrative Efficiency"] == "Yes"
    assert chatbot["Cost-reduction"] == ""  # no claim that the case did not say
    assert chatbot["Personalized Services"] == "No"
    assert chatbot["NUTS 2021"] == "SE232"
    assert chatbot["Source"] == "EU Public Sector Tech Watch, PSTW ID 101, CC BY 4.0"
    assert by_id["103"]["Description"] == "'- Första punkten\n- Andra punkten"
    assert by_id["105"]["Responsible organisation"] == "Municipality of Ale; Municipality of Lerum"
    assert any(row[1] == '\'=HYPERLINK("http://evil.example")' for row in rows[1:])

    back = _import(runner, exported)
    assert back.exit_code == 0, back.output
    assert back.output.strip().splitlines()[-1] == (
        "11 rows: 11 Swedish municipal cases kept, 0 skipped (not Swedish or not local), "
        "5 without a PSTW ID skipped; 0 new, 0 updated, 6 unchanged, 0 unresolved; "
        "nothing to write."
    )
    assert (_count(app), _count(app, Revision)) == before


def _read(path: Path) -> list[list]:
    if path.suffix == ".csv":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        with path.open(encoding="utf-8-sig", newline="") as f:
            return list(csv.reader(f))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["PSTW cases", "About"]
    about = dict(book["About"].iter_rows(values_only=True))
    assert "EU Public Sector Tech Watch (CC BY 4.0" in about["attribution"]
    return [["" if v is None else str(v) for v in row] for row in book.active.values]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "{path}: no such file"),
        ("cases.txt", b"PSTW ID,Name\n1,x\n", "cases.txt: import reads .csv or .xlsx files"),
        ("empty.csv", b"", "the file is empty"),
        ("broken.xlsx", b"PK\x03\x04 not a workbook", "the file is not a readable XLSX workbook"),
        (
            "ours.csv",
            b"id,title,status,municipalities\n1,x,pilot,0180\n",
            "not a PSTW file: no column PSTW ID, Name, Geographical coverage (country), "
            "Geographical extent, Responsible organisation, Responsible organisation "
            "category",  # its `status` is taken for the published ` Status`
        ),
        (
            "partial.csv",
            b"PSTW ID,Name,Responsible organisation\n1,x,Ale kommun\n",
            "not a PSTW file: no column Geographical coverage (country), Geographical extent,"
            " Responsible organisation category, Status",
        ),
    ],
)
def test_bad_files_are_one_line_errors(app, runner, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = _import(runner, path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {message.format(path=path)}\n"
    assert _count(app) == 0


def test_export_refuses_an_unknown_format(runner, tmp_path):
    result = runner.invoke(args=["export-pstw", str(tmp_path / "cases.geojson")])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: cannot tell the format of cases.geojson: use one of .csv, .xlsx"
    )
    assert not (tmp_path / "cases.geojson").exists()


def test_page_and_exports_credit_the_source(app, client, runner, tmp_path):
    _import(runner, write_csv(tmp_path / "pstw.csv"))
    chatbot = _imported(app)["101"]
    page = client.get(f"/initiatives/{chatbot.id}?lang=en").get_data(as_text=True)
    assert "EU Public Sector Tech Watch" in page
    assert "PSTW ID 101" in page
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in page
    swedish = client.get(f"/initiatives/{chatbot.id}?lang=sv").get_data(as_text=True)
    assert "Källa" in swedish

    with client.get("/export.csv") as response:
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    sources = {row["id"]: row["source"] for row in rows}
    assert sources[str(chatbot.id)] == "EU Public Sector Tech Watch, PSTW ID 101, CC BY 4.0"
