"""What the awards screen shows: a month's candidates and awards, a year's suggestions and
titles. Plain data read in one session (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.enums import Identity, PeriodState
from desktop.models.people import Person
from desktop.services import awards
from desktop.services.periods import find_period, parse_period, transient
from desktop.services.policies import policy_for
from desktop.services.text import cn_date


@dataclass(frozen=True)
class CandidateLine:
    person_id: int
    name: str
    badge: str
    department: str
    identity: str
    total: int
    rank: int | None
    title: str  # the monthly title this person may get
    given: bool  # already has that title this period
    basis: str = ""  # why suggested, e.g. 执法办案全年 执法办案序列第 1 名


@dataclass(frozen=True)
class AwardLine:
    award_id: int
    title: str
    name: str
    badge: str
    department: str
    given_on: str
    note: str


@dataclass
class AwardsView:
    code: str
    label: str
    state: str
    best_label: str
    candidates: list[CandidateLine] = field(default_factory=list)
    given: list[AwardLine] = field(default_factory=list)
    suggestions: list[CandidateLine] = field(default_factory=list)  # yearly: top of each sequence

    @property
    def state_label(self) -> str:
        return PeriodState(self.state).label


def _award_lines(session: Session, code: str) -> list[AwardLine]:
    period = find_period(session, code)
    if period is None:
        return []
    return [AwardLine(a.id, a.title, a.person.name, a.person.badge, a.person.department.name,
                      cn_date(a.given_at.date()), a.note) for a in awards.awards_of(session, period)]


def load_month(session: Session, code: str) -> AwardsView:
    """The month's candidates (best grade) and the awards already given."""
    spec = parse_period(code)
    period = find_period(session, spec.code) or transient(spec)
    given = _award_lines(session, spec.code)
    taken = {(a.badge, a.title) for a in given}
    view = AwardsView(spec.code, spec.label, period.state, policy_for(session, period).levels[0].label, given=given)
    for c in awards.candidates(session, period):
        r = c.row
        view.candidates.append(CandidateLine(r.person_id, r.name, r.badge, r.department,
                                             Identity(r.identity).label, r.total, r.rank_department, c.title,
                                             (r.badge, c.title) in taken))
    return view


def law_sequences(session: Session) -> list[str]:
    """The roster's law-enforcement sequences (执法办案…), whose leaders are 执法办案标兵 suggestions."""
    names = session.scalars(select(Person.sequence).distinct())
    return sorted(n for n in names if n and "执法办案" in n)


def load_year(session: Session, year: int) -> AwardsView:
    """A year's titles, and the top of each law-enforcement sequence as suggestions."""
    spec = parse_period(str(year))
    period = find_period(session, spec.code) or transient(spec)
    view = AwardsView(spec.code, spec.label, period.state, "", given=_award_lines(session, spec.code))
    from desktop.services import scheme_awards

    suggested = scheme_awards.person_suggestions(session, year)
    for scheme, row, title in suggested:  # on the scheme's own score, never the person total
        person = session.scalar(select(Person).where(Person.badge == row.code))
        if person is None:
            continue
        view.suggestions.append(CandidateLine(person.id, person.name, person.badge, person.department.name,
                                              Identity(person.identity).label, row.total, row.rank or 0, title,
                                              any(a.badge == person.badge and a.title == title for a in view.given),
                                              basis=f"{scheme.name}全年 {row.sequence or '全部'}序列第 {row.rank} 名"))
    if suggested:
        return view
    for r in awards.law_enforcement_leaders(session, period, law_sequences(session)):
        view.suggestions.append(CandidateLine(r.person_id, r.name, r.badge, r.department,
                                              Identity(r.identity).label, r.total, r.rank_sequence,
                                              "执法办案标兵", any(a.badge == r.badge and a.title == "执法办案标兵"
                                                                  for a in view.given)))
    return view


def people_choices(session: Session) -> list[tuple[int, str]]:
    rows = session.execute(select(Person.id, Person.name, Person.badge).order_by(Person.badge))
    return [(pid, f"{name}（{badge}）") for pid, name, badge in rows]
