"""`jifen person add|update|photo`, `jifen department add|update`, `jifen departments`: the
roster, as the 人员 screen and 设置 › 部门 keep it. (`jifen people` lists the roster.)

    jifen person add --badge 150231 --name 王五 --department 治安中队 --identity 民警 [--position 副中队长]
                     [--sequence 治安] [--head] [--from 2026-03-01] [--phone …] --user neiqin
    jifen person update 150231 [--name …] [--department …] [--to 2026-06-30] [--to ""] … --user neiqin
    jifen person photo 150231 照片.jpg --user neiqin
    jifen department add 一号警务室 [--kind post --post-class 1] [--code D05] --user neiqin
    jifen department update 一号警务室 [--name …] [--kind …] [--post-class …] [--disable|--enable] --user neiqin
    jifen departments [--format table|csv|json]

Every check (role, duplicate badge, department, dates) is roster's, the same the desktop runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.cli.common import add_format, day, emit, reading, signed_in
from desktop.cli.signin import add_user_argument
from desktop.models.enums import DepartmentKind, Identity
from desktop.services.errors import NotFound, ValidationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop.services.roster import PersonInput

IDENTITY_HELP = "身份：" + "、".join(f"{i.label}（{i.value}）" for i in Identity)
KIND_HELP = "类型：" + "、".join(f"{k.value}（{k.label}）" for k in DepartmentKind) + "，默认部门"
POST_CLASS_HELP = "警务室类别：1、2、3（一类、二类、三类）"
CLEAR = ("", "无", "none")  # what empties an optional field, e.g. --to "" for someone back on the roster

# `departments --format json`: a stable interface (docs/cli.md).
DEPARTMENT_FIELDS = (
    ("name", "部门"), ("code", "代码"), ("kind", "类型代码"), ("kind_label", "类型"),
    ("post_class", "警务室类别代码"), ("post_class_label", "警务室类别"), ("active", "在用"),
    ("people", "在岗人数"),
)
IMAGE_TYPES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG", "image/png"), (b"BM", "image/bmp"))


def identity(text: str) -> Identity:
    try:
        return Identity.from_label(text.strip())
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def kind(text: str) -> DepartmentKind:
    for member in DepartmentKind:
        if text.strip() in (member.value, member.label):
            return member
    raise ValidationError(f"未知部门类型“{text}”，{KIND_HELP}")


def post_class(text: str | None) -> int | None:
    if text is None or text.strip() in CLEAR:
        return None
    from desktop.models.station import POST_CLASS_LABELS

    for number, label in POST_CLASS_LABELS.items():
        if text.strip() in (str(number), label, label.removesuffix("警务室")):
            return number
    raise ValidationError(f"警务室类别“{text}”不对，{POST_CLASS_HELP}")


def optional_day(text: str, what: str) -> dt.date | None:
    return None if text.strip() in CLEAR else day(text, what)


def _department_id(session: Session, name: str) -> int:
    from desktop.services import roster

    return roster.department_by_name(session, name).id


# -- people ------------------------------------------------------------------------------

def cmd_person_add(args: argparse.Namespace) -> int:
    from desktop.services import roster

    who = identity(args.identity)
    start = optional_day(args.start, "在岗日期") if args.start is not None else None
    end = optional_day(args.end, "离岗日期") if args.end is not None else None
    with signed_in(args) as (session, actor):
        data = roster.PersonInput(
            badge=args.badge, name=args.name, identity=who, department_id=_department_id(session, args.department),
            position=args.position or "", sequence=args.sequence or "", is_head=args.head, active_from=start,
            active_to=end, phone=args.phone or "", id_number=args.id_number)
        person = roster.add_person(session, actor, data)
        print(f"已新增：{person.badge} {person.name}（{args.department.strip()}）")
    return 0


def _changed(session: Session, args: argparse.Namespace, current: PersonInput) -> PersonInput:
    """The person as stored, with what the options name changed; the rest stays."""
    import dataclasses

    changes: dict[str, Any] = {}
    for option, field in (("new_badge", "badge"), ("name", "name"), ("position", "position"),
                          ("sequence", "sequence"), ("phone", "phone"), ("head", "is_head"),
                          ("id_number", "id_number")):
        value = getattr(args, option)
        if value is not None:
            changes[field] = value
    if args.identity is not None:
        changes["identity"] = identity(args.identity)
    if args.department is not None:
        changes["department_id"] = _department_id(session, args.department)
    if args.start is not None:
        changes["active_from"] = optional_day(args.start, "在岗日期")
    if args.end is not None:
        changes["active_to"] = optional_day(args.end, "离岗日期")
    if args.moved_on is not None:
        if args.department is None:
            raise ValidationError("--moved-on 是部门调动的生效日期：请同时用 --department 给出调入的部门")
        changes["moved_on"] = day(args.moved_on, "调动生效日期")
    if not changes:
        raise ValidationError("没有要修改的内容：请给出要修改的项，如 --name、--department、--to")
    return dataclasses.replace(current, **changes)


def cmd_person_update(args: argparse.Namespace) -> int:
    from desktop.services import roster

    with signed_in(args) as (session, actor):
        person = roster.person_by_badge(session, args.badge)
        current = roster.PersonInput(
            badge=person.badge, name=person.name, identity=Identity(person.identity),
            department_id=person.department_id, position=person.position, sequence=person.sequence,
            is_head=person.is_head, active_from=person.active_from, active_to=person.active_to, phone=person.phone)
        wanted = _changed(session, args, current)
        impact = roster.update_impact(session, person.id, wanted)
        updated = roster.update_person(session, actor, person.id, wanted)
        print(f"已修改：{updated.badge} {updated.name}")
        for line in impact:  # what the change does to months already recorded
            print(f"注意：{line}")
    return 0


def cmd_person_photo(args: argparse.Namespace) -> int:
    from desktop.services import roster

    path = Path(args.file)
    if not path.is_file():
        raise NotFound(f"照片文件“{path}”不存在")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"照片文件“{path}”无法读取：{exc}") from exc
    # The type from the bytes, not the file name: a renamed file still shows in the performance file.
    mime = next((m for magic, m in IMAGE_TYPES if data.startswith(magic)), "application/octet-stream")
    with signed_in(args) as (session, actor):
        person = roster.person_by_badge(session, args.badge)
        roster.set_photo(session, actor, person.id, data, mime)
        print(f"已设置 {person.badge} {person.name} 的照片（{len(data) // 1024 or 1} KB）")
    return 0


# -- departments -------------------------------------------------------------------------

def cmd_department_add(args: argparse.Namespace) -> int:
    from desktop.services import roster

    what = kind(args.kind) if args.kind else DepartmentKind.OFFICE
    klass = post_class(args.post_class)
    with signed_in(args) as (session, actor):
        dept = roster.add_department(session, actor, args.name, kind=what, post_class=klass, code=args.code or "")
        print(f"已新增{what.label}“{dept.name}”（代码 {dept.code}）")
    return 0


def cmd_department_update(args: argparse.Namespace) -> int:
    from desktop.services import roster

    if all(v is None for v in (args.new_name, args.kind, args.post_class, args.active)):
        raise ValidationError("没有要修改的内容：请给出 --name、--kind、--post-class、--disable 或 --enable")
    with signed_in(args) as (session, actor):
        dept = roster.department_by_name(session, args.name)
        what = kind(args.kind) if args.kind else DepartmentKind(dept.kind)
        klass = post_class(args.post_class) if args.post_class is not None else dept.post_class
        updated = roster.update_department(
            session, actor, dept.id, name=args.new_name if args.new_name is not None else dept.name, kind=what,
            post_class=klass, active=args.active if args.active is not None else dept.active)
        state = "" if updated.active else "（已停用）"
        print(f"已修改部门“{updated.name}”{state}")
    return 0


def department_rows(session: Session) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from desktop.models.station import POST_CLASS_LABELS, Department
    from desktop.services import queries

    on_roster = {row.id: row.people for row in queries.department_rows(session)}
    rows = []
    for d in session.scalars(select(Department).order_by(Department.sort_order, Department.id)):
        rows.append({"name": d.name, "code": d.code, "kind": d.kind, "kind_label": DepartmentKind(d.kind).label,
                     "post_class": d.post_class, "post_class_label": POST_CLASS_LABELS.get(d.post_class or 0),
                     "active": d.active, "people": on_roster.get(d.id, 0)})
    return rows


def cmd_departments(args: argparse.Namespace) -> int:
    with reading(args) as session:
        rows = department_rows(session)
    emit(args.format, DEPARTMENT_FIELDS, rows)
    return 0


def _person_options(parser: argparse.ArgumentParser, *, adding: bool) -> None:
    parser.add_argument("--name", required=adding, metavar="姓名")
    parser.add_argument("--department", required=adding, metavar="部门", help="部门名称（见 jifen departments）")
    parser.add_argument("--identity", required=adding, metavar="身份", help=IDENTITY_HELP)
    parser.add_argument("--position", metavar="职务")
    parser.add_argument("--sequence", metavar="考核序列")
    parser.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="在岗起始日期" + ("" if adding else "；写 \"\" 清除"))
    parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="离岗日期" + ("" if adding else "；写 \"\" 清除（重新在岗）"))
    parser.add_argument("--phone", metavar="电话")
    parser.add_argument("--id-number", metavar="身份证号", help="18 位公民身份号码（列表中只显示前 6 位和后 4 位）"
                        + ("" if adding else "；写 \"\" 清除"))
    add_user_argument(parser)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    person = sub.add_parser("person", help="人员名册：新增、修改、设置照片（内勤或管理员）")
    actions = person.add_subparsers(dest="person_action", metavar="操作", required=True)
    add = actions.add_parser("add", help="新增一名人员")
    add.add_argument("--badge", required=True, metavar="警号")
    add.add_argument("--head", action="store_true", help="一把手（不参加本单位排名和比例）")
    _person_options(add, adding=True)
    add.set_defaults(handler=cmd_person_add)

    update = actions.add_parser("update", help="修改人员信息；只改给出的项（离岗用 --to 日期）")
    update.add_argument("badge", metavar="警号")
    update.add_argument("--new-badge", metavar="警号", help="改为新的警号")
    update.add_argument("--head", action=argparse.BooleanOptionalAction, default=None,
                        help="--head 设为一把手，--no-head 取消")
    update.add_argument("--moved-on", metavar="YYYY-MM-DD",
                        help="与 --department 一起用：调动生效日期（该日所在月起按新部门排名；不填则自最后锁定周期的次日起）")
    _person_options(update, adding=False)
    update.set_defaults(handler=cmd_person_update)

    photo = actions.add_parser("photo", help="设置人员照片（JPEG、PNG 或 BMP，不超过 5 MB）")
    photo.add_argument("badge", metavar="警号")
    photo.add_argument("file", metavar="图片文件")
    add_user_argument(photo)
    photo.set_defaults(handler=cmd_person_photo)

    dept = sub.add_parser("department", help="部门与警务室：新增、修改、停用（内勤或管理员）")
    dept_actions = dept.add_subparsers(dest="department_action", metavar="操作", required=True)
    dadd = dept_actions.add_parser("add", help="新增部门或警务室")
    dadd.add_argument("name", metavar="名称")
    dadd.add_argument("--kind", metavar="类型", help=KIND_HELP)
    dadd.add_argument("--post-class", metavar="类别", help=POST_CLASS_HELP + "；警务室必填")
    dadd.add_argument("--code", metavar="代码", help="部门代码（默认按顺序编号，如 D05）")
    add_user_argument(dadd)
    dadd.set_defaults(handler=cmd_department_add)

    dupdate = dept_actions.add_parser("update", help="修改部门名称、类型、警务室类别，或停用、启用")
    dupdate.add_argument("name", metavar="名称", help="现在的部门名称")
    dupdate.add_argument("--name", dest="new_name", metavar="新名称")
    dupdate.add_argument("--kind", metavar="类型", help=KIND_HELP)
    dupdate.add_argument("--post-class", metavar="类别", help=POST_CLASS_HELP)
    state = dupdate.add_mutually_exclusive_group()
    state.add_argument("--disable", dest="active", action="store_false", default=None,
                       help="停用（部门里还有在岗人员时不能停用）")
    state.add_argument("--enable", dest="active", action="store_true", default=None, help="重新启用")
    add_user_argument(dupdate)
    dupdate.set_defaults(handler=cmd_department_update)

    departments = sub.add_parser("departments", help="列出部门与警务室")
    add_format(departments)
    departments.set_defaults(handler=cmd_departments)
