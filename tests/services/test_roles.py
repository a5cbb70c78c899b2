"""Roles and accountability: who may do what, login lock-out, and the tamper-evident audit chain."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from desktop.models.accounts import User
from desktop.models.audit import AuditEvent
from desktop.models.db import Database
from desktop.models.enums import ConfirmStatus, DepartmentKind, Identity, Role
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.services import (
    accounts,
    audit,
    awards,
    catalogue,
    ledger,
    periods,
    policies,
    review,
    roster,
    scoring,
    signoff,
)
from desktop.services.actor import Actor
from desktop.services.errors import AuthError, PermissionDenied
from tests.services.builders import (
    PASSWORD,
    World,
    add_user,
    confirm_everyone,
    count,
    entry_input,
    five_people,
    locked,
    overrides_may_break_quotas,
    period,
    to_review,
    world,
)


@dataclass
class Ctx:
    w: World
    people: list[Person]
    entry: Entry
    review: Period  # March 2026, under review
    locked: Period  # February 2026, locked

    def march(self, s: Session) -> Period:
        return period(s, "2026-03")


@pytest.fixture
def ctx(db: Database) -> Ctx:
    w = world(db, starting_score=1000)
    overrides_may_break_quotas(w)  # five people: the overrides here are about their mechanics
    with w.tx() as s:
        people = five_people(s, w)
        entry = s.scalars(select(Entry).where(Entry.person_id == people[0].id)).one()
        feb = locked(s, w, "2026-02")
        march = to_review(s, w, "2026-03")
    return Ctx(w, people, entry, march, feb)


def _person_input(c: Ctx, badge: str = "900") -> roster.PersonInput:
    return roster.PersonInput(badge=badge, name="新同志", identity=Identity.POLICE, department_id=c.w.dept.id)


# (role, what, call) — every call must raise PermissionDenied and change nothing.
DENIED: list[tuple[str, str, Callable[[Session, Ctx, Actor], object]]] = [
    ("clerk", "lock", lambda s, c, a: periods.lock(s, a, c.march(s))),
    ("clerk", "reopen", lambda s, c, a: signoff.reopen(s, a, period(s, "2026-02"), "想改二月")),
    ("clerk", "reopen (periods)", lambda s, c, a: periods.reopen(s, a, period(s, "2026-02"), "想改二月")),
    ("clerk", "override", lambda s, c, a: review.override_grade(s, a, c.march(s), c.people[4].id, "A", "理由")),
    ("clerk", "resolve dispute", lambda s, c, a: review.resolve(s, a, c.march(s), c.people[0].id, "已处理")),
    ("clerk", "give award", lambda s, c, a: awards.give(s, a, c.march(s), c.people[0].id, "闪光民警")),
    ("clerk", "create user", lambda s, c, a: accounts.create_user(s, a, "x1", "x1", Role.CHIEF, PASSWORD)),
    ("clerk", "grade policy", lambda s, c, a: policies.set_station_policy(s, a, "five_level")),
    ("officer", "record", lambda s, c, a: ledger.record(s, a, entry_input(c.people[0], "ZB-01"))),
    ("officer", "resolve dispute", lambda s, c, a: review.resolve(s, a, c.march(s), c.people[0].id, "已处理")),
    ("officer", "record_many", lambda s, c, a: ledger.record_many(s, a, [entry_input(c.people[0], "ZB-01")])),
    ("officer", "reverse", lambda s, c, a: ledger.reverse(s, a, c.entry.id, "不认可")),
    ("officer", "compute/store", lambda s, c, a: scoring.store(s, a, c.march(s))),
    ("officer", "start review", lambda s, c, a: periods.start_review(s, a, period(s, "2026-04"))),
    ("officer", "lock", lambda s, c, a: periods.lock(s, a, c.march(s))),
    ("officer", "override", lambda s, c, a: review.override_grade(s, a, c.march(s), c.people[0].id, "A", "自评")),
    ("officer", "give award", lambda s, c, a: awards.give(s, a, c.march(s), c.people[0].id, "闪光民警")),
    ("officer", "add person", lambda s, c, a: roster.add_person(s, a, _person_input(c))),
    ("officer", "update person", lambda s, c, a: roster.update_person(s, a, c.people[0].id, _person_input(c, "001"))),
    ("officer", "add department", lambda s, c, a: roster.add_department(s, a, "刑侦中队")),
    ("officer", "set photo", lambda s, c, a: roster.set_photo(s, a, c.people[0].id, b"\x89PNG", "image/png")),
    ("officer", "catalogue", lambda s, c, a: catalogue.install_preset(s, a, dt.date(2026, 6, 1))),
    ("officer", "signoff chain", lambda s, c, a: roster.set_signoff_chain(s, a, [("所长签字", Role.OFFICER)])),
    ("officer", "confirm for someone", lambda s, c, a: review.confirm(s, a, c.march(s), c.people[0].id)),
    ("chief", "edit roster", lambda s, c, a: roster.add_person(s, a, _person_input(c))),
    ("chief", "create user", lambda s, c, a: accounts.create_user(s, a, "x1", "x1", Role.ADMIN, PASSWORD)),
    ("admin", "lock", lambda s, c, a: periods.lock(s, a, c.march(s))),
    ("admin", "override", lambda s, c, a: review.override_grade(s, a, c.march(s), c.people[4].id, "A", "理由")),
]


@pytest.mark.parametrize(("role", "what", "call"), DENIED, ids=[f"{r}-{w}" for r, w, _ in DENIED])
def test_role_is_refused(ctx: Ctx, role: str, what: str, call: Callable[[Session, Ctx, Actor], object]) -> None:
    actor = getattr(ctx.w, role)
    with ctx.w.tx() as s:
        before = count(s, AuditEvent)
    with pytest.raises(PermissionDenied, match=r"无权|只能确认"), ctx.w.tx() as s:
        call(s, ctx, actor)
    with ctx.w.tx() as s:
        assert count(s, AuditEvent) == before
        assert [p.state for p in periods.list_periods(s)] == ["locked", "review"]


def test_officer_confirms_and_disputes_only_their_own_sheet(ctx: Ctx) -> None:
    w, mine, other = ctx.w, ctx.people[0], ctx.people[1]
    with w.tx() as s:
        me = add_user(s, "p001", Role.OFFICER, person_id=mine.id)
    with w.tx() as s:
        for call in (lambda: review.confirm(s, me, ctx.march(s), other.id),
                     lambda: review.dispute(s, me, ctx.march(s), other.id, "替别人反映")):
            with pytest.raises(PermissionDenied, match="民警只能确认或反馈本人的月积分"):
                call()
        for anyone in (mine, other):  # an officer account not linked to a person speaks for nobody
            with pytest.raises(PermissionDenied):
                review.confirm(s, w.officer, ctx.march(s), anyone.id)
    with w.tx() as s:
        row = review.dispute(s, me, ctx.march(s), mine.id, "3月2日值班未记分")
        assert (row.status, row.by_user_id) == (ConfirmStatus.DISPUTED.value, me.user_id)
        review.resolve(s, w.chief, ctx.march(s), mine.id, "经核实已补录")
        row = review.confirm(s, me, ctx.march(s), mine.id, "无异议")
        assert row.status == ConfirmStatus.CONFIRMED.value
        # The clerk records a paper confirmation for someone else.
        assert review.confirm(s, w.clerk, ctx.march(s), other.id).by_user_id == w.clerk.user_id
        flags = {r.person_id: r.flags for r in review.with_review_flags(s, ctx.march(s),
                                                                        scoring.calculate(s, ctx.march(s)))}
        assert flags[mine.id] == [] and flags[other.id] == []
        assert flags[ctx.people[2].id] == ["unconfirmed"]


def _try_login(db: Database, password: str) -> Actor:
    with db.transaction() as s:  # one unit of work per try, as the login dialog does
        return accounts.login(s, "clerk", password)


def test_five_wrong_passwords_lock_the_account(db: Database) -> None:
    w = world(db)
    for _ in range(accounts.MAX_FAILURES - 1):
        with pytest.raises(AuthError, match=r"^用户名或密码错误$"):
            _try_login(db, "wrong")
    with pytest.raises(AuthError, match="锁定"):
        _try_login(db, "wrong")
    with pytest.raises(AuthError, match="账户已锁定"):
        _try_login(db, PASSWORD)  # even the right password, until the lock expires
    with w.tx() as s:
        user = s.scalars(select(User).where(User.username == "clerk")).one()
        assert user.locked_until is not None
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.username == "clerk")).all()
        assert actions == ["user.login_failed"] * 5
        assert json.loads(s.scalars(select(AuditEvent.detail).order_by(AuditEvent.id.desc())).first()) == {
            "locked": True}
        accounts.reset_password(s, w.admin, "clerk", "new-secret")
    assert _try_login(db, "new-secret").role == Role.CLERK


def test_a_successful_login_resets_the_failure_count(db: Database) -> None:
    world(db)
    for _ in range(3):
        with pytest.raises(AuthError):
            _try_login(db, "wrong")
    _try_login(db, PASSWORD)
    with db.transaction() as s:
        assert s.scalars(select(User.failed_logins).where(User.username == "clerk")).one() == 0
    with pytest.raises(AuthError, match=r"^用户名或密码错误$"):
        _try_login(db, "wrong")
    with db.transaction() as s:
        assert s.scalars(select(User.failed_logins).where(User.username == "clerk")).one() == 1


@pytest.mark.parametrize("username", ["nobody", ""])
def test_unknown_user_gets_the_same_message(db: Database, username: str) -> None:
    world(db)
    with pytest.raises(AuthError, match=r"^用户名或密码错误$"), db.transaction() as s:
        accounts.login(s, username, PASSWORD)


# (expected audit action, a successful write)
WRITES: list[tuple[str, Callable[[Session, Ctx], object]]] = [
    ("entry.record", lambda s, c: ledger.record(s, c.w.clerk, entry_input(c.people[0], "ZB-01"))),
    ("entry.batch", lambda s, c: ledger.record_many(s, c.w.clerk, [entry_input(c.people[0], "ZB-01")])),
    ("entry.reverse", lambda s, c: ledger.reverse(s, c.w.clerk, c.entry.id, "重复录入")),
    ("person.create", lambda s, c: roster.add_person(s, c.w.clerk, _person_input(c))),
    ("person.update", lambda s, c: roster.update_person(s, c.w.clerk, c.people[0].id, roster.PersonInput(
        badge="001", name="改名", identity=Identity.POLICE, department_id=c.w.dept.id))),
    ("person.photo", lambda s, c: roster.set_photo(s, c.w.clerk, c.people[0].id, b"\x89PNG", "image/png")),
    ("department.create", lambda s, c: roster.add_department(s, c.w.clerk, "一号警务室", kind=DepartmentKind.POST,
                                                            post_class=1)),
    ("catalogue.version", lambda s, c: catalogue.install_preset(s, c.w.clerk, dt.date(2026, 6, 1))),
    ("period.compute", lambda s, c: scoring.store(s, c.w.clerk, c.march(s))),
    ("period.review", lambda s, c: periods.start_review(s, c.w.clerk, period(s, "2026-04"))),
    ("period.open", lambda s, c: periods.back_to_open(s, c.w.clerk, c.march(s), "补录")),
    ("period.locked", lambda s, c: (confirm_everyone(s, c.w.clerk, c.march(s)),
                                    signoff.sign(s, c.w.chief, c.march(s), PASSWORD),
                                    signoff.sign(s, c.w.jdy, c.march(s), PASSWORD))),
    ("period.open", lambda s, c: signoff.reopen(s, c.w.chief, period(s, "2026-02"), "补录表扬")),
    ("grade.override", lambda s, c: review.override_grade(s, c.w.chief, c.march(s), c.people[4].id, "B", "理由")),
    ("review.confirm", lambda s, c: review.confirm(s, c.w.clerk, c.march(s), c.people[0].id)),
    ("award.give", lambda s, c: awards.give(s, c.w.chief, c.march(s), c.people[0].id, "闪光民警")),
    ("station.policy", lambda s, c: policies.set_station_policy(s, c.w.chief, "five_level")),
    ("station.chain", lambda s, c: roster.set_signoff_chain(s, c.w.admin, [("所长签字", Role.CHIEF)])),
    ("user.create", lambda s, c: accounts.create_user(s, c.w.admin, "zhang", "张三", Role.CLERK, PASSWORD)),
]


@pytest.mark.parametrize(("action", "write"), WRITES, ids=[f"{a}-{i}" for i, (a, _) in enumerate(WRITES)])
def test_each_write_appends_an_audit_event_and_the_chain_verifies(
        ctx: Ctx, action: str, write: Callable[[Session, Ctx], object]) -> None:
    with ctx.w.tx() as s:
        before = count(s, AuditEvent)
        write(s, ctx)
    with ctx.w.tx() as s:
        new = s.scalars(select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id)).all()
        assert action in [e.action for e in new]
        assert all(e.username for e in new)
        report = audit.verify(s)
        assert report.ok and report.checked == before + len(new)


def _events(db: Database, n: int = 6) -> World:
    """A station whose audit chain has at least n events."""
    w = world(db)
    with w.tx() as s:
        assert count(s, AuditEvent) >= n
        assert audit.verify(s).ok
    return w


@pytest.mark.parametrize(("column", "value"), [
    ("detail", '{"forged": true}'),
    ("username", "someone_else"),
    ("action", "entry.record"),
    ("entity_ref", "0000"),
    ("at", "2020-01-01 00:00:00.000000"),
    ("user_id", "999"),
])
def test_editing_an_audit_row_is_reported_with_its_id(db: Database, column: str, value: str) -> None:
    w = _events(db)
    with db.engine.begin() as conn:
        conn.execute(text(f"UPDATE audit_events SET {column} = :v WHERE id = 3"), {"v": value})
    with w.tx() as s:
        report = audit.verify(s)
    assert (report.ok, report.broken_at, report.checked) == (False, 3, 2)
    assert report.reason == "第 3 条记录的内容被改动"


def test_rehashing_a_forged_row_breaks_the_next_link(db: Database) -> None:
    w = _events(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET detail = '{}', hash = :h WHERE id = 3"), {"h": "f" * 64})
    with w.tx() as s:
        report = audit.verify(s)
    assert (report.ok, report.broken_at) == (False, 3)
    with db.engine.begin() as conn:  # a forger who recomputes row 3's hash still breaks row 4's link
        row = conn.execute(text("SELECT * FROM audit_events WHERE id = 3")).mappings().one()
        at = dt.datetime.fromisoformat(str(row["at"]))
        forged = audit._digest(row["prev_hash"], audit._canonical(
            3, at, row["user_id"], row["username"], row["action"], row["entity"], row["entity_ref"], "{}",
            row["sealed"]))
        conn.execute(text("UPDATE audit_events SET hash = :h WHERE id = 3"), {"h": forged})
    with w.tx() as s:
        report = audit.verify(s)
    assert (report.ok, report.broken_at, report.reason) == (False, 4, "第 4 条记录与前一条的链接不符")


def test_deleting_a_middle_row_is_reported(db: Database) -> None:
    w = _events(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = 3"))
    with w.tx() as s:
        report = audit.verify(s)
    assert (report.ok, report.broken_at, report.checked) == (False, 4, 2)
    assert "缺少第 3 条记录" in report.reason


def test_swapping_two_rows_is_reported(db: Database) -> None:
    w = _events(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET id = -1 WHERE id = 3"))
        conn.execute(text("UPDATE audit_events SET id = 3 WHERE id = 4"))
        conn.execute(text("UPDATE audit_events SET id = 4 WHERE id = -1"))
    with w.tx() as s:
        report = audit.verify(s)
    assert (report.ok, report.broken_at) == (False, 3)
