"""What the performance file (个人档案) shows for one person and one year, read in one session:
the months (total, rank, grade, department average), points by category, awards, sanctions,
every entry, and the 政绩档案's six aspects month by month with the reviewer's level and remark,
半年排名 and 年终总评 (the same data as the PDF). Plain data, no Qt."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.exporters.pdf.data import AspectItem, MonthAspects, RankLine
from desktop.models.enums import Component, EntrySource, Identity, PeriodKind, PeriodState
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.services import awards, documents_file, ledger
from desktop.services.periods import PeriodSpec, find_period, spec_of, transient
from desktop.services.policies import policy_for
from desktop.services.scoring import results


@dataclass(frozen=True)
class Month:
    number: int
    state: str  # 已锁定 / 审核中 / 录入中 / 未到 / 不在岗
    total: int | None = None  # tenths; None = no result this month
    base: int = 0
    bonus: int = 0
    deduction: int = 0
    rank: int | None = None
    of: int = 0  # how many ranked in the department
    grade: str = ""
    dept_average: int | None = None


@dataclass(frozen=True)
class CategoryLine:
    category: str
    count: int
    plus: int  # tenths added to the total
    minus: int  # tenths taken off the total (positive number)


@dataclass(frozen=True)
class EntryLine:
    day: dt.date
    item: str
    category: str
    component: str
    quantity: int
    points: int  # signed effect on the total
    note: str
    recorder: str
    status: str  # "" / 已作废 / 作废 / 导入 …
    veto: bool = False


@dataclass
class SchemeStanding:
    """Where the person stands in another scheme this year: their own row (执法办案) or their
    unit's (the post whose score is its officers', the 所队室, the 党支部 they belong to)."""

    scheme: str
    subject: str  # 本人 or the unit's name
    total: int
    rank: int | None
    of: int
    grade: str
    why: str


@dataclass
class Profile:
    person_id: int
    name: str
    badge: str
    identity: str
    position: str
    department: str
    sequence: str
    active: str
    photo: bytes | None
    year: int
    months: list[Month]
    categories: list[CategoryLine]
    awards: list[tuple[str, str, str]]  # period label, title, note
    sanctions: list[EntryLine]
    entries: list[EntryLine] = field(default_factory=list)
    schemes: list[SchemeStanding] = field(default_factory=list)
    aspects: list[MonthAspects] = field(default_factory=list)  # twelve months by the six aspects
    rewards: list[AspectItem] = field(default_factory=list)  # the year's 奖励惩处 besides entries
    halves: list[RankLine] = field(default_factory=list)
    year_review: RankLine | None = None

    @property
    def year_total(self) -> int:
        return sum(m.total for m in self.months if m.total is not None)

    def grade_counts(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = defaultdict(int)
        for m in self.months:
            if m.grade:
                counts[m.grade] += 1
        return sorted(counts.items())


def _month(session: Session, spec: PeriodSpec, person_id: int, today: dt.date) -> Month:
    if spec.start > today:
        return Month(spec.number, "未到")
    period: Period = find_period(session, spec.code) or transient(spec)
    rows = results(session, period)
    row = next((r for r in rows if r.person_id == person_id), None)
    if row is None:
        return Month(spec.number, "不在岗")
    if period.id is None and not session.scalar(select(Entry.id).where(
            Entry.person_id == person_id, Entry.occurred_on >= spec.start, Entry.occurred_on <= spec.end).limit(1)):
        return Month(spec.number, "无记录")  # a month nobody has started: no zero bar, no grade
    peers = [r for r in rows if r.department_id == row.department_id and not r.excluded_reason]
    policy = policy_for(session, period)
    labels = {lv.code: lv.label for lv in policy.levels}
    average = round(sum(r.total for r in peers) / len(peers)) if peers else None
    return Month(spec.number, PeriodState(period.state).label, row.total, row.base,
                 row.dept_bonus + row.higher_bonus, row.dept_deduction + row.higher_deduction,
                 row.rank_department, len(peers), labels.get(row.grade or "", row.grade or ""), average)


def _lines(entries: list[Entry]) -> list[EntryLine]:
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    out = []
    for e in entries:
        status = ("作废" if e.reverses_id else "已作废" if e.id in reversed_ids
                  else EntrySource(e.source).label if e.source != EntrySource.MANUAL.value else "")
        out.append(EntryLine(e.occurred_on, e.item_name, e.category, Component(e.component).label, e.quantity,
                             e.points_tenths * Component(e.component).sign, e.note, e.recorded_by_name,
                             status, e.veto))
    return out


def _categories(entries: list[EntryLine]) -> list[CategoryLine]:
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for e in entries:
        bucket = sums[e.category]
        # A reversal cancels its original: take it off the same side the original was counted on.
        sign, points = (-1, -e.points) if e.status == "作废" else (1, e.points)
        bucket[0] += sign
        if points >= 0:
            bucket[1] += sign * points
        else:
            bucket[2] -= sign * points
    return [CategoryLine(c, n, plus, minus) for c, (n, plus, minus) in sums.items()]


def load_profile(session: Session, person_id: int, year: int, today: dt.date | None = None) -> Profile:
    """One person's year. Months follow the same rules as every screen: frozen once locked."""
    today = today or dt.date.today()
    person = session.get(Person, person_id)
    if person is None:
        raise LookupError(person_id)
    months = [_month(session, PeriodSpec(PeriodKind.MONTH, year, n), person_id, today) for n in range(1, 13)]
    entries = _lines(ledger.entries_of(session, person_id, dt.date(year, 1, 1), dt.date(year, 12, 31)))
    deductions = (Component.DEPT_DEDUCTION.label, Component.HIGHER_DEDUCTION.label)
    sanctions = [e for e in entries if (e.veto or e.component in deductions) and e.status not in ("作废", "已作废")]
    given = []
    for award in awards.awards_for_person(session, person_id):
        period = session.get(Period, award.period_id)
        if period is not None and period.year == year:
            given.append((spec_of(period).label, award.title, award.note))
    records = documents_file.reward_records(session, person_id, year)
    halves, year_review = documents_file.rank_lines(session, person_id, year, today)
    since = f"{person.active_from:%Y-%m-%d}" if person.active_from else "—"
    until = f"{person.active_to:%Y-%m-%d}" if person.active_to else "至今"
    return Profile(
        person_id=person.id, name=person.name, badge=person.badge, identity=Identity(person.identity).label,
        position=person.position, department=person.department.name, sequence=person.sequence,
        active=f"{since} — {until}", photo=person.photo, year=year, months=months,
        categories=sorted(_categories(entries), key=lambda c: -(c.plus + c.minus)), awards=given,
        sanctions=sanctions, entries=entries, schemes=scheme_standings(session, person, year),
        aspects=documents_file.aspect_months(session, person_id, year, months, records), rewards=records,
        halves=halves, year_review=year_review,
    )


