"""Evidence files with hostile or broken names are stored under a safe display name, bytes intact."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models.db import Database
from desktop.models.ledger import EvidenceBlob, EvidenceFile
from desktop.services import ledger
from tests.services.builders import World, entry_input, person, world

GBK_NAME = "扫描件.pdf".encode("gbk")  # what a file copied from an old Windows PC is called on Linux


@pytest.fixture
def w(db: Database) -> World:
    return world(db)


def is_safe(name: str, folder: Path) -> bool:
    return (
        0 < len(name) <= 120
        and "/" not in name and "\\" not in name and not name.startswith(".")
        and not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in name)
        and (folder / name).resolve().parent == folder.resolve()
        and name.encode("utf-8") is not None
    )


@pytest.mark.parametrize(("given", "expected"), [
    ("../../x", "x"),
    ("..\\..\\Windows\\System32\\cmd.exe", "cmd.exe"),
    ("/etc/passwd", "passwd"),
    ("C:\\Users\\内勤\\Desktop\\情况说明.pdf", "情况说明.pdf"),
    ("a" * 300 + ".pdf", "a" * 110 + ".pdf"),
    ("证" * 1000, "证" * 120),
    ("\x00evil\n\r.pdf", "evil.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),  # a right-to-left override would show "exe.pdf"
    ("...", "证明材料"),
    ("", "证明材料"),
    (os.fsdecode(GBK_NAME), "ɨ" + "\ufffd" * 4 + ".pdf"),  # GBK bytes: the first pair happens to be UTF-8
], ids=["dotdot-slash", "dotdot-backslash", "absolute-posix", "windows-path", "300-chars", "1000-cjk", "control-chars",
        "rtl-override", "dots-only", "empty", "gbk-bytes"])
def test_odd_names_are_stored_safely(w: World, tmp_path: Path, given: str, expected: str) -> None:
    data = os.urandom(64)
    with w.tx() as session:
        p = person(session, w.dept, "001")
        entry = entry_input(p, "ZB-01")
        entry.evidence = [ledger.Evidence(given, data)]
        ledger.record(session, w.clerk, entry)
    with w.tx() as session:
        stored = session.scalars(select(EvidenceFile)).one()
        blob = session.get(EvidenceBlob, stored.sha256)
        assert blob is not None and blob.data == data and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.filename == expected
    assert is_safe(stored.filename, tmp_path)


def test_a_file_whose_name_is_not_utf8_is_attached_from_disk(w: World, tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path)
    raw = os.path.join(folder, GBK_NAME)
    with open(raw, "wb") as fh:
        fh.write(b"%PDF-1.4 scan")
    evidence = ledger.Evidence.from_path(os.fsdecode(raw))
    with w.tx() as session:
        p = person(session, w.dept, "001")
        entry = entry_input(p, "ZB-01")
        entry.evidence = [evidence]
        ledger.record(session, w.clerk, entry)
    with w.tx() as session:
        stored = session.scalars(select(EvidenceFile)).one()
    assert stored.filename.endswith(".pdf") and is_safe(stored.filename, tmp_path)
    assert stored.mime == "application/pdf"
