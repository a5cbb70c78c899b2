"""Footnotes for the 公示栏: where equal totals got different ranks or grades (a tie split by the
policy's tie-break, a tie that would cross a quota line, a pro-rated total), say why, in the
words of the grade reason (`ScoreRow.why`), so nobody reading the board has to guess.

Plain data: the notes are worked out from the period's score rows, per department.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.orm import Session

from desktop.services import documents, scoring
from desktop.services.points import fmt
from desktop.services.scoring import ScoreRow

TIE_WORDS = ("总分相同", "完全并列")
CROSSING = "与并列者一起放不下"


def _lines(row: ScoreRow) -> list[str]:
    return [line.strip() for line in row.why.split("；") if line.strip()]


def _split(same: list[ScoreRow]) -> bool:
    """Equal totals that the board shows differently (or that sit across a quota line)."""
    return (len({r.rank_department for r in same}) > 1 or len({r.grade for r in same}) > 1
            or any("tie_at_line" in r.flags for r in same))


def group_note(same: list[ScoreRow]) -> str:
    """One footnote for people of one department with the same total."""
    same = sorted(same, key=lambda r: (r.rank_department or 10**6, r.badge))
    names = "、".join(r.name for r in same)
    parts: list[str] = []
    crossing = next((line for r in same for line in _lines(r)[:1] if CROSSING in line), "")
    if crossing:
        # "C类：在…（9 人）排第 5，B类 ≤50%…，与并列者一起放不下，同定为下一等" → from the quota on
        parts.append("并列跨线：" + crossing.split("，", 1)[-1])
    by_ranked: dict[int, list[ScoreRow]] = defaultdict(list)
    for row in same:
        by_ranked[row.ranked_total].append(row)
    for members in by_ranked.values():
        if len(members) > 1:  # one member's tie line says it for all of them
            parts += [members[0].name + line for line in _lines(members[0]) if any(w in line for w in TIE_WORDS)]
    for row in same:
        parts += [f"{row.name}{line}" for line in _lines(row) if line.startswith("本期在岗") and "折算" in line]
    if not parts:
        parts.append("名次或等次不同，详见等次评定表")
    return f"※ {names}总分同为 {fmt(same[0].total)} 分：" + "；".join(parts)


def tie_notes(rows: list[ScoreRow]) -> dict[str, list[str]]:
    """Per department name, the footnotes of its board page(s), best total first."""
    notes: dict[str, list[str]] = {}
    for department, members in scoring.by_department(rows).items():
        by_total: dict[int, list[ScoreRow]] = defaultdict(list)
        for row in members:
            if not row.excluded_reason:
                by_total[row.total].append(row)
        found = [group_note(same) for total, same in sorted(by_total.items(), key=lambda kv: -kv[0])
                 if len(same) > 1 and _split(same)]
        if found:
            notes[department] = found
    return notes


def board_notes(session: Session, code: str) -> dict[str, list[str]]:
    """The footnotes of the board of period `code` (the same rows the board shows)."""
    return tie_notes(scoring.results(session, documents.period_for(session, code)))
