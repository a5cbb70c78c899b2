"""`jifen award give|revoke|list|candidates`: 闪光民警 / 闪光辅警 of a month, yearly titles.

    jifen award candidates --period 2026-03 [--format json]
    jifen award give --period 2026-03 --person 150212 --title 闪光民警 [--note 说明] --user suozhang
    jifen award revoke 奖励编号 --reason 说明 --user suozhang
    jifen award list --period 2026-03 [--format table|csv|json]

Registered by desktop/cli/period.py (awards belong to a period's review). Who may give, to
whom and when is the awards service's check, the same as the desktop's awards screen.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from desktop.cli.common import PERIOD_HELP, add_format, emit, period_of, reading, signed_in
from desktop.cli.period import utc_iso
from desktop.cli.signin import add_user_argument
from desktop.services.errors import NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop.models.grading import Award

AWARD_FIELDS = (
    ("id", "编号"), ("uuid", "唯一编号"), ("period", "周期"), ("badge", "警号"), ("name", "姓名"),
    ("title", "奖励"), ("note", "说明"), ("given_by", "评定人账号"), ("given_by_name", "评定人"),
    ("given_at", "评定时间"),
)
TABLE_AWARD_FIELDS = (("id", "编号"), ("period", "周期"), ("badge", "警号"), ("name", "姓名"),
                      ("title", "奖励"), ("note", "说明"), ("given_by_name", "评定人"), ("given_at", "评定时间"))
CANDIDATE_FIELDS = (
    ("badge", "警号"), ("name", "姓名"), ("department", "部门"), ("identity", "身份"), ("total", "总分"),
    ("grade", "等次"), ("title", "可评称号"),
)


def award_by_key(session: Session, key: str) -> Award:
    """An award named by its number (`award list`'s 编号) or its uuid."""
    from sqlalchemy import select

    from desktop.models.grading import Award

    text = key.strip()
    found = session.get(Award, int(text)) if text.isdigit() else session.scalar(
        select(Award).where(Award.uuid == text.lower()))
    if found is None:
        raise NotFound(f"没有编号为“{key}”的奖励记录（编号见 jifen award list）")
    return found


def cmd_give(args: argparse.Namespace) -> int:
    from desktop.services import awards, roster

    with signed_in(args) as (session, actor):
        period = period_of(session, args.period, create=True)
        person = roster.person_by_badge(session, args.person)
        award = awards.give(session, actor, period, person.id, args.title, args.note or "")
        text = f"已评定：{person.name}（{person.badge}）{period.code}“{award.title}”，奖励编号 {award.id}"
    print(text)
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from desktop.services import awards

    with signed_in(args) as (session, actor):
        award = award_by_key(session, args.award)
        # Read before the service deletes the row.
        text = f"已撤销：{award.person.name}（{award.person.badge}）的“{award.title}”"
        awards.revoke(session, actor, award.id, args.reason)
    print(text)
    return 0


def award_rows(session: Session, code: str) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from desktop.models.accounts import User
    from desktop.services import awards
    from desktop.services.periods import find_period

    period = find_period(session, code)
    if period is None:
        return []  # nobody opened the period, so nobody was awarded in it
    users = {uid: (name, display) for uid, name, display in session.execute(
        select(User.id, User.username, User.display_name))}
    rows = []
    for a in awards.awards_of(session, period):
        username, display = users.get(a.given_by_id, (None, None))
        rows.append({"id": a.id, "uuid": a.uuid, "period": period.code, "badge": a.person.badge,
                     "name": a.person.name, "title": a.title, "note": a.note, "given_by": username,
                     "given_by_name": display, "given_at": utc_iso(a.given_at)})
    return rows


def cmd_list(args: argparse.Namespace) -> int:
    from desktop.services.periods import parse_period

    code = parse_period(args.period).code
    with reading(args) as session:
        rows = award_rows(session, code)
    emit(args.format, AWARD_FIELDS if args.format != "table" else TABLE_AWARD_FIELDS, rows)
    return 0


def cmd_candidates(args: argparse.Namespace) -> int:
    from desktop.models.enums import Identity
    from desktop.services import awards
    from desktop.services.points import to_decimal
    from desktop.services.policies import policy_for

    with reading(args) as session:
        period = period_of(session, args.period)
        policy = policy_for(session, period)
        rows = [{"badge": c.row.badge, "name": c.row.name, "department": c.row.department,
                 "identity": Identity(c.row.identity).label, "total": to_decimal(c.row.total),
                 "grade": policy.label_of(c.row.grade), "title": c.title}
                for c in awards.candidates(session, period)]
    emit(args.format, CANDIDATE_FIELDS, rows)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from desktop.services.awards import MONTHLY_TITLES, YEARLY_TITLES

    award = sub.add_parser("award", help="奖励：闪光民警、闪光辅警（按月）和年度称号")
    actions = award.add_subparsers(dest="award_action", metavar="操作", required=True)
    give = actions.add_parser("give", help="评定一项奖励（所长）")
    give.add_argument("--period", required=True, metavar="周期", help=PERIOD_HELP)
    give.add_argument("--person", required=True, metavar="警号")
    give.add_argument("--title", required=True, metavar="称号", help="、".join([*MONTHLY_TITLES, *YEARLY_TITLES]))
    give.add_argument("--note", metavar="说明")
    add_user_argument(give)
    give.set_defaults(handler=cmd_give)

    revoke = actions.add_parser("revoke", help="撤销一项奖励（所长，需填写理由）")
    revoke.add_argument("award", metavar="奖励编号", help="award list 的“编号”")
    revoke.add_argument("--reason", required=True, metavar="理由", help="撤销理由（记入审计）")
    add_user_argument(revoke)
    revoke.set_defaults(handler=cmd_revoke)

    listing = actions.add_parser("list", help="列出一个周期的奖励")
    listing.add_argument("--period", required=True, metavar="周期", help=PERIOD_HELP)
    add_format(listing)
    listing.set_defaults(handler=cmd_list)

    candidates = actions.add_parser("candidates", help="列出本月可评闪光民警、闪光辅警的人员（最高等次）")
    candidates.add_argument("--period", required=True, metavar="周期", help=PERIOD_HELP)
    add_format(candidates)
    candidates.set_defaults(handler=cmd_candidates)
