"""领导带领责任: a unit's conduct problem is its leader's, in the leader's own grade.

When a scheme with a leader rule (汉阴 队伍管理: a 违纪 event, or last place) finds a unit at
fault, the person who headed the unit at the period's end drops `levels` grades in the person
scheme, never below the worst level, with the reason written into the grade's explanation
(##所: 两所所长 dropped from 一级 to 二级). The engine's grade is kept as it was; a chief's
override still has the last word, as for any grade.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from desktop.services.grade_policy import Policy


def penalties(session: Session, period_code: str) -> dict[int, tuple[int, str]]:
    """person id -> (levels, reason) over every active scheme that has a leader rule."""
    from desktop.services import scheme_registry, scheme_scoring

    found: dict[int, tuple[int, str]] = {}
    for scheme in scheme_registry.active(session):
        if scheme.leader_rule is None or scheme.subject == "person":
            continue
        rows = scheme_scoring.score(session, scheme, period_code)
        for person_id, (levels, reason) in scheme_scoring.leader_penalties(scheme, rows).items():
            before = found.get(person_id)
            if before is None or levels > before[0]:
                found[person_id] = (levels, reason)
    return found


def penalties_on(connection: Connection, period_code: str) -> dict[int, tuple[int, str]]:
    """`penalties` read through a connection of its own (`SideRead`), in a session of its own."""
    with Session(bind=connection) as session:
        return penalties(session, period_code)


def apply(found: dict[int, tuple[int, str]], policy: Policy, rows: list) -> dict[int, str]:  # type: ignore[type-arg]
    """Lower the graded heads' grades by the `penalties` found; person id -> the sentence to add
    to their explanation."""
    if not found:
        return {}
    codes = [level.code for level in policy.levels]
    notes: dict[int, str] = {}
    for row in rows:
        if row.person_id not in found or not row.grade or row.grade not in codes:
            continue
        levels, reason = found[row.person_id]
        lowered = codes[min(len(codes) - 1, codes.index(row.grade) + levels)]
        if lowered == row.grade:
            continue
        notes[row.person_id] = f"{reason}，由{policy.label_of(row.grade)}降为{policy.label_of(lowered)}"
        row.grade = row.engine_grade = lowered
        row.flags = sorted({*row.flags, "leader"})
    return notes
