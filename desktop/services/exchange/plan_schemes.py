"""Schemes (积分制), case reviews (案件审核) and score sheets of a workbook.

- 积分制: a restore installs every scheme the workbook lists, from the definition it carries
  (its catalogue comes from 考核细则, with the UUIDs its entries cite). An import into a station
  never installs one: running a scheme is the administrator's setting, so a scheme the station
  does not run is named in a notice, and its catalogue and entry rows become problems.
- 案件审核: the reviewing unit's word on a case (法制大队) is authority, like a signature: only a
  restore takes it, onto disabled accounts that keep the reviewers' names.
- Score sheets are derived and never imported. Once the entries are written they are compared
  with what the entries give, and any difference is a notice: the entries decide.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import insert, select

from desktop.models.enums import Role
from desktop.models.ledger import Entry
from desktop.models.units import CaseReview, SchemeRow
from desktop.services import scheme_rules, scheme_scoring
from desktop.services.exchange import score_sheets, vocab
from desktop.services.exchange.cells import CellError, fold
from desktop.services.exchange.plan import Plan
from desktop.services.exchange.reader import Table
from desktop.services.points import to_decimal
from desktop.services.schemes import Scheme, SchemeError, load_preset, preset_codes

LABEL = "积分制"
REVIEW_LABEL = "案件审核"
SCORES_NOT_IMPORTED = "积分排名表由本程序按积分记录计算，不导入"


def plan_schemes(plan: Plan, table: Table) -> None:
    counts = plan.report.count(LABEL)
    planned: list[tuple[int, Scheme]] = []
    for row in table.rows:
        v = row.values
        if not row.ok:
            counts.add("rejected")
            continue
        scheme = _definition(plan, table, row.number, v)
        if scheme is None:
            counts.add("rejected")
            continue
        ours = plan.schemes.get(scheme.code)
        if ours is not None:
            if ours.to_dict() != scheme.to_dict():
                plan.report.notice(table.sheet, row.number, f"本单位运行的积分制“{ours.name}”（{ours.code}）与工作簿中"
                                   "的定义不同，以本单位的为准", header="定义（JSON）")
            counts.add("unchanged")
        elif plan.restore:
            planned.append((row.number, scheme))
            plan.schemes[scheme.code] = scheme
            counts.add("new")
        else:
            plan.report.notice(table.sheet, row.number, f"本单位没有运行积分制“{scheme.name}”（{scheme.code}），未安装："
                               "安装积分制须由管理员在“设置”中进行；工作簿中该积分制的考核细则和积分记录不能导入",
                               header="代码", value=scheme.code)
    if planned:
        try:  # side by side: item prefixes, subjects and sequences must not clash
            scheme_rules.check_together(list(plan.schemes.values()))
        except SchemeError as exc:
            plan.report.problem(table.sheet, planned[0][0], f"积分制之间有冲突：{exc}")
            return
        plan.new_schemes += [s for _, s in planned]


def _definition(plan: Plan, table: Table, number: int, v: dict[str, Any]) -> Scheme | None:
    """The scheme a row stands for, from its 定义（JSON）, else the bundled preset of its code."""
    code = v.get("code")
    if not code:
        plan.cell_problem(table, number, "code", "积分制代码不能为空")
        return None
    try:
        if v.get("definition"):
            scheme = Scheme.from_json(v["definition"])
        elif code in preset_codes():
            scheme = load_preset(code)
        else:
            plan.cell_problem(table, number, "definition", f"缺少积分制定义，本程序也没有代码为“{code}”的预设积分制")
            return None
    except SchemeError as exc:
        plan.cell_problem(table, number, "definition", str(exc), (v.get("definition") or "")[:60])
        return None
    if scheme.code != code:
        plan.cell_problem(table, number, "code", f"定义中的代码是“{scheme.code}”，与本列不符", code)
        return None
    if v.get("name") and fold(v["name"]) != fold(scheme.name):
        plan.cell_problem(table, number, "name", f"定义中的名称是“{scheme.name}”，与本列不符", v["name"])
        return None
    return scheme


def apply_schemes(plan: Plan) -> None:
    """Install the schemes a restore brings (their catalogues are the workbook's, applied next)."""
    if not plan.new_schemes:
        return
    taken = len(list(plan.session.scalars(select(SchemeRow.id))))
    plan.session.execute(insert(SchemeRow), [
        {"code": s.code, "name": s.name, "subject": s.subject, "definition": s.to_json(), "sort_order": taken + i,
         "uuid": _uuid()} for i, s in enumerate(plan.new_schemes)])
    plan.session.flush()


def _uuid() -> str:
    return str(uuid.uuid4())


# --- case reviews (restore only) -------------------------------------------------------------

def plan_case_reviews(plan: Plan, table: Table) -> None:
    if not table.rows:
        return
    counts = plan.report.count(REVIEW_LABEL)
    entries = {e["uuid"]: e for e in plan.new_entries}
    seen: dict[str, int] = {}
    for row in table.rows:
        v = row.values
        outcome = "rejected"
        uid = v.get("entry_uuid")
        entry = entries.get(uid or "")
        if not row.ok:
            pass
        elif not uid:
            plan.cell_problem(table, row.number, "entry_uuid", "记录UUID不能为空")
        elif uid in seen:
            plan.cell_problem(table, row.number, "entry_uuid", f"与第 {seen[uid]} 行审核的是同一条记录", uid)
        elif entry is None:
            plan.cell_problem(table, row.number, "entry_uuid", "“积分明细”中没有这条记录", uid)
        elif not entry.get("case_no") or entry.get("_reverses"):
            plan.cell_problem(table, row.number, "entry_uuid", "这条记录不是案件记录（没有案件编号，或是冲正记录），"
                              "不需要审核", uid)
        else:
            seen[uid] = row.number
            outcome = _plan_review(plan, table, row.number, v)
        counts.add(outcome)


def _plan_review(plan: Plan, table: Table, number: int, v: dict[str, Any]) -> str:
    try:
        state = vocab.case_state(v.get("state") or "")
    except CellError as exc:
        plan.cell_problem(table, number, "state", str(exc), v.get("state"))
        return "rejected"
    if state == "adjusted" and (v.get("points") is None or not v.get("reason")):
        plan.cell_problem(table, number, "points" if v.get("points") is None else "reason",
                          "调整须写明调整后的分值和理由")
        return "rejected"
    if state == "confirmed" and v.get("points") is not None:
        plan.cell_problem(table, number, "points", "确认不改分值：审核结果为“已确认”时调整后分值应为空", v["points"])
        return "rejected"
    plan.new_reviews.append({"uuid": v.get("uuid") or _uuid(), "_entry": v["entry_uuid"], "state": state,
                             "points_tenths": v.get("points") if state == "adjusted" else None,
                             "reason": v.get("reason") or "", "_by": v.get("reviewed_by"),
                             "reviewed_at": v.get("reviewed_at")})
    return "new"


def apply_case_reviews(plan: Plan, users: Any) -> None:
    """`users` gives the (disabled) account of a reviewer by name (`restore.Users`)."""
    if not plan.new_reviews:
        return
    uuids = [r["_entry"] for r in plan.new_reviews]
    ids = dict(plan.session.execute(select(Entry.uuid, Entry.id).where(Entry.uuid.in_(uuids))).all())
    rows = []
    for r in plan.new_reviews:
        by = r["_by"]
        rows.append({k: val for k, val in r.items() if not k.startswith("_")} | {
            "entry_id": ids[r["_entry"]], "reviewed_by_id": users.id(by, Role.CLERK.value),
            "reviewed_by_name": by or "",
            "reviewed_at": r["reviewed_at"] or dt.datetime.now(dt.UTC).replace(tzinfo=None)})
    plan.session.execute(insert(CaseReview), rows)
    plan.session.flush()


# --- score sheets: compared, never imported ----------------------------------------------------

def note_scores(plan: Plan) -> None:
    """A ranking sheet in a workbook that is not a jifen export: read, and left alone."""
    for table in plan.book.of("scores"):
        plan.report.notice(table.sheet, None, SCORES_NOT_IMPORTED)


def compare_scores(plan: Plan, period_code: str | None) -> None:
    """After the entries are written: each score sheet row against what the entries now give."""
    if period_code is None:  # a bureau's own ranking sheet: said when planning (`note_scores`)
        return
    for table in plan.book.of("scores"):
        read = score_sheets.read(table, list(plan.schemes.values()))
        if read.scheme is None:
            plan.report.notice(table.sheet, None, f"{SCORES_NOT_IMPORTED}；也没有认出它属于哪个积分制，未核对")
            continue
        plan.session.flush()
        computed = {r.code: r for r in scheme_scoring.score(plan.session, read.scheme, period_code)}
        differ = 0
        for row in read.rows:
            mine = computed.get(row.values.get("code") or "")
            reason = _difference(read.scheme, row, mine)
            if reason:
                differ += 1
                if differ <= 20:  # a sheet of another copy may differ in every row: the first ones say enough
                    letter, header = table.where("total")
                    plan.report.notice(table.sheet, row.number, reason, column=letter, header=header)
        plan.report.notice(table.sheet, None, f"{SCORES_NOT_IMPORTED}：有 {differ} 行与本数据库按积分记录计算的结果"
                           "不同，以积分记录为准" if differ else f"{SCORES_NOT_IMPORTED}；已与本数据库按积分记录计算的"
                           "结果核对，一致")


def _difference(scheme: Scheme, row: score_sheets.ScoreRow, mine: scheme_scoring.SubjectRow | None) -> str | None:
    code = row.values.get("code")
    if mine is None:
        return f"本数据库中没有“{code}”在积分制“{scheme.name}”中的积分"
    parts = [(c.label, row.components.get(c.key), mine.components.get(c.key, 0)) for c in scheme.components]
    parts.append(("总分", row.values.get("total"), mine.total))
    wrong = [f"{label}（表中 {_points(theirs)}，计算为 {_points(ours)}）" for label, theirs, ours in parts
             if theirs != ours]
    if not wrong:
        return None
    return f"{code} {mine.name}：与按积分记录计算的结果不同：{'，'.join(wrong)}"


def _points(tenths: int | None) -> str:
    return "空" if tenths is None else f"{to_decimal(tenths)}"
