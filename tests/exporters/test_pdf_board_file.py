"""Ranking board and performance file read back against the scores."""

from __future__ import annotations

import datetime as dt

from desktop.services import awards, documents, scoring
from desktop.services.documents_file import performance_file_data
from desktop.services.points import fmt
from tests import factories
from tests.exporters.conftest import MARCH, fonts_of, march, pdf_pages, pdf_text, sign_all


def test_board_lists_everyone_in_rank_order(station_db, tmp_path):
    sign_all(station_db)
    with station_db.session() as s:
        out = documents.write_board(s, MARCH, tmp_path / "board.pdf")
        groups = scoring.by_department(scoring.results(s, march(s)))
    text = pdf_text(out)
    assert "测试派出所 2026年3月 积分排名公示" in text and "已锁定" in text
    tokens = [t.strip() for t in text.split("\n") if t.strip()]
    for dept, rows in groups.items():
        assert dept in text
        positions = [tokens.index(r.name) for r in rows]
        assert positions == sorted(positions)  # printed in rank order
        for r in rows:
            at = tokens.index(r.name)
            assert tokens[at + 1] == r.badge and fmt(r.total) in tokens[at + 2:at + 4]
    assert "一把手不参与本单位排名" in text
    assert "第 1 页 共 1 页" in text
    assert all(fonts_of(out).values())


def test_performance_file_of_a_year(station_db, tmp_path):
    sign_all(station_db)
    with station_db.transaction() as s:
        best = awards.candidates(s, march(s))[0].row
        awards.give(s, factories.login(s, "chief"), march(s), best.person_id, "闪光民警", note="三月积分第一")
    with station_db.session() as s:
        data = performance_file_data(s, 2026, "100104", today=dt.date(2026, 6, 15))
        out = documents.write_performance_file(s, 2026, "100104", tmp_path / "file.pdf")
        row = next(r for r in scoring.results(s, march(s)) if r.badge == "100104")
    march_line = data.months[2]
    assert march_line.has_data and march_line.total == row.total and march_line.grade == "A类"
    assert [m.has_data for m in data.months].count(True) == 1
    assert data.months[11].state == "未到" or data.months[11].state == "无记录"
    assert data.grade_counts[0] == ("A类", 1)
    text = pdf_text(out)
    for part in ("测试派出所 政绩档案（2026年度）", "刘洋", "100104", "一、月度积分", fmt(row.total), "A类 1 次",
                 "闪光民警", "三月积分第一", "月度总分走势", "上级抽查考核不合格", "上级减分 2.0 分"):
        assert part in text, part
    assert all(fonts_of(out).values())
    assert all("政绩档案" in p for p in pdf_pages(out))


def test_performance_file_without_awards_or_sanctions(station_db, tmp_path):
    with station_db.session() as s:
        out = documents.write_performance_file(s, 2026, "100105", tmp_path / "quiet.pdf")
    text = pdf_text(out)
    assert "本年度无奖励记录" in text and "本年度无一票否决及惩处记录" in text
    assert "（无照片）" in text
