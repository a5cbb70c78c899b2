"""Merged cells of an OpenDocument spreadsheet (.ods), which python-calamine does not report.

A clerk who saves the county's roster from LibreOffice or WPS as .ods keeps the department
written once for several people in a merged cell, just as in .xlsx; without the merges those
rows read as blanks. The spans are attributes of content.xml's cells
(`table:number-rows-spanned`, `table:number-columns-spanned`), so one streaming pass over that
part gives the same ((first row, first col), (last row, last col)) ranges calamine gives for
.xlsx and .xls. The file has already passed `guard.check_workbook` (sizes, CRCs, repeat counts).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from desktop.services.exchange.guard import is_ods
from desktop.services.exchange.rust_digits import repeat

Ranges = list[tuple[tuple[int, int], tuple[int, int]]]

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_SEP = " "  # expat's namespace separator: "URI local"
_T_TABLE = f"{_TABLE}{_SEP}table"
_T_ROW = f"{_TABLE}{_SEP}table-row"
_T_CELLS = {f"{_TABLE}{_SEP}table-cell", f"{_TABLE}{_SEP}covered-table-cell"}
_T_CELL = f"{_TABLE}{_SEP}table-cell"
_NAME = f"{_TABLE}{_SEP}name"
_ROWS_REPEATED = f"{_TABLE}{_SEP}number-rows-repeated"
_COLS_REPEATED = f"{_TABLE}{_SEP}number-columns-repeated"
_ROWS_SPANNED = f"{_TABLE}{_SEP}number-rows-spanned"
_COLS_SPANNED = f"{_TABLE}{_SEP}number-columns-spanned"


def ods_merges(path: Path) -> dict[str, Ranges]:
    """Sheet name → its merged ranges, 0-based; {} when the file is not an .ods or cannot be read
    (the reader then goes on without filling, as before)."""
    if not is_ods(path):
        return {}
    try:
        with zipfile.ZipFile(path) as zf, zf.open("content.xml") as fh:
            return _scan(fh)
    except (zipfile.BadZipFile, KeyError, OSError, expat.ExpatError, ValueError):
        return {}


def _scan(fh: IO[bytes]) -> dict[str, Ranges]:
    """One streaming pass (expat, no tree kept: a content.xml of millions of empty rows stays flat)."""
    found: dict[str, Ranges] = {}
    state: dict[str, Any] = {"sheet": None, "row": 0, "col": 0, "rows": 1}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == _T_TABLE:
            state["sheet"], state["row"] = found.setdefault(attrs.get(_NAME, ""), []), 0
        elif tag == _T_ROW:
            state["col"], state["rows"] = 0, repeat(attrs.get(_ROWS_REPEATED))
        elif tag in _T_CELLS:
            sheet, row, col = state["sheet"], state["row"], state["col"]
            if tag == _T_CELL and sheet is not None:
                rows, cols = repeat(attrs.get(_ROWS_SPANNED)), repeat(attrs.get(_COLS_SPANNED))
                if rows > 1 or cols > 1:
                    sheet.append(((row, col), (row + rows - 1, col + cols - 1)))
            state["col"] = col + repeat(attrs.get(_COLS_REPEATED))

    def end(tag: str) -> None:
        if tag == _T_ROW:
            state["row"] += state["rows"]
        elif tag == _T_TABLE:
            state["sheet"] = None

    parser = expat.ParserCreate(namespace_separator=_SEP)
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.ParseFile(fh)
    return found
