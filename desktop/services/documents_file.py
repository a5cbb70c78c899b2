"""Data for the performance-file summary (政绩档案): one person over one year.

Months are read the way every screen reads them (frozen results once locked, computed
from the ledger otherwise), so the file agrees with the grade sheets of the same months.
Each month also lists its facts under the six aspects (services.file_aspects), with the
reviewer's level and remark (services.ratings); 奖励惩处 adds awards, verified complaints,
probation and findings made after locking; 半年排名 and 年终总评 close the year.

Each of the year's periods is a whole station's scoring; `PeriodCache` reads each once, for one
file (the year is asked for twice) or for a batch of everyone's files (`documents_batch.write_performance_files`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.exporters.pdf.data import (
    AspectBlock,
    AspectItem,
    EventLine,
    MonthAspects,
    MonthLine,
    PerformanceFileData,
    RankLine,
)
from desktop.models.catalogue import CatalogueItem
from desktop.models.enums import Component, Identity, PeriodKind, PeriodState
from desktop.models.ledger import Entry, EvidenceFile
from desktop.models.oversight import Complaint, LateFinding
from desktop.models.periods import Period
from desktop.services import awards, file_aspects, probation, ratings, roster, scoring
from desktop.services import complaints as complaints_service
from desktop.services.errors import ValidationError
from desktop.services.grade_engine import Policy
from desktop.services.periods import PeriodSpec, find_period, parse_period, spec_of, transient
from desktop.services.points import fmt
from desktop.services.policies import policy_for
from desktop.services.scoring import ScoreRow


def _label(policy: Policy, code: str | None) -> str:
    if not code:
        return ""
    return policy.level(code).label if code in policy.codes() else code


class PeriodCache:
    """The periods of a year, their score rows by person and their grade policies, each read once.

    A performance file reads twelve months, two halves and the year (the year twice), and every
    one of them is the whole station's scoring (0.03 s a month for 2,000 people); a batch of
    everyone's files asks for the same fifteen periods for each person. Only for one read-only
    session: a period locked or rescored meanwhile is not seen.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._periods: dict[str, Period] = {}
        self._rows: dict[str, tuple[list[ScoreRow], dict[int, ScoreRow]]] = {}
        self._policies: dict[str, Policy] = {}
        self._peers: dict[tuple[str, int], int] = {}
        self._aspects: file_aspects.AspectMap | None = None

    def period(self, spec: PeriodSpec) -> Period:
        if spec.code not in self._periods:
            self._periods[spec.code] = find_period(self.session, spec.code) or transient(spec)
        return self._periods[spec.code]

    def rows(self, period: Period) -> list[ScoreRow]:
        return self._scored(period)[0]

    def row(self, period: Period, person_id: int) -> ScoreRow | None:
        return self._scored(period)[1].get(person_id)

    def policy(self, period: Period | None = None) -> Policy:
        key = period.code if period is not None else ""
        if key not in self._policies:
            self._policies[key] = policy_for(self.session, period)
        return self._policies[key]

    def peers(self, period: Period, department_id: int) -> int:
        """How many of the department were ranked in the period."""
        key = (period.code, department_id)
        if key not in self._peers:
            self._peers[key] = sum(1 for r in self.rows(period)
                                   if r.department_id == department_id and not r.excluded_reason)
        return self._peers[key]

    def aspect_map(self) -> file_aspects.AspectMap:
        if self._aspects is None:
            self._aspects = file_aspects.aspect_map(self.session)
        return self._aspects

    def _scored(self, period: Period) -> tuple[list[ScoreRow], dict[int, ScoreRow]]:
        if period.code not in self._rows:
            rows = scoring.results(self.session, period)
            self._rows[period.code] = (rows, {r.person_id: r for r in rows})
        return self._rows[period.code]


def _entry_months(session: Session, person_id: int, year: int) -> set[int]:
    """The months of `year` in which the person has entries (one query, not one a month)."""
    days = session.scalars(select(Entry.occurred_on).where(
        Entry.person_id == person_id, Entry.occurred_on >= dt.date(year, 1, 1),
        Entry.occurred_on <= dt.date(year, 12, 31)).distinct())
    return {day.month for day in days}


def _month(cache: PeriodCache, spec: PeriodSpec, person_id: int, today: dt.date,
           entry_months: set[int]) -> tuple[MonthLine, str]:
    """One month's line, and the grade label (for the yearly count)."""
    label = f"{spec.number}月"
    if spec.start > today:
        return MonthLine(label, state="未到"), ""
    period = cache.period(spec)
    row = cache.row(period, person_id)
    state = PeriodState(period.state).label
    if row is None or (period.id is None and spec.number not in entry_months):
        return MonthLine(label, state="不在岗" if row is None else "无记录"), ""
    grade = _label(cache.policy(period), row.grade)
    line = MonthLine(label, base=row.base, bonus=row.dept_bonus + row.higher_bonus,
                     deduction=row.dept_deduction + row.higher_deduction, total=row.total,
                     rank=row.rank_department, grade=grade, state=state, has_data=True)
    return line, grade


