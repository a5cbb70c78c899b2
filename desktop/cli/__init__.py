"""`jifen` on the command line: the same services as the desktop program.

With no command it starts the desktop program. User errors print one Chinese line on
stderr and exit with status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from desktop import __version__
from desktop.cli.output import table, to_csv, to_json
from desktop.models.enums import Identity, PeriodState
from desktop.paths import default_db_path
from desktop.services.errors import JifenError, NotFound
from desktop.services.points import fmt, to_decimal

if TYPE_CHECKING:
    from desktop.models.db import Database

# The commands import the database layer when they run: a bare `jifen` starts the desktop
# program, whose login window should not wait for modules it does not need yet.

EXIT_USER_ERROR = 2


class ArgumentParser(argparse.ArgumentParser):
    """argparse with its usage errors in Chinese and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USER_ERROR, f"参数错误：{message}\n")


def open_server(target: str) -> Database:
    """A database on a server, or one Chinese line saying why it cannot be reached."""
    from desktop.models import stores
    from desktop.models.db import open_database

    if problem := stores.reachable(target):
        raise NotFound(problem)
    return open_database(target)


def open_existing(args: argparse.Namespace) -> Database:
    from desktop.models import stores
    from desktop.models.db import open_database

    if stores.is_server(args.db):
        return open_server(args.db)
    path = Path(args.db)
    if not path.exists():
        raise NotFound(f"数据库“{path}”不存在；可先运行 jifen --db {path} demo 建立演示单位")
    return open_database(path)


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop.services import backup, integrity
    from desktop.services.demo import build_demo

    # Replacing a database is a write: refused while the desktop program has that file open.
    replacing = args.force and Path(args.db).exists()
    kept: Path | None = None
    with integrity.acquire_writer_lock(args.db) if replacing else nullcontext():
        policy = _demo_policy(args.policy)  # a bad --policy is refused before anything is touched
        if replacing and backup.has_data(args.db):
            # --force replaces real data as readily as an old demo: keep a copy to go back to.
            # A damaged or foreign file cannot be copied, and is then not replaced either.
            kept = backup.backup(args.db, reason="demo")
        report = build_demo(args.db, seed=args.seed, until=args.until, force=args.force,
                            station_code=args.station_code, station_name=args.station_name, policy=policy)
    if kept is not None:
        print(f"被替换的数据库已备份到：{kept}（可用 jifen restore 恢复：它属于被替换的单位，须加 --other-station 由管理员确认）")
    print(f"演示单位已建立：{report.path}")
    print(f"人员 {report.people} 人，积分记录 {report.entries} 条，月份 {report.months[0]} 至 {report.months[-1]}")
    print(f"已签核锁定：{'、'.join(report.locked)}")
    if report.schemes_signed:
        print(f"积分制已签核锁定：{'、'.join(report.schemes_signed)}")
    print("登录账号（用户名 / 角色 / 密码）：")
    for username, role, password in report.users:
        print(f"  {username:<12} {role:<8} {password}")
    return 0


def _demo_policy(value: str | None) -> object:
    """`--policy`: a preset code, or a policy file as `jifen policy show` prints it."""
    if not value:
        return None
    from desktop.services import grade_policy, policies

    if value in grade_policy.preset_codes():
        return value
    path = Path(value)
    if not path.is_file():
        raise NotFound(f"“{value}”既不是预设等次政策（{'、'.join(grade_policy.preset_codes())}），也不是政策文件")
    return policies.parse_policy_file(path.read_text(encoding="utf-8-sig"))


def cmd_people(args: argparse.Namespace) -> int:
    from desktop.services import roster
    from desktop.services.id_numbers import mask

    db = open_existing(args)
    with db.session() as session:
        people = roster.list_people(session)
        rows = [[p.badge, p.name, Identity(p.identity).label, p.department.name, p.position, p.sequence,
                 "是" if p.is_head else "", p.active_from or "", p.active_to or "", mask(p.id_number)]
                for p in people]
    headers = ["警号", "姓名", "身份", "部门", "职务", "考核序列", "一把手", "在岗自", "离岗", "身份证号"]
    if args.format == "json":
        # id_number is masked here as on every screen: a listing is no place for the full number.
        keys = ["badge", "name", "identity", "department", "position", "sequence", "is_head", "active_from",
                "active_to", "id_number"]
        print(to_json([dict(zip(keys, r, strict=True)) for r in rows]))
    elif args.format == "csv":
        sys.stdout.write(to_csv(headers, rows))
    else:
        print(table(headers, rows))
    db.dispose()
    return 0


