"""An old Excel workbook (.xls) checked before calamine reads it (`guard.check_workbook`).

calamine reads the whole .xls when it opens it, and five files of 6 KB each made it abort the
whole program (tests/reliability/test_guard_xls.py builds each one):

- a Dimensions record claiming 2³¹ rows: calamine reserves room for rows × columns first;
- one cell at row 65,535, column 65,535 (cell records carry 16-bit columns, not Excel's 256):
  the grid is built from A1 to the farthest cell;
- one 32,767-character shared string named by 60,000 cells: calamine copies it into each;
- a stream whose directory entry claims 4 GB and whose sector chain loops back on itself:
  calamine follows the chain until it has that much;
- a loop in the chain of directory or DIFAT sectors: calamine follows it forever.

A library for the compound file (olefile) would not help: what matters is what calamine does
with a malformed one, so `_Container` reads the header, FAT and directory as calamine's cfb.rs
does, refusing where it would loop or over-allocate, and `_check_records` walks the BIFF
records as its xls.rs does (Continue records joined, embedded chart substreams skipped). The
limits are those of the .xlsx check. A panic inside calamine (a record too short, say) is not
an abort; the reader turns it into a refusal (`reader.calamine_failure`).
"""

from __future__ import annotations

import functools
import struct
from collections import Counter
from collections.abc import Callable, Iterator

from desktop.services.exchange import guard_xls_formula
from desktop.services.exchange.guard_shared import MAX_TEXT
from desktop.services.exchange.guard_sheet import MAX_CELLS, MAX_COLUMNS, MAX_MERGES, MAX_ROWS, Refuse

END_OF_CHAIN, RESERVED = 0xFFFFFFFE, 0xFFFFFFFA
DIF_SECT = 0xFFFFFFFC
MINI_CUTOFF = 4096
# Characters calamine may move writing out formulas (inserts shift the text behind them): an 8 KB
# formula of 2,000 spaces tokens is 1.3e11 and took it 1.5 s; real formulas move a few hundred.
MAX_MOVED = 200_000_000_000
XLS_GRID = 65_536 * 256  # the format's own sheet: rows x columns
MAX_RESERVE = 1 << 24  # u32 entries calamine may reserve for the DIFAT from a quirk of its header read
STREAM_NAMES = ("Workbook", "Book", "WORKBOOK", "BOOK")  # in calamine's order
DAMAGED = "旧版 Excel 工作簿（.xls）的文件结构已损坏（{}）；请在 Excel 或 WPS 中打开，另存为 .xlsx 后再导入"

_U32 = struct.Struct("<I")
_HEAD = struct.Struct("<HH")
_CELLS = frozenset({0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006})  # Number, Label, RString,
# BoolErr, RK, LabelSst, Formula: each names its cell's row and column in its first four bytes


