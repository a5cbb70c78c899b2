"""`jifen backup`, `jifen restore`, `jifen audit verify|show`: keeping the database safe.

Loaded by `desktop.cli` when present. Commands that replace the database take the one-writer
lock first, so they are refused while the desktop program has the same file open.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from pathlib import Path

from sqlalchemy import select

from desktop.cli.output import table, to_json
from desktop.cli.paths import add_force_argument, guard_args
from desktop.models.audit import AuditEvent
from desktop.services import backup, integrity
from desktop.services.actor import Actor
from desktop.services.errors import AuthError, NotFound, ValidationError

EXIT_TAMPERED = 1
DETAIL_WIDTH = 60


# A server's database is backed up by its administrator, not copied by a station's PC.
ON_SERVER = ("数据库在服务器上，本程序不在本机备份或恢复它：请数据库管理员用 pg_dump 备份、pg_restore 恢复"
             "（见 docs/server.md“备份”），各单位可用 jifen export 导出工作簿留存")


def _refuse_server(args: argparse.Namespace) -> None:
    from desktop.models import stores

    if stores.is_server(args.db):
        raise ValidationError(ON_SERVER)


def _db_path(args: argparse.Namespace) -> Path:
    _refuse_server(args)
    path = Path(args.db)
    if not path.is_file():
        raise NotFound(f"数据库“{path}”不存在")
    return path


def cmd_backup(args: argparse.Namespace) -> int:
    path = _db_path(args)
    target = guard_args(args, folder_ok=True) if args.output is not None else None
    integrity.ensure_sound(path)  # a backup of a damaged file would only hide the damage
    if target is not None and target.is_file():  # guarded: only with --force
        out = _replace_with_backup(path, target)
    else:
        out = backup.backup(path, target)
    size = out.stat().st_size / 1024 / 1024
    print(f"已备份到：{out}（{size:.1f} MB）")
    from desktop.services import chain_head

    # The head in the copy: `audit verify --against` the copy (or this code) later shows
    # whether the trail up to here was rewritten since.
    print(f"备份的审计链码：{chain_head.code_in_file(out)}")
    if args.output is None:
        print(f"备份文件夹中现有 {len(backup.list_backups(path))} 个备份（保留最近 {backup.KEEP_LATEST} 个，"
              f"另每月保留一个、共 {backup.KEEP_MONTHS} 个月）")
    return 0


def _replace_with_backup(path: Path, target: Path) -> Path:
    """`backup -o FILE --force` over an existing file: the new copy is written beside it first,
    so a failed backup leaves the old file in place."""
    fresh = target.with_name(f".{target.name}.{os.getpid()}.new")
    fresh.unlink(missing_ok=True)
    try:
        backup.backup(path, fresh)
        os.replace(fresh, target)
    finally:
        fresh.unlink(missing_ok=True)
    return target


def cmd_restore(args: argparse.Namespace) -> int:
    """Who may restore, and which backup, is the service's rule (`backup_restore.restore`);
    this command takes the lock first (refused at once while the program is open), then signs in."""
    from desktop.services import backup_restore

    _refuse_server(args)
    path = Path(args.db)
    with integrity.acquire_writer_lock(path) as lock:
        # A bad or foreign backup is refused before the sign-in, which itself writes (the login
        # event): refused means nothing at all was written. The service checks again what it installs.
        info = backup_restore.inspect_backup(args.file)
        refusal = backup_restore.station_refusal(path, info)
        if refusal and not args.other_station:
            raise backup_restore.BackupRefused(refusal)
        actor = _restorer(args, path)
        report = backup_restore.restore(path, args.file, lock=lock, actor=actor, other_station=args.other_station)
    print(f"已从“{report.source}”恢复数据库“{path}”（审计记录 {report.info.audit_events} 条，校验通过）")
    if report.other_station and report.info.station:
        print(f"注意：这是其他单位 {report.info.station.label()} 的备份，已由管理员确认")
    if report.info.in_future():
        print("注意：这个备份中最新的审计记录日期在未来，请核对电脑的日期和这个备份的来历")
    if report.kept:
        print(f"恢复前的数据库已保留为：{report.kept}（不参与轮换，可用 jifen restore 恢复回来）")
    return 0


def _restorer(args: argparse.Namespace, path: Path) -> Actor | None:
    """The signed-in chief or administrator; None when nobody can sign in (no database yet, or
    a damaged one), which the service then accepts as the program itself."""
    from desktop.services import backup_restore

    if args.user is None or not path.is_file():  # no database: nobody to sign in as
        if backup_restore.sign_in_needed(path):
            raise AuthError("恢复数据库须由所长或管理员确认身份：请加 --user 用户名（密码在终端输入或从标准输入读取）")
        return None
    from desktop.cli import open_existing
    from desktop.cli.signin import sign_in

    db = open_existing(args)
    try:
        return sign_in(db, args.user)
    finally:
        db.dispose()  # the restore needs every connection closed


def cmd_backups(args: argparse.Namespace) -> int:
    _refuse_server(args)
    found = backup.list_backups(args.db, doubtful=True)
    if not found:
        print(f"备份文件夹“{backup.backup_dir(args.db)}”中没有备份")
        return 0
    rows = [[b.taken_at.strftime("%Y-%m-%d %H:%M:%S"), backup.REASONS.get(b.reason, b.reason),
             f"{b.path.stat().st_size / 1024 / 1024:.1f} MB", b.doubt, str(b.path)] for b in found]
    print(table(["时间", "原因", "大小", "提示", "文件"], rows))
    if any(b.doubt for b in found):
        print(f"标有“{backup.OTHER_STATION}”或“{backup.FUTURE}”的文件列在最后，不会被当作最近的备份，"
              "也不参与轮换和审计比对；请查明它们的来历")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Chain, rows, schema and earlier heads (`--against`); exit 1 when anything disagrees."""
    from desktop.cli import open_existing
    from desktop.services import tamper_check

    db = open_existing(args)
    try:
        report = tamper_check.check(db, args.against or [])
    finally:
        db.dispose()
    if args.format == "json":
        print(to_json(report.as_json()))
    else:
        print("\n".join(report.lines()))
    return 0 if report.ok else EXIT_TAMPERED


