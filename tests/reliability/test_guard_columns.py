"""The sheet scan's column bound (`guard_sheet._widest`): a sheet within A–Z is passed on a bound, never
refused for it, and one that uses more columns or a grid too large is still caught exactly."""

from __future__ import annotations

import zipfile
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


# A sheet in Excel's own form is counted as bytes (`guard_sheet._count_sheet`); any other form is
# parsed (`_parse_sheet`). The two must give the same verdict wherever both can run, and a form
# the byte count cannot follow must go to the parser.
_COLS = b'<cols><col min="1" max="3" width="12" customWidth="1"/></cols>'
_AFTER = (b'</sheetData><conditionalFormatting sqref="A1"><cfRule type="cellIs" priority="1"/>'
          b'</conditionalFormatting><colBreaks count="1"><brk id="2"/></colBreaks>'
          b'<rowBreaks count="1"><brk id="3"/></rowBreaks></worksheet>')
_RICH = (b'<c r="B2" t="inlineStr"><is><r><rPr><color rgb="FFFF0000"/><charset val="134"/></rPr>'
         b'<t>\xe7\x8e\x8b</t></r></is></c>')
_EXCELS_OWN = {
    "plain": b'<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="s"><v>0</v></c></row>',
    "formula": b'<row r="1"><c r="A1"><f>SUM(B1:B2)</f><v>3</v></c></row>',
    "formula-no-value": b'<row r="1"><c r="A1"><v>1</v></c><c r="E2"><f>SUM(A1:A2)</f></c></row>',
    "error-value": b'<row r="1"><c r="A1"><v>1</v></c><c r="E2" t="e"><v>#DIV/0!</v></c></row>',
    "far-row": b'<row r="1"><c r="A1"><v>1</v></c><c r="Z1048576"><v>1</v></c></row>',
    "far-column": b'<row r="1"><c r="A1"><v>1</v></c><c r="GS1"><v>1</v></c></row>',
    "wide-area": b'<row r="1"><c r="A1"><v>1</v></c><c r="gr30000"><v>1</v></c></row>',
}
_OTHER_FORMS = {
    "rich-text": b'<row r="1" spans="1:2"><c r="A1"><v>1</v></c></row><row r="2">' + _RICH + b"</row>",
    "no-reference-first": b'<row r="1"><c s="3" r="A1"><v>1</v></c><c><v>2</v></c></row><row><c r="C2"/></row>',
    "single-quotes": b"<row r='1'><c r='A1'><v>1</v></c><c r='GR1048576'><v>1</v></c></row>",
    "spaces-round-equals": b'<row r="1"><c r = "A1"><v>1</v></c><c r = "GR1048576"><v>1</v></c></row>',
    "line-break": b'<row r="1"><c\nr="A1"><v>1</v></c><c\tr="GR1048576"><v>1</v></c></row>',
    "prefix": b'<row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="GR1048576"><x:v>1</x:v></x:c></row>',
}


def _sheet_xml(body: bytes) -> bytes:
    return (b'<worksheet xmlns:x="urn:x"><dimension ref="A1:C2"/>' + _COLS + b"<sheetData>" + body + _AFTER)


def _verdict(scan: object, tmp_path: Path, body: bytes) -> str | None:
    path = wb.write_xlsx(tmp_path / "s.xlsx", [("上级加分", [_sheet_xml(body)])])
    with zipfile.ZipFile(path) as zf:
        try:
            scan(zf, zf.getinfo("xl/worksheets/sheet1.xml"), "上级加分", ValidationError)  # type: ignore[operator]
        except ValidationError as exc:
            return str(exc)
    return None


@pytest.mark.parametrize("form", list(_EXCELS_OWN))
def test_counting_and_parsing_a_sheet_give_the_same_verdict(tmp_path: Path, form: str) -> None:
    body = _EXCELS_OWN[form]
    counted = _verdict(guard_sheet._count_sheet, tmp_path, body)
    assert counted == _verdict(guard_sheet._parse_sheet, tmp_path, body)
    assert (counted is None) == (form in ("plain", "formula"))


@pytest.mark.parametrize("form", list(_OTHER_FORMS))
def test_a_sheet_in_another_form_is_parsed_and_its_far_cell_found(tmp_path: Path, form: str) -> None:
    body = _OTHER_FORMS[form]
    with pytest.raises(guard_sheet._Other):
        _verdict(guard_sheet._count_sheet, tmp_path, body)
    verdict = _verdict(guard_sheet.scan_sheet, tmp_path, body)
    assert (verdict is None) == (form in ("rich-text", "no-reference-first"))
    if verdict is not None:
        assert "至少用到第 1,048,576 行" in verdict


def test_the_byte_count_cut_at_a_row_adds_up() -> None:
    # A long sheet is counted in pieces cut before a row: the first ends inside <sheetData>.
    piece = _sheet_xml(_EXCELS_OWN["plain"] + b'<row r="2"><c r="A2"><v>1</v></c></row>')
    rows, cells, inside = guard_sheet._count_tags(piece, False)
    assert (rows, cells, inside) == (2, 3, False)
    cut = piece.rfind(b"<row", 0, piece.find(b"</sheetData"))
    first, second = guard_sheet._count_tags(piece[:cut], False), guard_sheet._count_tags(piece[cut:], True)
    assert first[2] is True and second[2] is False
    assert (first[0] + second[0], first[1] + second[1]) == (rows, cells)


def test_a_cell_with_its_reference_after_another_attribute_is_still_placed(tmp_path: Path) -> None:
    body = b'<row r="1"><c r="A1"><v>1</v></c><c s="1" r="GS1"><v>1</v></c></row>'
    path = wb.write_xlsx(tmp_path / "gs.xlsx", [("上级加分", [wb.SHEET_HEAD, body, wb.SHEET_TAIL])])
    with pytest.raises(ValidationError, match="用到了第 GS 列"):
        guard.check_workbook(path)
