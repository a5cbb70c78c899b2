"""The diary entry form: people (or units), item, date, quantity, points, note, evidence.

A station running several 积分制 picks the scheme first: its catalogue gives the items, its
subject the picker (people, or the 警务室 / 党支部 / 所队室 it assesses, searched the same way,
pinyin included), and 执法办案 adds the case number and type.

Keyboard flow: type a person, Enter (repeat for more people), Enter on the empty box moves
to the item, Enter picks it and moves to the quantity, Enter there (or in any field on
the right) saves. Ctrl+S saves from anywhere in the form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import PointsMode
from desktop.models.units import PERSON_SCHEME, UNIT_KIND_LABELS
from desktop.services import catalogue, queries, scheme_registry, units
from desktop.services.errors import JifenError
from desktop.services.ledger import EntryInput, Evidence
from desktop.services.points import fmt
from desktop.ui.context import AppContext
from desktop.ui.widgets.date_edit import DateEdit
from desktop.ui.widgets.entry_list import pydate, qdate
from desktop.ui.widgets.evidence import EvidencePicker
from desktop.ui.widgets.pickers import ITEM_HINT, Choice, Group, ItemPicker, PersonPicker

LOADING = "正在载入…"


@dataclass(frozen=True)
class ItemInfo:
    """A catalogue item as plain values (the session that read it is closed)."""

    code: str
    name: str
    component_label: str  # in the item's scheme's words (基础工作积分, 加分项 …)
    sign: int  # -1: the component is subtracted from the total
    mode: PointsMode
    points_tenths: int
    min_tenths: int | None
    max_tenths: int | None
    unit: str
    evidence_required: bool
    describe: str


@dataclass(frozen=True)
class SchemeInfo:
    code: str
    name: str
    subject: str  # person or a unit kind
    case_tracking: bool


DEFAULT_SCHEME = SchemeInfo(PERSON_SCHEME, "个人积分", "person", False)  # no scheme read yet


def load_items(ctx: AppContext, day: dt.date, scheme: str = PERSON_SCHEME) -> list[ItemInfo]:
    def read(session: object) -> list[ItemInfo]:
        components = scheme_registry.component_map(session)  # type: ignore[arg-type]
        out = []
        for i in catalogue.items_in_force(session, day, scheme=scheme):  # type: ignore[arg-type]
            label, sign = components.get((scheme, i.component), (i.component, 1))
            out.append(ItemInfo(i.code, i.name, label, sign, PointsMode(i.points_mode), i.points_tenths,
                                i.min_tenths, i.max_tenths, i.unit, i.evidence_required,
                                catalogue.describe_points(i)))
        return out
    try:
        return ctx.read(read)
    except JifenError:
        return []  # no catalogue in force that day: the item list stays empty


def load_schemes(ctx: AppContext) -> list[SchemeInfo]:
    return ctx.read(lambda s: [SchemeInfo(x.code, x.name, x.subject, x.case_tracking)
                               for x in scheme_registry.active(s)])


def subject_choices(ctx: AppContext, scheme: SchemeInfo, day: dt.date) -> tuple[list[Choice], list[Choice]]:
    """Who the scheme's entries go to on `day` (the people on the roster, or its kind of unit),
    and the groups offered after them: each department and the whole station, or every unit."""
    if scheme.subject == "person":
        people = ctx.read(lambda s: queries.people_rows(s, active_on=day))
        choices = [Choice.of(p.id, f"{p.name}  {p.badge}  {p.department}", p.badge, p.name, exact=p.badge)
                   for p in people]
        by_department: dict[str, list[int]] = {}
        for p in people:
            by_department.setdefault(p.department, []).append(p.id)
        groups = [Choice.of(Group(f"整个{name}", tuple(ids)), f"【整个部门】{name}（{len(ids)} 人）",
                            name, "整个部门", "全部门") for name, ids in by_department.items()]
        if len(by_department) > 1:
            everyone = tuple(p.id for p in people)
            groups.append(Choice.of(Group("全所", everyone), f"【全所】所有人员（{len(everyone)} 人）",
                                    "全所", "全部人员", "所有人员"))
        return choices, groups
    kind = UNIT_KIND_LABELS.get(scheme.subject, scheme.subject)
    found = ctx.read(lambda s: [(u.id, u.code, u.name) for u in units.list_units(s, scheme.subject) if u.active])
    choices = [Choice.of(uid, f"{name}  {code}  {kind}", code, name, exact=code) for uid, code, name in found]
    every = tuple(uid for uid, _code, _name in found)
    groups = [Choice.of(Group(f"全部{kind}", every), f"【全部{kind}】（{len(every)} 个）", f"全部{kind}", "全部")] \
        if len(every) > 1 else []
    return choices, groups


@dataclass(frozen=True)
class FormChoices:
    """What the form offers on one day, read in one go (see `read_choices`)."""

    day: dt.date
    schemes: list[SchemeInfo]
    scheme: str  # the scheme the subjects and items below are for
    subjects: tuple[list[Choice], list[Choice]]
    items: list[ItemInfo]


def read_choices(ctx: AppContext, day: dt.date, keep: str | None) -> FormChoices:
    """The form's schemes, and the subjects and items of the scheme it will show (`keep` if the
    station still runs it, else the first): plain values, so a worker thread may read them."""
    schemes = load_schemes(ctx)
    scheme = next((s for s in schemes if s.code == keep), schemes[0] if schemes else DEFAULT_SCHEME)
    return FormChoices(day, schemes, scheme.code, subject_choices(ctx, scheme, day),
                       load_items(ctx, day, scheme.code))


class EntryForm(QGroupBox):
    save_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("录入考核日记", parent)
        self.ctx = ctx
        self.items: dict[str, ItemInfo] = {}
        self._catalogue_day: dt.date | None = None
        self.schemes: dict[str, SchemeInfo] = {}
        self.scheme = QComboBox(self)
        self.scheme.setObjectName("entrySchemeCombo")
        self.scheme.setToolTip("记给哪个积分制：个人积分，或党建、基层基础、执法办案、队伍管理等")
        self.scheme.currentIndexChanged.connect(self._scheme_changed)
        self.people = PersonPicker(self)
        self.item = ItemPicker(self)
        self.date = DateEdit(qdate(dt.date.today()), self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.quantity = QSpinBox(self)
        self.quantity.setRange(1, 1000)
        self.points = QDoubleSpinBox(self)
        self.points.setDecimals(1)
        self.points.setSingleStep(0.5)
        self.unit = QLabel(self)
        self.total = QLabel(self)
        self.case_no = QLineEdit(self)
        self.case_no.setObjectName("caseNoEdit")
        self.case_no.setPlaceholderText("案件编号（如 刑2026-031）")
        self.case_type = QLineEdit(self)
        self.case_type.setObjectName("caseTypeEdit")
        self.case_type.setPlaceholderText("案件类型（如 刑事、行政）")
        self.note = QLineEdit(self)
        self.note.setPlaceholderText("事实说明：何时、何事（写清楚，便于本人核对）")
        self.evidence = EvidencePicker(self)
        self.evidence_hint = QLabel(self)
        self.evidence_hint.setStyleSheet("color: #b3261e")
        self.save_button = QPushButton("保存（Enter）", self)
        self.save_button.setDefault(True)
        self.message = QLabel(self)
        self.message.setWordWrap(True)

        left = QVBoxLayout()
        left.addWidget(self.scheme)
        self.subject_label = QLabel("人员（可选多人）")
        left.addWidget(self.subject_label)
        left.addWidget(self.people)
        middle = QVBoxLayout()
        middle.addWidget(QLabel("考核项目"))
        middle.addWidget(self.item)
        middle.addStretch(1)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        quantity_row = QHBoxLayout()
        quantity_row.addWidget(self.quantity)
        quantity_row.addWidget(QLabel("分值"))
        quantity_row.addWidget(self.points)
        quantity_row.addWidget(self.unit, 1)
        form.addRow("日期", self.date)
        form.addRow("数量", quantity_row)
        form.addRow("合计", self.total)
        case_row = QHBoxLayout()
        case_row.addWidget(self.case_no, 1)
        case_row.addWidget(self.case_type, 1)
        self.case_label = QLabel("案件")
        form.addRow(self.case_label, case_row)
        form.addRow("事实说明", self.note)
        form.addRow("证明材料", self.evidence)
        form.addRow("", self.evidence_hint)
        self.buttons = QHBoxLayout()
        self.buttons.addWidget(self.save_button)
        self.buttons.addStretch(1)
        form.addRow("", self.buttons)
        form.addRow("", self.message)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(middle, 3)
        layout.addLayout(form, 4)

        self.people.done.connect(lambda: self.item.search.edit.setFocus())
        self.people.changed.connect(self._update_total)
        self.item.chosen.connect(self._item_chosen)
        self.quantity.valueChanged.connect(self._update_total)
        self.points.valueChanged.connect(self._update_total)
        self.date.dateChanged.connect(self.reload_choices)
        self.save_button.clicked.connect(self.save_requested)
        for widget in (self.date, self.quantity, self.points, self.note, self.case_no, self.case_type):
            widget.installEventFilter(self)
        save = QShortcut(QKeySequence("Ctrl+S"), self)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.activated.connect(self.save_requested)
        self._item_chosen(None)

    # -- choices -------------------------------------------------------------------------
    def day(self) -> dt.date:
        return pydate(self.date.date())

    def set_day(self, day: dt.date) -> None:
        self.date.setDate(qdate(day))

    def current_scheme(self) -> SchemeInfo:
        code = self.scheme.currentData()
        return self.schemes.get(code) or DEFAULT_SCHEME

    def load_schemes(self) -> None:
        self.set_schemes(load_schemes(self.ctx))

    def set_schemes(self, found: list[SchemeInfo]) -> None:
        self.schemes = {s.code: s for s in found}
        keep = self.scheme.currentData()
        self.scheme.blockSignals(True)
        self.scheme.clear()
        for info in found:
            self.scheme.addItem(info.name, info.code)
        self.scheme.setCurrentIndex(max(0, self.scheme.findData(keep)))
        self.scheme.blockSignals(False)
        self.scheme.setVisible(len(found) > 1)
        self._show_scheme_fields()

    def _scheme_changed(self, _index: int) -> None:
        self.people.clear()
        self.item.clear()
        self._show_scheme_fields()
        self.reload_choices()

    def _show_scheme_fields(self) -> None:
        scheme = self.current_scheme()
        kind = UNIT_KIND_LABELS.get(scheme.subject)
        self.subject_label.setText(f"{kind}（可选多个）" if kind else "人员（可选多人）")
        self._show_hints()
        for widget in (self.case_label, self.case_no, self.case_type):
            widget.setVisible(scheme.case_tracking)
        if not scheme.case_tracking:
            self.case_no.clear()
            self.case_type.clear()

    def _show_hints(self) -> None:
        """What to type into the two search boxes (they say "正在载入…" while choices load)."""
        kind = UNIT_KIND_LABELS.get(self.current_scheme().subject)
        self.people.search.edit.setPlaceholderText(
            f"{kind}名称、代码或拼音首字母" if kind else "警号、姓名、拼音首字母（如 zsf）或部门名称")
        self.item.search.edit.setPlaceholderText(ITEM_HINT)

    def reload_choices(self) -> None:
        day = self.day()
        if not self.schemes:
            self.load_schemes()
        scheme = self.current_scheme()
        self.set_choices(subject_choices(self.ctx, scheme, day), load_items(self.ctx, day, scheme.code))

    def show_loading(self) -> None:
        """Say so in the two search boxes until `apply_choices` fills them."""
        for search in (self.people.search, self.item.search):
            search.edit.setPlaceholderText(LOADING)

    def apply_choices(self, found: FormChoices) -> None:
        """Choices read elsewhere (a worker); read again here if the day or scheme moved meanwhile."""
        self.set_schemes(found.schemes)
        if found.day != self.day() or found.scheme != self.current_scheme().code:
            self.reload_choices()
        else:
            self.set_choices(found.subjects, found.items)

    def set_choices(self, subjects: tuple[list[Choice], list[Choice]], items: list[ItemInfo]) -> None:
        self.people.set_people(*subjects)
        self._show_hints()
        self.items = {i.code: i for i in items}
        self.item.set_items([
            Choice.of(i.code, f"{i.code} {i.name}（{i.describe}）", i.code, i.name, exact=i.code) for i in items])
        if self.item.code() in self.items:
            self._item_chosen(self.item.code())

    # -- item and points -------------------------------------------------------------------
    def current_item(self) -> ItemInfo | None:
        code = self.item.code()
        return self.items.get(code) if code else None

    def _item_chosen(self, code: str | None) -> None:
        info = self.items.get(code) if code else None
        self.points.blockSignals(True)
        if info is not None and info.mode == PointsMode.RANGE:
            low, high = (info.min_tenths or 0) / 10, (info.max_tenths or 0) / 10
            self.points.setRange(low, high)
            self.points.setValue(min(max(info.points_tenths / 10, low), high))
            self.points.setReadOnly(False)
            self.points.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.UpDownArrows)
            self.points.setToolTip(f"区间赋分：{fmt(info.min_tenths)} 至 {fmt(info.max_tenths)} 分")
        else:
            self.points.setRange(0, 1000)
            self.points.setValue(info.points_tenths / 10 if info else 0)
            self.points.setReadOnly(True)
            self.points.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
            self.points.setToolTip("分值按考核细则固定")
        self.points.blockSignals(False)
        self.unit.setText(f"分/{info.unit}" if info else "")
        needed = info is not None and info.evidence_required
        self.evidence_hint.setText("本项目须附证明材料（扫描件、照片或 PDF）" if needed else "")
        self._update_total()
        if info is not None and self.item.search.edit.hasFocus():
            self.quantity.setFocus()
            self.quantity.selectAll()

    def points_tenths(self) -> int | None:
        info = self.current_item()
        if info is None or info.mode != PointsMode.RANGE:
            return None
        return round(self.points.value() * 10)

    def _update_total(self) -> None:
        info = self.current_item()
        if info is None:
            self.total.setText("")
            return
        per = self.points_tenths() if info.mode == PointsMode.RANGE else info.points_tenths
        each = (per or 0) * self.quantity.value() * info.sign
        people = len(self.people.selected_ids())
        sign = "+" if each > 0 else ""
        who, count = ("每人", "人") if self.current_scheme().subject == "person" else ("每单位", "个")
        self.total.setText(f"{who} {sign}{fmt(each)} 分（{info.component_label}）"
                           + (f" × {people} {count}" if people > 1 else ""))

    # -- input -----------------------------------------------------------------------------
    def entry_input(self) -> EntryInput:
        """What to record; raises a JifenError (shown by the caller) for unreadable files."""
        evidence = [Evidence.from_path(p) for p in self.evidence.paths()]
        chosen = self.people.selected_ids()
        for_units = self.current_scheme().subject != "person"
        return EntryInput(person_ids=() if for_units else chosen, item_code=self.item.code() or "",
                          occurred_on=self.day(), quantity=self.quantity.value(),
                          points_tenths=self.points_tenths(), note=self.note.text(), evidence=evidence,
                          unit_ids=chosen if for_units else (), case_no=self.case_no.text(),
                          case_type=self.case_type.text())

    def reset_after_save(self) -> None:
        """Clear everything but the date, ready for the next event."""
        self.people.clear()
        self.item.clear()
        self.quantity.setValue(1)
        self.note.clear()
        self.case_no.clear()
        self.case_type.clear()
        self.evidence.clear()
        self.people.search.edit.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.save_requested.emit()
                return True
        return super().eventFilter(watched, event)