def scheme_standings(session: Session, person: Person, year: int) -> list[SchemeStanding]:
    """The person's year in every other scheme the station runs, as that scheme ranks it."""
    from desktop.services import scheme_registry, scheme_scoring, units

    day = min(dt.date(year, 12, 31), person.active_to or dt.date(year, 12, 31))
    out = []
    for scheme in scheme_registry.active(session):
        if scheme.code == "person":
            continue
        rows = scheme_scoring.score(session, scheme, str(year))
        if scheme.subject == "person":
            mine = [(r, "本人") for r in rows if r.key == person.id]
        else:
            unit_ids = {u.id for u in units.list_units(session, scheme.subject)
                        if person in units.members_on(session, u, day)}
            mine = [(r, r.name) for r in rows if r.key in unit_ids]
        for row, subject in mine:
            peers = sum(1 for r in rows if r.group == row.group)
            label = scheme_scoring.policy_of(scheme).label_of(row.grade) if row.grade else "—"
            out.append(SchemeStanding(scheme.name, subject, row.total, row.rank, peers, label, row.why))
    return out


def published_part(session: Session, actor: object, profile: Profile) -> Profile:
    """Publish after review: a colleague's file as an officer may see it — the signed months
    only (an unsigned month shows no figures, entries or aspects); his own file, his people's,
    and everyone's for a clerk or chief are left whole."""
    from desktop.services import visibility

    def shown(month: int) -> bool:
        return visibility.may_see(session, actor, profile.person_id, dt.date(profile.year, month, 1))

    if all(shown(n) for n in range(1, 13)):
        return profile
    hidden = {n for n in range(1, 13) if not shown(n)}
    months = [m if m.number not in hidden else Month(m.number, "未签核，暂不公开") for m in profile.months]
    entries = [e for e in profile.entries if e.day.month not in hidden]
    return dataclasses.replace(
        profile, months=months, entries=entries, sanctions=[e for e in profile.sanctions if e.day.month not in hidden],
        categories=sorted(_categories(entries), key=lambda c: -(c.plus + c.minus)),
        aspects=[a if a.number not in hidden else dataclasses.replace(
            a, state="未签核，暂不公开", aspects=[dataclasses.replace(b, items=[]) for b in a.aspects], level="",
            suggested="", rated=False, remark="", reviewer="") for a in profile.aspects])
