"""Awards: 闪光民警 / 闪光辅警 of a month from its grade-A people, and yearly titles."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.enums import Identity, PeriodKind, PeriodState
from desktop.models.grading import Award
from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.services import audit
from desktop.services.actor import Actor, require
from desktop.services.errors import NotFound, ValidationError
from desktop.services.periods import spec_of
from desktop.services.policies import policy_for
from desktop.services.scoring import ScoreRow, results

MONTHLY_TITLES = {"闪光民警": Identity.POLICE, "闪光辅警": Identity.AUXILIARY}
YEARLY_TITLES = ("执法办案标兵", "社区警务标兵", "优秀内勤", "年度先进个人")


@dataclass(frozen=True)
class Candidate:
    row: ScoreRow
    title: str  # the monthly title this person is eligible for


def monthly_title_for(identity: str) -> str | None:
    """闪光民警 for 民警, 闪光辅警 for 辅警; None for 聘用人员, whom the scheme does not name
    (they are scored and graded like everyone, but the monthly titles are for 民警 and 辅警)."""
    return next((title for title, who in MONTHLY_TITLES.items() if who.value == identity), None)


def candidates(session: Session, period: Period) -> list[Candidate]:
    """The 民警 and 辅警 with the best grade of the period (grade A under the A/B/C/D policy)."""
    best = policy_for(session, period).levels[0].code
    rows = [r for r in results(session, period) if r.grade == best and monthly_title_for(r.identity)]
    rows.sort(key=lambda r: (-r.total, r.badge))
    return [Candidate(r, monthly_title_for(r.identity) or "") for r in rows]


def law_enforcement_leaders(session: Session, year_period: Period, sequences: list[str]) -> list[ScoreRow]:
    """Yearly 执法办案标兵 suggestions: the top of each law-enforcement sequence."""
    rows = [r for r in results(session, year_period) if r.sequence in sequences and not r.excluded_reason]
    return [r for r in rows if r.rank_sequence == 1]


def give(session: Session, actor: Actor, period: Period, person_id: int, title: str, note: str = "") -> Award:
    require(actor, "award.give")
    title = title.strip()
    if not title:
        raise ValidationError("请填写奖励名称")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("获奖人员不存在")
    kind = period.kind
    if title in MONTHLY_TITLES:
        if kind in (PeriodKind.YEAR.value, PeriodKind.HALF.value):
            raise ValidationError(f"“{title}”按月（或季度）评选，请选择月份")
        if period.state == PeriodState.OPEN.value:
            # Grades of an open month still move with every entry; an award given now could
            # outlive its holder's grade. Choose once the month is under review.
            raise ValidationError(f"{spec_of(period).label}尚在录入中，等次未定；提交审核后才能评选“{title}”")
        if monthly_title_for(person.identity) is None:
            raise ValidationError(f"{Identity(person.identity).label}人员不参加“闪光民警”“闪光辅警”评选，"
                                  "这两项称号只评民警和辅警")
        eligible = {c.row.person_id: c.title for c in candidates(session, period)}
        if person_id not in eligible:
            raise ValidationError(f"“{title}”只能从{spec_of(period).label}的最高等次人员中评选")
        if eligible[person_id] != title:
            raise ValidationError(f"该同志身份对应的称号是“{eligible[person_id]}”")
    elif kind != PeriodKind.YEAR.value:
        raise ValidationError(f"年度称号“{title}”需要选择年度周期")
    if session.scalar(select(Award).where(Award.period_id == period.id, Award.person_id == person_id,
                                          Award.title == title)):
        raise ValidationError("该同志在本周期已获得这一奖励")
    award = Award(period_id=period.id, person_id=person_id, title=title, note=note.strip(),
                  given_by_id=actor.user_id)
    session.add(award)
    session.flush()
    audit.record(session, actor, "award.give", "award", award.uuid, period=period.code, person_id=person_id,
                 title=title)
    return award


def ineligible(session: Session, period: Period, rows: list[ScoreRow] | None = None) -> list[str]:
    """Awards of the period whose holder no longer qualifies (re-checked before signing and
    locking): one line each, naming the holder, the title and the grade they now have."""
    given = [a for a in awards_of(session, period) if a.title in MONTHLY_TITLES]
    if not given:
        return []
    policy = policy_for(session, period)
    best = policy.levels[0].code
    by_person = {r.person_id: r for r in (rows if rows is not None else results(session, period))}
    problems = []
    for award in given:
        row = by_person.get(award.person_id)
        name = award.person.name
        if row is None or row.grade != best:
            now = "不在考核名单中" if row is None else f"现为{policy.label_of(row.grade) or '不参与排名'}"
            problems.append(f"{name}的“{award.title}”须为{policy.label_of(best)}，{now}；请先撤销该奖励")
        elif monthly_title_for(row.identity) != award.title:
            problems.append(f"{name}的身份与“{award.title}”不符；请先撤销该奖励")
    return problems


def revoke(session: Session, actor: Actor, award_id: int, reason: str) -> None:
    require(actor, "award.give")
    award = session.get(Award, award_id)
    if award is None:
        raise NotFound("奖励记录不存在")
    if not reason.strip():
        raise ValidationError("撤销奖励需要填写理由")
    audit.record(session, actor, "award.revoke", "award", award.uuid, title=award.title,
                 person_id=award.person_id, reason=reason.strip())
    session.delete(award)


def awards_of(session: Session, period: Period) -> list[Award]:
    return list(session.scalars(select(Award).where(Award.period_id == period.id).order_by(Award.id)))


def awards_for_person(session: Session, person_id: int) -> list[Award]:
    return list(session.scalars(select(Award).where(Award.person_id == person_id).order_by(Award.given_at)))
