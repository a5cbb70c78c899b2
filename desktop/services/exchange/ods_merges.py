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
from typing import IO
from xml.etree import ElementTree

from desktop.services.exchange.guard import is_ods

Ranges = list[tuple[tuple[int, int], tuple[int, int]]]

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_T_TABLE = f"{{{_TABLE}}}table"
_T_ROW = f"{{{_TABLE}}}table-row"
_T_CELL = f"{{{_TABLE}}}table-cell"
_T_COVERED = f"{{{_TABLE}}}covered-table-cell"
_NAME = f"{{{_TABLE}}}name"
_ROWS_REPEATED = f"{{{_TABLE}}}number-rows-repeated"
_COLS_REPEATED = f"{{{_TABLE}}}number-columns-repeated"
_ROWS_SPANNED = f"{{{_TABLE}}}number-rows-spanned"
_COLS_SPANNED = f"{{{_TABLE}}}number-columns-spanned"


def ods_merges(path: Path) -> dict[str, Ranges]:
    """Sheet name → its merged ranges, 0-based; {} when the file is not an .ods or cannot be read
    (the reader then goes on without filling, as before)."""
    if not is_ods(path):
        return {}
    try:
        with zipfile.ZipFile(path) as zf, zf.open("content.xml") as fh:
            return _scan(fh)
    except (zipfile.BadZipFile, KeyError, OSError, ElementTree.ParseError, ValueError):
        return {}


def _count(value: str | None) -> int:
    return max(1, int(value)) if value and value.isdigit() else 1


def _scan(fh: IO[bytes]) -> dict[str, Ranges]:
    found: dict[str, Ranges] = {}
    sheet: Ranges | None = None
    row = col = 0
    for event, elem in ElementTree.iterparse(fh, events=("start", "end")):
        tag = elem.tag
        if event == "start":
            if tag == _T_TABLE:
                sheet = found.setdefault(elem.get(_NAME, ""), [])
                row = 0
            elif tag == _T_ROW:
                col = 0
            elif tag == _T_CELL and sheet is not None:
                rows, cols = _count(elem.get(_ROWS_SPANNED)), _count(elem.get(_COLS_SPANNED))
                if rows > 1 or cols > 1:
                    sheet.append(((row, col), (row + rows - 1, col + cols - 1)))
            continue
        # end events: move along the grid and drop what has been read, so memory stays flat
        if tag in (_T_CELL, _T_COVERED):
            col += _count(elem.get(_COLS_REPEATED))
            elem.clear()
        elif tag == _T_ROW:
            row += _count(elem.get(_ROWS_REPEATED))
            elem.clear()
        elif tag == _T_TABLE:
            sheet = None
            elem.clear()
    return found
