"""`jifen user …`, `jifen users`: accounts and roles, as 设置 › 用户与角色 keeps them.

    jifen user add zhangsan --display-name 张三 --role clerk [--person 150212] --user admin
    jifen user add admin2 --role admin                     # first administrator, no --user
    jifen user passwd zhangsan --user admin                # an administrator resets
    jifen user passwd zhangsan --user zhangsan             # one's own: the old password signs in
    jifen user role zhangsan --role chief --user admin
    jifen user update zhangsan [--display-name T] [--person BADGE|""] [--role R] --user admin
    jifen user unlock|disable|enable zhangsan --user admin
    jifen users [--format table|csv|json]

Passwords never come from arguments. On a terminal each is asked (a new one twice); from a
pipe, line one is the signed-in user's password and line two the new one — or, for the first
administrator, where nobody signs in, line one is the new password.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, Any

from desktop.cli.common import add_format, emit, open_db, reading, signed_in
from desktop.cli.signin import USER_HELP, add_user_argument, read_new_password, sign_in_with_password
from desktop.models.enums import Role
from desktop.services.errors import ValidationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop.models.accounts import User

ROLE_HELP = "角色：" + "、".join(f"{r.value}（{r.label}）" for r in Role)

# `users --format json`: a stable interface (docs/cli.md). Never the password hash.
USER_FIELDS = (
    ("username", "用户名"), ("display_name", "显示名"), ("role", "角色代码"), ("role_label", "角色"),
    ("person_badge", "对应警号"), ("person_name", "对应人员"), ("active", "在用"), ("locked", "已锁定"),
    ("locked_until", "锁定至"), ("failed_logins", "连续输错"), ("last_login", "最近登录"),
    ("created_at", "建立时间"), ("badge", "警号"), ("reviews", "审核的人员（警号）"),
)


def role(text: str) -> Role:
    """A role by its code (admin) or its Chinese name (管理员); argparse's own refusal is English."""
    wanted = text.strip()
    for member in Role:
        if wanted in (member.value, member.label):
            return member
    raise ValidationError(f"未知角色“{text}”，{ROLE_HELP}")


def _person_id(session: Session, badge: str | None) -> int | None:
    """`--person BADGE` as a person id; an empty badge unlinks the account from a person."""
    from desktop.services import roster

    if badge is None or not badge.strip():
        return None
    return roster.person_by_badge(session, badge).id


def _local(at: dt.datetime | None) -> str | None:
    # Times are stored in UTC; a clerk reads the station's clock.
    return at.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S") if at else None


# -- writes ------------------------------------------------------------------------------

def cmd_user_add(args: argparse.Namespace) -> int:
    from desktop.services import accounts
    from desktop.services.actor import require

    new_role = role(args.role)
    if args.user is None:
        return _first_admin(args, new_role)
    with signed_in(args) as (session, actor):
        # The service checks again; asked first so a refused user is not made to type a password twice.
        require(actor, "users.edit")
        password = read_new_password(f"新用户“{args.name}”的密码")
        user = accounts.create_user(session, actor, args.name, args.display_name or "", new_role, password,
                                    person_id=_person_id(session, args.person))
        print(f"已建立用户“{user.username}”（{user.display_name}，{new_role.label}）")
    return 0


def _first_admin(args: argparse.Namespace, new_role: Role) -> int:
    """`user add` without `--user`: only the first administrator of a database that has none."""
    from desktop.services import accounts

    if new_role != Role.ADMIN:
        raise ValidationError("缺少 --user：不登录只能建立第一个管理员（--role admin），其他用户请由管理员登录后添加")
    db = open_db(args)
    try:
        with db.session() as session:
            # Refused before a password is asked; create_first_admin checks again in its own transaction.
            accounts.refuse_first_admin_if_any(session)
        password = read_new_password(f"管理员“{args.name}”的密码")
        with db.transaction() as session:
            user = accounts.create_first_admin(session, args.name, args.display_name or "", password,
                                               person_id=_person_id(session, args.person))
            print(f"已建立第一个管理员“{user.username}”（{user.display_name}），请用它登录后添加其他用户")
    finally:
        db.dispose()
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from desktop.services import accounts
    from desktop.services.actor import require

    db = open_db(args)
    try:
        # The sign-in password is also the old password when the user changes their own.
        actor, password = sign_in_with_password(db, args.user)
        own = actor.username == args.name.strip()
        if not own:
            require(actor, "users.edit")
        new = read_new_password(f"用户“{args.name}”的新密码")
        with db.transaction() as session:
            if own:
                accounts.change_own_password(session, actor, password, new)
            else:
                accounts.reset_password(session, actor, args.name, new)
    finally:
        db.dispose()
    print("密码已修改" if own else f"“{args.name}”的密码已重置，锁定已解除")
    return 0


def _update(args: argparse.Namespace, done: str, **changes: Any) -> int:
    """One change to an account through accounts.update_user (which keeps the last
    administrator and refuses one's own role or disabling)."""
    from desktop.services import accounts
    from desktop.services.actor import require

    with signed_in(args) as (session, actor):
        require(actor, "users.edit")
        user = accounts.user_by_name(session, args.name)
        person_id = _person_id(session, changes["person"]) if changes.get("person") is not None else user.person_id
        accounts.update_user(
            session, actor, user.username,
            display_name=changes["display_name"] if changes.get("display_name") is not None else user.display_name,
            role=changes.get("role") or Role(user.role),
            active=changes["active"] if changes.get("active") is not None else user.active,
            person_id=person_id)
    print(done.format(name=args.name))
    return 0


