"""XLSX files built to exhaust a reader: each a small file that unpacks to something huge.

`build(shape, path)` writes one; SHAPES names them with the words the importer's refusal
uses. The XML is streamed into the archive, so building one takes little memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl

MB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
_HEAD = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData>"
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>title</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>status</t></is></c>'
    b'<c r="C1" t="inlineStr"><is><t>municipalities</t></is></c></row>'
)
_TAIL = b"</sheetData></worksheet>"


def _repeat(piece: bytes, times: int, batch: int = 4096) -> Iterator[bytes]:
    for start in range(0, times, batch):
        yield piece * min(batch, times - start)


def _sheet(*middle: Iterator[bytes] | bytes, after_data: Iterator[bytes] | bytes = b"") -> list:
    parts: list = [_HEAD, *middle, b"</sheetData>"]
    parts.append(after_data)
    parts.append(b"</worksheet>")
    return parts


def _huge_cell(size: int) -> list:
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
    return _sheet(row, _repeat(b"A" * 1024, size // 1024), b"</t></is></c></row>")


def _shared_strings(count: int) -> list:
    rows = (
        b'<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="inlineStr"><is><t>pilot</t>'
        b'</is></c><c r="C2" t="inlineStr"><is><t>0180</t></is></c></row>'
    )
    return _sheet(rows)


def _strings_part(count: int) -> Iterator[bytes]:
    yield (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        + f'count="{count}" uniqueCount="{count}">'.encode()
    )
    for start in range(0, count, 10_000):
        yield b"".join(f"<si><t>{n}</t></si>".encode() for n in range(start, start + 10_000))
    yield b"</sst>"


def _many_cells(rows: int, columns: int) -> list:
    def lines() -> Iterator[bytes]:
        for r in range(2, rows + 2):
            cells = b"".join(
                f'<c t="inlineStr"><is><t>{r}x{c}</t></is></c>'.encode() for c in range(columns)
            )
            yield f'<row r="{r}">'.encode() + cells + b"</row>"

    return _sheet(lines())


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1 if n > 1 else "") + ";") * 10}">'.encode()
        for n in range(1, 10)
    )
    + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<si><t>&lol9;</t></si></sst>"
)

# name -> (what replaces the sheet, shared strings or None, words of the refusal)
SHAPES: dict[str, Callable[[], tuple[list, object, str]]] = {
    "one huge cell (400 MB)": lambda: (_huge_cell(400 * MB), None, "unpacks to"),
    "one huge cell under the size cap": lambda: (_huge_cell(100 * MB), None, "KB of text"),
    "a part that lies about its size": lambda: (_huge_cell(200 * MB), "lie", "not a readable"),
    "700,000 shared strings": lambda: (
        _shared_strings(700_000),
        _strings_part(700_000),
        "different texts",
    ),
    "5 million empty elements": lambda: (
        _sheet(after_data=_repeat(b"<x/>", 5_000_000)),
        None,
        "elements outside its rows",
    ),
    "a row of 200,000 cells": lambda: (
        _sheet(b'<row r="2">', _repeat(b"<c><v>1</v></c>", 200_000), b"</row>"),
        None,
        "a row of",
    ),
    "billion laughs": lambda: (_shared_strings(1), iter([LAUGHS]), "DOCTYPE"),
    "2.4 million distinct cells": lambda: (_many_cells(40_000, 60), None, "cells"),
}


def _write(archive: zipfile.ZipFile, name: str, parts) -> None:
    with archive.open(name, "w", force_zip64=True) as target:
        for part in parts:
            if isinstance(part, bytes):
                target.write(part)
            else:
                for piece in part:
                    target.write(piece)


def _template() -> dict[str, bytes]:
    book = openpyxl.Workbook()
    book.active.append(["title", "status", "municipalities"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def build(shape: str, path: Path) -> Path:
    sheet, strings, _words = SHAPES[shape]()
    members = _template()
    lie = strings == "lie"
    if strings is not None and not lie:
        members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            if name == SHEET:
                _write(archive, name, sheet)
            else:
                archive.writestr(name, data)
        if strings is not None and not lie:
            _write(archive, STRINGS, [strings])
    if lie:
        _declare_small(path, SHEET)
    return path


def _declare_small(path: Path, name: str) -> None:
    """Rewrite the central directory so that `name` claims to unpack to 1,000 bytes."""
    data = bytearray(path.read_bytes())
    entry = -1
    encoded = name.encode()
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) >= 0:
        name_length = int.from_bytes(data[position + 28 : position + 30], "little")
        if data[position + 46 : position + 46 + name_length] == encoded:
            entry = position
            break
        position += 4
    size = int.from_bytes(data[entry + 24 : entry + 28], "little")
    if size == 0xFFFFFFFF:  # zip64: the real size is in the extra field
        extra_start = entry + 46 + name_length
        zip64 = data.find(b"\x01\x00", extra_start)
        data[zip64 + 4 : zip64 + 12] = (1000).to_bytes(8, "little")
    else:
        data[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
