"""Old Excel (.xls, BIFF8) workbooks built byte by byte, for the reader and the guard's tests.

Nothing in our stack writes .xls any more, yet county bureaus still send it. The files here are
what Excel 97-2003 writes, reduced to what a reader needs: a compound file (512-byte sectors,
one FAT, no mini stream: the Workbook stream is padded to 4 KB) holding the globals (BOF,
CodePage, BoundSheet, SST split into Continue records at 8,224 bytes, EOF) and one substream
per sheet (BOF, Dimensions, LabelSst / Number cells, MergeCells, EOF). Each builder has knobs
for the malformed shapes the guard must catch.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECTOR = 512
END, FREE, FAT_SECT, NO_STREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
MAX_RECORD = 8224  # the longest record body Excel writes; longer data goes on in Continue records


def record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def bof(kind: int) -> bytes:  # 0x0005 workbook globals, 0x0010 worksheet
    return record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0x41, 0x06))


EOF = record(0x000A, b"")


def _text(value: str) -> bytes:
    return value.encode("utf-16-le")


def sst_records(strings: Sequence[str], cells: int) -> bytes:
    """The SST and its Continue records. A string's characters may run on into a Continue
    record, which then starts with the flags byte again, as Excel writes it."""
    chunks: list[bytearray] = [bytearray(struct.pack("<II", cells, len(strings)))]
    for value in strings:
        head = struct.pack("<HB", len(value), 1)
        if len(chunks[-1]) + len(head) + 2 > MAX_RECORD:  # a string header never straddles
            chunks.append(bytearray())
        chunks[-1] += head
        chars = _text(value)
        while chars:
            room = (MAX_RECORD - len(chunks[-1])) // 2 * 2
            if room == 0:
                chunks.append(bytearray(b"\x01"))
                continue
            chunks[-1] += chars[:room]
            chars = chars[room:]
    return record(0x00FC, bytes(chunks[0])) + b"".join(record(0x003C, bytes(c)) for c in chunks[1:])


@dataclass
class Sheet:
    name: str
    rows: Sequence[Sequence[Any]]  # str → LabelSst, int/float → Number, None → no cell
    merges: Sequence[tuple[int, int, int, int]] = ()  # first row, last row, first col, last col
    dimensions: tuple[int, int, int, int] | None = None  # rows and columns claimed (else the real ones)
    extra: list[bytes] = field(default_factory=list)  # raw records put after the cells


def _cells(sheet: Sheet, index: dict[str, int]) -> tuple[bytes, int]:
    out, labels = bytearray(), 0
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                out += record(0x00FD, struct.pack("<HHHI", r, c, 15, index.setdefault(value, len(index))))
                labels += 1
            else:
                out += record(0x0203, struct.pack("<HHHd", r, c, 15, float(value)))
    return bytes(out), labels


def _substream(sheet: Sheet, cells: bytes) -> bytes:
    width = max((len(r) for r in sheet.rows), default=0)
    first_row, last_row, first_col, last_col = sheet.dimensions or (0, len(sheet.rows), 0, width)
    body = bof(0x0010) + record(0x0200, struct.pack("<IIHHH", first_row, last_row, first_col, last_col, 0)) + cells
    if sheet.merges:
        body += record(0x00E5, struct.pack("<H", len(sheet.merges))
                       + b"".join(struct.pack("<HHHH", *m) for m in sheet.merges))
    return body + b"".join(sheet.extra) + EOF


def workbook_stream(sheets: Sequence[Sheet], strings: Sequence[str] = (), globals_: Sequence[bytes] = ()) -> bytes:
    """The Workbook stream: globals, then each sheet's substream at the offset its BoundSheet names.
    `strings` are put first in the SST (for shapes whose cells name an index on purpose);
    `globals_` are raw records put after the CodePage (defined names, say)."""
    index = {s: i for i, s in enumerate(strings)}
    built = [_cells(sheet, index) for sheet in sheets]
    subs = [_substream(sheet, cells) for sheet, (cells, _) in zip(sheets, built, strict=True)]
    names = [record(0x0085, struct.pack("<IBBBB", 0, 0, 0, len(s.name), 1) + _text(s.name)) for s in sheets]
    head = bof(0x0005) + record(0x0042, struct.pack("<H", 1200)) + b"".join(globals_)
    sst = sst_records(list(index), sum(n for _, n in built))
    at = len(head) + sum(map(len, names)) + len(sst) + len(EOF)
    bound = b""
    for name, sub in zip(names, subs, strict=True):
        bound += name[:4] + struct.pack("<I", at) + name[8:]
        at += len(sub)
    return head + bound + sst + EOF + b"".join(subs)


def defined_name(name: str) -> bytes:
    """A Lbl record: a workbook-wide defined name standing for Sheet1!$A$1."""
    rgce = b"\x3a" + struct.pack("<HHH", 0, 0, 0)  # PtgRef3d
    return record(0x0018, struct.pack("<HBBHHHBBBB", 0, 0, len(name), len(rgce), 0, 0, 0, 0, 0, 0)
                  + b"\x01" + _text(name) + rgce)


def formula(row: int, col: int, tokens: bytes) -> bytes:
    """A Formula record (cached value 0) whose parsed expression is `tokens`."""
    return record(0x0006, struct.pack("<HHHdHI", row, col, 15, 0.0, 0, 0) + struct.pack("<H", len(tokens)) + tokens)


def _entry(name: str, kind: int, start: int, size: int, child: int = NO_STREAM) -> bytes:
    encoded = _text(name) + b"\0\0" if name else b""
    return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, NO_STREAM, NO_STREAM, child)
            + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IQ", start, size))


def compound_file(stream: bytes, name: str = "Workbook", size: int | None = None, loop: bool = False) -> bytes:
    """A version-3 compound file holding one stream, padded to 4 KB after its last record (so
    it lives in ordinary sectors). `size` overrides the length its directory entry claims;
    `loop` points the stream's last sector back at its first."""
    data = stream.ljust(max(len(stream), 4096), b"\0")
    data += b"\0" * (-len(data) % SECTOR)
    n_data = len(data) // SECTOR
    total = n_data + 1  # data sectors and the directory sector
    n_fat = 1
    while total + n_fat > n_fat * (SECTOR // 4):
        n_fat += 1
    fat = [i + 1 for i in range(n_data - 1)] + [0 if loop else END, END] + [FAT_SECT] * n_fat
    fat += [FREE] * (n_fat * SECTOR // 4 - len(fat))
    directory = (_entry("Root Entry", 5, END, 0, child=1) + _entry(name, 2, 0, len(data) if size is None else size)
                 + _entry("", 0, 0, 0) * 2)
    difat = [n_data + 1 + i for i in range(n_fat)] + [FREE] * (109 - n_fat)
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16
              + struct.pack("<HHHHH", 0x003E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, n_fat, n_data, 0, 4096, END, 0, END, 0)
              + struct.pack("<109I", *difat))
    return header + data + directory + struct.pack(f"<{len(fat)}I", *fat)


def write_xls(path: Path, sheets: Sequence[Sheet], strings: Sequence[str] = (), globals_: Sequence[bytes] = ()) -> Path:
    path.write_bytes(compound_file(workbook_stream(sheets, strings, globals_)))
    return path
