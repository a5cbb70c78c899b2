"""设置 → 等次政策: choose a preset, or edit the policy in force, preview who would change
grade in the month it takes effect, and save it as a new version from that month.

Saving needs a preview of exactly what is saved (otherwise the preview is shown and the user
confirms); the service checks the role and the locked months again and writes the audit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desktop.services import policies
from desktop.services.grade_policy import Policy, share_text
from desktop.services.periods import find_period, month_of, transient
from desktop.services.points import fmt
from desktop.services.roster import get_station
from desktop.services.text import cn_month
from desktop.ui.context import AppContext
from desktop.ui.widgets.entry_list import pydate, qdate
from desktop.ui.widgets.policy_form import FormError, PolicyForm
from desktop.ui.widgets.settings_pages import fill, table

READ_ONLY_NOTE = "只有所长/教导员或管理员可以修改等次政策；这里仅供查看。"


@dataclass(frozen=True)
class Loaded:
    """What the page reads in one session: the policy being edited, the versions, the presets."""

    policy: Policy | None  # None: the station has not chosen a policy yet
    since: dt.date
    earliest: dt.date
    history: list[list[str]]
    presets: list[tuple[str, str, str]]  # code, name, description text
    current_preset: str | None


def month_text(day: dt.date) -> str:
    return "最初" if day <= policies.FROM_START else cn_month(day)


def describe(policy: Policy) -> str:
    lines = [policy.description or policy.name, ""]
    for level in policy.levels:
        rules = []
        if level.max_share is not None:
            rules.append(f"不超过 {share_text(level.max_share)}")
        if level.min_share is not None:
            rules.append(f"至少 {share_text(level.min_share)}")
        if level.min_score is not None:
            rules.append(f"须达到 {fmt(level.min_score)} 分")
        lines.append(f"{level.label}：{'，'.join(rules) or '其余人员'}")
    return "\n".join(lines)


def load(session: Session) -> Loaded:
    versions = policies.versions(session)
    latest = versions[-1] if versions else None  # the newest version: edits continue from it
    rows = policies.list_policies(session)
    current = get_station(session).grade_policy_id
    chosen = next((r for r in rows if r.id == current), None)
    source = latest.definition if latest else chosen.definition if chosen else None
    policy = Policy.from_json(source) if source else None
    return Loaded(
        policy=policy, since=latest.effective_from if latest else policies.FROM_START,
        earliest=policies.first_open_month(session),
        history=[[month_text(v.effective_from), v.name, v.reason] for v in reversed(versions)],
        presets=[(r.code, r.name + ("（当前）" if r.id == current else ""), describe(Policy.from_json(r.definition)))
                 for r in rows],
        current_preset=chosen.code if chosen else None,
    )


def preview_rows(session: Session, policy: Policy, month: dt.date) -> list[list[str]]:
    """Who would change grade in `month`: 警号, 姓名, 部门, 原等次 → 新等次."""
    spec = month_of(month)
    period = find_period(session, spec.code) or transient(spec)
    old = policies.policy_for(session, period)
    return [[c.badge, c.name, c.department, f"{old.label_of(c.before) or '—'} → {policy.label_of(c.after) or '—'}"]
            for c in policies.preview(session, policy, period)]


class PolicyPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today or dt.date.today()
        self.editable = ctx.can("policy.edit")
        self.loaded: Loaded | None = None
        self.previewed: tuple[str, dt.date] | None = None  # what the shown preview was made of
        self.dirty = False  # edited since the policy was read
        self.form = PolicyForm()
        self.form.changed.connect(self._stale)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 4, 0)
        column.setSpacing(4)
        self.note = QLabel(READ_ONLY_NOTE)
        self.note.setObjectName("readOnlyNote")
        self.note.setStyleSheet("color:#8a5a00; font-weight:bold;")
        self.note.setVisible(not self.editable)
        column.addWidget(self.note)
        self.since_label = QLabel()
        self.since_label.setObjectName("policySince")
        self.since_label.setWordWrap(True)
        column.addWidget(self.since_label)
        column.addWidget(self.form)
        self.save_bar = QWidget()
        self.save_bar.setLayout(self._save_bar())
        self.save_bar.layout().setContentsMargins(0, 0, 0, 0)
        self.save_bar.setVisible(self.editable)  # reading only: nothing to preview or save
        column.addWidget(self.save_bar)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QHBoxLayout(self)
        layout.addWidget(scroll, 3)
        layout.addLayout(self._side(), 2)
        self.form.set_editable(self.editable)
        for widget in (self.month, self.reason, self.preview_button, self.save_button):
            widget.setEnabled(self.editable)

    # -- layout --------------------------------------------------------------------------------
    def _save_bar(self) -> QVBoxLayout:
        bar = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(QLabel("生效月份"))
        self.month = QDateEdit()
        self.month.setObjectName("effectiveMonth")
        self.month.setDisplayFormat("yyyy年M月")
        self.month.setCurrentSection(QDateEdit.Section.MonthSection)
        self.month.dateChanged.connect(self._stale)
        row.addWidget(self.month)
        row.addSpacing(8)
        row.addWidget(QLabel("修改说明"))
        self.reason = QLineEdit()
        self.reason.setObjectName("policyReason")
        self.reason.setMaxLength(500)
        self.reason.setPlaceholderText("例如：经所务会研究，A类比例调整为30%")
        row.addWidget(self.reason, 1)
        self.preview_button = QPushButton("预览")
        self.preview_button.setObjectName("previewPolicyButton")
        self.preview_button.setToolTip("按生效月份的积分，列出谁的等次会因此改变（不保存）")
        self.preview_button.clicked.connect(self.preview)
        self.save_button = QPushButton("保存")
        self.save_button.setObjectName("savePolicyButton")
        self.save_button.setToolTip("保存为新版本，自生效月份起执行；已锁定的月份不受影响")
        self.save_button.setVisible(self.editable)
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.preview_button)
        row.addWidget(self.save_button)
        bar.addLayout(row)
        self.status = QLabel()
        self.status.setObjectName("policyStatus")
        self.status.setWordWrap(True)
        self.status.hide()  # shown only while it has something to say
        bar.addWidget(self.status)
        return bar

    def _side(self) -> QVBoxLayout:
        side = QVBoxLayout()
        presets = QGroupBox("选用预设政策")
        inner = QVBoxLayout(presets)
        self.choice = QComboBox()
        self.choice.currentIndexChanged.connect(self._describe)
        self.apply_button = QPushButton("设为本单位等次政策")
        self.apply_button.setVisible(self.editable)
        self.apply_button.setToolTip("自第一个未锁定的月份起执行所选预设")
        self.apply_button.clicked.connect(self.apply)
        row = QHBoxLayout()
        row.addWidget(self.choice, 1)
        row.addWidget(self.apply_button)
        inner.addLayout(row)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setStyleSheet("color:#555;")
        inner.addWidget(self.description)
        side.addWidget(presets)
        changes = QGroupBox("谁的等次会变")
        inner = QVBoxLayout(changes)
        self.preview_label = QLabel("修改后点“预览”，按生效月份的积分列出等次会变化的人员。")
        self.preview_label.setObjectName("previewSummary")
        self.preview_label.setWordWrap(True)
        inner.addWidget(self.preview_label)
        self.changes: QTableWidget = table(["警号", "姓名", "部门", "原等次 → 新等次"], [70, 70, 110, 110])
        self.changes.setObjectName("previewTable")
        inner.addWidget(self.changes, 1)
        side.addWidget(changes, 3)
        history = QGroupBox("版本记录（新的在上）")
        inner = QVBoxLayout(history)
        self.history: QTableWidget = table(["生效月份", "名称", "说明"], [90, 150, 160])
        self.history.setObjectName("policyHistory")
        inner.addWidget(self.history)
        side.addWidget(history, 2)
        return side

    # -- loading -------------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        """Read again; edits not yet saved survive a tab switch or another screen's change."""
        loaded = self.ctx.read(load)
        keep = self.dirty and not force and loaded.policy is not None
        self.loaded = loaded if not keep or self.loaded is None else replace(loaded, policy=self.loaded.policy)
        if not keep:
            self._show_policy(loaded)
        fill(self.history, loaded.history)
        for row, values in enumerate(loaded.history):
            self.history.item(row, 2).setToolTip(values[2])
        self.choice.blockSignals(True)
        self.choice.clear()
        for code, name, _text in loaded.presets:
            self.choice.addItem(name, code)
        self.choice.setCurrentIndex(max(0, self.choice.findData(loaded.current_preset)))
        self.choice.blockSignals(False)
        self._describe()

    def _show_policy(self, loaded: Loaded) -> None:
        self.form.setVisible(loaded.policy is not None)
        self.save_bar.setVisible(self.editable and loaded.policy is not None)
        if loaded.policy is None:
            self.since_label.setText("单位尚未选择等次政策：请先在右侧选用一个预设政策。")
            return
        self.form.load(loaded.policy)
        self.dirty = False
        self.since_label.setText(f"在用政策：“{loaded.policy.name}”，自{month_text(loaded.since)}起执行。"
                                 "保存后为新版本，生效月份以前的等次不变。")
        self.month.blockSignals(True)
        self.month.setMinimumDate(qdate(loaded.earliest))
        self.month.setDate(qdate(max(loaded.earliest, self.today.replace(day=1))))
        self.month.blockSignals(False)
        self._clear_preview()

    def _describe(self) -> None:
        found = [text for code, _n, text in (self.loaded.presets if self.loaded else [])
                 if code == self.choice.currentData()]
        self.description.setText(found[0] if found else "")

    def effective(self) -> dt.date:
        return pydate(self.month.date()).replace(day=1)

    def say(self, text: str, color: str = "") -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color:{color};" if color else "")
        self.status.setVisible(bool(text))

    def _stale(self, *_args: object) -> None:
        self.dirty = True
        if self.previewed is not None:
            self.preview_label.setText("内容已修改，请重新预览。")
            self.preview_label.setStyleSheet("color:#8a5a00;")
        self.previewed = None
        self.say("")

    def _clear_preview(self) -> None:
        self.previewed = None
        self.changes.setRowCount(0)
        self.preview_label.setText("修改后点“预览”，按生效月份的积分列出等次会变化的人员。")
        self.preview_label.setStyleSheet("")
        self.say("")

    # -- actions -------------------------------------------------------------------------------
    def build(self) -> Policy | None:
        """The policy in the form, or None with the wrong field named (message box and label)."""
        try:
            policy = self.form.build()
        except FormError as exc:
            self.say(str(exc), "#b00020")
            if exc.cell is not None:
                self.form.levels.setCurrentCell(*exc.cell)
            self.ctx.show_error(self, str(exc), "等次政策有误")
            return None
        return policy

    def preview(self) -> bool:
        policy = self.build()
        if policy is None:
            return False
        month = self.effective()
        rows = self.ctx.read(lambda s: preview_rows(s, policy, month))
        fill(self.changes, rows)
        self.preview_label.setStyleSheet("")
        self.preview_label.setText(f"按{cn_month(month)}的积分：以下 {len(rows)} 人的等次会变化。" if rows
                                   else f"按{cn_month(month)}的积分：没有人的等次会变化。")
        self.previewed = (policy.to_json(), month)
        self.say("")
        return True

    def save(self) -> None:
        policy = self.build()
        if policy is None or self.loaded is None:
            return
        month, reason = self.effective(), self.reason.text().strip()
        if not reason:
            self.ctx.show_error(self, "请填写“修改说明”（将记入版本记录和审计记录）", "等次政策有误")
            self.reason.setFocus()
            return
        if policy == self.loaded.policy:
            self.ctx.show_info(self, "等次政策没有改动，无需保存。")
            return
        if self.previewed != (policy.to_json(), month):
            self.preview()
            count = self.changes.rowCount()
            names = "、".join(self.changes.item(r, 1).text() for r in range(min(count, 10)))
            text = (f"{self.preview_label.text()}{('（' + names + ('等' if count > 10 else '') + '）') if count else ''}"
                    f"\n\n确定自{cn_month(month)}起执行修改后的等次政策吗？")
            answer = QMessageBox.question(self, "保存等次政策", text)
            if answer != QMessageBox.StandardButton.Yes:
                return
        done = self.ctx.write(self, lambda s, a: policies.set_policy(s, a, policy, month, reason).id,
                              topic="station", title="未保存")
        if done is not None:
            self.refresh(force=True)
            self.reason.clear()
            self.say(f"已保存：自{cn_month(month)}起执行。", "#2e7d32")

    def apply(self) -> None:
        code = self.choice.currentData()
        if code and self.ctx.write(self, lambda s, a: policies.set_station_policy(s, a, code) or True,
                                   topic="station") is not None:
            self.refresh(force=True)
