"""Where the program keeps window layout and per-user preferences (QSettings).

A module of its own, free of the database layer, so the login window can remember the last
user name before SQLAlchemy is loaded. Station policy is never kept here: it is in the database.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings


def settings() -> QSettings:
    """Window state and per-user preferences (station policy lives in the database)."""
    return QSettings("jifen", "jifen")


def _period_key(db_path: object, username: str) -> str:
    # One database's periods mean nothing in another: the key names both.
    return f"period/{str(db_path).replace('/', '|')}/{username}"


def last_period(db_path: object, username: str) -> str | None:
    value = settings().value(_period_key(db_path, username))
    return str(value) if value else None


def keep_period(db_path: object, username: str, code: str) -> None:
    settings().setValue(_period_key(db_path, username), code)