class _Container:
    """The compound file as calamine's cfb.rs reads it, refusing what would make it loop or
    allocate beyond the file."""

    def __init__(self, data: bytes, refuse: Refuse) -> None:
        self.data, self.refuse = data, refuse
        if len(data) < 512:
            raise self._damaged("文件头不完整")
        shift = struct.unpack_from("<H", data, 30)[0]
        if shift not in (9, 12) or struct.unpack_from("<H", data, 32)[0] != 6:
            raise self._damaged("扇区大小不对")
        self.size = 1 << shift
        self.version = struct.unpack_from("<H", data, 26)[0]
        self.maxid = len(data) // self.size
        fat_len, dir_start = struct.unpack_from("<II", data, 44)
        mini_start, mini_len, difat_start = struct.unpack_from("<III", data, 60)
        # calamine sizes its DIFAT buffer from bytes 62..66 of the header (half of two fields)
        if fat_len > self.maxid or _U32.unpack_from(data, 62)[0] > MAX_RESERVE:
            raise self._damaged("文件头的扇区计数不对")
        difat = list(struct.unpack_from("<109I", data, 76))
        seen: set[int] = set()
        sector = difat_start
        while sector < RESERVED:  # the DIFAT chain: each sector's last entry names the next
            if sector in seen:
                raise self._damaged("扇区表首尾相接")
            seen.add(sector)
            difat.extend(self._words(sector))
            sector = difat.pop()
        self.fat: list[int] = []
        for sector in difat:
            if sector < DIF_SECT:
                self.fat.extend(self._words(sector))
        directory = self.chain(dir_start, self.fat, self._sector, None)
        self.entries = [directory[i:i + 128] for i in range(0, len(directory), 128)]
        if not self.entries or (self.version != 3 and self._entry(0)[1] == END_OF_CHAIN):
            raise self._damaged("没有目录")
        self.mini_fat: list[int] = []
        self.mini = b""
        if mini_len > 0:
            _, root_start, root_len = self._entry(0)
            self.mini = self.chain(root_start, self.fat, self._sector, root_len)
            self.mini_fat = list(_words(self.chain(mini_start, self.fat, self._sector, mini_len * self.size)))

    def _damaged(self, why: str) -> Exception:
        return self.refuse(DAMAGED.format(why))

    def _sector(self, sector: int) -> bytes:
        if sector > self.maxid:
            raise self._damaged("扇区号超出文件")
        start = 512 + sector * self.size if self.size == 512 else (sector + 1) * self.size
        return self.data[start:start + self.size]

    def _mini_sector(self, sector: int) -> bytes:
        return self.mini[sector * 64:sector * 64 + 64]

    def _words(self, sector: int) -> list[int]:
        return list(_words(self._sector(sector)))

    def chain(self, sector: int, fat: list[int], read: object, length: int | None) -> bytes:
        """A sector chain's bytes up to `length` (None: to its end), as `Sectors::get_chain`."""
        out = bytearray()
        seen: set[int] = set()
        while sector != END_OF_CHAIN:
            if sector in seen:
                raise self._damaged("扇区链首尾相接")
            seen.add(sector)
            piece = read(sector)  # type: ignore[operator]
            out += piece if length is None else piece[:length - len(out)]
            if length is not None and len(out) >= length:
                break
            if sector >= len(fat):
                raise self._damaged("扇区链指向表外")
            sector = fat[sector]
        return bytes(out)

    def _entry(self, index: int) -> tuple[str, int, int]:
        raw = self.entries[index]
        name = raw[:64].decode("utf-16-le", "replace").split("\0", 1)[0]
        start = _U32.unpack_from(raw, 116)[0] if len(raw) >= 120 else 0
        length = (struct.unpack_from("<I" if self.size == 512 else "<Q", raw, 120)[0]
                  if len(raw) >= 128 else 0)
        return name, start, length

    def stream(self) -> bytes | None:
        """The Workbook stream (or BIFF5's Book), as calamine takes it; None when there is none."""
        found = {name: (start, length) for name, start, length in list(map(self._entry, range(len(self.entries))))[::-1]}
        for name in STREAM_NAMES:
            if name in found:
                start, length = found[name]
                if length < MINI_CUTOFF:
                    if not self.mini_fat:
                        raise self._damaged("小数据区缺失")
                    return self.chain(start, self.mini_fat, self._mini_sector, length)
                return self.chain(start, self.fat, self._sector, length)
        return None


