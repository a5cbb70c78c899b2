"""Signing in on the command line: every write names `--user` and proves it with the password.

The password is asked on a terminal (not echoed) or, when standard input is not a terminal,
read from its first line, so a script can pipe it in. Never from an argument or an environment
variable: those end up in shell histories and process lists. The check is the desktop
program's own (`accounts.login`): the same lock-out after repeated wrong passwords, the same
audit event, the same answer for an unknown user and a wrong password.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from desktop.models.db import Database
from desktop.services import visit
from desktop.services.actor import Actor
from desktop.services.errors import AuthError, ValidationError

USER_HELP = "以此用户身份执行（密码在终端输入，或从标准输入第一行读取）"


def add_user_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", required=True, metavar="用户名", help=USER_HELP)


def read_password(username: str) -> str:
    if sys.stdin is None:
        raise AuthError("需要密码：请在终端运行，或从标准输入提供密码")
    if sys.stdin.isatty():
        try:
            return getpass.getpass(f"用户“{username}”的密码：")
        except EOFError as exc:
            raise AuthError("没有输入密码，未执行") from exc
    line = sys.stdin.readline()
    if not line:
        raise AuthError("标准输入中没有密码（第一行应为密码），未执行")
    return line.rstrip("\r\n")


def sign_in(db: Database, username: str) -> Actor:
    """The signed-in actor for a write; AuthError (exit 2) on a wrong password or locked account."""
    return sign_in_with_password(db, username)[0]


def sign_in_with_password(db: Database, username: str) -> tuple[Actor, str]:
    """`sign_in`, also giving back the password it read: a signature re-checks the password
    (`signoff.sign`), and asking twice would read a second line a script never sent."""
    password = read_password(username)
    # A station's account, or on a station of a bureau server a bureau office's, reading only.
    return visit.login(db, username, password), password


def read_new_password(prompt: str) -> str:
    """A password being set (a new account's, a reset): asked twice on a terminal, a mismatch
    refused; otherwise the next line of standard input — the line after the signed-in user's
    password, or the first line when nobody signs in (the first administrator)."""
    if sys.stdin is None:
        raise AuthError("需要新密码：请在终端运行，或从标准输入提供新密码")
    if sys.stdin.isatty():
        try:
            first = getpass.getpass(f"{prompt}：")
            again = getpass.getpass(f"再次输入{prompt}：")
        except EOFError as exc:
            raise AuthError("没有输入新密码，未执行") from exc
        if first != again:
            raise ValidationError("两次输入的密码不一致，未执行")
        return first
    line = sys.stdin.readline()
    if not line:
        raise AuthError("标准输入中没有新密码（应在登录密码的下一行；不登录建立第一个管理员时在第一行），未执行")
    return line.rstrip("\r\n")
