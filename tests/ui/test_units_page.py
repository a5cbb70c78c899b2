"""设置 → 积分制 and 考核单位: a preset scheme started, a 警务室 and a 党支部 added, a head and a
member put in and one leaving, all through the forms a clerk fills; a bad form keeps the dialog."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QDialog, QFormLayout, QLineEdit

from desktop.models.db import Database
from desktop.services import scheme_registry, units
from desktop.ui.widgets.forms import FormDialog
from desktop.ui.widgets.units_page import SchemesPage, UnitsPage
from tests.ui.test_review import type_chinese

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def filler(values: dict[str, object], outcomes: list[int]):  # type: ignore[no-untyped-def]
    """Fill a FormDialog's rows by their labels, press 确定, record whether it closed."""
    def fill(dialog: QDialog) -> int:
        assert isinstance(dialog, FormDialog)
        form = dialog.form
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget().text()
            widget = form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()
            if label not in values:
                continue
            value = values[label]
            if isinstance(widget, QLineEdit):
                type_chinese(widget, str(value))
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(widget.findData(value))
            elif isinstance(widget, QDateEdit):
                widget.setDate(QDate(value.year, value.month, value.day))  # type: ignore[attr-defined]
        dialog.accept()
        outcomes.append(dialog.result())
        return dialog.result()
    return fill


def test_a_clerk_sets_up_a_post_and_a_branch_with_their_people(qtbot, station_db: Database, station_ctx_for,
                                                               modals) -> None:  # type: ignore[no-untyped-def]
    admin = station_ctx_for("admin")
    schemes = SchemesPage(admin)
    qtbot.addWidget(schemes)
    schemes.refresh()
    assert schemes.view.rowCount() == 1 and schemes.view.item(0, 1).text() == "个人积分"
    outcomes: list[int] = []
    modals.on_dialog = filler({"积分制": "jiceng", "细则生效日期": dt.date(2026, 1, 1)}, outcomes)
    schemes.install_button.click()
    assert outcomes == [1] and schemes.view.rowCount() == 2
    assert schemes.view.item(1, 3).text() == "+基础分 +加分项 −扣分项"

    page = UnitsPage(station_ctx_for("clerk"))
    qtbot.addWidget(page)
    page.refresh()
    modals.on_dialog = filler({"代码": "JWS-01", "名称": "城关警务室", "类型": "post"}, outcomes)
    page.add_button.click()
    assert outcomes[-1] == 0 and "须有类别" in modals.last  # no class chosen: the form stays open
    modals.on_dialog = filler({"代码": "JWS-01", "名称": "城关警务室", "类型": "post", "警务室类别": 1}, outcomes)
    page.add_button.click()
    modals.on_dialog = filler({"代码": "DZB-01", "名称": "第一党支部", "类型": "branch"}, outcomes)
    page.add_button.click()
    assert outcomes[-2:] == [1, 1] and sorted(page.codes) == ["DZB-01", "JWS-01"]
    page.view.selectRow(page.codes.index("DZB-01"))
    modals.on_dialog = filler({"警号": "150001", "角色": "head", "起始日期": dt.date(2026, 1, 1)}, outcomes)
    page.member_button.click()
    modals.on_dialog = filler({"警号": "150002", "起始日期": dt.date(2026, 1, 1)}, outcomes)
    page.member_button.click()
    page.view.selectRow(page.codes.index("DZB-01"))
    assert page.members.rowCount() == 2 and page.members.item(0, 2).text() == "负责人"
    page.members.selectRow(1)
    modals.on_dialog = filler({"最后一天": dt.date(2026, 5, 31)}, outcomes)
    page.end_button.click()
    with station_db.session() as s:
        branch = units.unit_by_code(s, "DZB-01")
        assert [p.badge for p in units.members_on(s, branch, dt.date(2026, 6, 1))] == ["150001"]
        assert units.unit_by_code(s, "JWS-01").post_class == 1
        assert [x.code for x in scheme_registry.active(s)] == ["person", "jiceng"]


def test_a_stations_own_scheme_is_added_from_its_definition_file(qtbot, station_db: Database, station_ctx_for,
                                                                  modals, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from tests.cli.test_cli_scheme_add import DEFINITION

    bad = tmp_path / "坏的.json"
    bad.write_text(json.dumps(DEFINITION | {"subject": "team"}, ensure_ascii=False), encoding="utf-8")
    good = tmp_path / "行政案件.json"
    good.write_text(json.dumps(DEFINITION, ensure_ascii=False), encoding="utf-8")
    page = SchemesPage(station_ctx_for("admin"))
    qtbot.addWidget(page)
    page.refresh()
    outcomes: list[int] = []
    modals.on_dialog = filler({"细则生效日期": dt.date(2026, 1, 1)}, outcomes)
    modals.files.append([str(bad)])
    page.add_button.click()
    assert outcomes == [0] and "考核对象“team”不对" in modals.last  # the dialog stays open with the reason
    modals.files.append([str(good)])
    page.add_button.click()
    assert outcomes == [0, 1] and page.view.rowCount() == 2 and page.view.item(1, 1).text() == "行政案件办理"