def _sanctions(live: list[LiveEntry]) -> list[EventLine]:
    """Veto items and higher-level deductions among the year's entries that stand (`_live_entries`)."""
    out = []
    for e in live:
        if e.veto or e.component == Component.HIGHER_DEDUCTION.value:
            what = f"{e.item_name}（一票否决）" if e.veto else e.item_name
            detail = f"{Component(e.component).label} {fmt(e.points_tenths)} 分" + (f"；{e.note}" if e.note else "")
            out.append(EventLine(f"{e.occurred_on.month}月{e.occurred_on.day}日", what, detail))
    return out


def _awards(session: Session, person_id: int, year: int) -> list[EventLine]:
    out = []
    for award in awards.awards_for_person(session, person_id):
        period = session.get(Period, award.period_id)
        if period is not None and period.year == year:
            out.append(EventLine(spec_of(period).label, award.title, award.note))
    return out


def _md(day: dt.date, year: int) -> str:
    return f"{day.month}月{day.day}日" if day.year == year else f"{day.year}年{day.month}月{day.day}日"


class LiveEntry(NamedTuple):
    """What a file prints of an entry that stands (read as plain columns: a county's batch of files
    reads 400,000 of them, and building ORM objects for them took half of reading a file's data)."""

    id: int
    occurred_on: dt.date
    item_code: str
    item_name: str
    category: str
    component: str
    veto: bool
    quantity: int
    points_tenths: int
    note: str
    evidence: tuple[str, ...]


_LIVE_COLUMNS = (Entry.id, Entry.occurred_on, Entry.item_code, Entry.item_name, Entry.category, Entry.component,
                 Entry.veto, Entry.quantity, Entry.points_tenths, Entry.note, Entry.reverses_id)


def _live_entries(session: Session, person_id: int, start: dt.date, end: dt.date) -> list[LiveEntry]:
    """The person-scheme entries of [start, end] that stand: a reversed entry and its reversal
    cancel out and are no fact of the file (the confirmation sheets still show both)."""
    where = (Entry.person_id == person_id, Entry.scheme == "person", Entry.occurred_on >= start,
             Entry.occurred_on <= end)
    rows = session.execute(select(*_LIVE_COLUMNS).where(*where).order_by(Entry.occurred_on, Entry.id)).all()
    files: dict[int, list[str]] = {}
    for entry_id, filename in session.execute(select(EvidenceFile.entry_id, EvidenceFile.filename).join(
            Entry, Entry.id == EvidenceFile.entry_id).where(*where).order_by(EvidenceFile.id)):
        files.setdefault(entry_id, []).append(filename)
    reversed_ids = {r[-1] for r in rows if r[-1]}
    return [LiveEntry(*r[:-1], tuple(files.get(r[0], ()))) for r in rows if not r[-1] and r[0] not in reversed_ids]


def _entry_item(e: LiveEntry) -> AspectItem:
    what = f"{e.item_name}（一票否决）" if e.veto else e.item_name
    if e.quantity > 1:
        what += f" ×{e.quantity}"
    return AspectItem(f"{e.occurred_on.day}日", what, e.points_tenths * Component(e.component).sign, e.note,
                      e.evidence, "entry", e.occurred_on, e.category)


