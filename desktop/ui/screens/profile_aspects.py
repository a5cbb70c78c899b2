"""个人档案's 政绩档案 tab: the six aspects (政治表现、遵纪守法、工作成绩、考勤考核、生活作风、奖励惩处)
of one month or the whole year as a tree grouped by aspect, with the month's level, the
reviewer's remark and name, or the year's 半年排名 and 年终总评."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.exporters.pdf.data import AspectBlock, AspectItem, MonthAspects, RankLine
from desktop.services.points import fmt
from desktop.ui.screens.profile_data import Profile

YEAR = 0  # the month choice for the whole year
HEADERS = ["方面 / 事项", "日期", "分值", "说明", "证明材料"]
RED, GREEN, MUTED = "#c62828", "#2e7d32", "#888888"


def _signed(points: int | None) -> str:
    return "" if points is None else ("+" if points > 0 else "") + fmt(points)


def _rank_text(line: RankLine) -> str:
    if not line.has_data:
        return f"{line.label}：{line.state}"
    rank = f"部门第 {line.rank}/{line.of} 名" if line.rank else "不参与排名"
    text = f"{line.label}：{fmt(line.total)} 分，{rank}，{line.grade or '未评定'}（{line.state}）"
    return text + (f"，{line.note}" if line.note else "")


def month_summary(m: MonthAspects) -> str:
    """The month's level, how it was set, the reviewer and the remark (rich text)."""
    if not m.level and not m.remark:
        return f"<b>{m.label}</b>：{html.escape(m.state or '无记录')}，暂无等次"
    how = "审核人评定" if m.rated else "按积分得出"
    if m.suggested:
        how += f"，积分建议：{html.escape(m.suggested)}"
    text = f"<b>{m.label}</b>（{html.escape(m.state)}）等次：<b>{html.escape(m.level or '—')}</b>（{how}）"
    if m.reviewer:
        text += f"；审核人：{html.escape(m.reviewer)}"
    remark = html.escape(m.remark) if m.remark else "<span style='color:#888'>无</span>"
    return text + f"<br>审核评语：{remark}"


def year_blocks(p: Profile) -> list[AspectBlock]:
    """The year by aspect: every month's entries with the month in the date, and in 奖励惩处 the
    year's awards, complaints, probation and late findings once each."""
    names = [b.aspect for b in p.aspects[0].aspects] if p.aspects else []
    blocks = {a: AspectBlock(a) for a in names}
    for m in p.aspects:
        for block in m.aspects:
            blocks[block.aspect].items += [
                AspectItem(f"{i.day.month}月{i.day.day}日" if i.day else i.when, i.what, i.points, i.note,
                           i.evidence, i.kind, i.day, i.category) for i in block.items if i.kind == "entry"]
    if names:
        blocks[names[-1]].items += p.rewards
        blocks[names[-1]].items.sort(key=lambda i: (i.day is None, i.day or 0))
    return list(blocks.values())


class AspectsTab(QWidget):
    """Month (or 全年) chooser, a summary line and the tree of the six aspects."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile: Profile | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("月份"))
        self.month = QComboBox()
        self.month.setObjectName("aspectMonth")
        self.month.addItem("全年", YEAR)
        for n in range(1, 13):
            self.month.addItem(f"{n}月", n)
        self.month.currentIndexChanged.connect(lambda _i: self._fill())
        bar.addWidget(self.month)
        self.summary = QLabel()
        self.summary.setObjectName("aspectSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        bar.addWidget(self.summary, 1)
        layout.addLayout(bar)
        self.tree = QTreeWidget()
        self.tree.setObjectName("aspectTree")
        self.tree.setHeaderLabels(HEADERS)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((340, 130, 70, 300)):
            self.tree.setColumnWidth(column, width)
        layout.addWidget(self.tree, 1)

    def chosen_month(self) -> int:
        return int(self.month.currentData())

    def set_month(self, number: int) -> None:
        self.month.setCurrentIndex(max(0, min(12, number)))

    def show_profile(self, p: Profile) -> None:
        self.profile = p
        self._fill()

    def _fill(self) -> None:
        p = self.profile
        self.tree.clear()
        if p is None or not p.aspects:
            self.summary.setText("")
            return
        number = self.chosen_month()
        if number == YEAR:
            lines = [*p.halves, *([p.year_review] if p.year_review else [])]
            self.summary.setText("<br>".join(html.escape(_rank_text(line)) for line in lines))
            blocks = year_blocks(p)
        else:
            month = p.aspects[number - 1]
            self.summary.setText(month_summary(month))
            blocks = month.aspects
        bold = QFont()
        bold.setBold(True)
        for block in blocks:
            net = block.plus - block.minus
            top = QTreeWidgetItem([f"{block.aspect}（{len(block.items)}）", "", _signed(net) if block.entries else "",
                                   "", ""])
            top.setFont(0, bold)
            top.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(top)
            if not block.items:
                empty = QTreeWidgetItem(["无记录", "", "", "", ""])
                empty.setForeground(0, QBrush(QColor(MUTED)))
                top.addChild(empty)
            for item in block.items:
                top.addChild(self._item(item))
            top.setExpanded(True)

    @staticmethod
    def _item(item: AspectItem) -> QTreeWidgetItem:
        # Complaints, probation and late findings say what they are; an award is just its title.
        what = f"【{item.kind_label}】{item.what}" if item.kind == "award" else item.what
        row = QTreeWidgetItem([what, item.when, _signed(item.points), item.note, "、".join(item.evidence)])
        row.setToolTip(0, item.what)
        row.setToolTip(1, item.when)
        row.setToolTip(3, item.note)
        row.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if item.points is not None and item.points < 0:
            row.setForeground(2, QBrush(QColor(RED)))
        if item.kind == "award":
            row.setForeground(0, QBrush(QColor(GREEN)))
        elif item.kind in ("complaint", "probation", "late"):
            row.setForeground(0, QBrush(QColor(RED)))
        return row
