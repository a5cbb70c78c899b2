"""Broken and hostile workbooks: each gets a clear Chinese refusal, quickly, and nothing is written.

The heavy files (zip bomb, a million rows, a cell at XFD1048576, sizes the zip directory lies
about) are imported in a child process under a 3 GiB address-space limit and a time limit,
so "bounded time and memory" is measured, not assumed: without the guard, the far cell
aborts the process (calamine asks for 512 GiB) and a million rows take minutes and 4 GB.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from desktop.models.audit import AuditEvent
from desktop.models.db import Database, open_database
from desktop.models.enums import Role
from desktop.services.actor import Actor
from desktop.services.errors import JifenError
from desktop.services.exchange.import_ import import_file
from desktop.services.exchange.report import ImportRejected
from tests.reliability import workbooks as wb
from tests.services.builders import person, world

ROOT = Path(__file__).resolve().parents[2]
CLERK = Actor(None, "clerk", "内勤", Role.CLERK)
HEADER = ["警号", "姓名", "日期", "项目", "加分", "说明"]
MARCH = dt.date(2026, 3, 5)
MEMORY_LIMIT = 3 * 1024**3
TIME_LIMIT = 20.0

CHILD = """
import json, resource, sys, time
from desktop.models.db import open_database
from desktop.models.enums import Role
from desktop.services.actor import Actor
from desktop.services.errors import JifenError
from desktop.services.exchange.import_ import import_file
db = open_database(sys.argv[1])
start = time.monotonic()
try:
    import_file(db, Actor(None, "clerk", "内勤", Role.CLERK), sys.argv[2])
    out = {"error": None, "message": ""}
except JifenError as exc:
    out = {"error": type(exc).__name__, "message": str(exc)}
out["seconds"] = time.monotonic() - start
out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps(out, ensure_ascii=False))
"""


def good_rows(n: int = 1) -> list[list[Any]]:
    return [HEADER] + [["001", "民警001", MARCH, "SJ-01", 5, f"通报表扬{i}"] for i in range(n)]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A station with people 000–004; copied for each test."""
    path = tmp_path_factory.mktemp("template") / "jifen.db"
    db = open_database(path)
    w = world(db)
    with w.tx() as session:
        for i in range(5):
            person(session, w.dept, f"00{i}")
    db.dispose()
    return path


