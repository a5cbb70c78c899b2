"""Recompute, sign, lock and import are each one transaction: a failure at their very last
step (the audit event, written just before the commit) leaves no trace of the operation.

The failure is injected in-process (a cheap stand-in for a crash at that point; the kill -9
tests in test_crash.py do the same with a real process for the largest writes).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from desktop.models.db import Database
from desktop.models.grading import ScoreResult
from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.services import audit, periods, scoring, signoff
from desktop.services.exchange.import_ import import_file
from tests.reliability import workbooks as wb
from tests.services.builders import (
    PASSWORD,
    World,
    confirm_everyone,
    five_people,
    locked,
    rec,
    to_review,
    world,
)


class PowerCut(Exception):
    """Stands for the machine stopping between the last write and the commit."""


def fail_after(monkeypatch: pytest.MonkeyPatch, action: str) -> None:
    real = audit.record

    def record(session: Any, actor: Any, act: str, *args: Any, **kw: Any) -> Any:
        event = real(session, actor, act, *args, **kw)
        if act == action:
            raise PowerCut(act)
        return event

    monkeypatch.setattr(audit, "record", record)


def state(db: Database) -> dict[str, Any]:
    with db.session() as session:
        tables = session.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars().all()
        out: dict[str, Any] = {t: session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
        out["periods"] = sorted(session.execute(select(Period.code, Period.state)).all())
        out["totals"] = sorted(session.execute(select(ScoreResult.person_id, ScoreResult.total_tenths)).all())
    return out


@pytest.fixture
def w(db: Database) -> World:
    w = world(db, starting_score=1000)
    with w.tx() as s:
        five_people(s, w)
    return w


def test_recompute_is_all_or_nothing(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    with w.tx() as s:
        scoring.store(s, w.clerk, periods.get_or_create(s, "2026-03"))
    with w.tx() as s:
        rec(s, w.clerk, s.scalars(select(Person)).first(), "ZB-01", times=3)  # the stored totals are now stale
    before = state(w.db)
    fail_after(monkeypatch, "period.compute")
    with pytest.raises(PowerCut), w.tx() as s:
        scoring.store(s, w.clerk, periods.get_or_create(s, "2026-03"))
    assert state(w.db) == before  # the old results are still there, not deleted


def test_last_signature_with_its_lock_is_all_or_nothing(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    with w.tx() as s:
        confirm_everyone(s, w.clerk, to_review(s, w, "2026-03"))
    with w.tx() as s:
        signoff.sign(s, w.chief, periods.get_or_create(s, "2026-03"), PASSWORD)
    before = state(w.db)
    fail_after(monkeypatch, "period.locked")  # after the signature, the stored results and the lock
    with pytest.raises(PowerCut), w.tx() as s:
        signoff.sign(s, w.jdy, periods.get_or_create(s, "2026-03"), PASSWORD)
    after = state(w.db)
    assert after == before and ("2026-03", "review") in after["periods"]


def test_lock_is_all_or_nothing(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A quarter is locked directly by the chief once its months are; results are stored with it."""
    with w.tx() as s:
        for month in ("2026-01", "2026-02", "2026-03"):
            locked(s, w, month)  # signed by 所长 and 教导员
    with w.tx() as s:
        to_review(s, w, "2026-Q1")
    before = state(w.db)
    fail_after(monkeypatch, "period.locked")
    with pytest.raises(PowerCut), w.tx() as s:
        periods.lock(s, w.chief, periods.get_or_create(s, "2026-Q1"))
    after = state(w.db)
    assert after == before and ("2026-Q1", "review") in after["periods"]


def test_import_is_all_or_nothing(w: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["警号", "姓名", "日期", "项目", "加分", "说明"]] + [
        ["001", "民警001", dt.date(2026, 3, 1 + i), "SJ-01", 5, f"通报{i}"] for i in range(20)]
    roster = [["警号", "姓名", "部门"], ["900", "新人", "治安中队"]]
    path = wb.simple_xlsx(tmp_path / "县局.xlsx", {"人员": roster, "上级加分": rows})
    before = state(w.db)
    fail_after(monkeypatch, "exchange.import")
    with pytest.raises(PowerCut):
        import_file(w.db, w.clerk, path)
    assert state(w.db) == before
    with w.db.session() as s:
        assert s.scalar(select(func.count()).select_from(ScoreResult)) == before["score_results"]
