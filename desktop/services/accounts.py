"""Accounts: scrypt password hashes, login with lock-out, user administration."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.accounts import User
from desktop.models.audit import AuditEvent
from desktop.models.base import utcnow
from desktop.models.enums import Role
from desktop.services import audit
from desktop.services.actor import Actor, require
from desktop.services.errors import AuthError, NotFound, PermissionDenied, ValidationError

# scrypt is memory-hard (16 MiB with these parameters) and in the standard library. A hash
# records its N, so the test suite may hash at a lower SCRYPT_N (tests/conftest.py) and every
# check still works; PROGRAM_SCRYPT_N is the cost the program itself uses.
PROGRAM_SCRYPT_N = 2**14
SCRYPT_N, SCRYPT_R, SCRYPT_P = PROGRAM_SCRYPT_N, 8, 1
MAX_FAILURES = 5
LOCK_MINUTES = 15


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r),
                            p=int(p), dklen=len(digest_hex) // 2)
    return hmac.compare_digest(digest.hex(), digest_hex)


def _validate_password(password: str) -> None:
    if len(password) < 6:
        raise ValidationError("密码至少 6 位")


@functools.cache
def _dummy_hash() -> str:
    """A hash no password is known for, computed once: an unknown user name is checked against
    it so that it costs the same scrypt work as a known one and the time taken does not tell a
    guesser which user names exist."""
    return hash_password(secrets.token_hex(16))


def _new_user(session: Session, username: str, display_name: str, role: Role, password: str,
              person_id: int | None) -> User:
    username = username.strip()
    if not username:
        raise ValidationError("用户名不能为空")
    if session.scalar(select(User).where(User.username == username)):
        raise ValidationError(f"用户名“{username}”已存在")
    _validate_password(password)
    user = User(username=username, display_name=display_name.strip() or username, role=role.value,
                password_hash=hash_password(password), person_id=person_id)
    session.add(user)
    session.flush()
    return user


def create_user(session: Session, actor: Actor, username: str, display_name: str, role: Role,
                password: str, person_id: int | None = None) -> User:
    require(actor, "users.edit")
    user = _new_user(session, username, display_name, role, password, person_id)
    audit.record(session, actor, "user.create", "user", user.uuid, username=user.username, role=role.value)
    return user


def has_active_admin(session: Session) -> bool:
    return session.scalar(select(User.id).where(User.role == Role.ADMIN.value, User.active.is_(True))
                          .limit(1)) is not None


def refuse_first_admin_if_any(session: Session) -> None:
    """PermissionDenied when an active administrator exists (then accounts are made signed in)."""
    if has_active_admin(session):
        raise PermissionDenied("数据库中已有在用的管理员账户，不能不登录建立管理员；请由管理员登录（--user）后添加用户")


def create_first_admin(session: Session, username: str, display_name: str, password: str,
                       person_id: int | None = None) -> User:
    """An administrator made without signing in, allowed only while no active administrator
    exists (a new database, or a station rebuilt from an export, which carries no accounts):
    otherwise nobody could ever sign in to make the first one. Once one exists this is refused,
    so it is no way round the sign-in."""
    refuse_first_admin_if_any(session)
    user = _new_user(session, username, display_name, Role.ADMIN, password, person_id)
    # Nobody is signed in: the event names the program and the account it made.
    audit.record(session, Actor.system("bootstrap"), "user.bootstrap_admin", "user", user.uuid,
                 username=user.username, role=Role.ADMIN.value)
    return user


def _refuse_if_locked(user: User, now: dt.datetime) -> None:
    if user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise AuthError(f"密码错误次数过多，账户已锁定，请 {minutes} 分钟后再试或请管理员重置密码")


def _count_failure(session: Session, user: User, now: dt.datetime, action: str) -> bool:
    """One more wrong password; True when it locks the account. Committed at once: the caller's
    unit of work rolls back on the error that follows, which would otherwise undo the count and
    the lock-out would never happen."""
    user.failed_logins += 1
    locked = user.failed_logins >= MAX_FAILURES
    if locked:
        user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
        user.failed_logins = 0
    audit.record(session, Actor.of(user), action, "user", user.uuid, locked=locked)
    session.commit()
    return locked


def _check_against_lock_out(session: Session, user: User, password: str, action: str, *, locked: str,
                            wrong: str) -> None:
    """Raise AuthError unless the account is unlocked and `password` is right; a wrong one is
    counted (`action` in the audit trail) and the fifth locks the account (`locked`, else
    `wrong` with {left} tries). A right one starts the count again."""
    now = utcnow()
    _refuse_if_locked(user, now)
    if not check_password(password, user.password_hash):
        if _count_failure(session, user, now, action):
            raise AuthError(locked)
        raise AuthError(wrong.format(left=MAX_FAILURES - user.failed_logins))
    user.failed_logins = 0
    user.locked_until = None


def refuse_unknown(password: str) -> None:
    """The refusal of a name nobody has, after the same work as a known user's check: timing
    tells a guesser nothing."""
    check_password(password, _dummy_hash())
    raise AuthError("用户名或密码错误")


def login(session: Session, username: str, password: str) -> Actor:
    """Check the password; after MAX_FAILURES wrong tries the account is locked for a while."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    # One answer for an unknown user and a wrong password (no count of tries left either):
    # a different one would tell a guesser which user names exist.
    if user is None or not user.active:
        refuse_unknown(password)
    _check_against_lock_out(session, user, password, "user.login_failed",
                            locked=f"密码连续错误 {MAX_FAILURES} 次，账户已锁定 {LOCK_MINUTES} 分钟",
                            wrong="用户名或密码错误")
    actor = Actor.of(user)
    audit.record(session, actor, "user.login", "user", user.uuid)
    return actor