SCORE_HEADERS = ["警号", "姓名", "部门", "考核序列", "基础分", "部门加分", "部门扣分", "上级加分", "上级减分",
                 "总分", "排名用分", "部门排名", "等次", "标记", "说明"]
POINT_KEYS = ("base", "dept_bonus", "dept_deduction", "higher_bonus", "higher_deduction", "start", "total")


def cmd_score(args: argparse.Namespace) -> int:
    from desktop.services import periods, review, scoring

    if getattr(args, "scheme", None) and args.scheme != "person":
        from desktop.cli.schemes import score_scheme

        return score_scheme(args)

    db = open_existing(args)
    with db.session() as session:
        spec = periods.parse_period(args.period)
        # A period nobody has opened yet is computed from the ledger without creating it.
        period = periods.find_period(session, spec.code) or periods.transient(spec)
        rows = review.with_review_flags(session, period, scoring.results(session, period))
        state = period.state
    if args.department:
        rows = [r for r in rows if r.department == args.department]
        if not rows:
            raise NotFound(f"{spec.label}没有部门“{args.department}”的考核结果")
    rows.sort(key=lambda r: (r.department_id, r.rank_department is None, r.rank_department or 0, r.badge))
    if args.format == "json":
        out = []
        for row in rows:
            item = row.as_json()
            for key in POINT_KEYS:
                item[key] = to_decimal(getattr(row, key))
            item["ranked_total"] = to_decimal(row.ranked_total)
            item["flags"] = row.flags
            item["period"] = spec.code
            item["identity"] = Identity(row.identity).label
            out.append(item)
        print(to_json(out))
    else:
        table_rows = [[r.badge, r.name, r.department, r.sequence, fmt(r.base), fmt(r.dept_bonus),
                       fmt(r.dept_deduction), fmt(r.higher_bonus), fmt(r.higher_deduction), fmt(r.total),
                       fmt(r.ranked_total) if r.prorated else "", r.rank_department or "", r.grade or "",
                       "、".join(r.flag_labels()), r.why] for r in rows]
        if args.format == "csv":
            sys.stdout.write(to_csv(SCORE_HEADERS, table_rows))
        else:
            print(f"{spec.label}（{PeriodState(state).label}）")
            print(table(SCORE_HEADERS, table_rows, numeric=range(4, 12)))
    db.dispose()
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    from desktop.ui.app import run

    return run(args.db, demo_requested=False)


Registrar = Callable[[argparse._SubParsersAction], None]  # type: ignore[type-arg]

# Each module registers one group of commands; the order is the order of `jifen --help`.
COMMAND_MODULES = (
    "desktop.cli.ledger",     # record, reverse, entries
    "desktop.cli.period",     # period submit|confirm|…|lock|reopen, periods, override, award
    "desktop.cli.oversight",  # review, rate, reviewers, probation, complaint, alerts, late, publish
    "desktop.cli.documents",  # printouts
    "desktop.cli.aspects",    # aspects, aspects set (the 政绩档案's six aspects)
    "desktop.cli.exchange",   # export, import, county merge
    "desktop.cli.rebuild",    # restore-export
    "desktop.cli.admin",      # user, users, person, department, catalogue, settings
    "desktop.cli.units",      # units, unit add|member|leave|sync-departments
    "desktop.cli.schemes",    # schemes, scheme install (score --scheme is in cmd_score)
    "desktop.cli.policy",     # explain, policy, leave
    "desktop.cli.upkeep",     # backup, restore, audit
    "desktop.cli.server",     # server push|stations, bureau board
    "desktop.cli.bench",
    "desktop.cli.manual",     # manual -o PDF (帮助 → 使用说明)
)


