"""The audit trail, newest first, read page by page as the view scrolls down.

The trail only grows and a station collects hundreds of thousands of events, so the model
starts with the newest page and Qt's `fetchMore` reads the next older page by id range
(`id < oldest shown`). Texts are in Chinese where the action or field is a known one.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop.services import audit
from desktop.services.audit import EventRow
from desktop.ui.context import AppContext

Index = QModelIndex | QPersistentModelIndex
PAGE = 200
DETAIL_WIDTH = 120
GREY = QColor("#6b6b6b")
RED = QColor("#b3261e")

HEADERS = ("序号", "时间", "用户", "操作", "对象", "内容")
ACTION_LABELS = {
    "user.create": "新建用户", "user.login": "登录", "bureau.visit": "局机关查看派出所", "user.login_failed": "登录失败",
    "user.password_failed": "签字时密码错误",
    "user.reset_password": "重置密码", "user.signature": "登记签名图片",
    "station.create": "建立单位", "station.chain": "修改签核流程", "station.policy": "选用等次政策",
    "department.create": "新建部门", "person.create": "新增人员", "person.update": "修改人员信息",
    "person.photo": "更换照片", "catalogue.version": "发布考核细则版本",
    "policy.install": "安装等次政策", "policy.save": "修改等次政策", "policy.version": "新的等次政策版本", "absence.record": "登记请假",
    "entry.record": "录入积分", "entry.batch": "批量录入积分", "duty.save": "保存值勤表",
    "entry.reverse": "作废积分记录",
    "period.compute": "计算积分", "period.review": "提交审核", "period.sign": "签字",
    "period.locked": "锁定考核周期", "period.open": "解锁考核周期", "period.signatures_cleared": "清除签字",
    "review.confirm": "确认考核结果", "review.unconfirm": "撤销确认", "review.dispute": "提出异议", "review.resolve": "处理异议",
    "grade.override": "调整等次", "award.give": "评定奖励", "award.revoke": "撤销奖励",
    "exchange.import": "导入工作簿", "exchange.restore": "从导出工作簿恢复", "backup.restore": "从备份恢复",
    "bench.dataset": "生成测试数据",
    "case.review": "审核案件", "complaint.register": "登记投诉", "complaint.verify": "核实投诉",
    "department.update": "修改部门", "late.finding": "登记事后发现的问题", "probation.add": "登记试岗",
    "rating.set": "审核人评定等次", "report.submit": "民警自报", "report.withdraw": "撤回自报",
    "report.approve": "通过自报", "report.adjust": "调整后通过自报", "report.reject": "退回自报",
    "review.excuse": "登记未确认原因", "reviewer.set": "设置审核人", "scheme.freeze": "冻结积分制结果",
    "scheme.install": "安装积分制", "scheme.lock": "锁定积分制周期", "scheme.reopen": "解锁积分制周期",
    "scheme.sign": "积分制签字", "scheme.signatures_cleared": "清除积分制签字", "setting.set": "修改设置",
    "station.update": "修改单位信息", "unit.add": "新建考核单位", "unit.member": "加入考核单位",
    "unit.member_end": "退出考核单位", "user.bootstrap_admin": "建立首个管理员", "user.change_password": "修改本人密码",
    "user.unlock": "解除账户锁定", "user.update": "修改用户", "rows.seal": "封存记录",
}
ENTITY_LABELS = {
    "entry": "积分记录", "person": "人员", "user": "用户", "period": "考核周期", "station": "单位",
    "department": "部门", "award": "奖励", "grade_policy": "等次政策", "policy_version": "等次政策版本", "catalogue_version": "考核细则",
    "workbook": "工作簿", "database": "数据库",
}
FIELD_LABELS = {
    "username": "用户名", "role": "角色", "name": "名称", "code": "编号", "badge": "警号", "period": "周期",
    "reason": "理由", "comment": "意见", "item": "项目", "points": "分值", "quantity": "数量",
    "people": "人员", "date": "日期", "dates": "日期", "count": "条数", "title": "称号", "step": "签核步骤",
    "locked": "已锁定", "source": "来源", "kept": "原库保留为", "revision": "版本", "from_state": "原状态",
    "to_state": "新状态", "changes": "改动", "policy": "政策", "grade": "等次", "before": "改前",
    "after": "改后", "size": "大小", "signatures": "签字",
    "person_id": "人员", "digest": "数据摘要", "sheets": "评定表", "state": "结果", "case": "案件",
    "level": "等次", "remark": "评语", "suggested": "建议等次", "person": "人员", "reviewer": "审核人",
    "subject": "对象", "start": "起", "end": "止", "reversal": "作废记录", "file": "文件", "station": "单位",
    "batch": "批次", "entries": "记录数", "counts": "各类数量", "scheme": "积分制", "unit": "单位",
    "department": "部门", "kind": "类别", "status": "状态", "decision": "决定", "note": "说明",
    "identity": "身份", "component": "积分组成", "key": "设置项", "value": "值", "id_number": "身份证号",
    "undone": "撤销的操作", "other_station": "其他单位的备份",
}
# Stored codes shown as the words the screens use.
VALUE_LABELS: dict[str, dict[str, str]] = {
    "state": {"open": "录入中", "review": "审核中", "locked": "已锁定", "confirmed": "已确认", "adjusted": "已调整"},
    "role": {"admin": "管理员", "chief": "所长", "clerk": "内勤", "officer": "民警", "head": "负责人",
             "member": "成员"},
    "identity": {"police": "民警", "auxiliary": "辅警", "contract": "聘用"},
    "source": {"manual": "手工录入", "duty": "值勤表", "import": "导入", "self": "民警自报"},
}
VALUE_LABELS["from_state"] = VALUE_LABELS["to_state"] = VALUE_LABELS["state"]
DIGEST_SHOWN = 12  # a digest is for the machine: its first characters are enough to tell two apart


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def local_time(at: dt.datetime) -> str:
    """Events are stored in UTC; the clerk reads local time."""
    return at.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def user_text(row: EventRow) -> str:
    """The account's name (its user name in the tooltip); the program itself for demo, wizard, command line."""
    if row.display_name:
        return row.display_name
    return f"系统（{row.username}）" if row.username else "系统"


