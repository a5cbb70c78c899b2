"""The person scheme's monthly 通报 (#15): the best and the lowest levels, with their reviewers."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.exporters.pdf.grade_bulletin import grade_bulletin_data, write_grade_bulletin
from desktop.services import policies, ratings, reviewers
from desktop.services.errors import ValidationError
from tests.exporters.conftest import pdf_text
from tests.services.builders import SYSTEM, five_people, locked, period, world


def test_a_monthly_bulletin_names_the_best_and_the_lowest(db, tmp_path: Path) -> None:
    w = world(db, starting_score=1000)
    with w.tx() as s:
        people = five_people(s, w)
        locked(s, w, "2026-03")
        data = grade_bulletin_data(s, "2026-03")
        assert data.levels == ["A类", "D类"] and data.counts == {"A类": 1, "B类": 2, "C类": 2, "D类": 0}
        assert [(line.level, line.name) for line in data.lines] == [("A类", people[0].name)]
        out = write_grade_bulletin(s, "2026-03", tmp_path / "通报.pdf")
        with pytest.raises(ValidationError, match="通报按月发布"):
            grade_bulletin_data(s, "2026-Q1")
    text = pdf_text(out)
    assert "关于2026年3月民警月度考核等次的通报" in text and people[0].name in text and "D类（0人）" in text


def test_a_reviewer_rated_month_lists_excellent_fair_and_poor_with_the_reason(db) -> None:
    w = world(db, starting_score=1000)
    with w.tx() as s:
        policies.set_station_policy(s, SYSTEM, "five_level_rated", policies.FROM_START)
        people = five_people(s, w)
        march = period(s, "2026-03")
        for p in people:
            suggested = next(r for r in ratings_rows(s, march) if r.person_id == p.id).engine_grade
            level, reason = (("一般", "本月两次迟到") if p is people[1] else (suggested, ""))
            ratings.rate(s, w.chief, march, p.id, level, reason=reason)
        data = grade_bulletin_data(s, "2026-03")
        assert data.levels == ["优秀", "一般", "差"]
        fair = next(line for line in data.lines if line.level == "一般")
        assert fair.name == people[1].name and "本月两次迟到" in fair.note and "chief" in fair.note
        assert reviewers.reviewer_of(s, people[1], march.end).person is None  # nobody above: the chief rated


def ratings_rows(s, march):
    from desktop.services import scoring

    return scoring.calculate(s, march)
