"""An OpenDocument spreadsheet's content.xml checked before calamine reads it (`guard`).

calamine expands `table:number-rows-repeated` and `table:number-columns-repeated` into its grid
as far as the farthest cell that holds something: one value in a row repeated a million times,
or after 16,000 empty columns, makes it allocate hundreds of megabytes to gigabytes (its own
limit is 100 million cells, about 3 GB) before the reader can look at the size. LibreOffice
itself writes such repeats for the empty rest of a sheet, which hold nothing and cost nothing.
So the part is parsed as a stream (expat; a DTD refused) and every cell that holds a value or
text is placed, repeats included, against the same limits as an .xlsx sheet.
"""

from __future__ import annotations

from typing import IO
from xml.parsers import expat

from desktop.services.exchange.guard_sheet import Refuse, check_area, check_merges, check_reach, stream_parse
from desktop.services.exchange.rust_digits import repeat

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_SEP = " "  # expat's namespace separator: "URI local"
_T_TABLE, _T_ROW = f"{_TABLE}{_SEP}table", f"{_TABLE}{_SEP}table-row"
_T_CELLS = {f"{_TABLE}{_SEP}table-cell", f"{_TABLE}{_SEP}covered-table-cell"}
_T_NAME = f"{_TABLE}{_SEP}name"
_ROWS_REPEATED, _COLS_REPEATED = f"{_TABLE}{_SEP}number-rows-repeated", f"{_TABLE}{_SEP}number-columns-repeated"
_VALUE_TYPE = f"{_OFFICE}{_SEP}value-type"
_SPANNED = (f"{_TABLE}{_SEP}number-rows-spanned", f"{_TABLE}{_SEP}number-columns-spanned")  # a merged range
_TEXT_P = f"{_TEXT}{_SEP}p"


class _Placing:
    """Rows and columns of each table as calamine expands them; a filled cell's far corner counts."""

    def __init__(self, refuse: Refuse) -> None:
        self.refuse = refuse
        self.sheet = ""
        self.row = self.rows = self.col = self.cols = self.max_row = self.max_col = self.merges = 0
        self.cell: tuple[int, int] | None = None  # the open cell's columns [first, last]
        self.filled = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name in _T_CELLS:
            if any(repeat(attrs.get(span)) > 1 for span in _SPANNED):  # `ods_merges` keeps each one
                self.merges += 1
                check_merges(self.sheet, self.refuse, self.merges)
            self.cols = repeat(attrs.get(_COLS_REPEATED))
            self.cell = (self.col + 1, self.col + self.cols)
            self.col += self.cols
            self.filled = _VALUE_TYPE in attrs
        elif name == _TEXT_P and self.cell is not None:
            self.filled = True
        elif name == _T_ROW:
            self.rows = repeat(attrs.get(_ROWS_REPEATED))
            self.col = 0
        elif name == _T_TABLE:
            self.sheet = attrs.get(_T_NAME, "")
            self.row = self.max_row = self.max_col = self.merges = 0

    def end(self, name: str) -> None:
        if name in _T_CELLS and self.cell is not None:
            if self.filled:
                self.max_row = max(self.max_row, self.row + self.rows)
                self.max_col = max(self.max_col, self.cell[1])
                check_reach(self.sheet, self.refuse, self.max_row, self.max_col)
                check_area(self.sheet, self.refuse, 0, self.max_row, self.max_col)
            self.cell = None
        elif name == _T_ROW:
            self.row += self.rows


def check_content(fh: IO[bytes], refuse: Refuse) -> None:
    """Raise `refuse(reason)` when a table of content.xml reaches past the limits."""
    placing = _Placing(refuse)
    parser = expat.ParserCreate(namespace_separator=_SEP)
    parser.StartElementHandler, parser.EndElementHandler = placing.start, placing.end
    stream_parse(fh, parser, refuse, "表格内容（content.xml）")
