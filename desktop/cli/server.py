"""`jifen server push|stations` and `jifen bureau board`: a bureau whose stations share a server.

    jifen --db 积分.db server push --to postgresql://kaohe@10.1.2.3/jifen --user admin
    jifen --db postgresql://kaohe@10.1.2.3/jifen server stations [--format json]
    jifen --db postgresql://kaohe@10.1.2.3/jifen bureau board --period 2026-03 --user kaohe [--format json]

`server push` signs in on the station's file (its chief or administrator) and copies it into
its own schema on the server (services.server_push says what is refused). The board signs in on
the bureau's own schema (an address without `station=`) with a bureau office's account.
"""

from __future__ import annotations

import argparse

from desktop.cli.common import PERIOD_HELP, add_format, emit
from desktop.cli.signin import add_user_argument
from desktop.services.errors import NotFound, ValidationError

# `server stations --format json` and `bureau board --format json`: stable interfaces
# (docs/cli.md); add fields, never rename.
STATION_FIELDS = (("code", "单位代码"), ("name", "单位名称"), ("schema", "服务器上的模式"), ("address", "连接地址"))
BOARD_FIELDS = (
    ("rank_all", "全局名次"), ("sequence", "考核序列"), ("rank_sequence", "序列名次"), ("station_code", "单位代码"),
    ("station", "单位"), ("locked", "已锁定"), ("department", "部门"), ("badge", "警号"), ("name", "姓名"),
    ("total", "总分"), ("grade", "等次"), ("excluded_reason", "不参与排名原因"),
)


def cmd_push(args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop.cli import open_existing
    from desktop.cli.signin import sign_in
    from desktop.models import stores
    from desktop.services import integrity, server_push

    if stores.is_server(args.db):
        raise ValidationError("server push 的 --db 应是派出所的数据库文件，--to 是局服务器地址")
    if not Path(args.db).exists():
        raise NotFound(f"数据库“{args.db}”不存在")
    server_push.check_target(args.to)
    with integrity.acquire_writer_lock(args.db):
        db = open_existing(args)
        try:
            actor = sign_in(db, args.user)
            report = server_push.push(db, actor, args.to)
        finally:
            db.dispose()
    verb = "已更新" if report.replaced else "已推送"
    print(f"{verb}：{report.name}（单位代码 {report.code}）到服务器，积分记录 {report.entries} 条，"
          f"共 {sum(report.rows.values())} 行")
    print(f"本单位在服务器上的地址：{report.address}")
    return 0


def _bureau(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from desktop.cli import open_existing
    from desktop.models import stores

    if not stores.is_server(args.db):
        raise ValidationError("这个命令用于局服务器：请用 --db postgresql://用户名@服务器/数据库名")
    if stores.station_of(args.db):
        raise ValidationError("请连接局机关本级（地址中不写 station=），全局的命令在那里运行")
    return open_existing(args)


def cmd_stations(args: argparse.Namespace) -> int:
    from desktop.models import stores
    from desktop.services import bureau_board

    db = _bureau(args)
    try:
        rows = [{"code": code, "name": name, "schema": schema,
                 "address": stores.shown(stores.with_station(args.db, code))}
                for schema, code, name in bureau_board.stations(db)]
    finally:
        db.dispose()
    emit(args.format, STATION_FIELDS, rows)
    return 0


def cmd_board(args: argparse.Namespace) -> int:
    from desktop.cli.signin import sign_in
    from desktop.services import bureau_board

    db = _bureau(args)
    try:
        actor = sign_in(db, args.user)
        result = bureau_board.board(db, actor, args.period)
    finally:
        db.dispose()
    rows = bureau_board.listing(result)
    if args.format == "table":
        for row in rows:
            row["locked"] = "是" if row["locked"] else "否"
    emit(args.format, BOARD_FIELDS, rows)
    if args.format == "table":
        print(f"\n{result.period}：{len(result.stations)} 个单位，{len(rows)} 人。{bureau_board.BOARD_RULE}")
        for name in result.missing:
            print(f"注意：{name} 还没有 {result.period} 的积分")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    server = sub.add_parser("server", help="局服务器：把派出所的数据库推送上去，列出服务器上的单位")
    actions = server.add_subparsers(dest="server_command", required=True, metavar="{push,stations}")
    push = actions.add_parser("push", help="把本单位的数据库文件（--db）复制到局服务器，之后可在服务器上继续工作")
    push.add_argument("--to", required=True, metavar="postgresql://…", help="局服务器数据库地址（密码取自 PGPASSWORD 或 pgpass）")
    add_user_argument(push)
    push.set_defaults(handler=cmd_push)
    listed = actions.add_parser("stations", help="列出局服务器上的各单位及其连接地址")
    add_format(listed)
    listed.set_defaults(handler=cmd_stations)

    bureau = sub.add_parser("bureau", help="局机关：全局各单位的公示栏")
    views = bureau.add_subparsers(dest="bureau_command", required=True, metavar="{board}")
    board = views.add_parser("board", help="全局公示栏：服务器上所有单位的人员在一个考核周期内一起排名")
    board.add_argument("--period", required=True, help=PERIOD_HELP)
    add_user_argument(board)
    add_format(board)
    board.set_defaults(handler=cmd_board)
