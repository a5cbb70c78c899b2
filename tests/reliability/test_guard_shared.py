"""Shared strings that expand to more text than a workbook can hold are refused before calamine
copies them into every cell (`guard_shared`): a 12 KB file of one 1 MB string named by 2,000
cells made calamine hold 1.9 GB."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from desktop.services.errors import ValidationError
from desktop.services.exchange import guard, guard_shared
from tests.reliability import workbooks as wb

# 300,000 random characters: incompressible, so the zip's ratio limit does not see it.
_LONG = "".join(map(chr, random.Random(18).choices(range(0x4E00, 0x9FA5), k=300_000)))


def _book(tmp_path: Path, long_cells: int, short_cells: int = 0, *, reference_first: bool = True) -> Path:
    cell = b'<c r="A%d" t="s"><v>%d</v></c>' if reference_first else b'<c t="s" r="A%d"><v>%d</v></c>'
    rows = [(n, 0) for n in range(1, long_cells + 1)] + [(n, 1) for n in range(long_cells + 1, long_cells + short_cells + 1)]
    body = b"".join(b'<row r="%d">' % n + cell % (n, index) + b"</row>" for n, index in rows)
    return wb.write_xlsx(tmp_path / "sst.xlsx", [("上级加分", [wb.SHEET_HEAD, body, wb.SHEET_TAIL])],
                         shared=[_LONG, "王伟"], level=6)


@pytest.mark.parametrize("reference_first", [True, False], ids=["excel-form", "type-before-reference"])
def test_one_long_string_named_by_many_cells_is_refused(tmp_path: Path, reference_first: bool) -> None:
    path = _book(tmp_path, 400, reference_first=reference_first)  # 120 million characters from a 1 MB file
    assert path.stat().st_size < 2_000_000
    with pytest.raises(ValidationError, match="共享文字展开后超过 1 亿字"):
        guard.check_workbook(path)


def test_a_long_string_named_by_a_few_cells_is_read(tmp_path: Path) -> None:
    # 340 cells times the longest string passes the limit, so the real total is added up: 40 cells
    # of the long string (12 million characters) and 300 of a short one.
    assert 340 * len(_LONG) > guard_shared.MAX_TEXT > 40 * len(_LONG)
    guard.check_workbook(_book(tmp_path, 40, 300))  # not refused


@pytest.mark.parametrize(("shared", "value"), [
    (["王伟", _LONG], b"0000000000001"),  # 13 digits: the first 12 were read, "000000000000", so index 0
    ([_LONG, "王伟"], b"x"),  # not a number: calamine's parser fails and it takes string 0
    ([_LONG, "王伟"], b" 1"),  # a space before the digits: the same
], ids=["index-behind-zeros", "not-a-number", "space-before-digits"])
def test_an_index_is_read_as_calamine_reads_it(tmp_path: Path, shared: list[str], value: bytes) -> None:
    body = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>%s</v></c></row>' % (n, n, value) for n in range(1, 401))
    path = wb.write_xlsx(tmp_path / "sst.xlsx", [("上级加分", [wb.SHEET_HEAD, body, wb.SHEET_TAIL])],
                         shared=shared, level=6)
    with pytest.raises(ValidationError, match="共享文字展开后超过 1 亿字"):
        guard.check_workbook(path)