def _local(at: dt.datetime) -> str:
    return at.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _detail_text(raw: str) -> str:
    try:
        data = json.loads(raw)
    except ValueError:
        return raw[:DETAIL_WIDTH]
    text = "，".join(f"{k}={v}" for k, v in data.items()) if isinstance(data, dict) else str(data)
    return text if len(text) <= DETAIL_WIDTH else text[: DETAIL_WIDTH - 1] + "…"


def cmd_audit_show(args: argparse.Namespace) -> int:
    from desktop.cli import open_existing

    db = open_existing(args)
    try:
        with db.session() as session:
            query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(args.limit)
            if args.action:
                query = query.where(AuditEvent.action.startswith(args.action))
            events = list(reversed(session.scalars(query).all()))
    finally:
        db.dispose()
    if args.format == "json":
        print(to_json([{"id": e.id, "at": _local(e.at), "user": e.username, "action": e.action,
                        "entity": e.entity, "ref": e.entity_ref, "detail": json.loads(e.detail or "{}"),
                        "hash": e.hash} for e in events]))
        return 0
    if not events:
        print("没有审计记录")
        return 0
    rows = [[e.id, _local(e.at), e.username, e.action, e.entity, e.entity_ref[:12], _detail_text(e.detail)]
            for e in events]
    print(table(["序号", "时间", "用户", "操作", "对象", "编号", "内容"], rows, numeric=[0]))
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数：{text}")
    return value


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("backup", help="备份数据库（默认存入数据库旁的备份文件夹并轮换）")
    p.add_argument("-o", "--output", help="备份到这个文件或文件夹（如 U 盘），不参与轮换")
    add_force_argument(p)
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("backups", help="列出备份文件夹中的备份")
    p.set_defaults(handler=cmd_backups)

    p = sub.add_parser("restore", help="从备份恢复数据库（所长或管理员；先校验备份，并保留被替换的数据库）")
    p.add_argument("file", help="备份文件")
    p.add_argument("--user", metavar="用户名",
                   help="所长或管理员（密码在终端输入，或从标准输入第一行读取）；数据库不存在或已损坏时可不填")
    p.add_argument("--other-station", action="store_true",
                   help="确认使用其他单位的备份（只有管理员可以确认）")
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("audit", help="审计记录：校验哈希链、查看最近的操作")
    audit_sub = p.add_subparsers(dest="audit_command", parser_class=type(p), metavar="操作", required=True)
    v = audit_sub.add_parser("verify", help="校验审计链、逐行核对数据与封存、核对数据库结构，并与纸面表、工作簿或备份比对")
    v.add_argument("--against", action="append", metavar="文件或审计链码",
                   help="与更早的审计链码比对：打印的等次评定表或确认单（PDF）、导出的工作簿、备份文件，或纸面上抄下的码"
                        "（可重复）")
    v.add_argument("--format", choices=("table", "json"), default="table")
    v.set_defaults(handler=cmd_audit_verify)
    s = audit_sub.add_parser("show", help="列出最近的审计记录")
    s.add_argument("--limit", type=_positive, default=30, help="条数（默认 30）")
    s.add_argument("--action", help="只列出这种操作（前缀匹配，如 entry、user.login）")
    s.add_argument("--format", choices=("table", "json"), default="table")
    s.set_defaults(handler=cmd_audit_show)
