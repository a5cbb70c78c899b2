"""Check the tables against their seals: every row edited, deleted or inserted behind our back.

`seals` records, in the audit chain, the digest of each row as the program wrote it. Here the
seals are first checked against the chain (each sealing event's digest over its seal rows),
then every current row of every covered table is hashed and compared with its latest seal. The
derived tables are recomputed instead: `entry_sums` from the entries (a hand-made sum would
change scores without touching an entry), and each evidence file's content against the
SHA-256 it is stored under.

What this cannot see by itself: an insider who rewrites rows, seals and the whole chain
consistently. The chain head printed on sheets, written into exports and kept in backups
(`chain_head`) catches that: `audit verify --against` compares it with the database.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from desktop.models import bulk_sums
from desktop.models.audit import AuditEvent, RowSeal
from desktop.services.seals import COVERED, combined_digest, read_rows, row_digest

TABLE_LABELS = {
    "stations": "单位", "departments": "部门", "signoff_steps": "签核步骤", "settings": "单位设置",
    "users": "用户", "people": "人员", "absences": "请假登记", "department_moves": "部门调动",
    "catalogue_versions": "考核细则版本",
    "catalogue_items": "考核细则条目", "entries": "积分记录", "evidence_files": "佐证材料",
    "periods": "考核周期", "period_transitions": "周期状态变更", "confirmations": "个人确认",
    "signoffs": "签核", "grade_policies": "等次政策", "policy_versions": "等次政策版本",
    "score_results": "积分结果", "grade_overrides": "等次调整", "awards": "奖励",
    "units": "考核单位", "unit_members": "单位成员", "schemes": "积分制", "case_reviews": "案件审核",
    "scheme_results": "积分制结果", "scheme_signoffs": "积分制签字", "self_reports": "民警自报",
    "report_evidence": "自报佐证材料", "reviewer_assignments": "审核人设置", "ratings": "审核人评定等次",
    "sheet_signoffs": "部门签核", "revoked_signatures": "已撤销签字", "probations": "试岗",
    "complaints": "投诉与群众评议", "late_findings": "锁定后查实问题",
    "entry_sums": "积分汇总（按月）", "evidence_blobs": "佐证文件内容", "row_seals": "行封存",
}
KIND_LABELS = {"edited": "被改动", "deleted": "被删除", "inserted": "被插入"}
# Column names a reader of the report knows by another name; others are shown as they are.
FIELD_LABELS = {
    "points_tenths": "分值", "grade": "等次", "to_grade": "调整后等次", "person_id": "人员", "item_id": "考核项目",
    "occurred_on": "日期", "component": "积分组成", "veto": "一票否决", "quantity": "数量", "state": "状态",
    "role": "角色", "name": "名称", "title": "称号", "signer_name": "签字人", "password_hash": "密码",
    "total_tenths": "总分", "department_id": "部门", "data": "文件内容", "reason": "理由", "comment": "意见",
}
# The column that names a row to a person, in order of preference.
_NAMING = ("uuid", "code", "badge", "username", "key", "name")
@dataclass(frozen=True)
class Finding:
    table: str
    key: str
    kind: str  # edited | deleted | inserted
    fields: tuple[str, ...] = ()
    name: str = ""  # the row's uuid, code, badge… when known

    def line(self) -> str:
        what = TABLE_LABELS.get(self.table, self.table)
        who = f"（{self.name}）" if self.name and self.name != self.key else ""
        named = [f"{FIELD_LABELS[f]}（{f}）" if f in FIELD_LABELS else f for f in self.fields]
        fields = f"，字段：{'、'.join(named)}" if self.fields else ""
        return f"{what} {self.table} 第 {self.key} 行{who}{KIND_LABELS.get(self.kind, self.kind)}{fields}"

    def as_json(self) -> dict[str, object]:
        return {"table": self.table, "table_label": TABLE_LABELS.get(self.table, self.table), "row": self.key,
                "name": self.name, "kind": self.kind, "fields": list(self.fields)}


@dataclass
class RowReport:
    rows_checked: int = 0
    sealed: bool = True  # False: rows exist but the chain never sealed any
    findings: list[Finding] = field(default_factory=list)
    seal_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.sealed and not self.findings and not self.seal_problems


def verify_rows(session: Session) -> RowReport:
    report = RowReport()
    latest = _checked_seals(session, report)
    for table in COVERED:
        expected = latest.get(table, {})
        seen: set[str] = set()
        for key, state in read_rows(session, table):
            report.rows_checked += 1
            seen.add(key)
            sealed = expected.get(key)
            if sealed is None or sealed[0] is None:
                report.findings.append(Finding(table, key, "inserted", name=_name(state)))
            elif row_digest(table, key, state) != sealed[0]:
                before = _sealed_state(session, sealed[1])
                report.findings.append(Finding(table, key, "edited", _changed(before, state), _name(state)))
        for key, (digest, seal_id) in expected.items():
            if digest is not None and key not in seen:
                report.findings.append(Finding(table, key, "deleted", name=_name(_sealed_state(session, seal_id))))
    if not latest and report.rows_checked:
        report.sealed = False
        report.findings.clear()
    _check_sums(session, report)
    _check_blobs(session, report)
    return report


def _checked_seals(session: Session, report: RowReport) -> dict[str, dict[str, tuple[str | None, int]]]:
    """The latest seal of each row, {table: {key: (digest, seal id)}}, after checking each
    sealing event's digest over its seal rows (a seal edited, added or removed by hand)."""
    claims: dict[int, dict] = {}
    query = select(AuditEvent.id, AuditEvent.sealed).where(AuditEvent.sealed != "")
    for event_id, sealed in session.execute(query):
        try:
            claim = json.loads(sealed)
        except ValueError:
            claim = None
        if isinstance(claim, dict):
            claims[event_id] = claim
    by_event: dict[int, list[tuple[str, str, str | None]]] = defaultdict(list)
    latest: dict[str, dict[str, tuple[str | None, int]]] = defaultdict(dict)
    rows = select(RowSeal.id, RowSeal.event_id, RowSeal.table_name, RowSeal.row_key, RowSeal.digest).order_by(RowSeal.id)
    for seal_id, event_id, table, key, digest in session.execute(rows):
        by_event[event_id].append((table, key, digest))
        latest[table][key] = (digest, seal_id)
    for event_id in sorted(set(by_event) | set(claims)):
        claim, sealed = claims.get(event_id), by_event.get(event_id, [])
        if claim is None:
            report.seal_problems.append(f"行封存中有 {len(sealed)} 行记在第 {event_id} 条审计记录名下，该记录却没有封存：封存被伪造")
        elif claim.get("rows") != len(sealed) or claim.get("digest") != combined_digest(sealed):
            report.seal_problems.append(f"第 {event_id} 条审计记录封存的行与记录不符：行封存被改动或删除")
    return latest


