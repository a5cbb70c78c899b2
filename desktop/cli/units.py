"""`jifen units`, `jifen unit add|member|leave|sync-departments`: units as assessed subjects.

    jifen units [--kind department|post|branch|enforcement] [--date 2026-03-31] [--format table|csv|json]
    jifen unit add DZB-01 --name 第一党支部 --kind branch --user neiqin
    jifen unit add JWS-01 --name 滨河警务室 --kind post --class 1 --department 滨河警务室 --user neiqin
    jifen unit member DZB-01 --person 150212 --from 2026-01-01 [--to …] [--role head] --user neiqin
    jifen unit leave DZB-01 --person 150212 --on 2026-06-30 --user neiqin
    jifen unit sync-departments --user neiqin

Every check (role, kinds, post class, a head's term) is the units service's, the same the
desktop runs; this module only parses the options and prints.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, Any

from desktop.cli.common import add_format, day, emit, reading, signed_in
from desktop.cli.signin import add_user_argument
from desktop.services.errors import ValidationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop.models.units import Unit

KIND_HELP = "类型：department（所队室）、post（警务室）、branch（党支部）、enforcement（执法办案单位）"
CLASS_HELP = "警务室类别：1、2、3（一类、二类、三类）；只有警务室有类别，且必填"
ROLE_HELP = "head（负责人）或 member（成员，默认）；新负责人上任，前任的任期到前一天结束"

# `units --format json`: a stable interface (docs/cli.md); add fields, never rename.
UNIT_FIELDS = (
    ("code", "代码"), ("name", "名称"), ("kind", "类型代码"), ("kind_label", "类型"), ("class", "类别代码"),
    ("class_label", "类别"), ("sequence", "考核序列"), ("department", "对应部门"), ("head", "负责人警号"),
    ("head_name", "负责人"), ("members", "成员"), ("active", "在用"),
)


def unit_kind(text: str) -> str:
    """A kind as its code; the Chinese label is accepted too, as a clerk would type it."""
    from desktop.models.units import UNIT_KIND_LABELS

    wanted = text.strip()
    for code, label in UNIT_KIND_LABELS.items():
        if wanted in (code, label):
            return code
    raise ValidationError(f"单位类型“{text}”不对，{KIND_HELP}")


def unit_class(text: str | None) -> int | None:
    """`--class`: 1, 2, 3 or 一类 … 一类警务室; parsed here so a bad value is one Chinese line."""
    if text is None:
        return None
    from desktop.services.units import CLASS_LABELS

    wanted = text.strip()
    for number, label in CLASS_LABELS.items():
        if wanted in (str(number), label, f"{label}警务室"):
            return number
    raise ValidationError(f"警务室类别“{text}”不对，{CLASS_HELP}")


def member_role(text: str) -> str:
    from desktop.services.units import ROLES

    wanted = text.strip()
    for code, label in ROLES.items():
        if wanted in (code, label):
            return code
    raise ValidationError(f"成员角色“{text}”不对，应为 {ROLE_HELP}")


def unit_row(session: Session, unit: Unit, on: dt.date) -> dict[str, Any]:
    """One unit as the listing prints it, its head and members as they were on `on`."""
    from desktop.models.station import Department
    from desktop.models.units import UNIT_KIND_LABELS
    from desktop.services import units

    head = units.head_on(session, unit, on)
    department = session.get(Department, unit.department_id) if unit.department_id is not None else None
    return {
        "code": unit.code, "name": unit.name, "kind": unit.kind, "kind_label": UNIT_KIND_LABELS[unit.kind],
        "class": unit.post_class, "class_label": units.CLASS_LABELS.get(unit.post_class or 0),
        "sequence": unit.sequence, "department": department.name if department is not None else None,
        "head": head.badge if head is not None else None, "head_name": head.name if head is not None else None,
        "members": [p.badge for p in units.members_on(session, unit, on)], "active": unit.active,
    }


def cmd_units(args: argparse.Namespace) -> int:
    from desktop.services import units

    kind = unit_kind(args.kind) if args.kind else None
    on = day(args.date) if args.date else dt.date.today()
    with reading(args) as session:
        rows = [unit_row(session, unit, on) for unit in units.list_units(session, kind)]
    emit(args.format, UNIT_FIELDS, rows)
    return 0


def cmd_unit_add(args: argparse.Namespace) -> int:
    from desktop.models.units import UNIT_KIND_LABELS
    from desktop.services import units

    # Parsed before the password is asked: a typo costs no sign-in.
    data = units.UnitInput(code=args.code, name=args.name, kind=unit_kind(args.kind), post_class=unit_class(args.klass),
                           sequence=args.sequence or "", department=args.department or "")
    data.validate()
    with signed_in(args) as (session, actor):
        unit = units.add_unit(session, actor, data)
        print(f"已新增{UNIT_KIND_LABELS[unit.kind]}“{unit.name}”（代码 {unit.code}）")
    return 0


def cmd_unit_member(args: argparse.Namespace) -> int:
    from desktop.services import units
    from desktop.services.text import cn_date

    role = member_role(args.role)
    start = day(args.start, "开始日期")
    end = day(args.end, "结束日期") if args.end else None
    with signed_in(args) as (session, actor):
        unit = units.unit_by_code(session, args.code)
        # The heads still in office on `start`: a new head ends their terms, and the clerk is told.
        ending = [r for r in unit.members if role == "head" and r.role == "head" and r.start < start
                  and (r.end is None or r.end >= start)]
        member = units.add_member(session, actor, unit.code, args.person, start=start, role=role, end=end)
        until = f"至 {cn_date(end)}" if end else "起"
        lines = [f"已将 {member.person.name}（{member.person.badge}）列为“{unit.name}”的"
                 f"{units.ROLES[role]}，自 {cn_date(start)}{until}"]
        lines += [f"原负责人 {r.person.name}（{r.person.badge}）的任期到 {cn_date(r.end)} 结束"
                  for r in ending if r.end is not None]
    print("\n".join(lines))
    return 0


def cmd_unit_leave(args: argparse.Namespace) -> int:
    from desktop.services import roster, units
    from desktop.services.text import cn_date

    end = day(args.on, "结束日期")
    with signed_in(args) as (session, actor):
        unit = units.unit_by_code(session, args.code)
        person = roster.person_by_badge(session, args.person)
        units.end_member(session, actor, unit.code, person.badge, end)
        line = f"{person.name}（{person.badge}）在“{unit.name}”中到 {cn_date(end)} 为止"
    print(line)
    return 0


def cmd_unit_sync(args: argparse.Namespace) -> int:
    """A unit for every active department and post that has none yet; the existing ones stay."""
    from sqlalchemy import select

    from desktop.models.station import Department
    from desktop.models.units import UNIT_KIND_LABELS, Unit
    from desktop.services import units

    made: list[str] = []
    with signed_in(args) as (session, actor):
        mirrored = set(session.scalars(select(Unit.department_id).where(Unit.department_id.is_not(None))))
        query = select(Department).where(Department.active.is_(True)).order_by(Department.sort_order, Department.id)
        for dept in session.scalars(query).all():
            if dept.id in mirrored:
                continue
            unit = units.for_department(session, actor, dept)
            made.append(f"已建立{UNIT_KIND_LABELS[unit.kind]}“{unit.name}”（代码 {unit.code}）")
    print("\n".join(made) if made else "每个在用的部门和警务室都已有对应的考核单位，没有新建")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    listing = sub.add_parser("units", help="列出考核单位（所队室、警务室、党支部、执法办案单位）")
    listing.add_argument("--kind", metavar="类型", help="只列出这一类；" + KIND_HELP)
    listing.add_argument("--date", metavar="YYYY-MM-DD", help="按这一天的负责人和成员列出（默认今天）")
    add_format(listing)
    listing.set_defaults(handler=cmd_units)

    unit = sub.add_parser("unit", help="考核单位：新增、成员与负责人、按部门建立（内勤或管理员）")
    actions = unit.add_subparsers(dest="unit_action", metavar="操作", required=True)
    add = actions.add_parser("add", help="新增一个考核单位")
    add.add_argument("code", metavar="代码", help="单位代码，不超过 32 个字符，如 DZB-01")
    add.add_argument("--name", required=True, metavar="名称")
    add.add_argument("--kind", required=True, metavar="类型", help=KIND_HELP)
    add.add_argument("--class", dest="klass", metavar="类别", help=CLASS_HELP)
    add.add_argument("--sequence", metavar="考核序列", help="执法办案单位必填，如 刑侦")
    add.add_argument("--department", metavar="部门", help="所队室或警务室对应的部门名称（见 jifen departments）")
    add_user_argument(add)
    add.set_defaults(handler=cmd_unit_add)

    member = actions.add_parser("member", help="把一名人员列为单位的成员或负责人")
    member.add_argument("code", metavar="代码", help="单位代码（见 jifen units）")
    member.add_argument("--person", required=True, metavar="警号")
    member.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD", help="开始日期")
    member.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="结束日期（不填：至今）")
    member.add_argument("--role", default="member", metavar="角色", help=ROLE_HELP)
    add_user_argument(member)
    member.set_defaults(handler=cmd_unit_member)

    leave = actions.add_parser("leave", help="结束一名人员在单位中的成员或负责人身份")
    leave.add_argument("code", metavar="代码", help="单位代码（见 jifen units）")
    leave.add_argument("--person", required=True, metavar="警号")
    leave.add_argument("--on", required=True, metavar="YYYY-MM-DD", help="最后一天")
    add_user_argument(leave)
    leave.set_defaults(handler=cmd_unit_leave)

    sync = actions.add_parser("sync-departments", help="为每个在用的部门和警务室建立对应的考核单位（已有的不变）")
    add_user_argument(sync)
    sync.set_defaults(handler=cmd_unit_sync)
