"""The demo station's reviewers: an account for each department head, the leaders in charge,
a chain signed by the people it names, and officers' own reports, some still pending.

    reviewers = setup(session, people, months)   # after every department exists
    reviewers.sign_departments(db, period_code)  # each head signs his department's sheet
    reviewers.reports(db, months)                # self-reports: approved, adjusted, rejected, pending
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from desktop.models.db import Database
from desktop.models.enums import Role
from desktop.models.people import Person
from desktop.services import accounts, reviewers, roster, scoring, self_report, signoff
from desktop.services.actor import Actor
from desktop.services.periods import PeriodSpec, parse_period
from desktop.services.roster import ChainStep

SYSTEM = Actor.system("demo")
# Department → the head's account (the 中队长 or 警务室长 of it), printed by `jifen demo`.
HEAD_ACCOUNTS = {"治安管理中队": "zhian", "案件办理中队": "anjian", "滨河警务室": "binhe", "新村警务室": "xincun",
                 "河西警务室": "hexi", "城南警务室": "chengnan"}
# The 副所长 is the leader in charge of the two 中队; the 教导员 of the posts.
LEADER_ACCOUNT = ("fusuozhang", "副所长")
POSTS = ("滨河警务室", "新村警务室", "河西警务室", "城南警务室")


@dataclass
class DemoReviewers:
    accounts: dict[int, tuple[str, str]] = field(default_factory=dict)  # person id → (username, password)
    users: list[tuple[str, str, str]] = field(default_factory=list)  # username, role label, password

    actors: dict[int, Actor] = field(default_factory=dict)  # signed in once: scrypt is slow on purpose

    def login(self, session: Session, person_id: int) -> tuple[Actor, str]:
        username, password = self.accounts[person_id]
        if person_id not in self.actors:
            self.actors[person_id] = accounts.login(session, username, password)
        return self.actors[person_id], password

    def sign_departments(self, db: Database, code: str) -> None:
        """Step 1 of the month: every department's sheet by its head, each head's line by the
        level above (中队长 by the 副所长, 警务室长 by the 教导员, 综合室's 所长 by the 教导员)."""
        with db.transaction() as session:
            period = parse_period(code)
            from desktop.services import periods

            row = periods.get_or_create(session, period.code)
            rows = scoring.calculate(session, row)  # signing changes no score: computed once
            step = signoff.next_step(session, row, rows)
            while step is not None and step.scope == "department":
                due = signoff.dues(session, row, step, rows)
                signer = next(d.signer for d in due if d.signer is not None and d.signer.id in self.accounts)
                actor, password = self.login(session, signer.id)
                signoff.sign(session, actor, row, password)
                step = signoff.next_step(session, row, rows)


def setup(session: Session, people: list[Person], known: dict[str, tuple[int, str]]) -> DemoReviewers:
    """`known`: the accounts `jifen demo` already made, by username → (person id, password)."""
    out = DemoReviewers()
    for username, (person_id, password) in known.items():
        out.accounts.setdefault(person_id, (username, password))
    review = reviewers.ReviewMap(session, dt.date.today())
    by_name = {d.name: d for d in roster.get_station(session).departments}
    deputy = next((p for p in sorted(people, key=lambda p: p.badge) if p.position == LEADER_ACCOUNT[1]), None)
    instructor = next((p for p in people if p.position == "教导员"), None)
    chief = next((p for p in people if p.position == "所长"), None)
    for name in ("治安管理中队", "案件办理中队"):
        if deputy is not None and name in by_name:
            reviewers.set_leader_in_charge(session, SYSTEM, name, deputy.badge)
    for name in POSTS:
        if instructor is not None and name in by_name:
            reviewers.set_leader_in_charge(session, SYSTEM, name, instructor.badge)
    if chief is not None and instructor is not None:
        reviewers.set_person_reviewer(session, SYSTEM, chief.badge, instructor.badge)  # the 一把手 by the 教导员
    for name, username in HEAD_ACCOUNTS.items():
        dept = by_name.get(name)
        head = review.head(dept.id) if dept is not None else None
        if head is None or head.id in out.accounts:
            continue
        _account(session, out, username, head, f"{head.name}（{head.position}）")
    if deputy is not None and deputy.id not in out.accounts:
        _account(session, out, LEADER_ACCOUNT[0], deputy, f"{deputy.name}（{deputy.position}）")
    steps = [ChainStep("部门负责人审核", Role.CHIEF, "head")]
    if chief is not None:
        steps.append(ChainStep("所长审核", Role.CHIEF, "person", chief.badge))
    if instructor is not None:
        steps.append(ChainStep("教导员签字", Role.CHIEF, "person", instructor.badge))
    roster.set_signoff_chain(session, SYSTEM, steps)
    return out


def _account(session: Session, out: DemoReviewers, username: str, person: Person, display: str) -> None:
    password = f"{username}123"
    accounts.create_user(session, SYSTEM, username, display, Role.OFFICER, password, person_id=person.id)
    out.accounts[person.id] = (username, password)
    out.users.append((username, f"{Role.OFFICER.label}（审核人）", password))


def reports(db: Database, out: DemoReviewers, months: list[PeriodSpec], rng: random.Random) -> int:
    """Officers' self-reports in the open month: most decided by their head, some pending."""
    if not months:
        return 0
    month = months[-1]
    made = 0
    with db.transaction() as session:
        review = reviewers.ReviewMap(session, month.end)
        everyone = [p for p in session.query(Person).order_by(Person.badge) if p.active_on(month.start)]
        reporters = []
        for person in everyone:
            head = review.of(person).person
            if head is not None and head.id in out.accounts and not reviewers.is_leader(person):
                reporters.append((person, head))
        reporters = reporters[:12]
    last_day = min(month.end, dt.date.today())
    for i, (person, head) in enumerate(reporters):
        day = month.start + dt.timedelta(days=rng.randint(0, max(0, (last_day - month.start).days)))
        with db.transaction() as session:
            username = f"zb{person.badge}"
            if person.id not in out.accounts:
                accounts.create_user(session, SYSTEM, username, person.name, Role.OFFICER, f"{username}123",
                                     person_id=person.id)
                out.accounts[person.id] = (username, f"{username}123")
            officer, _ = out.login(session, person.id)
            items = [self_report.ReportInput("ZB-04", day, note="赴市局送检材料"),
                     self_report.ReportInput("JJ-01", day, quantity=rng.randint(1, 3))]
            try:
                made_reports = self_report.submit(session, officer, items)
            except Exception:
                continue
            made += len(made_reports)
            if i % 4 == 3:
                continue  # left pending: the head's queue has work in it
            reviewer, _ = out.login(session, head.id)
            night, calls = made_reports
            if i % 4 == 2:
                self_report.decide(session, reviewer, night.id, "reject", reason="当日在所值班，出差审批单中无本人")
            else:
                self_report.decide(session, reviewer, night.id, "approve")
            if calls.quantity > 1 and i % 2:
                self_report.decide(session, reviewer, calls.id, "adjust", quantity=1,
                                   reason="警情系统中当日只有一起由本人处警")
            else:
                self_report.decide(session, reviewer, calls.id, "approve")
    return made


def reviewer_rated(session: Session, months: list[PeriodSpec]) -> str | None:
    """One month graded by the reviewers (科尔沁 五级): the preset five_level_rated for that month
    only, the station's own policy again from the next. Set before any month is locked."""
    from desktop.services import periods, policies

    if len(months) < 6:
        return None
    month, after = months[-5], months[-4]
    keep = policies.policy_for(session, periods.transient(after))
    policies.set_policy(session, SYSTEM, policies.load_preset("five_level_rated"), month.start,
                        "演示：本月由审核人评定五级等次")
    policies.set_policy(session, SYSTEM, keep, after.start, "演示：恢复本所等次政策")
    return month.code


def rate_month(db: Database, out: DemoReviewers, code: str, chief: Actor) -> None:
    """Every reviewer rates his people: mostly as the points suggest, two with another level
    and the reason, and a remark for some."""
    from desktop.services import periods, ratings

    with db.transaction() as session:
        period = periods.get_or_create(session, code)
        review = reviewers.ReviewMap(session, period.end)
        rows = [r for r in scoring.calculate(session, period) if not r.excluded_reason]
        policy_codes = [c for c in ("优秀", "良好", "合格", "一般", "差")]
        changed = 0
        for i, row in enumerate(rows):
            person = session.get(Person, row.person_id)
            who = review.of(person).person
            actor = out.login(session, who.id)[0] if who is not None and who.id in out.accounts else chief
            level, reason = row.engine_grade or "合格", ""
            if changed < 2 and level in ("良好", "合格") and i % 5 == 2:
                level = policy_codes[policy_codes.index(level) + (1 if changed else -1)]
                reason = "本月两次迟到早退，经谈话提醒" if changed else "主动承担专项整治任务，群众赠送锦旗"
                changed += 1
            remark = "工作踏实，按时完成交办任务" if i % 4 == 0 else ""
            ratings.rate(session, actor, period, row.person_id, level, reason=reason, remark=remark)
