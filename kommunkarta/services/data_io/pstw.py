"""Import from and export to the EU Public Sector Tech Watch (PSTW) data set.

The European Commission's Public Sector Tech Watch publishes AI and other emerging-technology
cases of European public administrations (CC BY 4.0, CSV and XLSX). `import_file` takes the
Swedish cases that belong to municipalities; `write_file` writes our published initiatives
in the same columns, so that a municipality can hand its cases to the observatory.

Reading a file (the machinery of services.importer: the same reading, plan and transaction):
- CSV in UTF-8 (with or without a byte order mark) or else Windows-1252, comma- or
  semicolon-separated, told apart from the file itself; or XLSX, first sheet; row 1 is the
  header. Column names are compared without case, accents, spacing or punctuation (the
  published ` Status` has a leading space); columns we do not use are read past. A file
  without the REQUIRED columns is not a PSTW file, and nothing is read from it;
- a row is kept when its country is Sweden and its organisation is local government or its
  extent local; the others are counted as skipped;
- a kept row's organisation is resolved to municipalities (services.organisations): counties
  and other organisations beside them are noted in the report; a row that names no
  municipality, or one that cannot be told for sure, is listed with the closest candidates
  and not imported, as is a row with a status that services.pstw_mapping does not know;
- statuses, technologies, operational areas and the yes/no benefit columns go through the
  table in services.pstw_mapping; values it does not know are counted in the report;
- the PSTW ID becomes the initiative's external reference ("pstw:<id>"): an initiative
  imported before is updated from the file (a revision lists what changed) and one whose
  fields are the same is left alone, so a second run of the same file writes nothing;
  its publication state is left as a moderator may have set it. New initiatives are
  published, with the source and licence to credit. A row without a PSTW ID (our own cases in
  an export-pstw file) is not the observatory's yet and is skipped;
- every importable row is written in one transaction, or none.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kommunkarta import rules
from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import (
    BenefitArea,
    Initiative,
    Municipality,
    OperationalArea,
    Region,
    Status,
    Technology,
    TermModel,
    User,
)
from kommunkarta.services import text
from kommunkarta.services.data_io import exporter, importer, serialise, sources, waiting
from kommunkarta.services.data_io import pstw_mapping as mapping
from kommunkarta.services.data_io.importer import ImportFileError, Progress, RowError
from kommunkarta.services.data_io.organisations import Place, Resolution, Resolver, Unresolved

SOURCE = sources.PSTW
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")  # latin-1 takes the bytes cp1252 leaves out
DELIMITERS = ",;"

# The published columns, spelled as published.
ID = "PSTW ID"
NAME = "Name"
WEBSITE = "Website"
DESCRIPTION = "Description"
EXTENT = "Geographical extent"
COUNTRY = "Geographical coverage (country)"
NUTS = "NUTS 2021"
ORGANISATION = "Responsible organisation"
CATEGORY = "Responsible organisation category"
FUNCTIONS = "Functions of Government (COFOG level I)"
STATUS = " Status"
START_YEAR = "Start Year"
END_YEAR = "End Year"
PRIMARY_TECHNOLOGY = "Primary Technology"
CLASSIFICATION = "AI Classification (I)"
# "AI Classification Subdomain (II) (main)", "(other)": read from every column named so
SUBDOMAIN = "AI Classification Subdomain (II)"
SUBDOMAIN_HEADERS = ("ai classification subdomain", "ai classification ii", "subdomain")
KEYWORDS = "AI Keywords"
UPDATED = "Date updated"
# ours, after the published ones: whom to credit for the row
ATTRIBUTION = "Source"

REQUIRED = (ID, NAME, COUNTRY, EXTENT, ORGANISATION, CATEGORY, STATUS)
BENEFIT_COLUMNS = tuple(dict.fromkeys(column for column, _ in mapping.BENEFITS))
COLUMNS = (
    ID,
    NAME,
    WEBSITE,
    DESCRIPTION,
    EXTENT,
    COUNTRY,
    NUTS,
    ORGANISATION,
    CATEGORY,
    FUNCTIONS,
    STATUS,
    START_YEAR,
    END_YEAR,
    PRIMARY_TECHNOLOGY,
    CLASSIFICATION,
    KEYWORDS,
    *BENEFIT_COLUMNS,
    UPDATED,
    ATTRIBUTION,
)

SWEDEN = frozenset({"sweden", "sverige", "se"})
LOCAL_GOVERNMENT = "local government"
LOCAL = "local"
AI = "Artificial Intelligence"
YES, NO = "Yes", "No"
MAX_ID = 90  # characters of a PSTW ID: "pstw:" and the id fit in external_ref
BATCH = importer.BATCH

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


@dataclass
class PstwReport:
    rows: int = 0
    kept: int = 0  # Swedish and local
    skipped: int = 0  # not Swedish or not local
    without_id: int = 0  # kept, but not (yet) the observatory's
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unresolved: list[RowError] = field(default_factory=list)  # organisation not placed
    problems: list[RowError] = field(default_factory=list)  # other reasons not to import
    notes: list[RowError] = field(default_factory=list)  # counties and others beside
    unmapped: Counter[tuple[str, str]] = field(default_factory=Counter)  # (column, value)
    waiting: list[Waiting] = field(default_factory=list)  # for a moderator (services.waiting)
    dry_run: bool = False

    @property
    def unresolved_rows(self) -> int:
        return len({e.row for e in self.unresolved})

    @property
    def problem_rows(self) -> int:
        return len({e.row for e in self.problems})


@dataclass(frozen=True)
class Waiting:
    """A case that waits for a moderator to place the names in its organisation cell."""

    external_ref: str
    title: str
    organisation: str
    names: tuple[Unresolved, ...]
    row: dict[str, Any]  # published column -> cell, to import it again once placed


class _Bad(Exception):
    def __init__(self, column: str, value: Any, reason: str) -> None:
        self.error = (column, _shown(value), reason)


def _shown(value: Any) -> str:
    return "" if value is None else str(value)[:80]


def _fold_header(name: str) -> str:
    return mapping.fold(name).replace("organization", "organisation")


class _Row:
    """One row's cells by published column name."""

    def __init__(self, number: int, cells: list[Any], positions: dict[str, int]) -> None:
        self.number = number
        self.cells = cells
        self.positions = positions  # published column name -> position in the file
        self.subdomain_columns = [c for c in positions if c.startswith(SUBDOMAIN)]

    def raw(self, column: str) -> Any:
        position = self.positions.get(column)
        if position is None or position >= len(self.cells):
            return None
        return self.cells[position]

    def text(self, column: str) -> str:
        """The cell as clean text; raises _Bad for a spreadsheet formula."""
        value = self.raw(column)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime):
            value = value.date().isoformat()
        if serialise.is_formula(str(value)):
            raise _Bad(column, value, "a spreadsheet formula, not text")
        return text.clean(serialise.unguard_formula(str(value)))


