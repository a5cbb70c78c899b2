"""The sheet scan bounds the rows the cells name, not only the rows' own numbers.

calamine places a cell by its reference: `<row r="1">` holding `<c r="GR1048576">` makes it
allocate a grid of 1,048,576 × 200 cells (6.7 GB) and abort the process. The scan
(`guard_sheet.scan_sheet`) must refuse such a file with the sheet's real reach, and must not
refuse a sheet whose cells stay within the limits however their rows are numbered."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from desktop.services.errors import ValidationError
from desktop.services.exchange import guard, guard_sheet
from tests.reliability import workbooks as wb


def _sheet(tmp_path: Path, *rows: bytes) -> Path:
    return wb.write_xlsx(tmp_path / "far.xlsx", [("上级加分", [wb.SHEET_HEAD, *rows, wb.SHEET_TAIL])])


@pytest.mark.parametrize("cell", [
    b'<c r="Z1048576"><v>1</v></c>',  # one letter: passed on the A-Z bound before
    b'<c r="GR1048576"><v>1</v></c>',  # within 200 columns, a million rows down
    b'<c s="1" r="Z1048576"><v>1</v></c>',  # the reference not the first attribute
    b'<c r="Z0001048576"><v>1</v></c>',  # written with leading zeros
], ids=["one-letter", "two-letters", "reference-later", "leading-zeros"])
def test_a_cell_that_names_a_far_row_inside_the_first_row_is_refused(tmp_path: Path, cell: bytes) -> None:
    path = _sheet(tmp_path, b'<row r="1"><c r="A1"><v>1</v></c>' + cell + b"</row>")
    with pytest.raises(ValidationError, match="至少用到第 1,048,576 行"):
        guard.check_workbook(path)


@pytest.mark.parametrize(("rows", "reach"), [
    ((b'<row><c r="A1"><v>1</v></c></row>', b'<row><c r="B250000"><v>1</v></c></row>'), "250,000"),  # rows unnumbered
    ((b'<row r="1"><c r="A1"><v>1</v></c></row>', b'<row r="1048576"><c><v>1</v></c></row>'),
     "1,048,576"),  # a cell without a reference goes by its row's number
    ((b'<row r="1"><c r="A1"><v>1</v></c></row>', b'<row r="00000000004000000000"><c><v>1</v></c></row>'),
     "4,000,000,000"),  # that number read in full (its first 12 characters were "000000000040")
    ((b'<row r="1"><c r="A1"><v>1</v></c></row>', b'<row r="Z1048576"><c><v>1</v></c></row>'),
     "1,048,576"),  # letters in a row's number: calamine skips them (checked: r="Z400000" is row 400,000)
    ((b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, 120_000)),
      b'<row r="120000"><c r="A120000"><v>1</v></c><c r="C1048576"><v>1</v></c></row>'),
     "1,048,576"),  # 120,000 rows (more than one 4 MB piece); the far cell in the last one
], ids=["unnumbered-rows", "cell-without-reference", "row-number-behind-zeros", "row-number-with-letters",
        "past-the-first-piece"])
def test_a_far_cell_elsewhere_is_refused(tmp_path: Path, rows: tuple[bytes, bytes], reach: str) -> None:
    with pytest.raises(ValidationError, match=f"至少用到第 {reach} 行"):
        guard.check_workbook(_sheet(tmp_path, *rows))


@pytest.mark.parametrize(("cell", "expected"), [
    (b'<c r="ZZZZZZZ1"><v>1</v></c>', "用到了第 ZZZZZZZ 列"),  # column 8,353,082,582: calamine aborted
    (b'<c r="AAAAAA1"><v>1</v></c>', "用到了第 AAAAAA 列"),  # 12 million columns: 400 MB of grid
    (b'<c r="A00000000004000000000"><v>1</v></c>', "至少用到第 4,000,000,000 行"),  # ten leading zeros
    (b'<c t="n" r="AAAAAA1"><v>1</v></c>', "用到了第 AAAAAA 列"),  # the same, parsed (not Excel's form)
], ids=["seven-letters", "six-letters", "twenty-digits", "six-letters-parsed"])
def test_a_reference_longer_than_excel_writes_is_read_in_full(tmp_path: Path, cell: bytes, expected: str) -> None:
    """calamine reads every letter and digit of a reference; the guard read at most four letters
    and ten digits, and passed these (each a few hundred bytes)."""
    path = _sheet(tmp_path, b'<row r="1"><c r="A1"><v>1</v></c>' + cell + b"</row>")
    with pytest.raises(ValidationError, match=expected):
        guard.check_workbook(path)


def test_formatted_rows_without_cells_far_below_are_not_counted(tmp_path: Path) -> None:
    # Excel keeps a row formatted down the sheet as <row r="…" s="1" customFormat="1"/>; calamine
    # skips rows without cells, so the grid is one cell and the sheet is read.
    path = _sheet(tmp_path, b'<row r="1"><c r="A1"><v>1</v></c></row>', b'<row r="500000" s="1" customFormat="1"/>')
    guard.check_workbook(path)  # not refused


def test_a_cell_below_its_row_within_the_limits_is_read(tmp_path: Path) -> None:
    # Rows 1 and 150,000 of columns A-B: 300,000 cells of grid, well within the limits.
    path = _sheet(tmp_path, b'<row r="1"><c r="A1"><v>1</v></c><c r="B150000"><v>2</v></c></row>')
    guard.check_workbook(path)  # not refused


def test_far_cells_that_make_the_grid_too_large_are_refused_with_its_size(tmp_path: Path) -> None:
    # 30,000 rows named by a cell of column GR (200): 6,000,000 cells, over the 4,000,000 limit.
    path = _sheet(tmp_path, b'<row r="1"><c r="A1"><v>1</v></c><c r="GR30000"><v>2</v></c></row>')
    with pytest.raises(ValidationError, match="30,000 行 × 200 列"):
        guard.check_workbook(path)


def test_the_search_for_a_row_past_a_number_finds_exactly_the_greater_ones() -> None:
    rng = random.Random(18)
    limits = [0, 1, 9, 10, 99, 100, 2400, 9999, 10_000, 160_000, 199_999, *rng.sample(range(1, 10**6), 40)]
    for limit in limits:
        pattern = guard_sheet._below(limit)
        near = {rng.randrange(2 * limit + 3) for _ in range(20)}
        for row in {0, 1, max(limit - 1, 0), limit, limit + 1, limit * 10, *near}:
            for letters in (b"AB", b"c"):
                cell = b'<c r="%s%d">' % (letters, row)
                assert (pattern.search(cell) is not None) == (row > limit), (limit, row, letters)


def test_a_parsed_sheet_with_a_dtd_or_broken_xml_is_refused_clearly(tmp_path: Path) -> None:
    # Only a sheet not in Excel's own form is parsed; a DTD there (entities that could grow the
    # text) is refused, and so is XML cut short.
    dtd = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>'
           b'<worksheet><sheetData><row><c><v>1</v></c></row></sheetData></worksheet>')
    path = wb.write_xlsx(tmp_path / "dtd.xlsx", [("上级加分", [dtd])])
    with pytest.raises(ValidationError, match="文档类型声明"):
        guard.check_workbook(path)
    cut = b'<worksheet><sheetData><row><c><v>1</v></c></row><row><c><v'
    path = wb.write_xlsx(tmp_path / "cut.xlsx", [("上级加分", [cut])])
    with pytest.raises(ValidationError, match="无法读取：XML 不完整或已损坏"):
        guard.check_workbook(path)
