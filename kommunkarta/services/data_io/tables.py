"""Rows written as tables: a CSV file, or the sheets of an XLSX workbook.

The open-data exports (data_io.exporter) and the PSTW export (data_io.pstw_export) write
their rows through here, so that every file we hand out is written the same way:
- every text cell is guarded against spreadsheet formulas (`serialise.guard_formula`), which
  `import` and `import-pstw` reverse; header names are our own and written as they are;
- CSV: UTF-8 with a byte order mark (so that spreadsheet programs recognise å, ä and ö),
  comma-separated with CRLF line ends, an empty cell for None; produced CHUNK_ROWS rows at
  a time, so that a web response streams it;
- XLSX: openpyxl's write-only mode (rows spooled to disk, never a whole sheet in memory),
  a bold header row on each sheet, without the control characters XLSX forbids.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

from kommunkarta.services.data_io import serialise

CHUNK_ROWS = 200

# The control characters XLSX forbids, as openpyxl defines them (ILLEGAL_CHARACTERS_RE, which
# a unit test compares with this): here, so that openpyxl is imported only to write a file.
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
    """A cell value openpyxl can write: text without the control characters XLSX forbids."""
    if isinstance(value, str):
        return XLSX_FORBIDDEN.sub("", value)
    return value


class Sheet:
    """One sheet of a `Workbook`, written a row at a time."""

    def __init__(self, sheet: Any) -> None:
        self._sheet = sheet

    def append(self, row: Iterable[Any]) -> None:
        self._sheet.append([xlsx_value(v) for v in guarded(row)])


class Workbook:
    """An XLSX workbook in openpyxl's write-only mode: sheets in the order they are made."""

    def __init__(self) -> None:
        from openpyxl import Workbook as OpenpyxlWorkbook
        from openpyxl.styles import Font

        self._book = OpenpyxlWorkbook(write_only=True)
        self._bold = Font(bold=True)

    def sheet(self, title: str, header: Sequence[str] | None = None) -> Sheet:
        """A new sheet, starting with `header` in bold when there is one."""
        from openpyxl.cell import WriteOnlyCell

        sheet = self._book.create_sheet(title)
        if header is not None:
            cells = []
            for name in header:
                cell = WriteOnlyCell(sheet, value=name)
                cell.font = self._bold
                cells.append(cell)
            sheet.append(cells)
        return Sheet(sheet)

    def save(self, out: IO[bytes], properties: Mapping[str, Any]) -> None:
        """Write the workbook to `out`, with these document properties (title, creator…)."""
        for name, value in properties.items():
            setattr(self._book.properties, name, value)
        self._book.save(out)
