"""The audit chain's head as a short code, printed on paper and kept in files, and checked later.

A chain can be recomputed by whoever holds the database file, after any edit. What they cannot
recompute is a code already on a signed grade sheet, in a workbook sent to the county or in a
backup on a USB stick: `123-9F3A2C7B` is the newest event's number and the start of its hash.
If the database still has event 123 with that hash, nothing before it was rewritten.

    code = head_code(session)                  # "123-9F3A2C7B" ("0-00000000" for an empty chain)
    problems = check_code(session, code)       # [] when the database agrees
    code = code_in_file(Path("表.pdf"))        # from a sheet, an export or a backup
"""

from __future__ import annotations

import re
import sqlite3
import zipfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.audit import AuditEvent
from desktop.services.errors import NotFound, ValidationError

CODE = re.compile(r"\b(\d{1,9})-([0-9A-F]{8})\b")
PDF_KEYWORD = "jifen-chain:"  # in a sheet's PDF keywords, beside the code printed on the page
ABOUT_LABEL = "审计链头"  # the key on an export's 说明 sheet
MAX_PDF_BYTES = 200 * 2**20  # the county's 2,000 grade sheets in one PDF are a few MB
LABEL = "审计链"


def code_of(event_id: int, digest: str) -> str:
    return f"{event_id}-{digest[:8].upper()}"


def head_code(session: Session) -> str:
    newest = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return code_of(newest.id, newest.hash) if newest else code_of(0, "0" * 8)


def parse_code(text: str) -> tuple[int, str]:
    found = CODE.search(text.strip().upper())
    if found is None:
        raise ValidationError(f"“{text.strip()}”不是审计链码（应形如 123-9F3A2C7B：审计记录序号-哈希前八位）")
    return int(found.group(1)), found.group(2)


def check_code(session: Session, code: str, where: str = "") -> list[str]:
    """What the database says of an earlier head code; [] when it still has that event unchanged."""
    event_id, prefix = parse_code(code)
    source = f"{where}上的" if where else ""
    if event_id == 0:
        return []
    found = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == event_id))
    if found is None:
        return [f"{source}审计链码 {code}：数据库中没有第 {event_id} 条审计记录，此后的记录被删除（或此码来自另一数据库）"]
    if not found.upper().startswith(prefix):
        return [f"{source}审计链码 {code}：数据库中第 {event_id} 条审计记录与它不符，审计记录在此之前被改写"]
    return []


def code_in_file(path: Path) -> str:
    """The head code kept in a grade sheet (PDF), an export (xlsx) or a backup (SQLite file)."""
    if not path.is_file():
        raise NotFound(f"文件“{path}”不存在")
    with path.open("rb") as fh:
        start = fh.read(16)
    if start.startswith(b"SQLite format 3"):
        return _code_in_backup(path)
    if start.startswith(b"%PDF"):
        return _code_in_pdf(path)
    if start.startswith(b"PK") and zipfile.is_zipfile(path):
        return _code_in_workbook(path)
    raise ValidationError(f"“{path.name}”不是本程序打印的 PDF、导出的工作簿或备份，读不出审计链码")


def _code_in_backup(path: Path) -> str:
    from desktop.services import integrity

    try:
        conn = integrity.connect_readonly(path)
        try:
            row = conn.execute("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ValidationError(f"“{path.name}”不是本程序的数据库或备份，读不出审计链码") from exc
    return code_of(row[0], row[1]) if row else code_of(0, "0" * 8)


def _code_in_pdf(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_PDF_BYTES:  # read whole below: a mistaken pick of a huge file must not fill memory
        raise ValidationError(f"“{path.name}”有 {size / 2**20:,.0f} MB，不像本程序打印的表（上限 "
                              f"{MAX_PDF_BYTES // 2**20} MB），读不出审计链码")
    data = path.read_bytes()
    found = re.search(re.escape(PDF_KEYWORD.encode()) + rb"\s*(\d{1,9}-[0-9A-F]{8})", data)
    if found is None:
        raise ValidationError(f"“{path.name}”中没有审计链码（不是本程序这一版打印的表）")
    return found.group(1).decode()


def _code_in_workbook(path: Path) -> str:
    from desktop.services.exchange import sheet_prefetch

    book = sheet_prefetch.open_book(path)  # the guard first: a crafted file must not crash the program
    try:
        with sheet_prefetch.calamine_errors(f"“{path.name}”无法读取"):
            names = [n for n in book.sheet_names if n == "说明"] or book.sheet_names[:1]
            for name in names:
                for row in book.get_sheet_by_name(name).to_python():
                    cells = [str(c).strip() for c in row]
                    if ABOUT_LABEL in cells:
                        at = cells.index(ABOUT_LABEL)
                        for value in cells[at + 1:]:
                            if CODE.search(value.upper()):
                                return value
    finally:
        book.close()
    raise ValidationError(f"“{path.name}”的“说明”表中没有“{ABOUT_LABEL}”（不是本程序这一版导出的工作簿）")