@pytest.fixture
def station(template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "jifen.db"
    shutil.copy(template, path)
    db = open_database(path)
    yield db
    db.dispose()


def snapshot(db: Database) -> dict[str, Any]:
    """Row counts of every table and the newest audit event: equal before and after = nothing written."""
    with db.session() as session:
        tables = session.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars().all()
        counts = {t: session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
        head = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
        counts["audit_head"] = head
        counts["audit_n"] = session.scalar(select(func.count()).select_from(AuditEvent))
    return counts


def refused(db: Database, path: Path) -> str:
    """Import `path`; it must be refused with a Chinese message, quickly, writing nothing."""
    before = snapshot(db)
    start = time.monotonic()
    with pytest.raises(JifenError) as info:
        import_file(db, CLERK, path)
    assert time.monotonic() - start < TIME_LIMIT
    assert snapshot(db) == before
    message = str(info.value)
    if isinstance(info.value, ImportRejected):
        message += "\n" + info.value.report.text()
    assert "Traceback" not in message and any("\u4e00" <= ch <= "\u9fff" for ch in message)
    return message


# --- files that are not workbooks at all ---------------------------------------------------------

def csv_file(p: Path) -> Path:
    p.write_text("警号,姓名,日期,加分\n001,民警001,2026-03-05,5\n", encoding="utf-8")
    return p


def html_file(p: Path) -> Path:
    p.write_text("<html><body><table><tr><td>警号</td></tr></table></body></html>", encoding="utf-8")
    return p


def pdf_file(p: Path) -> Path:
    p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    return p


def empty_file(p: Path) -> Path:
    p.write_bytes(b"")
    return p


def random_bytes(p: Path) -> Path:
    p.write_bytes(os.urandom(4096))
    return p


def truncated(p: Path) -> Path:
    wb.simple_xlsx(p, {"上级加分": good_rows(2000)})
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    return p


def truncated_member(p: Path) -> Path:
    """The zip directory is intact but the sheet's XML ends in the middle of a row."""
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        src = wb.simple_xlsx(p.with_suffix(".src.xlsx"), {"上级加分": good_rows(3)})
        with zipfile.ZipFile(src) as z:
            for name in z.namelist():
                body = z.read(name)
                zf.writestr(name, body[: len(body) // 2] if name.endswith("sheet1.xml") else body)
    return p


def encrypted(p: Path) -> Path:
    return wb.encrypted_xlsx(p)


def ole_not_excel(p: Path) -> Path:
    """An OLE file that is not a workbook (an old .doc, say)."""
    data = bytearray(wb.encrypted_xlsx(p).read_bytes())
    at = data.find("EncryptedPackage".encode("utf-16-le"))
    data[at:at + 32] = "WordDocument\0\0\0\0".encode("utf-16-le")
    p.write_bytes(bytes(data))
    return p


def xls_named_xlsx(p: Path) -> Path:
    """An Excel 97-2003 file (OLE with a Workbook stream) saved under an .xlsx name."""
    data = bytearray(wb.encrypted_xlsx(p).read_bytes())
    at = data.find("EncryptedPackage".encode("utf-16-le"))
    data[at:at + 32] = "Workbook\0\0\0\0\0\0\0\0".encode("utf-16-le")
    p.write_bytes(bytes(data))
    return p


def damaged_xls(p: Path) -> Path:
    """Named .xls, with a Workbook stream name but no BIFF records (a small stream without the mini
    FAT it would live in): the guard's reading of the compound file finds it damaged."""
    return xls_named_xlsx(p).rename(p.with_suffix(".xls"))


def docx(p: Path) -> Path:
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return p


def plain_zip(p: Path) -> Path:
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("照片/1.jpg", os.urandom(100))
    return p


def encrypted_member(p: Path) -> Path:
    """A zip whose members carry the 'encrypted' flag (a password-protected .zip renamed .xlsx)."""
    wb.simple_xlsx(p, {"上级加分": good_rows()})
    data = bytearray(p.read_bytes())
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = 0
        while (at := data.find(sig, at)) != -1:
            data[at + flag_at] |= 0x1
            at += 4
    p.write_bytes(bytes(data))
    return p


def broken_workbook_xml(p: Path) -> Path:
    return _replace(wb.simple_xlsx(p, {"上级加分": good_rows()}), "xl/workbook.xml", b"<workbook><sheets><sheet name=")


def billion_laughs(p: Path) -> Path:
    """Entity expansion in workbook.xml: a few hundred bytes that would expand to gigabytes."""
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                      for i in range(1, 10))
           + b']><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>'
           + b'<sheet name="&lol9;" sheetId="1"/></sheets></workbook>')
    return _replace(wb.simple_xlsx(p, {"上级加分": good_rows()}), "xl/workbook.xml", lol)


def _replace(p: Path, member: str, body: bytes) -> Path:
    members = wb._members(p.read_bytes())
    members[member] = body
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return p


# --- workbooks with bad content ----------------------------------------------------------------

def wrong_sheets(p: Path) -> Path:
    return wb.simple_xlsx(p, {"Sheet1": [["月份", "数量"], ["1月", 3]], "图表数据": [["甲", "乙"]], "空表": []})


def no_sheets(p: Path) -> Path:
    return wb.write_xlsx(p, [])


def long_note(p: Path) -> Path:
    return wb.simple_xlsx(p, {"上级加分": [HEADER, ["001", "民警001", MARCH, "SJ-01", 5, "情" * 10_000]]})


def long_name(p: Path) -> Path:
    return wb.simple_xlsx(p, {"上级加分": [HEADER, ["001", "王" * 10_000, MARCH, "SJ-01", 5, "表扬"]]})


def long_badge(p: Path) -> Path:
    return wb.simple_xlsx(p, {"上级加分": [HEADER, ["9" * 10_000, "民警001", MARCH, "SJ-01", 5, "表扬"]]})


def long_everything(p: Path) -> Path:
    """A 10,000-character roster: every cell too long."""
    return wb.simple_xlsx(p, {"人员": [["警号", "姓名", "部门", "职务"], ["1" * 10_000, "张" * 10_000, "部" * 10_000,
                                                                "职" * 10_000]]})


def formula_without_result(p: Path) -> Path:
    return wb.simple_xlsx(p, {"上级加分": [HEADER, ["001", "民警001", MARCH, "SJ-01", wb.Formula("2+3"), "表扬"]]})


def formula_error(p: Path) -> Path:
    return wb.simple_xlsx(p, {"上级加分": [HEADER, ["001", "民警001", MARCH, "SJ-01", wb.ErrorCell(), "表扬"]]})


def formula_text_points(p: Path) -> Path:
    return wb.simple_xlsx(p, {"上级加分": [HEADER, ["001", "民警001", MARCH, "SJ-01",
                                                   wb.Formula('"五"&"分"', "五分"), "表扬"]]})


def dde_formula(p: Path) -> Path:
    """A formula that would run a program in Excel (DDE); never evaluated here, and its cached text is no score."""
    return wb.simple_xlsx(p, {"上级加分": [HEADER, ["001", "民警001", MARCH, "SJ-01",
                                                   wb.Formula("cmd|'/c calc'!A0", "calc"), "表扬"]]})


def far_column(p: Path) -> Path:
    body = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c><c r="XFD1"><v>1</v></c></row>')
    return wb.write_xlsx(p, [("上级加分", [wb.SHEET_HEAD, body, wb.SHEET_TAIL])])


def cells_without_references(p: Path) -> Path:
    """Rows and cells without r="" (allowed by the format): 300 columns in one row."""
    body = b"<row>" + b"<c><v>1</v></c>" * 300 + b"</row>"
    return wb.write_xlsx(p, [("上级加分", [wb.SHEET_HEAD, body, wb.SHEET_TAIL])])


LIGHT: dict[str, tuple[Callable[[Path], Path], str]] = {
    "csv": (csv_file, "可能是 CSV"),
    "html-fake-xls": (html_file, "文件内容是网页"),
    "pdf": (pdf_file, "文件内容是 PDF"),
    "empty": (empty_file, "文件是空的"),
    "random-bytes": (random_bytes, "不是 Excel 工作簿"),
    "truncated-zip": (truncated, "文件不完整或已损坏"),
    "truncated-sheet-xml": (truncated_member, "无法读取"),
    "password-protected": (encrypted, "设有打开密码"),
    "ole-not-excel": (ole_not_excel, "是 Word 或其他 Office 97-2003 文件"),
    "xls-named-xlsx": (xls_named_xlsx, "扩展名却是“.xlsx”"),
    "damaged-xls": (damaged_xls, "文件结构已损坏"),
    "docx": (docx, "这是 Word 文档，不是 Excel 工作簿"),
    "plain-zip": (plain_zip, "这是普通压缩包（.zip）"),
    "encrypted-zip-member": (encrypted_member, "已加密"),
    "broken-workbook-xml": (broken_workbook_xml, "工作簿结构已损坏"),
    "billion-laughs": (billion_laughs, "工作簿结构已损坏"),
    "wrong-sheets": (wrong_sheets, "没有可以导入的表"),
    "no-sheets": (no_sheets, "没有可以导入的表"),
    "long-note": (long_note, "内容过长（10,000 个字符），这一列最多 1000 个字符"),
    "long-name": (long_name, "这一列最多 50 个字符"),
    "long-badge": (long_badge, "这一列最多 64 个字符"),
    "long-roster": (long_everything, "内容过长"),
    "formula-no-result": (formula_without_result, "是公式，但文件中没有保存计算结果"),
    "formula-error-value": (formula_error, "单元格 E2 是公式错误值"),
    "formula-text-points": (formula_text_points, "分值应为数字"),
    "dde-formula": (dde_formula, "分值应为数字"),
    "far-column": (far_column, "超过 200 列的上限"),
    "unreferenced-300-columns": (cells_without_references, "超过 200 列的上限"),
}


@pytest.mark.parametrize("case", list(LIGHT))
def test_bad_file_is_refused_clearly_and_nothing_is_written(station: Database, tmp_path: Path, case: str) -> None:
    make, expected = LIGHT[case]
    message = refused(station, make(tmp_path / "上级加分.xlsx"))
    assert expected in message


def test_formula_with_cached_result_imports_that_result(station: Database, tmp_path: Path) -> None:
    path = wb.simple_xlsx(tmp_path / "公式.xlsx", {"上级加分": [
        HEADER, ["001", "民警001", MARCH, "SJ-01", wb.Formula("2+3", 5), wb.Formula('"通报"&"表扬"', "通报表扬")]]})
    report = import_file(station, CLERK, path)
    assert report.imported and report.count("积分记录").new == 1


def test_a_good_workbook_still_imports(station: Database, tmp_path: Path) -> None:
    """The guard's limits do not stand in the way of an ordinary file."""
    path = wb.simple_xlsx(tmp_path / "上级加分.xlsx", {"说明": [["县局通报"]], "上级加分": good_rows(50)})
    report = import_file(station, CLERK, path)
    assert report.imported and report.count("积分记录").new == 50


# --- heavy files, in a child process with limited memory -----------------------------------------

def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def import_in_child(db_path: Path, workbook: Path) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(db_path), str(workbook)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
                          preexec_fn=_limit_memory)
    assert proc.returncode == 0, f"the importer died (status {proc.returncode}): {proc.stderr[-2000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def far_cell(p: Path) -> Path:
    body = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
            b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    return wb.write_xlsx(p, [("上级加分", [wb.SHEET_HEAD, body, wb.SHEET_TAIL])])


def far_cell_small_rows(p: Path) -> Path:
    """Within the row and column limits, but the grid from A1 would be 150,000 x 200."""
    body = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
            b'<row r="150000"><c r="GR150000"><v>1</v></c></row>')
    return wb.write_xlsx(p, [("上级加分", [wb.SHEET_HEAD, body, wb.SHEET_TAIL])])


HEAVY: dict[str, tuple[Callable[[Path], Path], str]] = {
    "zip-bomb-120mb": (lambda p: wb.zip_bomb(p, 120), "压缩炸弹"),
    "lying-sizes": (wb.lying_sizes, "文件不完整或已损坏"),
    "million-rows": (wb.million_rows, "超过每张表 200,000 行的上限"),
    "far-cell": (far_cell, "超过每张表 200,000 行的上限"),
    "grid-too-large": (far_cell_small_rows, "数据区域过大"),
}


@pytest.mark.parametrize("case", list(HEAVY))
def test_heavy_file_is_refused_within_bounded_time_and_memory(station: Database, tmp_path: Path, case: str) -> None:
    make, expected = HEAVY[case]
    path = make(tmp_path / "上级加分.xlsx")
    before = snapshot(station)
    result = import_in_child(station.path or Path(), path)
    assert result["error"] == "ValidationError" and expected in result["message"], result
    assert result["seconds"] < TIME_LIMIT and result["maxrss_mb"] < 1024, result
    assert snapshot(station) == before
