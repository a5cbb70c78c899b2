"""`jifen explain`, `jifen policy show|set|history`: why a grade, and the grade policy in force.

    jifen explain --period 2026-Q1 --person 150212 [--format text|json]
    jifen policy show [--period 2026-03] [--format json]
    jifen policy set 政策.json --from 2026-12 [--preview] --user suozhang
    jifen policy history [--format json]
    jifen leave add --person 150212 --from 2026-03-01 --to 2026-03-20 --kind 病假 --user neiqin
    jifen leave list [--person 150212] [--format json]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.output import table, to_json
from desktop.cli.signin import add_user_argument, sign_in
from desktop.services.errors import NotFound, ValidationError

PERIOD_HELP = "考核周期：2026-03（月）、2026-Q1（季度）、2026-H1（半年）或 2026（年）"


def _open(args: argparse.Namespace):
    from desktop.cli import open_existing

    return open_existing(args)


def _period(session, code: str):
    from desktop.services import periods

    spec = periods.parse_period(code)
    return periods.find_period(session, spec.code) or periods.transient(spec)


def explain_person(session, period, badge: str) -> dict[str, object]:
    """The explanation of one person's grade, as the JSON `explain` prints."""
    from desktop.services import grade_why, review, scoring
    from desktop.services.points import to_decimal
    from desktop.services.policies import policy_for

    rows = review.with_review_flags(session, period, scoring.results(session, period))
    row = next((r for r in rows if r.badge == badge.strip()), None)
    if row is None:
        raise NotFound(f"{period.code} 的考核名单中没有警号“{badge}”")
    policy = policy_for(session, period)
    members = [r for r in rows if r.ranking_group == row.ranking_group]
    months = len(scoring.spec_of(period).months())
    vetoes = scoring.veto_items(session, period, {row.person_id}) if row.vetoed else {}
    override = None
    if "override" in row.flags:
        found = scoring._latest_overrides(session, period).get(row.person_id)
        if found is not None:
            override = {"from": row.engine_grade, "to": found.to_grade, "reason": found.reason}
    why = grade_why.explain(policy, row, members, months, vetoes.get(row.person_id, ""), override)
    return {
        "period": period.code, "badge": row.badge, "name": row.name, "department": row.department,
        "grade": row.grade, "grade_label": policy.label_of(row.grade), "engine_grade": row.engine_grade,
        "total": to_decimal(row.total), "ranked_total": to_decimal(row.ranked_total),
        "days_present": row.days_present, "period_days": row.period_days, "policy": policy.code,
        "policy_name": policy.name, "why": row.why or why.one_line(), "lines": why.lines, **why.detail,
    }


def cmd_explain(args: argparse.Namespace) -> int:
    db = _open(args)
    try:
        with db.session() as session:
            data = explain_person(session, _period(session, args.period), args.person)
    finally:
        db.dispose()
    if args.format == "json":
        print(to_json(data))
        return 0
    print(f"{data['name']}（{data['badge']}，{data['department']}）{data['period']}：{data['grade_label'] or '不评等次'}")
    for line in data["lines"]:  # type: ignore[union-attr]
        print(f"  · {line}")
    for line in data.get("quota") or []:  # type: ignore[union-attr]
        print(f"  比例：{line}")
    print(f"  等次政策：{data['policy_name']}")
    return 0


def cmd_policy_show(args: argparse.Namespace) -> int:
    from desktop.services.policies import policy_for

    db = _open(args)
    try:
        with db.session() as session:
            period = _period(session, args.period) if args.period else None
            policy = policy_for(session, period)
    finally:
        db.dispose()
    print(policy.to_json())
    return 0


def cmd_policy_history(args: argparse.Namespace) -> int:
    from desktop.services import policies

    db = _open(args)
    try:
        with db.session() as session:
            rows = [{"effective_from": v.effective_from.isoformat()[:7], "code": v.code, "name": v.name,
                     "reason": v.reason, "created_at": v.created_at.isoformat(timespec="seconds")}
                    for v in policies.versions(session)]
    finally:
        db.dispose()
    if args.format == "json":
        print(to_json(rows))
    else:
        print(table(["生效月份", "代码", "名称", "说明", "建立时间"], [list(r.values()) for r in rows]))
    return 0


def _month_start(code: str):
    from desktop.models.enums import PeriodKind
    from desktop.services import periods

    spec = periods.parse_period(code)
    if spec.kind != PeriodKind.MONTH:
        raise ValidationError(f"--from 应为月份，如 2026-12，不能是“{code}”")
    return spec.start