def cmd_user_role(args: argparse.Namespace) -> int:
    new = role(args.role)
    return _update(args, f"“{{name}}”的角色已改为{new.label}", role=new)


def cmd_user_update(args: argparse.Namespace) -> int:
    if args.display_name is None and args.person is None and args.role is None:
        raise ValidationError("没有要修改的内容：请给出 --display-name、--person 或 --role")
    return _update(args, "用户“{name}”已修改", display_name=args.display_name, person=args.person,
                   role=role(args.role) if args.role else None)


def cmd_user_disable(args: argparse.Namespace) -> int:
    return _update(args, "用户“{name}”已停用（历史记录保留，不能再登录）", active=False)


def cmd_user_enable(args: argparse.Namespace) -> int:
    return _update(args, "用户“{name}”已启用", active=True)


def cmd_user_unlock(args: argparse.Namespace) -> int:
    from desktop.services import accounts

    with signed_in(args) as (session, actor):
        accounts.unlock_user(session, actor, args.name)
    print(f"用户“{args.name}”已解除锁定（密码不变）")
    return 0


# -- listing -----------------------------------------------------------------------------

def user_rows(session: Session) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from desktop.models.people import Person
    from desktop.services import accounts

    users: list[User] = accounts.list_users(session)
    linked = [u.person_id for u in users if u.person_id]
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(linked)))}
    logins = accounts.last_logins(session)
    import datetime as dt

    from desktop.services import reviewers

    review = reviewers.ReviewMap(session, dt.date.today())
    rows = []
    for u in users:
        person = people.get(u.person_id or 0)
        locked = accounts.is_locked(u)
        rows.append({
            "username": u.username, "display_name": u.display_name, "role": u.role,
            "role_label": Role(u.role).label, "person_badge": person.badge if person else None,
            "person_name": person.name if person else None, "active": u.active, "locked": locked,
            "locked_until": _local(u.locked_until) if locked else None, "failed_logins": u.failed_logins,
            "last_login": _local(logins.get(u.id)), "created_at": _local(u.created_at),
            "badge": person.badge if person else None,
            "reviews": [p.badge for p in review.reviewed_by(person.id)] if person else [],
        })
    return rows


def cmd_users(args: argparse.Namespace) -> int:
    with reading(args) as session:
        rows = user_rows(session)
    if args.format != "json":
        for row in rows:
            row["reviews"] = "、".join(row["reviews"])
    emit(args.format, USER_FIELDS, rows)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    user = sub.add_parser("user", help="用户账户：新建、改密码、改角色、解锁、停用（需管理员）")
    actions = user.add_subparsers(dest="user_action", metavar="操作", required=True)

    add = actions.add_parser("add", help="新建用户；数据库没有在用的管理员时，可不登录建立第一个管理员")
    add.add_argument("name", metavar="用户名")
    add.add_argument("--display-name", metavar="显示名", help="默认同用户名")
    add.add_argument("--role", required=True, metavar="角色", help=ROLE_HELP)
    add.add_argument("--person", metavar="警号", help="对应名册中的人员（民警确认本人积分时用）")
    add.add_argument("--user", metavar="用户名", help=USER_HELP + "；新用户的密码在其后输入或读取第二行。"
                     "省略时只能建立第一个管理员，密码在终端输入两次或读取第一行")
    add.set_defaults(handler=cmd_user_add)

    passwd = actions.add_parser("passwd", help="重置他人密码（管理员，同时解除锁定），或修改本人密码")
    passwd.add_argument("name", metavar="用户名")
    add_user_argument(passwd)
    passwd.set_defaults(handler=cmd_user_passwd)

    change = actions.add_parser("role", help="更改用户角色（管理员；不能改自己的，不能去掉最后一个管理员）")
    change.add_argument("name", metavar="用户名")
    change.add_argument("--role", required=True, metavar="角色", help=ROLE_HELP)
    add_user_argument(change)
    change.set_defaults(handler=cmd_user_role)

    update = actions.add_parser("update", help="修改用户的显示名、对应人员或角色（管理员）")
    update.add_argument("name", metavar="用户名")
    update.add_argument("--display-name", metavar="显示名")
    update.add_argument("--person", metavar="警号", help="对应名册中的人员；写 \"\" 取消对应")
    update.add_argument("--role", metavar="角色", help=ROLE_HELP)
    add_user_argument(update)
    update.set_defaults(handler=cmd_user_update)

    for name, handler, text in (
            ("unlock", cmd_user_unlock, "解除因连续输错密码造成的锁定（管理员；密码不变）"),
            ("disable", cmd_user_disable, "停用用户：不能再登录，历史记录保留（管理员）"),
            ("enable", cmd_user_enable, "重新启用已停用的用户（管理员）")):
        action = actions.add_parser(name, help=text)
        action.add_argument("name", metavar="用户名")
        add_user_argument(action)
        action.set_defaults(handler=handler)

    users = sub.add_parser("users", help="列出用户账户（不含密码）")
    add_format(users)
    users.set_defaults(handler=cmd_users)
