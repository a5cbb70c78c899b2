"""Work in proportion to the workbook, not to how often a file repeats itself: the reader fills
a tall merge once however many copies of it there are, a sheet with more merged ranges than any
table has is refused before calamine hands them all to Python, and sheets whose grids add up
past the workbook's limit are refused however small each is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop.models.db import open_database
from desktop.models.enums import Role
from desktop.services.actor import Actor
from desktop.services.errors import ValidationError
from desktop.services.exchange import guard
from desktop.services.exchange.guard_sheet import MAX_MERGES
from desktop.services.exchange.import_ import import_file
from desktop.services.exchange.reader import fill_merged
from tests.reliability import workbooks as wb


class _Counted(list):  # type: ignore[type-arg]
    """Rows that count how often one is looked up."""

    lookups = 0

    def __getitem__(self, index: Any) -> Any:
        _Counted.lookups += 1
        return super().__getitem__(index)


def test_copies_of_one_tall_merge_are_filled_once() -> None:
    """20,000 copies of a merge over 5,000 rows (a 600 KB file could say so) walked those rows
    20,000 times: 100 million steps. Excel never writes overlapping merges; one is filled."""
    rows = _Counted([["一所"]] + [[""] for _ in range(5_000)])
    _Counted.lookups = 0
    filled = fill_merged(rows, [((0, 0), (5_000, 0))] * 20_000, below=-1)
    assert filled == 5_000 and all(r[0] == "一所" for r in rows)
    assert _Counted.lookups < 50_000


def test_merges_side_by_side_and_one_below_another_are_all_filled() -> None:
    rows = [["一所", "王伟"], ["", ""], ["二所", ""], ["", "李娜"], ["", ""]]
    merges = [((0, 0), (1, 0)), ((0, 1), (2, 1)), ((2, 0), (4, 0)), ((3, 1), (4, 1))]
    assert fill_merged(rows, merges, below=-1) == 6
    assert rows == [["一所", "王伟"], ["一所", "王伟"], ["二所", "王伟"], ["二所", "李娜"], ["二所", "李娜"]]


@pytest.mark.parametrize("prefix", ["", "x:"], ids=["plain", "prefixed"])
def test_a_sheet_with_too_many_merged_ranges_is_refused(tmp_path: Path, prefix: str) -> None:
    merges = "".join(f'<{prefix}mergeCell ref="A{n}:B{n}"/>' for n in range(1, MAX_MERGES + 2)).encode()
    tail = f"</sheetData><mergeCells>{merges.decode()}</mergeCells></worksheet>".encode()
    path = wb.write_xlsx(tmp_path / "合并.xlsx", [("上级加分", [wb.SHEET_HEAD, wb.row_xml(1, ["警号"]).encode(), tail])])
    with pytest.raises(ValidationError, match="有超过 100,000 处合并单元格"):
        guard.check_workbook(path)


def test_many_sheets_whose_grids_add_up_past_the_workbook_limit_are_refused(station_db: Path, tmp_path: Path) -> None:
    """Six sheets of two cells each, A1 and GR19000: each grid (3.8 million cells) within a
    sheet's limit, together 22.8 million; the reader stops at the sixth, before converting it."""
    body = wb.SHEET_HEAD + b'<row r="1"><c r="A1"><v>1</v></c><c r="GR19000"><v>1</v></c></row>' + wb.SHEET_TAIL
    path = wb.write_xlsx(tmp_path / "多表.xlsx", [(f"表{n}", [body]) for n in range(1, 7)])
    guard.check_workbook(path)  # each sheet passes on its own
    db = open_database(station_db)
    try:
        with pytest.raises(ValidationError, match="各工作表的数据区域合计超过 20,000,000 格"):
            import_file(db, Actor(None, "clerk", "内勤", Role.CLERK), path)
    finally:
        db.dispose()


def test_the_merges_of_an_ods_are_found_in_one_flat_pass(tmp_path: Path) -> None:
    """300,000 empty rows, one merge below them: found, with no tree of the rows kept (the
    ElementTree pass before held every row it had read: tens of MB here, GB for a crafted file)."""
    import tracemalloc
    import zipfile

    from desktop.services.exchange.ods_merges import ods_merges

    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    rows = "<table:table-row><table:table-cell/></table:table-row>" * 300_000
    merged = '<table:table-row><table:table-cell table:number-rows-spanned="3"/></table:table-row>'
    content = (f'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               f'xmlns:table="{table}"><office:body><office:spreadsheet><table:table table:name="名册">'
               f"{rows}{merged}</table:table></office:spreadsheet></office:body></office:document-content>")
    path = tmp_path / "名册.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
    tracemalloc.start()
    try:
        found = ods_merges(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == {"名册": [((300_000, 0), (300_002, 0))]}
    assert peak < 8 * 2**20
