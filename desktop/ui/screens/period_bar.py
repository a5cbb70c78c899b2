"""月度 / 季度 / 半年 / 年度: which kind of period a screen shows, beside the main window's month chooser.

The main window chooses the month; a screen that can also show the month's quarter (季通报)
or its year (年总评) offers this switch. Both go through `ctx.set_period`, so every screen
and the status bar follow.
"""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QToolButton, QWidget

from desktop.models.enums import PeriodKind
from desktop.services.errors import ValidationError
from desktop.services.periods import PeriodSpec, parse_period
from desktop.ui.context import AppContext

LABELS = {PeriodKind.MONTH: "月度", PeriodKind.QUARTER: "季度", PeriodKind.HALF: "半年", PeriodKind.YEAR: "年度"}


def switch_kind(spec: PeriodSpec, kind: PeriodKind, month: int | None = None) -> str:
    """The period of `kind` around `spec` (a year going back to months uses `month`, else January)."""
    if kind == PeriodKind.YEAR:
        return str(spec.year)
    number = month if month is not None and spec.kind == PeriodKind.YEAR else spec.start.month
    if spec.kind in (PeriodKind.QUARTER, PeriodKind.HALF) and month is not None \
            and spec.start.month <= month <= spec.end.month:
        number = month
    if kind == PeriodKind.QUARTER:
        return f"{spec.year}-Q{(number - 1) // 3 + 1}"
    if kind == PeriodKind.HALF:
        return f"{spec.year}-H{(number - 1) // 6 + 1}"
    return f"{spec.year}-{number:02d}"


class PeriodScope(QWidget):
    """Exclusive 月度 / 季度 / 半年 / 年度 buttons following `ctx.period_code`."""

    def __init__(self, ctx: AppContext, kinds: tuple[PeriodKind, ...] = tuple(PeriodKind),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("periodScope")
        self.ctx = ctx
        self._month: int | None = None  # the month last shown, to come back to it
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(QLabel("范围 "))
        self.group = QButtonGroup(self)
        self.buttons: dict[PeriodKind, QToolButton] = {}
        for kind in kinds:
            button = QToolButton()
            button.setObjectName(f"scope_{kind.value}")
            button.setText(LABELS[kind])
            button.setCheckable(True)
            button.setToolTip(f"显示所选月份所在的{LABELS[kind]}考核周期")
            button.clicked.connect(lambda _checked=False, k=kind: self.choose(k))
            self.group.addButton(button)
            self.buttons[kind] = button
            layout.addWidget(button)
        ctx.period_changed.connect(self.follow)
        self.follow(ctx.period_code)

    def follow(self, code: str) -> None:
        try:
            spec = parse_period(code)
        except ValidationError:
            return
        if spec.kind == PeriodKind.MONTH:
            self._month = spec.number
        button = self.buttons.get(spec.kind)
        if button is not None:
            button.setChecked(True)

    def choose(self, kind: PeriodKind) -> None:
        self.ctx.set_period(switch_kind(parse_period(self.ctx.period_code), kind, self._month))

    def kind(self) -> PeriodKind:
        return parse_period(self.ctx.period_code).kind
