"""The main window: navigation by role, shortcuts, period chooser, status bar, saved layout."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from desktop.ui.main_window import MainWindow, month_codes
from desktop.ui.screens import ScreenSpec
from desktop.ui.screens.people import PeopleScreen


def _window(qtbot, ctx) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def _titles(window: MainWindow) -> list[str]:
    return [window.nav.item(i).text() for i in range(window.nav.count())]


def test_navigation_follows_the_role(qtbot, ctx_for):
    clerk = _window(qtbot, ctx_for("neiqin"))
    # 自报: the demo clerk's account belongs to a person (内勤), who reviews nobody (so no 审核).
    assert _titles(clerk) == ["考核日记", "每日值勤", "人员", "考核细则", "月度考核", "自报", "公示栏", "个人档案",
                              "奖励", "积分制", "数据交换", "审计与备份", "设置"]
    assert clerk.show_screen("audit").audit is None  # backups only: the audit trail is for chief/admin
    officer = _window(qtbot, ctx_for("minjing"))
    assert "每日值勤" not in _titles(officer) and "数据交换" not in _titles(officer)
    assert officer.show_screen("duty") is None


def test_shortcut_switches_screen_and_status_shows_period(qtbot, ctx_for):
    ctx = ctx_for("neiqin", period="2026-03")
    window = _window(qtbot, ctx)
    assert "滨河派出所" in window.station_label.text()
    assert window.user_label.text() == "用户：邱浩博（内勤）"
    assert window.period_label.text() == "考核周期：2026年3月（录入中）"
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(window.stack.currentWidget(), PeopleScreen)
    index = window.period.findData("2026-02")
    window.period.setCurrentIndex(index)
    window.period.activated.emit(index)
    assert ctx.period_code == "2026-02"
    assert window.period_label.text() == "考核周期：2026年2月（审核中）"


def test_data_change_refreshes_the_visible_screen(qtbot, ctx_for, monkeypatch):
    ctx = ctx_for("neiqin")
    window = _window(qtbot, ctx)
    screen = window.show_screen("people")
    calls = []
    monkeypatch.setattr(screen, "refresh", lambda: calls.append(1))
    ctx.data_changed.emit("people")
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert len(calls) == 2


def test_a_missing_screen_shows_a_note(qtbot, ctx_for):
    window = _window(qtbot, ctx_for("neiqin"))
    window.specs.append(ScreenSpec("nope", "未完成", "does_not_exist", "Nope", "Ctrl+F12"))
    widget = window.screen("nope")
    assert isinstance(widget, QLabel) and "暂时无法打开" in widget.text()


def test_layout_and_screen_are_kept(qtbot, ctx_for):
    ctx = ctx_for("neiqin")
    window = _window(qtbot, ctx)
    window.resize(window.width(), 560)  # the offscreen screen is only 800×600
    window.show_screen("catalogue")
    window.close()
    again = _window(qtbot, ctx)
    assert again.current_key() == "catalogue"
    assert again.height() == 560


def test_month_codes():
    import datetime as dt

    assert month_codes(dt.date(2026, 1, 5), dt.date(2026, 2, 1), dt.date(2026, 3, 9)) == [
        "2026-03", "2026-02", "2026-01"]
    assert month_codes(None, None, dt.date(2026, 3, 9)) == ["2026-03"]


def test_a_screen_reloads_once_per_change(qtbot, ctx_for, monkeypatch):
    """Screens that follow changes themselves (review, board, profile, awards) and the main
    window used to reload the visible one twice for every switch, period change and write."""
    ctx = ctx_for("suozhang")
    window = _window(qtbot, ctx)
    calls: list[str] = []
    for key in ("review", "board", "diary"):
        screen = window.screen(key)
        monkeypatch.setattr(screen, "refresh", lambda key=key, real=screen.refresh: (calls.append(key), real()))

    def count(action) -> list[str]:
        calls.clear()
        action()
        qtbot.wait(10)
        return list(calls)

    assert count(lambda: window.show_screen("review")) == ["review"]
    assert count(lambda: ctx.data_changed.emit("entries")) == ["review"]
    assert count(lambda: ctx.set_period("2026-07")) == ["review"]
    assert count(lambda: window.show_screen("board")) == ["board"]  # stale after the period change
    assert count(lambda: ctx.set_period("2026-06")) == ["board"]  # the hidden review only goes stale
    assert count(lambda: window.show_screen("review")) == ["review"]
    assert count(lambda: window.show_screen("diary")) == ["diary"]
    assert count(window.refresh_current) == ["diary"]  # F5 always reloads
    assert count(lambda: window.show_screen("board")) == ["board"]  # not stale: reloaded once anyway


def test_review_opens_another_schemes_month_on_the_schemes_screen(qtbot, ctx_for):
    window = _window(qtbot, ctx_for("neiqin"))
    review = window.show_screen("review")
    combo = review.scheme_combo
    assert not combo.isHidden() and combo.currentData() == "person"
    index = combo.findData("jiceng")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    schemes = window.stack.currentWidget()
    assert window.nav.currentItem().text() == "积分制" and schemes.combo.currentData() == "jiceng"
    assert combo.currentData() == "person"  # 月度考核 stays on the person scheme


def test_the_first_screen_is_up_before_its_choices_have_loaded(qtbot, ctx_for):
    """#18 item 3: 考核日记 shows the month's entries at once; the pickers' and filters' choices
    (the whole roster at county scale) are read in a worker once the window is painted."""
    from desktop.ui.screens.diary import DiaryScreen

    window = MainWindow(ctx_for("neiqin"))
    qtbot.addWidget(window)
    diary = window.stack.currentWidget()
    assert isinstance(diary, DiaryScreen) and diary.loading
    assert diary.entries.model.rowCount() > 0  # the list is not put off
    assert diary.form.people.search.edit.placeholderText() == "正在载入…"
    assert diary.form.people.search.choices() == [] and not diary.entries.person.isEnabled()
    window.show()
    qtbot.waitUntil(lambda: not diary.loading)
    assert len(diary.form.people.search.choices()) > 10 and diary.form.item.search.choices()
    assert diary.form.people.search.edit.placeholderText().startswith("警号")
    assert diary.form.item.search.edit.placeholderText() == "项目编号、名称或拼音首字母"
    assert diary.entries.person.isEnabled() and diary.entries.person.count() > 10
    assert diary.entries.scheme.toolTip().startswith("只看一个积分制")


def test_a_refresh_before_the_late_choices_arrive_wins(qtbot, ctx_for, monkeypatch):
    window = MainWindow(ctx_for("neiqin"))
    qtbot.addWidget(window)
    diary = window.stack.currentWidget()
    late: list[object] = []
    monkeypatch.setattr(diary.form, "apply_choices", late.append)
    diary.refresh()  # F5, or a write elsewhere, before the worker is done
    assert not diary.loading and diary.form.people.search.choices()
    window.show()
    qtbot.wait(300)
    assert late == [] and diary.entries.person.isEnabled()
