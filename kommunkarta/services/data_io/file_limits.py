"""Limits that keep an uploaded spreadsheet from exhausting the machine.

An XLSX file is a zip archive of XML: a file of a few hundred kilobytes can unpack to
gigabytes (one huge text cell, a table of millions of tiny shared strings, a giant style
sheet), and openpyxl reads some parts (shared strings, styles) whole into memory. So before
openpyxl sees the file, `check_xlsx` looks at the archive as a whole and at the XML of every
part, in a stream of small chunks, and refuses the file with one reason when:

- the archive has too many parts, or their uncompressed sizes add up to more than
  MAX_UNCOMPRESSED (Python's zipfile never unpacks more than a part's declared size: a part
  that claims less than it holds fails its checksum instead);
- any text between two tags is longer than MAX_TEXT (a cell of the export holds at most a
  description of 20,000 characters, written out with its XML escapes);
- a part declares a DOCTYPE or entities (never in a real XLSX; the way to "billion laughs");
- the shared-string table has more than MAX_SHARED_STRINGS entries, a sheet more than
  MAX_CELLS cells;
- a part has more than MAX_OTHER_ELEMENTS elements outside its rows (openpyxl keeps those),
  or a row (or one shared string) more than MAX_RECORD_ELEMENTS (it builds each whole).

While the rows are read, `CellBudget` stops a file (CSV or XLSX) that holds more than
MAX_CELLS non-empty cells. Rows are capped by the importer (MAX_ROWS), columns by
MAX_COLUMNS. Together these keep an import under a few hundred megabytes whatever the file
holds (README, "Security"; tests/integration/test_import_limits.py measures it).
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any
from xml.parsers import expat

from flask_babel import lazy_gettext as _l

MAX_UNCOMPRESSED = 120 * 1024 * 1024
MAX_PARTS = 1000
MAX_TEXT = 256 * 1024
MAX_SHARED_STRINGS = 600_000
# openpyxl drops each row (and each shared string) once read, but keeps every other element
# of a part; and it builds one row, or one string, whole
RECORDS = frozenset({"row", "si"})
MAX_RECORD_ELEMENTS = 20_000
MAX_OTHER_ELEMENTS = 200_000
BINARY_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".bin")
MAX_CELLS = 1_500_000
MAX_COLUMNS = 200
CHUNK = 1024 * 1024

_DECLARATIONS = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)


class FileTooLarge(ValueError):
    """The file would take more memory to read than an import may use; the message says
    which limit it passed."""


def _megabytes(size: int) -> str:
    return f"{size // 2**20} MB"


def check_xlsx(data: bytes) -> None:
    """Raise FileTooLarge (or zipfile.BadZipFile for something that is no zip archive)
    unless the workbook in `data` stays inside the limits above."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise FileTooLarge(_l("the workbook has more than %(parts)s parts", parts=MAX_PARTS))
        total = sum(part.file_size for part in parts)
        if total > MAX_UNCOMPRESSED:
            raise FileTooLarge(
                _l(
                    "the workbook unpacks to %(size)s, more than %(limit)s; split it into "
                    "smaller files",
                    size=_megabytes(total),
                    limit=_megabytes(MAX_UNCOMPRESSED),
                )
            )
        for part in parts:
            if not part.filename.lower().endswith(BINARY_SUFFIXES):
                _check_xml(archive, part)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Shape:
    """Counts the elements of one XML part as expat reports them; nothing is kept (no text
    handler is set, so expat drops the text)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.in_record = 0  # depth inside the current record element, 0 outside
        self.record_elements = 0
        self.records = 0
        self.outside = 0
        self.cells = 0

    def start(self, tag: str, _attributes: object) -> None:
        if self.in_record:
            self.in_record += 1
            self.record_elements += 1
            if self.in_record == 2 and _local(tag) == "c":
                self.cells += 1
                if self.cells > MAX_CELLS:
                    raise FileTooLarge(
                        _l(
                            "the file has more than %(cells)s cells; split it",
                            cells=f"{MAX_CELLS:,}",
                        )
                    )
            if self.record_elements > MAX_RECORD_ELEMENTS:
                raise FileTooLarge(
                    _l(
                        "a row of %(part)s has more than %(count)s parts",
                        part=self.name[:80],
                        count=f"{MAX_RECORD_ELEMENTS:,}",
                    )
                )
        elif _local(tag) in RECORDS:
            self.in_record, self.record_elements = 1, 1
            self.records += 1
            if _local(tag) == "si" and self.records > MAX_SHARED_STRINGS:
                raise FileTooLarge(
                    _l(
                        "the workbook has more than %(count)s different texts",
                        count=f"{MAX_SHARED_STRINGS:,}",
                    )
                )
        else:
            self.outside += 1
            if self.outside > MAX_OTHER_ELEMENTS:
                raise FileTooLarge(
                    _l(
                        "%(part)s has more than %(count)s elements outside its rows",
                        part=self.name[:80],
                        count=f"{MAX_OTHER_ELEMENTS:,}",
                    )
                )

    def end(self, _tag: str) -> None:
        if self.in_record:
            self.in_record -= 1


def _check_xml(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """Raise FileTooLarge if the part's XML passes a limit; read in chunks, keeping nothing.

    Text is measured on the raw bytes before the parser sees them, and declarations are
    refused there too, so that the check itself never holds a huge text or expands an
    entity. Raises expat.ExpatError for a part that is not XML."""
    shape = _Shape(part.filename)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.ordered_attributes = True
    parser.StartElementHandler = shape.start
    parser.EndElementHandler = shape.end
    run = 0  # bytes since the last "<"
    tail = b""  # the end of the previous chunk, for a declaration split between two
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            window = tail + chunk
            if _DECLARATIONS.search(window):
                raise FileTooLarge(
                    _l("%(part)s declares a DOCTYPE or entities", part=part.filename[:80])
                )
            tail = window[-16:]
            pieces = chunk.split(b"<")
            run += len(pieces[0])  # continues the text at the end of the previous chunk
            longest = max(run, *map(len, pieces[1:-1])) if len(pieces) > 2 else run
            if longest > MAX_TEXT or (len(pieces) > 1 and len(pieces[-1]) > MAX_TEXT):
                raise FileTooLarge(
                    _l(
                        "a cell holds more than %(size)s KB of text, far more than any "
                        "initiative may have",
                        size=MAX_TEXT // 1024,
                    )
                )
            if len(pieces) > 1:
                run = len(pieces[-1])
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


class CellBudget:
    """Counts the non-empty cells read so far; `take` raises FileTooLarge past MAX_CELLS."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = MAX_CELLS if limit is None else limit
        self.used = 0

    def take(self, cells: list[Any]) -> list[Any]:
        """The row without its empty cells at the end, counted against the budget."""
        end = len(cells)
        while end and (cells[end - 1] is None or cells[end - 1] == ""):
            end -= 1
        self.used += end
        if self.used > self.limit:
            raise FileTooLarge(
                _l("the file has more than %(cells)s cells; split it", cells=f"{self.limit:,}")
            )
        return cells[:end]
