"""Build good and hostile .xlsx files cheaply, by writing the package parts directly.

openpyxl would take minutes and gigabytes for a million rows; writing the sheet XML in chunks
into a zip member streams it in seconds. `cell` values: str → inline string, int/float →
number, None → no cell, `Formula("SUM(A1:A3)", cached)` → a formula (with or without the
cached result that Excel stores and openpyxl does not).
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}</Types>"
)
SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
              'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>'
)
SHEET_REL = ('<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
             'worksheet" Target="worksheets/sheet{n}.xml"/>')
SHARED_TYPE = ('<Override PartName="/xl/sharedStrings.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
SHARED_REL = ('<Relationship Id="rId999" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'sharedStrings" Target="sharedStrings.xml"/>')
SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = b"</sheetData></worksheet>"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


@dataclass(frozen=True)
class Formula:
    text: str
    cached: Any = None  # None: no cached value (as openpyxl writes formulas)


@dataclass(frozen=True)
class ErrorCell:
    code: str = "#DIV/0!"  # what Excel stores for a formula that failed


def column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_xml(ref: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        cached = "" if value.cached is None else f"<v>{escape(str(value.cached))}</v>"
        kind = ' t="str"' if isinstance(value.cached, str) else ""
        return f'<c r="{ref}"{kind}><f>{escape(value.text)}</f>{cached}</c>'
    if isinstance(value, ErrorCell):
        return f'<c r="{ref}" t="e"><f>1/0</f><v>{escape(value.code)}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, dt.date):
        serial = (value - dt.date(1899, 12, 30)).days
        return f'<c r="{ref}"><v>{serial}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def row_xml(number: int, values: Iterable[Any]) -> str:
    cells = "".join(cell_xml(f"{column(i)}{number}", v) for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def sheet_chunks(rows: Iterable[list[Any]], chunk_rows: int = 5000) -> Iterator[bytes]:
    yield SHEET_HEAD
    buffer: list[str] = []
    for n, values in enumerate(rows, start=1):
        buffer.append(row_xml(n, values))
        if len(buffer) >= chunk_rows:
            yield "".join(buffer).encode()
            buffer.clear()
    yield "".join(buffer).encode()
    yield SHEET_TAIL


def shared_strings_xml(strings: list[str]) -> bytes:
    items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>').encode()


def write_xlsx(path: Path, sheets: list[tuple[str, Iterable[bytes]]], *, extra: dict[str, bytes] | None = None,
               level: int = 1, shared: list[str] | None = None) -> Path:
    """An .xlsx whose sheets are given as XML chunks (see `sheet_chunks`), streamed into the zip;
    cells of type "s" index `shared` (the shared-string table Excel writes)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        names = "".join(f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
                        for n, (name, _) in enumerate(sheets, start=1))
        types = "".join(SHEET_TYPE.format(n=n) for n in range(1, len(sheets) + 1))
        rels = "".join(SHEET_REL.format(n=n) for n in range(1, len(sheets) + 1))
        if shared is not None:
            types, rels = types + SHARED_TYPE, rels + SHARED_REL
            zf.writestr("xl/sharedStrings.xml", shared_strings_xml(shared))
        zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets=types))
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK.format(sheets=names))
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(rels=rels))
        for n, (_, chunks) in enumerate(sheets, start=1):
            with zf.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as fh:
                for chunk in chunks:
                    fh.write(chunk)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def simple_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    return write_xlsx(path, [(name, sheet_chunks(rows)) for name, rows in sheets.items()])


