"""The grade policy as a form: the levels table, the veto grade, who is not graded, the tie-break
order and the rules for longer periods. `build()` turns the widgets back into a validated
`Policy`; a wrong value raises `FormError` with a Chinese message naming the field."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.grade_policy import (
    MONTH_RULES,
    PERIOD_RULES,
    ROUNDING_LABELS,
    TIE_BREAK_LABELS,
    TIE_BREAKS,
    Policy,
    PolicyError,
    points_text,
)

HEADERS = ["代码", "名称", "最高比例\n%", "最低比例\n%", "分数线\n（分/月）", "取整方式", "满N人\n至少1人"]
CODE, LABEL, MAX, MIN, SCORE, ROUNDING, MIN_ONE = range(len(HEADERS))
ROUNDING_CHOICES: list[tuple[str | None, str]] = [(None, "默认"), *ROUNDING_LABELS.items()]
LEVEL_FIELDS = {"code": "代码", "label": "名称", "max_share": "最高比例", "min_share": "最低比例",
                "min_score": "分数线", "rounding": "取整方式", "min_one_from": "满N人至少1人"}
LEVEL_COLUMNS = {"code": CODE, "label": LABEL, "max_share": MAX, "min_share": MIN, "min_score": SCORE,
                 "rounding": ROUNDING, "min_one_from": MIN_ONE}
FIELDS = {"code": "方案代码", "name": "方案名称", "levels": "等次", "veto_grade": "一票否决等次",
          "min_active_share": "最低在岗比例", "tie_break": "并列时比较顺序", "period_rule": "较长周期评定方式",
          "month_rule": "月等次推定规则", "long_leave_days": "长期请假天数", "new_hire_months": "新入职月数"}
GREY = QColor("#eeeeee")


class FormError(ValueError):
    """A value in the form is wrong; `cell` (row, column) of the levels table, if it is there."""

    def __init__(self, message: str, cell: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.cell = cell


def field_label(path: str) -> tuple[str, tuple[int, int] | None]:
    """'levels[0].max_share' → ('第 1 个等次的“最高比例”', (0, MAX)); 'veto_grade' → ('“一票否决等次”', None)."""
    found = re.fullmatch(r"levels\[(\d+)\](?:\.(\w+))?", path)
    if found:
        row, sub = int(found.group(1)), found.group(2)
        if sub in LEVEL_FIELDS:
            return f"第 {row + 1} 个等次的“{LEVEL_FIELDS[sub]}”", (row, LEVEL_COLUMNS[sub])
        return f"第 {row + 1} 个等次", (row, CODE)
    return f"“{FIELDS.get(path, path)}”", None


def translate(exc: PolicyError) -> FormError:
    """The service names the JSON field; say it as the form does, keeping the field for reference."""
    text = str(exc)
    found = re.fullmatch(r"等次方案字段 (\S+?)：(.*)", text, flags=re.S)
    if not found:
        return FormError(text)
    label, cell = field_label(found.group(1))
    return FormError(f"{label}：{found.group(2)}（字段 {found.group(1)}）", cell)


def percent(share: Decimal | None) -> str:
    return "" if share is None else f"{(share * 100).normalize():f}"


def share_of(text: str, where: str, cell: tuple[int, int] | None = None) -> str | None:
    """'20' or '20%' → '0.2'; empty → None."""
    text = text.strip().rstrip("%％").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise FormError(f"{where}不是有效的数字：“{text}”", cell)
    if not 0 <= value <= 100:
        raise FormError(f"{where}应在 0 到 100 之间（单位 %），实际为 {text}", cell)
    return f"{(value / 100).normalize():f}"


class PolicyForm(QWidget):
    """Edits every field of a policy; `changed` fires on any edit (the last preview is then stale)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._policy: Policy | None = None
        self._loading = False
        self._editable = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._levels_box())
        row = QHBoxLayout()
        row.addWidget(self._exclusions_box(), 1)
        row.addWidget(self._ties_box(), 1)
        layout.addLayout(row)
        layout.addWidget(self._rules_box())

    # -- layout --------------------------------------------------------------------------------
    def _levels_box(self) -> QGroupBox:
        box = QGroupBox("等次（从高到低；最后一个等次收容其余人员）")
        inner = QVBoxLayout(box)
        names = QHBoxLayout()
        names.addWidget(_label("方案名称"))
        self.name = QLineEdit(objectName="policyName", maxLength=100)
        names.addWidget(self.name, 1)
        names.addSpacing(12)
        names.addWidget(_label("一票否决等次"))
        self.veto = QComboBox(objectName="vetoGrade", toolTip="受一票否决的人员直接定为此等次")
        names.addWidget(self.veto)
        inner.addLayout(names)
        self.levels = QTableWidget(0, len(HEADERS))
        self.levels.setObjectName("levelsTable")
        self.levels.setHorizontalHeaderLabels(HEADERS)
        self.levels.verticalHeader().setVisible(False)
        self.levels.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.levels.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.levels.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ROUNDING, QHeaderView.ResizeMode.ResizeToContents)
        self.levels.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        tips = {MAX: "本组人数 × 该比例，默认向下取整，为至多人数", MIN: "仅最后一个等次：至少人数，默认向上取整",
                SCORE: "每月须达到的总分；较长周期按月数放大", ROUNDING: "默认：最高比例向下取整，最低比例向上取整",
                MIN_ONE: "本组满此人数时，名额至少 1 人（小组也能有该等次）"}
        for column, tip in tips.items():
            self.levels.horizontalHeaderItem(column).setToolTip(tip)
        self.levels.itemChanged.connect(self._level_edited)
        inner.addWidget(self.levels)
        buttons = QHBoxLayout()
        self.add_level = QPushButton("增加等次")
        self.add_level.setToolTip("在最后一个等次之前增加一个等次")
        self.remove_level = QPushButton("删除所选等次")
        buttons.addWidget(_label("比例填百分数，如 20 表示 20%；留空表示不限。"), 1)
        for button, slot in ((self.add_level, self._add_level), (self.remove_level, self._remove_level)):
            button.clicked.connect(slot)
            buttons.addWidget(button)
        inner.addLayout(buttons)
        return box

    def _exclusions_box(self) -> QGroupBox:
        box = QGroupBox("不参与排名")
        form = QFormLayout(box)
        self.exclude_heads = QCheckBox("一把手不参与排名", objectName="excludeHeads")
        self.min_active = QDoubleSpinBox(objectName="minActiveShare", decimals=1, minimum=0, maximum=100,
                                         suffix=" %", toolTip="在岗天数不到本期天数的这一比例，不参与排名")
        self.leave_days = _edit("longLeaveDays", "每月请假超过这么多天（较长周期按月数放大），不参与排名")
        self.new_hire = _edit("newHireMonths", "入职未满这么多个月，不参与排名")
        form.addRow(self.exclude_heads)
        form.addRow("最低在岗比例", self.min_active)
        form.addRow("长期请假（天/月）", self.leave_days)
        form.addRow("新入职前（个月）", self.new_hire)
        return box

    def _ties_box(self) -> QGroupBox:
        box = QGroupBox("总分相同时依次比较")
        grid = QGridLayout(box)
        self.ties = QListWidget()
        self.ties.setObjectName("tieBreaks")
        self.ties.setToolTip("勾选的规则按从上到下的顺序比较；仍相同者完全并列，同等次，不抽签")
        self.ties.setFixedHeight(self.fontMetrics().height() * 3 + 24)
        self.ties.itemChanged.connect(lambda _item: self._edited())
        self.tie_up, self.tie_down = QPushButton("上移"), QPushButton("下移")
        self.tie_up.clicked.connect(lambda: self._move_tie(-1))
        self.tie_down.clicked.connect(lambda: self._move_tie(1))
        grid.addWidget(self.ties, 0, 0, 3, 1)
        grid.addWidget(self.tie_up, 0, 1)
        grid.addWidget(self.tie_down, 1, 1)
        grid.setRowStretch(2, 1)
        return box

    def _rules_box(self) -> QGroupBox:
        box = QGroupBox("季度、半年、年度")
        form = QFormLayout(box)
        self.period_rule = _combo(list(PERIOD_RULES.items()))
        self.period_rule.setObjectName("periodRule")
        self.month_rule = _combo(list(MONTH_RULES.items()))
        self.month_rule.setObjectName("monthRule")
        self.over_quota = QCheckBox("允许所长调整等次时突破比例（在评定表上注明）", objectName="allowOverQuota")
        form.addRow("较长周期评定方式", self.period_rule)
        form.addRow("月等次推定规则", self.month_rule)
        form.addRow(self.over_quota)
        self.period_rule.currentIndexChanged.connect(self._rule_changed)
        for signal in (self.name.textEdited, self.veto.currentIndexChanged, self.exclude_heads.toggled,
                       self.min_active.valueChanged, self.leave_days.textEdited, self.new_hire.textEdited,
                       self.month_rule.currentIndexChanged, self.over_quota.toggled):
            signal.connect(self._edited)
        return box

    # -- loading -------------------------------------------------------------------------------
    def load(self, policy: Policy) -> None:
        self._loading = True
        self._policy = policy
        self.name.setText(policy.name)
        self.levels.setRowCount(0)
        for lv in policy.levels:
            self._insert_level(self.levels.rowCount(), [
                lv.code, lv.label, percent(lv.max_share), percent(lv.min_share),
                "" if lv.min_score is None else points_text(lv.min_score),
                "" if lv.min_one_from is None else str(lv.min_one_from)], lv.rounding)
        self._shade()
        self._fill_veto(policy.veto_grade)
        self.exclude_heads.setChecked(policy.exclude_heads)
        self.min_active.setValue(float(policy.min_active_share * 100))
        self.leave_days.setText("" if policy.long_leave_days is None else str(policy.long_leave_days))
        self.new_hire.setText("" if policy.new_hire_months is None else str(policy.new_hire_months))
        self.ties.clear()
        for key in [*policy.tie_break, *(t for t in TIE_BREAKS if t not in policy.tie_break)]:
            item = QListWidgetItem(TIE_BREAK_LABELS[key])
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if key in policy.tie_break else Qt.CheckState.Unchecked)
            self.ties.addItem(item)
        self.period_rule.setCurrentIndex(self.period_rule.findData(policy.period_rule))
        self.month_rule.setCurrentIndex(self.month_rule.findData(policy.month_rule))
        self.over_quota.setChecked(policy.allow_over_quota)
        self._rule_changed()
        self._loading = False

    def _insert_level(self, row: int, texts: list[str], rounding: str | None) -> None:
        self.levels.blockSignals(True)
        self.levels.insertRow(row)
        for column, text in zip((CODE, LABEL, MAX, MIN, SCORE, MIN_ONE), texts, strict=True):
            item = QTableWidgetItem(text)
            if column != LABEL:
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.levels.setItem(row, column, item)
        box = _combo(ROUNDING_CHOICES, rounding)
        box.setEnabled(self._editable)
        box.currentIndexChanged.connect(self._edited)
        self.levels.setCellWidget(row, ROUNDING, box)
        self.levels.blockSignals(False)

    def _fit_height(self) -> None:
        """As tall as its levels and one empty row: no scrolling, no blank half-table."""
        view = self.levels
        view.setFixedHeight(view.horizontalHeader().sizeHint().height() + 2 * view.frameWidth() + 2
                            + (view.rowCount() + 1) * view.verticalHeader().defaultSectionSize())

    def _shade(self) -> None:
        """Only the last level may have a minimum share; it cannot have a maximum or a threshold."""
        self.levels.blockSignals(True)
        self._fit_height()
        last = self.levels.rowCount() - 1
        for row in range(self.levels.rowCount()):
            for column in (MAX, MIN, SCORE):
                item = self.levels.item(row, column)
                usable = (column == MIN) == (row == last)
                if not usable:
                    item.setText("")
                flags = item.flags() | Qt.ItemFlag.ItemIsEditable
                item.setFlags(flags if usable else flags & ~Qt.ItemFlag.ItemIsEditable)
                item.setBackground(QBrush() if usable else QBrush(GREY))
                item.setToolTip("" if usable else ("仅最后一个等次可设" if column == MIN else "最后一个等次不设此项"))
        self.levels.blockSignals(False)

    def _fill_veto(self, current: str | None) -> None:
        self.veto.blockSignals(True)
        self.veto.clear()
        for row in range(self.levels.rowCount()):
            code, label = self.levels.item(row, CODE).text().strip(), self.levels.item(row, LABEL).text().strip()
            if code:
                self.veto.addItem(label or code, code)
        index = self.veto.findData(current)
        self.veto.setCurrentIndex(index if index >= 0 else self.veto.count() - 1)
        self.veto.blockSignals(False)

    # -- editing -------------------------------------------------------------------------------
    def _edited(self, *_args: object) -> None:
        if not self._loading:
            self.changed.emit()

    def _level_edited(self, item: QTableWidgetItem) -> None:
        if item.column() in (CODE, LABEL):
            self._fill_veto(self.veto.currentData())
        self._edited()

    def _add_level(self) -> None:
        row = max(0, self.levels.rowCount() - 1)
        self._insert_level(row, ["", "", "", "", "", ""], None)
        self._shade()
        self.levels.setCurrentCell(row, CODE)
        self._edited()

    def _remove_level(self) -> None:
        row = self.levels.currentRow()
        if 0 <= row < self.levels.rowCount() and self.levels.rowCount() > 2:
            self.levels.removeRow(row)
            self._shade()
            self._fill_veto(self.veto.currentData())
            self._edited()

    def _move_tie(self, step: int) -> None:
        row = self.ties.currentRow()
        if 0 <= row and 0 <= row + step < self.ties.count():
            item = self.ties.takeItem(row)
            self.ties.insertItem(row + step, item)
            self.ties.setCurrentRow(row + step)
            self._edited()

    def _rule_changed(self) -> None:
        self.month_rule.setEnabled(self._editable and self.period_rule.currentData() == "from_months")
        self._edited()

    def set_editable(self, on: bool) -> None:
        self._editable = on
        for widget in (self.name, self.veto, self.exclude_heads, self.min_active, self.leave_days, self.new_hire,
                       self.ties, self.tie_up, self.tie_down, self.period_rule, self.over_quota, self.add_level,
                       self.remove_level):
            widget.setEnabled(on)
        self.month_rule.setEnabled(on and self.period_rule.currentData() == "from_months")
        self.levels.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers if on
                                    else QAbstractItemView.EditTrigger.NoEditTriggers)
        for row in range(self.levels.rowCount()):
            self.levels.cellWidget(row, ROUNDING).setEnabled(on)

    # -- building ------------------------------------------------------------------------------
    def tie_order(self) -> list[str]:
        return [self.ties.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.ties.count())
                if self.ties.item(i).checkState() == Qt.CheckState.Checked]

    def build(self) -> Policy:
        """The policy the form shows, validated; FormError names the wrong field in Chinese."""
        if self._policy is None:
            raise FormError("尚未读取等次政策")
        levels: list[dict[str, Any]] = []
        for row in range(self.levels.rowCount()):
            text = {c: self.levels.item(row, c).text().strip() for c in (CODE, LABEL, MAX, MIN, SCORE, MIN_ONE)}
            where = f"第 {row + 1} 个等次（{text[LABEL] or text[CODE] or '未命名'}）的"
            rounding = self.levels.cellWidget(row, ROUNDING)
            assert isinstance(rounding, QComboBox)
            level: dict[str, Any] = {"code": text[CODE], "label": text[LABEL] or text[CODE],
                                     "max_share": share_of(text[MAX], where + "“最高比例”", (row, MAX)),
                                     "min_share": share_of(text[MIN], where + "“最低比例”", (row, MIN)),
                                     "min_score": text[SCORE] or None, "rounding": rounding.currentData(),
                                     "min_one_from": text[MIN_ONE] or None}
            levels.append({k: v for k, v in level.items() if v is not None})
        data = self._policy.to_dict() | {
            "name": self.name.text().strip(), "levels": levels,
            "veto_grade": self.veto.currentData() or "",
            "exclude_heads": self.exclude_heads.isChecked(),
            "min_active_share": f"{(Decimal(f'{self.min_active.value():.1f}') / 100).normalize():f}",
            "long_leave_days": self.leave_days.text().strip() or None,
            "new_hire_months": self.new_hire.text().strip() or None,
            "tie_break": self.tie_order(), "period_rule": self.period_rule.currentData(),
            "month_rule": self.month_rule.currentData(), "allow_over_quota": self.over_quota.isChecked(),
        }
        try:
            return Policy.from_json(data)
        except PolicyError as exc:
            raise translate(exc) from exc


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("color:#444;")
    return label


def _edit(name: str, tip: str) -> QLineEdit:
    return QLineEdit(objectName=name, placeholderText="留空＝不限", toolTip=tip)


def _combo(pairs: list[tuple[Any, str]], current: Any = None) -> QComboBox:
    box = QComboBox()
    for value, text in pairs:
        box.addItem(text, value)
        box.setItemData(box.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
    index = box.findData(current)
    box.setCurrentIndex(index if index >= 0 else 0)
    return box
