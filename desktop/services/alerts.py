"""Early warning (预警): rules over the ledger and the graded months that alert the person's
reviewer and the chief before a pattern becomes a violation.

- `deductions`: `count` deductions of one category within `days` days;
- `low_months`: `months` months in a row graded at the policy's worst level (or the one above).
Computed when asked (the review queue, the 预警 list, `jifen alerts`), never stored.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.grading import ScoreResult
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.services import reviewers, station_settings
from desktop.services.policies import policy_for
from desktop.services.text import cn_date


@dataclass(frozen=True)
class Alert:
    person_id: int
    badge: str
    name: str
    rule: str  # deductions | low_months
    text: str
    reviewer: str  # who is alerted besides the chief

    def as_json(self) -> dict[str, object]:
        return {"badge": self.badge, "name": self.name, "rule": self.rule, "text": self.text,
                "reviewer": self.reviewer}


def alerts(session: Session, day: dt.date, person_ids: set[int] | None = None) -> list[Alert]:
    review = reviewers.ReviewMap(session, day)
    people = {p.id: p for p in session.scalars(select(Person)) if p.active_on(day)
              and (person_ids is None or p.id in person_ids)}
    found: list[Alert] = []
    for rule in station_settings.alert_rules(session):
        if rule.get("kind") == "deductions":
            found += _deductions(session, day, people, int(rule["count"]), int(rule["days"]))
        elif rule.get("kind") == "low_months":
            found += _low_months(session, day, people, int(rule["months"]))
    out = []
    for a in found:
        who = review.of(people[a.person_id]).person
        out.append(Alert(a.person_id, a.badge, a.name, a.rule, a.text, who.name if who else ""))
    return sorted(out, key=lambda a: (a.badge, a.rule))


def _deductions(session: Session, day: dt.date, people: dict[int, Person], count: int, days: int) -> list[Alert]:
    since = day - dt.timedelta(days=days - 1)
    rows = session.execute(select(Entry.id, Entry.person_id, Entry.category, Entry.occurred_on, Entry.reverses_id)
                           .where(Entry.occurred_on >= since, Entry.occurred_on <= day,
                                  Entry.component.like("%deduction%"), Entry.person_id.is_not(None))).all()
    reversed_ids = {r.reverses_id for r in rows if r.reverses_id is not None}
    tally: dict[tuple[int, str], list[dt.date]] = defaultdict(list)
    for r in rows:
        if r.reverses_id is None and r.id not in reversed_ids and r.person_id in people:
            tally[(r.person_id, r.category)].append(r.occurred_on)
    out = []
    for (pid, category), dates in tally.items():
        if len(dates) >= count:
            p = people[pid]
            out.append(Alert(pid, p.badge, p.name, "deductions",
                             f"{days} 天内“{category}”扣分 {len(dates)} 次（最近 {cn_date(max(dates))}）", ""))
    return out


def _low_months(session: Session, day: dt.date, people: dict[int, Person], months: int) -> list[Alert]:
    recent = list(session.scalars(select(Period).where(Period.kind == "month", Period.end <= day,
                                                       Period.state == "locked")
                                  .order_by(Period.start.desc()).limit(months)))
    if len(recent) < months:
        return []
    low: dict[int, int] = defaultdict(int)
    for period in recent:
        policy = policy_for(session, period)
        # Five levels (优秀…差): 一般 and 差, as the monthly 通报 lists them; else the worst only.
        worst = {lv.code for lv in policy.levels[-2:]} if len(policy.levels) >= 5 else {policy.worst.code}
        for pid, grade in session.execute(select(ScoreResult.person_id, ScoreResult.grade)
                                          .where(ScoreResult.period_id == period.id)):
            if grade in worst:
                low[pid] += 1
    out = []
    labels = "、".join(f"{p.year}年{p.number}月" for p in reversed(recent))
    for pid, n in low.items():
        if n >= months and pid in people:
            p = people[pid]
            out.append(Alert(pid, p.badge, p.name, "low_months", f"连续 {months} 个月等次靠后（{labels}）", ""))
    return out
