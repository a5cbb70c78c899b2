"""Passwords are scrypt hashes; wrong passwords lock the account; an admin reset is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from desktop.models.accounts import User
from desktop.models.audit import AuditEvent
from desktop.models.db import Database
from desktop.services import accounts, audit
from desktop.services.errors import AuthError, PermissionDenied
from tests.services.builders import PASSWORD, World, confirm_everyone, world


@pytest.fixture
def w(db: Database) -> World:
    return world(db)


def attempt(w: World, username: str, password: str) -> str | None:
    """One login in its own unit of work, as the login dialog does; the error text or None."""
    try:
        with w.tx() as session:
            accounts.login(session, username, password)
    except AuthError as exc:
        return str(exc)
    return None


def test_password_is_stored_as_a_salted_scrypt_hash(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "SCRYPT_N", accounts.PROGRAM_SCRYPT_N)  # the suite hashes cheaper
    one, two = accounts.hash_password("same-password"), accounts.hash_password("same-password")
    assert one.startswith("scrypt$16384$8$1$") and one != two and "same-password" not in one
    assert accounts.check_password("same-password", one) and not accounts.check_password("other", one)
    assert not accounts.check_password("x", "md5$abc") and not accounts.check_password("x", "garbage")


def test_five_wrong_passwords_lock_the_account(w: World) -> None:
    messages = [attempt(w, "clerk", "wrong") for _ in range(accounts.MAX_FAILURES)]
    assert messages[:4] == ["用户名或密码错误"] * 4  # no count of tries left: same as an unknown user
    assert messages[-1] is not None and "账户已锁定" in messages[-1]
    # Even the right password is refused while locked, and says for how long.
    locked = attempt(w, "clerk", PASSWORD)
    assert locked is not None and "已锁定" in locked and "分钟后再试" in locked
    with w.tx() as session:
        failures = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.login_failed")).all()
        assert len(failures) == accounts.MAX_FAILURES
        assert '"locked": true' in failures[-1].detail
        assert audit.verify(session).ok


def test_lock_expires(w: World) -> None:
    for _ in range(accounts.MAX_FAILURES):
        attempt(w, "clerk", "wrong")
    with w.tx() as session:
        user = session.scalar(select(User).where(User.username == "clerk"))
        assert user is not None and user.locked_until is not None
        user.locked_until = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=1)
    assert attempt(w, "clerk", PASSWORD) is None


def test_a_good_login_resets_the_count(w: World) -> None:
    for _ in range(accounts.MAX_FAILURES - 1):
        attempt(w, "clerk", "wrong")
    assert attempt(w, "clerk", PASSWORD) is None
    # Counting from zero again: four more wrong tries do not lock (without the reset the first would).
    messages = [attempt(w, "clerk", "wrong") for _ in range(accounts.MAX_FAILURES - 1)]
    assert messages == ["用户名或密码错误"] * (accounts.MAX_FAILURES - 1)


def test_unknown_user_and_wrong_password_read_the_same(w: World) -> None:
    assert attempt(w, "nobody", "wrong") == "用户名或密码错误"


def test_admin_reset_unlocks_and_is_audited(w: World) -> None:
    for _ in range(accounts.MAX_FAILURES):
        attempt(w, "clerk", "wrong")
    with w.tx() as session, pytest.raises(PermissionDenied):
        accounts.reset_password(session, w.chief, "clerk", "new-secret")
    with w.tx() as session:
        accounts.reset_password(session, w.admin, "clerk", "new-secret")
    assert attempt(w, "clerk", "new-secret") is None
    with w.tx() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.reset_password")).one()
        assert event.username == "admin" and "clerk" in event.detail


def sign_attempt(w: World, password: str) -> str | None:
    """The chief re-enters the password to sign March, in its own unit of work as the review
    screen does; the error text or None."""
    from desktop.services import signoff
    from tests.services.builders import period, person, rec, to_review

    with w.tx() as session:
        march = period(session, "2026-03")
        if march.state == "open":
            p = person(session, w.dept, "001")
            rec(session, w.clerk, p, "ZB-01")
            confirm_everyone(session, w.clerk, to_review(session, w, "2026-03"))
    try:
        with w.tx() as session:
            signoff.sign(session, w.chief, period(session, "2026-03"), password)
    except AuthError as exc:
        return str(exc)
    return None


def test_wrong_signing_passwords_count_toward_the_same_lock_out(w: World) -> None:
    messages = [sign_attempt(w, "wrong") for _ in range(accounts.MAX_FAILURES - 1)]
    assert messages[0] == "密码不正确，未签字（还可尝试 4 次）"
    assert messages[-1] == "密码不正确，未签字（还可尝试 1 次）"
    assert attempt(w, "chief", "wrong") is not None and "账户已锁定" in (attempt(w, "chief", PASSWORD) or "")
    refused = sign_attempt(w, PASSWORD)  # locked: even the right password signs nothing
    assert refused is not None and "已锁定" in refused
    with w.tx() as session:
        from desktop.models.periods import SignOff

        assert session.scalars(select(SignOff)).all() == []
        kinds = [e.action for e in session.scalars(select(AuditEvent).where(
            AuditEvent.action.in_(("user.password_failed", "user.login_failed"))).order_by(AuditEvent.id))]
        assert kinds == ["user.password_failed"] * 4 + ["user.login_failed"]
        assert audit.verify(session).ok


def test_a_right_signing_password_starts_the_count_again(w: World) -> None:
    for _ in range(accounts.MAX_FAILURES - 1):
        sign_attempt(w, "wrong")
    assert sign_attempt(w, PASSWORD) is None  # signed
    with w.tx() as session:
        user = session.scalar(select(User).where(User.username == "chief"))
        assert user is not None and user.failed_logins == 0 and user.locked_until is None