def _positions(header: list[str]) -> dict[str, int]:
    """Published column name -> its position in the file (the first of that name), for the
    columns the file has; raises ImportFileError without the REQUIRED ones."""
    found: dict[str, int] = {}
    for position, name in enumerate(header):
        found.setdefault(_fold_header(str(name)), position)
    positions = {c: found[_fold_header(c)] for c in COLUMNS if _fold_header(c) in found}
    subdomains = [name for name in found if name.startswith(SUBDOMAIN_HEADERS)]
    positions.update({f"{SUBDOMAIN} {n}": found[name] for n, name in enumerate(subdomains)})
    missing = [c.strip() for c in REQUIRED if c not in positions]
    if missing:
        raise ImportFileError(f"not a PSTW file: no column {', '.join(missing)}")
    return positions


def _is_kept(row: _Row) -> bool:
    """Swedish, and local government or local in extent."""
    countries = {mapping.fold(c) for c in re.split(r"[;,|/\n]", row.text(COUNTRY))}
    local = (
        mapping.fold(row.text(CATEGORY)) == LOCAL_GOVERNMENT
        or mapping.fold(row.text(EXTENT)) == LOCAL
    )
    return bool(countries & SWEDEN) and local


@dataclass
class _Vocabulary:
    """Our terms and places, loaded once."""

    terms: dict[str, dict[str, Any]]  # kind -> slug -> term
    municipalities: dict[str, Municipality]
    resolver: Resolver

    @classmethod
    def load(cls, session: Session) -> _Vocabulary:
        kinds: dict[str, TermModel] = {
            "status": Status,
            "benefit_areas": BenefitArea,
            "areas": OperationalArea,
            "technologies": Technology,
        }
        terms = {
            kind: {t.slug: t for t in session.scalars(select(model))}
            for kind, model in kinds.items()
        }
        municipalities = {m.code: m for m in session.scalars(select(Municipality))}
        resolver = Resolver(
            (Place(m.code, m.name) for m in municipalities.values()),
            (Place(r.code, r.name) for r in session.scalars(select(Region))),
            {m.code: m.region_code for m in municipalities.values()},
            waiting.aliases(session),
        )
        return cls(terms, municipalities, resolver)

    def pick(self, kind: str, slugs: list[str]) -> list[Any]:
        """The terms of the slugs that our taxonomy (which admins may change) still has."""
        return [self.terms[kind][s] for s in slugs if s in self.terms[kind]]


