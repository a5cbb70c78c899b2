"""The sheet scan's column bound (`guard._widest`): a sheet within A–Z is passed on a bound, never
refused for it, and one that uses more columns or a grid too large is still caught exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.errors import ValidationError
from desktop.services.exchange import guard
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
