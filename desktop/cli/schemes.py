"""`jifen schemes`, `jifen scheme install`, and `jifen score --scheme`: the station's 积分制.

    jifen schemes [--format table|csv|json]
    jifen scheme install zhifa --from 2026-01-01 --user admin
    jifen score --period 2026-03 --scheme zhifa [--format json]
    jifen case review ENTRY_UUID [--points 5 --reason T] --user fazhi
    jifen case ledger --period 2026-03 [--scheme zhifa] [--unit CODE] [--format json]
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desktop.cli import scheme_sign
from desktop.cli.common import add_format, day, emit, read_json_file, reading, signed_in
from desktop.cli.output import table, to_csv, to_json
from desktop.cli.signin import add_user_argument

SCHEME_FIELDS = (("code", "代码"), ("name", "名称"), ("subject", "考核对象"), ("subject_label", "对象"),
                 ("categories", "考核类别"), ("components", "积分组成"), ("rank_within", "排名范围"),
                 ("periods", "考核周期"))


def cmd_schemes(args: argparse.Namespace) -> int:
    from desktop.services import scheme_registry, schemes

    with reading(args) as session:
        rows = [{"code": s.code, "name": s.name, "subject": s.subject,
                 "subject_label": schemes.SUBJECT_LABELS.get(s.subject, s.subject),
                 "categories": list(s.categories), "components": [c.key for c in s.components],
                 "rank_within": s.rank_within, "periods": list(s.periods)} for s in scheme_registry.active(session)]
    emit(args.format, SCHEME_FIELDS, rows)
    return 0


def cmd_scheme_install(args: argparse.Namespace) -> int:
    from desktop.services import scheme_registry

    start = day(args.start, "生效日期")
    with signed_in(args) as (session, actor):
        scheme = scheme_registry.install(session, actor, args.code, catalogue_from=start)
    print(f"已开始运行积分制“{scheme.name}”（{scheme.code}），考核细则自 {start.isoformat()} 起生效")
    return 0


def cmd_scheme_add(args: argparse.Namespace) -> int:
    """`jifen scheme add 定义.json --from DATE`: a station's own scheme from its definition file."""
    from pathlib import Path

    from desktop.services import scheme_registry

    path = Path(args.file)
    raw = read_json_file(path, "积分制定义文件")
    start = day(args.start, "生效日期")
    with signed_in(args) as (session, actor):
        scheme = scheme_registry.add_definition(session, actor, raw, catalogue_from=start, where=f"“{path.name}”")
    items = len(raw.get("items") or []) if isinstance(raw, dict) else 0
    print(f"已开始运行积分制“{scheme.name}”（{scheme.code}）" + (f"，考核细则 {items} 项自 {start.isoformat()} 起生效"
                                                            if items else "；考核细则请用 catalogue add-version --scheme 建立"))
    return 0


def cmd_scheme_export(args: argparse.Namespace) -> int:
    """`jifen scheme export CODE`: the definition as JSON, the form `scheme add` reads."""
    from desktop.services import scheme_registry

    with reading(args) as session:
        scheme = scheme_registry.scheme_of(session, args.code)
    print(scheme.to_json())
    return 0


def score_scheme(args: argparse.Namespace) -> int:
    """`jifen score --scheme CODE` for a scheme other than the person scheme: the live rows, or
    the frozen ones once the period is submitted for signing (what the signers sign)."""
    from desktop.services import scheme_signing
    from desktop.services.points import fmt, to_tenths

    with reading(args) as session:
        sheet = scheme_signing.sheet(session, args.scheme, args.period)
        if getattr(args, "units", False):
            data = _unit_rows(session, sheet.scheme, args.period)
        else:
            data = sheet.rows
    scheme = sheet.scheme
    data = sorted(data, key=lambda r: (r["class"] or 0, r["sequence"], r["rank"] or 0, r["code"]))
    for row in data:
        row["state"] = sheet.state
    if args.format == "json":
        print(to_json(data))
        return 0

    def points(value: object) -> str:
        return fmt(to_tenths(str(value)))

    headers = ["代码", "名称", "类别", "序列", *[c.label for c in scheme.components], "总分", "待审核", "排名", "等次",
               "说明"]
    cells = [[r["code"], r["name"], r["class"] or "", r["sequence"], *[points(r[c.key]) for c in scheme.components],
              points(r["total"]), points(r["pending"]) if r["pending"] else "", r["rank"] or "", r["grade"] or "",
              r["why"]] for r in data]
    if args.format == "csv":
        sys.stdout.write(to_csv(headers, cells))
    else:
        print(f"{scheme.name} · {sheet.period.label}（{sheet.state_label}）")
        print(table(headers, cells))
    return 0


