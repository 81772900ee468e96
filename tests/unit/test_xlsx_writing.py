"""The workbooks the exports write (data_io.tables, XlsxWriter) as `import` reads them back
(openpyxl): every cell of a row, texts as texts, the header in bold."""

import io

import openpyxl

from kommunkarta.services.data_io import tables


def test_a_row_is_read_back_whole_with_texts_as_texts():
    out = io.BytesIO()
    book = tables.Workbook(out)
    sheet = book.sheet("Initiatives", ["a", "b"])
    long = "x" * 40_000  # over a cell's 32,767 characters: cut, and the row goes on
    sheet.append(["=1+1", "https://example.org", "0180", 12, 1.5, None, long, "after", "\x0bok"])
    book.save({"title": "T", "creator": "Kommunkartan"})

    read = openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    header, row = read["Initiatives"].iter_rows(values_only=True)
    assert header[:2] == ("a", "b") and not any(header[2:])
    assert row[:6] == ("'=1+1", "https://example.org", "0180", 12, 1.5, None)
    assert row[6] == long[:32_767]
    assert row[7:] == ("after", "ok")
    full = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert [cell.font.b for cell in full["Initiatives"][1]][:3] == [True, True, False]
    assert full.properties.title == "T" and full.properties.creator == "Kommunkartan"
