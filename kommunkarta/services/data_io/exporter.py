"""Exports of a selection as CSV, XLSX or GeoJSON, streamed rather than built in memory.

Every format holds the published initiatives under one `InitiativeFilter`, in id order, and
says its licence (CC BY 4.0) and date: the XLSX in an About sheet and its document
properties, the GeoJSON in a `metadata` member of the collection. A CSV has no room for
metadata that `import` would not trip over, so the web response carries them in headers and
the README documents them.

CSV and XLSX are written by data_io.tables (UTF-8 with a byte order mark, text guarded
against formulas); multi-valued cells are joined with `serialise.SEPARATOR`; the columns are
`serialise.COLUMNS`, exactly what `import` reads back.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Initiative
from kommunkarta.services.data_io import (
    deflate,
    effect_sheet,
    export_records,
    export_rows,
    serialise,
    tables,
)
from kommunkarta.services.places.geodata import Geodata

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".geojson": "geojson"}
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}
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


def csv_chunks(session: Session, selection: InitiativeFilter) -> Iterator[bytes]:
    """The CSV file in pieces (tables.csv_chunks), starting with the BOM and the header."""
    rows = (
        serialise.to_cells(record)
        for batch in export_records.batches(session, selection)
        for record in batch
    )
    return tables.csv_chunks(serialise.COLUMNS, rows)


def csv_gzip(session: Session, selection: InitiativeFilter) -> Iterator[bytes]:
    """The same CSV file as `csv_chunks`, gzip-compressed: joined from the lines kept in
    this process (data_io.export_rows) when a request can use them, else written and
    compressed here."""
    parts = export_rows.csv_parts(session, selection)
    return deflate.gzip(csv_chunks(session, selection) if parts is None else parts)


def write_xlsx(
    session: Session, selection: InitiativeFilter, out: IO[bytes], generated: datetime
) -> None:
    """An XLSX workbook (tables.Workbook): the initiatives on the first sheet, their effects
    on the second, licence, date and filters on a third sheet and in the properties."""
    book = tables.Workbook(out)
    sheet = book.sheet("Initiatives", serialise.COLUMNS)
    # the effects themselves, one row each, on a sheet of their own that import reads back
    effects = book.sheet(effect_sheet.SHEET, effect_sheet.COLUMNS)
    for batch in export_records.batches(session, selection):
        for record in batch:
            sheet.append(serialise.to_cells(record))
        for values in effect_sheet.rows_for(session, [record.id for record in batch]):
            effects.append(values)

    about = book.sheet("About")
    meta = metadata(selection, generated)
    about.append(["title", meta["title"]])
    about.append(["license", f"{meta['license']} ({meta['license_url']})"])
    about.append(["attribution", meta["attribution"]])
    about.append(["generated_at", meta["generated_at"]])
    about.append(["separator", f"multi-valued cells are joined with “{serialise.SEPARATOR}”"])
    for name, value in meta["filters"].items():
        joined = serialise.SEPARATOR.join(map(str, value)) if isinstance(value, list) else value
        about.append([f"filter {name}", str(joined)])

    book.save(
        {
            "title": meta["title"],
            "creator": serialise.ATTRIBUTION,
            "description": f"Licence: {meta['license']} {meta['license_url']}",
            "subject": f"{meta['license']}, {meta['generated_at']}",
            "keywords": "AI; kommuner; open data; CC BY 4.0",
            "created": generated.astimezone(UTC).replace(tzinfo=None),
        },
    )


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
        if len(parts) >= tables.CHUNK_ROWS:
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