def _case_id(row: _Row) -> str:
    case = row.text(ID)
    if len(case) > MAX_ID:
        raise _Bad(ID, case, f"longer than {MAX_ID} characters")
    return case


def _url(row: _Row, notes: list[RowError]) -> str:
    """The first web address in the cell ("www." gets https://); empty if there is none."""
    raw = row.text(WEBSITE)
    for word in raw.split():
        candidate = "https://" + word if word.lower().startswith("www.") else word
        if rules.is_web_url(candidate) and len(candidate) <= rules.LENGTHS["url"]:
            return candidate
    if raw:
        notes.append(RowError(row.number, WEBSITE, _shown(raw), "not a web address; left out"))
    return ""


def _year(row: _Row, notes: list[RowError]) -> int | None:
    raw = row.text(START_YEAR)
    if not raw:
        return None
    match = re.fullmatch(r"([0-9]{4})(?:\.0+)?", raw) or re.match(
        r"([0-9]{4})-[0-9]{2}-[0-9]{2}", raw
    )
    year = int(match.group(1)) if match else None
    if year is not None and rules.year_in_range(year):
        return year
    notes.append(
        RowError(
            row.number,
            START_YEAR,
            raw[:80],
            f"not a year {rules.YEAR_MIN}-{rules.year_max()}; left out",
        )
    )
    return None


def _placed(row: _Row, resolution: Resolution, report: PstwReport) -> bool:
    """Report what the organisation cell holds; True when it places the row."""
    cell = row.text(ORGANISATION)
    column = ORGANISATION
    for unresolved in resolution.unresolved:
        closest = ", ".join(f"{c.name} ({c.code}, score {c.score})" for c in unresolved.candidates)
        kind = "fits more than one municipality" if unresolved.ambiguous else "not resolved"
        report.unresolved.append(
            RowError(row.number, column, unresolved.text, f"{kind}; closest: {closest}")
        )
    if not resolution.municipalities and not resolution.unresolved:
        named = resolution.regions + resolution.others
        reason = (
            "names only a county, no municipality"
            if resolution.regions and not resolution.others
            else "names no municipality"
        )
        shown = _shown(cell or ", ".join(named))
        report.unresolved.append(RowError(row.number, column, shown, reason))
    if resolution.unresolved or not resolution.municipalities:
        return False
    for region in resolution.regions:
        report.notes.append(
            RowError(row.number, column, region, "a county: noted, not a participant")
        )
    for other in resolution.others:
        report.notes.append(
            RowError(row.number, column, other, "not a municipality: noted, not a participant")
        )
    return True


