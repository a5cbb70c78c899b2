"""`jifen period …`, `jifen periods`, `jifen override`: a period's review, sign-off and lock.

    jifen period submit --period 2026-03 --user neiqin            # 录入中 → 审核中
    jifen period confirm|unconfirm --period 2026-03 --person 150212[,150213…] --user U
    jifen period dispute|resolve --period 2026-03 --person 150212 … --user U
    jifen period sign --period 2026-03 --user suozhang            # next step of the chain
    jifen period lock|reopen|withdraw|back --period P … --user U
    jifen periods [--format table|csv|json]
    jifen override --period 2026-03 --person 150212 --grade B --reason 说明 --user suozhang

The same calls as the desktop review screen; the services check roles, states and reasons.
Awards (`jifen award …`) live in desktop/cli/award.py and are registered from here.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, Any

from desktop.cli.common import (
    PERIOD_HELP,
    add_format,
    emit,
    period_of,
    reading,
    signed_in,
    signed_in_keeping_password,
)
from desktop.cli.signin import add_user_argument
from desktop.services.errors import ValidationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop.models.people import Person
    from desktop.models.periods import Period

# A confirmation recorded without --comment says who spoke, as the desktop's button does.
OWN_CONFIRMATION = "本人在命令行中确认"
PAPER_CONFIRMATION = "已登记纸质确认单（本人签字）"


def label(period: Period) -> str:
    from desktop.services.periods import spec_of

    return spec_of(period).label


def who(person: Person) -> str:
    return f"{person.name}（{person.badge}）"


def utc_iso(moment: dt.datetime | None) -> str | None:
    """A stored UTC moment (no zone in the database) with its zone spelled out."""
    return None if moment is None else moment.replace(tzinfo=dt.UTC).isoformat(timespec="seconds")


def local_iso(moment: dt.datetime | None) -> str | None:
    """A stored local moment: `periods.lock` and `scoring.store` stamp dt.datetime.now(), unlike
    the UTC of every other row, so the zone added here is this computer's."""
    return None if moment is None else moment.astimezone().isoformat(timespec="seconds")


def cmd_submit(args: argparse.Namespace) -> int:
    from desktop.services import periods

    with signed_in(args) as (session, actor):
        period = period_of(session, args.period, create=True)
        periods.start_review(session, actor, period)
        text = f"已提交审核：{label(period)}现为“审核中”，民警可确认或提出异议"
    print(text)
    return 0


def _badges(text: str) -> list[str]:
    """“150212,150213 150214”: badges separated by commas (either width) or spaces."""
    badges = [b for b in text.replace("，", ",").replace(" ", ",").split(",") if b.strip()]
    if not badges:
        raise ValidationError("--person 需要至少一个警号")
    return [b.strip() for b in badges]


def cmd_confirm(args: argparse.Namespace) -> int:
    """One or several people's sheets confirmed (an officer his own; a clerk the paper slips)."""
    from desktop.models.enums import Role
    from desktop.services import review, roster

    with signed_in(args) as (session, actor):
        period = period_of(session, args.period, create=True)
        people = [roster.person_by_badge(session, badge) for badge in _badges(args.person)]
        own = actor.role == Role.OFFICER
        comment = args.comment if args.comment is not None else (OWN_CONFIRMATION if own else PAPER_CONFIRMATION)
        review.confirm_many(session, actor, period, [p.id for p in people], comment)
        names = "、".join(who(p) for p in people)
        count = f"（{len(people)} 人）" if len(people) > 1 else ""
        text = f"已登记确认{count}：{names}{label(period)}的积分"
    print(text)
    return 0


def cmd_unconfirm(args: argparse.Namespace) -> int:
    """Confirmations recorded by mistake taken back, before anyone has signed."""
    from desktop.services import review, roster

    with signed_in(args) as (session, actor):
        period = period_of(session, args.period, create=True)
        people = [roster.person_by_badge(session, badge) for badge in _badges(args.person)]
        for person in people:
            review.unconfirm(session, actor, period, person.id, args.reason or "")
        count = f"（{len(people)} 人）" if len(people) > 1 else ""
        text = f"已撤销确认{count}：{'、'.join(who(p) for p in people)}{label(period)}现为未确认"
    print(text)
    return 0


