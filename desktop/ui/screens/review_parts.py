"""Pieces of the month review screen: the score table's cells, the panel beside the table
(grade distribution against the quotas, confirmations, sign-off progress, the selected person)
and the one under it (为什么是这个等次)."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import ConfirmStatus, Identity, PeriodState
from desktop.services.points import fmt
from desktop.services.scoring import FLAG_LABELS, ScoreRow
from desktop.ui.screens.review_data import ReviewData, role_label
from desktop.ui.screens.rows_model import Cell, RowsModel, num

SCORE_HEADERS = ["警号", "姓名", "部门", "基础工作\n积分", "部门\n加分", "部门\n扣分", "上级\n加分", "上级\n减分",
                 "总分", "排名", "等次", "确认与标记"]
DEPT_COLUMN = 2
RED, ORANGE, BLUE, GREY, PALE_RED, PALE_YELLOW = "#b00020", "#8a5a00", "#1565c0", "#777777", "#fde2e4", "#fff3cd"
CONFIRM_COLORS = {ConfirmStatus.CONFIRMED.value: "#2e7d32", ConfirmStatus.DISPUTED.value: RED,
                  ConfirmStatus.RESOLVED.value: BLUE}


def score_cells(data: ReviewData, row: ScoreRow) -> list[Cell]:
    """One table row: the five components, total, rank, grade, confirmation and flags."""
    conf = data.confirmations.get(row.person_id)
    fg = RED if row.vetoed else (GREY if row.excluded_reason else None)
    bg = PALE_YELLOW if conf is not None and conf.status == ConfirmStatus.DISPUTED.value else None
    grade_tip = "\n".join(why_lines(row))  # the reason includes the override and the exclusion
    if not grade_tip and "override" in row.flags:
        grade_tip = f"等次已由所长调整：{data.grade_label(row.engine_grade)} → {data.grade_label(row.grade)}"
    elif not grade_tip:
        grade_tip = row.excluded_reason
    rank_text = str(row.rank_department) if row.rank_department else "—"
    status, status_fg, status_tip = confirm_status(data, row)
    identity = Identity(row.identity).label if row.identity in Identity._value2member_map_ else row.identity
    total_tip = f"含起始分 {fmt(row.start)}" if row.start else ""
    return [
        Cell(row.badge, fg=fg, bg=bg),
        Cell(row.name, tip=identity, fg=fg, bg=bg, bold=True),
        Cell(row.department, fg=fg, bg=bg),
        num(fmt(row.base), row.base, fg=fg, bg=bg),
        num(fmt(row.dept_bonus), row.dept_bonus, fg=fg, bg=bg),
        num(fmt(row.dept_deduction), row.dept_deduction, fg=fg, bg=bg),
        num(fmt(row.higher_bonus), row.higher_bonus, fg=fg, bg=bg),
        num(fmt(row.higher_deduction), row.higher_deduction, fg=fg, bg=bg),
        num(fmt(row.total), row.total, tip=total_tip, fg=fg, bg=bg, bold=True),
        num(rank_text, row.rank_department, tip=row.excluded_reason, fg=fg, bg=bg),
        Cell(data.grade_label(row.grade) or "—", sort=data.grade_label(row.grade) or "~", tip=grade_tip,
             fg=BLUE if "override" in row.flags else fg, bg=bg, align="center", bold=True),
        Cell(status, tip=status_tip, fg=status_fg, bg=bg),
    ]


def why_lines(row: ScoreRow) -> list[str]:
    """The grade's reason as lines (the services join them with "；"), with the pro-rating
    spelled out when the reason does not mention it already."""
    lines = [line.strip() for line in row.why.split("；") if line.strip()]
    if row.prorated and row.period_days and not any("折算" in line for line in lines):
        lines.append(f"在岗折算：本期在岗 {row.days_present}/{row.period_days} 天，折算总分 {fmt(row.ranked_total)} 分"
                     f"（实得 {fmt(row.total)} 分）")
    return lines


def why_html(data: ReviewData, row: ScoreRow | None) -> str:
    """为什么是这个等次: the person, the grade, then one line per reason."""
    if row is None:
        return "<span style='color:#777'>在表中选择一人，查看其等次是怎样评定的</span>"
    rank = f"，排名 {row.rank_department}" if row.rank_department else ""
    head = (f"<b>{html.escape(row.name)}</b>（{html.escape(row.badge)}，{html.escape(row.department)}）"
            f"　等次 <b>{html.escape(data.grade_label(row.grade) or '—')}</b>　总分 {fmt(row.total)} 分{rank}")
    lines = why_lines(row) or ["（尚无评定说明，请先“计算/刷新”）"]
    return head + "".join(f"<br>• {html.escape(line)}" for line in lines)


def confirm_status(data: ReviewData, row: ScoreRow) -> tuple[str, str, str]:
    """One column for the officer's confirmation and the other flags (veto, override, excluded …)."""
    conf = data.confirmations.get(row.person_id)
    others = [FLAG_LABELS.get(f, f) for f in row.flags if f not in ("unconfirmed", "disputed")]
    head = conf.label if conf is not None else ("未确认" if data.state != PeriodState.OPEN.value else "")
    text = "、".join(t for t in [head, *others] if t)
    tips = []
    if conf is not None and conf.comment:
        tips.append(f"{conf.label}：{conf.comment}")
    if conf is not None and conf.resolution:
        tips.append(f"处理意见：{conf.resolution}")
    if row.excluded_reason:
        tips.append(row.excluded_reason)
    if row.vetoed or (conf is not None and conf.status == ConfirmStatus.DISPUTED.value):
        fg = RED
    elif others:
        fg = ORANGE
    else:
        fg = CONFIRM_COLORS.get(conf.status, GREY) if conf is not None else GREY
    return text, fg, "\n".join(tips) or text


