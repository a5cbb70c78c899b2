"""个人档案: choose a person by badge or pinyin, the year's chart, tables and the PDF."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.services import ledger
from desktop.ui.charts import BarChart, nice_step
from desktop.ui.screens.profile import ProfileScreen

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def make_profile(qtbot, ctx) -> ProfileScreen:
    screen = ProfileScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    screen.refresh()
    return screen


def test_officer_sees_own_file_then_finds_another(qtbot, qtmodeltester, ctx_for, demo_db):
    ctx = ctx_for("minjing", period="2026-02")
    screen = make_profile(qtbot, ctx)
    assert screen.profile.person_id == ctx.actor.person_id  # an officer starts with their own file
    assert screen.year.value() == 2026
    with demo_db.session() as s:  # in the demo 吕宇峰 transferred out at the end of 2025-09
        who = s.scalar(select(Person).where(Person.name == "吕宇峰"))
        expected = len(ledger.entries_of(s, who.id, dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    screen.year.setValue(2025)
    qtbot.keyClicks(screen.picker.edit, "lyf")  # pinyin initials
    qtbot.keyClick(screen.picker.edit, Qt.Key.Key_Return)
    p = screen.profile
    assert p.name == "吕宇峰" and p.badge == who.badge
    assert "吕宇峰" in screen.identity.text() and who.badge in screen.identity.text()
    assert len(screen.chart.values) == 12
    # The demo starts in 2025-04; he left after September.
    assert [m.total is not None for m in p.months] == [False] * 3 + [True] * 6 + [False] * 3
    assert [m.state for m in p.months[9:]] == ["不在岗"] * 3
    assert screen.chart.values[3] == p.months[3].total / 10 and screen.chart.values[0] is None
    assert screen.month_model.rowCount() == 12
    assert screen.entry_model.rowCount() == expected > 0
    assert f"（{expected}）" in screen.tabs.tabText(3)
    for model in (screen.month_model, screen.category_model, screen.event_model, screen.entry_model):
        qtmodeltester.check(model)
    screen.year.setValue(2026)
    assert screen.profile.year == 2026 and screen.profile.name == "吕宇峰"
    assert all(m.total is None for m in screen.profile.months)


def test_awards_and_sanctions_listed(qtbot, ctx_for, demo_db):
    from desktop.models.grading import Award

    with demo_db.session() as s:
        award = s.scalars(select(Award).order_by(Award.id)).first()
        person_id = award.person_id
        award_year = s.get(Period, award.period_id).year
    screen = make_profile(qtbot, ctx_for("neiqin", period="2026-02"))
    screen.show_person(person_id)
    titles = [screen.event_model.index(r, 2).data() for r in range(screen.event_model.rowCount())]
    kinds = {screen.event_model.index(r, 1).data() for r in range(screen.event_model.rowCount())}
    if screen.profile.year != int(award_year):
        screen.year.setValue(int(award_year))
        titles = [screen.event_model.index(r, 2).data() for r in range(screen.event_model.rowCount())]
        kinds = {screen.event_model.index(r, 1).data() for r in range(screen.event_model.rowCount())}
    assert award.title in titles and "奖励" in kinds


def test_print_performance_file(qtbot, ctx_for, modals, monkeypatch):
    from desktop.ui.dialogs import printing

    opened: list[str] = []
    monkeypatch.setattr(printing, "preview", lambda _parent, path: opened.append(str(path)) or 0)
    screen = make_profile(qtbot, ctx_for("minjing", period="2026-02"))
    qtbot.mouseClick(screen.findChild(QPushButton, "printFileButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened) or bool(modals.messages), timeout=20000)
    assert opened and "政绩档案" in opened[0], modals.messages


def test_chart_steps_and_paint(qtbot):
    assert nice_step(100) == 20 and nice_step(7) == 2 and nice_step(0) == 1
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(600, 260)
    chart.set_series(["1月", "2月", "3月"], [82.5, None, -3], notes=["A类", "", "D类"], line=[70, 71, None],
                     line_label="部门平均", title="测试")
    image = chart.grab()
    assert not image.isNull()
    with pytest.raises(ValueError):
        chart.set_series(["1月"], [1, 2])


def test_photo_is_shown(qtbot, ctx_for, demo_db):
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    from desktop.services import roster
    from tests.factories import SYSTEM

    image = QImage(90, 120, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366aa"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    ctx = ctx_for("minjing", period="2026-02")
    with demo_db.transaction() as s:
        roster.set_photo(s, SYSTEM, ctx.actor.person_id, bytes(data.data()), "image/png")
    screen = make_profile(qtbot, ctx)
    assert not screen.photo.pixmap().isNull() and screen.photo.text() == ""


def test_an_officer_sees_a_colleagues_signed_months_only(qtbot, ctx_for, demo_db):
    """Publish after review: in the demo 2026-02 is under review and 2026-03 open."""
    ctx = ctx_for("minjing", period="2026-02")
    screen = make_profile(qtbot, ctx)
    with demo_db.session() as s:
        colleague = s.scalar(select(Person).where(Person.id != ctx.actor.person_id, Person.active_to.is_(None),
                                                  Person.department_id != s.get(Person, ctx.actor.person_id)
                                                  .department_id).order_by(Person.badge))
    screen.year.setValue(2026)
    screen.show_person(colleague.id)
    p = screen.profile
    assert p.months[0].total is not None  # January is signed
    assert [m.state for m in p.months[1:3]] == ["未签核，暂不公开"] * 2
    assert all(e.day.month == 1 for e in p.entries)
    own = make_profile(qtbot, ctx_for("minjing", period="2026-02"))
    own.year.setValue(2026)
    assert own.profile.months[1].state != "未签核，暂不公开"  # his own file is whole


def test_a_clerk_saves_everyones_file_into_a_folder(qtbot, ctx_for, modals, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog

    from desktop.services import documents_batch

    folder = tmp_path / "全员"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *_a, **_k: str(folder)))
    screen = make_profile(qtbot, ctx_for("neiqin", period="2026-02"))
    qtbot.mouseClick(screen.findChild(QPushButton, "allFilesButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(modals.messages), timeout=60000)
    kind, title, text = modals.messages[-1]
    with screen.ctx.db.session() as s:
        expected = sorted(documents_batch.file_names(s, 2026, documents_batch.people_of_year(s, 2026)))
    assert (kind, title) == ("information", "全员政绩档案") and f"已生成 {len(expected)} 个政绩档案" in text
    assert sorted(p.name for p in folder.iterdir()) == expected and len(expected) > 20


def test_an_officer_has_no_button_for_everyones_file(qtbot, ctx_for):
    screen = make_profile(qtbot, ctx_for("minjing", period="2026-02"))
    assert screen.findChild(QPushButton, "allFilesButton") is None
