"""The sheet scan's column bound (`guard_sheet._widest`): a sheet within A–Z is passed on a bound, never
refused for it, and one that uses more columns or a grid too large is still caught exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.errors import ValidationError
from desktop.services.exchange import guard, guard_sheet
from tests.reliability import workbooks as wb


def _tall(p: Path, rows: int, last_column: str = "A") -> Path:
    """`rows` rows of one cell in A (more than one 4 MB piece of XML), the last one also in `last_column`."""
    body = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, rows))
    last = b'<row r="%d"><c r="A%d"><v>1</v></c><c r="%s%d"><v>1</v></c></row>' % (
        rows, rows, last_column.encode(), rows)
    return wb.write_xlsx(p, [("上级加分", [wb.SHEET_HEAD, body, last, wb.SHEET_TAIL])])


def test_a_tall_narrow_sheet_is_not_refused_on_the_bound(tmp_path: Path) -> None:
    # 160,000 rows: 26 columns of them would pass the 4,000,000-cell limit; two columns do not.
    path = _tall(tmp_path / "tall.xlsx", 160_000, "B")
    assert path.stat().st_size < guard.MAX_FILE_BYTES
    guard.check_workbook(path)  # no refusal: the exact columns are worked out once the bound is too loose


def test_a_tall_sheet_that_reaches_column_z_is_refused_with_its_real_size(tmp_path: Path) -> None:
    path = _tall(tmp_path / "wide.xlsx", 160_000, "Z")
    with pytest.raises(ValidationError, match="160,000 行 × 26 列"):
        guard.check_workbook(path)


def test_a_column_past_z_is_still_counted_exactly(tmp_path: Path) -> None:
    body = b'<row r="1"><c r="A1"><v>1</v></c><c r="GS1"><v>1</v></c></row>'  # GS: column 201
    path = wb.write_xlsx(tmp_path / "gs.xlsx", [("上级加分", [wb.SHEET_HEAD, body, wb.SHEET_TAIL])])
    with pytest.raises(ValidationError, match="用到了第 GS 列"):
        guard.check_workbook(path)


def test_cells_without_references_are_counted_row_by_row(tmp_path: Path) -> None:
    body = b"<row>" + b"<c><v>1</v></c>" * 201 + b"</row>"
    path = wb.write_xlsx(tmp_path / "bare.xlsx", [("上级加分", [wb.SHEET_HEAD, body, wb.SHEET_TAIL])])
    with pytest.raises(ValidationError, match="超过 200 列的上限"):
        guard.check_workbook(path)


# The tag count (`guard_sheet._count_tags`) takes three passes inside <sheetData> where it can, and must
# then agree with telling every tag by its full name.
_COLS = b'<cols><col min="1" max="3" width="12" customWidth="1"/></cols>'
_AFTER = (b'</sheetData><conditionalFormatting sqref="A1"><cfRule type="cellIs" priority="1"/>'
          b'</conditionalFormatting><colBreaks count="1"><brk id="2"/></colBreaks>'
          b'<rowBreaks count="1"><brk id="3"/></rowBreaks></worksheet>')
_RICH = (b'<c r="B2" t="inlineStr"><is><r><rPr><color rgb="FFFF0000"/><charset val="134"/></rPr>'
         b'<t>\xe7\x8e\x8b</t></r></is></c>')


@pytest.mark.parametrize("body", [
    b'<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="s"><v>0</v></c></row>',
    b'<row r="1" spans="1:2"><c r="A1"><v>1</v></c></row><row r="2">' + _RICH + b"</row>",
    b'<row r="1"><c s="3" r="A1"><v>1</v></c><c><v>2</v></c></row><row><c r="C2"/></row>',
    b'<row r="1"><c r="A1"><f>SUM(B1:B2)</f><v>3</v></c></row>',
], ids=["plain", "rich-text", "no-reference-first", "formula"])
def test_the_tag_count_agrees_with_telling_tags_by_name(body: bytes) -> None:
    piece = b'<worksheet><dimension ref="A1:C2"/>' + _COLS + b"<sheetData>" + body + _AFTER
    rows, cells, refs, inside = guard_sheet._count_tags(piece, False)
    assert (rows, cells, refs) == guard_sheet._exact_tags(piece, 0, len(piece))
    assert inside is False
    # The same sheet cut in two at its last row, as the scan cuts a long one: the first piece ends inside.
    cut = piece.rfind(b"<row", 0, piece.find(b"</sheetData"))
    first, second = guard_sheet._count_tags(piece[:cut], False), guard_sheet._count_tags(piece[cut:], True)
    assert first[3] is True and second[3] is False
    assert tuple(a + b for a, b in zip(first[:3], second[:3], strict=True)) == (rows, cells, refs)


def test_a_cell_with_its_reference_after_another_attribute_is_still_placed(tmp_path: Path) -> None:
    body = b'<row r="1"><c r="A1"><v>1</v></c><c s="1" r="GS1"><v>1</v></c></row>'
    path = wb.write_xlsx(tmp_path / "gs.xlsx", [("上级加分", [wb.SHEET_HEAD, body, wb.SHEET_TAIL])])
    with pytest.raises(ValidationError, match="用到了第 GS 列"):
        guard.check_workbook(path)
