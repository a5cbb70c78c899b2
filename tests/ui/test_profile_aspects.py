"""个人档案 › 政绩档案（六个方面）: the month's facts grouped by aspect, its level and remark;
the whole year with 半年排名 and 年终总评."""

from __future__ import annotations

import pytest

from desktop.services import accounts, file_aspects
from desktop.ui.context import AppContext
from desktop.ui.screens.profile import ProfileScreen
from tests.factories import PASSWORD
from tests.services import file_world


@pytest.fixture
def screen(db, qapp, qtbot) -> tuple[ProfileScreen, file_world.FileWorld]:
    fw = file_world.build(db)
    with db.transaction() as s:
        actor = accounts.login(s, "chief", PASSWORD)
    ctx = AppContext(db, actor)
    ctx.set_period("2026-03")
    view = ProfileScreen(ctx)
    qtbot.addWidget(view)
    view.resize(1300, 860)
    view.show()
    view.refresh()
    view.show_person(fw.subject_id)
    view.tabs.setCurrentWidget(view.aspects)
    return view, fw


def tree_texts(view: ProfileScreen) -> dict[str, list[str]]:
    tree = view.aspects.tree
    out = {}
    for n in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(n)
        out[top.text(0).split("（")[0]] = [top.child(c).text(0) for c in range(top.childCount())]
    return out


def test_the_month_by_aspect_with_level_and_remark(screen) -> None:
    view, _fw = screen
    assert view.tabs.tabText(view.tabs.indexOf(view.aspects)) == "政绩档案（六个方面）"
    assert view.aspects.chosen_month() == 3  # the main window's month
    groups = tree_texts(view)
    assert list(groups) == list(file_aspects.ASPECTS)
    assert groups["考勤考核"] == ["按时到岗"] * 5
    assert "办理刑事案件（主办）" in groups["工作成绩"]
    assert "锁定后查实：迟到、早退" in groups["奖励惩处"] and "受到市局通报表扬" in groups["奖励惩处"]
    summary = view.aspects.summary.text()
    assert "优秀" in summary and "审核人评定" in summary and file_world.REMARK in summary and "chief" in summary
    view.aspects.set_month(4)
    assert file_world.APRIL_REMARK in view.aspects.summary.text()
    assert tree_texts(view)["政治表现"] == ["无记录"]


def test_the_whole_year_with_ranks(screen) -> None:
    view, _fw = screen
    view.aspects.set_month(0)
    assert view.aspects.month.currentText() == "全年"
    summary = view.aspects.summary.text()
    assert "上半年" in summary and "下半年" in summary and "全年" in summary and "部门第 1/5 名" in summary
    rewards = tree_texts(view)["奖励惩处"]
    assert f"【奖励】{file_world.YEAR_TITLE}" in rewards and "试岗：不遵守纪律规定" in rewards
    assert len(tree_texts(view)["考勤考核"]) == 8  # March's five and April's three
