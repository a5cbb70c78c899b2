"""What every command module shares: opening the database, a signed-in write, a listing.

    with signed_in(args) as (session, actor):   # --user, password from tty or stdin
        ledger.reverse(session, actor, …)

    emit(args.format, FIELDS, rows)             # table | csv | json with stable field names

A listing's JSON field names are a stable interface (docs/cli.md): add fields, never rename.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.cli.output import table, to_csv, to_json
from desktop.services.errors import ValidationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop.models.db import Database
    from desktop.models.periods import Period
    from desktop.services.actor import Actor

PERIOD_HELP = "考核周期：2026-03（月）、2026-Q1（季度）、2026-H1（半年）或 2026（年）"
FORMATS = ("table", "csv", "json")


def open_db(args: argparse.Namespace) -> Database:
    from desktop.cli import open_existing

    return open_existing(args)


@contextmanager
def reading(args: argparse.Namespace) -> Iterator[Session]:
    """A read-only session on an existing database (no account needed)."""
    db = open_db(args)
    try:
        with db.session() as session:
            yield session
    finally:
        db.dispose()


@contextmanager
def signed_in(args: argparse.Namespace) -> Iterator[tuple[Session, Actor]]:
    """One transaction by the account `--user` names, after its password proved it.

    The sign-in is committed on its own (a wrong password counts toward lock-out even though
    the write never runs); the write commits only when the block ends without an error.
    """
    with signed_in_keeping_password(args) as (session, actor, _):
        yield session, actor


@contextmanager
def signed_in_keeping_password(args: argparse.Namespace) -> Iterator[tuple[Session, Actor, str]]:
    """`signed_in`, keeping the password for a signature's own re-check (`period sign`)."""
    from desktop.cli.signin import sign_in_with_password
    from desktop.models import stores
    from desktop.services import integrity

    if not stores.is_server(args.db) and not Path(args.db).exists():
        open_db(args)  # the one Chinese line for a database that is not there; no lock file left
    # One writer at a time on a station's file, as for every write: refused while the desktop
    # program has it. A server's transactions keep concurrent writers apart themselves.
    lock = integrity.server_lock() if stores.is_server(args.db) else integrity.acquire_writer_lock(args.db)
    try:
        db = open_db(args)
        try:
            actor, password = sign_in_with_password(db, args.user)
            with db.transaction() as session:
                yield session, actor, password
        finally:
            db.dispose()
    finally:
        lock.release()


def period_of(session: Session, code: str, *, create: bool = False) -> Period:
    """The period a command names; one nobody opened yet is computed without creating it,
    unless the command is about to act on it (`create`)."""
    from desktop.services import periods

    spec = periods.parse_period(code)
    found = periods.find_period(session, spec.code)
    if found is not None:
        return found
    return periods.get_or_create(session, spec.code) if create else periods.transient(spec)


def day(text: str, what: str = "日期") -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        if len(text.strip()) == 10 and text.strip()[4] == "-":
            raise ValidationError(f"{what}“{text}”不存在（该月没有这一天）") from exc
        raise ValidationError(f"{what}“{text}”应写作 2026-03-05") from exc


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table", help="输出格式（json 的字段名保持稳定）")


def emit(fmt: str, fields: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]]) -> None:
    """Print `rows` (dicts keyed by field name) as a table, CSV or JSON.

    `fields` pairs each JSON field name with its Chinese column heading, in column order.
    """
    if fmt == "json":
        print(to_json([{key: row.get(key) for key, _ in fields} for row in rows]))
        return
    headers = [label for _, label in fields]
    cells = [[_cell(row.get(key)) for key, _ in fields] for row in rows]
    if fmt == "csv":
        sys.stdout.write(to_csv(headers, cells))
    else:
        print(table(headers, cells))


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return value


def read_json_file(path: Path, what: str) -> Any:
    """A JSON file a clerk wrote (`what`: 考核细则文件, 积分制定义文件 …), or one clear line why not."""
    import json

    from desktop.services.errors import NotFound

    if not path.is_file():
        raise NotFound(f"{what}“{path}”不存在")
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{what}“{path}”无法读取（应为 UTF-8 编码的 JSON）：{exc}") from exc
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{what}“{path}”不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}") from exc