def _values(row: _Row, vocabulary: _Vocabulary, report: PstwReport) -> dict[str, Any]:
    """The initiative's fields from a kept, placed row; raises _Bad."""
    title = row.text(NAME)
    if not title:
        raise _Bad(NAME, "", "is required")
    for column, name in ((NAME, "title"), (DESCRIPTION, "description")):
        if len(value := row.text(column)) > rules.LENGTHS[name]:
            raise _Bad(column, value, f"longer than {rules.LENGTHS[name]} characters")
    status_text = row.text(STATUS)
    status = mapping.STATUS.one(status_text)
    if status not in vocabulary.terms["status"]:
        report.unmapped[(STATUS.strip(), status_text)] += 1
        raise _Bad(
            STATUS.strip(),
            status_text,
            "no counterpart in the mapping table (services/pstw_mapping.py)",
        )
    technologies, unknown = mapping.technologies(
        [row.text(column) for column in row.subdomain_columns],
        row.text(KEYWORDS),
        row.text(CLASSIFICATION),
        row.text(PRIMARY_TECHNOLOGY),
    )
    columns = {
        "subdomain": SUBDOMAIN,
        "primary": PRIMARY_TECHNOLOGY,
        "classification": CLASSIFICATION,
    }
    report.unmapped.update((columns[kind], value) for kind, value in unknown)
    areas, unknown_areas = mapping.AREA.scan(row.text(FUNCTIONS))
    report.unmapped.update((FUNCTIONS, value) for value in unknown_areas)
    benefits = [slug for column, slug in mapping.BENEFITS if mapping.is_yes(row.raw(column))]
    return {
        "title": title,
        "description": row.text(DESCRIPTION),
        "url": _url(row, report.notes),
        "start_year": _year(row, report.notes),
        "status": vocabulary.terms["status"][status],
        "technologies": vocabulary.pick("technologies", technologies),
        "areas": vocabulary.pick("areas", areas),
        "benefit_areas": vocabulary.pick("benefit_areas", list(dict.fromkeys(benefits))),
        "external_ref": sources.external_ref(SOURCE, row.text(ID)),
        "source": SOURCE.name,
        "licence": SOURCE.licence,
        "lang": "en",  # the data set's texts are in English
    }


def import_file(
    session: Session,
    source: IO[bytes],
    filename: str,
    *,
    dry_run: bool = False,
    by: User | None = None,
    progress: Progress | None = None,
) -> PstwReport:
    """Read a PSTW file and import its Swedish municipal cases (see the module's doc).
    Raises ImportFileError for a file that cannot be read or is not a PSTW file."""
    table = importer.read_table(source, filename, encodings=ENCODINGS, delimiters=DELIMITERS)
    return import_table(session, table, dry_run=dry_run, by=by, progress=progress)


def import_table(
    session: Session,
    table: Any,
    *,
    dry_run: bool = False,
    by: User | None = None,
    progress: Progress | None = None,
) -> PstwReport:
    """Import the rows of a table read from a PSTW file (`header`, `rows` of (number, cells));
    the cases that wait for a moderator are kept for the moderation page unless this is a
    dry run. Raises ImportFileError."""
    positions = _positions(table.header)
    report = PstwReport(rows=len(table.rows), dry_run=dry_run)
    vocabulary = _Vocabulary.load(session)
    records: list[importer.Record] = []
    first_row_of: dict[str, int] = {}
    for done, (number, cells) in enumerate(table.rows, start=1):
        row = _Row(number, cells, positions)
        _check(row, vocabulary, report, records, first_row_of)
        if progress and (done % BATCH == 0 or done == len(table.rows)):
            progress("check", done, len(table.rows))
    refs = [r.values["external_ref"] for r in records]
    if not dry_run:
        checked = [sources.external_ref(SOURCE, case) for case in first_row_of]
        waiting.keep(session, report.waiting, checked)
    targets = importer.load_existing(session, refs, Initiative.external_ref)
    try:
        report.created, report.updated, report.unchanged = importer.apply(
            session, records, targets, "external_ref", dry_run=dry_run, by=by, progress=progress
        )
    except IntegrityError:
        raise ImportFileError(
            "another import added some of these cases at the same time; nothing was written, "
            "run the import again"
        ) from None
    return report


def _check(
    row: _Row,
    vocabulary: _Vocabulary,
    report: PstwReport,
    records: list[importer.Record],
    first_row_of: dict[str, int],
) -> None:
    """Sort one row into the report, and into `records` when it can be imported."""
    try:
        if not _is_kept(row):
            report.skipped += 1
            return
        report.kept += 1
        case = _case_id(row)
        if not case:
            report.without_id += 1
            return
        if case in first_row_of:
            raise _Bad(ID, case, f"the same PSTW ID is on row {first_row_of[case]}")
        first_row_of[case] = row.number
        resolution = vocabulary.resolver.resolve(row.text(ORGANISATION))
        if not _placed(row, resolution, report):
            if resolution.unresolved:
                report.waiting.append(
                    Waiting(
                        sources.external_ref(SOURCE, case),
                        row.text(NAME)[:200],
                        row.text(ORGANISATION),
                        tuple(resolution.unresolved),
                        {c: row.raw(c) for c in row.positions},
                    )
                )
            return
        values = _values(row, vocabulary, report)
    except _Bad as bad:
        column, value, reason = bad.error
        report.problems.append(RowError(row.number, column.strip(), value, reason))
        return
    values["municipalities"] = [vocabulary.municipalities[c] for c in resolution.municipalities]
    records.append(importer.Record(row.number, values))


