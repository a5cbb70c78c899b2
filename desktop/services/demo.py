"""Build a deterministic, realistic demo station (`jifen demo`).

About 40 people in seven departments (four 警务室 in two classes), twelve months of
daily duty, calls, cases, bonuses, deductions, one veto, reversals and higher-level
adjustments, earlier months reviewed, signed and locked, and awards given; beside the person
scheme the four 汉阴 积分制 with their units and cases (demo_schemes, demo_cases). Everything
goes through the same services a clerk uses, so the demo also exercises them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from desktop.models.base import utcnow
from desktop.models.db import Database, open_database
from desktop.models.enums import DepartmentKind, EntrySource, Identity
from desktop.models.grading import Award
from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.services import (
    accounts,
    awards,
    catalogue,
    demo_review,
    demo_schemes,
    ledger,
    periods,
    policies,
    review,
    roster,
    scoring,
    signoff,
)
from desktop.services.actor import Actor
from desktop.services.demo_people import DEPARTMENTS, STATION, USERS, roster_plan
from desktop.services.errors import ValidationError
from desktop.services.grade_policy import Policy
from desktop.services.ledger import EntryInput, Evidence
from desktop.services.periods import PeriodSpec, parse_period

SYSTEM = Actor.system("demo")


@dataclass
class DemoReport:
    path: Path | str  # the file, or the server address (shown masked)
    months: list[str]
    people: int = 0
    entries: int = 0
    locked: list[str] = field(default_factory=list)
    schemes_signed: list[str] = field(default_factory=list)  # "基层基础 2026年9月" …
    users: list[tuple[str, str, str]] = field(default_factory=list)  # username, role label, password


def month_list(until: str | None, today: dt.date | None = None) -> list[PeriodSpec]:
    """Twelve months ending with `until` (default: last month)."""
    if until:
        last = parse_period(until)
        if last.kind.value != "month":
            raise ValidationError("--until 需要写成年月，例如 2026-03")
    else:
        today = today or dt.date.today()
        prev = today.replace(day=1) - dt.timedelta(days=1)
        last = parse_period(f"{prev.year}-{prev.month:02d}")
    months = []
    year, month = last.year, last.number
    for _ in range(12):
        months.append(parse_period(f"{year}-{month:02d}"))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _prepare_server(target: str, force: bool, station_code: str | None) -> str | None:
    """A demo on a bureau server goes into the station's schema the address names (its code is
    the demo station's); one already holding a station is replaced only with --force, and the
    bureau's own schema never."""
    from sqlalchemy import text

    from desktop.models import stores
    from desktop.models.db import make_engine

    named = stores.station_of(target)
    if named and station_code and named != station_code:
        raise ValidationError(f"地址中的单位代码“{named}”与 --station-code“{station_code}”不同")
    if problem := stores.reachable(stores.with_station(target, None)):
        raise ValidationError(problem)
    schema = stores.schema_of(target)
    engine = make_engine(target)
    try:
        with engine.begin() as conn:
            if not stores.schema_exists(conn, schema):
                return named or station_code
            held = conn.execute(text(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = :s AND table_name = 'stations'"),
                {"s": schema}).first() and conn.execute(text("SELECT count(*) FROM stations")).scalar()
            if held and not force:
                raise ValidationError(f"服务器上的“{stores.shown(target)}”已有单位数据，演示数据不会覆盖它；"
                                      "确需覆盖请加 --force")
            if held and named is None:
                raise ValidationError("不能在局机关本级建立演示单位：请在地址末尾写 ?station=单位代码")
            if held:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        engine.dispose()
    return named or station_code


def build_demo(path: str | Path, *, seed: int = 7, until: str | None = None, force: bool = False,
               station_code: str | None = None, station_name: str | None = None,
               policy: str | Policy | None = None) -> DemoReport:
    from desktop.models import stores

    if stores.is_server(path):
        station_code = _prepare_server(str(path), force, station_code)
    else:
        path = Path(path)
        if path.exists() and not force:
            raise ValidationError(f"数据库“{path}”已存在，演示数据不会覆盖它；确需覆盖请加 --force")
        if force:
            _remove(path)
    rng = random.Random(seed)
    months = month_list(until)
    db = open_database(path)
    try:
        report = DemoReport(path=Path(path) if not stores.is_server(path) else stores.shown(str(path)),
                            months=[m.code for m in months])
        with db.transaction() as session:
            station = {**STATION, **({"code": station_code} if station_code else {}),
                       **({"name": station_name} if station_name else {})}
            people = _setup(session, rng, months, report, station, policy)
            # 汉阴's four 积分制 beside the person scheme: two more posts, the units, the schemes.
            hanyin = demo_schemes.setup(session, SYSTEM, months, people, seed)
            people = people + hanyin.people
            report.people = len(people)
            known = {u[0]: (p.id, u[3]) for u in USERS for p in people if p.position == u[4]}
            reviewing = demo_review.setup(session, people, known)
            report.users.extend(reviewing.users)
        builder = _MonthBuilder(db, rng, people)
        for index, month in enumerate(months):
            builder.fill(month, index)
            hanyin.fill(db, month, index)
        hanyin.finish(db)  # the 队伍管理 problem its head answers for, and the 执法办案 cases
        report.entries = builder.count + hanyin.count
        _review_and_sign(db, months, report, rng, reviewing)
        report.entries += demo_review.reports(db, reviewing, months, rng)
        _sign_schemes(db, months, report)
    finally:
        db.dispose()
    return report


def _setup(session: Session, rng: random.Random, months: list[PeriodSpec], report: DemoReport,
           station: dict[str, str], policy: str | Policy | None) -> list[Person]:
    roster.create_station(session, SYSTEM, **station)
    policies.install_presets(session, SYSTEM)
    if isinstance(policy, Policy):  # a station's own policy file (jifen demo --policy FILE.json)
        policies.save_policy(session, SYSTEM, policy)
        policies.set_station_policy(session, SYSTEM, policy.code)
    else:
        policies.set_station_policy(session, SYSTEM, policy or "abcd")
    first = months[0].start
    catalogue.install_preset(session, SYSTEM, first)
    # A second catalogue version half-way: night patrol is worth more from then on.
    name, specs = catalogue.load_preset_specs()
    for spec in specs:
        if spec.code == "ZB-03":
            spec.points_tenths, spec.monthly_cap_tenths = 15, 225
    catalogue.create_version(session, SYSTEM, months[6].start, name + "（修订）", specs,
                             note="夜间巡查每夜由 1 分调整为 1.5 分")
    depts = {}
    for plan in DEPARTMENTS:
        kind = DepartmentKind.POST if plan.kind == "post" else DepartmentKind.OFFICE
        depts[plan.name] = roster.add_department(session, SYSTEM, plan.name, kind=kind, post_class=plan.post_class)
    people = []
    plans = roster_plan(rng)
    # 张三丰 stays on the roster: pinyin search ("zsf") needs a known person on duty.
    leaver = next(i for i in range(len(plans) - 8, 0, -1) if not plans[i].is_head and plans[i].name != "张三丰")
    # A transferee who arrives on the 10th of a quarter's second month: ranked on a pro-rated total.
    transferee = next(i for i in range(len(plans) - 5, 0, -1)
                      if i != leaver and not plans[i].is_head and plans[i].name != "张三丰")
    arrival = next((m.start + dt.timedelta(days=9) for m in months[1:] if m.number % 3 == 2), None)
    for i, plan in enumerate(plans):
        active_from = first - dt.timedelta(days=rng.randint(400, 4000))
        active_to = None
        if i == len(plans) - 3:  # a new hire part-way through the year
            active_from = months[8].start + dt.timedelta(days=9)
        if i == transferee and arrival is not None:
            active_from = arrival
        if i == leaver:  # someone who left (transfer)
            active_to = months[5].end
        people.append(roster.add_person(session, SYSTEM, roster.PersonInput(
            badge=plan.badge, name=plan.name, identity=plan.identity, department_id=depts[plan.department].id,
            position=plan.position, sequence=plan.sequence, is_head=plan.is_head,
            active_from=active_from, active_to=active_to,
        )))
    for username, display, role, password, position in USERS:
        person = next((p for p in people if p.position == position), None)
        name = f"{person.name}（{display}）" if person else display
        accounts.create_user(session, SYSTEM, username, name, role, password,
                             person_id=person.id if person else None)
        report.users.append((username, role.label, password))
    report.people = len(people)
    return people


class _MonthBuilder:
    """Writes one month of entries as a clerk would: a duty sheet a day, then the month's events."""

    def __init__(self, db: Database, rng: random.Random, people: list[Person]) -> None:
        self.db, self.rng, self.people = db, rng, people
        self.count = 0
        self.veto_done = False

    def active(self, day: dt.date) -> list[Person]:
        return [p for p in self.people if p.active_on(day)]

    def fill(self, month: PeriodSpec, index: int) -> None:
        day = month.start
        with self.db.transaction() as session:
            while day <= month.end:
                self.count += len(ledger.record_many(session, SYSTEM, self._duty_day(day), action="duty.save"))
                day += dt.timedelta(days=1)
        with self.db.transaction() as session:
            self._month_events(session, month, index)

    def _duty_day(self, day: dt.date) -> list[EntryInput]:
        rng, staff = self.rng, self.active(day)
        workers = [p for p in staff if not p.is_head]
        inputs = []
        if day.weekday() < 5:
            present = [p for p in staff if rng.random() > 0.06]
            inputs.append(EntryInput([p.id for p in present], "ZB-01", day, source=EntrySource.DUTY))
        on_duty = rng.sample(workers, k=max(2, len(workers) // 4))
        inputs.append(EntryInput([p.id for p in on_duty], "ZB-02", day, source=EntrySource.DUTY))
        patrol = [p for p in workers if p.sequence in ("治安管理", "社区警务", "治安管理（辅警）")]
        if patrol:
            night = rng.sample(patrol, k=min(len(patrol), 6))
            inputs.append(EntryInput([p.id for p in night], "ZB-03", day, source=EntrySource.DUTY))
        calls: dict[int, list[int]] = defaultdict(list)
        for person in on_duty:
            calls[rng.randint(2, 8)].append(person.id)
        for quantity, ids in sorted(calls.items()):
            inputs.append(EntryInput(ids, "JJ-01", day, quantity=quantity, source=EntrySource.DUTY))
        if rng.random() < 0.12:
            guards = rng.sample(workers, k=rng.randint(4, 8))
            inputs.append(EntryInput([p.id for p in guards], "ZB-05", day, source=EntrySource.DUTY))
        if day.weekday() < 5 and rng.random() < 0.08:
            inputs.append(EntryInput([rng.choice(workers).id], "ZB-04", day, source=EntrySource.DUTY))
        return inputs

    def _record(self, session: Session, ids: list[int], code: str, day: dt.date, quantity: int = 1,
                points: int | None = None, note: str = "", evidence: bool = False,
                source: EntrySource = EntrySource.MANUAL) -> list[int]:
        active = {p.id for p in self.active(day)}
        ids = [i for i in ids if i in active]
        if not ids:
            return []
        files = [Evidence(f"{code}-证明材料.txt", f"{code} {day} {note}".encode(), "text/plain")] if evidence else []
        entries = ledger.record(session, SYSTEM, EntryInput(ids, code, day, quantity=quantity, points_tenths=points,
                                                            note=note, evidence=files, source=source))
        self.count += len(entries)
        return [e.id for e in entries]

    def _month_events(self, session: Session, month: PeriodSpec, index: int) -> None:
        rng = self.rng
        mid = month.start + dt.timedelta(days=14)
        staff = [p for p in self.active(mid) if not p.is_head]
        police = [p for p in staff if p.identity == Identity.POLICE.value]
        manual_ids: list[int] = []
        # Party life and study for police; study for everyone.
        for n in range(2):
            day = month.start + dt.timedelta(days=5 + 10 * n)
            self._record(session, [p.id for p in police], "DL-01", day, note="支部主题党日")
            self._record(session, [p.id for p in staff], "RC-01", day + dt.timedelta(days=1), note="集中政治理论学习")
            self._record(session, [p.id for p in staff], "RC-02", day + dt.timedelta(days=2), note="警务技能训练")
        self._record(session, [p.id for p in staff], "NW-01", month.start + dt.timedelta(days=20), note="谈心谈话")
        for person in staff:
            day = month.start + dt.timedelta(days=rng.randint(0, 27))
            if person.sequence.startswith("执法办案"):
                self._record(session, [person.id], "BA-01", day, quantity=rng.randint(1, 4), note="主办刑事案件")
                self._record(session, [person.id], "BA-03", day, quantity=rng.randint(1, 6), note="主办治安案件")
                if rng.random() < 0.4:
                    self._record(session, [person.id], "BA-07", day, quantity=rng.randint(1, 2), note="移送审查起诉")
                if rng.random() < 0.2:
                    manual_ids += self._record(session, [person.id], "BA-14", day, note="法律文书填写不规范")
            elif person.sequence.startswith("社区警务"):
                self._record(session, [person.id], "RC-03", day, quantity=rng.randint(15, 60), note="一标三实采集")
                self._record(session, [person.id], "RC-04", day, quantity=rng.randint(5, 30), note="流动人口登记")
                self._record(session, [person.id], "BA-09", day, quantity=rng.randint(2, 12), note="调解邻里纠纷")
            elif person.sequence.startswith("治安管理"):
                self._record(session, [person.id], "BA-03", day, quantity=rng.randint(1, 5), note="查处治安案件")
                self._record(session, [person.id], "BA-08", day, quantity=rng.randint(0, 3) or 1, note="行政拘留")
            else:
                if rng.random() < 0.1:
                    manual_ids += self._record(session, [person.id], "RC-11", day, note="月报表迟报")
                self._record(session, [person.id], "RC-07", day, quantity=rng.randint(2, 5), note="撰写工作信息")
                self._record(session, [person.id], "RC-08", day, points=rng.choice((20, 30, 40)),
                             note="完成所里交办的专项统计任务")
                self._record(session, [person.id], "RC-06", day, quantity=rng.randint(3, 8), note="社区安全防范宣传")
                self._record(session, [person.id], "ZB-07", day, quantity=rng.randint(2, 4),
                             note="节假日应召加班整理台账")
            if rng.random() < 0.3:
                manual_ids += self._record(session, [person.id], "FW-02", day, note="群众好评")
            if rng.random() < 0.15:
                manual_ids += self._record(session, [person.id], "JJ-03", day, points=rng.choice((10, 20, 30)),
                                           note="处警中救助落水群众")
            if rng.random() < 0.12:
                manual_ids += self._record(session, [person.id], rng.choice(("ZB-08", "JR-02", "NW-04")), day,
                                           note="督察检查发现")
        if rng.random() < 0.5:
            winner = rng.choice(staff)
            self._record(session, [winner.id], "FW-01", mid, note="群众赠送锦旗", evidence=True)
        # Higher-level adjustments, as the county bureau sends them.
        for code, points in (("SJ-02", None), ("SJ-08", 30), ("SJ-03", 20))[: rng.randint(1, 3)]:
            who = rng.choice(staff)
            self._record(session, [who.id], code, month.end - dt.timedelta(days=2), points=points,
                         note="县局通报", source=EntrySource.IMPORT)
        if index == 8 and not self.veto_done:
            culprit = next(p for p in staff if p.identity == Identity.POLICE.value and p.sequence == "治安管理")
            self._record(session, [culprit.id], "DL-08", mid, note="违反工作纪律受到警告处分", evidence=True)
            self.veto_done = True
        for entry_id in rng.sample(manual_ids, k=min(len(manual_ids), rng.randint(1, 2))):
            ledger.reverse(session, SYSTEM, entry_id, rng.choice(("录入人员错误", "重复录入", "经核实不属实")))
            self.count += 1


def _early_next_month(month_end: dt.date, day: int, hour: int) -> dt.datetime:
    """A working morning early in the month after `month_end`, as naive UTC (how times are
    stored), and never later than now."""
    local = dt.datetime.combine(month_end + dt.timedelta(days=day), dt.time(hour, 30)).astimezone()
    return min(local.astimezone(dt.UTC).replace(tzinfo=None), utcnow())


def _date_as_the_station_would(session: Session, period: Period, given: list[Award]) -> None:
    """Signatures and monthly awards of a demo month dated early in the next month, as a
    station signs them, rather than all on the day the demo was built (the grade sheets and
    certificates print these dates)."""
    for sheet in signoff.sheet_signatures(session, period):  # the departments' heads sign first
        sheet.signed_at = _early_next_month(period.end, 1 + (1 if sheet.line else 0), 10)
    for offset, sig in enumerate(signoff.signatures(session, period)):
        sig.signed_at = _early_next_month(period.end, 3 + offset, 9)
    for award in given:
        award.given_at = _early_next_month(period.end, 6, 15)
    session.flush()


def _override_within_quota(session: Session, chief: Actor, period: Period, graded: list) -> None:
    """The chief lifts one person a grade where the quota leaves room (the policy refuses an
    override that breaks a quota), as a station does after a 所务会."""
    policy = policies.policy_for(session, period)
    codes = policy.codes()
    for row in graded:
        if row.grade is None or row.vetoed or codes.index(row.grade) == 0:
            continue
        better = codes[codes.index(row.grade) - 1]
        try:
            review.override_grade(session, chief, period, row.person_id, better,
                                  f"本月参与重大专项行动表现突出，经所务会研究调整为{policy.label_of(better)}")
            return
        except ValidationError:
            continue


def _review_and_sign(db: Database, months: list[PeriodSpec], report: DemoReport, rng: random.Random,
                     reviewing: demo_review.DemoReviewers) -> None:
    passwords = {u[0]: u[3] for u in USERS}
    with db.transaction() as session:
        clerk = accounts.login(session, "neiqin", passwords["neiqin"])
        chief = accounts.login(session, "suozhang", passwords["suozhang"])
        instructor = accounts.login(session, "jiaodaoyuan", passwords["jiaodaoyuan"])
    with db.transaction() as session:
        rated = demo_review.reviewer_rated(session, months)
    for index, month in enumerate(months[:-1]):
        if month.code == rated:
            demo_review.rate_month(db, reviewing, month.code, chief)
        with db.transaction() as session:
            period = periods.get_or_create(session, month.code)
            periods.start_review(session, clerk, period)
            rows = scoring.calculate(session, period)
            last_review = index == len(months) - 2
            for row in rows:
                if last_review and rng.random() < 0.4:
                    continue  # the month under review: not everyone has confirmed yet
                review.confirm(session, clerk, period, row.person_id, comment="本人已签字确认（纸质）")
            graded = [r for r in rows if not r.excluded_reason]
            if index == 3:
                who = graded[len(graded) // 2]
                review.dispute(session, clerk, period, who.person_id, "3月12日值班记录漏记，请核实")
                review.resolve(session, chief, period, who.person_id, "经查值班表属实，已补录")
            if index == 5:
                _override_within_quota(session, chief, period, graded)
            if last_review:
                who = graded[1]
                review.dispute(session, clerk, period, who.person_id, "本月夜查次数与排班表不符")
                continue
        reviewing.sign_departments(db, month.code)  # each head his department's sheet
        with db.transaction() as session:
            period = periods.get_or_create(session, month.code)
            signoff.sign(session, chief, period, passwords["suozhang"])
            signoff.sign(session, instructor, period, passwords["jiaodaoyuan"])
            report.locked.append(period.code)
            given = []
            for cand_title in ("闪光民警", "闪光辅警"):
                picks = [c for c in awards.candidates(session, period) if c.title == cand_title]
                if picks:
                    given.append(awards.give(session, chief, period, picks[0].row.person_id, cand_title,
                                             note="月度评选"))
            _date_as_the_station_would(session, period, given)


def _sign_schemes(db: Database, months: list[PeriodSpec], report: DemoReport) -> None:
    """The four 汉阴 schemes signed along their own chains for the last locked month and its
    quarter, and the month after left with its first signature (签核中), as a station would."""
    from desktop.services import scheme_registry, scheme_signing

    passwords = {u[0]: u[3] for u in USERS}
    with db.transaction() as session:
        signers = {name: accounts.login(session, name, passwords[name]) for name in ("neiqin", "suozhang",
                                                                                       "jiaodaoyuan")}
        schemes = [s for s in scheme_registry.active(session) if s.code != "person"]
    by_role = {"clerk": ["neiqin"], "chief": ["suozhang", "jiaodaoyuan"]}
    locked = parse_period(report.locked[-1]) if report.locked else None
    if locked is None:
        return
    quarter = f"{locked.year}-Q{(locked.number - 1) // 3 + 1}"
    whole_quarter = locked.number % 3 == 0  # the quarter's last month is locked: sign the quarter too
    following = next((m.code for m in months if m.start > locked.end), None)
    for scheme in schemes:
        plan = [(locked.code, True)] + ([(quarter, True)] if whole_quarter and "quarter" in scheme.periods else [])
        plan += [(following, False)] if following else []
        for code, complete in plan:
            with db.transaction() as session:
                scheme_signing.freeze(session, signers["neiqin"], scheme.code, code)
                used: list[str] = []
                for step in scheme.signoff if complete else scheme.signoff[:1]:
                    name = next(n for n in by_role[step.role] if n not in used)
                    used.append(name)
                    scheme_signing.sign(session, signers[name], scheme.code, code, passwords[name])
            if complete:
                report.schemes_signed.append(f"{scheme.name} {parse_period(code).label}")
