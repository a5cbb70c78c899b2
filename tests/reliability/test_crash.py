"""kill -9 in the middle of a large write: the reopened database is sound and holds all or none."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.models.db import open_database
from desktop.services import audit, integrity
from tests.services.builders import person, world

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 40
DAYS = 100  # 40 x 100 = 4,000 entries in one transaction

# The child records a quarter's duty sheets in one unit of work (ledger.record_many) and says
# where it is: MID half-way through the inserts (where it then waits to be killed), COMMIT before the commit.
BATCH_WRITER = """
import datetime as dt, sys, time
from sqlalchemy import select
from desktop.models.db import open_database
from desktop.models.people import Person
from desktop.services import ledger
from tests.services.builders import SYSTEM, entry_input

db = open_database(sys.argv[1])
with db.session() as s:
    people = list(s.scalars(select(Person)))
days = [dt.date(2026, 1, 1) + dt.timedelta(days=d) for d in range(int(sys.argv[2]))]
calls = 0
real_record = ledger.record
def record(*args, **kw):
    global calls
    calls += 1
    if calls == len(days) // 2:
        print("MID", flush=True)
        if sys.argv[3] == "MID":
            time.sleep(60)  # hold still, half-way through the transaction, until killed
    return real_record(*args, **kw)
ledger.record = record
with db.transaction() as s:
    ledger.record_many(s, SYSTEM, [entry_input(people, "ZB-01", day) for day in days])
    s.flush()
    print("COMMIT", flush=True)
print("DONE", flush=True)
"""


def entries(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM entries").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def big_station(tmp_path: Path) -> Path:
    path = tmp_path / "jifen.db"
    db = open_database(path)
    w = world(db)
    with w.tx() as session:
        for i in range(PEOPLE):
            person(session, w.dept, f"2{i:03d}")
    db.dispose()
    return path


def run_and_kill(script: str, args: list[str], kill_at: str | None, timeout: float = 120) -> str:
    """Run `script` in a child; SIGKILL it as soon as it prints `kill_at` (None: let it finish)."""
    proc = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    assert proc.stdout is not None
    seen = []
    try:
        for line in proc.stdout:
            seen.append(line.strip())
            if line.strip() == kill_at:
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert kill_at is None or kill_at in seen, f"the child stopped early: {seen}"
    if kill_at is not None:
        assert proc.returncode == -signal.SIGKILL
    return " ".join(seen)


def assert_sound(path: Path) -> None:
    assert integrity.check(path, full=True) == []
    db = open_database(path)  # quick_check on open passes too
    with db.session() as session:
        assert audit.verify(session).ok
    db.dispose()


@pytest.mark.parametrize("kill_at", ["MID", None])
def test_kill_during_a_large_batch_leaves_all_or_none(big_station: Path, kill_at: str | None) -> None:
    before = entries(big_station)
    run_and_kill(BATCH_WRITER, [str(big_station), str(DAYS), str(kill_at)], kill_at)
    assert_sound(big_station)
    after = entries(big_station)
    assert after == (before if kill_at == "MID" else before + PEOPLE * DAYS)


# The child imports a workbook of 100 new people and 5,000 上级加分 rows (one transaction) and
# says where it is: ROSTER once the people are inserted, ENTRIES once the entries are, COMMIT
# once the import's audit event is written (the commit follows at once).
IMPORTER = """
import sys, time
from desktop.models.db import open_database
from desktop.services import audit
from desktop.services.exchange import import_, plan_entries, plan_roster
from tests.reliability.test_bad_workbooks import CLERK

def announce(module, name, word):
    real = getattr(module, name)
    def wrapper(*args, **kw):
        result = real(*args, **kw)
        print(word, flush=True)
        if word == sys.argv[3] and word != "COMMIT":
            time.sleep(60)  # hold still at this point of the transaction until killed
        return result
    setattr(module, name, wrapper)

announce(plan_roster, "apply_roster", "ROSTER")
announce(plan_entries, "apply_entries", "ENTRIES")
announce(audit, "record", "COMMIT")
db = open_database(sys.argv[1])
report = import_.import_file(db, CLERK, sys.argv[2])
print("DONE", report.count("积分记录").new, flush=True)
"""
NEW_PEOPLE = 100
ROWS = 5_000


@pytest.fixture
def big_workbook(tmp_path: Path) -> Path:
    from tests.reliability import workbooks as wb

    roster = [["警号", "姓名", "部门", "身份"]] + [[f"3{i:03d}", f"新警{i:03d}", "治安中队", "民警"]
                                               for i in range(NEW_PEOPLE)]
    rows = [["警号", "姓名", "日期", "项目", "加分", "说明"]] + [
        [f"2{i % PEOPLE:03d}", f"民警2{i % PEOPLE:03d}", dt.date(2026, 3, 1 + i % 28), "SJ-01", 5, f"县局通报 {i}"]
        for i in range(ROWS)]
    return wb.simple_xlsx(tmp_path / "县局.xlsx", {"人员": roster, "上级加分": rows})


def people(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM people").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("kill_at", ["ROSTER", "ENTRIES", "COMMIT", None])
def test_kill_during_a_large_import_leaves_all_or_none(big_station: Path, big_workbook: Path,
                                                       kill_at: str | None) -> None:
    before = (people(big_station), entries(big_station))
    seen = run_and_kill(IMPORTER, [str(big_station), str(big_workbook), str(kill_at)], kill_at)
    assert_sound(big_station)
    after = (people(big_station), entries(big_station))
    everything = (before[0] + NEW_PEOPLE, before[1] + ROWS)
    if kill_at in ("ROSTER", "ENTRIES"):
        assert after == before
    elif kill_at is None:
        assert after == everything and f"DONE {ROWS}" in seen
    else:
        assert after in (before, everything)
    # The automatic backup taken before the import is there, sound, and holds the state before it.
    from desktop.services import backup

    taken = [b for b in backup.list_backups(big_station) if b.reason == "import"]
    assert len(taken) == 1 and integrity.check(taken[0].path, full=True) == []
    assert (people(taken[0].path), entries(taken[0].path)) == before
