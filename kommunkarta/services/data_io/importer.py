"""Importing initiatives from CSV or XLSX in the export's own columns (`serialise.COLUMNS`).

Every row is read and checked before anything is written; then all rows are written in one
transaction, or none when any row is bad. The report names every problem by row number (as
a spreadsheet program shows it: the header is row 1), column, value and reason.

The steps live in `data_io.importing`: reading the file (`read`), checking each cell and
row (`cells`, `row_check`: what a row means, by the field rules of `kommunkarta.rules`) and
applying the plan (`plan`: what an id means, revisions, one transaction). An XLSX file's
Effects sheet is read by `data_io.effect_sheet`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kommunkarta.models import User
from kommunkarta.services.data_io import effect_sheet
from kommunkarta.services.data_io.importing import cells, plan, row_check
from kommunkarta.services.data_io.importing.cells import CellError
from kommunkarta.services.data_io.importing.plan import Progress
from kommunkarta.services.data_io.importing.read import ImportFileError, Table, read_table
from kommunkarta.services.data_io.importing.row_check import Record, RowError, Vocabulary
from kommunkarta.services.places.geodata import Geodata


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


def import_table(
    session: Session,
    table: Table,
    geodata: Geodata,
    *,
    dry_run: bool = False,
    by: User | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row, then write all of them in one transaction (committed here) unless
    a row is bad or this is a dry run. Raises ImportFileError if the database changes under
    the import."""
    report = ImportReport(rows=len(table.rows), dry_run=dry_run)
    report.errors = row_check.header_errors(table.header)
    if report.errors:
        return report
    columns = [h.strip().lower() for h in table.header]
    vocabulary = Vocabulary.load(session)
    targets = plan.load_existing(session, _ids(table, columns))
    records: list[Record] = []
    first_row_of_id: dict[int, int] = {}
    for done, (number, row) in enumerate(table.rows, start=1):
        record, errors = row_check.check_row(number, row, columns, vocabulary, geodata, targets)
        report.errors += errors
        if record is not None and (initiative_id := record.values.get("id")) is not None:
            if initiative_id in first_row_of_id:
                report.errors.append(
                    RowError(
                        number,
                        "id",
                        str(initiative_id),
                        _l("the same id is on row %(row)s", row=first_row_of_id[initiative_id]),
                    )
                )
                record = None
            else:
                first_row_of_id[initiative_id] = number
        if record is not None:
            records.append(record)
        if progress and (done % plan.BATCH == 0 or done == len(table.rows)):
            progress("check", done, len(table.rows))
    if table.effects is not None:
        _read_effects(table.effects, records, set(first_row_of_id), vocabulary, report)
    if report.errors:
        return report

    try:
        report.created, report.updated, report.unchanged = plan.apply(
            session, records, targets, "id", dry_run=dry_run, by=by, progress=progress
        )
    except IntegrityError:  # a case of another data set that is already here under another id
        raise ImportFileError(
            _l(
                "a case from another data set in the file (its source column) is already here "
                "as another initiative; nothing was written"
            )
        ) from None
    return report


def _ids(table: Table, columns: list[str]) -> list[int]:
    """The ids the rows name (a bad one is the row check's to report): the initiatives they
    update are loaded before the rows are checked, whose rules judge what a row leaves."""
    if "id" not in columns:
        return []
    position = columns.index("id")
    found: dict[int, None] = {}
    for _number, row in table.rows:
        try:
            initiative_id = row_check.initiative_id(cells.at(row, position))
        except CellError:
            continue
        if initiative_id is not None:
            found[initiative_id] = None
    return list(found)


def _read_effects(
    sheet: tuple[list[str], list[tuple[int, list[Any]]]],
    records: list[Record],
    ids: set[int],
    vocabulary: Vocabulary,
    report: ImportReport,
) -> None:
    """The Effects sheet's rows onto the records they belong to: the sheet says all the
    effects of every initiative in the file (none listed: it has none)."""

    def term(name: str) -> Any:
        try:
            return vocabulary.term("benefit_areas", name)
        except CellError:
            raise ValueError(name) from None

    groups, errors = effect_sheet.parse(*sheet, ids, term, RowError)
    report.errors += errors
    for record in records:
        if (initiative_id := record.values.get("id")) is not None:
            record.values["effects"] = groups.get(initiative_id, [])


def import_file(
    session: Session,
    source: IO[bytes],
    filename: str,
    geodata: Geodata,
    *,
    dry_run: bool = False,
    by: User | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Read a CSV or XLSX file and import it (see import_table). Raises ImportFileError."""
    table = read_table(source, filename)
    return import_table(session, table, geodata, dry_run=dry_run, by=by, progress=progress)


def report_lines(report: ImportReport) -> Iterable[str]:
    """The report as plain text, one problem a line, then the summary."""
    for error in report.errors:
        yield error.line()
    yield summary(report)


def summary(report: ImportReport) -> str:
    counts = (
        f"{report.rows} rows: {report.created} new, {report.updated} changed, "
        f"{report.unchanged} unchanged"
    )
    if not report.ok:
        return (
            f"{report.rows} rows, {report.bad_rows} with problems "
            f"({len(report.errors)} in all); nothing was written."
        )
    if report.dry_run:
        return f"{counts}; dry run, nothing was written."
    if not report.created and not report.updated:
        return f"{counts}; nothing to write."
    return f"{counts}; written."
