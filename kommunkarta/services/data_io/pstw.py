"""Import from the EU Public Sector Tech Watch (PSTW) data set.

The European Commission's Public Sector Tech Watch publishes AI and other emerging-technology
cases of European public administrations (CC BY 4.0, CSV and XLSX). `import_file` takes the
Swedish cases that belong to municipalities (the columns: data_io.pstw_columns; what it found:
data_io.pstw_report); data_io.pstw_export writes our published initiatives in the same
columns, so that a municipality can hand its cases to the observatory.

Reading a file (the machinery of data_io.importing: the same reading, plan and transaction):
- CSV in UTF-8 (with or without a byte order mark) or else Windows-1252, comma- or
  semicolon-separated, told apart from the file itself; or XLSX, first sheet; row 1 is the
  header. Column names are compared without case, accents, spacing or punctuation (the
  published ` Status` has a leading space); columns we do not use are read past. A file
  without the REQUIRED columns is not a PSTW file, and nothing is read from it;
- a row is kept when its country is Sweden and its organisation is local government or its
  extent local; the others are counted as skipped;
- a kept row's organisation is resolved to municipalities (data_io.organisations): counties
  and other organisations beside them are noted in the report; a row that names no
  municipality, or one that cannot be told for sure, is listed with the closest candidates
  and not imported, as is a row with a status that data_io.pstw_mapping does not know;
- statuses, technologies, operational areas and the yes/no benefit columns go through the
  table in data_io.pstw_mapping; values it does not know are counted in the report;
- the PSTW ID becomes the initiative's external reference ("pstw:<id>"): an initiative
  imported before is updated from the file (a revision lists what changed) and one whose
  fields are the same is left alone, so a second run of the same file writes nothing;
  its publication state is left as a moderator may have set it. New initiatives are
  published, with the source and licence to credit. A row without a PSTW ID (our own cases in
  an export-pstw file) is not the observatory's yet and is skipped;
- every importable row is written in one transaction, or none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kommunkarta import rules
from kommunkarta.models import Initiative, Municipality, Region, User
from kommunkarta.services import taxonomy, text
from kommunkarta.services.data_io import pstw_mapping as mapping
from kommunkarta.services.data_io import serialise, sources, waiting
from kommunkarta.services.data_io.importing import plan, row_check
from kommunkarta.services.data_io.importing.plan import Progress
from kommunkarta.services.data_io.importing.read import ImportFileError, Table, read_table
from kommunkarta.services.data_io.importing.row_check import Record, RowError
from kommunkarta.services.data_io.organisations import Place, Resolution, Resolver
from kommunkarta.services.data_io.pstw_columns import (
    CATEGORY,
    CLASSIFICATION,
    COLUMNS,
    COUNTRY,
    DESCRIPTION,
    EXTENT,
    FUNCTIONS,
    ID,
    KEYWORDS,
    NAME,
    ORGANISATION,
    PRIMARY_TECHNOLOGY,
    REQUIRED,
    SOURCE,
    START_YEAR,
    STATUS,
    SUBDOMAIN,
    SUBDOMAIN_HEADERS,
    WEBSITE,
)
from kommunkarta.services.data_io.pstw_report import PstwReport, Waiting

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")  # latin-1 takes the bytes cp1252 leaves out
DELIMITERS = ",;"

SWEDEN = frozenset({"sweden", "sverige", "se"})
LOCAL_GOVERNMENT = "local government"
LOCAL = "local"
MAX_ID = 90  # characters of a PSTW ID: "pstw:" and the id fit in external_ref
BATCH = plan.BATCH


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
        terms = {
            kind: taxonomy.standing_for(session.scalars(select(model)))
            for kind, model in row_check.TERM_COLUMNS.items()
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
        """The terms of the slugs that our taxonomy (which admins may change) still has, each
        once (two slugs may stand for one term since a merge)."""
        return list(dict.fromkeys(self.terms[kind][s] for s in slugs if s in self.terms[kind]))


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
    table = read_table(source, filename, encodings=ENCODINGS, delimiters=DELIMITERS)
    return import_table(session, table, dry_run=dry_run, by=by, progress=progress)


def import_table(
    session: Session,
    table: Table,
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
    records: list[Record] = []
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
    targets = plan.load_existing(session, refs, Initiative.external_ref)
    try:
        report.created, report.updated, report.unchanged = plan.apply(
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
    records: list[Record],
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
    records.append(Record(row.number, values))
