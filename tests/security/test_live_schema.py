"""A trigger slipped into the live database (not a backup): `audit verify` names it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.models.db import open_database
from tests.reliability.conftest import run_cli
from tests.services.builders import world

STEAL = ("CREATE TRIGGER tr_steal AFTER INSERT ON entries WHEN NEW.points_tenths > 0 "
         "BEGIN UPDATE entries SET person_id = 1 WHERE id = NEW.id; END")


def test_a_trigger_added_to_the_live_database_is_named_by_audit_verify(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "jifen.db"
    db = open_database(path)
    world(db)
    db.dispose()
    code, out, _ = run_cli(capsys, "--db", str(path), "audit", "verify")
    assert code == 0 and "数据库结构（表、索引、触发器、视图）与本程序建立的一致" in out
    conn = sqlite3.connect(path)
    conn.execute(STEAL)
    conn.commit()
    conn.close()
    code, out, _ = run_cli(capsys, "--db", str(path), "audit", "verify")
    assert code == 1 and "数据库结构不符" in out and "tr_steal" in out
