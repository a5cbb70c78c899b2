"""Self-report review, reviewers, ratings, probation, complaints, alerts and late findings.

    jifen review pending --user zhongduizhang [--format json]    # the reviewer's queue
    jifen review approve|reject|adjust ID [--reason T] [--qty N] [--points P] --user U
    jifen review mine --user minjing                             # an officer's own reports
    jifen rate --period 2026-11 --person 150212 --level 良好 [--reason T] [--remark T] --user U
    jifen reviewers [--format json];  jifen reviewers set-leader|set-leaders|set-person … --user admin
    jifen probation add|list;  jifen complaint add|verify|list;  jifen alerts;  jifen late add|report
    jifen publish on|off --user admin

The same services as the desktop 自报 and 审核 screens; they check who may decide what.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from desktop.cli.common import PERIOD_HELP, add_format, day, emit, period_of, reading, signed_in
from desktop.cli.output import to_json
from desktop.cli.signin import add_user_argument
from desktop.services.errors import ValidationError

REPORT_FIELDS = (
    ("id", "编号"), ("date", "日期"), ("badge", "警号"), ("name", "姓名"), ("item_code", "项目编号"),
    ("item_name", "项目"), ("quantity", "数量"), ("points", "分值"), ("status", "状态代码"),
    ("status_label", "状态"), ("decided_by", "审核人"), ("reason", "理由"), ("note", "说明"),
    ("evidence", "证明材料"), ("reported_at", "自报时间"), ("kind", "类型"), ("uuid", "UUID"),
    ("entry_id", "积分记录"),
)
TABLE_REPORT_FIELDS = REPORT_FIELDS[:12]


def _emit_reports(fmt: str, reports: list[dict[str, Any]]) -> None:
    if fmt != "json":
        for row in reports:
            row["evidence"] = "、".join(row["evidence"])
    emit(fmt, TABLE_REPORT_FIELDS if fmt == "table" else REPORT_FIELDS, reports)


def cmd_pending(args: argparse.Namespace) -> int:
    from desktop.services import self_report

    with signed_in(args) as (session, actor):
        rows = [self_report.report_json(r) for r in self_report.pending_for(session, actor)]
    _emit_reports(args.format, rows)
    return 0


def cmd_mine(args: argparse.Namespace) -> int:
    from desktop.services import self_report

    with signed_in(args) as (session, actor):
        if actor.person_id is None:
            raise ValidationError("账号没有对应的在册人员，没有自报记录")
        rows = [self_report.report_json(r) for r in self_report.reports_of(session, actor.person_id)]
    _emit_reports(args.format, rows)
    return 0


def cmd_decide(args: argparse.Namespace) -> int:
    from desktop.services import self_report
    from desktop.services.points import to_tenths

    points = None if getattr(args, "points", None) is None else to_tenths(args.points, field="分值")
    qty = getattr(args, "qty", None)
    with signed_in(args) as (session, actor):
        report = self_report.decide(session, actor, args.report, args.decision, reason=args.reason or "",
                                    quantity=qty, points_tenths=points)
        text = f"已审核：{report.person.name}（{report.person.badge}）{report.occurred_on.isoformat()} " \
               f"{report.item_code} {report.item_name}——{report.status_label}"
        if report.decision_reason:
            text += f"（{report.decision_reason}）"
    print(text)
    return 0


def cmd_rate(args: argparse.Namespace) -> int:
    from desktop.services import ratings, roster

    if not args.level and not args.remark:
        raise ValidationError("请用 --level 写等次，或用 --remark 写评语")
    with signed_in(args) as (session, actor):
        period = period_of(session, args.period, create=True)
        person = roster.person_by_badge(session, args.person)
        row = ratings.rate(session, actor, period, person.id, args.level or "", reason=args.reason or "",
                           remark=args.remark or "")
        text = f"已评定：{person.name}（{person.badge}）{period.code} "
        text += f"等次“{row.level}”（建议“{row.suggested}”）" if row.level else "评语已保存"
    print(text)
    return 0


def cmd_reviewers(args: argparse.Namespace) -> int:
    from desktop.models.people import Person
    from desktop.services import reviewers

    with reading(args) as session:
        today = dt.date.today()
        review = reviewers.ReviewMap(session, today)
        from sqlalchemy import select

        people = [p for p in session.scalars(select(Person).order_by(Person.badge)) if p.active_on(today)]
        rows = []
        for p in people:
            who = review.of(p)
            rows.append({"badge": p.badge, "name": p.name, "department": p.department.name, "position": p.position,
                         "reviewer_badge": who.person.badge if who.person else None,
                         "reviewer_name": who.person.name if who.person else "", "basis": who.basis,
                         "basis_label": reviewers.BASIS_LABELS[who.basis]})
        settings = [a.__dict__ for a in reviewers.listing(session)]
    if args.format == "json":
        print(to_json({"people": rows, "assignments": settings}))
        return 0
    emit(args.format, (("badge", "警号"), ("name", "姓名"), ("department", "部门"), ("position", "职务"),
                       ("reviewer_name", "审核人"), ("basis_label", "依据")), rows)
    return 0


def cmd_set_reviewer(args: argparse.Namespace) -> int:
    from desktop.services import reviewers

    clear = args.reviewer in ("", "无", "none")
    with signed_in(args) as (session, actor):
        if args.reviewers_action == "set-leader":
            reviewers.set_leader_in_charge(session, actor, args.department, None if clear else args.reviewer)
            text = f"已设置：{args.department}的分管领导为 {args.reviewer}"
        elif args.reviewers_action == "set-leaders":
            reviewers.set_leaders_reviewer(session, actor, None if clear else args.reviewer)
            text = f"已设置：所领导由 {args.reviewer} 审核"
        else:
            reviewers.set_person_reviewer(session, actor, args.person, None if clear else args.reviewer)
            text = f"已设置：{args.person}由 {args.reviewer} 审核"
    print(text if not clear else text.split("：")[0] + "：已清除，按职务规则确定审核人")
    return 0


def cmd_probation(args: argparse.Namespace) -> int:
    from desktop.services import probation

    if args.probation_action == "add":
        with signed_in(args) as (session, actor):
            row = probation.add(session, actor, args.person, day(args.start), day(args.end), args.cause,
                                args.reason or "")
            text = f"已登记试岗：{args.person} {row.start.isoformat()} 至 {row.end.isoformat()}（{probation.CAUSES[row.cause]}）"
        print(text)
        return 0
    with reading(args) as session:
        rows = [{"badge": r_person.badge, "name": r_person.name, "start": r.start.isoformat(),
                 "end": r.end.isoformat(), "cause": r.cause, "cause_label": probation.CAUSES[r.cause],
                 "reason": r.reason, "created_by": r.created_by_name}
                for r in probation.on_record(session) for r_person in [_person(session, r.person_id)]]
    emit(args.format, (("badge", "警号"), ("name", "姓名"), ("start", "开始"), ("end", "结束"),
                       ("cause_label", "原因"), ("reason", "说明"), ("created_by", "登记人"), ("cause", "原因代码")),
         rows)
    return 0


def _person(session: Any, person_id: int) -> Any:
    from desktop.models.people import Person

    return session.get(Person, person_id)


def cmd_complaint(args: argparse.Namespace) -> int:
    from desktop.services import complaints

    if args.complaint_action == "add":
        with signed_in(args) as (session, actor):
            row = complaints.register(session, actor, received_on=day(args.date), source=args.source,
                                      content=args.content, badge=args.person or "", anonymous=args.anonymous,
                                      complainant=args.complainant or "")
            text = f"已登记投诉：编号 {row.id}，待核实"
        print(text)
        return 0
    if args.complaint_action == "verify":
        entry_id = None
        with signed_in(args) as (session, actor):
            if args.entry:
                from desktop.cli.ledger import entry_by_uuid

                entry_id = entry_by_uuid(session, args.entry).id
            row = complaints.verify(session, actor, args.complaint, args.outcome, args.finding,
                                    follow_up=args.follow_up or "", entry_id=entry_id)
            text = f"已登记核实结果：投诉 {row.id} {complaints.OUTCOMES[row.outcome]}"
        print(text)
        return 0
    with reading(args) as session:
        rows = [complaints.complaint_json(r) for r in complaints.listing(session)]
        for row in rows:
            person = _person(session, row["person_id"]) if row["person_id"] else None
            row["badge"], row["name"] = (person.badge, person.name) if person else (None, "")
    fields = (("id", "编号"), ("received_on", "收到日期"), ("name", "被投诉人"), ("source_label", "来源"),
              ("anonymous", "匿名"), ("content", "内容"), ("outcome_label", "核实结果"), ("finding", "核实情况"),
              ("follow_up", "处理"), ("entry_id", "扣分记录"), ("badge", "警号"), ("uuid", "UUID"))
    if args.format == "json":  # every field of complaint_json, plus the person's badge and name
        fields += (("source", "来源代码"), ("outcome", "核实结果代码"), ("complainant", "投诉人"),
                   ("person_id", "人员"))
    emit(args.format, fields, rows)
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    from desktop.services import alerts

    when = day(args.date) if args.date else dt.date.today()
    with reading(args) as session:
        rows = [a.as_json() for a in alerts.alerts(session, when)]
    emit(args.format, (("badge", "警号"), ("name", "姓名"), ("text", "预警"), ("reviewer", "审核人"),
                       ("rule", "规则")), rows)
    return 0


def _rule(text: str, what: str) -> tuple[int, ...] | None:
    """"3/30" (count/days) or "2" (months); "off" turns the rule off."""
    if text.strip().lower() in ("off", "关", "无"):
        return None
    try:
        return tuple(int(part) for part in text.replace("／", "/").split("/"))
    except ValueError:
        raise ValidationError(f"{what}“{text}”应写作数字（如 3/30 或 2），或写 off 关闭") from None


def cmd_alert_rules(args: argparse.Namespace) -> int:
    """Set the early-warning rules (the same as 设置 → 审核人 → 公开与预警)."""
    from desktop.services import station_settings

    if args.deductions is None and args.low_months is None:
        raise ValidationError("请用 --deductions 次数/天数 或 --low-months 月数 修改预警规则（写 off 关闭）")
    deductions = _rule(args.deductions, "--deductions") if args.deductions is not None else ()
    low = _rule(args.low_months, "--low-months") if args.low_months is not None else ()
    if deductions and len(deductions) != 2:
        raise ValidationError("--deductions 应写作 次数/天数，如 3/30")
    if low and len(low) != 1:
        raise ValidationError("--low-months 应写一个月数，如 2")
    with signed_in(args) as (session, actor):
        rules = {r.get("kind"): r for r in station_settings.alert_rules(session)}
        if deductions is None:
            rules.pop("deductions", None)
        elif deductions:
            rules["deductions"] = {"kind": "deductions", "count": deductions[0], "days": deductions[1]}
        if low is None:
            rules.pop("low_months", None)
        elif low:
            rules["low_months"] = {"kind": "low_months", "months": low[0]}
        station_settings.set_alert_rules(session, actor, list(rules.values()))
        kept = station_settings.alert_rules(session)
    print("预警规则已保存：" + ("；".join(_rule_text(r) for r in kept) or "不预警"))
    return 0


def _rule_text(rule: dict[str, Any]) -> str:
    if rule.get("kind") == "deductions":
        return f"{rule['days']} 天内同类扣分 {rule['count']} 次"
    return f"连续 {rule.get('months')} 个月等次靠后"


def cmd_late(args: argparse.Namespace) -> int:
    from desktop.services import accountability
    from desktop.services.points import to_tenths

    if args.late_action == "add":
        points = None if args.points is None else to_tenths(args.points, field="分值")
        with signed_in(args) as (session, actor):
            row = accountability.record(session, actor, args.person, args.item, day(args.date), args.note, points)
            text = (f"已登记锁定后查实的问题：{args.person} {row.item_name}；审核人 {row.reviewer_name or '无'}；"
                    f"签字人 {row.signers or '无'}")
        print(text)
        return 0
    with reading(args) as session:
        rows = [{"reviewer": t.reviewer, "findings": t.findings, "people": t.people, "months": t.months}
                for t in accountability.by_reviewer(session)]
    if args.format != "json":
        for row in rows:
            row["people"], row["months"] = "、".join(row["people"]), "、".join(row["months"])
    emit(args.format, (("reviewer", "审核人"), ("findings", "查实问题"), ("people", "涉及人员"),
                       ("months", "月份")), rows)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from desktop.services import station_settings

    with signed_in(args) as (session, actor):
        station_settings.set_publish_early(session, actor, args.state == "on")
    print("已设置：未签核的月份也向全体民警公开" if args.state == "on" else "已设置：月份签核后才向全体民警公开（默认）")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    review = sub.add_parser("review", help="审核民警自报：待审核、通过、调整、退回；民警查看本人自报")
    actions = review.add_subparsers(dest="review_action", metavar="操作", required=True)
    pending = actions.add_parser("pending", help="本人审核的人员待审核的自报")
    add_format(pending)
    add_user_argument(pending)
    pending.set_defaults(handler=cmd_pending)
    mine = actions.add_parser("mine", help="本人的自报及审核结果")
    add_format(mine)
    add_user_argument(mine)
    mine.set_defaults(handler=cmd_mine)
    for name, decision, help_text in (("approve", "approve", "通过（计分）"), ("reject", "reject", "退回（须写理由）"),
                                      ("adjust", "adjust", "调整数量或分值后通过（须写理由）")):
        p = actions.add_parser(name, help=help_text)
        p.add_argument("report", type=int, metavar="编号", help="自报编号（review pending 的“编号”列）")
        p.add_argument("--reason", metavar="理由", help="调整和退回必填，民警会看到")
        if decision == "adjust":
            p.add_argument("--qty", type=int, metavar="数量")
            p.add_argument("--points", metavar="分值", help="区间赋分项目每次的分值")
        add_user_argument(p)
        p.set_defaults(handler=cmd_decide, decision=decision)

    rate = sub.add_parser("rate", help="审核人评定某人某月的等次（审核人评定的等次政策），或写月度评语")
    rate.add_argument("--period", required=True, metavar="月份", help=PERIOD_HELP)
    rate.add_argument("--person", required=True, metavar="警号")
    rate.add_argument("--level", metavar="等次", help="如 优秀、良好、合格、一般、差")
    rate.add_argument("--reason", metavar="理由", help="与建议等次不同时必填")
    rate.add_argument("--remark", metavar="评语", help="本月评语（印在政绩档案上）")
    add_user_argument(rate)
    rate.set_defaults(handler=cmd_rate)

    rv = sub.add_parser("reviewers", help="每个人的审核人（按职务）；设置分管领导、所领导的审核人、个人的审核人")
    add_format(rv)
    rv.set_defaults(handler=cmd_reviewers)
    rv_actions = rv.add_subparsers(dest="reviewers_action", metavar="操作")
    leader = rv_actions.add_parser("set-leader", help="设置部门的分管领导（审核该部门负责人）")
    leader.add_argument("department", metavar="部门")
    leader.add_argument("reviewer", metavar="警号", help="分管领导的警号；写“无”清除")
    leaders = rv_actions.add_parser("set-leaders", help="设置所领导的审核人（所长或政委）")
    leaders.add_argument("reviewer", metavar="警号", help="写“无”则由一把手审核")
    one = rv_actions.add_parser("set-person", help="单独指定某人的审核人")
    one.add_argument("person", metavar="警号")
    one.add_argument("reviewer", metavar="审核人警号", help="写“无”恢复按职务确定")
    for p in (leader, leaders, one):
        add_user_argument(p)
        p.set_defaults(handler=cmd_set_reviewer)

    pr = sub.add_parser("probation", help="试岗：登记、列出")
    pr_actions = pr.add_subparsers(dest="probation_action", metavar="操作", required=True)
    add = pr_actions.add_parser("add", help="登记试岗（所长）")
    add.add_argument("--person", required=True, metavar="警号")
    add.add_argument("--start", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--end", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--cause", required=True, metavar="原因",
                     help="duty（不履行岗位职责）、discipline（不遵守纪律规定）、obedience（不服从组织管理）、"
                          "fit（不满足岗位需求）、attitude（不在工作状态）")
    add.add_argument("--reason", metavar="说明")
    add_user_argument(add)
    add.set_defaults(handler=cmd_probation)
    listing = pr_actions.add_parser("list", help="列出试岗登记")
    add_format(listing)
    listing.set_defaults(handler=cmd_probation)

    cp = sub.add_parser("complaint", help="投诉与群众评议登记：登记、核实、列出")
    cp_actions = cp.add_subparsers(dest="complaint_action", metavar="操作", required=True)
    cadd = cp_actions.add_parser("add", help="登记一件投诉")
    cadd.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="收到日期")
    cadd.add_argument("--source", required=True, metavar="来源", help="hotline、visit、letter、online、review、inspection、other")
    cadd.add_argument("--content", required=True, metavar="内容")
    cadd.add_argument("--person", metavar="警号", help="被投诉的民警")
    cadd.add_argument("--anonymous", action="store_true", help="匿名投诉")
    cadd.add_argument("--complainant", metavar="投诉人")
    add_user_argument(cadd)
    cadd.set_defaults(handler=cmd_complaint)
    verify = cp_actions.add_parser("verify", help="登记核实结果；属实的可关联扣分记录")
    verify.add_argument("complaint", type=int, metavar="编号")
    verify.add_argument("--outcome", required=True, metavar="结果", help="verified（属实）、partly（部分属实）、unfounded（不属实）")
    verify.add_argument("--finding", required=True, metavar="核实情况")
    verify.add_argument("--follow-up", metavar="处理")
    verify.add_argument("--entry", metavar="记录编号", help="为此录入的扣分记录（jifen entries 的“编号”）")
    add_user_argument(verify)
    verify.set_defaults(handler=cmd_complaint)
    clist = cp_actions.add_parser("list", help="列出投诉登记")
    add_format(clist)
    clist.set_defaults(handler=cmd_complaint)

    al = sub.add_parser("alerts", help="预警：近期多次扣分、连续等次靠后的人员（提醒审核人和所长）；alerts rules 修改规则")
    al.add_argument("--date", metavar="YYYY-MM-DD", help="以哪天为准（默认今天）")
    add_format(al)
    al.set_defaults(handler=cmd_alerts)
    al_actions = al.add_subparsers(dest="alerts_action", metavar="操作")
    rules = al_actions.add_parser("rules", help="修改预警规则（管理员）")
    rules.add_argument("--deductions", metavar="次数/天数", help="如 3/30：30 天内同类扣分 3 次；off 关闭")
    rules.add_argument("--low-months", metavar="月数", help="如 2：连续 2 个月等次靠后；off 关闭")
    add_user_argument(rules)
    rules.set_defaults(handler=cmd_alert_rules)

    late = sub.add_parser("late", help="锁定后查实的问题（倒查责任）：登记、按审核人统计")
    late_actions = late.add_subparsers(dest="late_action", metavar="操作", required=True)
    ladd = late_actions.add_parser("add", help="登记已锁定月份查实的问题，记下当月的审核人和签字人")
    ladd.add_argument("--person", required=True, metavar="警号")
    ladd.add_argument("--item", required=True, metavar="项目编号")
    ladd.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="问题发生的日期")
    ladd.add_argument("--note", required=True, metavar="说明", help="查实的问题和来源")
    ladd.add_argument("--points", metavar="分值")
    add_user_argument(ladd)
    ladd.set_defaults(handler=cmd_late)
    lrep = late_actions.add_parser("report", help="按审核人统计锁定后查实的问题")
    add_format(lrep)
    lrep.set_defaults(handler=cmd_late)

    pub = sub.add_parser("publish", help="未签核月份是否向全体民警公开（默认签核后才公开）")
    pub.add_argument("state", choices=("on", "off"), metavar="on|off")
    add_user_argument(pub)
    pub.set_defaults(handler=cmd_publish)