def encrypted_xlsx(path: Path) -> Path:
    """What Excel writes for a workbook with an open password: an OLE compound file (not a zip)
    holding the streams EncryptionInfo and EncryptedPackage. A minimal but well-formed one."""
    sector = 512
    header = bytearray(sector)
    header[0:8] = OLE_MAGIC
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)  # minor, major, byte order, shifts
    struct.pack_into("<IIIIIIII", header, 40, 0, 1, 1, 0, 0x1000, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    struct.pack_into("<I", header, 68, 0)  # DIFAT count
    header[76:80] = struct.pack("<I", 0)  # FAT in sector 0
    header[80:sector] = b"\xff" * (sector - 80)
    fat = bytearray(b"\xff" * sector)
    struct.pack_into("<II", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE)  # sector 0 = FAT, sector 1 = directory (end)

    def entry(name: str, kind: int, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF) -> bytes:
        raw = (name + "\0").encode("utf-16-le")
        out = bytearray(128)
        out[0:len(raw)] = raw
        struct.pack_into("<HBB", out, 64, len(raw), kind, 1)
        struct.pack_into("<III", out, 68, 0xFFFFFFFF, right, child)
        struct.pack_into("<II", out, 116, 0xFFFFFFFE, 0)
        return bytes(out)

    directory = (entry("Root Entry", 5, child=1) + entry("EncryptionInfo", 2, right=2)
                 + entry("EncryptedPackage", 2) + bytes(128))
    path.write_bytes(bytes(header) + bytes(fat) + directory)
    return path


def zip_bomb(path: Path, megabytes: int = 120) -> Path:
    """A valid-looking workbook whose one sheet inflates to `megabytes` MB of XML from ~100 KB."""
    block = b'<row r="1"><c r="A1"><v>0</v></c></row>' * 26000  # ~1 MB

    def chunks() -> Iterator[bytes]:
        yield SHEET_HEAD
        for _ in range(megabytes):
            yield block
        yield SHEET_TAIL

    return write_xlsx(path, [("人员", chunks())], level=9)


def million_rows(path: Path, rows: int = 1_000_000) -> Path:
    """A bureau sheet (警号, 姓名, 日期, 项目, 加分) of `rows` data rows, as Excel writes it
    (shared strings, row and cell references): about 180 MB of XML, 25 MB on disk, ~3 s."""
    shared = ["000", "001", "002", "003", "004", "民警000", "民警001", "民警002", "民警003", "民警004", "SJ-01"]

    def chunks() -> Iterator[bytes]:
        yield SHEET_HEAD
        yield row_xml(1, ["警号", "姓名", "日期", "项目", "加分"]).encode()
        step = 50_000
        for start in range(2, rows + 2, step):
            yield "".join([
                f'<row r="{n}"><c r="A{n}" t="s"><v>{n % 5}</v></c><c r="B{n}" t="s"><v>{5 + n % 5}</v></c>'
                f'<c r="C{n}"><v>{46086 + n % 28}</v></c><c r="D{n}" t="s"><v>10</v></c><c r="E{n}"><v>5</v></c></row>'
                for n in range(start, min(start + step, rows + 2))]).encode()
        yield SHEET_TAIL

    return write_xlsx(path, [("上级加分", chunks())], shared=shared)


def lying_sizes(path: Path) -> Path:
    """A workbook whose zip directory understates a member's size (a classic zip-bomb trick):
    the sheet really inflates to 50 MB, but the directory says 2 KB."""
    simple_xlsx(path, {"人员": [["警号", "姓名"], ["001", "张三"]]})
    data = bytearray(path.read_bytes())
    member = b"xl/worksheets/sheet1.xml"
    real = SHEET_HEAD + b'<row r="2"><c r="A2"><v>1</v></c></row>' * 1_300_000 + SHEET_TAIL
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in _members(bytes(data)).items():
            zf.writestr(name, real if name == member.decode() else body)
    data = bytearray(path.read_bytes())
    # Patch the uncompressed size in the local header and the central directory entry.
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = 0
        while (at := data.find(sig, at)) != -1:
            name_len = struct.unpack_from("<H", data, at + (26 if sig == b"PK\x03\x04" else 28))[0]
            name_at = at + (30 if sig == b"PK\x03\x04" else 46)
            if bytes(data[name_at:name_at + name_len]) == member:
                struct.pack_into("<I", data, at + offset, 2048)
            at += 4
    path.write_bytes(bytes(data))
    return path


def _members(data: bytes) -> dict[str, bytes]:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}
