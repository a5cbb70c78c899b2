"""Command-line rebuild of a station on a new PC from its own export: `restore-export`.

    jifen [--db PATH] restore-export 滨河派出所-2026-03.xlsx [--dry-run]

Only into an empty database: a --db file that does not exist yet (it is created with the
migrations, and only once the restore succeeded) or one without a station. The export must be
exactly as the program wrote it — the data digest on its 说明 sheet is checked and any edited
cell refuses the restore — because this is the one way a workbook's period state, signatures,
grades and awards enter a database (`jifen import` never applies them).

There is no account in an empty database, so nobody signs in (no --user): the program itself
restores, and the first administrator is created afterwards with `jifen user add`. Signers and
assessors named in the workbook become disabled accounts that keep their names and can never
log in.

Exit status: 0 restored (for --dry-run: the workbook would restore cleanly), 1 the workbook
cannot be restored and nothing was written (the report is printed), 2 any other user error
(the database already has a station, it is in use, the file is missing).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.exchange import EXIT_PROBLEMS, _progress
from desktop.services import integrity
from desktop.services.errors import ValidationError
from desktop.services.exchange.import_ import restore_export
from desktop.services.exchange.report import ImportRejected


def _quoted(path: str) -> str:
    return f'"{path}"' if any(ch.isspace() for ch in path) else path


def cmd_restore_export(args: argparse.Namespace) -> int:
    if args.user:
        # Refused rather than ignored: a user who expects to sign in should learn why nobody can.
        raise ValidationError("restore-export 只恢复到空数据库，那里还没有可以登录的账户，不用 --user；"
                              "恢复后请用 jifen user add 用户名 --role admin 建立第一个管理员")
    path = Path(args.db)
    if args.dry_run:  # reads only: no lock, and no file at --db (the check runs on a scratch copy)
        return _restore(args, path)
    lock_file_existed = integrity.lock_path(path).exists()
    try:
        with integrity.acquire_writer_lock(path):  # refused while the desktop program has the file open
            return _restore(args, path)
    finally:
        if not path.exists() and not lock_file_existed:  # a refused restore leaves nothing behind
            integrity.lock_path(path).unlink(missing_ok=True)


def _restore(args: argparse.Namespace, path: Path) -> int:
    try:
        report = restore_export(path, args.file, dry_run=args.dry_run, progress=_progress())
    except ImportRejected as exc:
        print(exc.report.text())
        return EXIT_PROBLEMS
    print(report.text())
    if not report.ok:
        return EXIT_PROBLEMS
    if not args.dry_run:
        print("下一步：本数据库还没有可以登录的账户（工作簿中的签核人、评定人已作为停用账户保留姓名，不能登录）。"
              "请建立第一个管理员：")
        print(f"  jifen --db {_quoted(str(path))} user add 用户名 --role admin")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `restore-export` to the main `jifen` parser."""
    rebuild = subparsers.add_parser(
        "restore-export", help="在新电脑上用本单位导出的工作簿重建单位（只能恢复到空数据库，工作簿不能改动过）")
    rebuild.add_argument("file", help="本程序导出的 .xlsx 文件（jifen export 或桌面程序“数据交换”导出）")
    rebuild.add_argument("--dry-run", action="store_true", help="只检查能否恢复，不建立也不写入数据库")
    # Accepted only to be refused with a reason (see cmd_restore_export); not shown in --help.
    rebuild.add_argument("--user", help=argparse.SUPPRESS)
    rebuild.set_defaults(handler=cmd_restore_export)
