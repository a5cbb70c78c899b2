"""An .ods whose repeated rows or columns would make calamine build a huge grid is refused before
calamine reads it (`guard_ods`); the empty repeats LibreOffice writes for the rest of a sheet
are not."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from desktop.services.errors import ValidationError
from desktop.services.exchange import guard

_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>{dtd}'
         '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
         'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
         'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
         '<office:body><office:spreadsheet><table:table table:name="上级加分">'
         '<table:table-row><table:table-cell office:value-type="string"><text:p>警号</text:p></table:table-cell>'
         '</table:table-row>')
_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"
_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
             'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
             '<manifest:file-entry manifest:full-path="/" '
             'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
             '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
             '</manifest:manifest>')
_VALUE = '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'


def _ods(path: Path, rows: str, dtd: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", _HEAD.format(dtd=dtd) + rows + _TAIL, zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", _MANIFEST, zipfile.ZIP_DEFLATED)
    return path


def _row(cells: str, repeated: int = 1) -> str:
    attr = f' table:number-rows-repeated="{repeated}"' if repeated > 1 else ""
    return f"<table:table-row{attr}>{cells}</table:table-row>"


def _empty(columns: int) -> str:
    return f'<table:table-cell table:number-columns-repeated="{columns}"/>'


@pytest.mark.parametrize(("rows", "message"), [
    (_row(_VALUE, 1_000_000), "至少用到第 1,000,001 行"),  # a value in a row repeated a million times
    (_row(_empty(16_000) + _VALUE), "用到了第 WQK 列"),  # a value after 16,000 empty columns
    (_row(_VALUE.replace("<table:table-cell ", '<table:table-cell table:number-columns-repeated="300" ')),
     "超过 200 列的上限"),  # one value repeated across 300 columns
    (_row(_empty(149) + _VALUE, 30_000), "30,001 行 × 150 列"),  # each within its limit, the area not
    (_row(_empty(5)) + _row(_empty(10), 900_000) + _row(_VALUE), "至少用到第 900,003 行"),  # far below the gap
    (_row(_VALUE).replace("<table:table-row>", '<table:table-row table:number-rows-repeated="0000000000001000000">'),
     "至少用到第 1,000,001 行"),  # behind leading zeros (the first 12 characters were read: "000000000000")
    (_row(_VALUE).replace("<table:table-row>", '<table:table-row table:number-rows-repeated="+1000000">'),
     "至少用到第 1,000,001 行"),  # Rust's parsing takes a plus sign
], ids=["rows-repeated", "columns-after-a-gap", "value-across-columns", "area", "value-below-empty-rows",
        "count-behind-zeros", "count-with-plus"])
def test_repeats_that_reach_too_far_are_refused_before_calamine(tmp_path: Path, rows: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        guard.check_workbook(_ods(tmp_path / "r.ods", rows))


def test_the_empty_rest_of_a_sheet_as_libreoffice_writes_it_is_read(tmp_path: Path) -> None:
    rows = _row(_VALUE * 5, 20) + _row(_empty(1024), 1_048_550) + _row(_empty(1024))
    guard.check_workbook(_ods(tmp_path / "r.ods", rows))  # not refused


def test_an_ods_with_a_dtd_is_refused(tmp_path: Path) -> None:
    path = _ods(tmp_path / "r.ods", _row(_VALUE), dtd='<!DOCTYPE x [<!ENTITY a "aaaa">]>')
    with pytest.raises(ValidationError, match="文档类型声明"):
        guard.check_workbook(path)


def test_an_ods_with_too_many_merged_ranges_is_refused(tmp_path: Path) -> None:
    """`ods_merges` keeps every spanned cell as a range; more than any table has is refused."""
    rng = random.Random(5)  # values that differ, so the zip's ratio limit does not step in first
    rows = "".join(_row(f'<table:table-cell table:number-columns-spanned="2" office:value-type="float" '
                        f'office:value="{rng.getrandbits(40)}"/>') for _ in range(100_001))
    with pytest.raises(ValidationError, match="有超过 100,000 处合并单元格"):
        guard.check_workbook(_ods(tmp_path / "r.ods", rows))


def test_merges_behind_counts_written_with_a_plus_or_zeros_sit_where_calamine_puts_the_cells(tmp_path: Path) -> None:
    """The merge scan reads repeat and span counts as calamine does (Rust's parsing: "+3", "003"), so a
    merged range starts at the cell calamine reads there; it used to take "+3" as 1 and misplace it."""
    import python_calamine

    from desktop.services.exchange.ods_merges import ods_merges

    merged = ('<table:table-cell table:number-columns-spanned="+02" table:number-rows-spanned="002" '
              'office:value-type="string"><text:p>合并</text:p></table:table-cell>')
    rows = (_row('<table:table-cell table:number-columns-repeated="+3"/>' + merged)
            + _row(_empty(3) + '<table:covered-table-cell table:number-columns-repeated="0002"/>'))
    path = _ods(tmp_path / "合并.ods", rows)
    guard.check_workbook(path)  # not refused
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("上级加分").to_python()
    assert sheet[1][3] == "合并"  # calamine: the header row, then this row's fourth column
    assert ods_merges(path) == {"上级加分": [((1, 3), (2, 4))]}
