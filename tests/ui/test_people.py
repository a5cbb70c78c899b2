"""The people screen: a clerk adds and edits people and sets a photo; an officer only looks."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage
from sqlalchemy import select

from desktop.models.people import Person
from desktop.ui.screens.people import PeopleScreen
from desktop.ui.widgets.person_dialog import PersonDialog


def _screen(qtbot, ctx) -> PeopleScreen:
    screen = PeopleScreen(ctx)
    qtbot.addWidget(screen)
    screen.show()
    screen.refresh()
    return screen


def test_add_person_through_the_dialog(qtbot, station_ctx_for, station_db, modals):
    screen = _screen(qtbot, station_ctx_for("clerk"))
    assert screen.model.rowCount() == 3
    tries = []

    def fill(dialog: PersonDialog) -> int:
        qtbot.keyClicks(dialog.badge, "150002")  # taken by 李四: the service refuses, the dialog stays
        dialog.name.setText("赵六")
        dialog.accept()
        tries.append(dialog.result())
        dialog.badge.setText("150009")
        dialog.accept()
        return dialog.result()

    modals.on_dialog = fill
    qtbot.mouseClick(screen.add_button, Qt.MouseButton.LeftButton)
    assert tries == [0] and "已属于 李四" in modals.texts_of("warning")[0]
    with station_db.session() as s:
        person = s.scalar(select(Person).where(Person.badge == "150009"))
        assert person is not None and person.name == "赵六"
    assert screen.model.rowCount() == 4 and screen.current().name == "赵六"

    def rename(dialog: PersonDialog) -> int:
        dialog.position.setText("社区民警")
        dialog.accept()
        return dialog.result()

    modals.on_dialog = rename
    qtbot.mouseClick(screen.edit_button, Qt.MouseButton.LeftButton)
    with station_db.session() as s:
        assert s.scalar(select(Person.position).where(Person.badge == "150009")) == "社区民警"


def test_photo(qtbot, station_ctx_for, station_db, modals, tmp_path):
    screen = _screen(qtbot, station_ctx_for("clerk"))
    screen.view.selectRow(0)
    image = QImage(60, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("steelblue"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    path = tmp_path / "photo.png"
    path.write_bytes(bytes(data))
    modals.files.append([str(path)])
    qtbot.mouseClick(screen.photo_button, Qt.MouseButton.LeftButton)
    with station_db.session() as s:
        assert s.scalar(select(Person.photo_mime).where(Person.badge == "150001")) == "image/png"
    assert screen.photo.pixmap() is not None and not screen.photo.pixmap().isNull()


def test_pinyin_filter_and_officer_view(qtbot, station_ctx_for):
    screen = _screen(qtbot, station_ctx_for("officer"))
    assert not screen.add_button.isVisible() and not screen.edit_button.isVisible()
    qtbot.keyClicks(screen.text, "zsf")
    assert [r.name for r in screen.model.rows()] == ["张三丰"]


def test_a_change_that_reaches_into_recorded_months_asks_first(qtbot, station_ctx_for, station_db, modals):
    """An earlier 离岗日期 drops entries: the clerk is told which, and 否 keeps the person as he was;
    the 身份证号 typed in the same dialog is kept, shown masked."""
    import datetime as dt

    from desktop.services import ledger
    from tests.services.builders import SYSTEM, entry_input

    with station_db.transaction() as s:
        li = s.scalar(select(Person).where(Person.badge == "150002"))
        ledger.record(s, SYSTEM, entry_input(li, "ZB-01", dt.date(2026, 3, 20)))
    screen = _screen(qtbot, station_ctx_for("clerk"))
    screen.select(li.id)

    def leave_early(dialog: PersonDialog) -> int:
        dialog.active_to.set_value(dt.date(2026, 3, 10))
        dialog.id_number.setText("15030219850612013X")
        dialog.accept()
        return dialog.result()

    modals.on_dialog = leave_early
    modals.question_answer = modals.question_answer.No
    qtbot.mouseClick(screen.edit_button, Qt.MouseButton.LeftButton)
    asked = modals.texts_of("question")[-1]
    assert "离岗日期为2026年3月10日：此人在这之后还有 1 条积分记录（2026年3月20日至2026年3月20日）" in asked
    with station_db.session() as s:
        assert s.get(Person, li.id).active_to is None  # 否: nothing saved

    modals.question_answer = modals.question_answer.Yes
    qtbot.mouseClick(screen.edit_button, Qt.MouseButton.LeftButton)
    with station_db.session() as s:
        saved = s.get(Person, li.id)
        assert saved.active_to == dt.date(2026, 3, 10) and saved.id_number == "15030219850612013X"
    dialog = PersonDialog([(saved.department_id, "x")], [], None, saved)
    assert dialog.id_number.text() == "" and dialog.id_number.placeholderText() == "已登记 150302********013X，留空不变"


def test_a_department_move_takes_its_date_in_the_dialog(qtbot, station_ctx_for, station_db, modals):
    """The date field wakes only when the department is changed; the question names the date and
    the month from which the new department ranks; the dialog shows the move afterwards."""
    import datetime as dt

    from desktop.models.people import DepartmentMove
    from tests import factories

    with station_db.transaction() as s:
        factories.department(s, "社区中队")
        wang = s.scalar(select(Person).where(Person.badge == "150003"))
    screen = _screen(qtbot, station_ctx_for("clerk"))
    screen.select(wang.id)
    states = []

    def move(dialog: PersonDialog) -> int:
        states.append(dialog.moved_on.isEnabled())
        dialog.department.setCurrentIndex(dialog.department.findText("社区中队"))
        states.append(dialog.moved_on.isEnabled())
        qtbot.mouseClick(dialog.moved_on.check, Qt.MouseButton.LeftButton)
        dialog.moved_on.edit.setDate(dt.date(2026, 11, 16))
        dialog.accept()
        return dialog.result()

    modals.on_dialog = move
    modals.question_answer = modals.question_answer.Yes
    qtbot.mouseClick(screen.edit_button, Qt.MouseButton.LeftButton)
    assert states == [False, True]
    asked = modals.texts_of("question")[-1]
    assert "部门由“治安中队”改为“社区中队”，自2026年11月16日起生效" in asked
    assert "2026年11月（调动当月，以月末所在部门为准）起按“社区中队”排名和评定" in asked
    with station_db.session() as s:
        (row,) = s.scalars(select(DepartmentMove)).all()
        assert row.effective_on == dt.date(2026, 11, 16) and s.get(Person, wang.id).department.name == "社区中队"
    shown = []

    def look(dialog: PersonDialog) -> int:
        from PySide6.QtWidgets import QLabel

        shown.append(dialog.findChild(QLabel, "moveHistory").text())
        return 0

    modals.on_dialog = look
    qtbot.mouseClick(screen.edit_button, Qt.MouseButton.LeftButton)
    assert shown[-1] == "2026年11月16日起由“治安中队”调入“社区中队”"