def _person_step(args: argparse.Namespace, verb: str) -> int:
    """dispute and resolve: one person's answer to the month sheet, the chief's answer to it."""
    from desktop.services import review, roster

    with signed_in(args) as (session, actor):
        period = period_of(session, args.period, create=True)
        person = roster.person_by_badge(session, args.person)
        if verb == "dispute":
            review.dispute(session, actor, period, person.id, args.comment)
            text = f"已登记异议：{who(person)}对{label(period)}的积分，待所长处理"
        else:
            review.resolve(session, actor, period, person.id, args.resolution)
            text = f"已处理异议：{who(person)}{label(period)}，处理意见已记录"
    print(text)
    return 0


def cmd_sign(args: argparse.Namespace) -> int:
    from desktop.models.enums import PeriodState, Role
    from desktop.services import sign_checklist, signoff

    with signed_in_keeping_password(args) as (session, actor, password):
        period = period_of(session, args.period, create=True)
        if args.step is not None:
            open_step = signoff.next_step(session, period) if period.state == PeriodState.REVIEW.value else None
            if open_step is None or open_step.seq != args.step:
                now = f"当前待签的是第 {open_step.seq} 步“{open_step.title}”" if open_step else "没有待签的环节"
                raise ValidationError(f"第 {args.step} 步现在不能签：{now}")
        step = signoff.next_step(session, period) if period.state == PeriodState.REVIEW.value else None
        steps = signoff.chain(session) if step is not None else []
        last = step is not None and bool(steps) and steps[-1].seq == step.seq
        checks = sign_checklist.checklist(session, period, last_step=last) if step is not None else []
        made = signoff.sign(session, actor, period, password, department=args.department)
        if checks and not args.checked:  # the lock checklist: each fact needs the signer's decision
            # Raised after the signature's own checks so their refusals come first; the
            # transaction rolls back, so nothing is signed.
            listed = "；".join(f"{n}. {line}" for n, line in enumerate(checks, 1))
            raise ValidationError(f"签字前须逐项核对：{listed}。核对无误后加 --checked 再签字")
        sheets = "、".join(_sheet_name(session, m) for m in made)
        text = f"已签字：{label(period)}“{made[0].step_title}”{sheets}（{actor.display_name}）"
        if period.state == PeriodState.LOCKED.value:
            text += f"；签核流程完成，{label(period)}已锁定"
        else:
            step = signoff.next_step(session, period)
            if step is not None and step.signer == "role" and step.scope == "station":
                text += f"；下一步“{step.title}”由{Role(step.role).label}签字"
            elif step is not None:
                due = signoff.dues(session, period, step)
                waiting = "；".join(d.label for d in due[:4]) + (f" 等 {len(due)} 处" if len(due) > 4 else "")
                text += f"；待签：{waiting or Role(step.role).label}"
    print(text)
    return 0


def _sheet_name(session: Session, signature: object) -> str:
    from desktop.models.people import Person
    from desktop.models.station import Department

    department_id = getattr(signature, "department_id", None)
    if department_id is None:
        return ""
    dept = session.get(Department, department_id)
    line = getattr(signature, "for_person_id", None)
    person = session.get(Person, line) if line else None
    return f"[{dept.name if dept else '?'}{f' {person.name}一行' if person else ''}]"


def cmd_excuse(args: argparse.Namespace) -> int:
    from desktop.services import review, roster

    with signed_in(args) as (session, actor):
        period = period_of(session, args.period, create=True)
        person = roster.person_by_badge(session, args.person)
        review.excuse(session, actor, period, person.id, args.reason)
        text = f"已登记未确认原因：{who(person)}{label(period)}（{args.reason.strip()}），该部门考核表可以签字"
    print(text)
    return 0


def cmd_lock(args: argparse.Namespace) -> int:
    from desktop.services import periods

    with signed_in(args) as (session, actor):
        period = period_of(session, args.period, create=True)
        periods.lock(session, actor, period)
        text = f"已锁定：{label(period)}，结果已保存，积分不能再更改"
    print(text)
    return 0


def cmd_reopen(args: argparse.Namespace) -> int:
    from desktop.services import signoff

    with signed_in(args) as (session, actor):
        period = period_of(session, args.period, create=True)
        signoff.reopen(session, actor, period, args.reason)
        text = f"已解锁：{label(period)}回到“录入中”，原有签字作废，需重新审核签字"
    print(text)
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    from desktop.services import signoff

    with signed_in(args) as (session, actor):
        period = period_of(session, args.period, create=True)
        # Counted before: the service clears them, and also accepts a period with none yet.
        count = len(signoff.signatures(session, period)) if period.id else 0
        signoff.withdraw(session, actor, period, args.reason)
        text = f"已撤回签字：{label(period)}的 {count} 个签字作废，需按流程重新签核"
    print(text)
    return 0


