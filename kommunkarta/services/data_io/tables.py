"""Rows written as tables: a CSV file, or the sheets of an XLSX workbook.

The open-data exports (data_io.exporter) and the PSTW export (data_io.pstw_export) write
their rows through here, so that every file we hand out is written the same way:
- every text cell is guarded against spreadsheet formulas (`serialise.guard_formula`), which
  `import` and `import-pstw` reverse; header names are our own and written as they are;
- CSV: UTF-8 with a byte order mark (so that spreadsheet programs recognise å, ä and ö),
  comma-separated with CRLF line ends, an empty cell for None; produced CHUNK_ROWS rows at
  a time, so that a web response streams it;
- XLSX: XlsxWriter's constant-memory mode (each row written out as it comes, never a whole
  sheet in memory), a bold header row on each sheet, without the control characters XLSX
  forbids, every text a text (never a formula, a number or a link). XlsxWriter rather than
  openpyxl, which `import` still reads with: openpyxl writes through lxml and imports
  numpy's helpers, some 11 MB that a serving worker kept after one download.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

from kommunkarta.services.data_io import serialise

CHUNK_ROWS = 200

# The control characters XLSX forbids, as openpyxl defines them (ILLEGAL_CHARACTERS_RE, which
# a unit test compares with this): what `import` reads back with openpyxl is what was written.
XLSX_FORBIDDEN = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def guarded(row: Iterable[Any]) -> list[Any]:
    """The row's values with every text guarded against formulas (numbers stay numbers)."""
    return [serialise.guard_formula(v) if isinstance(v, str) else v for v in row]


class _Lines(list[str]):
    """What csv.writer writes to: it writes each row as one string, kept here."""

    write = list.append


def csv_head(header: Sequence[str]) -> bytes:
    """The start of a CSV file: the byte order mark and the header line."""
    lines = _Lines()
    csv.writer(lines).writerow(header)
    return ("\ufeff" + lines[0]).encode("utf-8")


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[bytes]:
    """Each row as its line of the CSV file, guarded and encoded: the file is its head and
    these lines joined, so lines kept apart (data_io.export_rows) make the same file."""
    lines = _Lines()
    writer = csv.writer(lines)
    for row in rows:
        writer.writerow(guarded(row))
        yield lines.pop().encode("utf-8")


def csv_chunks(
    header: Sequence[str], rows: Iterable[Iterable[Any]], chunk_rows: int = CHUNK_ROWS
) -> Iterator[bytes]:
    """The CSV file in pieces: the head, then `chunk_rows` lines at a time."""
    yield csv_head(header)
    chunk = []
    for line in csv_lines(rows):
        chunk.append(line)
        if len(chunk) == chunk_rows:
            yield b"".join(chunk)
            chunk = []
    if chunk:
        yield b"".join(chunk)


def write_csv(header: Sequence[str], rows: Iterable[Iterable[Any]], out: IO[bytes]) -> None:
    """Write the CSV file of `csv_chunks` to `out`."""
    for chunk in csv_chunks(header, rows):
        out.write(chunk)


def xlsx_value(value: Any) -> Any:
    """A cell value to write: text without the control characters XLSX forbids."""
    if isinstance(value, str):
        return XLSX_FORBIDDEN.sub("", value)
    return value


# texts are written as texts: XlsxWriter would otherwise make formulas of "=…" and links of
# URLs (guard_formula already guards the first, as it does in the CSV)
XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
# document properties by the names the exports give them (openpyxl's), as XlsxWriter names them
PROPERTIES = {
    "title": "title",
    "subject": "subject",
    "creator": "author",
    "description": "comments",
    "keywords": "keywords",
    "created": "created",
}


class Sheet:
    """One sheet of a `Workbook`, written a row at a time."""

    def __init__(self, sheet: Any) -> None:
        self._sheet = sheet
        self._rows = 0

    def write_row(self, row: Iterable[Any], cell_format: Any = None) -> None:
        """Write the row as it is (no guard), in `cell_format` if given. Cell by cell:
        XlsxWriter's own write_row stops at a cell it had to cut (a text over 32,767
        characters, cut as spreadsheet programs do) and leaves the rest of the row empty."""
        for column, value in enumerate(row):
            self._sheet.write(self._rows, column, value, cell_format)
        self._rows += 1

    def append(self, row: Iterable[Any]) -> None:
        self.write_row([xlsx_value(v) for v in guarded(row)])


class Workbook:
    """An XLSX workbook written to `out` by XlsxWriter in constant-memory mode: sheets in the
    order they are made, each one's rows in order (rows of different sheets may alternate),
    the file complete at `save`."""

    def __init__(self, out: IO[bytes]) -> None:
        from xlsxwriter import Workbook as XlsxWorkbook

        self._book = XlsxWorkbook(out, XLSX_OPTIONS)
        self._bold = self._book.add_format({"bold": True})

    def sheet(self, title: str, header: Sequence[str] | None = None) -> Sheet:
        """A new sheet, starting with `header` in bold when there is one."""
        sheet = Sheet(self._book.add_worksheet(title))
        if header is not None:
            sheet.write_row(header, self._bold)
        return sheet

    def save(self, properties: Mapping[str, Any]) -> None:
        """Write the workbook out, with these document properties (title, creator…)."""
        self._book.set_properties({PROPERTIES[name]: v for name, v in properties.items()})
        self._book.close()