def _sealed_state(session: Session, seal_id: int) -> str:
    return session.scalar(select(RowSeal.state).where(RowSeal.id == seal_id)) or ""


def _changed(before: str, after: str) -> tuple[str, ...]:
    try:
        old, new = json.loads(before or "{}"), json.loads(after)
    except ValueError:
        return ()
    return tuple(sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k)))


def _name(state: str) -> str:
    try:
        row = json.loads(state or "{}")
    except ValueError:
        return ""
    for column in _NAMING:
        if row.get(column) not in (None, ""):
            return str(row[column])
    return ""


def _check_sums(session: Session, report: RowReport) -> None:
    postgres = session.get_bind().dialect.name == "postgresql"
    sums = bulk_sums.sums_select(postgres)  # `entry_sums` as the triggers keep it, recomputed
    expected = {tuple(r[:4]): tuple(r[4:]) for r in session.execute(text(sums))}
    stored = {tuple(r[:4]): tuple(r[4:]) for r in session.execute(text(
        "SELECT month, person_id, code, component, points_tenths, veto_tenths, entries, cap_tenths FROM entry_sums"))}
    for key in sorted(set(expected) | set(stored), key=str):
        if expected.get(key) != stored.get(key):
            month, person, code, component = key
            kind = "inserted" if key not in expected else "deleted" if key not in stored else "edited"
            report.findings.append(Finding("entry_sums", f"{month}/{person}/{code}/{component}", kind,
                                           ("points_tenths",) if kind == "edited" else ()))


def _check_blobs(session: Session, report: RowReport) -> None:
    for sha, data in session.execute(text("SELECT sha256, data FROM evidence_blobs")):
        if hashlib.sha256(bytes(data or b"")).hexdigest() != sha:
            report.findings.append(Finding("evidence_blobs", sha[:12], "edited", ("data",)))
    missing = session.execute(text(
        "SELECT f.id, f.uuid FROM evidence_files f LEFT JOIN evidence_blobs b ON b.sha256 = f.sha256 "
        "WHERE b.sha256 IS NULL")).all()
    for file_id, uuid in missing:
        report.findings.append(Finding("evidence_blobs", str(file_id), "deleted", name=uuid))
