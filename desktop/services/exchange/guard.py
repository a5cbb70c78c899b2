"""Checks on a workbook file before any reader touches it, so bad files get a clear refusal.

calamine (Rust) builds a dense grid from A1 to the last used cell and aborts the whole
process when that does not fit in memory: one cell at XFD1048576 is enough. A zip bomb
inflates to gigabytes, and a million-row sheet costs minutes and gigabytes in Python. So the
file is first looked at as bytes: its kind (zip, OLE compound file, text), the zip directory
(member count, sizes, compression ratio), and every sheet's XML, streamed in chunks to count
rows, columns and cells (reading every member in full also verifies its CRC, so a size the
zip directory lies about is caught). Each limit sits far above what a station or a county
bureau exchanges, and each refusal says in Chinese what is wrong and what to do.

The checks look where calamine will look and read what calamine will read, however the file
is written: the sheets it finds from _rels/.rels (`guard_parts`), references of any length
(`guard_sheet`), repeat counts as Rust parses them (`guard_ods`), the shared strings and their
claimed count (`guard_shared`), an old .xls's compound file, records and formulas as its
cfb.rs and xls.rs step through them (`guard_xls`, `guard_xls_formula`). Each of these was
found by building the file that got past the check and watching calamine abort
(tests/reliability, docs/reliability.md).
"""

from __future__ import annotations

import functools
import posixpath
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from desktop.services.errors import NotFound, ValidationError
from desktop.services.exchange import cells, guard_ods, guard_parts, guard_shared, guard_sheet, guard_xls
from desktop.services.exchange.guard_sheet import CHUNK, MAX_CELLS, MAX_COLUMNS, MAX_ROWS

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_WORKBOOK_CELLS = 20_000_000  # all sheets' grids together, rows x columns
MAX_MEMBERS = 2000
MAX_UNCOMPRESSED = 400 * 1024 * 1024  # all members together
MAX_RATIO = 200  # deflated XML of real workbooks stays well under 50:1
RATIO_FLOOR = 1024 * 1024  # small members may compress any amount
MAX_PART_BYTES = 20 * 1024 * 1024  # workbook.xml and its relationships
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
XLS_STREAMS = ("Workbook\0".encode("utf-16-le"), "Book\0".encode("utf-16-le"))  # BIFF8, BIFF5


# Longest text a cell may hold, by the column's parser; longer is a problem of that cell.
_LIMITS: dict[Callable[[Any], Any], int] = {
    cells.parse_key: 64, cells.parse_name: 50, cells.parse_uuid: 64, cells.parse_text: 200,
    cells.parse_int: 50, cells.parse_points: 50, cells.parse_date: 50, cells.parse_datetime: 50,
    cells.parse_bool: 20,
    cells.parse_json_text: 20_000,  # a scheme's definition, its note included, is a few thousand characters
}
LONG_TEXT = 1000  # the ledger's limit on a 事实说明
_LONG_TEXT_FIELDS = frozenset({"note", "comment", "resolution", "override_reason", "excluded_reason", "flags",
                               "version_name", "reason", "why", "formula"})
_SHORTEST_LIMIT = min(_LIMITS.values())


def _refuse(path: Path, reason: str) -> ValidationError:
    return ValidationError(f"“{path.name}”不能导入：{reason}")


def check_workbook(path: Path) -> dict[str, int]:
    """Raise `ValidationError` if `path` is not a workbook the reader can take safely. For an
    .xlsx, returns each sheet's name → the size of its XML unpacked (else an empty dict), which
    tells `sheet_prefetch` which sheets are worth parsing in the background."""
    if not path.is_file():
        raise NotFound(f"找不到文件“{path}”")
    size = path.stat().st_size
    if size == 0:
        raise _refuse(path, "文件是空的（0 字节），可能复制或下载没有完成")
    if size > MAX_FILE_BYTES:
        raise _refuse(path, f"文件有 {size / 1024 / 1024:.0f} MB，超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限；"
                            "请只导出需要的考核周期或人员后再导入")
    if (named := REFUSED_SUFFIXES.get(path.suffix.lower())) is not None:
        raise _refuse(path, f"这是{named}，本程序只能读取 Excel 工作簿（.xlsx、.xls）和 OpenDocument 表格（.ods）；"
                            "请在 WPS 或 Excel 中打开，选“另存为 → Excel 工作簿(*.xlsx)”后再导入")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        _check_ole(path)
    elif head.startswith(b"PK") and is_ods(path):
        _check_ods(path)
    elif head.startswith(b"PK"):
        return _check_zip(path)
    else:
        raise _refuse(path, f"不是 Excel 工作簿（{_looks_like(path)}）；请在 Excel 或 WPS 中打开，另存为“Excel 工作簿(*.xlsx)”后再导入")
    return {}