def entity_text(row: EventRow) -> str:
    label = ENTITY_LABELS.get(row.entity, row.entity)
    if row.subject:
        return f"{label} {row.subject}"
    ref = row.entity_ref
    # Stable UUIDs mean nothing to a reader: their first block is enough to tell rows apart.
    if len(ref) == 36 and ref.count("-") == 4:
        ref = ref[:8]
    return f"{label} {ref}".strip()


def _value(value: Any, key: str = "") -> str:
    if key == "undone" and isinstance(value, dict):  # a restore: what the replaced trail had since
        return "、".join(f"{action_label(a)} {n} 次" for a, n in value.items()) or "无"
    if key == "digest" and isinstance(value, str) and len(value) > DIGEST_SHOWN:
        return value[:DIGEST_SHOWN] + "…"
    if isinstance(value, str) and key in VALUE_LABELS:
        return VALUE_LABELS[key].get(value, value)
    if isinstance(value, list):
        shown = "、".join(str(v) for v in value[:3])
        return shown + (f" 等 {len(value)} 项" if len(value) > 3 else "")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def detail_text(raw: str, width: int = DETAIL_WIDTH) -> str:
    try:
        data = json.loads(raw)
    except ValueError:
        return raw[:width]
    if isinstance(data, dict):
        text = "，".join(f"{FIELD_LABELS.get(k, k)}：{_value(v, k)}" for k, v in data.items() if v not in ("", None, []))
    else:
        text = str(data)
    return text if len(text) <= width else text[: width - 1] + "…"


def detail_tooltip(raw: str) -> str:
    try:
        text = json.dumps(json.loads(raw), ensure_ascii=False, indent=1)
    except ValueError:
        text = raw
    return text if len(text) <= 2000 else text[:1999] + "…"


class AuditModel(QAbstractTableModel):
    """Audit events newest first, optionally of one action; older pages are fetched on demand."""

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.action: str | None = None
        self.total = 0
        self._rows: list[EventRow] = []
        self._more = False
        # True between begin… and end… of a reset or insert: a view (or a model tester) reacting to
        # those signals may ask for more rows, which must wait until the change is complete.
        self._changing = False

    def reload(self, action: str | None = None) -> None:
        self.action = action or None
        actor = self.ctx.actor
        total = self.ctx.read(lambda s: audit.count_events(s, actor, self.action))
        rows = self.ctx.read(lambda s: audit.events(s, actor, limit=PAGE, action=self.action))
        self._changing = True
        self.beginResetModel()
        self.total, self._rows, self._more = total, rows, len(rows) == PAGE
        self.endResetModel()
        self._changing = False

    def event_at(self, row: int) -> EventRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # -- paging --------------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        return not parent.isValid() and self._more and not self._changing

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008 - Qt's signature
        if not self.canFetchMore(parent) or not self._rows:
            return
        actor, oldest = self.ctx.actor, self._rows[-1].id
        older = self.ctx.read(lambda s: audit.events(s, actor, before=oldest, limit=PAGE, action=self.action))
        self._more = len(older) == PAGE
        if older:
            first = len(self._rows)
            self._changing = True
            self.beginInsertRows(QModelIndex(), first, first + len(older) - 1)
            self._rows.extend(older)
            self.endInsertRows()
            self._changing = False

    # -- Qt model interface --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(row.id), local_time(row.at), user_text(row), action_label(row.action),
                    entity_text(row), detail_text(row.detail))[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 2:
                return f"用户名：{row.username}" if row.username else None
            if column == 3:
                return row.action
            if column == 4:
                return row.entity_ref or None
            if column == 5:
                return detail_tooltip(row.detail)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.action in ("user.login_failed", "user.password_failed"):
                return QBrush(RED)
            if column in (0, 4):
                return QBrush(GREY)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return HEADERS[section] if 0 <= section < len(HEADERS) else None