def quota_rows(data: ReviewData) -> tuple[list[str], list[list[Cell]]]:
    """The distribution grid: one row per ranking group, 'count / rule' per grade, red when off."""
    headers = ["考核组", "人数"] + [label for _code, label in data.levels]
    rows = []
    for group in data.quotas:
        cells = [Cell(group.name), num(str(group.graded), group.graded)]
        for q in group.cells:
            tip = f"{q.label}：{q.count} 人，政策要求 {q.rule()}"
            cells.append(Cell(q.text(), sort=q.count, tip=tip, align="center",
                              bg=None if q.ok else PALE_RED, fg=None if q.ok else RED))
        rows.append(cells)
    return headers, rows


def local(moment: dt.datetime) -> dt.datetime:
    """Signatures are stored as naive UTC; show them in the station's local time."""
    return moment.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)


def steps_html(data: ReviewData) -> str:
    lines = []
    for step in data.steps:
        head = f"{step.seq}. {html.escape(step.title)}"
        if step.scope == "department":
            done = "；".join(html.escape(x) for x in step.sheets)
            if step.signed_at is not None:
                lines.append(f"<b>{head}</b>：<span style='color:#2e7d32'>各部门已签</span>（{done}）")
            else:
                waiting = "；".join(html.escape(x) for x in step.waiting[:6])
                lines.append(f"{head}：<span style='color:#777'>各部门分别签</span>"
                             + (f"，已签：{done}" if done else "") + (f"<br>　待签：{waiting}" if waiting else ""))
        elif step.signed_at is not None:
            lines.append(f"<b>{head}</b>：{html.escape(step.signer)}"
                         f" <span style='color:#2e7d32'>已签 {local(step.signed_at):%Y-%m-%d %H:%M}</span>")
        else:
            lines.append(f"{head}：<span style='color:#777'>待签（{role_label(step.role)}）</span>")
    if not lines:
        return "<span style='color:#777'>未配置签核流程（在“设置”中配置）</span>"
    for line in data.history:
        lines.append(f"<span style='color:#a33'>{html.escape(line)}</span>")
    return "<br>".join(lines)


