"""What a `--db` value names: a station's SQLite file, or a database on a PostgreSQL server.

`jifen --db 积分.db …` and `jifen --db postgresql://kaohe@10.1.2.3/jifen …` run the same
commands. A server address never carries a password: the driver (libpq, through psycopg) takes
it from PGPASSWORD or the user's pgpass file, or the desktop program asks for it, so it is never
written into a command line, a shortcut or the settings.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

SERVER_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")

# A bureau whose stations share one database keeps each station in a schema of its own
# (`…/jifen?station=610921001` reaches it): every table, trigger, seal and audit chain of a
# station is its own, exactly as in the station's file, so a station's accounts cannot see or
# write another's data, and every service runs unchanged. The database's default schema
# (`public`, an address without `station=`) is the bureau's own: its accounts, schemes and units.
STATION_PARAM = "station"
STATION_SCHEMA_PREFIX = "station_"
_PLAIN_CODE = re.compile(r"^[0-9a-z_]{1,40}$")


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
    # `station=` is ours, not libpq's: it chooses the schema (see `schema_of`), and libpq would
    # refuse it as an unknown connection option.
    return url.set(drivername="postgresql+psycopg").difference_update_query([STATION_PARAM])


def station_of(target: str | Path) -> str | None:
    """The station code an address names (`?station=…`); None for the bureau's own schema."""
    if not is_server(target):
        return None
    try:
        url = make_url(str(target).replace("postgres://", "postgresql://", 1))
    except ArgumentError:
        return None
    code = url.query.get(STATION_PARAM)
    if isinstance(code, tuple):
        code = code[-1]
    code = (code or "").strip()
    return code or None


def schema_for(code: str) -> str:
    """The schema of a station's data: `station_<code>` for a plain code (digits, lower-case
    letters, underscores), else a stable digest of it, so any code is a valid, quoted-free name."""
    plain = code.lower()
    if _PLAIN_CODE.match(plain) and plain == code:
        return STATION_SCHEMA_PREFIX + plain
    return STATION_SCHEMA_PREFIX + "x" + hashlib.sha256(code.encode("utf-8")).hexdigest()[:16]


def schema_of(target: str | Path) -> str:
    """The schema a server address works in: the station's, or `public` (the bureau's own)."""
    code = station_of(target)
    return schema_for(code) if code else "public"


def with_station(target: str, code: str | None) -> str:
    """The same server address naming station `code` (None: the bureau's own schema)."""
    url = make_url(target.replace("postgres://", "postgresql://", 1)).difference_update_query([STATION_PARAM])
    if code:
        url = url.update_query_dict({STATION_PARAM: code})
    return url.render_as_string(hide_password=False)


# psycopg prepares a statement run five times on one connection, and PostgreSQL then plans a
# prepared statement once for any parameters (a generic plan) when that looks no dearer. It is
# dearer here: `scheme = $1` cannot tell a unit scheme's few thousand entries from the person
# scheme's 400,000, so a month of 队伍管理 was read through the date index, 27 ms, not 0.1 ms.
# A custom plan costs a few tenths of a millisecond of planning at each run.
PLAN_OPTIONS = "-cplan_cache_mode=force_custom_plan"


def connect_args(target: str | Path) -> dict[str, str]:
    """What every connection to the address is opened with: the station's schema as the only
    search path (libpq's `options`, so a rolled-back transaction cannot undo it), and plans made
    for each run's own parameters (PLAN_OPTIONS)."""
    return {"options": f"-csearch_path={schema_of(target)} {PLAN_OPTIONS}"}


def shown(target: str | Path) -> str:
    """The address as a message shows it: a password written into it anyway is masked."""
    if not is_server(target):
        return str(target)
    try:
        shown_url = server_url(str(target))
    except ValueError:
        return str(target)
    code = station_of(target)
    if code:
        shown_url = shown_url.update_query_dict({STATION_PARAM: code})
    # As a user writes it: the driver we ship is ours to know, not a part of the address.
    return shown_url.set(drivername="postgresql").render_as_string(hide_password=True)


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
        with engine.connect() as conn:
            code = station_of(target)
            if code and not schema_exists(conn, schema_for(code)):
                return (f"服务器数据库“{server_url(target).database}”中没有单位代码为“{code}”的派出所："
                        "可用 jifen server push 把派出所的数据库推送上来（见 docs/server.md）")
            return None
    except OperationalError as exc:
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()[-1] if str(exc).strip() else ""
        if "does not exist" in detail:
            return f"服务器上没有数据库“{server_url(target).database}”：请数据库管理员先建立它（见 docs/server.md）"
        if "password" in detail.lower():
            return "服务器拒绝了登录：请检查用户名，并在 PGPASSWORD 或 pgpass 文件中给出密码（见 docs/server.md）"
        if "timeout" in detail.lower():  # libpq's own words are English; this one a clerk meets most
            return f"连不上数据库服务器“{shown(target)}”：连接超时，服务器没有应答（请检查地址和网络）"
        return f"连不上数据库服务器“{shown(target)}”：{detail}"
    finally:
        engine.dispose()


def schema_exists(conn, schema: str) -> bool:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    return conn.execute(text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"),
                        {"s": schema}).first() is not None


def station_schemas(conn) -> list[str]:  # type: ignore[no-untyped-def]
    """The stations' schemas in a server database, those migrated by this program only."""
    from sqlalchemy import text

    rows = conn.execute(text(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'alembic_version' "
        "AND table_schema LIKE :prefix ORDER BY table_schema"), {"prefix": STATION_SCHEMA_PREFIX + "%"})
    return [r[0] for r in rows]


def schema_engine(url: URL, schema: str):  # type: ignore[no-untyped-def]
    """An engine on one schema of the server `url` names (credentials included): what the
    bureau's board and `server push` read and write another station's schema through."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(url, poolclass=NullPool,
                         connect_args={"options": f"-csearch_path={schema} {PLAN_OPTIONS}"})