# Spreadsheet formats people send that the reader does not take, named so the clerk knows what to do.
REFUSED_SUFFIXES = {
    ".et": "WPS 表格文件（.et）", ".ett": "WPS 表格模板（.ett）", ".xlsb": "Excel 二进制工作簿（.xlsb）",
    ".numbers": "苹果 Numbers 表格（.numbers）", ".csv": "CSV 文本文件（.csv）", ".txt": "文本文件（.txt）",
    ".wps": "WPS 文字文档（.wps）", ".doc": "Word 文档（.doc）", ".docx": "Word 文档（.docx）",
    ".pdf": "PDF 文件", ".dbf": "dBase 数据文件（.dbf）", ".fods": "OpenDocument 扁平 XML 表格（.fods）",
}
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def is_ods(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return "mimetype" in zf.namelist() and zf.read("mimetype").strip() == ODS_MIME
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return False


def _check_ods(path: Path) -> None:
    """An OpenDocument spreadsheet (LibreOffice, or WPS “另存为 .ods”): the zip's sizes and CRCs,
    and no table in content.xml whose repeated rows or columns reach past the limits (`guard_ods`)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_directory(path, infos)
            _check_one_kind(path, zf, "ods")
            for info in infos:
                if info.is_dir():
                    continue
                if info.filename != "content.xml":
                    _drain(zf, info)
                    continue
                with zf.open(info) as fh:
                    guard_ods.check_content(fh, functools.partial(_refuse, path))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _refuse(path, "文件不完整或已损坏，可能复制或下载中途断开；请重新复制一份再导入") from exc


def _check_one_kind(path: Path, zf: zipfile.ZipFile, kind: str) -> None:
    """Refuse a zip that also holds another kind of workbook. calamine picks its reader by the
    file's extension, and for any extension it does not know (upper case included) tries the
    .xlsx reader, then .xlsb, then .ods: an .ods carrying an xl/ folder, or an .xlsx carrying
    xl/workbook.bin, would be read from parts this check never looked at."""
    names = guard_parts.members(zf)
    other = (any(n == "_rels/.rels" or n.startswith("xl/") for n in names) if kind == "ods"
             else "xl/workbook.bin" in names)
    if other:
        raise _refuse(path, "文件里同时有两种工作簿的内容（OpenDocument、Excel 或 Excel 二进制），不是 Excel、WPS 或 "
                            "LibreOffice 保存的文件；请在其中一个程序中打开，另存为 .xlsx 后再导入")


def _looks_like(path: Path) -> str:
    with path.open("rb") as fh:
        sample = fh.read(2048)
    text = sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")):
        return "文件内容是网页，常见于系统导出的“假 .xls”"
    if text.startswith(b"<?xml"):
        return "文件内容是 XML，可能是 Excel 2003 XML 表格"
    if text.startswith(b"%pdf"):
        return "文件内容是 PDF"
    try:
        sample.decode("utf-8")
        return "文件内容是纯文本，可能是 CSV"
    except UnicodeDecodeError:
        return "无法识别的文件内容"


def _check_ole(path: Path) -> None:
    """An OLE compound file is an old .xls, or an .xlsx encrypted with an open password."""
    workbook = False
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            if ENCRYPTED_STREAM in block:
                raise _refuse(path, "工作簿设有打开密码（已加密），本程序不能读取。请在 Excel 或 WPS 中输入密码打开，"
                                    "在“文件 → 信息 → 保护工作簿 → 用密码进行加密”中清除密码，保存后再导入")
            workbook = workbook or any(name in block for name in XLS_STREAMS)
    if not workbook:
        raise _refuse(path, "不是 Excel 工作簿（是 Word 或其他 Office 97-2003 文件）")
    if path.suffix.lower() != ".xls":
        raise _refuse(path, f"这是旧版 Excel 97-2003 工作簿，扩展名却是“{path.suffix}”；请把文件改名为 .xls，"
                            "或在 Excel 或 WPS 中另存为 .xlsx 后再导入")
    # An old .xls: calamine reads all of it on opening, so its records are checked first.
    guard_xls.check_xls(path.read_bytes(), functools.partial(_refuse, path))


def _check_zip(path: Path) -> dict[str, int]:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_directory(path, infos)
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names:
                what = " Word 文档" if "word/document.xml" in names else (
                    " PowerPoint 文档" if "ppt/presentation.xml" in names else "普通压缩包（.zip）")
                raise _refuse(path, f"这是{what}，不是 Excel 工作簿")
            _check_one_kind(path, zf, "xlsx")
            sheets, shared = _sheet_parts(path, zf)
            refuse = functools.partial(_refuse, path)
            counted: dict[zipfile.ZipInfo, int] = {}
            for info in infos:
                if info.is_dir():
                    continue
                if info.filename in sheets or info.filename.startswith("xl/worksheets/"):
                    counted[info] = guard_sheet.scan_sheet(
                        zf, info, sheets.get(info.filename) or posixpath.basename(info.filename), refuse)
                elif info.filename not in shared:
                    _drain(zf, info)
            for part in sorted(shared & names):  # read in full there, so its CRC is checked too
                guard_shared.check(zf, zf.getinfo(part), counted, refuse)
            sizes = {info.filename: info.file_size for info in infos}
            return {name: sizes[member] for member, name in sheets.items() if member in sizes}
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _refuse(path, "文件不完整或已损坏，可能复制或下载中途断开；请重新复制一份再导入") from exc
    except (OSError, RuntimeError, NotImplementedError, ValueError, ArithmeticError, KeyError) as exc:
        if isinstance(exc, ValidationError):
            raise
        raise _refuse(path, f"文件已损坏，无法解压（{exc}）") from exc


def _check_directory(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise _refuse(path, f"压缩包内有 {len(infos)} 个文件，不像是 Excel 工作簿")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise _refuse(path, f"解压后有 {total / 1024 / 1024:.0f} MB，超过 {MAX_UNCOMPRESSED // 1024 // 1024} MB 的上限"
                            "（可能是“压缩炸弹”），为保护本机没有读取")
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _refuse(path, f"其中“{info.filename}”的压缩比异常（{info.compress_size} 字节解压后为 "
                                f"{info.file_size / 1024 / 1024:.0f} MB，可能是“压缩炸弹”），为保护本机没有读取")
        if info.flag_bits & 0x1:
            raise _refuse(path, "工作簿内的文件已加密，本程序不能读取；请清除密码后再导入")


def _drain(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Read a member to its end: zipfile stops at the declared size and checks the CRC."""
    with zf.open(info) as fh:
        while fh.read(CHUNK):
            pass


def _sheet_parts(path: Path, zf: zipfile.ZipFile) -> tuple[dict[str, str], set[str]]:
    """Zip member name of each worksheet calamine will read → the sheet's name, and the member
    it takes the shared strings from, found as calamine finds them (`guard_parts`)."""
    def parse(name: str) -> ElementTree.Element:
        info = zf.getinfo(name)
        if info.file_size > MAX_PART_BYTES:
            raise _refuse(path, f"“{name}”大得异常（{info.file_size / 1024 / 1024:.0f} MB）")
        try:
            return ElementTree.fromstring(zf.read(name))
        except ElementTree.ParseError as exc:
            raise _refuse(path, f"工作簿结构已损坏（{name}：{exc}）") from exc

    return guard_parts.sheet_parts(zf, parse)


def check_grid(sheet: str, end: tuple[int, int] | None) -> None:
    """The reader's last check before it turns a sheet into Python rows from A1 (also covers old
    .xls); `end` is calamine's last used (row, column), 0-based."""
    height, width = (end[0] + 1, end[1] + 1) if end else (0, 0)
    if height > MAX_ROWS or width > MAX_COLUMNS or height * width > MAX_CELLS:
        raise ValidationError(f"工作表“{sheet}”的数据区域过大（{height:,} 行 × {width} 列），上限为每张表 {MAX_ROWS:,} 行、"
                            f"{MAX_COLUMNS} 列；请删除多余内容或拆分后再导入")


def check_workbook_grid(path: Path, so_far: int, end: tuple[int, int] | None) -> int:
    """The grid cells of a workbook's sheets so far, with one more sheet (calamine's last used
    row and column); refused past MAX_WORKBOOK_CELLS. Each sheet is bounded on its own, but a
    file of 2,000 sheets, each two cells 4 million apart, would take the reader an hour."""
    total = so_far + ((end[0] + 1) * (end[1] + 1) if end else 0)
    if total > MAX_WORKBOOK_CELLS:
        raise _refuse(path, f"各工作表的数据区域合计超过 {MAX_WORKBOOK_CELLS:,} 格（一个县一季度的导出约 250 万格）；"
                            "请删除多余的工作表或拆分成几个工作簿后再导入")
    return total


def too_long(key: str, parser: Callable[[Any], Any], raw: Any) -> str | None:
    """Why a cell's text is too long for its column, or None."""
    if not isinstance(raw, str) or len(raw) <= _SHORTEST_LIMIT:
        return None
    limit = LONG_TEXT if key in _LONG_TEXT_FIELDS else _LIMITS.get(parser, LONG_TEXT)
    if len(raw) > limit:
        return f"内容过长（{len(raw):,} 个字符），这一列最多 {limit} 个字符"
    return None