def reward_records(session: Session, person_id: int, year: int) -> list[AspectItem]:
    """奖励惩处 besides entries: awards, verified complaints, probation and late findings of the year.
    `when` is written for the year's table; the month tables re-label by `day`."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out: list[AspectItem] = []
    for award in awards.awards_for_person(session, person_id):
        period = session.get(Period, award.period_id)
        if period is not None and period.year == year:
            label = spec_of(period).label
            # A month's award is dated in that month; a yearly title (执法办案标兵 …) at the year's end.
            day = period.start if period.kind == PeriodKind.MONTH.value else period.end
            out.append(AspectItem(label, award.title, None, award.note, (), "award", day))
    found = session.scalars(select(Complaint).where(
        Complaint.person_id == person_id, Complaint.received_on >= first, Complaint.received_on <= last,
        Complaint.outcome.in_(("verified", "partly"))).order_by(Complaint.received_on, Complaint.id))
    for c in found:
        source = complaints_service.SOURCES.get(c.source, c.source)
        what = f"投诉（{source}，{complaints_service.OUTCOMES.get(c.outcome, c.outcome)}）"
        note = f"核实情况：{c.finding}" if c.finding else ""
        entry = session.get(Entry, c.entry_id) if c.entry_id else None
        if entry is not None:  # its points count once: the entry is in its own aspect, not here again
            points = entry.points_tenths * Component(entry.component).sign
            undone = session.scalar(select(Entry.id).where(Entry.reverses_id == entry.id)) is not None
            note += ("；" if note else "") + f"关联扣分：{_md(entry.occurred_on, year)} {entry.item_name} " \
                f"{fmt(points)} 分" + ("（已作废）" if undone else "")
        if c.follow_up:
            note += ("；" if note else "") + f"处理：{c.follow_up}"
        out.append(AspectItem(_md(c.received_on, year), what, None, note, (), "complaint", c.received_on))
    for p in probation.on_record(session, person_id):
        if p.start <= last and p.end >= first:
            when = f"{_md(p.start, year)}至{_md(p.end, year)}"
            out.append(AspectItem(when, f"试岗：{probation.CAUSES.get(p.cause, p.cause)}", None, p.reason, (),
                                  "probation", max(p.start, first), until=p.end))
    findings = session.execute(select(LateFinding, Period).join(Period, Period.id == LateFinding.period_id).where(
        LateFinding.person_id == person_id, Period.year == year).order_by(LateFinding.occurred_on)).all()
    for f, _period in findings:
        component = session.scalar(select(CatalogueItem.component).where(CatalogueItem.code == f.item_code).limit(1))
        sign = Component(component).sign if component in {c.value for c in Component} else -1
        who = "；".join(x for x in (f"审核人：{f.reviewer_name}" if f.reviewer_name else "", f.signers) if x)
        note = f.note + (f"（{who}）" if who else "") + "；月份已锁定，未改动已签核的积分"
        out.append(AspectItem(_md(f.occurred_on, year), f"锁定后查实：{f.item_name}", sign * f.points_tenths, note,
                              (), "late", f.occurred_on, f.category))
    return sorted(out, key=lambda i: (i.day or first, i.kind))


def _in_month(record: AspectItem, number: int, year: int) -> AspectItem | None:
    """A 奖励惩处 record as a month shows it: a probation in every month it covers."""
    start, end = PeriodSpec(PeriodKind.MONTH, year, number).start, PeriodSpec(PeriodKind.MONTH, year, number).end
    if record.kind == "probation":
        covers = record.day is not None and record.day <= end and (record.until or end) >= start
        return AspectItem("本月", f"{record.what}（{record.when}）", None, record.note, (), "probation", record.day,
                          until=record.until) if covers else None
    if record.day is None or not start <= record.day <= end:
        return None
    if record.kind == "award" and record.day != start:
        return None  # a title of the year, the half or a quarter: in the year's table only
    when = "本月" if record.kind == "award" else f"{record.day.day}日"
    return AspectItem(when, record.what, record.points, record.note, record.evidence, record.kind, record.day,
                      record.category)


class MonthRead(Protocol):
    """What `aspect_months` needs of a month as the caller read it (MonthLine, the screen's Month)."""

    @property
    def state(self) -> str: ...
    @property
    def grade(self) -> str: ...


def aspect_months(session: Session, person_id: int, year: int, lines: Sequence[MonthRead],
                  records: list[AspectItem] | None = None, cache: PeriodCache | None = None,
                  live: list[LiveEntry] | None = None) -> list[MonthAspects]:
    """The twelve months by aspect. `lines` are the months as the file reads them (state, grade);
    a month's level is the reviewer's rating when there is one, else that grade. `live`: the
    year's standing entries, when the caller has read them."""
    cache = cache or PeriodCache(session)
    amap = cache.aspect_map()
    records = reward_records(session, person_id, year) if records is None else records
    rated = ratings.remarks_of(session, person_id, dt.date(year, 1, 1), dt.date(year, 12, 31))
    by_month: dict[int, list[LiveEntry]] = {}
    if live is None:
        live = _live_entries(session, person_id, dt.date(year, 1, 1), dt.date(year, 12, 31))
    for e in live:
        by_month.setdefault(e.occurred_on.month, []).append(e)
    out = []
    for number, line in enumerate(lines, 1):
        blocks = {a: AspectBlock(a) for a in file_aspects.ASPECTS}
        for e in by_month.get(number, []):
            blocks[amap.of(e.category, e.item_code)].items.append(_entry_item(e))
        for record in records:
            shown = _in_month(record, number, year)
            if shown is not None:
                blocks[file_aspects.REWARDS].items.append(shown)
        rewards = blocks[file_aspects.REWARDS]
        rewards.items.sort(key=lambda i: i.day or dt.date(year, number, 1))  # stable: entries first on a day
        month = MonthAspects(number, f"{number}月", line.state, list(blocks.values()), level=line.grade)
        rating = rated.get(PeriodSpec(PeriodKind.MONTH, year, number).code)
        if rating is not None:
            policy = cache.policy(session.get(Period, rating.period_id))
            month.remark, month.reviewer = rating.remark, rating.by_name
            if rating.level:
                month.level, month.rated = policy.label_of(rating.level), True
                if rating.suggested and rating.suggested != rating.level:
                    month.suggested = policy.label_of(rating.suggested)
        out.append(month)
    return out


def rank_line(session: Session, person_id: int, code: str, label: str, today: dt.date,
              cache: PeriodCache | None = None, entry_months: set[int] | None = None) -> RankLine:
    """半年排名 / 年终总评 of one person: stored results once locked, else computed from the ledger
    (a period nobody opened is computed without creating it). `entry_months`: the months of the
    year the person has entries in, when the caller knows them."""
    spec = parse_period(code)
    if spec.start > today:
        return RankLine(label, spec.code, state="未到")
    cache = cache or PeriodCache(session)
    period = cache.period(spec)
    if entry_months is None:
        entry_months = _entry_months(session, person_id, spec.start.year)
    if period.id is None and not any(spec.start.month <= m <= spec.end.month for m in entry_months):
        return RankLine(label, spec.code, state="无记录")
    row = cache.row(period, person_id)
    if row is None:
        return RankLine(label, spec.code, state="不在岗")
    note = row.excluded_reason
    if spec.end > today and period.state != PeriodState.LOCKED.value:
        note = "；".join(x for x in (note, "期末未到，排名和等次未定") if x)
    return RankLine(label, spec.code, row.total, row.rank_department, cache.peers(period, row.department_id),
                    _label(cache.policy(period), row.grade), PeriodState(period.state).label, True, note)


def rank_lines(session: Session, person_id: int, year: int, today: dt.date, cache: PeriodCache | None = None,
               entry_months: set[int] | None = None) -> tuple[list[RankLine], RankLine]:
    cache = cache or PeriodCache(session)
    if entry_months is None:
        entry_months = _entry_months(session, person_id, year)
    halves = [rank_line(session, person_id, f"{year}-H{n}", label, today, cache, entry_months)
              for n, label in ((1, "上半年"), (2, "下半年"))]
    return halves, rank_line(session, person_id, str(year), "全年", today, cache, entry_months)


def performance_file_data(session: Session, year: int, badge: str, today: dt.date | None = None,
                          cache: PeriodCache | None = None) -> PerformanceFileData:
    """Identity, twelve months, grade counts, the year's grade, awards and sanctions of one person;
    the months by the six aspects, the year's 奖励惩处 records, 半年排名 and 年终总评. A batch of
    files passes one `cache` for all of them (the same session)."""
    if not 2000 <= year <= 2100:
        raise ValidationError(f"年份“{year}”不对，应为四位年份，如 2026")
    today = today or dt.date.today()
    cache = cache or PeriodCache(session)
    station = roster.get_station(session)
    person = roster.person_by_badge(session, badge)
    entry_months = _entry_months(session, person.id, year)
    months, grades = [], []
    for number in range(1, 13):
        line, grade = _month(cache, PeriodSpec(PeriodKind.MONTH, year, number), person.id, today, entry_months)
        months.append(line)
        if grade:
            grades.append(grade)
    order = [lv.label for lv in cache.policy().levels]
    counts = [(label, grades.count(label)) for label in order]
    counts += [(label, grades.count(label)) for label in dict.fromkeys(grades) if label not in order]
    year_period = cache.period(parse_period(str(year)))  # graded only once opened (stored)
    year_row = cache.row(year_period, person.id) if year_period.id is not None else None
    year_grade = _label(cache.policy(year_period), year_row.grade) if year_row else ""
    records = reward_records(session, person.id, year)
    halves, year_review = rank_lines(session, person.id, year, today, cache, entry_months)
    live = _live_entries(session, person.id, dt.date(year, 1, 1), dt.date(year, 12, 31))  # read once, for two parts
    return PerformanceFileData(
        station=station.name, year=year, name=person.name, badge=person.badge,
        identity=Identity(person.identity).label, position=person.position, department=person.department.name,
        sequence=person.sequence, months=months, year_total=sum(m.total for m in months if m.has_data),
        year_grade=year_grade, grade_counts=counts, awards=_awards(session, person.id, year),
        sanctions=_sanctions(live), photo=person.photo, printed_on=today, aspect_names=list(file_aspects.ASPECTS),
        aspect_months=aspect_months(session, person.id, year, months, records, cache, live),
        rewards=records, halves=halves, year_review=year_review,
    )
