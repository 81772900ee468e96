"""Our published initiatives in the columns of the EU Public Sector Tech Watch (PSTW).

`export-pstw` writes them so that a municipality can hand its cases to the observatory: one
row per initiative, as CSV or XLSX (data_io.tables), with the PSTW ID of the cases that came
from the data set and an empty one for our own. `import-pstw` (data_io.pstw) reads such a file
back and skips the rows without an ID.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Initiative
from kommunkarta.services.data_io import exporter, serialise, sources, tables
from kommunkarta.services.data_io import pstw_mapping as mapping
from kommunkarta.services.data_io.pstw_columns import (
    ATTRIBUTION,
    BENEFIT_COLUMNS,
    CATEGORY,
    CLASSIFICATION,
    COLUMNS,
    COUNTRY,
    DESCRIPTION,
    END_YEAR,
    EXTENT,
    FUNCTIONS,
    ID,
    KEYWORDS,
    NAME,
    NUTS,
    ORGANISATION,
    PRIMARY_TECHNOLOGY,
    SOURCE,
    START_YEAR,
    STATUS,
    UPDATED,
    WEBSITE,
)

FORMATS = (".csv", ".xlsx")
AI = "Artificial Intelligence"
YES, NO = "Yes", "No"

# NUTS 2021 level 3 of each county (the Swedish NUTS 3 regions are the counties)
NUTS3 = {
    "01": "SE110",
    "03": "SE121",
    "04": "SE122",
    "05": "SE123",
    "06": "SE211",
    "07": "SE212",
    "08": "SE213",
    "09": "SE214",
    "10": "SE221",
    "12": "SE224",
    "13": "SE231",
    "14": "SE232",
    "17": "SE311",
    "18": "SE124",
    "19": "SE125",
    "20": "SE312",
    "21": "SE313",
    "22": "SE321",
    "23": "SE322",
    "24": "SE331",
    "25": "SE332",
}


FORMATS = (".csv", ".xlsx")


def _case(initiative: Initiative) -> str:
    key, _, case = (initiative.external_ref or "").partition(":")
    return case if key == SOURCE.key else ""


def _row(initiative: Initiative) -> list[Any]:
    slugs = {t.slug for t in initiative.benefit_areas}
    marked = mapping.written_benefit_columns()
    benefits = {column: (YES if slug in slugs else NO) for slug, column in marked.items()}
    status = mapping.STATUS.to_pstw([initiative.status.slug])
    values = {
        ID: _case(initiative),
        NAME: initiative.title,
        WEBSITE: initiative.url or "",
        DESCRIPTION: initiative.description or initiative.summary or "",
        EXTENT: "Local",
        COUNTRY: "Sweden",
        NUTS: "; ".join(sorted({NUTS3[m.region_code] for m in initiative.municipalities})),
        ORGANISATION: "; ".join(f"Municipality of {m.name}" for m in initiative.municipalities),
        CATEGORY: "Local Government",
        FUNCTIONS: "; ".join(mapping.AREA.to_pstw(t.slug for t in initiative.areas)),
        STATUS: status[0] if status else "",
        START_YEAR: initiative.start_year,
        END_YEAR: None,
        PRIMARY_TECHNOLOGY: AI,
        CLASSIFICATION: "; ".join(
            mapping.TECHNOLOGY.to_pstw(t.slug for t in initiative.technologies)
        ),
        KEYWORDS: "",
        **{column: benefits.get(column, "") for column in BENEFIT_COLUMNS},
        UPDATED: initiative.updated_at.date().isoformat(),
        ATTRIBUTION: sources.attribution_text(initiative)
        or f"{serialise.ATTRIBUTION}, {serialise.LICENCE}",
    }
    return [values[c] for c in COLUMNS]


def _write_xlsx(rows: Iterator[list[Any]], out: IO[bytes], generated: datetime) -> None:
    book = tables.Workbook(out)
    sheet = book.sheet("PSTW cases", COLUMNS)
    for row in rows:
        sheet.append(row)
    about = book.sheet("About")
    about.append(
        ["title", "Kommunkartan's published initiatives in the columns of the " + SOURCE.name]
    )
    about.append(["license", f"{serialise.LICENCE} ({serialise.LICENCE_URL})"])
    credit = f"{SOURCE.name} ({SOURCE.licence}, {SOURCE.url})"
    about.append(
        ["attribution", f"{serialise.ATTRIBUTION}; rows with a {SOURCE.case_label}: {credit}"]
    )
    about.append(["generated_at", serialise.timestamp(generated)])
    book.save(
        {
            "title": "Kommunkartan: AI initiatives for the EU Public Sector Tech Watch",
            "creator": serialise.ATTRIBUTION,
            "description": f"Licence: {serialise.LICENCE} {serialise.LICENCE_URL}",
        },
    )


def write_file(session: Session, path: Path) -> int:
    """Write our published initiatives in the PSTW columns to `path` (.csv or .xlsx), which
    appears only when complete; returns how many. Raises ExportError or OSError."""
    if path.suffix.lower() not in FORMATS:
        raise exporter.ExportError(
            f"cannot tell the format of {path.name}: use one of {', '.join(FORMATS)}"
        )
    written = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal written
        for initiative in serialise.selected(session, InitiativeFilter()):
            written += 1
            yield _row(initiative)

    with exporter.replacing(path) as out:
        if path.suffix.lower() == ".csv":
            tables.write_csv(COLUMNS, rows(), out)
        else:
            _write_xlsx(rows(), out, datetime.now(UTC))
    return written
