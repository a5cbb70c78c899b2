"""The diary screen driven as a clerk would: pinyin search, mass entry, undo, reversal."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from desktop.models.ledger import Entry
from desktop.ui.screens.diary import DiaryScreen

DAY = dt.date(2026, 11, 20)


def _screen(qtbot, ctx) -> DiaryScreen:
    screen = DiaryScreen(ctx)
    qtbot.addWidget(screen)
    with qtbot.waitActive(screen):
        screen.show()
        screen.activateWindow()
    screen.refresh()
    screen.form.set_day(DAY)
    return screen


def _type_person(qtbot, screen: DiaryScreen, text: str) -> None:
    edit = screen.form.people.search.edit
    edit.setFocus()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def _entries(db, **where) -> list[Entry]:
    with db.session() as s:
        return list(s.scalars(select(Entry).filter_by(**where).order_by(Entry.id)))


def test_pinyin_search_and_mass_entry(qtbot, station_ctx_for, station_db):
    demo_db = station_db
    screen = _screen(qtbot, station_ctx_for("clerk", period="2026-11"))
    _type_person(qtbot, screen, "zsf")
    assert [screen.form.people.chips.item(0).text().split()[0]] == ["张三丰"]
    _type_person(qtbot, screen, "150002")  # a badge picks that person (李四)
    assert len(screen.form.people.selected_ids()) == 2
    qtbot.keyClick(screen.form.people.search.edit, Qt.Key.Key_Return)  # empty: on to the item
    assert screen.form.item.search.edit.hasFocus()
    qtbot.keyClicks(screen.form.item.search.edit, "FW-02")
    qtbot.keyClick(screen.form.item.search.edit, Qt.Key.Key_Return)
    assert screen.form.item.code() == "FW-02"
    assert screen.form.quantity.hasFocus()
    screen.form.note.setText("窗口服务受表扬")  # QTest types ASCII only; an IME would type this
    qtbot.keyClick(screen.form.note, Qt.Key.Key_Return)

    saved = _entries(demo_db, occurred_on=DAY, item_code="FW-02")
    assert len(saved) == 2
    assert saved[0].batch_uuid and saved[0].batch_uuid == saved[1].batch_uuid
    assert {e.note for e in saved} == {"窗口服务受表扬"}
    # cleared for the next one, the date kept
    assert screen.form.people.selected_ids() == [] and screen.form.item.code() is None
    assert screen.form.day() == DAY
    assert screen.form.people.search.edit.hasFocus()

    # undo reverses (never deletes), redo records again
    qtbot.mouseClick(screen.undo_button, Qt.MouseButton.LeftButton)
    reversals = _entries(demo_db, occurred_on=DAY, source="reversal")
    assert len(reversals) == 2 and all(r.note == "作废：撤销录入" for r in reversals)
    qtbot.mouseClick(screen.redo_button, Qt.MouseButton.LeftButton)
    assert len(_entries(demo_db, occurred_on=DAY, item_code="FW-02", source="manual")) == 4


def test_range_item_bounded_and_evidence_required(qtbot, station_ctx_for, station_db, modals, tmp_path):
    demo_db = station_db
    screen = _screen(qtbot, station_ctx_for("clerk", period="2026-11"))
    screen.form.item.choose("RC-09")  # 2–5 points, evidence required
    assert (screen.form.points.minimum(), screen.form.points.maximum()) == (2.0, 5.0)
    screen.form.points.setValue(9)
    assert screen.form.points.value() == 5.0
    _type_person(qtbot, screen, "zsf")
    screen.save()
    assert "证明材料" in modals.last
    scan = tmp_path / "获奖证书.pdf"
    scan.write_bytes(b"%PDF-1.4 test")
    screen.form.evidence.add_paths([str(scan)])
    screen.save()
    [entry] = _entries(demo_db, occurred_on=DAY, item_code="RC-09")
    assert entry.points_tenths == 50
    with demo_db.session() as s:
        assert s.get(Entry, entry.id).evidence[0].filename == "获奖证书.pdf"


def test_reverse_selected_asks_reason(qtbot, station_ctx_for, station_db, modals):
    demo_db = station_db
    ctx = station_ctx_for("clerk", period="2026-11")
    screen = _screen(qtbot, ctx)
    _type_person(qtbot, screen, "zsf")
    screen.form.item.choose("FW-02")
    screen.save()
    screen.refresh()
    assert screen.entries.model.rowCount() == 1
    screen.entries.view.selectRow(0)
    modals.texts.append("录错人员")
    qtbot.mouseClick(screen.reverse_button, Qt.MouseButton.LeftButton)
    [rev] = _entries(demo_db, occurred_on=DAY, source="reversal")
    assert rev.note == "作废：录错人员"


def test_locked_month_write_shows_message_and_changes_nothing(qtbot, ctx_for, demo_db, modals):
    screen = _screen(qtbot, ctx_for("neiqin", period="2026-01"))
    screen.form.set_day(dt.date(2026, 1, 15))
    with demo_db.session() as s:
        before = s.scalar(select(func.count(Entry.id)))
    _type_person(qtbot, screen, "150201")
    screen.form.item.choose("FW-02")
    screen.save()
    assert "已锁定" in modals.last
    with demo_db.session() as s:
        assert s.scalar(select(func.count(Entry.id))) == before


def test_officer_cannot_record(qtbot, ctx_for, modals):
    screen = _screen(qtbot, ctx_for("minjing"))
    assert not screen.form.isVisible() and not screen.reverse_button.isVisible()
    screen.save()
    assert "无权" in modals.last


def test_evidence_by_drag_and_drop(qtbot, station_ctx_for, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    screen = _screen(qtbot, station_ctx_for("clerk", period="2026-11"))
    scan = tmp_path / "感谢信.jpg"
    scan.write_bytes(b"\xff\xd8\xff")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(scan))])
    drop = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    screen.form.evidence.list.dropEvent(drop)
    assert screen.form.evidence.paths() == [str(scan)]


def test_a_whole_department_is_picked_at_once_and_one_member_taken_out(qtbot, ctx_for, demo_db):
    """“综合室” (typed as its initials) offers 【整个部门】: Enter adds all its people on duty that
    day; one is removed again (click, Delete); 【全所】 adds everyone else; the save records one
    entry per chosen person."""
    from desktop.services import queries

    screen = _screen(qtbot, ctx_for("neiqin", period="2026-03"))
    day = dt.date(2026, 3, 20)
    screen.form.set_day(day)
    people = screen.form.people
    with demo_db.session() as s:
        on_duty = queries.people_rows(s, active_on=day)
    office = [p.id for p in on_duty if p.department == "综合室"]
    assert len(office) > 1
    edit = people.search.edit
    edit.setFocus()
    qtbot.keyClicks(edit, "zhs")
    assert people.search.list.currentItem().text().startswith("【整个部门】综合室")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert people.selected_ids() == office
    assert f"刚加入整个综合室 {len(office)} 人" in people.count_label.text()
    first = people.chips.item(0)
    qtbot.mouseClick(people.chips.viewport(), Qt.MouseButton.LeftButton,
                     pos=people.chips.visualItemRect(first).center())
    qtbot.keyClick(people.chips, Qt.Key.Key_Delete)
    assert people.selected_ids() == office[1:]
    qtbot.keyClicks(edit, "qs")  # 全所
    assert people.search.list.currentItem().text().startswith("【全所】")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert sorted(people.selected_ids()) == sorted(p.id for p in on_duty)
    assert f"其中 {len(office) - 1} 人原已选" in people.count_label.text()
    screen.form.item.choose("FW-02")
    screen.form.note.setText("全所集中学习")
    qtbot.mouseClick(screen.form.save_button, Qt.MouseButton.LeftButton)
    assert "已保存" in screen.form.message.text()
    saved = _entries(demo_db, occurred_on=day, item_code="FW-02", note="全所集中学习")
    assert sorted(e.person_id for e in saved) == sorted(p.id for p in on_duty)
