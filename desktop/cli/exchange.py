"""Command-line workbook exchange: `export`, `import` and `county merge`.

    jifen [--db PATH] export --period 2026-03 -o 滨河派出所-2026-03.xlsx [--force]
    jifen [--db PATH] import 上级加减分.xlsx --user 用户名      (password on the terminal or stdin)
    jifen [--db PATH] import 上级加减分.xlsx --dry-run
    jifen county merge A.xlsx B.xlsx C.xlsx -o 县局汇总.xlsx [--force]

A real import writes, so it is signed in (`desktop.cli.signin`): the user's password, with the
desktop program's lock-out and audit. A dry run only reads and needs no user. An import goes
only into a database that has a station; a missing file is never created (not even by a dry
run) and an empty database is pointed to `jifen restore-export` (`desktop.cli.rebuild`), which
rebuilds a station from its own export.

Exit status: 0 done (for --dry-run: the workbook would import cleanly), 1 the workbook has
problems or the database has no station, and nothing was written (the report is printed),
2 any other user error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from desktop.cli.paths import add_force_argument, guard_args
from desktop.cli.signin import USER_HELP, sign_in
from desktop.models.db import Database, open_database
from desktop.services import integrity
from desktop.services.actor import Actor
from desktop.services.errors import AuthError, NotFound
from desktop.services.exchange.export import export_period
from desktop.services.exchange.import_ import import_file
from desktop.services.exchange.merge import merge_county
from desktop.services.exchange.report import ImportRejected, ImportReport
from desktop.services.roster import has_station

EXIT_PROBLEMS = 1


def _open_existing(path: str) -> Database:
    from desktop.cli import open_server
    from desktop.models import stores

    if stores.is_server(path):
        return open_server(path)
    if not Path(path).exists():
        raise NotFound(f"数据库“{path}”不存在")
    return open_database(path)


def _actor(db: Database, args: argparse.Namespace) -> Actor:
    """Who imports: the signed-in user (--user and the password); for a dry run, which only
    reads, the program itself unless --user is named."""
    if args.user:
        return sign_in(db, args.user)
    if args.dry_run:
        return Actor.system("cli")
    raise AuthError("导入会写入数据库，须用 --user 指明导入人并输入其密码；只检查不写入请加 --dry-run")


def _no_station(args: argparse.Namespace, exists: bool) -> int:
    """The report for an import into a database without a station: nothing to import into."""
    report = ImportReport(Path(args.file), dry_run=args.dry_run)
    what = "中还没有单位，不能导入" if exists else "不存在，不能导入（没有建立这个文件）"
    report.problem("", None, f"数据库“{args.db}”{what}。要在新电脑上用本单位导出的工作簿"
                   f"重建单位，请用 jifen --db {args.db} restore-export {args.file}；新建单位请用桌面程序的建立单位向导")
    print(report.text())
    return EXIT_PROBLEMS


def _progress() -> Callable[[int, int], None] | None:
    """A percentage on stderr when it is a terminal (large workbooks take a few seconds)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        sys.stderr.write(f"\r处理中 {done * 100 // max(total, 1):3d}%")
        if done >= total:
            sys.stderr.write("\r" + " " * 16 + "\r")
        sys.stderr.flush()

    return show


def cmd_export(args: argparse.Namespace) -> int:
    out = guard_args(args)
    db = _open_existing(args.db)
    try:
        with db.session() as session:
            result = export_period(session, args.period, out, progress=_progress())
    finally:
        db.dispose()
    print(f"已导出：{result.path}")
    print(f"单位：{result.station}  考核周期：{result.period}")
    print("  " + "，".join(f"{name} {count} 行" for name, count in result.counts.items()))
    print(f"数据校验（SHA-256）：{result.digest}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.db)
    if not path.exists():  # checked before the lock and before opening: neither creates a file here
        return _no_station(args, exists=False)
    if args.dry_run:
        return _import(args, path)
    # A real import writes: refused while the desktop program (or another command) has the file open.
    with integrity.acquire_writer_lock(path):
        return _import(args, path)


def _import(args: argparse.Namespace, path: Path) -> int:
    db = open_database(path)
    try:
        with db.session() as session:
            if not has_station(session):
                return _no_station(args, exists=True)
        actor = _actor(db, args)
        try:
            report = import_file(db, actor, args.file, dry_run=args.dry_run, progress=_progress(),
                                 include_hidden=args.include_hidden)
        except ImportRejected as exc:
            print(exc.report.text())
            return EXIT_PROBLEMS
        print(report.text())
        return 0 if report.ok else EXIT_PROBLEMS
    finally:
        db.dispose()


def cmd_county_merge(args: argparse.Namespace) -> int:
    out = guard_args(args)
    result = merge_county(args.files, out, progress=_progress())
    print(f"已合并 {len(result.stations)} 个单位（{result.period}，共 {result.people} 人）：{result.path}")
    for station in result.stations:
        print(f"  {station}")
    for warning in result.warnings:
        print(f"注意：{warning}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `export`, `import` and `county merge` to the main `jifen` parser."""
    export = subparsers.add_parser("export", help="导出一个考核周期的工作簿（交县局或备份到另一台电脑）")
    export.add_argument("--period", required=True, help="2026-03（月）、2026-Q1（季度）、2026-H1（半年）或 2026（年）")
    export.add_argument("-o", "--output", required=True, help="导出的 .xlsx 文件")
    add_force_argument(export)
    export.set_defaults(handler=cmd_export)

    imp = subparsers.add_parser("import", help="向已有单位导入工作簿：上级名册、考核细则、上级加减分，或另一台电脑导出的积分记录")
    imp.add_argument("file", help="要导入的 .xlsx 文件")
    imp.add_argument("--dry-run", action="store_true", help="只检查并列出将新增、更新、不变和有问题的行，不写入")
    imp.add_argument("--include-hidden", action="store_true", help="也导入隐藏的工作表（默认只列出、不导入）")
    imp.add_argument("--user", metavar="用户名",
                     help=f"导入人（须有导入权限）；正式导入必填，--dry-run 可不填。{USER_HELP}")
    imp.set_defaults(handler=cmd_import)

    county = subparsers.add_parser("county", help="县局工具：合并各单位导出的工作簿")
    county_sub = county.add_subparsers(dest="county_command", metavar="命令", required=True,
                                       parser_class=type(county))
    merge = county_sub.add_parser("merge", help="合并各单位同一考核周期的导出工作簿，按考核序列统一排名")
    merge.add_argument("files", nargs="+", help="各单位导出的 .xlsx 文件")
    merge.add_argument("-o", "--output", required=True, help="县局汇总 .xlsx 文件")
    add_force_argument(merge)
    merge.set_defaults(handler=cmd_county_merge)
