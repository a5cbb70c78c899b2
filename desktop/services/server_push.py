"""`jifen server push --to URL`: a station's database file copied into the bureau server.

The station goes into a schema of its own (`stores.schema_for(code)`), reached afterwards as
`URL?station=<code>`, with its rows, accounts, seals and audit chain exactly as in the file, so
its clerks go on working there with the same passwords and the chain still verifies.

What is refused, before the server is changed at all:
- a file whose own audit chain or row seals do not verify (a forged file must not become the
  bureau's record);
- another station under the same code on the server (stations are told apart by the uuid
  their database was made with, not by a code anyone can type);
- the same station when the server holds work the file lacks: the server's chain must end at
  an event the file also has, else pushing would throw away what was written on the server.

The copy is built in a side schema, verified there (chain and seals) and only then swapped in
by renaming, in one transaction, so a failure at any point leaves the server as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, select, text

from desktop.models import stores
from desktop.models.audit import AuditEvent
from desktop.models.db import Database, migrate
from desktop.models.station import Station
from desktop.services import audit, seal_verify, server_copy
from desktop.services.actor import Actor, require
from desktop.services.errors import NotFound, ValidationError

INCOMING = "_incoming"


@dataclass
class PushReport:
    code: str
    name: str
    schema: str
    address: str  # the station's address on the server (`…?station=<code>`), shown masked
    replaced: bool = False  # the station was there and its copy was brought up to date
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def entries(self) -> int:
        return self.rows.get("entries", 0)


@dataclass(frozen=True)
class _Held:
    """What the server holds under the station's code."""

    uuid: str
    name: str
    last_event: tuple[int, str] | None


def _schema_engine(to: str, schema: str) -> Engine:
    return stores.schema_engine(stores.server_url(to), schema)


def _station(db: Database) -> Station:
    with db.session() as session:
        station = session.scalars(select(Station).order_by(Station.id)).first()
    if station is None:
        raise ValidationError("这个数据库还没有建立单位，没有可推送的数据")
    return station


def _check_source(db: Database) -> None:
    with db.session() as session:
        chain = audit.verify(session)
        if not chain.ok:
            raise ValidationError(f"本单位数据库的审计链验证未通过（{chain.reason}），不能推送到服务器；"
                                  "请先用 jifen audit verify 查明原因")
        rows = seal_verify.verify_rows(session)
        if not rows.ok:
            raise ValidationError("本单位数据库中有未经程序写入的改动（jifen audit verify 列出），不能推送到服务器")


def _held(to: str, schema: str) -> _Held | None:
    engine = _schema_engine(to, schema)
    try:
        with engine.connect() as conn:
            if not stores.schema_exists(conn, schema):
                return None
            station = conn.execute(text("SELECT uuid, name FROM stations ORDER BY id LIMIT 1")).first()
            if station is None:
                return None
            last = conn.execute(text("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")).first()
            return _Held(str(station[0]), station[1], (last[0], last[1]) if last else None)
    finally:
        engine.dispose()


def _check_same(db: Database, station: Station, held: _Held, code: str) -> None:
    if held.uuid != str(station.uuid):
        raise ValidationError(
            f"服务器上已有单位代码为“{code}”的另一个单位（{held.name}），与本数据库（{station.name}）不是同一个单位，"
            "未推送；请核对单位代码")
    if held.last_event is None:
        return
    event_id, digest = held.last_event
    with db.session() as session:
        mine = session.get(AuditEvent, event_id)
    if mine is None or mine.hash != digest:
        raise ValidationError(
            f"服务器上的“{held.name}”已有本数据库没有的记录（服务器审计记录第 {event_id} 条），推送会丢失这些记录，未推送；"
            "请在服务器上继续工作，或导出服务器上的数据后再处理")


def _verify_copy(engine: Engine) -> None:
    copy = Database(engine)
    with copy.session() as session:
        chain = audit.verify(session)
        rows = seal_verify.verify_rows(session)
    if not chain.ok or not rows.ok:
        why = chain.reason if not chain.ok else "；".join(
            [f.line() for f in rows.findings[:3]] + rows.seal_problems[:3]) or "行印章不符"
        raise ValidationError(f"服务器上的副本验证未通过（{why}），未推送；服务器保持原样")


def check_target(to: str) -> None:
    """A ValidationError in Chinese when `to` is not a well-formed server address (the command
    line asks this before the sign-in, so a typo is refused before anything is written)."""
    if not stores.is_server(to):
        raise ValidationError(f"“{to}”不是数据库服务器地址，应写作 postgresql://用户名@服务器/数据库名")
    try:
        stores.server_url(to)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def push(db: Database, actor: Actor, to: str, progress: server_copy.ProgressFn | None = None) -> PushReport:
    """Copy the station of `db` (a station's SQLite file) into the server database `to`."""
    require(actor, "server.push")
    check_target(to)
    if db.is_server:
        raise ValidationError("只能从派出所的数据库文件推送到服务器")
    station = _station(db)
    code = station.code
    named = stores.station_of(to)
    if named is not None and named != code:
        raise ValidationError(f"服务器地址中的单位代码“{named}”与本数据库的单位代码“{code}”不同，未推送")
    target = stores.with_station(to, code)
    if problem := stores.reachable(stores.with_station(to, None)):
        raise NotFound(problem)
    _check_source(db)
    schema = stores.schema_for(code)
    held = _held(to, schema)
    if held is not None:
        _check_same(db, station, held, code)
    report = PushReport(code=code, name=station.name, schema=schema, address=stores.shown(target),
                        replaced=held is not None)
    side = schema + INCOMING
    engine = _schema_engine(to, side)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{side}" CASCADE')  # a failed push's leftovers
            conn.exec_driver_sql(f'CREATE SCHEMA "{side}"')
        migrate(engine)
        with engine.begin() as conn:
            server_copy.empty_tables(conn)
            report.rows = server_copy.copy_rows(db.engine, conn, progress)
        _verify_copy(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            conn.exec_driver_sql(f'ALTER SCHEMA "{side}" RENAME TO "{schema}"')
    except BaseException:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{side}" CASCADE')
        raise
    finally:
        engine.dispose()
    with db.transaction() as session:
        audit.record(session, actor, "server.push", "station", code,
                     server=stores.shown(stores.with_station(to, None)), entries=report.entries,
                     replaced=report.replaced)
    return report