def verify_password(session: Session, actor: Actor, password: str) -> None:
    """A signer re-enters the password before signing. Wrong tries count toward the same
    lock-out as logins: a signature must not be a way to guess a password without limit."""
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None or not user.active:
        raise AuthError("密码不正确，未签字")
    _check_against_lock_out(session, user, password, "user.password_failed",
                            locked=f"密码连续错误 {MAX_FAILURES} 次，账户已锁定 {LOCK_MINUTES} 分钟，未签字",
                            wrong="密码不正确，未签字（还可尝试 {left} 次）")


def user_by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound(f"没有用户“{username}”")
    return user


def reset_password(session: Session, actor: Actor, username: str, new_password: str) -> None:
    require(actor, "users.edit")
    user = user_by_name(session, username)
    _validate_password(new_password)
    user.password_hash = hash_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, actor, "user.reset_password", "user", user.uuid, username=username)


def change_own_password(session: Session, actor: Actor, old_password: str, new_password: str) -> None:
    """Any user may change their own password by giving the old one (wrong tries count toward
    the lock-out, as at login); someone else's needs an administrator (`reset_password`)."""
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None or not user.active:
        raise AuthError("请先登录后再修改本人密码")
    _check_against_lock_out(session, user, old_password, "user.password_failed",
                            locked=f"密码连续错误 {MAX_FAILURES} 次，账户已锁定 {LOCK_MINUTES} 分钟，密码未修改",
                            wrong="原密码不正确，密码未修改（还可尝试 {left} 次）")
    _validate_password(new_password)
    user.password_hash = hash_password(new_password)
    audit.record(session, actor, "user.change_password", "user", user.uuid, username=user.username)


def unlock_user(session: Session, actor: Actor, username: str) -> User:
    """Lift a lock-out now instead of after LOCK_MINUTES, keeping the password (the user
    remembers it again, or the lock was someone else guessing)."""
    require(actor, "users.edit")
    user = user_by_name(session, username)
    was_locked = is_locked(user)
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, actor, "user.unlock", "user", user.uuid, username=user.username, was_locked=was_locked)
    return user


def is_locked(user: User, now: dt.datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def last_logins(session: Session) -> dict[int, dt.datetime]:
    """When each user last signed in (user id → UTC time), from the audit trail."""
    rows = session.execute(select(AuditEvent.user_id, func.max(AuditEvent.at))
                           .where(AuditEvent.action == "user.login", AuditEvent.user_id.is_not(None))
                           .group_by(AuditEvent.user_id))
    return {user_id: at for user_id, at in rows}


def update_user(session: Session, actor: Actor, username: str, *, display_name: str, role: Role,
                active: bool, person_id: int | None = None) -> User:
    """Change a user's name, role, linked person or disable the account (never deleted: audit keeps it)."""
    require(actor, "users.edit")
    user = user_by_name(session, username)
    if user.id == actor.user_id and (role != Role(user.role) or not active):
        raise ValidationError("不能更改自己的角色或停用自己的账户，请由另一位管理员操作")
    if Role(user.role) == Role.ADMIN and (role != Role.ADMIN or not active):
        others = session.scalar(select(User.id).where(User.role == Role.ADMIN.value, User.active.is_(True),
                                                      User.id != user.id).limit(1))
        if others is None:
            raise ValidationError("这是最后一个管理员账户，不能更改其角色或停用")
    before = (user.display_name, user.role, user.active, user.person_id)
    user.display_name = display_name.strip() or user.username
    user.role, user.active, user.person_id = role.value, active, person_id
    audit.record(session, actor, "user.update", "user", user.uuid, before=before,
                 after=(user.display_name, user.role, user.active, user.person_id))
    return user
