"""`jifen record`, `reverse`, `entries`: the diary ledger from a terminal, signed in, through the
ledger service (its checks, its audit), with one Chinese line and exit 2 for every refusal."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models.accounts import User
from desktop.models.audit import AuditEvent
from desktop.models.db import open_database
from desktop.models.ledger import Entry, EvidenceFile
from desktop.services import accounts
from tests.cli.conftest import run
from tests.services.builders import PASSWORD, World, locked

REPO = Path(__file__).resolve().parents[2]
JSON_KEYS = ["uuid", "date", "period", "badge", "name", "department", "item_code", "item_name", "category",
             "component", "component_label", "quantity", "points", "note", "source", "status", "reverses",
             "evidence", "recorded_by", "recorded_at", "unit", "unit_name", "scheme", "case_no", "case_type",
             "review_status", "reviewer"]


def _path(w: World) -> Path:
    assert w.db.path is not None
    return w.db.path


def _entries(path: Path) -> list[tuple[str, str, int, int]]:
    """(badge, item code, signed tenths as stored, evidence files) of every entry, in order."""
    db = open_database(path)
    try:
        with db.session() as s:
            return [(e.person.badge, e.item_code, e.points_tenths, len(e.evidence))
                    for e in s.scalars(select(Entry).order_by(Entry.id))]
    finally:
        db.dispose()


def _failed_logins(path: Path, username: str) -> tuple[int, bool]:
    db = open_database(path)
    try:
        with db.session() as s:
            user = s.scalars(select(User).where(User.username == username)).one()
            return user.failed_logins, user.locked_until is not None
    finally:
        db.dispose()


def _record(w: World, monkeypatch: pytest.MonkeyPatch, *argv: str, user: str = "clerk",
            password: str = PASSWORD) -> int:
    return run(_path(w), "record", *argv, "--user", user, password=password, monkeypatch=monkeypatch)


def _listing(w: World, capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, object]]:
    capsys.readouterr()
    assert run(_path(w), "entries", "--period", "2026-03", *argv, "--format", "json") == 0
    return json.loads(capsys.readouterr().out)


def test_a_clerk_records_one_entry_and_it_is_printed_and_audited(
        station: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert _record(station, monkeypatch, "--person", "101", "--item", "ZB-02", "--date", "2026-03-05",
                   "--note", "3月5日24小时值班") == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    uuid, badge, name, item, points = lines[0].split("  ")
    assert (badge, name, points) == ("101", "张三", "+2.0") and item.startswith("ZB-02 ")
    assert _entries(_path(station)) == [("101", "ZB-02", 20, 0)]
    db = open_database(_path(station))
    try:
        with db.session() as s:
            event = s.scalars(select(AuditEvent).where(AuditEvent.action == "entry.record")).one()
            assert event.entity_ref == uuid and event.username == "clerk"
    finally:
        db.dispose()


def test_a_mass_record_gives_each_badge_an_entry_with_the_evidence(
        station: World, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    scan = tmp_path / "破案报告.pdf"
    scan.write_bytes(b"%PDF-1.4\n% scan\n")
    # BA-12 is a range item (3–10) that needs evidence: a point value and a file.
    assert _record(station, monkeypatch, "--person", "101,102", "--item", "BA-12", "--date", "2026-03-09",
                   "--points", "4.5", "--evidence", str(scan)) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split("  ")[1] for line in lines] == ["101", "102"]
    assert all(line.endswith("+4.5") for line in lines)
    assert _entries(_path(station)) == [("101", "BA-12", 45, 1), ("102", "BA-12", 45, 1)]
    db = open_database(_path(station))
    try:
        with db.session() as s:
            assert {e.batch_uuid for e in s.scalars(select(Entry))} != {None}
            assert len(set(s.scalars(select(Entry.batch_uuid)))) == 1  # one event, one batch
            assert set(s.scalars(select(EvidenceFile.filename))) == {"破案报告.pdf"}
    finally:
        db.dispose()


def test_a_clerk_reverses_an_entry_and_the_listing_shows_both(
        station: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert _record(station, monkeypatch, "--person", "101", "--item", "JJ-03", "--date", "2026-03-10",
                   "--points", "2.5") == 0
    uuid = capsys.readouterr().out.split()[0]
    assert run(_path(station), "reverse", uuid, "--reason", "录错人员", "--user", "clerk",
               password=PASSWORD, monkeypatch=monkeypatch) == 0
    assert capsys.readouterr().out.startswith("已冲正：张三（101）2026-03-10 JJ-03")
    rows = _listing(station, capsys)
    assert [(r["status"], r["points"], r["reverses"]) for r in rows] == [("已冲正", 2.5, None), ("冲正", -2.5, uuid)]
    assert rows[1]["note"] == "作废：录错人员"
    # Twice is refused by the service, in one Chinese line.
    assert run(_path(station), "reverse", uuid, "--reason", "再来", "--user", "clerk",
               password=PASSWORD, monkeypatch=monkeypatch) == 2
    assert capsys.readouterr().err == "错误：这条积分记录已经作废过了\n"


def test_an_unknown_entry_uuid_is_not_found(
        station: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(_path(station), "reverse", "0000-nope", "--reason", "x", "--user", "clerk",
               password=PASSWORD, monkeypatch=monkeypatch) == 2
    assert capsys.readouterr().err.startswith("错误：没有编号为“0000-nope”的积分记录")


def test_an_officer_may_not_record(
        station: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert _record(station, monkeypatch, "--person", "101", "--item", "ZB-01", "--date", "2026-03-05",
                   user="officer") == 2
    err = capsys.readouterr().err
    # An officer's record is his own report for his reviewer; someone else's work is refused.
    assert err.startswith("错误：") and "民警只能自报本人的工作" in err and len(err.splitlines()) == 1
    assert _entries(_path(station)) == []


def test_a_wrong_password_is_refused_counted_and_locks_out_after_the_limit(
        station: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    path, argv = _path(station), ("--person", "101", "--item", "ZB-01", "--date", "2026-03-05")
    assert _record(station, monkeypatch, *argv, password="wrong") == 2
    assert capsys.readouterr().err == "错误：用户名或密码错误\n"
    assert _failed_logins(path, "clerk") == (1, False)
    for _ in range(accounts.MAX_FAILURES - 1):
        assert _record(station, monkeypatch, *argv, password="wrong") == 2
    assert "账户已锁定" in capsys.readouterr().err.splitlines()[-1]
    assert _failed_logins(path, "clerk")[1]  # locked until later
    # Locked out: even the right password is refused now, and nothing was ever written.
    assert _record(station, monkeypatch, *argv) == 2
    assert "账户已锁定" in capsys.readouterr().err
    assert _entries(path) == []


def test_entries_in_json_and_csv_have_the_stable_fields(
        station: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert _record(station, monkeypatch, "--person", "101,102", "--item", "JJ-03", "--date", "2026-03-12",
                   "--points", "2.5", "--qty", "2", "--note", "救助落水群众") == 0
    assert _record(station, monkeypatch, "--person", "101", "--item", "ZB-08", "--date", "2026-03-13") == 0
    rows = _listing(station, capsys)
    assert [list(r) for r in rows] == [JSON_KEYS] * 3
    first = rows[0]
    assert (first["date"], first["badge"], first["name"], first["item_code"], first["quantity"]) == (
        "2026-03-12", "101", "张三", "JJ-03", 2)
    assert first["points"] == 5.0 and isinstance(first["points"], float)  # 2.5 × 2, a JSON number
    assert (first["component"], first["status"], first["recorded_by"], first["note"]) == (
        "dept_bonus", "有效", "clerk", "救助落水群众")
    assert rows[2]["points"] == -2.0 and rows[2]["component"] == "dept_deduction"  # a deduction counts down
    assert [r["badge"] for r in _listing(station, capsys, "--person", "102")] == ["102"]

    assert run(_path(station), "entries", "--period", "2026-03", "--format", "csv") == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert table[0][:5] == ["编号", "日期", "月份", "警号", "姓名"] and len(table) == 4
    assert table[2][4] == "'=1+2"  # a name typed as a formula is not run by a spreadsheet
    assert run(_path(station), "entries", "--period", "2026-04", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize(("argv", "message"), [
    (("--person", "101", "--item", "XX-99", "--date", "2026-03-05"), "没有编号为 XX-99 的项目"),
    (("--person", "101,999", "--item", "ZB-01", "--date", "2026-03-05"), "没有警号为 999 的人员"),
    (("--person", "101", "--item", "ZB-01", "--date", "2026-3-5x"), "日期“2026-3-5x”"),
    (("--person", "101", "--item", "JJ-03", "--date", "2026-03-05", "--points", "7"), "超出范围，应在 1.0 至 5.0"),
    (("--person", "101", "--item", "JJ-03", "--date", "2026-03-05", "--points", "2.55"), "最多保留一位小数"),
    (("--person", "101", "--item", "ZB-01", "--date", "2026-03-05", "--qty", "两"), "数量“两”应为整数"),
    (("--person", "101", "--item", "ZB-01", "--date", "2026-03-05", "--qty", "0"), "数量应在 1 到"),
    (("--person", "101", "--item", "BA-12", "--date", "2026-03-05", "--points", "4"), "需要附证明材料"),
    (("--person", "101", "--item", "ZB-01", "--date", "2026-03-05", "--evidence", "/没有/这个.pdf"), "不存在"),
    (("--person", "101,101", "--item", "ZB-01", "--date", "2026-03-05"), "人员重复"),
    (("--person", " , ", "--item", "ZB-01", "--date", "2026-03-05"), "至少要写一个警号"),
])
def test_bad_input_is_one_chinese_line_and_writes_nothing(
        station: World, argv: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert _record(station, monkeypatch, *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and message in err and len(err.splitlines()) == 1
    assert "Traceback" not in err
    assert _entries(_path(station)) == []


def test_a_locked_month_refuses_records_and_reversals(
        station: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert _record(station, monkeypatch, "--person", "101", "--item", "ZB-01", "--date", "2026-03-05") == 0
    uuid = capsys.readouterr().out.split()[0]
    with station.tx() as s:
        locked(s, station, "2026-03")
    station.db.dispose()
    assert _record(station, monkeypatch, "--person", "101", "--item", "ZB-01", "--date", "2026-03-06") == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：2026年3月已锁定") and len(err.splitlines()) == 1
    assert run(_path(station), "reverse", uuid, "--reason", "更正", "--user", "clerk",
               password=PASSWORD, monkeypatch=monkeypatch) == 2
    assert "已锁定" in capsys.readouterr().err
    assert _entries(_path(station)) == [("101", "ZB-01", 10, 0)]


def test_entries_of_a_bad_period_or_badge_is_refused(station: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(_path(station), "entries", "--period", "2026-13") == 2
    assert capsys.readouterr().err.startswith("错误：考核周期“2026-13”")
    assert run(_path(station), "entries", "--period", "2026-03", "--person", "999") == 2
    assert capsys.readouterr().err == "错误：没有警号为 999 的人员\n"


def _jifen(path: Path, *argv: str, stdin: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CONFIG_HOME": str(home / "config"), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "desktop", "--db", str(path), *argv], input=stdin, text=True,
                          capture_output=True, cwd=REPO, env=env, timeout=120, check=False)


def test_record_works_as_a_real_command_with_the_password_on_stdin(station: World, tmp_path: Path) -> None:
    path = _path(station)
    done = _jifen(path, "record", "--person", "101,102", "--item", "ZB-03", "--date", "2026-03-20",
                  "--user", "clerk", stdin=PASSWORD + "\n", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [line.split("  ")[1] for line in done.stdout.splitlines()] == ["101", "102"]
    refused = _jifen(path, "record", "--person", "101", "--item", "ZB-03", "--date", "2026-03-20",
                     "--user", "clerk", stdin="wrong\n", home=tmp_path)
    assert (refused.returncode, refused.stderr, refused.stdout) == (2, "错误：用户名或密码错误\n", "")
    assert [e[:2] for e in _entries(path)] == [("101", "ZB-03"), ("102", "ZB-03")]
