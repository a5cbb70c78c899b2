"""What a `--db` value names: a station's SQLite file, or a database on a PostgreSQL server.

`jifen --db 积分.db …` and `jifen --db postgresql://kaohe@10.1.2.3/jifen …` run the same
commands. A server address never carries a password: the driver (libpq, through psycopg) takes
it from PGPASSWORD or the user's pgpass file, or the desktop program asks for it, so it is never
written into a command line, a shortcut or the settings.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

SERVER_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_server(target: str | Path) -> bool:
    return str(target).lower().startswith(SERVER_SCHEMES)


def server_url(target: str) -> URL:
    """The SQLAlchemy URL of a server address, with the driver we ship (psycopg 3) whatever the
    address said; a ValueError in Chinese when it is not one."""
    try:
        url = make_url(target.replace("postgres://", "postgresql://", 1) if target.startswith("postgres://")
                       else target)
    except ArgumentError as exc:
        raise ValueError(f"服务器地址“{target}”写法不对，应写作 postgresql://用户名@服务器/数据库名") from exc
    if not url.database:
        raise ValueError(f"服务器地址“{target}”没有写数据库名，应写作 postgresql://用户名@服务器/数据库名")
    return url.set(drivername="postgresql+psycopg")


def shown(target: str | Path) -> str:
    """The address as a message shows it: a password written into it anyway is masked."""
    if not is_server(target):
        return str(target)
    try:
        return server_url(str(target)).render_as_string(hide_password=True)
    except ValueError:
        return str(target)


def reachable(target: str) -> str | None:
    """None when the server answers and the database is there, else why not (in Chinese)."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.pool import NullPool

    try:
        engine = create_engine(server_url(target), poolclass=NullPool)
    except ValueError as exc:
        return str(exc)
    try:
        with engine.connect():
            return None
    except OperationalError as exc:
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()[-1] if str(exc).strip() else ""
        if "does not exist" in detail:
            return f"服务器上没有数据库“{server_url(target).database}”：请数据库管理员先建立它（见 docs/server.md）"
        if "password" in detail.lower():
            return "服务器拒绝了登录：请检查用户名，并在 PGPASSWORD 或 pgpass 文件中给出密码（见 docs/server.md）"
        return f"连不上数据库服务器“{shown(target)}”：{detail}"
    finally:
        engine.dispose()