def cmd_policy_set(args: argparse.Namespace) -> int:
    from desktop.services import periods, policies

    path = Path(args.file)
    if not path.is_file():
        raise NotFound(f"政策文件“{path}”不存在")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"政策文件“{path}”无法读取（应为 UTF-8 编码的 JSON）：{exc}") from exc
    policy = policies.parse_policy_file(text)
    start = _month_start(args.effective_from)
    db = _open(args)
    try:
        actor = sign_in(db, args.user)
        with db.transaction() as session:
            from desktop.services.actor import require

            require(actor, "policy.edit")
            month = periods.find_period(session, args.effective_from) or periods.transient(
                periods.parse_period(args.effective_from))
            changes = policies.preview(session, policy, month)
            print(f"新政策“{policy.name}”在 {month.code} 将改变 {len(changes)} 人的等次：")
            for c in changes:
                print(f"  {c.badge} {c.name}（{c.department}）：{c.before or '—'} → {c.after or '—'}")
            if args.preview:
                print("（仅预览，未保存）")
                return 0
            policies.set_policy(session, actor, policy, start, args.reason or "")
        print(f"已保存：自 {args.effective_from} 起执行“{policy.name}”，此前各月等次不变")
    finally:
        db.dispose()
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    explain = sub.add_parser("explain", help="说明某人某期为什么是这个等次")
    explain.add_argument("--period", required=True, help=PERIOD_HELP)
    explain.add_argument("--person", required=True, metavar="警号")
    explain.add_argument("--format", choices=("text", "json"), default="text")
    explain.set_defaults(handler=cmd_explain)

    policy = sub.add_parser("policy", help="等次政策：查看、修改（新版本自某月起生效）、历史")
    actions = policy.add_subparsers(dest="policy_action", metavar="操作", required=True)
    show = actions.add_parser("show", help="打印现行等次政策（即 policy set 读取的格式）")
    show.add_argument("--period", help="某一周期所用的政策（默认本月）")
    show.add_argument("--format", choices=("json",), default="json")
    show.set_defaults(handler=cmd_policy_show)
    put = actions.add_parser("set", help="自某月起执行新的等次政策（需所长或管理员）")
    put.add_argument("file", help="政策文件（JSON，格式同 policy show 的输出）")
    put.add_argument("--from", dest="effective_from", required=True, metavar="YYYY-MM", help="生效月份")
    put.add_argument("--preview", action="store_true", help="只列出生效月份谁的等次会变，不保存")
    put.add_argument("--reason", help="修改说明（记入审计）")
    add_user_argument(put)
    put.set_defaults(handler=cmd_policy_set)
    history = actions.add_parser("history", help="列出等次政策的各个版本")
    history.add_argument("--format", choices=("table", "json"), default="table")
    history.set_defaults(handler=cmd_policy_history)
    register_leave(sub)


def _day(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationError(f"日期“{text}”应写作 2026-03-05") from exc


def cmd_leave_add(args: argparse.Namespace) -> int:
    from desktop.services import absences

    start, end = _day(args.start), _day(args.end)
    db = _open(args)
    try:
        actor = sign_in(db, args.user)
        with db.transaction() as session:
            row = absences.record(session, actor, args.person, start, end, args.kind, args.note or "")
            days = (row.end - row.start).days + 1
        print(f"已登记：{args.person} {args.kind} {start.isoformat()} 至 {end.isoformat()}，共 {days} 天")
    finally:
        db.dispose()
    return 0


def cmd_leave_list(args: argparse.Namespace) -> int:
    from desktop.services import absences

    db = _open(args)
    try:
        with db.session() as session:
            rows = [{"badge": p.badge, "name": p.name, "kind": a.kind, "start": a.start.isoformat(),
                     "end": a.end.isoformat(), "days": (a.end - a.start).days + 1, "note": a.note}
                    for a, p in absences.list_absences(session, args.person)]
    finally:
        db.dispose()
    if args.format == "json":
        print(to_json(rows))
    else:
        print(table(["警号", "姓名", "类别", "开始", "结束", "天数", "说明"], [list(r.values()) for r in rows]))
    return 0


def register_leave(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from desktop.services.absences import KINDS

    leave = sub.add_parser("leave", help="请假、借调登记（长期请假可按等次政策不参与排名）")
    actions = leave.add_subparsers(dest="leave_action", metavar="操作", required=True)
    add = actions.add_parser("add", help="登记一段请假（内勤或管理员）")
    add.add_argument("--person", required=True, metavar="警号")
    add.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--kind", required=True, help="、".join(KINDS))
    add.add_argument("--note")
    add_user_argument(add)
    add.set_defaults(handler=cmd_leave_add)
    show = actions.add_parser("list", help="列出请假记录")
    show.add_argument("--person", metavar="警号")
    show.add_argument("--format", choices=("table", "json"), default="table")
    show.set_defaults(handler=cmd_leave_list)
