"""Exports of a selection as CSV, XLSX or GeoJSON, streamed rather than built in memory.

Every format holds the published initiatives under one `InitiativeFilter`, in id order, and
says its licence (CC BY 4.0) and date: the XLSX in a second sheet and its document
properties, the GeoJSON in a `metadata` member of the collection. A CSV has no room for
metadata that `import` would not trip over, so the web response carries them in headers and
the README documents them.

CSV: UTF-8 with a byte order mark (so that spreadsheet programs recognise å, ä and ö),
comma-separated, multi-valued cells joined with `serialise.SEPARATOR`; the columns are
`serialise.COLUMNS`, exactly what `import` reads back.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Initiative
from kommunkarta.services.data_io import effect_sheet, serialise
from kommunkarta.services.places.geodata import Geodata

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".geojson": "geojson"}
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}
CHUNK_ROWS = 200
COORDINATE_DECIMALS = 5


class ExportError(ValueError):
    """The export cannot be written as asked (for instance an unknown file type)."""


def metadata(selection: InitiativeFilter, generated: datetime) -> dict[str, Any]:
    """What every export says about itself."""
    return {
        "title": "Kommunkartan: AI initiatives in Swedish municipalities",
        "license": serialise.LICENCE,
        "license_url": serialise.LICENCE_URL,
        "attribution": serialise.ATTRIBUTION,
        "generated_at": serialise.timestamp(generated),
        "filters": selection.to_args(),
        "separator": serialise.SEPARATOR,
    }


def _text_cells(row: dict[str, Any]) -> dict[str, Any]:
    return {
        name: serialise.guard_formula(value) if name in serialise.TEXT_COLUMNS else value
        for name, value in row.items()
    }


def csv_chunks(session: Session, selection: InitiativeFilter) -> Iterator[bytes]:
    """The CSV file in pieces of CHUNK_ROWS rows, starting with the BOM and the header."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=serialise.COLUMNS)
    buffer.write("\ufeff")
    writer.writeheader()
    for n, initiative in enumerate(serialise.selected(session, selection), start=1):
        writer.writerow(_text_cells(serialise.to_row(initiative)))
        if n % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


# The control characters XLSX forbids, as openpyxl defines them (ILLEGAL_CHARACTERS_RE, which
# a unit test compares with this): here, so that openpyxl is imported only to write a file.
XLSX_FORBIDDEN = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def xlsx_value(value: Any) -> Any:
    """A cell value openpyxl can write: text without the control characters XLSX forbids."""
    if isinstance(value, str):
        return XLSX_FORBIDDEN.sub("", value)
    return value


def write_xlsx(
    session: Session, selection: InitiativeFilter, out: IO[bytes], generated: datetime
) -> None:
    """An XLSX workbook (openpyxl write-only mode, rows spooled to disk): the initiatives on
    the first sheet, licence, date and filters on a second sheet and in the properties."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Initiatives")
    bold = Font(bold=True)
    header = []
    for name in serialise.COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    # the effects themselves, one row each, on a sheet of their own that import reads back
    effect_sheet_ = book.create_sheet(effect_sheet.SHEET)
    effect_header = []
    for name in effect_sheet.COLUMNS:
        cell = WriteOnlyCell(effect_sheet_, value=name)
        cell.font = bold
        effect_header.append(cell)
    effect_sheet_.append(effect_header)
    for initiative in serialise.selected(session, selection):
        row = _text_cells(serialise.to_row(initiative))
        sheet.append([xlsx_value(row[name]) for name in serialise.COLUMNS])
        for values in effect_sheet.rows_of(initiative):
            effect_sheet_.append(
                [
                    xlsx_value(serialise.guard_formula(v) if isinstance(v, str) else v)
                    for v in values
                ]
            )

    about = book.create_sheet("About")
    meta = metadata(selection, generated)
    about.append(["title", meta["title"]])
    about.append(["license", f"{meta['license']} ({meta['license_url']})"])
    about.append(["attribution", meta["attribution"]])
    about.append(["generated_at", meta["generated_at"]])
    about.append(["separator", f"multi-valued cells are joined with “{serialise.SEPARATOR}”"])
    for name, value in meta["filters"].items():
        joined = serialise.SEPARATOR.join(map(str, value)) if isinstance(value, list) else value
        about.append([f"filter {name}", serialise.guard_formula(str(joined))])

    properties = book.properties
    properties.title = meta["title"]
    properties.creator = serialise.ATTRIBUTION
    properties.description = f"Licence: {meta['license']} {meta['license_url']}"
    properties.subject = f"{meta['license']}, {meta['generated_at']}"
    properties.keywords = "AI; kommuner; open data; CC BY 4.0"
    properties.created = generated.astimezone(UTC).replace(tzinfo=None)
    book.save(out)


def _point(
    item: dict[str, Any], geodata: Geodata, cache: dict[str, tuple[float, float]]
) -> dict[str, Any] | None:
    if item["location"]:
        return {"type": "Point", "coordinates": [item["location"]["lon"], item["location"]["lat"]]}
    if not item["municipalities"]:
        return None
    code = item["municipalities"][0]["code"]
    if code not in cache:
        lat, lon = geodata.representative_point(code)
        cache[code] = (round(lat, COORDINATE_DECIMALS), round(lon, COORDINATE_DECIMALS))
    lat, lon = cache[code]
    return {"type": "Point", "coordinates": [lon, lat]}


def _features(initiatives: Iterable[Initiative], geodata: Geodata) -> Iterator[dict[str, Any]]:
    cache: dict[str, tuple[float, float]] = {}
    for initiative in initiatives:
        item = serialise.to_item(initiative)
        yield {
            "type": "Feature",
            "id": item["id"],
            "geometry": _point(item, geodata, cache),
            "properties": item,
        }


def geojson_chunks(
    session: Session, selection: InitiativeFilter, geodata: Geodata, generated: datetime
) -> Iterator[bytes]:
    """A GeoJSON FeatureCollection: one Point per initiative, at its own location if it has
    one, else at its first municipality's representative point."""
    head = {"type": "FeatureCollection", "metadata": metadata(selection, generated)}
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "features": ['
    yield opening.encode("utf-8")
    parts: list[str] = []
    first = True
    for feature in _features(serialise.selected(session, selection), geodata):
        parts.append(("" if first else ",") + json.dumps(feature, ensure_ascii=False))
        first = False
        if len(parts) >= CHUNK_ROWS:
            yield "\n".join(parts).encode("utf-8")
            parts = []
    parts.append("]}\n")
    yield "\n".join(parts).encode("utf-8")


def format_of(path: Path) -> str:
    """The export format for a file name; raises ExportError for an unknown extension."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(FORMATS)
        raise ExportError(f"cannot tell the format of {path.name}: use one of {known}")
    return kind


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[IO[bytes]]:
    """A file to write that appears at `path` only when complete (written beside it, then
    renamed), and not at all when writing fails."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("wb") as out:
            yield out
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def write_file(session: Session, selection: InitiativeFilter, path: Path, geodata: Geodata) -> None:
    """Write the export to `path` in the format its extension names (see `replacing`).
    Raises ExportError or OSError."""
    kind = format_of(path)
    generated = datetime.now(UTC)
    with replacing(path) as out:
        if kind == "xlsx":
            write_xlsx(session, selection, out, generated)
        else:
            chunks = (
                csv_chunks(session, selection)
                if kind == "csv"
                else geojson_chunks(session, selection, geodata, generated)
            )
            for chunk in chunks:
                out.write(chunk)