def _words(data: bytes) -> Iterator[int]:
    return (w for (w,) in _U32.iter_unpack(data[:len(data) // 4 * 4]))


def _records(stream: bytes, at: int) -> Iterator[tuple[int, bytes, list[bytes]]]:
    """(type, body, the bodies of the Continue records after it), as calamine's RecordIter."""
    end = len(stream)
    while at + 4 <= end:
        kind, size = struct.unpack_from("<HH", stream, at)
        body = stream[at + 4:at + 4 + size]
        at += 4 + size
        if at > end:
            raise ValueError  # calamine: "record length"
        more: list[bytes] = []
        while at + 4 < end and struct.unpack_from("<H", stream, at)[0] == 0x003C:
            size = struct.unpack_from("<H", stream, at + 2)[0]
            more.append(stream[at + 4:at + 4 + size])
            at += 4 + size
        yield kind, body, more


def _sst_lengths(body: bytes, more: list[bytes]) -> list[int]:
    """Each shared string's length in characters, stepping through the SST exactly as calamine's
    `parse_sst` and `read_rich_extended_string` do: a string's characters may run on into the
    next Continue record, which starts with its own flags byte; a Continue record reached with
    nothing left to read is an empty string of its own (so the indices after it move on by one).
    ValueError where calamine fails or panics."""
    pieces = [body[8:], *more]
    lengths: list[int] = []
    piece, at = 0, 0

    def next_piece() -> bool:  # calamine's `continue_record`
        nonlocal piece, at
        if piece + 1 >= len(pieces):
            return False
        piece, at = piece + 1, 0
        return True

    def skip(n: int) -> None:
        nonlocal at
        while n > 0:
            if at >= len(pieces[piece]) and not next_piece():
                raise ValueError
            step = min(n, len(pieces[piece]) - at)
            at, n = at + step, n - step

    while at < len(pieces[piece]) or next_piece():
        data = pieces[piece]
        if at >= len(data):  # an empty Continue record: calamine reads an empty string
            lengths.append(0)
            continue
        if len(data) - at < 3:
            raise ValueError
        cch, flags = struct.unpack_from("<HB", data, at)
        at += 3
        runs = ext = 0
        if flags & 0x8:
            runs = struct.unpack_from("<H", data, at)[0]
            at += 2
        if flags & 0x4:
            ext = struct.unpack_from("<I", data, at)[0]
            at += 4
        wide, left = bool(flags & 1), cch
        while left > 0:
            take = min(left, max(len(pieces[piece]) - at, 0) // (2 if wide else 1))
            at += take * (2 if wide else 1)
            left -= take
            if left > 0:
                if not next_piece() or not pieces[piece]:
                    raise ValueError  # calamine: "dbcs" end of stream, or a panic on the empty record
                wide, at = bool(pieces[piece][0] & 1), 1
        skip(runs * 4 + ext)
        lengths.append(cch)
    return lengths


def check_xls(data: bytes, refuse: Refuse) -> None:
    """Raise `refuse(reason)` when calamine could not read the .xls in `data` within the limits."""
    stream = _Container(data, refuse).stream()
    if stream is None:
        return  # calamine reports the missing stream itself ("没有可以导入的表")
    try:
        _check_records(stream, refuse)
    except (ValueError, struct.error, IndexError) as exc:  # calamine fails on these too; say so plainly
        raise refuse(DAMAGED.format("记录不完整")) from exc


def _check_records(stream: bytes, refuse: Refuse) -> None:
    sheets: list[tuple[int, str]] = []
    strings: list[int] = []
    longest_name = longest_sheet = 0
    pre_biff8 = False
    for kind, body, more in _records(stream, 0):
        if kind == 0x002F and body[:2] != b"\0\0":
            raise refuse("工作簿设有打开密码（已加密），本程序不能读取。请在 Excel 或 WPS 中输入密码打开，取消密码后另存为 .xlsx 再导入")
        if kind == 0x0085:
            sheets.append((_U32.unpack_from(body)[0], _sheet_name(body, len(sheets))))
            longest_sheet = max(longest_sheet, body[6] if len(body) > 6 else 0)
        elif kind == 0x0018 and len(body) > 3:  # Lbl: a defined name, which a formula token spells out
            longest_name = max(longest_name, body[3])
        elif kind == 0x00FC:
            strings = _sst_lengths(body, more)
        elif kind == 0x0809 and len(body) >= 2:  # BOF: the BIFF version, read as calamine reads it
            version, kind_of = struct.unpack_from("<HH", body.ljust(4, b"\0"))
            pre_biff8 = version in (0x0002, 0x0007, 0x0200, 0x0300, 0x0400, 0x0500) or (version == 0 and kind_of == 0x1000)
        elif kind == 0x000A:
            break
    formula = functools.partial(guard_xls_formula.cost, longest_name=longest_name, longest_sheet=longest_sheet,
                                pre_biff8=pre_biff8)
    shared = formulas = moved = 0
    for at, name in sheets:
        if at > len(stream):
            raise refuse(DAMAGED.format(f"{name}的位置超出文件"))
        text, formula_text, formula_moved = _check_sheet(stream, at, name, strings, formula, refuse)
        shared, formulas, moved = shared + text, formulas + formula_text, moved + formula_moved
        if shared > MAX_TEXT:
            raise refuse(f"单元格引用的共享文字展开后超过 {MAX_TEXT // 100_000_000} 亿字（同一段长文字被大量单元格引用，"
                         "可能是“压缩炸弹”），为保护本机没有读取")
        if formulas > MAX_TEXT or moved > MAX_MOVED:
            raise refuse(f"公式写成文字后可能超过 {MAX_TEXT // 100_000_000} 亿字或要很长时间（很长的名称、表名或空格被大量"
                         "公式引用，可能是“压缩炸弹”），为保护本机没有读取；请在 Excel 或 WPS 中把公式转为数值，另存为 .xlsx 后再导入")


def _sheet_name(body: bytes, index: int) -> str:
    """A BoundSheet record's sheet name as the refusals quote it (BIFF8's form; else its number)."""
    if len(body) >= 8 and body[7] in (0, 1):
        size = body[6] * (2 if body[7] else 1)
        raw = body[8:8 + size]
        if len(raw) == size:
            return f"工作表“{raw.decode('utf-16-le' if body[7] else 'latin-1', 'replace')}”"
    return f"第 {index + 1} 张工作表"


def _check_sheet(stream: bytes, at: int, name: str, strings: list[int], formula: Callable[[bytes], tuple[int, int]],
                 refuse: Refuse) -> tuple[int, int, int]:
    """One sheet's substream: the room its Dimensions record asks for and its farthest cell;
    returns the characters its shared-string cells expand to, and what writing out its formulas
    costs (`formula`: characters, characters moved). A tight loop over offsets, not `_records`:
    a sheet of 30,000 rows is 400,000 records."""
    head, pair, word = _HEAD.unpack_from, _HEAD.unpack_from, _U32.unpack_from
    end = len(stream)
    last_row = last_col = -1
    labels: list[int] = []
    formula_text = formula_moved = merges = 0
    seen_bof, depth = False, 0
    while at + 4 <= end:
        kind, size = head(stream, at)
        body, at = at + 4, at + 4 + size
        if at > end:
            raise ValueError  # calamine: "record length"
        while at + 4 < end and stream[at] == 0x3C and stream[at + 1] == 0:  # Continue: part of this record
            at += 4 + head(stream, at)[1]
        if depth:
            depth += 1 if kind == 0x0809 else -1 if kind == 0x000A else 0
        elif kind in _CELLS:
            row, col = pair(stream, body)
            if row > last_row:
                last_row = row
            if col > last_col:
                last_col = col
            if kind == 0x00FD:
                labels.append(word(stream, body + 6)[0])
            elif kind == 0x0006:
                text, moved = formula(stream[body + 20:body + size])
                formula_text, formula_moved = formula_text + text, formula_moved + moved
        elif kind == 0x0809:
            depth, seen_bof = (1, True) if seen_bof else (0, True)
        elif kind == 0x000A:
            break
        elif kind == 0x00BD and size >= 6:  # MulRk: one row, a run of columns
            row, first = pair(stream, body)
            last_row, last_col = max(last_row, row), max(last_col, first + (size - 6) // 6 - 1)
        elif kind == 0x0200:
            _check_reserve(stream[body:body + size], name, refuse)
        elif kind == 0x00E5 and size >= 2:  # MergeCells: a count, then 8 bytes a range
            merges += min(struct.unpack_from("<H", stream, body)[0], (size - 2) // 8)
            if merges > MAX_MERGES:
                raise refuse(f"{name}有超过 {MAX_MERGES:,} 处合并单元格，不像是正常的表格；请取消多余的合并后再导入")
    _check_reach(name, last_row + 1, last_col + 1, refuse)
    shared = sum(strings[i] * n for i, n in Counter(labels).items() if i < len(strings))
    return shared, formula_text, formula_moved


def _check_reserve(body: bytes, name: str, refuse: Refuse) -> None:
    """calamine reserves rows x columns of cells for what the Dimensions record says (32-bit
    rows, wrapping as its own arithmetic does) before it reads a cell."""
    if len(body) == 10:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", body)
    elif len(body) == 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", body)
    else:
        return  # calamine refuses the record itself
    if first_col > 0xFF or last_col < first_col:
        first_col = 0
    if last_row < 1 or last_col < 1:
        return
    rows = (last_row - 1 - first_row + 1) % (1 << 32)
    # Some writers claim the whole grid; calamine survives that, so only more is refused.
    if rows * (last_col - first_col) > XLS_GRID:
        raise refuse(DAMAGED.format(f"{name}声明的区域有 {rows:,} 行 × {last_col - first_col:,} 列，"
                                    "超出 .xls 格式的 65,536 行 × 256 列"))


def _check_reach(name: str, rows: int, cols: int, refuse: Refuse) -> None:
    if rows > MAX_ROWS or cols > MAX_COLUMNS or rows * cols > MAX_CELLS:
        raise refuse(f"{name}的数据区域过大（{rows:,} 行 × {cols:,} 列），上限为每张表 {MAX_ROWS:,} 行、"
                     f"{MAX_COLUMNS} 列；请删除多余内容或拆分后再导入")
