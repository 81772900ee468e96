"""Reading an import file: a CSV or XLSX file into its header and non-empty rows.

What a file may be is checked here, before any row is: its type (by suffix), its size
(MAX_BYTES), its rows (MAX_ROWS), and through `data_io.file_limits` its columns, cells and
what an XLSX archive unpacks to. Every refusal is an ImportFileError with one reason.
`import` and `import-pstw` both read through `read_table`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flask_babel import lazy_gettext as _l

from kommunkarta.services.data_io import effect_sheet, file_limits

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
SUFFIXES = (".csv", ".xlsx")
# A character XLSX text cannot hold as it is, written as "_xHHHH_" (its code in hex), and the
# "_" of a text that itself reads "_xHHHH_" written as "_x005F_" (ECMA-376's ST_Xstring):
# Excel and XlsxWriter, which writes our exports, write them so; openpyxl reads them as they
# are, and "Rapport_x2020_" would come back as "Rapport_x005F_x2020_" from every round trip
XLSX_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


class ImportFileError(ValueError):
    """The file as a whole cannot be read: wrong type, too large, empty, not UTF-8, broken."""


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, cells)
    # an XLSX file's Effects sheet (header, rows), read back with data_io.effect_sheet
    effects: tuple[list[str], list[tuple[int, list[Any]]]] | None = None


def _read_csv(data: bytes, encodings: Sequence[str], delimiters: str) -> Table:
    for encoding in encodings:
        try:
            content = data.decode(encoding)
            break
        except UnicodeDecodeError as error:
            failure = error
    else:
        line = data.count(b"\n", 0, failure.start) + 1
        raise ImportFileError(
            _l("the file is not UTF-8 text (line %(line)s); save it as “CSV UTF-8”", line=line)
        ) from None
    header_line = content.split("\n", 1)[0]
    delimiter = max(delimiters, key=header_line.count)  # the first on a tie
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter, strict=True)
    budget = file_limits.CellBudget()
    try:
        header = next(reader, [])
        if len(header) > file_limits.MAX_COLUMNS:
            raise ImportFileError(_too_wide())
        rows = []
        for number, record in enumerate(reader, start=2):
            if any(cell.strip() for cell in record):
                rows.append((number, budget.take(record)))
            if len(rows) > MAX_ROWS:
                break
    except file_limits.FileTooLarge as error:
        raise ImportFileError(error.args[0]) from None
    except csv.Error as error:
        raise ImportFileError(
            _l("line %(line)s: %(reason)s", line=reader.line_num, reason=str(error))
        ) from None
    return Table(header, rows)


def _too_wide() -> Any:
    return _l("the file has more than %(columns)s columns", columns=file_limits.MAX_COLUMNS)


def _unescaped(values: Sequence[Any]) -> list[Any]:
    """The cells with each text's XLSX_ESCAPEs turned back into what they stand for."""
    return [
        XLSX_ESCAPE.sub(lambda m: chr(int(m[1], 16)), v) if isinstance(v, str) and "_x" in v else v
        for v in values
    ]


def _read_xlsx(data: bytes) -> Table:
    """The first sheet, streamed (openpyxl's read-only mode) after file_limits has checked
    what the archive unpacks to."""
    from openpyxl import load_workbook  # here: only an XLSX file needs it

    try:
        file_limits.check_xlsx(data)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except file_limits.FileTooLarge as error:
        raise ImportFileError(error.args[0]) from None
    except Exception:  # openpyxl raises many kinds for a broken file: all mean "unreadable"
        raise ImportFileError(_l("the file is not a readable XLSX workbook")) from None
    budget = file_limits.CellBudget()
    try:
        sheet = book.worksheets[0]
        # the size a sheet declares is the writing program's claim: one that claims too few
        # rows would stop the rows short of the sheet's end
        sheet.reset_dimensions()
        header: list[str] = []
        rows = []
        # one column more than allowed, so that a value past the last column is reported
        cells_of = sheet.iter_rows(values_only=True, max_col=file_limits.MAX_COLUMNS + 1)
        for number, values in enumerate(cells_of, start=1):
            cells = budget.take(_unescaped(values))
            if number == 1:
                header = ["" if v is None else str(v) for v in cells]
                if len(header) > file_limits.MAX_COLUMNS:
                    raise ImportFileError(_too_wide())
            elif any(v is not None and str(v).strip() for v in cells):
                rows.append((number, cells))
            if number > MAX_ROWS + 1:
                break
        effects = None
        if effect_sheet.SHEET in book.sheetnames:
            # the effects of the initiatives above, read under the same cell budget
            effects_sheet = book[effect_sheet.SHEET]
            effects_sheet.reset_dimensions()
            found = effects_sheet.iter_rows(values_only=True, max_col=len(effect_sheet.COLUMNS) + 1)
            effect_header: list[str] = []
            effect_rows = []
            for number, values in enumerate(found, start=1):
                cells = budget.take(_unescaped(values))
                if number == 1:
                    effect_header = ["" if v is None else str(v) for v in cells]
                elif any(v is not None and str(v).strip() for v in cells):
                    effect_rows.append((number, cells))
                if number > MAX_ROWS * 5 + 1:
                    break
            effects = (effect_header, effect_rows)
    except ImportFileError:
        raise
    except file_limits.FileTooLarge as error:
        raise ImportFileError(error.args[0]) from None
    except Exception:  # a broken sheet surfaces only while iterating
        raise ImportFileError(_l("the file is not a readable XLSX workbook")) from None
    finally:
        book.close()
    return Table(header, rows, effects)


def read_table(
    source: IO[bytes],
    filename: str,
    *,
    encodings: Sequence[str] = ("utf-8-sig",),
    delimiters: str = ",",
) -> Table:
    """The header and the non-empty rows of a CSV or XLSX file; raises ImportFileError.

    A CSV is decoded with the first of `encodings` that fits all of it, and split at
    whichever of `delimiters` its header line holds most often."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportFileError(
            _l("%(name)s: import reads .csv or .xlsx files", name=Path(filename).name)
        )
    data = source.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            _l(
                "the file is larger than %(size)s MB; split it into smaller files",
                size=MAX_BYTES // 2**20,
            )
        )
    if not data.strip():
        raise ImportFileError(_l("the file is empty"))
    table = _read_csv(data, encodings, delimiters) if suffix == ".csv" else _read_xlsx(data)
    while table.header and not table.header[-1].strip():
        table.header.pop()  # spreadsheet programs leave empty columns at the end
    if len(table.rows) > MAX_ROWS:
        raise ImportFileError(
            _l("the file has more than %(rows)s rows; split it", rows=f"{MAX_ROWS:,}")
        )
    if not table.rows:
        raise ImportFileError(_l("the file has no rows under its header"))
    return table
