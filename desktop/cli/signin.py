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
from desktop.services import accounts
from desktop.services.actor import Actor
from desktop.services.errors import AuthError

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
    password = read_password(username)
    with db.transaction() as session:
        return accounts.login(session, username, password)
