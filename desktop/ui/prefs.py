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


# The database servers connected to, newest first. The address is kept without a password and
# without `station=` (the station code has a field, and a key, of its own); a password is never
# kept anywhere: it lives only in the open engine.
SERVER_KEY, STATION_KEY, RECENT_KEY = "server/address", "server/station", "server/recent"
RECENT_SERVERS = 5


def last_server() -> tuple[str, str]:
    """(address, station code) of the last server connected to; empty strings when none."""
    store = settings()
    return str(store.value(SERVER_KEY, "") or ""), str(store.value(STATION_KEY, "") or "")


def recent_servers() -> list[str]:
    value = settings().value(RECENT_KEY, [])
    if isinstance(value, str):  # QSettings gives a one-item list back as a plain string
        value = [value]
    return [str(v) for v in value or [] if v]


def keep_server(address: str, station: str) -> None:
    """Remember a server connected to: `address` must already be free of any password."""
    store = settings()
    store.setValue(SERVER_KEY, address)
    store.setValue(STATION_KEY, station)
    recent = [address] + [a for a in recent_servers() if a != address]
    store.setValue(RECENT_KEY, recent[:RECENT_SERVERS])