def cmd_back(args: argparse.Namespace) -> int:
    from desktop.services import periods

    with signed_in(args) as (session, actor):
        period = period_of(session, args.period, create=True)
        periods.back_to_open(session, actor, period, args.reason)
        text = f"已退回修改：{label(period)}回到“录入中”，已有的确认和签字保留"
    print(text)
    return 0


PERIOD_FIELDS = (
    ("code", "代码"), ("label", "周期"), ("kind", "类型代码"), ("kind_label", "类型"), ("state", "状态代码"),
    ("state_label", "状态"), ("signatures", "签字"), ("next_step", "待签环节"), ("computed_at", "计算时间"),
    ("locked_at", "锁定时间"), ("sheet_signatures", "部门签字"), ("revoked_signatures", "已撤销的签字"),
)
TABLE_PERIOD_FIELDS = (("code", "代码"), ("label", "周期"), ("state_label", "状态"), ("signatures", "签字"),
                       ("next_step", "待签环节"), ("locked_at", "锁定时间"))


def period_rows(session: Session) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from desktop.models.accounts import User
    from desktop.models.enums import PeriodKind, PeriodState
    from desktop.services import periods, signoff

    usernames = dict(session.execute(select(User.id, User.username)).all())
    rows = []
    for period in periods.list_periods(session):
        signed = signoff.signatures(session, period)
        step = signoff.next_step(session, period) if period.state == PeriodState.REVIEW.value else None
        sheets = signoff.sheet_signatures(session, period)
        rows.append({
            "code": period.code, "label": label(period), "kind": period.kind,
            "kind_label": PeriodKind(period.kind).label, "state": period.state,
            "state_label": PeriodState(period.state).label,
            "signatures": [{"step": s.step_title, "role": s.role, "user": usernames.get(s.user_id),
                            "display_name": s.signer_name, "signed_at": utc_iso(s.signed_at)} for s in signed],
            "next_step": step.title if step else None,
            "sheet_signatures": [{"step": s.step_title, "seq": s.seq, "department": _dept_name(session, s.department_id),
                                  "line_badge": _badge(session, s.for_person_id), "user": usernames.get(s.user_id),
                                  "display_name": s.signer_name, "signed_at": utc_iso(s.signed_at)} for s in sheets],
            "revoked_signatures": signoff.history_lines(session, period),
            "computed_at": local_iso(period.computed_at), "locked_at": local_iso(period.locked_at),
        })
    return rows


def _dept_name(session: Session, department_id: int | None) -> str | None:
    from desktop.models.station import Department

    dept = session.get(Department, department_id) if department_id else None
    return dept.name if dept else None


def _badge(session: Session, person_id: int | None) -> str | None:
    from desktop.models.people import Person

    person = session.get(Person, person_id) if person_id else None
    return person.badge if person else None


def cmd_periods(args: argparse.Namespace) -> int:
    with reading(args) as session:
        rows = period_rows(session)
    if args.format != "json":
        for row in rows:
            row["signatures"] = [f"{s['step']}：{s['display_name']}" for s in row["signatures"]] + [
                f"{s['step']}[{s['department']}]：{s['display_name']}" for s in row.pop("sheet_signatures")]
            row.pop("revoked_signatures")
    emit(args.format, TABLE_PERIOD_FIELDS if args.format == "table" else PERIOD_FIELDS, rows)
    return 0


def cmd_override(args: argparse.Namespace) -> int:
    from desktop.services import review, roster
    from desktop.services.policies import policy_for

    with signed_in(args) as (session, actor):
        period = period_of(session, args.period, create=True)
        person = roster.person_by_badge(session, args.person)
        policy = policy_for(session, period)
        # "B类" is as good as "B": the label is what the printed sheets show.
        grade = next((lv.code for lv in policy.levels if args.grade.strip() in (lv.code, lv.label)), args.grade)
        row = review.override_grade(session, actor, period, person.id, grade, args.reason)
        before = policy.label_of(row.from_grade) or "无等次"
        text = f"已调整等次：{who(person)}{label(period)} {before} → {policy.label_of(row.to_grade)}，理由已记入审计"
    print(text)
    return 0


