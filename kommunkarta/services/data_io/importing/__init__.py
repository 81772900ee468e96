"""Importing initiatives, in three steps that `data_io.importer` (the export's own columns)
and `data_io.pstw` (the EU observatory's columns) share where they can:

- `read`: a CSV or XLSX file into a header and its rows, within the size limits;
- `cells` and `row_check`: one cell, then one row, into checked values or errors naming
  the row, column and reason, by the field rules of `kommunkarta.rules`;
- `plan`: the checked rows compared with what is stored and written in one transaction.
"""