def _unit_rows(session: Any, scheme: Any, period: str) -> list[dict[str, Any]]:
    """`score --units`: the scheme's unit ranking (执法办案单位), each with its member count."""
    from desktop.services import scheme_scoring
    from desktop.services.errors import ValidationError

    if scheme.unit_ranking is None:
        raise ValidationError(f"积分制“{scheme.name}”不做单位排名（--units 只用于如执法办案这样按单位汇总成员积分的积分制）")
    rows = scheme_scoring.unit_ranking(session, scheme, period)
    return [r.as_json(scheme) | {"members": r.extra.get("members", 0)} for r in rows]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("schemes", help="列出本单位运行的积分制")
    add_format(p)
    p.set_defaults(handler=cmd_schemes)
    scheme = sub.add_parser("scheme", help="积分制：开始运行预设积分制，按积分制的流程提交、签核、解锁")
    actions = scheme.add_subparsers(dest="scheme_action", metavar="操作", required=True)
    install = actions.add_parser("install", help="按预设开始运行一个积分制，并装入它的考核细则")
    install.add_argument("code", metavar="代码", help="dangjian、jiceng、zhifa 或 duiwu")
    install.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD", help="考核细则生效日期")
    add_user_argument(install)
    install.set_defaults(handler=cmd_scheme_install)
    add = actions.add_parser("add", help="按定义文件（JSON，可含 items 细则项目）开始运行本单位自己的积分制")
    add.add_argument("file", metavar="文件", help="积分制定义 JSON，格式同 scheme export 的输出")
    add.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD", help="考核细则生效日期")
    add_user_argument(add)
    add.set_defaults(handler=cmd_scheme_add)
    export = actions.add_parser("export", help="把一个积分制的定义打印为 JSON（scheme add 读取的格式）")
    export.add_argument("code", metavar="代码")
    export.set_defaults(handler=cmd_scheme_export)
    scheme_sign.register_actions(actions)
    register_cases(sub)


CASE_FIELDS = (("case_no", "案件编号"), ("case_type", "案件类型"), ("people", "人员"), ("recorded", "录入分"),
               ("counted", "计入分"), ("pending", "待审核条数"), ("entries", "记录编号"))


def cmd_case_review(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from desktop.models.ledger import Entry
    from desktop.services import cases
    from desktop.services.errors import NotFound
    from desktop.services.points import fmt, to_tenths

    points = to_tenths(args.points, field="--points") if args.points is not None else None
    state = "adjusted" if points is not None else "confirmed"
    with signed_in(args) as (session, actor):
        entry = session.scalar(select(Entry).where(Entry.uuid == args.entry.strip()))
        if entry is None:
            raise NotFound(f"没有编号为“{args.entry}”的积分记录")
        cases.review(session, actor, entry.id, state, points_tenths=points, reason=args.reason or "")
        done = f"调整为 {fmt(points)} 分" if points is not None else "确认"
        print(f"已审核：案件 {entry.case_no} 的记录 {entry.uuid}，{done}")
    return 0


def cmd_case_ledger(args: argparse.Namespace) -> int:
    from desktop.services import cases, periods, units
    from desktop.services.points import to_decimal

    with reading(args) as session:
        unit_id = units.unit_by_code(session, args.unit).id if args.unit else None
        lines = cases.ledger_of(session, args.scheme, periods.parse_period(args.period), unit_id)
        rows = [{"case_no": c.case_no, "case_type": c.case_type, "people": c.people,
                 "recorded": to_decimal(c.recorded), "counted": to_decimal(c.counted), "pending": c.pending,
                 "entries": c.entries} for c in lines]
    emit(args.format, CASE_FIELDS, rows)
    return 0


def register_cases(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    case = sub.add_parser("case", help="执法办案：案件积分审核（法制大队）与案件台账")
    actions = case.add_subparsers(dest="case_action", metavar="操作", required=True)
    review = actions.add_parser("review", help="确认一条案件记录的积分，或带理由调整分值（月份锁定前）")
    review.add_argument("entry", metavar="记录编号", help="积分记录的 uuid（见 jifen entries）")
    review.add_argument("--points", help="调整后的分值（不写则为确认）")
    review.add_argument("--reason", help="调整理由（调整时必填）")
    add_user_argument(review)
    review.set_defaults(handler=cmd_case_review)
    ledger = actions.add_parser("ledger", help="一个周期的案件台账：每个案件一行")
    ledger.add_argument("--period", required=True)
    ledger.add_argument("--scheme", default="zhifa", help="积分制代码（默认 zhifa）")
    ledger.add_argument("--unit", help="只列出这个执法办案单位成员的案件")
    add_format(ledger)
    ledger.set_defaults(handler=cmd_case_ledger)