def _workflow(actions: argparse._SubParsersAction, name: str, help_text: str,  # type: ignore[type-arg]
              handler: Any) -> argparse.ArgumentParser:
    p = actions.add_parser(name, help=help_text)
    p.add_argument("--period", required=True, metavar="周期", help=PERIOD_HELP)
    add_user_argument(p)
    p.set_defaults(handler=handler)
    return p


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    period = sub.add_parser("period", help="考核周期的审核流程：提交、确认、异议、签字、锁定、解锁")
    actions = period.add_subparsers(dest="period_action", metavar="操作", required=True)
    _workflow(actions, "submit", "录入结束，提交审核（内勤、所长或管理员）", cmd_submit)
    confirm = _workflow(actions, "confirm", "登记确认本期积分（民警本人，或内勤登记纸质确认单，可一次多人）",
                        cmd_confirm)
    confirm.add_argument("--person", required=True, metavar="警号",
                         help="警号；多人用逗号分隔，如 150212,150213（其中有未处理异议的则全部不登记）")
    confirm.add_argument("--comment", metavar="说明", help="确认说明（默认注明本人确认或纸质确认单）")
    unconfirm = _workflow(actions, "unconfirm", "撤销误登记的确认（本期尚无人签字时）", cmd_unconfirm)
    unconfirm.add_argument("--person", required=True, metavar="警号", help="警号；多人用逗号分隔")
    unconfirm.add_argument("--reason", metavar="理由", help="撤销理由（记入审计，可不填）")
    dispute = _workflow(actions, "dispute", "登记某人对本期积分的异议（民警本人，或内勤代为登记）",
                        lambda a: _person_step(a, "dispute"))
    dispute.add_argument("--person", required=True, metavar="警号")
    dispute.add_argument("--comment", required=True, metavar="异议", help="哪一条积分有问题、为什么")
    resolve = _workflow(actions, "resolve", "处理异议（所长）", lambda a: _person_step(a, "resolve"))
    resolve.add_argument("--person", required=True, metavar="警号")
    resolve.add_argument("--resolution", required=True, metavar="处理意见")
    sign = _workflow(actions, "sign", "按签核流程签字：签本人应签的考核表（待签见 periods；最后一人签字后自动锁定）",
                     cmd_sign)
    sign.add_argument("--step", type=int, metavar="N", help="要签的环节序号（与当前待签环节不符时拒绝）")
    sign.add_argument("--checked", action="store_true",
                      help="已逐项核对签字前的核对清单（等次比例、并列跨线、未评奖励等）；清单不空时必须给出")
    sign.add_argument("--department", metavar="部门", help="只签这个部门的考核表（各部门签核的环节；默认签本人应签的全部）")
    excuse = _workflow(actions, "excuse", "登记某人未确认的原因（请假、出差 …），该部门考核表方可签字", cmd_excuse)
    excuse.add_argument("--person", required=True, metavar="警号")
    excuse.add_argument("--reason", required=True, metavar="原因", help="如 请假、出差、借调")
    _workflow(actions, "lock", "直接锁定（所长）：各月已锁定的季度、半年、年度；月份由签核流程锁定", cmd_lock)
    for name, help_text, handler in (
            ("reopen", "解锁已锁定的周期以便更正（所长，签字作废）", cmd_reopen),
            ("withdraw", "撤回审核中周期的全部签字（所长/教导员）", cmd_withdraw),
            ("back", "把审核中的周期退回录入中修改（内勤、所长或管理员）", cmd_back)):
        _workflow(actions, name, help_text, handler).add_argument(
            "--reason", required=True, metavar="理由", help="理由（记入审计）")

    listing = sub.add_parser("periods", help="列出考核周期：状态、签字、锁定时间")
    add_format(listing)
    listing.set_defaults(handler=cmd_periods)

    override = sub.add_parser("override", help="所长调整某人某期的等次（需填写理由）")
    override.add_argument("--period", required=True, metavar="周期", help=PERIOD_HELP)
    override.add_argument("--person", required=True, metavar="警号")
    override.add_argument("--grade", required=True, metavar="等次", help="等次代码或名称，如 B 或 B类")
    override.add_argument("--reason", required=True, metavar="理由", help="调整理由（记入审计，印在等次评定表上）")
    add_user_argument(override)
    override.set_defaults(handler=cmd_override)

    from desktop.cli.award import register as register_award

    register_award(sub)