def person_html(data: ReviewData, row: ScoreRow | None) -> str:
    if row is None:
        return "<span style='color:#777'>在表中选择一人，查看确认与异议情况</span>"
    parts = [f"<b>{html.escape(row.name)}</b>（{html.escape(row.badge)}） {html.escape(row.department)}",
             f"总分 {fmt(row.total)}，等次 {html.escape(data.grade_label(row.grade) or '—')}"]
    if row.excluded_reason:
        parts.append(f"不参与排名：{html.escape(row.excluded_reason)}")
    if row.flags:
        parts.append("标记：" + html.escape("、".join(row.flag_labels())))
    conf = data.confirmations.get(row.person_id)
    if conf is not None:
        parts.append(f"{conf.label}：{html.escape(conf.comment) or '（无说明）'}")
        if conf.resolution:
            parts.append(f"处理意见：{html.escape(conf.resolution)}")
    return "<br>".join(parts)


class WhyPanel(QGroupBox):
    """Under the table: why the selected person has their grade."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("为什么是这个等次", parent)
        self.setObjectName("whyPanel")
        inner = QVBoxLayout(self)
        inner.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel()
        self.label.setObjectName("whyText")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        scroll = QScrollArea()
        scroll.setWidget(self.label)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner.addWidget(scroll)
        self.setMinimumHeight(self.fontMetrics().height() * 4 + 30)

    def show_person(self, data: ReviewData, row: ScoreRow | None) -> None:
        self.label.setText(why_html(data, row))

    def text(self) -> str:
        """The plain text shown (for tests and the status bar)."""
        return self.label.text()


class SidePanel(QWidget):
    """Beside the table: quotas, confirmations, sign-off steps, the selected person."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        box = QGroupBox("等次分布（人数/政策限额）")
        inner = QVBoxLayout(box)
        self.quota_model = RowsModel(["考核组", "人数"], self)
        self.quota_view = QTableView()
        self.quota_view.setObjectName("quotaTable")
        self.quota_view.setModel(self.quota_model)
        self.quota_view.verticalHeader().hide()
        self.quota_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.quota_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.quota_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.quota_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.quota_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        inner.addWidget(self.quota_view)
        self.policy_label = QLabel()
        self.policy_label.setWordWrap(True)
        self.policy_label.setStyleSheet("color:#555;")
        inner.addWidget(self.policy_label)
        layout.addWidget(box)
        self.confirm_label = self._box(layout, "确认情况", "confirmSummary")
        self.steps_label = self._box(layout, "签核进度", "signoffSteps")
        self.person_label = self._box(layout, "所选人员", "personDetail")
        layout.addStretch(1)

    def _box(self, layout: QVBoxLayout, title: str, name: str) -> QLabel:
        box = QGroupBox(title)
        inner = QVBoxLayout(box)
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        inner.addWidget(label)
        layout.addWidget(box)
        return label

    def show_data(self, data: ReviewData) -> None:
        headers, rows = quota_rows(data)
        if self.quota_model.headers() != headers:
            self.quota_model = RowsModel(headers, self)
            self.quota_view.setModel(self.quota_model)
        self.quota_model.set_rows(rows)
        view = self.quota_view
        view.resizeRowsToContents()
        height = view.horizontalHeader().sizeHint().height() + sum(view.rowHeight(i) for i in range(len(rows)))
        view.setFixedHeight(height + 2 * view.frameWidth() + 2)
        self.policy_label.setText(f"等次政策：{data.policy_name}。“2/≤2”即 2 人、政策最多 2 人；红色为不符合比例。")
        counts = data.counts()
        self.confirm_label.setText(
            f"共 {len(data.rows)} 人：已确认 {counts['confirmed'] + counts['resolved']}，"
            f"有异议 {counts['disputed']}，未确认 {counts['none']}")
        self.steps_label.setText(steps_html(data))

    def show_person(self, data: ReviewData, row: ScoreRow | None) -> None:
        self.person_label.setText(person_html(data, row))
