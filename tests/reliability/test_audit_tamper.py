"""Tampering with the audit trail directly in the SQLite file: `jifen audit verify` catches each."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models.audit import AuditEvent
from desktop.models.db import open_database
from desktop.services import audit, backup
from tests.reliability.conftest import run_cli


def sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def verify(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str]:
    code, out, err = run_cli(capsys, "--db", str(path), "audit", "verify")
    assert err == ""
    return code, out


def test_untouched_trail_verifies(station_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = verify(capsys, station_db)
    assert code == 0 and "校验通过" in out and "数据行与封存一致" in out


@pytest.mark.parametrize(("statements", "broken", "words"), [
    # edit one field of one event
    (["UPDATE audit_events SET username = 'clerk2' WHERE id = 5"], 5, "内容被改动"),
    (["UPDATE audit_events SET detail = '{}' WHERE id = 7"], 7, "内容被改动"),
    (["UPDATE audit_events SET at = '2020-01-01 00:00:00.000000' WHERE id = 4"], 4, "内容被改动"),
    # delete one event in the middle
    (["DELETE FROM audit_events WHERE id = 6"], 7, "缺少第 6 条"),
    # reorder: swap two events' places
    (["UPDATE audit_events SET id = -1 WHERE id = 3", "UPDATE audit_events SET id = 3 WHERE id = 4",
      "UPDATE audit_events SET id = 4 WHERE id = -1"], 3, "链接不符"),
    # renumber to hide a deletion
    (["DELETE FROM audit_events WHERE id = 2", "UPDATE audit_events SET id = id - 1 WHERE id > 2"], 2, "链接不符"),
    # replace the stored hash as well: the next event's link no longer matches
    (["UPDATE audit_events SET action = 'noop', hash = '" + "a" * 64 + "' WHERE id = 5"], 5, "内容被改动"),
], ids=["edit-username", "edit-detail", "edit-time", "delete-middle", "swap-two", "delete-and-renumber", "forge-hash"])
def test_each_kind_of_tampering_is_reported_with_the_first_broken_event(
        station_db: Path, capsys: pytest.CaptureFixture[str], statements: list[str], broken: int, words: str
) -> None:
    sql(station_db, *statements)
    code, out = verify(capsys, station_db)
    assert code == 1
    assert f"从第 {broken} 条起哈希链断裂" in out and words in out


def _rechain(path: Path) -> None:
    """What a careful forger does: recompute every hash after the edit, so the chain is whole again."""
    db = open_database(path)
    with db.transaction() as session:
        prev = audit.GENESIS
        for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
            content = audit._canonical(e.id, e.at, e.user_id, e.username, e.action, e.entity, e.entity_ref,
                                       e.detail, e.sealed)
            e.prev_hash, e.hash = prev, hashlib.sha256(prev.encode() + content).hexdigest()
            prev = e.hash
    db.dispose()


def test_a_recomputed_chain_is_caught_by_the_newest_backup(station_db: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    backup.backup(station_db)
    sql(station_db, "UPDATE audit_events SET detail = '" + json.dumps({"points": "99"}) + "' WHERE id = 5")
    _rechain(station_db)
    code, out = verify(capsys, station_db)
    assert code == 1 and "哈希链逐条校验通过" in out and "与备份比对不符" in out and "被改写" in out


def test_cutting_off_the_newest_events_is_caught_by_the_newest_backup(station_db: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    backup.backup(station_db)
    sql(station_db, "DELETE FROM audit_events WHERE id > (SELECT max(id) - 2 FROM audit_events)")
    code, out = verify(capsys, station_db)
    assert code == 1 and "最近的记录被删除" in out


def test_a_restore_is_not_mistaken_for_tampering(station_db: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    old = backup.backup(station_db, tmp_path / "早先.db")
    sql(station_db, "INSERT INTO audit_events (id, at, user_id, username, action, entity, entity_ref, detail, "
                    "prev_hash, hash) SELECT id + 1, at, user_id, username, action, entity, entity_ref, detail, "
                    "hash, hash FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)")
    _rechain(station_db)
    backup.backup(station_db)  # a backup holding an event the restore takes away
    backup.restore(station_db, old)
    code, out = verify(capsys, station_db)
    assert code == 0, out


def test_audit_show_lists_recent_events(station_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--db", str(station_db), "audit", "show", "--limit", "3")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].split()[:4] == ["序号", "时间", "用户", "操作"] and len(lines) == 2 + 3
    assert "entry.record" in lines[-1]
    code, out, _ = run_cli(capsys, "--db", str(station_db), "audit", "show", "--action", "user.", "--format", "json")
    events = json.loads(out)
    assert code == 0 and events and all(e["action"].startswith("user.") for e in events)
