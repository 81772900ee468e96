"""import-pstw on a file shaped like the data set as published (tests/fixtures/
pstw_published.csv: its columns, every value of its vocabularies in varying case, every
benefit flag, organisations as the data set writes them): nothing is lost."""

import csv
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kommunkarta.models import Initiative
from kommunkarta.services.data_io import pstw_mapping as mapping

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "pstw_published.csv"


def _cases() -> dict[str, dict[str, str]]:
    with FIXTURE.open(encoding="utf-8-sig", newline="") as handle:
        return {row["PSTW ID"]: row for row in csv.DictReader(handle)}


def _imported(app) -> dict[str, Initiative]:
    stmt = select(Initiative).options(
        selectinload(Initiative.municipalities),
        selectinload(Initiative.technologies),
        selectinload(Initiative.benefit_areas),
    )
    with Session(app.extensions["db_engine"]) as session:
        return {(i.external_ref or "").removeprefix("pstw:"): i for i in session.scalars(stmt)}


def test_the_published_file_loses_no_benefit_or_technology(app, runner):
    result = runner.invoke(args=["import-pstw", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "without a counterpart" not in out, out
    assert out.strip().splitlines()[-1] == (
        "29 rows: 27 Swedish municipal cases kept, 2 skipped (not Swedish or not local); "
        "26 new, 0 updated, 0 unchanged, 1 unresolved; written."
    )
    assert "“Habö kommun” fits more than one municipality" in out  # waits for a moderator

    cases, found = _cases(), _imported(app)
    assert len(found) == 26
    benefit_columns = [column for column, _ in mapping.BENEFITS]
    for case_id, initiative in found.items():
        row = cases[case_id]
        if any(mapping.is_yes(row[column]) for column in benefit_columns):
            assert initiative.benefit_areas, case_id
        classified = row["AI Classification (I)"] or row["AI Classification Subdomain (II) (main)"]
        if row["Primary Technology"] == "Artificial Intelligence" and classified:
            assert initiative.technologies, case_id
        assert initiative.municipalities, case_id

    places = {case_id: [m.code for m in i.municipalities] for case_id, i in found.items()}
    assert places["5000"] == ["1480"]  # City of Gothenberg: an exonym with a letter wrong
    assert places["5001"] == ["1280"]  # Malmo Municipality
    assert places["5008"] == ["1980"]  # Vasteras City
    assert places["5011"] == ["1480"]  # Gothenburg
    techs = {case_id: sorted(t.slug for t in i.technologies) for case_id, i in found.items()}
    assert techs["5100"] == ["other-ai"]  # classified only as ethics: still a technology
    assert techs["5014"] == ["process-automation"]  # the longest published value wins
    assert techs["5022"] == ["digital-twin"]
    assert techs["5018"] == []  # Blockchain: not AI, no term
