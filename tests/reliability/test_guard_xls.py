"""Old Excel workbooks (.xls) that made calamine abort the program are refused before it opens
them (`guard_xls`); honest ones, however their records are laid out, still read.

Each crafted file below is a few KB. Before the check, calamine (under a 4 GB address-space
limit) aborted on every one but the last: it reserves what a Dimensions record claims, builds
the grid to the farthest cell, copies a shared string into every cell naming it, follows a
looping sector chain without end. The last made it panic, which pyo3 raises past any
`except Exception`. The tests never hand these files to calamine: it would take pytest down."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from desktop.models.audit import AuditEvent
from desktop.models.db import Database, open_database
from desktop.models.enums import Role
from desktop.models.ledger import Entry
from desktop.services.actor import Actor
from desktop.services.errors import ValidationError
from desktop.services.exchange import guard, guard_shared, guard_xls, guard_xls_formula, sheet_prefetch
from desktop.services.exchange.import_ import import_file
from desktop.services.exchange.reader import open_sheets
from tests.reliability import xls_files as xls

ROWS = [["考核积分明细（2026年第四季度）", None, None], ["姓名", "项目", "分值"], ["王伟", "流动人口登记", 2]]
DAMAGED = "文件结构已损坏"


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "积分明细.xls"
    path.write_bytes(data)
    return path


def _sheet(**kw: object) -> bytes:
    return xls.compound_file(xls.workbook_stream([xls.Sheet("积分明细", ROWS, **kw)]))  # type: ignore[arg-type]


def _number(row: int, col: int) -> bytes:
    return xls.record(0x0203, struct.pack("<HHHd", row, col, 15, 1.0))


def _difat_loop() -> bytes:
    data = bytearray(_sheet())
    struct.pack_into("<II", data, 0x44, 5, 1)  # the DIFAT starts at sector 5 (padding) ...
    struct.pack_into("<I", data, 512 + 5 * 512 + 508, 5)  # ... whose last entry names sector 5 again
    return bytes(data)


def _directory_loop() -> bytes:
    data = bytearray(_sheet())
    fat_at = len(data) - 512  # the FAT is the last sector; the directory sits just before it
    directory = (fat_at - 512 - 512) // 512
    struct.pack_into("<I", data, fat_at + 4 * directory, directory)
    return bytes(data)


def _shared_bomb() -> bytes:
    long = "长" * 32_767
    cells = b"".join(xls.record(0x00FD, struct.pack("<HHHI", r % 60_000, r // 60_000, 15, 0)) for r in range(4_000))
    return xls.compound_file(xls.workbook_stream([xls.Sheet("积分明细", [[None]], extra=[cells])], strings=[long]))


def _formula_bomb() -> bytes:
    """A 255-character defined name, and 300 formulas each adding it up 1,361 times: 2.5 MB that
    calamine spells out as 104 million characters when it opens the file (a 2 MB file of the
    same made it hold 270 MB; the 100 MB a file may have, some 13 GB)."""
    name = b"\x23" + struct.pack("<I", 1)  # PtgName, defined name 1
    tokens = name + (name + b"\x03") * 1_360  # name + name + ... (PtgAdd)
    cells = [xls.formula(r, 0, tokens) for r in range(300)]
    return xls.compound_file(xls.workbook_stream([xls.Sheet("积分明细", ROWS, extra=cells)],
                                                 globals_=[xls.defined_name("名" * 255)]))


def _spaces_bomb() -> bytes:
    """Two 8 KB formulas, each a number and 2,000 PtgAttrSpace tokens of 255 spaces: calamine
    inserts the spaces one at a time before the number, moving the text each time (one such
    formula took it 1.5 s; 100 MB of them, hours)."""
    tokens = b"\x1e" + struct.pack("<H", 7) + b"\x19\x40\x00\xff" * 2_000
    return xls.compound_file(xls.workbook_stream([xls.Sheet("积分明细", ROWS, extra=[xls.formula(r, 0, tokens)
                                                                                   for r in range(5, 7)])]))


def _many_merges() -> bytes:
    """13 MergeCells records of 8,000 ranges each: 104,000 merged ranges for Python to hold."""
    ranges = b"".join(struct.pack("<HHHH", r, r, 0, 1) for r in range(8_000))
    merges = [xls.record(0x00E5, struct.pack("<H", 8_000) + ranges) for _ in range(13)]
    return xls.compound_file(xls.workbook_stream([xls.Sheet("积分明细", ROWS, extra=merges)]))


CRAFTED = {
    "dimensions-2-31-rows": (lambda: _sheet(dimensions=(0, 2**31, 0, 256)), "超出 .xls 格式的 65,536 行 × 256 列"),
    "dimensions-wrapping": (lambda: _sheet(dimensions=(9, 3, 0, 3)), "超出 .xls 格式"),
    "far-cell": (lambda: _sheet(extra=[_number(65_535, 65_535)]), "数据区域过大（65,536 行 × 65,536 列）"),
    "mulrk-past-200-columns": (lambda: _sheet(extra=[xls.record(0x00BD, struct.pack("<HH", 3, 190)
                                                                + struct.pack("<HI", 15, 2) * 20 + struct.pack("<H", 209))]),
                               "数据区域过大（4 行 × 210 列）"),
    "shared-string-bomb": (_shared_bomb, "共享文字展开后超过 1 亿字"),
    "formula-bomb": (_formula_bomb, "公式写成文字后可能超过 1 亿字"),
    "formula-spaces-bomb": (_spaces_bomb, "公式写成文字后可能超过 1 亿字或要很长时间"),
    "too-many-merges": (_many_merges, "有超过 100,000 处合并单元格"),
    "looping-stream-chain": (lambda: xls.compound_file(xls.workbook_stream([xls.Sheet("积分明细", ROWS)]),
                                                       size=2**32 - 1, loop=True), "扇区链首尾相接"),
    "looping-difat": (_difat_loop, "扇区表首尾相接"),
    "looping-directory": (_directory_loop, "扇区链首尾相接"),
    "small-stream-without-mini-fat": (lambda: xls.compound_file(xls.workbook_stream([xls.Sheet("积分明细", ROWS)]),
                                                                size=600), "小数据区缺失"),
}


@pytest.mark.parametrize("case", list(CRAFTED))
def test_a_crafted_xls_is_refused_before_calamine_opens_it(tmp_path: Path, case: str) -> None:
    make, expected = CRAFTED[case]
    path = _file(tmp_path, make())
    assert path.stat().st_size < 2_600_000
    with pytest.raises(ValidationError, match=expected) as caught:
        open_sheets(path)  # the reader's way in: the guard first, so calamine is never reached
    assert str(caught.value).startswith("“积分明细.xls”不能导入：")


def test_an_import_of_a_crafted_xls_writes_nothing(station_db: Path, tmp_path: Path) -> None:
    db = open_database(station_db)
    try:
        before = _counts(db)
        with pytest.raises(ValidationError, match="共享文字展开后超过 1 亿字"):
            import_file(db, Actor(None, "clerk", "内勤", Role.CLERK), _file(tmp_path, _shared_bomb()))
        assert _counts(db) == before
    finally:
        db.dispose()


def _counts(db: Database) -> tuple[int, int]:
    with db.session() as session:
        return (session.scalar(select(func.count()).select_from(Entry)) or 0,
                session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_a_password_protected_xls_is_named_as_such(tmp_path: Path) -> None:
    stream = bytearray(xls.workbook_stream([xls.Sheet("积分明细", ROWS)]))
    at = stream.index(xls.record(0x0042, struct.pack("<H", 1200)))  # FilePass in place of CodePage
    stream[at:at + 6] = xls.record(0x002F, struct.pack("<H", 1))
    with pytest.raises(ValidationError, match="设有打开密码"):
        guard.check_workbook(_file(tmp_path, xls.compound_file(bytes(stream))))


def test_records_cut_short_are_refused_as_damaged(tmp_path: Path) -> None:
    stream = xls.workbook_stream([xls.Sheet("积分明细", ROWS)])
    cut = stream[:-4] + struct.pack("<HH", 0x0203, 8000)  # for the sheet's EOF, a Number running past the stream
    with pytest.raises(ValidationError, match=DAMAGED):
        guard.check_workbook(_file(tmp_path, xls.compound_file(cut)))


def test_a_panic_inside_calamine_is_a_refusal_not_a_crash(tmp_path: Path) -> None:
    """Past the guard (called directly), calamine panics on a small stream without a mini FAT;
    the reader's wrapper turns pyo3's PanicException into a clear ValidationError."""
    path = _file(tmp_path, CRAFTED["small-stream-without-mini-fat"][0]())
    with pytest.raises(ValidationError, match="读取器在文件里遇到无法理解的内容"):
        sheet_prefetch._calamine(path)


def test_honest_files_read_whatever_their_layout(tmp_path: Path) -> None:
    """A string running on through two Continue records, a Dimensions record claiming the whole
    grid (some writers do), a far cell inside an embedded chart's substream (calamine skips it),
    a long string named by a few cells, 2,000 formulas beside a 40-character defined name: all
    pass, and calamine reads what was written."""
    long = "流动人口登记" * 2_000  # 12,000 characters: the SST runs on into two Continue records
    rows = [*ROWS, *(["李娜", long, n] for n in range(30))]
    chart = xls.bof(0x0020) + _number(65_535, 65_535) + xls.EOF
    sums = [xls.formula(40 + r, 2, b"\x1e" + struct.pack("<H", r)) for r in range(2_000)]  # PtgInt
    path = xls.write_xls(tmp_path / "积分明细.xls", [xls.Sheet("积分明细", rows, merges=[(0, 0, 0, 2)],
                                                                dimensions=(0, 65_536, 0, 256), extra=[chart, *sums])],
                         globals_=[xls.defined_name("合计" * 20)])
    guard.check_workbook(path)  # not refused
    book = CalamineWorkbook.from_path(str(path))
    sheet = book.get_sheet_by_name("积分明细")
    rows_read = sheet.to_python()
    assert rows_read[3] == ["李娜", long, 0.0] and sheet.merged_cell_ranges == [((0, 0), (0, 2))]
    assert len(rows_read) == 2_040 and rows_read[2_039][2] == 0.0  # the last formula's cached value


def test_shared_string_lengths_follow_continue_records_and_rich_text() -> None:
    """The SST stepped as calamine steps it: a wide string split across a Continue record (which
    repeats the flags byte, here switching to one byte a character), rich-text runs and a phonetic
    block skipped, an empty string, an empty Continue record."""
    first = struct.pack("<II", 4, 4) + struct.pack("<HB", 3, 0) + b"abc"
    first += struct.pack("<HBH", 2, 0x09, 2) + "王伟".encode("utf-16-le") + b"\0" * 8  # 2 rich runs
    first += struct.pack("<HBI", 6, 0x05, 4) + "流动".encode("utf-16-le")  # 6 wide chars, 2 here ...
    more = [b"\x00" + b"renk" + b"\xff" * 4, struct.pack("<HB", 0, 0)]  # ... 4 narrow there; phonetic
    assert guard_xls._sst_lengths(first, more) == [3, 2, 6, 0]
    # An empty Continue record between strings is an empty string of its own to calamine (checked:
    # cells naming 0, 1, 2 read "a", "", "bc"), so every index after it moves on by one.
    a, bc = struct.pack("<II", 3, 3) + struct.pack("<HB", 1, 0) + b"a", struct.pack("<HB", 2, 0) + b"bc"
    assert guard_xls._sst_lengths(a, [b"", bc]) == [1, 0, 2]
    with pytest.raises(ValueError):  # characters running on into an empty record: calamine panics
        guard_xls._sst_lengths(struct.pack("<II", 1, 1) + struct.pack("<HB", 5, 0) + b"ab", [b"", b"\x00cde"])


def test_formula_tokens_are_stepped_as_calamine_steps_them() -> None:
    """A string token is its count, a flags byte and the characters (calamine skips 2 + count
    bytes), so the spaces token after it is seen: 255 inserts, each moving the text so far; a
    number is written without an exponent; an unknown token ends the walk where calamine gives up."""
    def cost(tokens: bytes, name: int = 0, sheet: int = 0) -> tuple[int, int]:
        return guard_xls_formula.cost(struct.pack("<H", len(tokens)) + tokens, name, sheet)
    text = b"\x17\x02\x00ab"  # "ab"
    assert cost(text + b"\x19\x40\x00\xff") == (4 + 255, 255 * (4 + 255))
    assert cost(b"\x1f" + struct.pack("<d", 1e300))[0] >= 301
    assert cost(b"\x23" + struct.pack("<I", 1), name=200) == (200, 0)
    assert cost(b"\x02\x00\x00\x00\x00" + b"\x19\x40\x00\xff") == (guard_xls_formula.GIVEN_UP, 0)


def test_text_limit_is_the_xlsx_one() -> None:
    assert guard_xls.MAX_TEXT == guard_shared.MAX_TEXT