def report_lines(report: PstwReport) -> Iterator[str]:
    """The report as plain text: what was not imported and why, notes, then the summary."""
    for heading, errors in (
        ("Not imported: the organisation is not placed on a municipality", report.unresolved),
        ("Not imported: other problems", report.problems),
        ("Notes", report.notes),
    ):
        if errors:
            yield f"{heading}:"
            for error in errors:
                value = f" “{error.value}”" if error.value else ""
                yield f"  row {error.row}, column {error.column}:{value} {error.reason}"
    if report.unmapped:
        yield "Values without a counterpart in the mapping table (left out):"
        for (column, value), rows in sorted(report.unmapped.items()):
            yield f"  {column}: “{value}” ({rows} {'row' if rows == 1 else 'rows'})"
    yield summary(report)


def summary(report: PstwReport) -> str:
    kept = (
        f"{report.rows} rows: {report.kept} Swedish municipal cases kept, "
        f"{report.skipped} skipped (not Swedish or not local)"
    )
    if report.without_id:
        kept += f", {report.without_id} without a PSTW ID skipped"
    counts = (
        f"{report.created} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.unresolved_rows} unresolved"
    )
    if report.problem_rows:
        counts += f", {report.problem_rows} with other problems"
    if report.dry_run:
        outcome = "dry run, nothing was written"
    elif report.created or report.updated:
        outcome = "written"
    else:
        outcome = "nothing to write"
    return f"{kept}; {counts}; {outcome}."


# --- export -----------------------------------------------------------------------------------

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
    return [
        serialise.guard_formula(v) if isinstance(v, str) else v
        for v in (values[c] for c in COLUMNS)
    ]


def _rows(session: Session) -> Iterator[list[Any]]:
    return (_row(i) for i in serialise.selected(session, InitiativeFilter()))


def _write_csv(rows: Iterator[list[Any]], out: IO[bytes]) -> int:
    count = 0
    stream = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(stream)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
        count += 1
    stream.flush()
    stream.detach()  # leave `out` open for its owner
    return count


def _write_xlsx(rows: Iterator[list[Any]], out: IO[bytes], generated: datetime) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("PSTW cases")
    bold = Font(bold=True)
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([exporter.xlsx_value(v) for v in row])
        count += 1
    about = book.create_sheet("About")
    about.append(
        ["title", "Kommunkartan's published initiatives in the columns of the " + SOURCE.name]
    )
    about.append(["license", f"{serialise.LICENCE} ({serialise.LICENCE_URL})"])
    credit = f"{SOURCE.name} ({SOURCE.licence}, {SOURCE.url})"
    about.append(
        ["attribution", f"{serialise.ATTRIBUTION}; rows with a {SOURCE.case_label}: {credit}"]
    )
    about.append(["generated_at", serialise.timestamp(generated)])
    book.properties.title = "Kommunkartan: AI initiatives for the EU Public Sector Tech Watch"
    book.properties.creator = serialise.ATTRIBUTION
    book.properties.description = f"Licence: {serialise.LICENCE} {serialise.LICENCE_URL}"
    book.save(out)
    return count


def write_file(session: Session, path: Path) -> int:
    """Write our published initiatives in the PSTW columns to `path` (.csv or .xlsx), which
    appears only when complete; returns how many. Raises ExportError or OSError."""
    if path.suffix.lower() not in FORMATS:
        raise exporter.ExportError(
            f"cannot tell the format of {path.name}: use one of {', '.join(FORMATS)}"
        )
    with exporter.replacing(path) as out:
        if path.suffix.lower() == ".csv":
            return _write_csv(_rows(session), out)
        return _write_xlsx(_rows(session), out, datetime.now(UTC))
