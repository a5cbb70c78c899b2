"""Who is calling a service, and the role checks every write makes."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.models.accounts import User
from desktop.models.enums import Role
from desktop.services.errors import PermissionDenied

# What each role may do. Services call `require(actor, ACTION)`; the UI asks `can()` to hide buttons.
# The bureau's offices (政工室, 考核办) keep the bureau's own schemes and units as a station's
# clerk keeps the station's; 纪检督察 reads, the audit trail included.
_BUREAU_WRITERS = frozenset({Role.PERSONNEL, Role.ASSESSMENT})
PERMISSIONS: dict[str, frozenset[Role]] = {
    "station.edit": frozenset({Role.ADMIN}),
    "roster.edit": frozenset({Role.ADMIN, Role.CLERK}) | _BUREAU_WRITERS,
    "catalogue.edit": frozenset({Role.ADMIN, Role.CLERK}) | _BUREAU_WRITERS,
    "policy.edit": frozenset({Role.ADMIN, Role.CHIEF}),
    "entry.write": frozenset({Role.ADMIN, Role.CLERK, Role.CHIEF}) | _BUREAU_WRITERS,
    "period.compute": frozenset({Role.ADMIN, Role.CLERK, Role.CHIEF}) | _BUREAU_WRITERS,
    "period.review": frozenset({Role.ADMIN, Role.CLERK, Role.CHIEF}) | _BUREAU_WRITERS,
    "period.lock": frozenset({Role.CHIEF}),
    "period.reopen": frozenset({Role.CHIEF}),
    "grade.override": frozenset({Role.CHIEF}),
    "dispute.resolve": frozenset({Role.CHIEF}),
    "confirm.any": frozenset({Role.ADMIN, Role.CLERK, Role.CHIEF}),  # record a paper confirmation
    "award.give": frozenset({Role.CHIEF}),
    "users.edit": frozenset({Role.ADMIN}),
    "audit.read": frozenset({Role.ADMIN, Role.CHIEF, Role.INSPECTION}),
    "import": frozenset({Role.ADMIN, Role.CLERK}) | _BUREAU_WRITERS,
    "backup": frozenset({Role.ADMIN, Role.CLERK, Role.CHIEF}),
    # The reviewing unit (法制大队) works under a clerk's account at the station.
    "case.review": frozenset({Role.ADMIN, Role.CLERK, Role.CHIEF}),
    # Restoring replaces every record with older ones: the chief or an administrator only.
    "backup.restore": frozenset({Role.ADMIN, Role.CHIEF}),
    # A station's file goes up to the bureau server by its chief or administrator.
    "server.push": frozenset({Role.ADMIN, Role.CHIEF}),
    # On a bureau server: every station's results, ranked together (bureau_board).
    "bureau.read": frozenset({Role.ADMIN, Role.PERSONNEL, Role.ASSESSMENT, Role.INSPECTION}),
}

ACTION_LABELS = {
    "station.edit": "修改单位设置",
    "roster.edit": "维护人员名册",
    "catalogue.edit": "维护考核细则",
    "policy.edit": "修改等次政策",
    "entry.write": "录入或作废积分",
    "period.compute": "计算积分",
    "period.review": "提交审核",
    "period.lock": "锁定考核周期",
    "period.reopen": "解锁考核周期",
    "grade.override": "调整等次",
    "dispute.resolve": "处理异议",
    "confirm.any": "代为登记确认",
    "award.give": "评定奖励",
    "users.edit": "管理用户",
    "audit.read": "查看审计记录",
    "import": "导入数据",
    "backup": "备份与恢复",
    "case.review": "审核案件积分",
    "backup.restore": "恢复数据库",
    "server.push": "推送到局服务器",
    "bureau.read": "查看全局各单位的排名",
}


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    display_name: str
    role: Role
    person_id: int | None = None
    # A bureau office reading a station on the bureau server (`visit.login`): the station's
    # code. It holds no account there, so it reads and writes nothing (`can`).
    visiting: str | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.username, user.display_name, Role(user.role), user.person_id)

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """The program itself (demo builder, migrations, command line); acts as administrator."""
        return cls(None, name, "系统", Role.ADMIN)


# What a visiting bureau office may still do at a station: read its audit trail (纪检督察).
VISITOR_ACTIONS = frozenset({"audit.read", "bureau.read"})


def can(actor: Actor, action: str) -> bool:
    if actor.visiting is not None and action not in VISITOR_ACTIONS:
        return False
    return actor.role in PERMISSIONS[action]


def require(actor: Actor, action: str) -> None:
    if actor.visiting is not None and action not in VISITOR_ACTIONS:
        raise PermissionDenied(
            f"“{actor.display_name}”是局机关{actor.role.label}的账户，在派出所的数据里只能查看，"
            f"不能{ACTION_LABELS[action]}。"
        )
    if not can(actor, action):
        raise PermissionDenied(
            f"当前用户“{actor.display_name}”（{actor.role.label}）无权{ACTION_LABELS[action]}。"
        )