def _optional_registrars() -> list[Registrar]:
    """Subcommand groups that live in their own modules (documents, workbook exchange, upkeep)."""
    found: list[Registrar] = []
    for module_name in COMMAND_MODULES:
        try:
            module = __import__(module_name, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        found.append(module.register)
    return found


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="jifen", description="积分考核台账：派出所积分制考核")
    parser.add_argument("--db", default=str(default_db_path()),
                        help="数据库文件（默认在用户数据目录），或数据库服务器 postgresql://用户名@服务器/数据库名"
                             "（密码取自 PGPASSWORD 或 pgpass 文件）")
    parser.add_argument("--version", action="version", version=f"jifen {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="自检：在临时数据库上建立演示单位、计分、打印 PDF、导出并读回工作簿、打开主窗口")
    sub = parser.add_subparsers(dest="command", parser_class=ArgumentParser, metavar="命令")

    demo = sub.add_parser("demo", help="建立演示单位")
    demo.add_argument("--seed", type=int, default=7, help="随机种子（相同种子得到相同数据）")
    demo.add_argument("--until", help="最后一个月，如 2026-10（默认上个月）")
    demo.add_argument("--force", action="store_true", help="覆盖已有数据库")
    demo.add_argument("--station-code", help="单位代码（合并多个演示单位时用来区分）")
    demo.add_argument("--station-name", help="单位名称")
    demo.add_argument("--policy", help="等次政策：预设代码（abcd、five_level、four_level）或政策文件 JSON")
    demo.set_defaults(handler=cmd_demo)

    people = sub.add_parser("people", help="列出人员名册")
    people.add_argument("--format", choices=("table", "csv", "json"), default="table")
    people.set_defaults(handler=cmd_people)

    score = sub.add_parser("score", help="计算并列出一个考核周期的积分、排名和等次")
    score.add_argument("--period", required=True, help="2026-03（月）、2026-Q1（季度）、2026-H1（半年）或 2026（年）")
    score.add_argument("--department", help="只列出这个部门")
    score.add_argument("--scheme", help="积分制代码（默认 person，个人积分；见 jifen schemes）")
    score.add_argument("--units", action="store_true",
                       help="列出积分制的单位排名（如执法办案单位按序列，单位分为成员积分之和）")
    score.add_argument("--format", choices=("table", "csv", "json"), default="table")
    score.set_defaults(handler=cmd_score)

    gui = sub.add_parser("gui", help="启动桌面程序（不带命令时也会启动）")
    gui.set_defaults(handler=cmd_gui)

    for register in _optional_registrars():
        register(sub)
    return parser


def _desktop_only(argv: Sequence[str]) -> str | None:
    """The database path when the arguments just start the desktop program (`jifen`,
    `jifen --db F`, `jifen gui`): that start skips building the command-line parser, which
    loads every command's modules."""
    rest, db = list(argv), str(default_db_path())
    if len(rest) >= 2 and rest[0] == "--db" and not rest[1].startswith("-"):
        db, rest = rest[1], rest[2:]
    elif rest and rest[0].startswith("--db="):
        db, rest = rest[0].removeprefix("--db="), rest[1:]
    return db if rest in ([], ["gui"]) else None


def main(argv: Sequence[str] | None = None) -> int:
    desktop_db = _desktop_only(sys.argv[1:] if argv is None else argv)
    if desktop_db is not None:
        from desktop.ui.app import run

        return run(desktop_db, demo_requested=False)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        from desktop.selftest import run as self_test

        return self_test()
    handler = getattr(args, "handler", cmd_gui)
    try:
        return int(handler(args) or 0)
    except JifenError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("已取消", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `jifen entries … | head`: the reader stopped; say nothing more on a closed pipe.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # last: the clauses above see theirs first
        # Only SQLite's disk faults (read-only file, full disk) not already turned into a
        # JifenError on the way up; anything else is a defect and keeps its traceback.
        from desktop.services.integrity import storage_error

        mapped = storage_error(exc, getattr(args, "db", None))
        if mapped is None:
            raise
        print(f"错误：{mapped}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
