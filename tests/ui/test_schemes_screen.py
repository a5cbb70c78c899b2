"""积分制 screen: a 基层基础 month ranked by class, submitted by the clerk, signed by the 所长 and
治安大队 (the clerk's account) with clicks and the password, locked, and a post's file opened."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop.models.db import Database
from desktop.services import ledger, scheme_registry, units
from desktop.ui.screens.schemes import SchemesScreen
from desktop.ui.screens.subject_file import SubjectFileDialog
from tests.factories import PASSWORD
from tests.services.builders import SYSTEM
from tests.ui.test_review import password_filler

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

POSTS = (("P1", "城关警务室", 1, "JC-12"), ("P2", "东关警务室", 1, "JC-11"), ("P3", "涧池警务室", 2, "JC-11"),
         ("P4", "蒲溪警务室", 2, None))


@pytest.fixture
def posts(station_db: Database) -> Database:
    with station_db.transaction() as s:
        scheme_registry.install(s, SYSTEM, "jiceng", catalogue_from=dt.date(2026, 1, 1))
        for code, name, klass, item in POSTS:
            unit = units.add_unit(s, SYSTEM, units.UnitInput(code=code, name=name, kind="post", post_class=klass))
            if item:
                ledger.record(s, SYSTEM, ledger.EntryInput((), item, dt.date(2026, 3, 10), unit_ids=[unit.id],
                                                           note="月度检查"))
        units.add_member(s, SYSTEM, "P1", "150001", start=dt.date(2026, 1, 1), role="head")
    return station_db


def make_screen(qtbot, ctx) -> SchemesScreen:  # type: ignore[no-untyped-def]
    screen = SchemesScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 760)
    screen.show()
    screen.refresh()
    return screen


def column(screen: SchemesScreen, header: str) -> list[str]:
    index = screen.model.headers().index(header)
    proxy = screen.view.model()
    return [proxy.index(r, index).data() for r in range(proxy.rowCount())]


def test_posts_are_ranked_within_their_class_and_signed_along_the_schemes_chain(
        qtbot, posts: Database, station_ctx_for, modals) -> None:  # type: ignore[no-untyped-def]
    clerk = make_screen(qtbot, station_ctx_for("clerk"))
    assert clerk.combo.currentText() == "基层基础（警务室）"
    assert column(clerk, "代码") == ["P1", "P2", "P3", "P4"]
    assert column(clerk, "类别") == ["一类", "一类", "二类", "二类"]
    assert column(clerk, "排名") == ["1", "2", "1", "2"]
    assert column(clerk, "加分项")[:2] == ["3.0", "2.0"]
    assert not clerk.sign_button.isEnabled() and not clerk.reopen_button.isEnabled()
    qtbot.mouseClick(clerk.freeze_button, Qt.MouseButton.LeftButton)
    assert "签核中" in clerk.state_label.text() and "1. 派出所所长审核：待签" in clerk.chain.text()
    assert not clerk.sign_button.isEnabled()  # the 所长 signs first

    chief = make_screen(qtbot, station_ctx_for("chief"))
    assert chief.sign_button.isEnabled() and chief.sign_button.text() == "签字：派出所所长审核…"
    modals.on_dialog = password_filler(qtbot, "wrong")
    qtbot.mouseClick(chief.sign_button, Qt.MouseButton.LeftButton)
    assert "密码不正确" in modals.last and "签核中" in chief.state_label.text()
    modals.on_dialog = password_filler(qtbot, PASSWORD)
    qtbot.mouseClick(chief.sign_button, Qt.MouseButton.LeftButton)
    assert "1. 派出所所长审核：chief" in chief.chain.text()

    clerk.refresh()
    assert clerk.sign_button.isEnabled()
    qtbot.mouseClick(clerk.sign_button, Qt.MouseButton.LeftButton)
    assert "已锁定" in clerk.state_label.text() and not clerk.freeze_button.isEnabled()
    assert "2. 治安大队复核通报：clerk" in clerk.chain.text()


def test_a_double_click_opens_the_posts_file(qtbot, posts: Database, station_ctx_for,
                                             modals) -> None:  # type: ignore[no-untyped-def]
    screen = make_screen(qtbot, station_ctx_for("clerk"))
    seen: list[SubjectFileDialog] = []

    def look(dialog: QDialog) -> int:
        assert isinstance(dialog, SubjectFileDialog)
        seen.append(dialog)
        return 0

    modals.on_dialog = look
    qtbot.waitExposed(screen)
    index = screen.view.model().index(0, 3)
    qtbot.mouseClick(screen.view.viewport(), Qt.MouseButton.LeftButton, pos=screen.view.visualRect(index).center())
    qtbot.mouseDClick(screen.view.viewport(), Qt.MouseButton.LeftButton, pos=screen.view.visualRect(index).center())
    assert seen, modals.messages
    [dialog] = seen
    facts = dict(dialog.data.facts)
    assert dialog.data.title == "一单位一档：城关警务室（基层基础）"
    assert (facts["类别"], facts["负责人"]) == ("一类", "张三丰")
    assert dialog.data.months == ["1月", "2月", "3月"] and dialog.data.totals[2] == 3.0
    assert dialog.data.ranks[2] == "第1名"
    assert dialog.model.rowCount() == 1 and dialog.model.cell(0, 5).text == "月度检查"


def test_a_station_running_only_the_person_scheme_is_told_how_to_add_one(
        qtbot, station_ctx_for) -> None:  # type: ignore[no-untyped-def]
    screen = make_screen(qtbot, station_ctx_for("clerk"))
    assert screen.empty.isVisible() and "jifen scheme install" in screen.empty.text()
    assert not screen.freeze_button.isEnabled()


def test_the_diary_lists_unit_entries_and_filters_by_scheme(qtbot, posts: Database,
                                                            station_ctx_for) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui.widgets.entry_list import EntryListPanel

    with posts.transaction() as s:
        ledger.record(s, SYSTEM, ledger.EntryInput([1], "ZB-01", dt.date(2026, 3, 11)))
    entries = EntryListPanel(station_ctx_for("clerk"))
    qtbot.addWidget(entries)
    entries.show()
    entries.refresh()
    assert not entries.scheme.isHidden() and entries.model.rowCount() == 4
    entries.scheme.setCurrentIndex(entries.scheme.findData("jiceng"))
    entries.scheme.activated.emit(entries.scheme.currentIndex())
    rows = [entries.model.entry_at(i) for i in range(entries.model.rowCount())]
    assert sorted((r.badge, r.name, r.department, r.scheme) for r in rows) == [
        ("P1", "城关警务室", "警务室", "jiceng"), ("P2", "东关警务室", "警务室", "jiceng"),
        ("P3", "涧池警务室", "警务室", "jiceng")]
    entries.text.setText("城关")
    entries.apply_filter()
    assert entries.model.rowCount() == 1


def test_the_diary_records_a_posts_item_and_a_case_with_the_same_pickers(
        qtbot, posts: Database, station_ctx_for) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from desktop.models.ledger import Entry
    from desktop.ui.screens.diary import DiaryScreen

    with posts.transaction() as s:
        scheme_registry.install(s, SYSTEM, "zhifa", catalogue_from=dt.date(2026, 1, 1))
    screen = DiaryScreen(station_ctx_for("clerk"))
    qtbot.addWidget(screen)
    screen.show()
    screen.refresh()
    form = screen.form
    form.set_day(dt.date(2026, 3, 20))
    assert form.scheme.isVisible() and not form.case_no.isVisible()
    form.scheme.setCurrentIndex(form.scheme.findData("jiceng"))
    assert form.subject_label.text() == "警务室（可选多个）"
    qtbot.keyClicks(form.people.search.edit, "jcjws")  # 涧池警务室 by its pinyin initials
    qtbot.keyClick(form.people.search.edit, Qt.Key.Key_Return)
    assert [form.people.chips.item(0).text().split()[0]] == ["涧池警务室"]
    form.item.choose("JC-12")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert "已保存" in form.message.text()
    form.scheme.setCurrentIndex(form.scheme.findData("zhifa"))
    assert form.case_no.isVisible() and form.subject_label.text() == "人员（可选多人）"
    qtbot.keyClicks(form.people.search.edit, "150002")
    qtbot.keyClick(form.people.search.edit, Qt.Key.Key_Return)
    form.item.choose("ZF-01")
    qtbot.keyClicks(form.case_no, "XZ2026-15")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    with posts.session() as s:
        unit_entry = s.scalar(select(Entry).where(Entry.item_code == "JC-12", Entry.occurred_on == dt.date(2026, 3, 20)))
        case = s.scalar(select(Entry).where(Entry.item_code == "ZF-01"))
        assert unit_entry.unit_id is not None and unit_entry.person_id is None and unit_entry.scheme == "jiceng"
        assert (case.case_no, case.scheme, case.person_id) == ("XZ2026-15", "zhifa", 2)


def test_the_board_shows_and_prints_a_schemes_ranking_by_class(qtbot, posts: Database, station_ctx_for, modals,
                                                               monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    from desktop.ui.dialogs import printing
    from desktop.ui.screens.board import BoardScreen

    screen = BoardScreen(station_ctx_for("clerk"))
    qtbot.addWidget(screen)
    screen.resize(1280, 760)
    screen.show()
    screen.refresh()
    assert not screen.scheme.isHidden() and screen.scheme.currentData() == "person"
    screen.scheme.setCurrentIndex(screen.scheme.findData("jiceng"))
    screen.scheme.activated.emit(screen.scheme.currentIndex())
    data = screen.view.data
    assert data is not None and [s.department for s in data.sections] == ["一类警务室", "二类警务室"]
    assert [(r.rank, r.name) for r in data.sections[0].rows] == [(1, "城关警务室"), (2, "东关警务室")]
    opened: list[str] = []
    monkeypatch.setattr(printing, "preview", lambda _parent, path: opened.append(str(path)) or 0)
    qtbot.mouseClick(screen.findChild(type(screen.next_button), "printBoardButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened) or bool(modals.messages), timeout=20000)
    assert opened, modals.messages
    text = subprocess.run(["pdftotext", opened[0], "-"], capture_output=True, text=True, check=True).stdout
    assert "基层基础" in text and "一类警务室" in text and "涧池警务室" in text


def test_the_profile_shows_the_officers_post_in_the_other_scheme(qtbot, posts: Database,
                                                                 station_ctx_for) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui.screens.profile import ProfileScreen

    with posts.transaction() as s:
        p1 = units.unit_by_code(s, "P1")
        person_id = units.head_on(s, p1, dt.date(2026, 3, 31)).id
    screen = ProfileScreen(station_ctx_for("clerk"))
    qtbot.addWidget(screen)
    screen.show()
    screen.refresh()
    screen.show_person(person_id)
    assert screen.tabs.isTabVisible(4)
    cells = [screen.scheme_model.cell(0, c).text for c in range(3)]
    assert cells == ["基层基础", "城关警务室", "3.0"]
    assert screen.scheme_model.cell(0, 3).text == "1/2"


def test_the_ranking_sheet_and_bulletin_print_from_the_screen(qtbot, posts: Database, station_ctx_for, modals,
                                                              monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    from desktop.ui.dialogs import printing

    screen = make_screen(qtbot, station_ctx_for("clerk"))
    assert not screen.print_cases_button.isVisible()  # 基层基础 tracks no cases
    opened: list[str] = []
    monkeypatch.setattr(printing, "preview", lambda _parent, path: opened.append(str(path)) or 0)
    for count, button in enumerate((screen.print_sheet_button, screen.print_bulletin_button), start=1):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda n=count: len(opened) == n or bool(modals.messages), timeout=20000)
    assert len(opened) == 2, modals.messages
    sheet, bulletin = (subprocess.run(["pdftotext", p, "-"], capture_output=True, text=True, check=True).stdout
                       for p in opened)
    assert "基层基础积分排名表" in sheet and "草稿" in sheet
    assert "通报" in bulletin and "城关警务室" in bulletin


def test_the_yearly_star_suggested_in_awards_is_the_case_scheme_leader(posts: Database) -> None:
    """The issue's complaint: 216 case points lost the suggestion to 36 case points and more duty."""
    from desktop.services import cases
    from desktop.ui.screens.awards_data import load_year

    with posts.transaction() as s:
        scheme_registry.install(s, SYSTEM, "zhifa", catalogue_from=dt.date(2026, 1, 1))
        for day in range(1, 29):
            ledger.record(s, SYSTEM, ledger.EntryInput([2], "ZB-01", dt.date(2026, 2, day)))  # 李四: duty
        for who, times in ((1, 9), (2, 2)):
            for n in range(times):
                [e] = ledger.record(s, SYSTEM, ledger.EntryInput([who], "ZF-01", dt.date(2026, 3, 2),
                                                                 case_no=f"{who}-{n}"))
                cases.review(s, SYSTEM, e.id, "confirmed")
    with posts.session() as s:
        view = load_year(s, 2026)
    lines = sorted((c for c in view.suggestions if c.title == "执法办案标兵"), key=lambda c: c.rank or 0)
    assert [(c.name, c.total, c.rank) for c in lines] == [("张三丰", 450, 1), ("李四", 100, 2)]  # top 3 per sequence
    assert "执法办案全年" in lines[0].basis
