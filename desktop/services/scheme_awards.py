"""What a scheme's ranking earns: its titles (标兵, 先进单位) and the bottom units' consequences.

Read from the scheme's own definition and its own score, never from the person scheme's total
(汉阴: 执法办案标兵 is chosen per sequence on the 执法办案 score; an officer with 216 case points
must not lose it to one with 36 case points and more duty points).

- `Award(period, per, top)`: in every group (`per` sequence, class or all) of a period of that
  kind, the subjects ranked within the top N (competition ranks, so ties share a place) who have
  no veto-class event, and, when `best_grade_only`, hold the best grade, are suggested; the chief
  still decides (a suggestion is printed on the sheet and in the 通报, never given by itself).
- `bottom_loses_eligibility` N: in a year the N lowest of each group lose that year's
  评先评优 eligibility; `bottom_reports`: the lowest of each group in a quarter or a year make a
  statement at the bureau meeting (表态发言).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from desktop.models.people import Person
from desktop.services.periods import PeriodSpec


def annotate(session: Session, scheme: Any, rows: list[Any], spec: PeriodSpec) -> None:
    """Set `extra["award"]`, `extra["loses_eligibility"]` and `extra["reports"]` on the rows."""
    for row in rows:
        row.extra.setdefault("award", "")
        row.extra.setdefault("loses_eligibility", False)
        row.extra.setdefault("reports", False)
    # Eligibility first: a unit at the bottom cannot also be suggested for a commendation.
    bottom = scheme.bottom_loses_eligibility
    if bottom and spec.kind.value == "year":
        for members in _groups(rows, None).values():
            for row in _lowest(members, bottom):
                row.extra["loses_eligibility"] = True
    best = _best_grade(scheme)
    for award in scheme.awards:
        if award.period != spec.kind.value:
            continue
        for members in _groups(rows, award.per).values():
            for row in members:
                if _earns(session, award, row, best):
                    row.extra["award"] = award.title
    if scheme.bottom_reports and spec.kind.value in ("quarter", "year"):
        for members in _groups(rows, None).values():
            for row in _lowest(members, max(1, bottom)):
                row.extra["reports"] = True
    for row in rows:
        said = consequences(row)
        if said:
            row.why = f"{row.why}；{said}" if row.why else said


def consequences(row: Any) -> str:
    """One phrase for the sheet and the 通报: what this place in the ranking brings."""
    parts = []
    if row.extra.get("award"):
        parts.append(f"建议评为{row.extra['award']}")
    if row.extra.get("loses_eligibility"):
        parts.append("末位，取消本年度评先评优资格")
    if row.extra.get("reports"):
        parts.append("末位，在全局会议上表态发言")
    return "；".join(parts)


def _best_grade(scheme: Any) -> str | None:
    from desktop.services.scheme_scoring import policy_of

    levels = policy_of(scheme).levels
    return levels[0].code if levels else None


def _earns(session: Session, award: Any, row: Any, best: str | None) -> bool:
    if row.rank is None or award.top is None or row.rank > award.top or row.vetoed:
        return False
    if row.total <= 0 or row.extra.get("loses_eligibility"):  # nothing earned, or at the bottom
        return False
    if award.best_grade_only and row.grade != best:
        return False
    if award.identity and row.kind == "person":
        person = session.get(Person, row.key)
        if person is None or person.identity != award.identity:
            return False
    return True


def _groups(rows: list[Any], per: str | None) -> dict[str, list[Any]]:
    """Rows by the award's group; `None` keeps the scheme's own ranking groups."""
    out: defaultdict[str, list[Any]] = defaultdict(list)
    for row in rows:
        if per is None:
            key = row.group
        elif per == "sequence":
            key = row.sequence
        elif per == "class":
            key = str(row.klass or 0)
        else:
            key = "all"
        out[key].append(row)
    return out


def _lowest(members: list[Any], count: int) -> list[Any]:
    """The `count` lowest-ranked, ties at the boundary included; never a whole group of one."""
    ranked = [r for r in members if r.rank is not None]
    if len(ranked) <= count:
        return []
    ranks = sorted({r.rank for r in ranked}, reverse=True)
    chosen: list[Any] = []
    for rank in ranks:
        if len(chosen) >= count:
            break
        chosen += [r for r in ranked if r.rank == rank]
    return chosen


def person_suggestions(session: Session, year: int) -> list[tuple[Any, Any, str]]:
    """(scheme, row, title) for every yearly title a person scheme other than the person scheme
    suggests (执法办案标兵 on the 执法办案 score, per sequence): what the 奖励 screen offers."""
    from desktop.services import scheme_registry, scheme_signing

    out = []
    for scheme in scheme_registry.active(session):
        if scheme.code == "person" or scheme.subject != "person":
            continue
        if not any(a.period == "year" for a in scheme.awards):
            continue
        for row in scheme_signing.subject_rows(session, scheme, str(year)):
            if row.extra.get("award"):
                out.append((scheme, row, row.extra["award"]))
    return out
