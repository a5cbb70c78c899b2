"""Administration on the command line: users, roster, catalogue, station settings.

Every write the desktop program makes in 人员, 考核细则 and 设置 (except the grade policy,
which is `jifen policy`) has a command here, signed in with `--user` and checked by the same
services. One module per group; this one only registers them, in `jifen --help` order.
"""

from __future__ import annotations

import argparse

from desktop.cli import admin_catalogue, admin_roster, admin_settings, admin_users


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    admin_users.register(sub)
    admin_roster.register(sub)
    admin_catalogue.register(sub)
    admin_settings.register(sub)
