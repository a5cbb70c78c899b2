"""登记确认 for several people at once, asked first and undoable; 提交审核 asked first.

A clerk registers some thirty signed paper slips a month: he selects them in the table (click,
Shift-click, Ctrl-click, Ctrl+A), presses 登记确认 once and answers one question that says who
will be registered and who is left out and why. Afterwards the bar under the buttons offers
撤销 for what was just done; later, selecting confirmed people turns the button into 撤销确认
(until someone has signed, when the service refuses). An officer confirms his own line the same
way, asked first, and may take it back the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from desktop.models.enums import ConfirmStatus, Role
from desktop.services import periods, review
from desktop.services.points import fmt
from desktop.services.scoring import ScoreRow

if TYPE_CHECKING:
    from desktop.ui.screens.review import ReviewScreen

OWN = "本人在程序中确认"
PAPER = "已登记纸质确认单（本人签字）"
NAMES_SHOWN = 12


def names(rows: list[ScoreRow]) -> str:
    """“张三、李四 … 等 31 人”: a question stays readable when the whole station is selected."""
    shown = "、".join(r.name for r in rows[:NAMES_SHOWN])
    return f"{shown} 等 {len(rows)} 人" if len(rows) > NAMES_SHOWN else shown


@dataclass
class Choice:
    """What 登记确认 would do with the selected rows."""

    to_confirm: list[ScoreRow] = field(default_factory=list)
    to_undo: list[ScoreRow] = field(default_factory=list)  # all selected are confirmed: the button undoes
    left_out: dict[str, list[ScoreRow]] = field(default_factory=dict)  # why → who

    @property
    def undoing(self) -> bool:
        return not self.to_confirm and bool(self.to_undo)


def choose(screen: ReviewScreen) -> Choice:
    data, actor = screen.data, screen.ctx.actor
    out = Choice()
    if data is None:
        return out
    for row in screen.selected_rows():
        if actor.role == Role.OFFICER and actor.person_id != row.person_id:
            out.left_out.setdefault("不是本人", []).append(row)
            continue
        conf = data.confirmations.get(row.person_id)
        status = conf.status if conf else None
        if status == ConfirmStatus.CONFIRMED.value:
            out.to_undo.append(row)
        elif status == ConfirmStatus.DISPUTED.value:
            out.left_out.setdefault("有未处理的异议", []).append(row)
        else:  # none, excused (he came back and signed) or resolved
            out.to_confirm.append(row)
    if out.to_confirm and out.to_undo:  # confirming wins; the confirmed ones stay as they are
        out.left_out["已确认"] = out.to_undo
        out.to_undo = []
    return out


def button_text(screen: ReviewScreen, choice: Choice) -> str:
    officer = screen.ctx.actor.role == Role.OFFICER
    if choice.undoing:
        return "撤销确认" if officer or len(choice.to_undo) == 1 else f"撤销确认（{len(choice.to_undo)} 人）"
    if officer:
        return "确认"
    return f"登记确认（{len(choice.to_confirm)} 人）" if len(choice.to_confirm) > 1 else "登记确认"


def _ask(screen: ReviewScreen, title: str, text: str) -> bool:
    answer = QMessageBox.question(screen, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def _left_out_text(choice: Choice) -> str:
    return "".join(f"\n不在其内（{why}）：{names(rows)}" for why, rows in choice.left_out.items())


def confirm_selected(screen: ReviewScreen) -> None:
    """The 登记确认 / 确认 / 撤销确认 button."""
    choice = choose(screen)
    if choice.undoing:
        undo_confirmed(screen, choice.to_undo)
        return
    rows = choice.to_confirm
    if not rows or screen.data is None:
        return
    label = screen.data.label
    if screen.ctx.actor.role == Role.OFFICER:
        row = rows[0]
        grade = screen.data.grade_label(row.grade) if row.grade else "无等次"
        question = (f"确认本人{label}的积分：总分 {fmt(row.total)} 分，等次 {grade}？\n"
                    "确认后如发现问题，在有人签字之前仍可撤销确认或提出异议。")
        comment = OWN
    else:
        question = (f"为以下人员登记纸质确认单（本人已在确认单上签字）：\n{names(rows)}"
                    f"{_left_out_text(choice)}\n\n登记后可立即撤销；有人签字之后不能再撤销。")
        comment = PAPER
    if not _ask(screen, "登记确认" if comment == PAPER else "确认积分", question):
        return
    before = {r.person_id: screen.data.confirmations.get(r.person_id) for r in rows}
    excused = {pid: conf.comment for pid, conf in before.items()
               if conf is not None and conf.status == ConfirmStatus.EXCUSED.value}
    ids = [r.person_id for r in rows]
    if screen.write(lambda s, a: review.confirm_many(s, a, periods.get_or_create(s, screen.ctx.period_code),
                                                     ids, comment)):
        screen.undo_bar.offer(f"已登记确认：{names(rows)}。", lambda: _undo(screen, rows, excused))


def undo_confirmed(screen: ReviewScreen, rows: list[ScoreRow]) -> None:
    """撤销确认 for confirmed people selected later: asked first."""
    if not _ask(screen, "撤销确认", f"撤销以下人员本期的确认，恢复为“未确认”：\n{names(rows)}\n\n"
                "撤销记入审计记录。"):
        return
    _undo(screen, rows, {})


def _undo(screen: ReviewScreen, rows: list[ScoreRow], excused: dict[int, str]) -> None:
    """Back to what they were: unconfirmed, or excused with the reason recorded before."""
    def job(session, actor) -> None:  # type: ignore[no-untyped-def]
        period = periods.get_or_create(session, screen.ctx.period_code)
        for row in rows:
            review.unconfirm(session, actor, period, row.person_id, "登记有误，撤销")
            if row.person_id in excused:
                review.excuse(session, actor, period, row.person_id, excused[row.person_id])

    if screen.write(job, title="不能撤销"):
        screen.undo_bar.offer(f"已撤销确认：{names(rows)}。", None)


def submit(screen: ReviewScreen) -> None:
    """提交审核, asked first: what it starts and how it is taken back."""
    label = screen.data.label if screen.data else screen.ctx.period_code
    if not _ask(screen, "提交审核", f"提交{label}的积分审核？\n\n提交后民警可以确认或提出异议，领导按签核流程签字。"
                "审核中仍可更正积分记录，但更正会使已签的字失效、须撤回重签；要较多修改时，"
                "可用“退回修改”（填写理由）退回录入。"):
        return
    if screen.write(lambda s, a: periods.start_review(s, a, periods.get_or_create(s, screen.ctx.period_code))):
        screen.undo_bar.offer(f"已提交审核：{label}现为“审核中”。如需更正，可点“退回修改”。", None)


class UndoBar(QWidget):
    """One line under the buttons: what was just done, and 撤销 while it can still be undone."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.label.setObjectName("undoMessage")
        self.label.setStyleSheet("color:#2e7d32;")
        self.button = QPushButton("撤销", self)
        self.button.setObjectName("undoButton")
        self.button.clicked.connect(self._undo)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        layout.addStretch(1)
        self._undo_fn: Callable[[], None] | None = None
        self.hide()

    def offer(self, text: str, undo: Callable[[], None] | None) -> None:
        self.label.setText(text)
        self._undo_fn = undo
        self.button.setVisible(undo is not None)
        self.show()

    def clear(self) -> None:
        self._undo_fn = None
        self.hide()

    def _undo(self) -> None:
        undo, self._undo_fn = self._undo_fn, None
        self.button.hide()
        if undo is not None:
            undo()
